//! Each collection of the state as the rows of its table: the one place a
//! value becomes a row. The projection writes these for the rows
//! `State::apply` marked changed; `queries` reads them back.

use diesel::prelude::*;

use super::schema::{
    actor_keys, acts, attestations, certificates, collectives, contract_parcels, contracts,
    counties, county_settings, decisions, derived_rights, distributions, encumbrances, estates,
    expropriations, homesteads, households, hukou_settlements, listings, memberships, notices,
    parcels, share_holdings, share_quantifications, surrenders, titles_touched, transferee_reviews,
};
use crate::model::state::{
    Act, Attestation, Collective, Contract, County, Distribution, Encumbrance, Estate,
    Expropriation, Homestead, Household, HukouEvent, KeyBinding, Membership, Notice, Parcel,
    Surrender,
};
use crate::model::{decision::Decision, exchange, settings::Settings};

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("state values serialise")
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = counties, primary_key(county))]
pub struct CountyRow<'a> {
    county: &'a str,
    name: &'a str,
    log_vkey: &'a str,
    root_vkey: &'a str,
}

impl<'a> CountyRow<'a> {
    pub fn of(c: &'a County) -> Self {
        CountyRow {
            county: &c.code,
            name: &c.name,
            log_vkey: &c.log_vkey,
            root_vkey: &c.root_vkey,
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = county_settings, primary_key(county))]
pub struct SettingsRow<'a> {
    county: &'a str,
    settings: String,
}

impl<'a> SettingsRow<'a> {
    pub fn of(county: &'a str, s: &Settings) -> Self {
        SettingsRow {
            county,
            settings: json(s),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = actor_keys, primary_key(county, public_key), treat_none_as_null = true)]
pub struct KeyRow<'a> {
    county: &'a str,
    public_key: &'a [u8],
    vkey: &'a str,
    role: &'a str,
    party: &'a str,
    registered_at: i64,
    revoked_at: Option<i64>,
    department: Option<&'static str>,
}

impl<'a> KeyRow<'a> {
    pub fn of(county: &'a str, k: &'a KeyBinding) -> Self {
        KeyRow {
            county,
            public_key: &k.public,
            vkey: &k.vkey,
            role: k.role.as_str(),
            party: &k.party,
            registered_at: k.registered_at as i64,
            revoked_at: k.revoked_at.map(|r| r as i64),
            department: k.department.map(crate::model::Department::as_str),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = collectives, primary_key(county, code))]
pub struct CollectiveRow<'a> {
    county: &'a str,
    code: &'a str,
    name: &'a str,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    geometry: &'a str,
    registered_at: i64,
}

impl<'a> CollectiveRow<'a> {
    pub fn of(county: &'a str, k: &'a Collective) -> Self {
        CollectiveRow {
            county,
            code: &k.code,
            name: &k.name,
            area_centi_m2: k.area.0,
            min_lon: k.bbox[0],
            min_lat: k.bbox[1],
            max_lon: k.bbox[2],
            max_lat: k.bbox[3],
            geometry: &k.geojson,
            registered_at: k.registered_at as i64,
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = parcels, primary_key(county, code), treat_none_as_null = true)]
pub struct ParcelRow<'a> {
    county: &'a str,
    code: &'a str,
    collective: &'a str,
    name: &'a str,
    class: &'a str,
    land_use: &'a str,
    grade: &'a str,
    basic_farmland: bool,
    declared_centi_m2: Option<i64>,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    /// The normalised geometry as GeoJSON, written from the shape itself.
    geometry: String,
    registered_at: i64,
    retired_at: Option<i64>,
}

impl<'a> ParcelRow<'a> {
    pub fn of(county: &'a str, p: &'a Parcel) -> Self {
        ParcelRow {
            county,
            code: &p.code,
            collective: &p.collective,
            name: &p.name,
            class: &p.class,
            land_use: &p.land_use,
            grade: &p.grade,
            basic_farmland: p.basic_farmland,
            declared_centi_m2: p.declared.map(|a| a.0),
            area_centi_m2: p.area.0,
            min_lon: p.bbox[0],
            min_lat: p.bbox[1],
            max_lon: p.bbox[2],
            max_lat: p.bbox[3],
            geometry: crate::model::land::to_geojson(&p.geometry, true),
            registered_at: p.registered_at as i64,
            retired_at: p.retired_at.map(|r| r as i64),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = encumbrances, primary_key(county, idx), treat_none_as_null = true)]
pub struct EncumbranceRow<'a> {
    county: &'a str,
    idx: i64,
    parcel: &'a str,
    kind: &'a str,
    party: &'a str,
    reason: &'a str,
    document_sha256: &'a str,
    released_at: Option<i64>,
    lapses_on: Option<String>,
    sued_at: Option<i64>,
    pledgee: Option<&'a str>,
}

impl<'a> EncumbranceRow<'a> {
    pub fn of(county: &'a str, e: &'a Encumbrance) -> Self {
        EncumbranceRow {
            county,
            idx: e.index as i64,
            parcel: &e.parcel,
            kind: e.kind.as_str(),
            party: &e.by,
            reason: &e.reason,
            document_sha256: &e.document_sha256,
            released_at: e.released_at.map(|r| r as i64),
            lapses_on: e.lapses_on.map(|d| d.to_string()),
            sued_at: e.sued_at.map(|r| r as i64),
            pledgee: e.pledgee.as_deref(),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = decisions, primary_key(county, idx))]
pub struct DecisionRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    assembly: &'a str,
    subject: &'a str,
    question: &'a str,
    decided_on: String,
    eligible: i32,
    present: i32,
    in_favour: i32,
    against: i32,
    minutes_sha256: &'a str,
}

impl<'a> DecisionRow<'a> {
    pub fn of(county: &'a str, d: &'a Decision) -> Self {
        DecisionRow {
            county,
            idx: d.index as i64,
            collective: &d.collective,
            assembly: d.assembly.as_str(),
            subject: d.subject.as_str(),
            question: &d.question,
            decided_on: d.date.to_string(),
            eligible: d.counts.eligible as i32,
            present: d.counts.present as i32,
            in_favour: d.counts.in_favour as i32,
            against: d.counts.against as i32,
            minutes_sha256: &d.minutes_sha256,
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = households, primary_key(county, code), treat_none_as_null = true)]
pub struct HouseholdRow<'a> {
    county: &'a str,
    code: &'a str,
    collective: &'a str,
    members: String,
    registered_at: i64,
    ended_at: Option<i64>,
    merged_into: Option<&'a str>,
}

impl<'a> HouseholdRow<'a> {
    pub fn of(county: &'a str, h: &'a Household) -> Self {
        HouseholdRow {
            county,
            code: &h.code,
            collective: &h.collective,
            members: json(&h.members),
            registered_at: h.registered_at as i64,
            ended_at: h.merged.as_ref().map(|(at, _)| *at as i64),
            merged_into: h.merged.as_ref().map(|(_, into)| into.as_str()),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contracts, primary_key(county, code), treat_none_as_null = true)]
pub struct ContractRow<'a> {
    county: &'a str,
    code: &'a str,
    household: &'a str,
    parcels: String,
    start_date: String,
    end_date: String,
    certificate_members: String,
    registered_at: i64,
    returned_at: Option<i64>,
    return_effective: Option<String>,
    return_compensation_fen: Option<i64>,
}

impl<'a> ContractRow<'a> {
    pub fn of(county: &'a str, k: &'a Contract) -> Self {
        ContractRow {
            county,
            code: &k.code,
            household: &k.household,
            parcels: json(&k.parcels),
            start_date: k.start.to_string(),
            end_date: k.end.to_string(),
            certificate_members: json(&k.certificate_members),
            registered_at: k.registered_at as i64,
            returned_at: k.returned.map(|(at, _, _)| at as i64),
            return_effective: k.returned.map(|(_, day, _)| day.to_string()),
            return_compensation_fen: k.returned.map(|(_, _, fen)| fen),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contract_parcels, primary_key(county, parcel))]
pub struct ContractParcelRow<'a> {
    pub county: &'a str,
    pub parcel: &'a str,
    pub contract: &'a str,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = share_holdings, primary_key(county, holder))]
pub struct HoldingRow<'a> {
    pub county: &'a str,
    pub holder: &'a str,
    pub shares: i64,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = share_quantifications, primary_key(county, collective))]
pub struct QuantifiedRow<'a> {
    pub county: &'a str,
    pub collective: &'a str,
    pub idx: i64,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = distributions, primary_key(county, idx))]
pub struct DistributionRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    total_fen: i64,
    reserve_fen: i64,
    welfare_fen: i64,
    parts: String,
    decisions: Option<String>,
}

impl<'a> DistributionRow<'a> {
    pub fn of(county: &'a str, d: &'a Distribution) -> Self {
        DistributionRow {
            county,
            idx: d.index as i64,
            collective: &d.collective,
            total_fen: d.total,
            reserve_fen: d.reserve,
            welfare_fen: d.welfare,
            parts: json(&d.parts),
            decisions: (!d.decisions.is_empty()).then(|| json(&d.decisions)),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = memberships, primary_key(county, person), treat_none_as_null = true)]
pub struct MembershipRow<'a> {
    county: &'a str,
    person: &'a str,
    collective: &'a str,
    admitted_at: i64,
    decision: i64,
    ended_at: Option<i64>,
    end_reason: Option<&'a str>,
}

impl<'a> MembershipRow<'a> {
    pub fn of(county: &'a str, m: &'a Membership) -> Self {
        MembershipRow {
            county,
            person: &m.person,
            collective: &m.collective,
            admitted_at: m.admitted_at as i64,
            decision: m.decision as i64,
            ended_at: m.ended.as_ref().map(|(at, _)| *at as i64),
            end_reason: m.ended.as_ref().map(|(_, why)| why.as_str()),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = homesteads, primary_key(county, household), treat_none_as_null = true)]
pub struct HomesteadRow<'a> {
    county: &'a str,
    household: &'a str,
    collective: &'a str,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    geometry: String,
    granted_at: i64,
    exited_at: Option<i64>,
    compensation_fen: Option<i64>,
}

impl<'a> HomesteadRow<'a> {
    pub fn of(county: &'a str, h: &'a Homestead) -> Self {
        HomesteadRow {
            county,
            household: &h.household,
            collective: &h.collective,
            area_centi_m2: h.area.0,
            min_lon: h.bbox[0],
            min_lat: h.bbox[1],
            max_lon: h.bbox[2],
            max_lat: h.bbox[3],
            geometry: crate::model::land::to_geojson(&h.geometry, true),
            granted_at: h.granted_at as i64,
            exited_at: h.exited.map(|(at, _)| at as i64),
            compensation_fen: h.exited.map(|(_, fen)| fen),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = notices, primary_key(county, idx))]
pub struct NoticeRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    contracts: String,
    from_date: String,
    to_date: String,
}

impl<'a> NoticeRow<'a> {
    pub fn of(county: &'a str, n: &'a Notice) -> Self {
        NoticeRow {
            county,
            idx: n.index as i64,
            collective: &n.collective,
            contracts: json(&n.contracts),
            from_date: n.from.to_string(),
            to_date: n.to.to_string(),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = certificates, primary_key(county, contract))]
pub struct CertificateRow<'a> {
    pub county: &'a str,
    pub contract: &'a str,
    pub idx: i64,
    pub notice: i64,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = listings, primary_key(county, id))]
pub struct ListingRow<'a> {
    county: &'a str,
    id: i64,
    collective: &'a str,
    household: &'a str,
    mode: &'a str,
    status: &'a str,
    doc: String,
}

impl<'a> ListingRow<'a> {
    pub fn of(county: &'a str, l: &'a exchange::Listing) -> Self {
        ListingRow {
            county,
            id: l.id as i64,
            collective: &l.collective,
            household: &l.household,
            mode: l.mode.as_str(),
            status: l.status.as_str(),
            doc: json(l),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = derived_rights, primary_key(county, idx))]
pub struct RightRow<'a> {
    county: &'a str,
    idx: i64,
    household: &'a str,
    holder: &'a str,
    doc: String,
}

impl<'a> RightRow<'a> {
    pub fn of(county: &'a str, r: &'a exchange::DerivedRight) -> Self {
        RightRow {
            county,
            idx: r.index as i64,
            household: &r.household,
            holder: &r.holder,
            doc: json(r),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = hukou_settlements, primary_key(county, idx))]
pub struct HukouRow<'a> {
    county: &'a str,
    idx: i64,
    person: &'a str,
    doc: String,
}

impl<'a> HukouRow<'a> {
    pub fn of(county: &'a str, h: &'a HukouEvent) -> Self {
        HukouRow {
            county,
            idx: h.index as i64,
            person: &h.person,
            doc: json(h),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = transferee_reviews, primary_key(county, idx))]
pub struct ReviewRow<'a> {
    county: &'a str,
    idx: i64,
    party: &'a str,
    doc: String,
}

impl<'a> ReviewRow<'a> {
    pub fn of(county: &'a str, r: &'a exchange::Review) -> Self {
        ReviewRow {
            county,
            idx: r.index as i64,
            party: &r.party,
            doc: json(r),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = surrenders, primary_key(county, idx))]
pub struct SurrenderRow<'a> {
    county: &'a str,
    idx: i64,
    household: &'a str,
    doc: String,
}

impl<'a> SurrenderRow<'a> {
    pub fn of(county: &'a str, x: &'a Surrender) -> Self {
        SurrenderRow {
            county,
            idx: x.index as i64,
            household: &x.household,
            doc: json(x),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = attestations, primary_key(county, idx))]
pub struct AttestationRow<'a> {
    county: &'a str,
    idx: i64,
    household: &'a str,
    doc: String,
}

impl<'a> AttestationRow<'a> {
    pub fn of(county: &'a str, a: &'a Attestation) -> Self {
        AttestationRow {
            county,
            idx: a.index as i64,
            household: &a.household,
            doc: json(a),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = titles_touched, primary_key(county, title))]
pub struct TouchedRow<'a> {
    pub county: &'a str,
    pub title: &'a str,
    pub touched_at: i64,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = expropriations, primary_key(county, idx))]
pub struct ExpropriationRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    doc: String,
}

impl<'a> ExpropriationRow<'a> {
    pub fn of(county: &'a str, x: &'a Expropriation) -> Self {
        ExpropriationRow {
            county,
            idx: x.index as i64,
            collective: &x.collective,
            doc: json(x),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = estates, primary_key(county, household))]
pub struct EstateRow<'a> {
    county: &'a str,
    household: &'a str,
    idx: i64,
    doc: String,
}

impl<'a> EstateRow<'a> {
    pub fn of(county: &'a str, e: &'a Estate) -> Self {
        EstateRow {
            county,
            household: &e.household,
            idx: e.index as i64,
            doc: json(e),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = acts, primary_key(county, idx))]
pub struct ActRow<'a> {
    county: &'a str,
    idx: i64,
    doc: String,
}

impl<'a> ActRow<'a> {
    pub fn of(county: &'a str, a: &'a Act) -> Self {
        ActRow {
            county,
            idx: a.index as i64,
            doc: json(a),
        }
    }
}
