//! Households and their rights: decisions, members, contracts, shares and dividends, homesteads, returns and exits, estates, the settlement in a town, the county's attestation.

use super::*;

/// `decision.record`: a collective records a decision of its assembly (D3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    pub assembly: crate::model::decision::Assembly,
    pub subject: crate::model::decision::Subject,
    pub question: Text,
    /// The day of the vote, YYYY-MM-DD.
    pub date: Day,
    pub eligible: u32,
    pub present: u32,
    #[serde(rename = "for")]
    pub in_favour: u32,
    pub against: u32,
    /// SHA-256 (hex) of the signed minutes, kept off the log.
    pub minutes_sha256: Sha256,
}

/// A member of a household, named by the commitment to their personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Hex SHA-256 of the person's record (see `model::person`).
    pub person: String,
    /// Relation to the head, GB/T 4761: 02 the head (户主), 10 spouse, 20–29
    /// sons, 30–39 daughters, 40–49 grandchildren, 50–59 parents, 60–69
    /// grandparents, 70–79 siblings, 80–99 others.
    pub relation: String,
}

/// `household.register`: a collective registers a contracting household
/// (承包方, 户) with its members (P3); their personal data travels beside the
/// entry, never in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRegister {
    #[serde(rename = "CBFBM")]
    pub code: HouseholdCode,
    pub members: Vec<Member>,
}

/// `household.join`: members born into a household or married into it join
/// it (C3: they are added on its next certificate); their personal data
/// travels beside the entry, never in it. A person who belongs to another
/// household of the county moves only by a split or merge, her own act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdJoin {
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    /// The new members (no head: the household has one).
    pub members: Vec<Member>,
    /// SHA-256 (hex) of the birth or marriage record.
    pub document_sha256: Sha256,
}

/// `contract.grant`: the collective (发包方) grants a household (承包方) the
/// land contract right (土地承包经营权) over parcels, for a term (C1–C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractGrant {
    /// 承包合同编码: 承包方编码 + J for family contracting (P1).
    #[serde(rename = "CBHTBM")]
    pub code: ContractCode,
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<ParcelCode>,
    /// First and last day of the term, YYYY-MM-DD.
    pub start: Day,
    pub end: Day,
    /// The household members who share the right, by commitment (C3).
    pub certificate_members: Vec<String>,
}

/// `contract.extend`: the collective adds parcels to a household's contract
/// in force, for the rest of its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractExtend {
    #[serde(rename = "CBHTBM")]
    pub code: ContractCode,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<ParcelCode>,
}

/// `contract.renew`: the collective renews a contract whose term ends (C2:
/// "extended another 30 years on expiry").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRenew {
    #[serde(rename = "CBHTBM")]
    pub code: ContractCode,
    /// The new last day of the term, YYYY-MM-DD.
    pub end: Day,
}

/// `contract.renew_all`: the collective records, for every contract a
/// closed notice listed, the extension that is the households' by law (C2:
/// 二轮延包, thirty more years of arable land), in one entry; the new
/// certificates follow with `certificate.issue` on the same notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRenewAll {
    /// The log index of the notice that listed the contracts.
    pub notice: u64,
}

/// One household's shares in a quantification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareAllocation {
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    pub shares: u64,
}

/// `shares.quantify`: the collective quantifies its operating assets into
/// shares per household (S1), after a members' decision that passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharesQuantify {
    /// The log index of the decision (subject `share_quantification`).
    pub decision: u64,
    pub allocations: Vec<ShareAllocation>,
}

/// `shares.transfer`: a household transfers or gives shares to a household
/// of the same collective (S2); signed by the household that gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharesTransfer {
    pub to: String,
    pub shares: u64,
    /// Yuan, a decimal string; "0" for a gift.
    pub price: Yuan,
}

/// `shares.buyback`: a household sells shares back to its collective (S2),
/// for a price; signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharesBuyback {
    pub shares: u64,
    pub price: Yuan,
}

/// `dividend.distribute`: the collective distributes income (S3): reserve
/// and welfare funds first, the rest by shares, exact to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DividendDistribute {
    /// The log index of the decision (subject `operating_assets`).
    pub decision: u64,
    /// S4: the members' assembly's decision, by three quarters of all
    /// members, that holders who are no longer members (heirs, a household
    /// whose members all left) are paid too; without it their parts stay
    /// with the collective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_members_decision: Option<u64>,
    pub total: Yuan,
    pub reserve: Yuan,
    pub welfare: Yuan,
}

/// `member.admit`: the collective admits persons as members of the
/// collective economic organisation (P4), as its members' assembly decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberAdmit {
    /// The log index of the decision (subject `membership`).
    pub decision: u64,
    /// The persons, by commitment; each belongs to a household of the collective.
    pub persons: Vec<String>,
}

/// `member.end`: a membership ends, for one of the reasons P4 lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberEnd {
    pub person: String,
    /// death, nationality_lost, member_elsewhere, civil_servant, voluntary_exit.
    pub reason: String,
    /// SHA-256 (hex) of the supporting document (for voluntary exit, the
    /// member's written application).
    pub document_sha256: Sha256,
    /// Yuan, for a voluntary exit: what the collective pays her (G4: more
    /// than zero); no other end has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<Yuan>,
    /// P5, for `member_elsewhere`: her admission by a collective of another
    /// county, as that county's log holds it. Without it the civil
    /// registration's hand is the record (A2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elsewhere: Option<AdmissionElsewhere>,
}

/// P5: a `member.admit` entry of another county's log (另一县集体经济组织的成员
/// 确认), with what proves it is there: the entry's record, its inclusion
/// proof and that log's signed checkpoint. It is hers when her personal key
/// here (A7) cosigned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmissionElsewhere {
    /// The other county's 6-digit code; its log key is one this county
    /// pinned (`other_logs` in its settings).
    pub county: crate::model::codes::CountyCode,
    /// That log's checkpoint, the signed note its `/checkpoint` served.
    pub checkpoint: String,
    /// The admission's record in that log, exactly as its `/entries/{index}`
    /// serves it (the bytes hashed into its tree).
    pub record: String,
    /// The RFC 9162 inclusion proof of the record in the checkpoint's tree
    /// (base64 hashes, as `/proofs/inclusion` serves them).
    pub proof: Vec<String>,
}

/// `estate.settle`: the collective records that the last member of a
/// household has died, and who the heirs are (I2–I4): its arable land
/// returns to the 发包方 with the heirs' compensation for investments
/// recorded; a forest or grass contract, the house (and with it the
/// homestead, held through the house) and the shares stay on the household's
/// record, held for the heirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EstateSettle {
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    /// The heirs: households of this county (by code) or persons (by the
    /// commitment to their record, kept off the log).
    pub heirs: Vec<String>,
    /// Yuan, to the heirs, for investments that raised the land's capacity
    /// ("0" if none).
    pub heirs_compensation: Yuan,
    /// SHA-256 (hex) of the death records and the heirs' documents.
    pub document_sha256: Sha256,
}

/// Terrain, for the provincial homestead area limit (H1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Terrain {
    Plain,
    Hill,
    Mountain,
}

/// `homestead.grant`: the homestead use right (宅基地使用权) of a household,
/// approved (H2) after the collective discussed and posted the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomesteadGrant {
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    pub terrain: Terrain,
    /// SHA-256 (hex) of the posted application and the collective's opinion.
    pub posting_sha256: Sha256,
    pub geometry: serde_json::Value,
}

/// `homestead.exit`: the household gives up its homestead, voluntarily and
/// for compensation (H5); signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomesteadExit {
    /// Yuan, a decimal string above zero.
    pub compensation: Yuan,
}

/// `contract.return`: the household returns its contracted land to the
/// collective, voluntarily (C6); signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractReturn {
    #[serde(rename = "CBHTBM")]
    pub code: ContractCode,
    /// The day the land goes back: at least six months after this notice.
    pub effective: Day,
    /// Yuan, for investments that raised the land's capacity ("0" if none).
    pub compensation: Yuan,
}

/// `household.split` (分户): members leave a household to form a new one,
/// taking the rights the members agreed on (P3); signed by the household
/// that divides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdSplit {
    /// The new household's code, in the same collective (P1).
    #[serde(rename = "CBFBM")]
    pub code: HouseholdCode,
    /// The members who leave, with their relation to the new head.
    pub members: Vec<Member>,
    /// Parcels whose contract right goes with them (a new contract of the same
    /// term; the old one keeps the rest).
    #[serde(rename = "DKBM", default, skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<ParcelCode>,
    /// Shares that go with them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shares: u64,
    /// SHA-256 (hex) of the document the split rests on: the members'
    /// written agreement (signed by the household); the member's own signed
    /// application (recorded by the collective, W2); a court's or an
    /// arbitrator's decision in force (recorded by the county, W2, R1).
    pub agreement_sha256: Sha256,
    /// The household that divides, when the collective or the county records
    /// the split (W2: without the head of household's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// `household.merge` (合户): a household joins another with all its members
/// and rights (P3); signed by the household that joins, with the written
/// consent of the one it joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdMerge {
    pub into: String,
    /// Relation of each joining member to the head of `into`.
    pub members: Vec<Member>,
    /// SHA-256 (hex) of the receiving household's written consent.
    pub consent_sha256: Sha256,
}

/// `surrender.withdraw`: within the cooling-off window, a household takes
/// back its return of a contract, its exit from its homestead, a member's
/// voluntary exit from the collective or its sale of shares back (G4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurrenderWithdraw {
    /// The log index of the `contract.return`, `homestead.exit`,
    /// voluntary `member.end` or `shares.buyback`.
    pub surrender: u64,
    pub reason: Text,
}

/// `hukou.settle`: a member settled in a town (进城落户). It records an event
/// about a person and changes nothing (C5, H5, S5, G3); no entry names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HukouSettle {
    pub person: String,
    /// The town's administrative code (GB/T 2260, 6 or 9 digits).
    pub town: String,
    pub date: Day,
    pub document_sha256: Sha256,
}

/// `attest.retention`: the county agency's signed statement of the base
/// rights a household holds now (G3); the rules check it is true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestRetention {
    #[serde(rename = "CBFBM")]
    pub household: HouseholdCode,
    pub rights: crate::model::exchange::BaseRights,
}
