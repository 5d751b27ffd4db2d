//! The `contracts` table: `State::contracts`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contracts, primary_key(county, code), treat_none_as_null = true)]
pub struct ContractRow<'a> {
    county: &'a str,
    code: &'a str,
    household: &'a str,
    parcels: String,
    start_date: String,
    end_date: String,
    certificate_members: String,
    registered_at: i64,
    returned_at: Option<i64>,
    return_effective: Option<String>,
    return_compensation_fen: Option<i64>,
}

impl<'a> ContractRow<'a> {
    pub fn of(county: &'a str, k: &'a Contract) -> Self {
        ContractRow {
            county,
            code: &k.code,
            household: &k.household,
            parcels: json(&k.parcels),
            start_date: k.start.to_string(),
            end_date: k.end.to_string(),
            certificate_members: json(&k.certificate_members),
            registered_at: k.registered_at as i64,
            returned_at: k.returned.map(|(at, _, _)| at as i64),
            return_effective: k.returned.map(|(_, day, _)| day.to_string()),
            return_compensation_fen: k.returned.map(|(_, _, fen)| fen.0),
        }
    }
}

saved!(
    contracts: String => Contract,
    |county, k, v| ContractRow::of(county, v),
    key code = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Contract>, StoreError> {
    Ok(load_contracts(conn, county, ContractsOf::All)?.into())
}

pub type ContractColumns = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// Which contracts to load.
#[derive(Debug, Clone, Copy)]
pub enum ContractsOf<'a> {
    All,
    Code(&'a str),
    /// The contracts of a collective's households.
    Collective(&'a str),
    /// The contract covering a parcel.
    Parcel(&'a str),
    /// The contracts a household holds.
    Household(&'a str),
}

/// Contracts, by code.
pub fn load_contracts(
    conn: &mut DbConnection,
    county: &str,
    which: ContractsOf,
) -> Result<HashMap<String, Contract>, StoreError> {
    let mut query = contracts::table
        .filter(contracts::county.eq(county))
        .into_boxed();
    match which {
        ContractsOf::All => {}
        ContractsOf::Code(code) => {
            query = query.filter(contracts::code.eq(code.to_owned()));
        }
        ContractsOf::Household(code) => {
            query = query.filter(contracts::household.eq(code.to_owned()));
        }
        ContractsOf::Collective(code) => {
            query = query.filter(contracts::household.like(format!("{code}%")));
        }
        ContractsOf::Parcel(code) => {
            let covering: Option<String> = contract_parcels::table
                .filter(contract_parcels::county.eq(county))
                .filter(contract_parcels::parcel.eq(code))
                .select(contract_parcels::contract)
                .first(conn)
                .optional()?;
            let Some(contract) = covering else {
                return Ok(HashMap::new());
            };
            query = query.filter(contracts::code.eq(contract));
        }
    }
    let rows: Vec<ContractColumns> = query
        .select((
            contracts::code,
            contracts::household,
            contracts::parcels,
            contracts::start_date,
            contracts::end_date,
            contracts::certificate_members,
            contracts::registered_at,
            contracts::returned_at,
            contracts::return_effective,
            contracts::return_compensation_fen,
        ))
        .load(conn)?;
    let corrupt = |code: &str, what: &str| StoreError::Corrupt(format!("contracts {code}: {what}"));
    let mut all = HashMap::new();
    for (code, household, parcels, start, end, members, at, returned_at, effective, compensation) in
        rows
    {
        let parcels: Vec<String> =
            serde_json::from_str(&parcels).map_err(|_| corrupt(&code, "parcels"))?;
        let k = Contract {
            household,
            parcels,
            start: start.parse().map_err(|_| corrupt(&code, "start"))?,
            end: end.parse().map_err(|_| corrupt(&code, "end"))?,
            certificate_members: serde_json::from_str(&members)
                .map_err(|_| corrupt(&code, "members"))?,
            registered_at: at as u64,
            returned: match (returned_at, effective) {
                (Some(r), Some(e)) => Some((
                    r as u64,
                    e.parse().map_err(|_| corrupt(&code, "return_effective"))?,
                    Fen(compensation.unwrap_or(0)),
                )),
                _ => None,
            },
            code: code.clone(),
        };
        all.insert(code, k);
    }
    Ok(all)
}
