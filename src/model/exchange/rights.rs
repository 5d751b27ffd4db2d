//! What a deal leaves: the county's reviews of transferees (M8, X6), the derived rights of settled deals (G2), and a household's base rights (G1).

use super::*;
use crate::model::titles::Title;

/// The county's review of a transferee (M8, X6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub index: u64,
    pub party: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// A person's month of birth (its first day).
    pub born: Option<NaiveDate>,
    pub approved: bool,
}

impl Review {
    /// The days an approved review qualifies its party (X6): for a person,
    /// from the day they turn `min` to the last day they are `max`; for an
    /// organisation, from the review on, with no end (`None`) until the
    /// county reviews again. `None` if the county did not approve.
    pub fn qualifies(&self, min: u32, max: u32) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        if !self.approved {
            return None;
        }
        Some(match self.born {
            Some(born) => (
                born.checked_add_months(chrono::Months::new(12 * min)),
                born.checked_add_months(chrono::Months::new(12 * (max + 1)))
                    .and_then(|d| d.pred_opt()),
            ),
            None => (None, None),
        })
    }

    /// Whether it qualifies its party on `day`.
    pub fn qualifies_on(&self, day: NaiveDate, min: u32, max: u32) -> bool {
        self.qualifies(min, max).is_some_and(|(from, until)| {
            from.is_none_or(|f| f <= day) && until.is_none_or(|u| day <= u)
        })
    }
}

/// A right derived from a household's base right by a settled deal (G2): a
/// management right, a lease, an equity contribution, a house lease. It ends
/// at its term's end, computed when read, or early only on M7's grounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedRight {
    /// The log index of the settlement.
    pub index: u64,
    pub listing: u64,
    pub mode: Mode,
    pub holder: String,
    pub household: String,
    pub parcels: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub price: Fen,
    /// M6: terms of five years or more are registered rights.
    pub registered: bool,
    /// An early end (M7): log index and ground.
    pub ended: Option<(u64, String)>,
    /// The county's 土地经营权证 (M6): log index and certificate number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified: Option<(u64, String)>,
}

impl DerivedRight {
    /// The titles it rests on: its parcels, or for a house lease the
    /// household's homestead.
    pub fn titles(&self) -> Vec<Title> {
        if self.mode == Mode::HouseLease {
            vec![Title::Homestead(self.household.clone())]
        } else {
            self.parcels.iter().cloned().map(Title::Parcel).collect()
        }
    }

    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end && self.ended.is_none()
    }
}

/// A household's base rights (G1): what it holds that only its own signed,
/// consented, compensated acts may reduce.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BaseRights {
    /// Each contract in force with the parcels it covers and their area
    /// (0.01 m²).
    pub contracts: Vec<ContractHolding>,
    /// The homestead in force, by area (0.01 m²).
    pub homestead: Option<i64>,
    pub shares: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContractHolding {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
    pub area_centi_m2: i64,
    pub end: NaiveDate,
}

impl BaseRights {
    pub fn contract_area(&self) -> i64 {
        self.contracts.iter().map(|c| c.area_centi_m2).sum()
    }

    /// Whether `later` holds less than this in any of the three rights, by
    /// more than `tolerance` of area per parcel (parcels split or merged
    /// measure their whole within it).
    pub fn shrunk_to(&self, later: &BaseRights, tolerance: i64) -> bool {
        let parcels = self
            .contracts
            .iter()
            .map(|c| c.parcels.len())
            .sum::<usize>() as i64;
        later.contract_area() + tolerance * parcels.max(1) < self.contract_area()
            || (self.homestead.is_some() && later.homestead.is_none())
            || later.shares < self.shares
    }
}
