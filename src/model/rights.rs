//! G1's base rights of a household, computed from what the log holds: the
//! record (`exchange::BaseRights`) is what an attestation names.

use chrono::NaiveDate;

use super::exchange::{BaseRights, ContractHolding};

/// The base rights a household holds on `day`.
pub fn base_rights(state: &super::State, household: &str, day: NaiveDate) -> BaseRights {
    base_rights_of(
        household,
        day,
        state.contracts.values(),
        |p| state.parcels.get(p).map_or(0, |p| p.area.0),
        state
            .homesteads
            .get(household)
            .filter(|h| h.exited.is_none())
            .map(|h| h.area.0),
        state.holdings.get(household).copied().unwrap_or(0),
    )
}

/// G1's base rights of `household` on `day` from their pieces — contracts
/// (any; those it holds that day count), each parcel's area, the area of the
/// homestead it holds and its shares: the one definition the rules (over the
/// state) and the registry (over the projection) share.
pub fn base_rights_of<'a>(
    household: &str,
    day: NaiveDate,
    contracts: impl IntoIterator<Item = &'a super::state::Contract>,
    area_of: impl Fn(&str) -> i64,
    homestead: Option<i64>,
    shares: u64,
) -> BaseRights {
    let mut contracts: Vec<ContractHolding> = contracts
        .into_iter()
        .filter(|k| k.household == household && k.holds(day))
        .map(|k| ContractHolding {
            code: k.code.clone(),
            parcels: k.parcels.clone(),
            area_centi_m2: k.parcels.iter().map(|p| area_of(p)).sum(),
            end: k.end,
        })
        .collect();
    contracts.sort_by(|a, b| a.code.cmp(&b.code));
    BaseRights {
        contracts,
        homestead,
        shares,
    }
}
