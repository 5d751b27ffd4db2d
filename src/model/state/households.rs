//! Households and what they hold: contracts, memberships, homesteads, shares' distributions, surrenders, notices, certificates, estates, the settlements in town and the county's attestations.

use super::*;

/// A contracting household (承包方) and its members, named by commitments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub code: String,
    pub collective: String,
    pub members: Vec<crate::model::entry::Member>,
    pub registered_at: u64,
    /// A merge into another household (合户, P3): log index and that household.
    pub merged: Option<(u64, String)>,
}

/// A land contract (承包合同) in force, and the parcels it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub code: String,
    pub household: String,
    pub parcels: Vec<String>,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub certificate_members: Vec<String>,
    pub registered_at: u64,
    /// A voluntary return (C6): log index, effective day, compensation (fen).
    pub returned: Option<(u64, chrono::NaiveDate, crate::model::shares::Fen)>,
}

impl Contract {
    /// Whether the household still holds the land on `day` (C2): until its
    /// own act ends the contract — a return taking effect — and never by the
    /// end of the term alone: an arable contract is extended by law, and a
    /// grass- or forest-land household has the priority to renew, so the
    /// land is granted to no one else meanwhile.
    pub fn holds(&self, day: chrono::NaiveDate) -> bool {
        self.returned
            .is_none_or(|(_, effective, _)| day < effective)
    }

    /// Held past the end of its recorded term, awaiting the collective's
    /// record of the extension (C2: "extended by law").
    pub fn extended_by_law(&self, day: chrono::NaiveDate) -> bool {
        day > self.end && self.holds(day)
    }

    /// The last day of the term by law on `day` (C2): for arable land held
    /// past its recorded end, the end extended by thirty years (as often as
    /// needed), whether or not the collective has recorded it yet — so the
    /// household may transfer its right for the extended term and is never
    /// stuck waiting on the collective's record.
    pub fn end_by_law(&self, day: chrono::NaiveDate, arable: bool) -> chrono::NaiveDate {
        let mut end = self.end;
        while arable && self.holds(day) && day > end {
            match end.checked_add_months(chrono::Months::new(360)) {
                Some(next) => end = next,
                None => break,
            }
        }
        end
    }

    /// Whether the contract's recorded term runs on `day` (and no return
    /// has taken effect).
    pub fn in_force(&self, day: chrono::NaiveDate) -> bool {
        day <= self.end
            && self
                .returned
                .is_none_or(|(_, effective, _)| day < effective)
    }
}

/// A distribution of a collective's income (S3), named by its log index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub index: u64,
    pub collective: String,
    pub total: crate::model::shares::Fen,
    pub reserve: crate::model::shares::Fen,
    pub welfare: crate::model::shares::Fen,
    /// Each holder (household, or the collective for shares it bought back)
    /// and what it receives, in fen; they add up to total − reserve − welfare.
    pub parts: Vec<(String, crate::model::shares::Fen)>,
    /// D1 (rules 2): the decisions it rests on, used for it only.
    pub decisions: Vec<u64>,
}

/// Membership of the collective economic organisation (P4), by person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person: String,
    pub collective: String,
    pub admitted_at: u64,
    pub decision: u64,
    pub ended: Option<(u64, String)>,
}

/// A household's homestead (宅基地), one at most in force (H1).
#[derive(Debug, Clone, PartialEq)]
pub struct Homestead {
    pub household: String,
    pub collective: String,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geometry: Shape,
    pub granted_at: u64,
    /// Log index and compensation (fen) of a voluntary exit.
    pub exited: Option<(u64, crate::model::shares::Fen)>,
}

impl Homestead {
    /// Its key in the spatial index, beside the parcels.
    pub fn land_key(household: &str) -> String {
        crate::model::titles::Title::Homestead(household.to_owned()).key()
    }
}

/// A surrender by a household or a member — a return of a contract (C6), an
/// exit from the homestead (H5), a member's voluntary exit from the
/// collective (P4) or a share buy-back (S2) — which may be withdrawn until
/// `until` (G4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Surrender {
    pub index: u64,
    pub household: String,
    /// `contract.return`, `homestead.exit`, `member.end` or `shares.buyback`.
    pub kind: String,
    /// The contract returned, for a return.
    pub contract: Option<String>,
    /// The member who left, for a voluntary exit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The shares sold back, for a buy-back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    pub day: chrono::NaiveDate,
    /// The last day of the cooling-off window.
    pub until: chrono::NaiveDate,
    pub withdrawn: Option<u64>,
}

/// A posting of registration results (公示), named by its log index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub index: u64,
    pub collective: String,
    pub contracts: Vec<String>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// A certificate issued for a contract: (log index, notice index).
pub type Certificate = (u64, u64);

/// A household whose last member died, and its heirs (I2–I4), named by the
/// household: what it still holds — forest or grass land for the rest of
/// its term, the house with the homestead held through it, the shares and
/// their income — it holds for them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Estate {
    pub index: u64,
    pub household: String,
    pub heirs: Vec<String>,
    /// Fen, to the heirs, for the arable land returned.
    pub compensation: crate::model::shares::Fen,
}

/// A member's settlement in a town (进城落户), recorded and nothing more (G3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HukouEvent {
    pub index: u64,
    pub person: String,
    pub town: String,
    pub date: chrono::NaiveDate,
}

/// The county's attestation of the base rights a household holds (G3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attestation {
    pub index: u64,
    pub household: String,
    pub day: chrono::NaiveDate,
    pub rights: crate::model::exchange::BaseRights,
}
