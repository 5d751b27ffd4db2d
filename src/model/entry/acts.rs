//! Disputes and acts over a party: awards, objections to an act, its effect (A1–A5, R1).

use super::*;

/// Who decided a dispute (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tribunal {
    /// 农村土地承包仲裁委员会.
    Arbitration,
    /// 人民法院.
    Court,
}

/// What an award or judgment decides, as the registry carries it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AwardEffect {
    /// The contract is held by another household of the same collective.
    ContractHolder {
        #[serde(rename = "CBHTBM")]
        contract: ContractCode,
        #[serde(rename = "CBFBM")]
        to: HouseholdCode,
    },
    /// A4: the parcels named — some of a contract's, not all — are held by
    /// another household of the same collective, under a new contract for
    /// the rest of the term; the rest stays as it was.
    ContractParcels {
        #[serde(rename = "CBHTBM")]
        contract: ContractCode,
        #[serde(rename = "DKBM")]
        parcels: Vec<ParcelCode>,
        #[serde(rename = "CBFBM")]
        to: HouseholdCode,
    },
    /// A derived right ends (a transfer annulled or terminated).
    RightEnd { right: u64 },
    /// Decides an act over a household that a party objected to (A3): upheld,
    /// it is carried out now; not upheld, it is quashed and changes nothing.
    Act { act: u64, upheld: bool },
    /// A5: undoes an act over a household that was carried out — the
    /// membership, the contract's holder, the members joined, the keys come
    /// back as they were; the history stays on the log.
    Restore { act: u64 },
}

/// `dispute.award`: the county records an arbitration award or a court
/// judgment in force over a contract or a transfer, with its document's
/// hash (R1): it, not a clerk, decides what changes — the one way around a
/// holder's signature besides E1 and I2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeAward {
    pub tribunal: Tribunal,
    /// The case number (案号).
    pub case_no: Text,
    /// The day the award or judgment came into force.
    pub in_force_on: Day,
    /// SHA-256 (hex) of the award or judgment and its proof of being in force.
    pub document_sha256: Sha256,
    pub effect: AwardEffect,
}

/// `act.object`: a party an act over it names (A1) objects within the act's
/// protective notice (A3), by its own key: the act is held until an award
/// decides it (R1) — and a key recovery the party's current key objects to
/// is cancelled outright (A6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActObject {
    /// The log index of the act.
    pub act: u64,
    pub reason: Text,
}

/// `act.effect`: the writer carries out an act over a party whose notice
/// ran with no objection (A3), signed by the log key, in the first batch
/// after the notice ends; `verify` replays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActEffect {
    /// The log index of the act.
    pub act: u64,
}
