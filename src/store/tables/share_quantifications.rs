//! The `share_quantifications` table: `State::quantified` — collectives whose shares are quantified, and where.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = share_quantifications, primary_key(county, collective))]
pub struct QuantifiedRow<'a> {
    pub county: &'a str,
    pub collective: &'a str,
    pub idx: i64,
}

saved!(
    share_quantifications: String => u64,
    |county, k, v| QuantifiedRow { county, collective: k, idx: *v as i64 },
    key collective = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, u64>, StoreError> {
    Ok(share_quantifications::table
        .filter(share_quantifications::county.eq(county))
        .select((
            share_quantifications::collective,
            share_quantifications::idx,
        ))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(c, i)| (c, i as u64))
        .collect())
}
