//! The `expropriations` table: `State::expropriations` — expropriations, by the log index of their pre-announcement (E1).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

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

saved!(
    expropriations: u64 => Expropriation,
    |county, k, v| ExpropriationRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Expropriation>, StoreError> {
    Ok(all_docs!(conn, county, expropriations, idx))
}

/// Expropriations (E1) of a collective's land, by log index.
pub fn expropriations_of(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
) -> Result<std::collections::BTreeMap<u64, Expropriation>, StoreError> {
    Ok(docs_where!(
        conn,
        county,
        expropriations,
        idx,
        collective == collective
    ))
}

/// One expropriation (E1), by the log index of its pre-announcement.
pub fn expropriation(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<Expropriation>, StoreError> {
    Ok(
        docs_where!(conn, county, expropriations, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}
