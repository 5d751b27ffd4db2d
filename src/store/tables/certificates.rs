//! The `certificates` table: `State::certificates` — by contract code.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = certificates, primary_key(county, contract))]
pub struct CertificateRow<'a> {
    pub county: &'a str,
    pub contract: &'a str,
    pub idx: i64,
    pub notice: i64,
}

saved!(
    certificates: String => Certificate,
    |county, k, v| CertificateRow { county, contract: k, idx: v.0 as i64, notice: v.1 as i64 },
    key contract = |k| k
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<String, Certificate>, StoreError> {
    Ok(certificates::table
        .filter(certificates::county.eq(county))
        .select((
            certificates::contract,
            certificates::idx,
            certificates::notice,
        ))
        .load::<(String, i64, i64)>(conn)?
        .into_iter()
        .map(|(c, i, n)| (c, (i as u64, n as u64)))
        .collect())
}

/// The certificate of a contract, if issued: (log index, notice index).
pub fn certificate_of(
    conn: &mut DbConnection,
    county: &str,
    contract: &str,
) -> Result<Option<(u64, u64)>, StoreError> {
    let row: Option<(i64, i64)> = certificates::table
        .filter(certificates::county.eq(county))
        .filter(certificates::contract.eq(contract))
        .select((certificates::idx, certificates::notice))
        .first(conn)
        .optional()?;
    Ok(row.map(|(i, n)| (i as u64, n as u64)))
}

/// The certificates of some contracts: (log index, notice index) by code.
pub fn certificates_of(
    conn: &mut DbConnection,
    county: &str,
    contracts: &[&str],
) -> Result<HashMap<String, (u64, u64)>, StoreError> {
    let mut all = HashMap::new();
    for chunk in contracts.chunks(500) {
        let rows: Vec<(String, i64, i64)> = certificates::table
            .filter(certificates::county.eq(county))
            .filter(certificates::contract.eq_any(chunk))
            .select((
                certificates::contract,
                certificates::idx,
                certificates::notice,
            ))
            .load(conn)?;
        all.extend(rows.into_iter().map(|(c, i, n)| (c, (i as u64, n as u64))));
    }
    Ok(all)
}
