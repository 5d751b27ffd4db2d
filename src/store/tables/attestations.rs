//! The `attestations` table: `State::attestations`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = attestations, primary_key(county, idx))]
pub struct AttestationRow<'a> {
    county: &'a str,
    idx: i64,
    household: &'a str,
    doc: String,
}

impl<'a> AttestationRow<'a> {
    pub fn of(county: &'a str, a: &'a Attestation) -> Self {
        AttestationRow {
            county,
            idx: a.index as i64,
            household: &a.household,
            doc: json(a),
        }
    }
}

saved!(
    attestations: u64 => Attestation,
    |county, k, v| AttestationRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Attestation>, StoreError> {
    Ok(all_docs!(conn, county, attestations, idx))
}

/// One attestation of retained rights (G3), by its log index.
pub fn attestation(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<Attestation>, StoreError> {
    Ok(
        docs_where!(conn, county, attestations, idx, idx == index as i64)
            .into_values()
            .next(),
    )
}

/// The log indexes of a household's attestations, oldest first.
pub fn attestations_of(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Vec<u64>, StoreError> {
    Ok(attestations::table
        .filter(attestations::county.eq(county))
        .filter(attestations::household.eq(household))
        .order(attestations::idx.asc())
        .select(attestations::idx)
        .load::<i64>(conn)?
        .into_iter()
        .map(|i| i as u64)
        .collect())
}
