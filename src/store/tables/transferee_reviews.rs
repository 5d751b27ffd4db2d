//! The `transferee_reviews` table: `State::reviews` — the county's reviews of transferees, by log index (M8, X6).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

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

saved!(
    transferee_reviews: u64 => exchange::Review,
    |county, k, v| ReviewRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<u64, exchange::Review>, StoreError> {
    Ok(all_docs!(conn, county, transferee_reviews, idx))
}

/// The county's reviews of transferee `party` (M8, X6), by log index.
pub fn reviews_of(
    conn: &mut DbConnection,
    county: &str,
    party: &str,
) -> Result<std::collections::BTreeMap<u64, exchange::Review>, StoreError> {
    Ok(docs_where!(
        conn,
        county,
        transferee_reviews,
        idx,
        party == party
    ))
}
