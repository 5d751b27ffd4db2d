//! The `contract_parcels` table: `State::contract_of` — the contract that covers each parcel.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contract_parcels, primary_key(county, parcel))]
pub struct ContractParcelRow<'a> {
    pub county: &'a str,
    pub parcel: &'a str,
    pub contract: &'a str,
}

saved!(
    contract_parcels: String => String,
    |county, k, v| ContractParcelRow { county, parcel: k, contract: v },
    key parcel = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, String>, StoreError> {
    Ok(contract_parcels(conn, county)?.into())
}

/// The projection of which contract covers each parcel.
pub fn contract_parcels(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, String>, StoreError> {
    Ok(contract_parcels::table
        .filter(contract_parcels::county.eq(county))
        .select((contract_parcels::parcel, contract_parcels::contract))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
