//! The `surrenders` table: `State::surrenders` — returns and exits by households, by log index (G4).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

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

saved!(
    surrenders: u64 => Surrender,
    |county, k, v| SurrenderRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Surrender>, StoreError> {
    Ok(all_docs!(conn, county, surrenders, idx))
}

/// A household's surrenders (returns and exits) with their cooling-off
/// windows, oldest first (G4).
pub fn surrenders_of(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<Surrender>, StoreError> {
    Ok(
        docs_where!(conn, county, surrenders, idx, household == household)
            .into_values()
            .collect(),
    )
}
