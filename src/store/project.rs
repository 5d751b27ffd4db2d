//! Appends a committed batch: log rows, projection changes, tiles and the
//! checkpoint, in the caller's transaction.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::queries::encode_tile;
use super::rows;
use super::schema::{
    actor_keys, acts, attestations, certificates, checkpoints, collectives, contract_parcels,
    contracts, counties, county_settings, decisions, derived_rights, distributions, encumbrances,
    estates, expropriations, homesteads, households, hukou_settlements, listings, log_entries,
    memberships, notices, parcels, persons, share_holdings, share_quantifications, surrenders,
    titles_touched, transferee_reviews, tree_tiles,
};
use super::StoreError;
use crate::ledger::merkle::Hash;
use crate::ledger::{Admitted, Envelope, TileId};
use crate::model::person::PersonRecord;
use crate::model::state::Changed;
use crate::model::State;

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
    /// The state after the batch, and the rows it changed.
    pub state: &'a State,
    pub changed: &'a Changed,
}

/// Writes a row, replacing the one with its key: SQLite's `REPLACE` binds
/// the row once (a parcel's geometry is most of it); PostgreSQL updates on
/// conflict.
macro_rules! upsert {
    (sqlite, $c:ident, $table:ident, ($($pk:ident),+), $row:expr) => {
        diesel::replace_into($table::table).values($row).execute($c)?
    };
    (postgres, $c:ident, $table:ident, ($($pk:ident),+), $row:expr) => {{
        let row = $row;
        diesel::insert_into($table::table)
            .values(row)
            .on_conflict(($($table::$pk),+))
            .do_update()
            .set(row)
            .execute($c)?
    }};
}

/// Writes each changed row of one collection from the state, or deletes it
/// where the state no longer has it. `$row` makes the table's row of a
/// `(key, value)`; `$key` filters the table on a key.
macro_rules! save {
    ($b:ident, $c:ident, $county:ident, $rows:expr, $keys:expr, $table:ident, ($($pk:ident),+),
     |$k:ident, $v:ident| $row:expr, |$dk:ident| $key:expr) => {
        for $k in $keys {
            match $rows.get($k) {
                Some($v) => {
                    upsert!($b, $c, $table, ($($pk),+), &$row);
                }
                None => {
                    let $dk = $k;
                    diesel::delete($table::table.filter($table::county.eq($county)).filter($key))
                        .execute($c)?;
                }
            }
        }
    };
}

/// Writes a batch through the backend's own connection type.
macro_rules! write_batch_impl {
    ($b:ident, $c:ident, $batch:ident) => {{
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
        // The projection: every row `State::apply` changed, as the state now
        // has it. Each collection is named (no `..`), so one added to the
        // state does not compile until it is written here.
        let state = $batch.state;
        let Changed {
            county: county_changed,
            settings: settings_changed,
            keys,
            collectives,
            parcels,
            encumbrances,
            decisions,
            households,
            member_of,
            contracts,
            contract_of,
            holdings,
            quantified,
            distributions,
            memberships,
            homesteads,
            notices,
            certificates,
            listings,
            rights,
            hukou,
            reviews,
            surrenders,
            attestations,
            touched,
            expropriations,
            estates,
            acts,
        } = $batch.changed;
        if *county_changed {
            if let Some(c) = &*state.county {
                upsert!($b, $c, counties, (county), &rows::CountyRow::of(c));
            }
        }
        if *settings_changed {
            upsert!(
                $b,
                $c,
                county_settings,
                (county),
                &rows::SettingsRow::of(county, &state.settings)
            );
        }
        save!(
            $b,
            $c,
            county,
            state.keys,
            keys,
            actor_keys,
            (county, public_key),
            |k, v| rows::KeyRow::of(county, v),
            |k| actor_keys::public_key.eq(&k[..])
        );
        save!(
            $b,
            $c,
            county,
            state.collectives,
            collectives,
            collectives,
            (county, code),
            |k, v| rows::CollectiveRow::of(county, v),
            |k| collectives::code.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.parcels,
            parcels,
            parcels,
            (county, code),
            |k, v| rows::ParcelRow::of(county, v),
            |k| parcels::code.eq(k.as_str())
        );
        save!(
            $b,
            $c,
            county,
            state.encumbrances,
            encumbrances,
            encumbrances,
            (county, idx),
            |k, v| rows::EncumbranceRow::of(county, v),
            |k| encumbrances::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.decisions,
            decisions,
            decisions,
            (county, idx),
            |k, v| rows::DecisionRow::of(county, v),
            |k| decisions::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.households,
            households,
            households,
            (county, code),
            |k, v| rows::HouseholdRow::of(county, v),
            |k| households::code.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.contracts,
            contracts,
            contracts,
            (county, code),
            |k, v| rows::ContractRow::of(county, v),
            |k| contracts::code.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.contract_of,
            contract_of,
            contract_parcels,
            (county, parcel),
            |k, v| rows::ContractParcelRow {
                county,
                parcel: k,
                contract: v
            },
            |k| contract_parcels::parcel.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.holdings,
            holdings,
            share_holdings,
            (county, holder),
            |k, v| rows::HoldingRow {
                county,
                holder: k,
                shares: *v as i64
            },
            |k| share_holdings::holder.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.quantified,
            quantified,
            share_quantifications,
            (county, collective),
            |k, v| rows::QuantifiedRow {
                county,
                collective: k,
                idx: *v as i64
            },
            |k| share_quantifications::collective.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.distributions,
            distributions,
            distributions,
            (county, idx),
            |k, v| rows::DistributionRow::of(county, v),
            |k| distributions::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.memberships,
            memberships,
            memberships,
            (county, person),
            |k, v| rows::MembershipRow::of(county, v),
            |k| memberships::person.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.homesteads,
            homesteads,
            homesteads,
            (county, household),
            |k, v| rows::HomesteadRow::of(county, v),
            |k| homesteads::household.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.notices,
            notices,
            notices,
            (county, idx),
            |k, v| rows::NoticeRow::of(county, v),
            |k| notices::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.certificates,
            certificates,
            certificates,
            (county, contract),
            |k, v| rows::CertificateRow {
                county,
                contract: k,
                idx: v.0 as i64,
                notice: v.1 as i64
            },
            |k| certificates::contract.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.listings,
            listings,
            listings,
            (county, id),
            |k, v| rows::ListingRow::of(county, v),
            |k| listings::id.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.rights,
            rights,
            derived_rights,
            (county, idx),
            |k, v| rows::RightRow::of(county, v),
            |k| derived_rights::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.hukou,
            hukou,
            hukou_settlements,
            (county, idx),
            |k, v| rows::HukouRow::of(county, v),
            |k| hukou_settlements::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.reviews,
            reviews,
            transferee_reviews,
            (county, idx),
            |k, v| rows::ReviewRow::of(county, v),
            |k| transferee_reviews::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.surrenders,
            surrenders,
            surrenders,
            (county, idx),
            |k, v| rows::SurrenderRow::of(county, v),
            |k| surrenders::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.attestations,
            attestations,
            attestations,
            (county, idx),
            |k, v| rows::AttestationRow::of(county, v),
            |k| attestations::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.touched,
            touched,
            titles_touched,
            (county, title),
            |k, v| rows::TouchedRow {
                county,
                title: k,
                touched_at: *v as i64
            },
            |k| titles_touched::title.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.expropriations,
            expropriations,
            expropriations,
            (county, idx),
            |k, v| rows::ExpropriationRow::of(county, v),
            |k| expropriations::idx.eq(*k as i64)
        );
        save!(
            $b,
            $c,
            county,
            state.estates,
            estates,
            estates,
            (county, household),
            |k, v| rows::EstateRow::of(county, v),
            |k| estates::household.eq(k)
        );
        save!(
            $b,
            $c,
            county,
            state.acts,
            acts,
            acts,
            (county, idx),
            |k, v| rows::ActRow::of(county, v),
            |k| acts::idx.eq(*k as i64)
        );
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
        // A person's household follows `member_of` (a split or merge moves
        // her); her private record is never deleted.
        for person in member_of {
            if let Some(household) = state.member_of.get(person) {
                diesel::update(
                    persons::table
                        .filter(persons::county.eq(county))
                        .filter(persons::commitment.eq(person)),
                )
                .set(persons::household.eq(household))
                .execute($c)?;
            }
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

/// A collection of the state left out of the projection is an unused
/// variable here, and so an error.
#[deny(unused_variables)]
pub fn write_batch(conn: &mut super::DbConnection, batch: &Batch) -> Result<(), StoreError> {
    match conn {
        super::DbConnection::Sqlite(conn) => {
            conn.immediate_transaction(|c| write_batch_impl!(sqlite, c, batch))
        }
        super::DbConnection::Postgres(conn) => {
            conn.transaction(|c| write_batch_impl!(postgres, c, batch))
        }
    }
}
