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
    hukou_settlements: u64 => HukouEvent,
    |county, k, v| HukouRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, HukouEvent>, StoreError> {
    Ok(all_docs!(conn, county, hukou_settlements, idx))
}

/// The settlements in a town (进城落户) of `persons`, in log order.
pub fn settlements_of(
    conn: &mut DbConnection,
    county: &str,
    persons: &[&str],
) -> Result<Vec<HukouEvent>, StoreError> {
    let rows: Vec<(i64, String)> = hukou_settlements::table
        .filter(hukou_settlements::county.eq(county))
        .filter(hukou_settlements::person.eq_any(persons))
        .order(hukou_settlements::idx)
        .select((hukou_settlements::idx, hukou_settlements::doc))
        .load(conn)?;
    Ok(
        docs::<_, Vec<(u64, HukouEvent)>>(rows, "hukou_settlements")?
            .into_iter()
            .map(|(_, h)| h)
            .collect(),
    )
}
