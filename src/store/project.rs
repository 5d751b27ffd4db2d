//! Appends a committed batch: log rows, projection changes, tiles and the
//! checkpoint, in the caller's transaction.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::queries::encode_tile;
use super::schema::{
    actor_keys, attestations, certificates, checkpoints, collectives, contract_parcels, contracts,
    counties, county_settings, decisions, derived_rights, distributions, encumbrances, homesteads,
    households, hukou_settlements, listings, log_entries, memberships, notices, parcels, persons,
    share_holdings, share_quantifications, surrenders, titles_touched, transferee_reviews,
    tree_tiles,
};
use super::StoreError;
use crate::ledger::merkle::Hash;
use crate::ledger::{Admitted, Envelope, TileId};
use crate::model::person::PersonRecord;
use crate::model::Change;

/// Rows per INSERT statement: under SQLite's 32766 and PostgreSQL's 65535
/// bound parameters.
const ROWS_PER_INSERT: usize = 4000;

#[derive(Insertable)]
#[diesel(table_name = log_entries)]
struct NewEntry<'a> {
    county: &'a str,
    idx: i64,
    kind: &'a str,
    signer: &'a [u8],
    nonce: &'a str,
    leaf: &'a [u8],
}

/// A person's record, kept off the log, for the household that names it.
pub struct PersonRow {
    pub commitment: String,
    pub household: String,
    pub record: PersonRecord,
}

/// Everything one batch writes.
pub struct Batch<'a> {
    pub county: &'a str,
    pub entries: Vec<(&'a Envelope, &'a Admitted)>,
    pub persons: Vec<PersonRow>,
    pub tiles: &'a [(TileId, Vec<Hash>)],
    pub checkpoint: (u64, &'a str),
}

/// Adds (or takes) shares of a holder, creating the row at need.
macro_rules! add_shares {
    ($c:ident, $county:expr, $holder:expr, $n:expr) => {
        diesel::insert_into(share_holdings::table)
            .values((
                share_holdings::county.eq($county),
                share_holdings::holder.eq($holder),
                share_holdings::shares.eq($n),
            ))
            .on_conflict((share_holdings::county, share_holdings::holder))
            .do_update()
            .set(share_holdings::shares.eq(share_holdings::shares + $n))
            .execute($c)?
    };
}

/// Points the private records of `members` at `household` (a split or merge
/// moves persons between households).
macro_rules! move_persons {
    ($c:ident, $county:expr, $household:expr, $members:expr) => {
        let persons: Vec<&str> = $members.iter().map(|m| m.person.as_str()).collect();
        diesel::update(
            persons::table
                .filter(persons::county.eq($county))
                .filter(persons::commitment.eq_any(persons)),
        )
        .set(persons::household.eq($household))
        .execute($c)?;
    };
}

/// Writes a batch through the backend's own connection type.
macro_rules! write_batch_impl {
    ($c:ident, $batch:ident) => {{
        let county = $batch.county;
        let rows: Vec<NewEntry> = $batch
            .entries
            .iter()
            .map(|(env, a)| NewEntry {
                county,
                idx: a.index as i64,
                kind: &env.kind,
                signer: &env.signer,
                nonce: &env.nonce,
                leaf: &a.leaf,
            })
            .collect();
        insert_rows($c, &rows)?;
        for (_, a) in &$batch.entries {
            for change in &a.changes {
                match change {
                    Change::LogFounded(c) => {
                        diesel::insert_into(counties::table)
                            .values((
                                counties::county.eq(&c.code),
                                counties::name.eq(&c.name),
                                counties::log_vkey.eq(&c.log_vkey),
                                counties::root_vkey.eq(&c.root_vkey),
                            ))
                            .execute($c)?;
                    }
                    Change::KeyBound(k) => {
                        diesel::insert_into(actor_keys::table)
                            .values((
                                actor_keys::county.eq(county),
                                actor_keys::public_key.eq(&k.public[..]),
                                actor_keys::vkey.eq(&k.vkey),
                                actor_keys::role.eq(k.role.as_str()),
                                actor_keys::party.eq(&k.party),
                                actor_keys::registered_at.eq(k.registered_at as i64),
                                actor_keys::revoked_at.eq(k.revoked_at.map(|r| r as i64)),
                            ))
                            .execute($c)?;
                    }
                    Change::CollectiveRegistered { collective: k, .. } => {
                        diesel::insert_into(collectives::table)
                            .values((
                                collectives::county.eq(county),
                                collectives::code.eq(&k.code),
                                collectives::name.eq(&k.name),
                                collectives::area_centi_m2.eq(k.area.0),
                                collectives::min_lon.eq(k.bbox[0]),
                                collectives::min_lat.eq(k.bbox[1]),
                                collectives::max_lon.eq(k.bbox[2]),
                                collectives::max_lat.eq(k.bbox[3]),
                                collectives::geometry.eq(&k.geojson),
                                collectives::registered_at.eq(k.registered_at as i64),
                            ))
                            .execute($c)?;
                    }
                    Change::ParcelRegistered { parcel: p, geojson } => {
                        diesel::insert_into(parcels::table)
                            .values((
                                (
                                    parcels::county.eq(county),
                                    parcels::code.eq(p.code.as_str()),
                                    parcels::collective.eq(p.collective.as_str()),
                                    parcels::name.eq(p.name.as_str()),
                                    parcels::class.eq(p.class.as_str()),
                                    parcels::land_use.eq(p.land_use.as_str()),
                                    parcels::grade.eq(p.grade.as_str()),
                                    parcels::basic_farmland.eq(p.basic_farmland),
                                    parcels::declared_centi_m2.eq(p.declared.map(|a| a.0)),
                                ),
                                (
                                    parcels::area_centi_m2.eq(p.area.0),
                                    parcels::min_lon.eq(p.bbox[0]),
                                    parcels::min_lat.eq(p.bbox[1]),
                                    parcels::max_lon.eq(p.bbox[2]),
                                    parcels::max_lat.eq(p.bbox[3]),
                                    parcels::geometry.eq(geojson),
                                    parcels::registered_at.eq(p.registered_at as i64),
                                    parcels::retired_at.eq(p.retired_at.map(|r| r as i64)),
                                ),
                            ))
                            .execute($c)?;
                    }
                    Change::ParcelRetired { code, at } => {
                        diesel::update(
                            parcels::table
                                .filter(parcels::county.eq(county))
                                .filter(parcels::code.eq(code)),
                        )
                        .set(parcels::retired_at.eq(Some(*at as i64)))
                        .execute($c)?;
                    }
                    Change::EncumbranceRegistered(e) => {
                        diesel::insert_into(encumbrances::table)
                            .values((
                                encumbrances::county.eq(county),
                                encumbrances::idx.eq(e.index as i64),
                                encumbrances::parcel.eq(e.parcel.as_str()),
                                encumbrances::kind.eq(e.kind.as_str()),
                                encumbrances::party.eq(&e.by),
                                encumbrances::reason.eq(&e.reason),
                                encumbrances::document_sha256.eq(&e.document_sha256),
                                encumbrances::released_at.eq(e.released_at.map(|r| r as i64)),
                                encumbrances::lapses_on.eq(e.lapses_on.map(|d| d.to_string())),
                                encumbrances::sued_at.eq(e.sued_at.map(|r| r as i64)),
                            ))
                            .execute($c)?;
                    }
                    Change::SharesQuantified {
                        collective,
                        index,
                        allocations,
                    } => {
                        diesel::insert_into(share_quantifications::table)
                            .values((
                                share_quantifications::county.eq(county),
                                share_quantifications::collective.eq(collective),
                                share_quantifications::idx.eq(*index as i64),
                            ))
                            .execute($c)?;
                        for (holder, n) in allocations {
                            add_shares!($c, county, holder, *n as i64);
                        }
                    }
                    Change::SharesMoved { from, to, shares } => {
                        add_shares!($c, county, from, -(*shares as i64));
                        add_shares!($c, county, to, *shares as i64);
                    }
                    Change::NoticePosted(n) => {
                        diesel::insert_into(notices::table)
                            .values((
                                notices::county.eq(county),
                                notices::idx.eq(n.index as i64),
                                notices::collective.eq(&n.collective),
                                notices::contracts
                                    .eq(serde_json::to_string(&n.contracts).expect("codes")),
                                notices::from_date.eq(n.from.to_string()),
                                notices::to_date.eq(n.to.to_string()),
                            ))
                            .execute($c)?;
                    }
                    Change::CertificateIssued {
                        contract,
                        index,
                        notice,
                    } => {
                        diesel::insert_into(certificates::table)
                            .values((
                                certificates::county.eq(county),
                                certificates::contract.eq(contract),
                                certificates::idx.eq(*index as i64),
                                certificates::notice.eq(*notice as i64),
                            ))
                            .execute($c)?;
                    }
                    Change::ContractReturned {
                        code,
                        at,
                        effective,
                        compensation,
                    } => {
                        diesel::update(
                            contracts::table
                                .filter(contracts::county.eq(county))
                                .filter(contracts::code.eq(code)),
                        )
                        .set((
                            contracts::returned_at.eq(Some(*at as i64)),
                            contracts::return_effective.eq(Some(effective.to_string())),
                            contracts::return_compensation_fen.eq(Some(*compensation)),
                        ))
                        .execute($c)?;
                    }
                    Change::HomesteadGranted {
                        homestead: h,
                        geojson,
                    } => {
                        // A household that exited may be granted again: one row each.
                        diesel::delete(
                            homesteads::table
                                .filter(homesteads::county.eq(county))
                                .filter(homesteads::household.eq(&h.household)),
                        )
                        .execute($c)?;
                        diesel::insert_into(homesteads::table)
                            .values((
                                homesteads::county.eq(county),
                                homesteads::household.eq(&h.household),
                                homesteads::collective.eq(&h.collective),
                                homesteads::area_centi_m2.eq(h.area.0),
                                homesteads::min_lon.eq(h.bbox[0]),
                                homesteads::min_lat.eq(h.bbox[1]),
                                homesteads::max_lon.eq(h.bbox[2]),
                                homesteads::max_lat.eq(h.bbox[3]),
                                homesteads::geometry.eq(geojson),
                                homesteads::granted_at.eq(h.granted_at as i64),
                                homesteads::exited_at.eq(None::<i64>),
                                homesteads::compensation_fen.eq(None::<i64>),
                            ))
                            .execute($c)?;
                    }
                    Change::HomesteadExited {
                        household,
                        at,
                        compensation,
                    } => {
                        diesel::update(
                            homesteads::table
                                .filter(homesteads::county.eq(county))
                                .filter(homesteads::household.eq(household)),
                        )
                        .set((
                            homesteads::exited_at.eq(Some(*at as i64)),
                            homesteads::compensation_fen.eq(Some(*compensation)),
                        ))
                        .execute($c)?;
                    }
                    Change::MemberAdmitted(m) => {
                        // A person re-admitted after an end starts a new membership.
                        diesel::delete(
                            memberships::table
                                .filter(memberships::county.eq(county))
                                .filter(memberships::person.eq(&m.person)),
                        )
                        .execute($c)?;
                        diesel::insert_into(memberships::table)
                            .values((
                                memberships::county.eq(county),
                                memberships::person.eq(&m.person),
                                memberships::collective.eq(&m.collective),
                                memberships::admitted_at.eq(m.admitted_at as i64),
                                memberships::decision.eq(m.decision as i64),
                                memberships::ended_at.eq(None::<i64>),
                                memberships::end_reason.eq(None::<String>),
                            ))
                            .execute($c)?;
                    }
                    Change::MembershipEnded { person, at, reason } => {
                        diesel::update(
                            memberships::table
                                .filter(memberships::county.eq(county))
                                .filter(memberships::person.eq(person)),
                        )
                        .set((
                            memberships::ended_at.eq(Some(*at as i64)),
                            memberships::end_reason.eq(Some(reason)),
                        ))
                        .execute($c)?;
                    }
                    Change::DividendDistributed(d) => {
                        diesel::insert_into(distributions::table)
                            .values((
                                distributions::county.eq(county),
                                distributions::idx.eq(d.index as i64),
                                distributions::collective.eq(&d.collective),
                                distributions::total_fen.eq(d.total),
                                distributions::reserve_fen.eq(d.reserve),
                                distributions::welfare_fen.eq(d.welfare),
                                distributions::parts
                                    .eq(serde_json::to_string(&d.parts).expect("parts")),
                            ))
                            .execute($c)?;
                    }
                    Change::ContractGranted(k) => {
                        diesel::insert_into(contracts::table)
                            .values((
                                contracts::county.eq(county),
                                contracts::code.eq(&k.code),
                                contracts::household.eq(&k.household),
                                contracts::parcels
                                    .eq(serde_json::to_string(&k.parcels).expect("codes")),
                                contracts::start_date.eq(k.start.to_string()),
                                contracts::end_date.eq(k.end.to_string()),
                                contracts::certificate_members
                                    .eq(serde_json::to_string(&k.certificate_members)
                                        .expect("commitments")),
                                contracts::registered_at.eq(k.registered_at as i64),
                            ))
                            .execute($c)?;
                        for parcel in &k.parcels {
                            diesel::insert_into(contract_parcels::table)
                                .values((
                                    contract_parcels::county.eq(county),
                                    contract_parcels::parcel.eq(parcel),
                                    contract_parcels::contract.eq(&k.code),
                                ))
                                // Land once under another contract (returned, C6)
                                // is now this one's, as `State` has it.
                                .on_conflict((contract_parcels::county, contract_parcels::parcel))
                                .do_update()
                                .set(contract_parcels::contract.eq(&k.code))
                                .execute($c)?;
                        }
                    }
                    Change::HouseholdRegistered(h) => {
                        diesel::insert_into(households::table)
                            .values((
                                households::county.eq(county),
                                households::code.eq(&h.code),
                                households::collective.eq(&h.collective),
                                households::members
                                    .eq(serde_json::to_string(&h.members).expect("members")),
                                households::registered_at.eq(h.registered_at as i64),
                            ))
                            .execute($c)?;
                        move_persons!($c, county, &h.code, &h.members);
                    }
                    Change::HouseholdMembers { household, members } => {
                        diesel::update(
                            households::table
                                .filter(households::county.eq(county))
                                .filter(households::code.eq(household)),
                        )
                        .set(
                            households::members
                                .eq(serde_json::to_string(members).expect("members")),
                        )
                        .execute($c)?;
                        move_persons!($c, county, household, members);
                    }
                    Change::HouseholdMerged {
                        household,
                        into,
                        at,
                    } => {
                        diesel::update(
                            households::table
                                .filter(households::county.eq(county))
                                .filter(households::code.eq(household)),
                        )
                        .set((
                            households::ended_at.eq(Some(*at as i64)),
                            households::merged_into.eq(Some(into)),
                        ))
                        .execute($c)?;
                    }
                    Change::ContractParcels { code, parcels } => {
                        diesel::update(
                            contracts::table
                                .filter(contracts::county.eq(county))
                                .filter(contracts::code.eq(code)),
                        )
                        .set(contracts::parcels.eq(serde_json::to_string(parcels).expect("codes")))
                        .execute($c)?;
                        diesel::delete(
                            contract_parcels::table
                                .filter(contract_parcels::county.eq(county))
                                .filter(contract_parcels::contract.eq(code)),
                        )
                        .execute($c)?;
                        for parcel in parcels {
                            diesel::insert_into(contract_parcels::table)
                                .values((
                                    contract_parcels::county.eq(county),
                                    contract_parcels::parcel.eq(parcel),
                                    contract_parcels::contract.eq(code),
                                ))
                                .on_conflict((contract_parcels::county, contract_parcels::parcel))
                                .do_update()
                                .set(contract_parcels::contract.eq(code))
                                .execute($c)?;
                        }
                    }
                    Change::ContractRenewed { code, start, end } => {
                        diesel::update(
                            contracts::table
                                .filter(contracts::county.eq(county))
                                .filter(contracts::code.eq(code)),
                        )
                        .set((
                            contracts::start_date.eq(start.to_string()),
                            contracts::end_date.eq(end.to_string()),
                        ))
                        .execute($c)?;
                    }
                    Change::ContractHolder { code, household } => {
                        diesel::update(
                            contracts::table
                                .filter(contracts::county.eq(county))
                                .filter(contracts::code.eq(code)),
                        )
                        .set(contracts::household.eq(household))
                        .execute($c)?;
                    }
                    Change::HomesteadMoved { from, to } => {
                        // The receiver's old row, if any, is an exit that stands.
                        diesel::delete(
                            homesteads::table
                                .filter(homesteads::county.eq(county))
                                .filter(homesteads::household.eq(to)),
                        )
                        .execute($c)?;
                        diesel::update(
                            homesteads::table
                                .filter(homesteads::county.eq(county))
                                .filter(homesteads::household.eq(from)),
                        )
                        .set(homesteads::household.eq(to))
                        .execute($c)?;
                    }
                    Change::ListingSaved(l) => {
                        let doc = serde_json::to_string(l).expect("listing");
                        diesel::insert_into(listings::table)
                            .values((
                                listings::county.eq(county),
                                listings::id.eq(l.id as i64),
                                listings::collective.eq(&l.collective),
                                listings::household.eq(&l.household),
                                listings::mode.eq(l.mode.as_str()),
                                listings::status.eq(l.status.as_str()),
                                listings::doc.eq(&doc),
                            ))
                            .on_conflict((listings::county, listings::id))
                            .do_update()
                            .set((
                                listings::status.eq(l.status.as_str()),
                                listings::doc.eq(&doc),
                            ))
                            .execute($c)?;
                    }
                    Change::RightSaved(r) => {
                        let doc = serde_json::to_string(r).expect("right");
                        diesel::insert_into(derived_rights::table)
                            .values((
                                derived_rights::county.eq(county),
                                derived_rights::idx.eq(r.index as i64),
                                derived_rights::household.eq(&r.household),
                                derived_rights::holder.eq(&r.holder),
                                derived_rights::doc.eq(&doc),
                            ))
                            .on_conflict((derived_rights::county, derived_rights::idx))
                            .do_update()
                            .set(derived_rights::doc.eq(&doc))
                            .execute($c)?;
                    }
                    Change::TransfereeReviewed(r) => {
                        diesel::insert_into(transferee_reviews::table)
                            .values((
                                transferee_reviews::county.eq(county),
                                transferee_reviews::idx.eq(r.index as i64),
                                transferee_reviews::party.eq(&r.party),
                                transferee_reviews::doc
                                    .eq(serde_json::to_string(r).expect("review")),
                            ))
                            .execute($c)?;
                    }
                    Change::SurrenderSaved(x) => {
                        let doc = serde_json::to_string(x).expect("surrender");
                        diesel::insert_into(surrenders::table)
                            .values((
                                surrenders::county.eq(county),
                                surrenders::idx.eq(x.index as i64),
                                surrenders::household.eq(&x.household),
                                surrenders::doc.eq(&doc),
                            ))
                            .on_conflict((surrenders::county, surrenders::idx))
                            .do_update()
                            .set(surrenders::doc.eq(&doc))
                            .execute($c)?;
                    }
                    Change::ContractReturnWithdrawn { code } => {
                        diesel::update(
                            contracts::table
                                .filter(contracts::county.eq(county))
                                .filter(contracts::code.eq(code)),
                        )
                        .set((
                            contracts::returned_at.eq(None::<i64>),
                            contracts::return_effective.eq(None::<String>),
                            contracts::return_compensation_fen.eq(None::<i64>),
                        ))
                        .execute($c)?;
                    }
                    Change::HomesteadRestored { household, .. } => {
                        diesel::update(
                            homesteads::table
                                .filter(homesteads::county.eq(county))
                                .filter(homesteads::household.eq(household))
                                .filter(homesteads::exited_at.is_not_null()),
                        )
                        .set((
                            homesteads::exited_at.eq(None::<i64>),
                            homesteads::compensation_fen.eq(None::<i64>),
                        ))
                        .execute($c)?;
                    }
                    Change::HukouSettled(h) => {
                        diesel::insert_into(hukou_settlements::table)
                            .values((
                                hukou_settlements::county.eq(county),
                                hukou_settlements::idx.eq(h.index as i64),
                                hukou_settlements::person.eq(&h.person),
                                hukou_settlements::doc.eq(serde_json::to_string(h).expect("event")),
                            ))
                            .execute($c)?;
                    }
                    Change::Attested(a) => {
                        diesel::insert_into(attestations::table)
                            .values((
                                attestations::county.eq(county),
                                attestations::idx.eq(a.index as i64),
                                attestations::household.eq(&a.household),
                                attestations::doc
                                    .eq(serde_json::to_string(a).expect("attestation")),
                            ))
                            .execute($c)?;
                    }
                    Change::TitleTouched { parcels, at } => {
                        for title in parcels {
                            diesel::insert_into(titles_touched::table)
                                .values((
                                    titles_touched::county.eq(county),
                                    titles_touched::title.eq(title),
                                    titles_touched::touched_at.eq(*at as i64),
                                ))
                                .on_conflict((titles_touched::county, titles_touched::title))
                                .do_update()
                                .set(titles_touched::touched_at.eq(*at as i64))
                                .execute($c)?;
                        }
                    }
                    Change::SettingsChanged { settings, at } => {
                        let text = serde_json::to_string(settings).expect("settings");
                        diesel::insert_into(county_settings::table)
                            .values((
                                county_settings::county.eq(county),
                                county_settings::settings.eq(&text),
                                county_settings::set_at.eq(*at as i64),
                            ))
                            .on_conflict(county_settings::county)
                            .do_update()
                            .set((
                                county_settings::settings.eq(&text),
                                county_settings::set_at.eq(*at as i64),
                            ))
                            .execute($c)?;
                    }
                    Change::DecisionRecorded(d) => {
                        diesel::insert_into(decisions::table)
                            .values((
                                decisions::county.eq(county),
                                decisions::idx.eq(d.index as i64),
                                decisions::collective.eq(&d.collective),
                                decisions::assembly.eq(d.assembly.as_str()),
                                decisions::subject.eq(d.subject.as_str()),
                                decisions::question.eq(&d.question),
                                decisions::decided_on.eq(d.date.to_string()),
                                decisions::eligible.eq(d.counts.eligible as i32),
                                decisions::present.eq(d.counts.present as i32),
                                decisions::in_favour.eq(d.counts.in_favour as i32),
                                decisions::against.eq(d.counts.against as i32),
                                decisions::minutes_sha256.eq(&d.minutes_sha256),
                            ))
                            .execute($c)?;
                    }
                    Change::ObjectionSued { index, at } => {
                        diesel::update(
                            encumbrances::table
                                .filter(encumbrances::county.eq(county))
                                .filter(encumbrances::idx.eq(*index as i64)),
                        )
                        .set(encumbrances::sued_at.eq(Some(*at as i64)))
                        .execute($c)?;
                    }
                    Change::EncumbranceReleased { index, at } => {
                        diesel::update(
                            encumbrances::table
                                .filter(encumbrances::county.eq(county))
                                .filter(encumbrances::idx.eq(*index as i64)),
                        )
                        .set(encumbrances::released_at.eq(Some(*at as i64)))
                        .execute($c)?;
                    }
                    Change::KeyRevoked { public, at } => {
                        diesel::update(
                            actor_keys::table
                                .filter(actor_keys::county.eq(county))
                                .filter(actor_keys::public_key.eq(&public[..])),
                        )
                        .set(actor_keys::revoked_at.eq(Some(*at as i64)))
                        .execute($c)?;
                    }
                }
            }
        }
        for p in &$batch.persons {
            diesel::insert_into(persons::table)
                .values((
                    persons::county.eq(county),
                    persons::commitment.eq(&p.commitment),
                    persons::household.eq(&p.household),
                    persons::salt.eq(&p.record.salt),
                    persons::name.eq(&p.record.name),
                    persons::id_number.eq(&p.record.id_number),
                    persons::phone.eq(p.record.phone.as_deref()),
                ))
                .execute($c)?;
        }
        for (id, hashes) in $batch.tiles {
            diesel::insert_into(tree_tiles::table)
                .values((
                    tree_tiles::county.eq(county),
                    tree_tiles::level.eq(id.level as i32),
                    tree_tiles::idx.eq(id.index as i64),
                    tree_tiles::hashes.eq(encode_tile(hashes)),
                ))
                .on_conflict((tree_tiles::county, tree_tiles::level, tree_tiles::idx))
                .do_update()
                .set(tree_tiles::hashes.eq(excluded(tree_tiles::hashes)))
                .execute($c)?;
        }
        diesel::insert_into(checkpoints::table)
            .values((
                checkpoints::county.eq(county),
                checkpoints::size.eq($batch.checkpoint.0 as i64),
                checkpoints::note.eq($batch.checkpoint.1),
            ))
            .execute($c)?;
        Ok::<(), StoreError>(())
    }};
}

/// SQLite: one cached prepared statement, executed per row (cheaper than
/// re-preparing a statement of thousands of rows). PostgreSQL: multi-row
/// statements, to save round trips.
trait InsertRows {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()>;
}

impl InsertRows for diesel::SqliteConnection {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()> {
        for row in rows {
            diesel::insert_into(log_entries::table)
                .values(row)
                .execute(self)?;
        }
        Ok(())
    }
}

impl InsertRows for diesel::PgConnection {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            diesel::insert_into(log_entries::table)
                .values(chunk)
                .execute(self)?;
        }
        Ok(())
    }
}

fn insert_rows<C: InsertRows>(c: &mut C, rows: &[NewEntry]) -> QueryResult<()> {
    c.insert_rows(rows)
}

pub fn write_batch(conn: &mut super::DbConnection, batch: &Batch) -> Result<(), StoreError> {
    crate::db_transaction!(conn, |c| write_batch_impl!(c, batch))
}
