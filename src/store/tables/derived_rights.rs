//! The `derived_rights` table: `State::rights` — derived rights, by the log index of their settlement.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = derived_rights, primary_key(county, idx))]
pub struct RightRow<'a> {
    county: &'a str,
    idx: i64,
    household: &'a str,
    holder: &'a str,
    doc: String,
}

impl<'a> RightRow<'a> {
    pub fn of(county: &'a str, r: &'a exchange::DerivedRight) -> Self {
        RightRow {
            county,
            idx: r.index as i64,
            household: &r.household,
            holder: &r.holder,
            doc: json(r),
        }
    }
}

saved!(
    derived_rights: u64 => exchange::DerivedRight,
    |county, k, v| RightRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<u64, exchange::DerivedRight>, StoreError> {
    Ok(all_docs!(conn, county, derived_rights, idx))
}

/// The derived rights on a household's land and house.
pub fn rights_of_household(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<exchange::DerivedRight>, StoreError> {
    Ok(
        docs_where!(conn, county, derived_rights, idx, household == household)
            .into_values()
            .collect(),
    )
}

/// One derived right, by the log index of the settlement that made it.
pub fn derived_right(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<exchange::DerivedRight>, StoreError> {
    Ok(
        docs_where!(conn, county, derived_rights, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}
