//! One file per table of the projection (Vaultwarden's shape): each holds
//! its row type, how the projection writes it (`saved!`), its whole-table
//! load and its point reads. The files, `save_all` and `load_state` are made
//! from the state's one list of collections (`model::state::with_collections`),
//! so a new collection is its line there, its file here and its migrations.

/// What every table file uses.
mod prelude {
    pub use std::collections::HashMap;

    pub use diesel::prelude::*;

    pub use super::{docs, json};
    pub use crate::model::decision::{Assembly, Counts, Decision, Subject};
    pub use crate::model::entry::EncumbranceKind;
    pub use crate::model::person::PersonRecord;
    pub use crate::model::state::{
        Act, Attestation, Certificate, Collective, CompactString, Contract, County, Distribution,
        Encumbrance, Estate, Expropriation, Homestead, Household, HukouEvent, KeyBinding,
        Membership, Notice, Parcel, Rows, Shape, Surrender,
    };
    pub use crate::model::Fen;
    pub use crate::model::{exchange, settings::Settings, Area, Role};
    pub use crate::spatial;
    pub use crate::store::schema::*;
    pub use crate::store::{DbConnection, StoreError};
}

use crate::model::state::{Changed, Single, State};
use prelude::*;

/// A value as the JSON a table keeps it in.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("state values serialise")
}

/// The documents (kept as JSON) of `table` whose `column` equals `value`,
/// by `key`, in key order.
macro_rules! docs_where {
    ($conn:ident, $county:ident, $table:ident, $key:ident, $column:ident == $value:expr) => {
        docs::<_, std::collections::BTreeMap<u64, _>>(
            $table::table
                .filter($table::county.eq($county))
                .filter($table::$column.eq($value))
                .select(($table::$key, $table::doc))
                .load($conn)?,
            stringify!($table),
        )?
    };
}

/// Every document (kept as JSON) of a county in `table`, by its `key`
/// column.
macro_rules! all_docs {
    ($conn:ident, $county:ident, $table:ident, $key:ident) => {
        docs(
            $table::table
                .filter($table::county.eq($county))
                .select(($table::$key, $table::doc))
                .load($conn)?,
            stringify!($table),
        )?
    };
}

/// Documents kept as JSON (listings, derived rights, …), by log index.
pub fn docs<T: serde::de::DeserializeOwned, C: FromIterator<(u64, T)>>(
    rows: Vec<(i64, String)>,
    table: &str,
) -> Result<C, StoreError> {
    rows.into_iter()
        .map(|(i, doc)| {
            serde_json::from_str(&doc)
                .map(|d| (i as u64, d))
                .map_err(|e| StoreError::Corrupt(format!("{table} {i}: {e}")))
        })
        .collect()
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
pub(crate) use upsert;

/// Rows per multi-row statement on PostgreSQL: a table's row has at most 32
/// columns, so 2,000 rows stay under the protocol's 65,535 bound parameters.
pub const PG_ROWS: usize = 2000;

/// How a collection is written. Its rows are keyed by (county, `key`
/// column); `$row` makes a key's row from the county, the key and its value,
/// and `key col = |k| value` binds a key to the column. `save_sqlite` and
/// `save_postgres` write each changed key's row as the state has it, or
/// delete it where the state has none:
/// - SQLite, per row, through cached prepared statements (`REPLACE`,
///   `DELETE`), which is what SQLite does fastest in one transaction;
/// - PostgreSQL, two round trips per table per batch whatever its size:
///   one `DELETE … WHERE key = ANY($keys)` of every changed key, then one
///   multi-row `INSERT` of the rows the state has (the transaction makes
///   the pair an upsert; no row is written twice).
macro_rules! saved {
    ($table:ident: $key:ty => $value:ty,
     |$county:ident, $k:ident, $v:ident| $row:expr, key $column:ident = |$dk:ident| $bound:expr) => {
        /// Writes the rows of `keys` as `rows` has them, or deletes them.
        pub fn save_sqlite(
            c: &mut diesel::SqliteConnection,
            $county: &str,
            rows: &Rows<$key, $value>,
            keys: &[$key],
        ) -> diesel::QueryResult<()> {
            for $k in keys {
                match rows.get($k) {
                    Some($v) => {
                        diesel::replace_into($table::table)
                            .values(&$row)
                            .execute(c)?;
                    }
                    None => {
                        let $dk = $k;
                        diesel::delete(
                            $table::table
                                .filter($table::county.eq($county))
                                .filter($table::$column.eq($bound)),
                        )
                        .execute(c)?;
                    }
                }
            }
            Ok(())
        }

        /// Writes the rows of `keys` as `rows` has them, or deletes them.
        pub fn save_postgres(
            c: &mut diesel::PgConnection,
            $county: &str,
            rows: &Rows<$key, $value>,
            keys: &[$key],
        ) -> diesel::QueryResult<()> {
            for chunk in keys.chunks($crate::store::tables::PG_ROWS) {
                let bound: Vec<_> = chunk.iter().map(|$dk| $bound).collect();
                diesel::delete(
                    $table::table
                        .filter($table::county.eq($county))
                        .filter($table::$column.eq_any(&bound)),
                )
                .execute(c)?;
                let present: Vec<_> = chunk
                    .iter()
                    .filter_map(|$k| rows.get($k).map(|$v| $row))
                    .collect();
                if !present.is_empty() {
                    diesel::insert_into($table::table)
                        .values(&present)
                        .execute(c)?;
                }
            }
            Ok(())
        }
    };
}

pub mod contract_schedules;
pub mod counties;
pub mod county_settings;
pub mod drafts;
pub mod key_offers;

/// The table files of the collections, each collection's writes in one
/// batch, and the state loaded back from every table.
macro_rules! tables {
    ($( $(#[$doc:meta])* $name:ident: $key:ty => $value:ty, in $table:ident; )*) => {
        $( pub mod $table; )*

        /// Every table's reads (and rows), by name, for the callers. (Each
        /// table's `load` and `save_*` share their names, and are reached
        /// through its module only.)
        #[allow(ambiguous_glob_reexports)]
        pub mod reads {
            pub use super::contract_schedules::*;
            pub use super::counties::*;
            pub use super::county_settings::*;
            pub use super::drafts::*;
            pub use super::key_offers::*;
            pub use super::load_state;
            $( pub use super::$table::*; )*
        }

        /// Writes every row `State::apply` marked changed, as the state now
        /// has it (SQLite).
        pub fn save_all_sqlite(
            c: &mut diesel::SqliteConnection,
            county: &str,
            state: &State,
            changed: &Changed,
        ) -> diesel::QueryResult<()> {
            $( $table::save_sqlite(c, county, &state.$name, &changed.$name)?; )*
            Ok(())
        }

        /// Writes every row `State::apply` marked changed, as the state now
        /// has it (PostgreSQL).
        pub fn save_all_postgres(
            c: &mut diesel::PgConnection,
            county: &str,
            state: &State,
            changed: &Changed,
        ) -> diesel::QueryResult<()> {
            $(
                if !changed.$name.is_empty() {
                    let started = std::time::Instant::now();
                    $table::save_postgres(c, county, &state.$name, &changed.$name)?;
                    tracing::trace!(table = stringify!($table), rows = changed.$name.len(), took = ?started.elapsed(), "projection written");
                }
            )*
            Ok(())
        }

        /// The rules' state, as the projection tables hold it.
        pub fn load_state(conn: &mut DbConnection, county: &str) -> Result<State, StoreError> {
            let mut state = State {
                county: Single::new(counties::county_of(conn, county)?),
                settings: Single::new(county_settings::settings_of(conn, county)?),
                $( $name: $table::load(conn, county)?, )*
                on_title: Default::default(),
                keys_of: Default::default(),
                contracts_numbered: Default::default(),
            };
            state.reindex();
            Ok(state)
        }
    };
}

crate::model::state::with_collections!(tables);
