//! The `hukou_settlements` table: `State::hukou`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = hukou_settlements, primary_key(county, idx))]
pub struct HukouRow<'a> {
    county: &'a str,
    idx: i64,
    person: &'a str,
    doc: String,
}

impl<'a> HukouRow<'a> {
    pub fn of(county: &'a str, h: &'a HukouEvent) -> Self {
        HukouRow {
            county,
            idx: h.index as i64,
            person: &h.person,
            doc: json(h),
        }
    }
}

saved!(
    hukou_settlements (county, idx): u64 => HukouEvent,
    |county, k, v| HukouRow::of(county, v),
    |k| hukou_settlements::idx.eq(*k as i64)
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, HukouEvent>, StoreError> {
    Ok(all_docs!(conn, county, hukou_settlements, idx))
}
