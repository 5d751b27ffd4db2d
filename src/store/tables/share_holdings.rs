//! The `share_holdings` table: `State::holdings` — shares held, by household (or by collective, bought back).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = share_holdings, primary_key(county, holder))]
pub struct HoldingRow<'a> {
    pub county: &'a str,
    pub holder: &'a str,
    pub shares: i64,
}

saved!(
    share_holdings: String => u64,
    |county, k, v| HoldingRow { county, holder: k, shares: *v as i64 },
    key holder = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, u64>, StoreError> {
    Ok(share_holdings::table
        .filter(share_holdings::county.eq(county))
        .select((share_holdings::holder, share_holdings::shares))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(h, n)| (h, n as u64))
        .collect())
}

/// The shares a household (or collective) holds.
pub fn shares_of(conn: &mut DbConnection, county: &str, holder: &str) -> Result<u64, StoreError> {
    let n: Option<i64> = share_holdings::table
        .filter(share_holdings::county.eq(county))
        .filter(share_holdings::holder.eq(holder))
        .select(share_holdings::shares)
        .first(conn)
        .optional()?;
    Ok(n.unwrap_or(0) as u64)
}
