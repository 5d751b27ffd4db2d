//! Expropriation (征收, E1): announcement, plan, hearing, payments, completion.

use super::*;

/// `expropriation.announce`: the county's pre-announcement (征收预公告) that
/// the state will take these parcels of one collective for a public
/// interest (E1); the land and its attachments are surveyed from now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationAnnounce {
    #[serde(rename = "DKBM")]
    pub parcels: Vec<ParcelCode>,
    /// The public interest the land is taken for (土地管理法 Art. 45).
    pub purpose: Text,
    /// SHA-256 (hex) of the announcement and the approval it rests on.
    pub document_sha256: Sha256,
}

/// What a compensation is for (E1): land compensation, the resettlement
/// subsidy, crops and attachments, social security costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompensationHead {
    /// 土地补偿费.
    Land,
    /// 安置补助费.
    Resettlement,
    /// 地上附着物和青苗补偿费 (to their owner: a transferee too, E2).
    Attachments,
    /// 社会保障费用.
    SocialSecurity,
}

/// One line of a compensation plan: who receives how much for what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompensationLine {
    /// The collective, a household, or the holder of a derived right.
    pub party: String,
    pub head: CompensationHead,
    /// Yuan.
    pub amount: Yuan,
}

/// `expropriation.plan`: the compensation and resettlement plan (征地补偿
/// 安置方案), posted for at least 30 days (E1), naming every party that
/// loses a right on the land; recorded again, it replaces the plan (what was
/// paid stays paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationPlan {
    /// The log index of the pre-announcement.
    pub expropriation: u64,
    /// SHA-256 (hex) of the survey of the land and its attachments.
    pub survey_sha256: Sha256,
    /// SHA-256 (hex) of the plan as posted.
    pub plan_sha256: Sha256,
    /// The first and last day of the notice: at least 30 days.
    pub notice_from: Day,
    pub notice_to: Day,
    /// Whether a hearing (听证) was asked for: then it must be held.
    pub hearing_requested: bool,
    pub compensation: Vec<CompensationLine>,
}

/// `expropriation.hearing`: the hearing on the plan was held (E1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationHearing {
    pub expropriation: u64,
    /// SHA-256 (hex) of the hearing's record.
    pub document_sha256: Sha256,
}

/// `expropriation.ask_hearing`: a household losing land asks, with its own
/// signed entry, for a hearing on the plan (E3); the hearing must then be
/// held before completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationAskHearing {
    pub expropriation: u64,
}

/// `expropriation.receipt`: a household acknowledges, with its own key,
/// that its compensation reached it — or the exchange that it holds the
/// party's compensation in escrow (E3). Under the authority rules the land
/// is taken only once every household's compensation is received so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationReceipt {
    pub expropriation: u64,
    /// The party whose compensation it is (the household itself when it
    /// signs).
    pub party: String,
}

/// `expropriation.pay`: compensation registered and paid to one party of
/// the plan (E1); at most what the plan still owes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationPay {
    pub expropriation: u64,
    pub party: String,
    /// Yuan.
    pub amount: Yuan,
    /// SHA-256 (hex) of the payment's record.
    pub document_sha256: Sha256,
}

/// `expropriation.withdraw`: the county abandons an expropriation before it
/// is completed (E1); the land stays as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationWithdraw {
    pub expropriation: u64,
    pub reason: Text,
}

/// `expropriation.complete`: once the notice is over, the hearing held if
/// asked and every party of the plan paid in full, the rights on the land
/// end (E1, E2): the only way a base right ends without its holder's act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationComplete {
    pub expropriation: u64,
}
