//! The `estates` table: `State::estates` — estates of households whose last member died, by household (I2–I4).
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = estates, primary_key(county, household))]
pub struct EstateRow<'a> {
    county: &'a str,
    household: &'a str,
    idx: i64,
    doc: String,
}

impl<'a> EstateRow<'a> {
    pub fn of(county: &'a str, e: &'a Estate) -> Self {
        EstateRow {
            county,
            household: &e.household,
            idx: e.index as i64,
            doc: json(e),
        }
    }
}

saved!(
    estates: String => Estate,
    |county, k, v| EstateRow::of(county, v),
    key household = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Estate>, StoreError> {
    estates::table
        .filter(estates::county.eq(county))
        .select((estates::household, estates::doc))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(h, doc)| {
            serde_json::from_str(&doc)
                .map(|e| (h.clone(), e))
                .map_err(|e| StoreError::Corrupt(format!("estates {h}: {e}")))
        })
        .collect()
}

/// The estate of a household whose last member died (I2–I4).
pub fn estate(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Option<Estate>, StoreError> {
    let doc: Option<String> = estates::table
        .filter(estates::county.eq(county))
        .filter(estates::household.eq(household))
        .select(estates::doc)
        .first(conn)
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d)
            .map_err(|e| StoreError::Corrupt(format!("estates {household}: {e}")))
    })
    .transpose()
}
