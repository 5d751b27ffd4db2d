//! Appends a committed batch: log rows, projection changes, tiles and the
//! checkpoint, in the caller's transaction.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::queries::encode_tile;
use super::schema::{checkpoints, counties, county_settings, log_entries, persons, tree_tiles};
use super::tables::counties::CountyRow;
use super::tables::county_settings::SettingsRow;
use super::tables::{self, upsert};
use super::StoreError;
use crate::ledger::merkle::Hash;
use crate::ledger::{Admitted, Envelope, TileId};
use crate::model::person::PersonRecord;
use crate::model::state::Changed;
use crate::model::State;

/// On PostgreSQL, batches of fewer entries plan each statement for its
/// values ([`write_batch`]).
const CUSTOM_PLANS_BELOW: usize = 1024;

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
        $c.insert_rows(&rows)?;
        // The persons an entry names, before the projection moves any of
        // them (a split in the same batch).
        let persons: Vec<_> = $batch
            .persons
            .iter()
            .map(|p| {
                (
                    persons::county.eq(county),
                    persons::commitment.eq(&p.commitment),
                    persons::household.eq(&p.household),
                    persons::salt.eq(&p.record.salt),
                    persons::name.eq(&p.record.name),
                    persons::id_number.eq(&p.record.id_number),
                    persons::phone.eq(p.record.phone.as_deref()),
                )
            })
            .collect();
        $c.insert_persons(&persons)?;
        // The projection: every row `State::apply` changed, as the state
        // now has it — the county's, its settings', and each collection's
        // (`tables`, made from the state's list of collections).
        let state = $batch.state;
        let changed = $batch.changed;
        if changed.county {
            if let Some(c) = &*state.county {
                upsert!($b, $c, counties, (county), &CountyRow::of(c));
            }
        }
        if changed.settings {
            upsert!(
                $b,
                $c,
                county_settings,
                (county),
                &SettingsRow::of(county, &state.settings)
            );
        }
        save_all!($b, $c, county, state, changed);
        let tiles: Vec<_> = $batch
            .tiles
            .iter()
            .map(|(id, hashes)| {
                (
                    tree_tiles::county.eq(county),
                    tree_tiles::level.eq(id.level as i32),
                    tree_tiles::idx.eq(id.index as i64),
                    tree_tiles::hashes.eq(encode_tile(hashes)),
                )
            })
            .collect();
        $c.upsert_tiles(&tiles)?;
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

/// A person's row, as `persons` takes it.
type PersonValues<'a> = (
    diesel::dsl::Eq<persons::county, &'a str>,
    diesel::dsl::Eq<persons::commitment, &'a String>,
    diesel::dsl::Eq<persons::household, &'a String>,
    diesel::dsl::Eq<persons::salt, &'a String>,
    diesel::dsl::Eq<persons::name, &'a String>,
    diesel::dsl::Eq<persons::id_number, &'a String>,
    diesel::dsl::Eq<persons::phone, Option<&'a str>>,
);

/// A tile's row, as `tree_tiles` takes it.
type TileValues<'a> = (
    diesel::dsl::Eq<tree_tiles::county, &'a str>,
    diesel::dsl::Eq<tree_tiles::level, i32>,
    diesel::dsl::Eq<tree_tiles::idx, i64>,
    diesel::dsl::Eq<tree_tiles::hashes, Vec<u8>>,
);

/// The batch's own rows (log entries, persons, tiles). SQLite: one cached
/// prepared statement, executed per row (cheaper than re-preparing a
/// statement of thousands of rows). PostgreSQL: multi-row statements, one
/// round trip per table per batch (in chunks under the protocol's bound
/// parameters).
trait BatchRows {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()>;
    fn insert_persons(&mut self, rows: &[PersonValues]) -> QueryResult<()>;
    fn upsert_tiles(&mut self, rows: &[TileValues]) -> QueryResult<()>;
}

impl BatchRows for diesel::SqliteConnection {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()> {
        for row in rows {
            diesel::insert_into(log_entries::table)
                .values(row)
                .execute(self)?;
        }
        Ok(())
    }

    fn insert_persons(&mut self, rows: &[PersonValues]) -> QueryResult<()> {
        for row in rows {
            diesel::insert_into(persons::table)
                .values(*row)
                .execute(self)?;
        }
        Ok(())
    }

    fn upsert_tiles(&mut self, rows: &[TileValues]) -> QueryResult<()> {
        for row in rows {
            diesel::replace_into(tree_tiles::table)
                .values(row.clone())
                .execute(self)?;
        }
        Ok(())
    }
}

impl BatchRows for diesel::PgConnection {
    fn insert_rows(&mut self, rows: &[NewEntry]) -> QueryResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            diesel::insert_into(log_entries::table)
                .values(chunk)
                .execute(self)?;
        }
        Ok(())
    }

    fn insert_persons(&mut self, rows: &[PersonValues]) -> QueryResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            diesel::insert_into(persons::table)
                .values(chunk.to_vec())
                .execute(self)?;
        }
        Ok(())
    }

    fn upsert_tiles(&mut self, rows: &[TileValues]) -> QueryResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            diesel::insert_into(tree_tiles::table)
                .values(chunk.to_vec())
                .on_conflict((tree_tiles::county, tree_tiles::level, tree_tiles::idx))
                .do_update()
                .set(tree_tiles::hashes.eq(excluded(tree_tiles::hashes)))
                .execute(self)?;
        }
        Ok(())
    }
}

/// Each collection's writes, on the backend's own connection.
macro_rules! save_all {
    (sqlite, $c:ident, $county:ident, $state:ident, $changed:ident) => {
        tables::save_all_sqlite($c, $county, $state, $changed)?
    };
    (postgres, $c:ident, $county:ident, $state:ident, $changed:ident) => {
        tables::save_all_postgres($c, $county, $state, $changed)?
    };
}

pub fn write_batch(conn: &mut super::DbConnection, batch: &Batch) -> Result<(), StoreError> {
    match conn {
        super::DbConnection::Sqlite(conn) => {
            conn.immediate_transaction(|c| write_batch_impl!(sqlite, c, batch))
        }
        super::DbConnection::Postgres(conn) => conn.transaction(|c| {
            // A small batch's statements are planned for their values (cheap
            // over a few keys, and never a plan kept from when the county's
            // tables were small); a large one's keep their generic plans,
            // whose cost is shared by thousands of rows.
            if batch.entries.len() < CUSTOM_PLANS_BELOW {
                diesel::connection::SimpleConnection::batch_execute(
                    c,
                    "SET LOCAL plan_cache_mode = force_custom_plan",
                )?;
            }
            write_batch_impl!(postgres, c, batch)
        }),
    }
}
