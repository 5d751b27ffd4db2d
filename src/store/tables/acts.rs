//! The `acts` table: `State::acts` — acts over a party, by the log index that made them (A1, A3).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

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

saved!(
    acts: u64 => Act,
    |county, k, v| ActRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Act>, StoreError> {
    Ok(all_docs!(conn, county, acts, idx))
}

/// The acts over `party` (A1), open or closed, oldest first. (Acts are few:
/// every one of the county is read.)
pub fn acts_over(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<Vec<Act>, StoreError> {
    Ok(all_acts(conn, county)?
        .into_values()
        .filter(|a| a.parties.iter().any(|p| p == party))
        .collect())
}

/// Every act over a party, and every key on notice (A1–A3), by index.
pub fn all_acts(
    conn: &mut DbConnection,
    county: &str,
) -> Result<std::collections::BTreeMap<u64, Act>, StoreError> {
    Ok(all_docs!(conn, county, acts, idx))
}
