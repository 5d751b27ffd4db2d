// The tables of both backends (migrations/sqlite and migrations/postgres).

diesel::table! {
    log_entries (county, idx) {
        county -> Text,
        idx -> BigInt,
        kind -> Text,
        signer -> Binary,
        nonce -> Text,
        leaf -> Binary,
    }
}

diesel::table! {
    tree_tiles (county, level, idx) {
        county -> Text,
        level -> Integer,
        idx -> BigInt,
        hashes -> Binary,
    }
}

diesel::table! {
    checkpoints (county, size) {
        county -> Text,
        size -> BigInt,
        note -> Text,
    }
}

diesel::table! {
    counties (county) {
        county -> Text,
        name -> Text,
        log_vkey -> Text,
        root_vkey -> Text,
    }
}

diesel::table! {
    actor_keys (county, public_key) {
        county -> Text,
        public_key -> Binary,
        vkey -> Text,
        role -> Text,
        party -> Text,
        registered_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        department -> Nullable<Text>,
    }
}

diesel::table! {
    state_log (county, idx) {
        county -> Text,
        idx -> BigInt,
        leaf -> Binary,
        note -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    log_entries,
    tree_tiles,
    checkpoints,
    counties,
    actor_keys
);

diesel::table! {
    collectives (county, code) {
        county -> Text,
        code -> Text,
        name -> Text,
        area_centi_m2 -> BigInt,
        min_lon -> Double,
        min_lat -> Double,
        max_lon -> Double,
        max_lat -> Double,
        geometry -> Text,
        registered_at -> BigInt,
    }
}

diesel::table! {
    parcels (county, code) {
        county -> Text,
        code -> Text,
        collective -> Text,
        name -> Text,
        class -> Text,
        land_use -> Text,
        grade -> Text,
        basic_farmland -> Bool,
        declared_centi_m2 -> Nullable<BigInt>,
        area_centi_m2 -> BigInt,
        min_lon -> Double,
        min_lat -> Double,
        max_lon -> Double,
        max_lat -> Double,
        geometry -> Text,
        registered_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    encumbrances (county, idx) {
        county -> Text,
        idx -> BigInt,
        parcel -> Text,
        kind -> Text,
        party -> Text,
        reason -> Text,
        document_sha256 -> Text,
        released_at -> Nullable<BigInt>,
        lapses_on -> Nullable<Text>,
        sued_at -> Nullable<BigInt>,
        pledgee -> Nullable<Text>,
    }
}

diesel::table! {
    decisions (county, idx) {
        county -> Text,
        idx -> BigInt,
        collective -> Text,
        assembly -> Text,
        subject -> Text,
        question -> Text,
        decided_on -> Text,
        eligible -> Integer,
        present -> Integer,
        in_favour -> Integer,
        against -> Integer,
        minutes_sha256 -> Text,
    }
}

diesel::table! {
    households (county, code) {
        county -> Text,
        code -> Text,
        collective -> Text,
        members -> Text,
        registered_at -> BigInt,
        ended_at -> Nullable<BigInt>,
        merged_into -> Nullable<Text>,
    }
}

diesel::table! {
    county_settings (county) {
        county -> Text,
        settings -> Text,
    }
}

diesel::table! {
    contract_schedules (county, listing, award) {
        county -> Text,
        listing -> BigInt,
        award -> BigInt,
        text -> Text,
    }
}

diesel::table! {
    drafts (county, code) {
        county -> Text,
        code -> Text,
        signer -> Text,
        envelope -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    key_offers (county, code) {
        county -> Text,
        code -> Text,
        vkey -> Text,
        offered_at -> BigInt,
    }
}

diesel::table! {
    persons (county, commitment) {
        county -> Text,
        commitment -> Text,
        household -> Text,
        salt -> Text,
        name -> Text,
        id_number -> Text,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    contracts (county, code) {
        county -> Text,
        code -> Text,
        household -> Text,
        parcels -> Text,
        start_date -> Text,
        end_date -> Text,
        certificate_members -> Text,
        registered_at -> BigInt,
        returned_at -> Nullable<BigInt>,
        return_effective -> Nullable<Text>,
        return_compensation_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    share_holdings (county, holder) {
        county -> Text,
        holder -> Text,
        shares -> BigInt,
    }
}

diesel::table! {
    share_quantifications (county, collective) {
        county -> Text,
        collective -> Text,
        idx -> BigInt,
    }
}

diesel::table! {
    distributions (county, idx) {
        county -> Text,
        idx -> BigInt,
        collective -> Text,
        total_fen -> BigInt,
        reserve_fen -> BigInt,
        welfare_fen -> BigInt,
        parts -> Text,
        decisions -> Nullable<Text>,
    }
}

diesel::table! {
    memberships (county, person) {
        county -> Text,
        person -> Text,
        collective -> Text,
        admitted_at -> BigInt,
        decision -> BigInt,
        ended_at -> Nullable<BigInt>,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    homesteads (county, household) {
        county -> Text,
        household -> Text,
        collective -> Text,
        area_centi_m2 -> BigInt,
        min_lon -> Double,
        min_lat -> Double,
        max_lon -> Double,
        max_lat -> Double,
        geometry -> Text,
        granted_at -> BigInt,
        exited_at -> Nullable<BigInt>,
        compensation_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    notices (county, idx) {
        county -> Text,
        idx -> BigInt,
        collective -> Text,
        contracts -> Text,
        from_date -> Text,
        to_date -> Text,
    }
}

diesel::table! {
    certificates (county, contract) {
        county -> Text,
        contract -> Text,
        idx -> BigInt,
        notice -> BigInt,
    }
}

diesel::table! {
    contract_parcels (county, parcel) {
        county -> Text,
        parcel -> Text,
        contract -> Text,
    }
}

diesel::table! {
    listings (county, id) {
        county -> Text,
        id -> BigInt,
        collective -> Text,
        household -> Text,
        mode -> Text,
        status -> Text,
        doc -> Text,
    }
}

diesel::table! {
    derived_rights (county, idx) {
        county -> Text,
        idx -> BigInt,
        household -> Text,
        holder -> Text,
        doc -> Text,
    }
}

diesel::table! {
    hukou_settlements (county, idx) {
        county -> Text,
        idx -> BigInt,
        person -> Text,
        doc -> Text,
    }
}

diesel::table! {
    transferee_reviews (county, idx) {
        county -> Text,
        idx -> BigInt,
        party -> Text,
        doc -> Text,
    }
}

diesel::table! {
    surrenders (county, idx) {
        county -> Text,
        idx -> BigInt,
        household -> Text,
        doc -> Text,
    }
}

diesel::table! {
    attestations (county, idx) {
        county -> Text,
        idx -> BigInt,
        household -> Text,
        doc -> Text,
    }
}

diesel::table! {
    titles_touched (county, title) {
        county -> Text,
        title -> Text,
        touched_at -> BigInt,
    }
}

diesel::table! {
    expropriations (county, idx) {
        county -> Text,
        idx -> BigInt,
        collective -> Text,
        doc -> Text,
    }
}

diesel::table! {
    estates (county, household) {
        county -> Text,
        household -> Text,
        idx -> BigInt,
        doc -> Text,
    }
}

diesel::table! {
    acts (county, idx) {
        county -> Text,
        idx -> BigInt,
        doc -> Text,
    }
}
