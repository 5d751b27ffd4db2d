//! The `titles_touched` table: `State::touched` — the last log index at which each title changed.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = titles_touched, primary_key(county, title))]
pub struct TouchedRow<'a> {
    pub county: &'a str,
    pub title: &'a str,
    pub touched_at: i64,
}

saved!(
    titles_touched: String => u64,
    |county, k, v| TouchedRow { county, title: k, touched_at: *v as i64 },
    key title = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, u64>, StoreError> {
    Ok(titles_touched::table
        .filter(titles_touched::county.eq(county))
        .select((titles_touched::title, titles_touched::touched_at))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(t, at)| (t, at as u64))
        .collect())
}
