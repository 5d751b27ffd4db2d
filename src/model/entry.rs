//! The entry kinds: one body type per kind. The `kind` string of an envelope
//! selects the body type; unknown fields in a body are refused, so that what
//! was signed is exactly what the rules saw.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::RuleError;
use super::{Role, VerifierKey};

/// `genesis`: the first entry of a county's log. Self-signed by the county
/// agency's root key (县农业农村局), it names the county and pins the log key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    pub county: String,
    pub name: String,
    /// The verifier key that signs this log's checkpoints.
    pub log_vkey: VerifierKey,
    /// The county agency's root verifier key; it must be the signer.
    pub root_vkey: VerifierKey,
    /// The version of the rules the log begins under (the setting `rules`);
    /// left out, 1 — a log begun before the authority rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<u32>,
}

/// `key.register`: binds an actor key to a role and the party it acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRegister {
    pub vkey: VerifierKey,
    pub role: Role,
    pub party: String,
    /// A county key's department (A2): required under the authority rules,
    /// absent for every other role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<super::Department>,
}

/// `key.revoke`: unbinds an actor key, for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRevoke {
    pub vkey: VerifierKey,
}

/// `collective.register`: the county admits a collective economic organisation
/// (发包方) with its code (P1) and boundary. Field names as in NY/T 2539.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectiveRegister {
    #[serde(rename = "FBFBM")]
    pub code: String,
    #[serde(rename = "FBFMC")]
    pub name: String,
    /// GeoJSON Polygon or MultiPolygon, lon/lat (CGCS2000 ≈ WGS 84, C8).
    pub boundary: serde_json::Value,
}

/// `parcel.register`: a collective registers a parcel (地块) with its NY/T 2539
/// attributes (C7) and geometry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelRegister {
    /// 地块编码: 发包方编码 + 5 digits (P1).
    #[serde(rename = "DKBM")]
    pub code: String,
    /// 地块名称.
    #[serde(rename = "DKMC")]
    pub name: String,
    /// 地块类别.
    #[serde(rename = "DKLB")]
    pub class: String,
    /// 土地用途.
    #[serde(rename = "TDYT")]
    pub land_use: String,
    /// 地力等级 01–10.
    #[serde(rename = "DLDJ")]
    pub grade: String,
    /// 是否基本农田: 1 yes, 2 no.
    #[serde(rename = "SFJBNT")]
    pub basic_farmland: String,
    /// 实测面积 as declared by the survey, m² (a decimal string); the registry
    /// computes its own geodesic area and keeps both.
    #[serde(rename = "SCMJ", default, skip_serializing_if = "Option::is_none")]
    pub declared_m2: Option<String>,
    pub geometry: serde_json::Value,
}

/// `parcel.retire`: the collective retires a parcel (a survey correction, a
/// split or merge recorded as new parcels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelRetire {
    #[serde(rename = "DKBM")]
    pub code: String,
    pub reason: String,
}

/// The kinds of encumbrance on a parcel that this registry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EncumbranceKind {
    /// 查封: a seizure ordered through the county; the parcel cannot change.
    Seizure,
    /// 异议: an objection to what the registry says of the parcel.
    Objection,
    /// 融资担保: the household pledges the management right of contracted
    /// land to a lender (M2, 承包法 Art. 47); the collective is notified by
    /// the entry itself. Homesteads cannot be pledged (H4).
    Pledge,
}

impl EncumbranceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EncumbranceKind::Seizure => "seizure",
            EncumbranceKind::Objection => "objection",
            EncumbranceKind::Pledge => "pledge",
        }
    }
}

/// `encumbrance.register`: a seizure (by the county) or an objection (by the
/// county, the parcel's collective or a household of it) on a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncumbranceRegister {
    #[serde(rename = "DKBM")]
    pub parcel: String,
    pub kind: EncumbranceKind,
    pub reason: String,
    /// SHA-256 (hex) of the order or written objection, kept off the log.
    pub document_sha256: String,
    /// For a transferee's pledge of its management right (M2, M6): the log
    /// index of the right, whose county certificate the lender takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<u64>,
    /// A4 (rules 2), a seizure: the court order's case number in its
    /// official form, and the last day of its term (three years at most;
    /// renewed by a new seizure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// E2 (rules 2), a pledge: the lender (质权人) — its unified social credit
    /// code, or a person's commitment — whom an expropriation of the land
    /// compensates; a pledge's only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pledgee: Option<String>,
}

/// `encumbrance.release`: ends an encumbrance, named by the log index that
/// made it; by the county, or by whoever filed an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncumbranceRelease {
    pub encumbrance: u64,
    pub reason: String,
}

/// `objection.suit`: the county records that the party who filed an
/// objection sued within its 15 days (R2), so it does not lapse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionSuit {
    pub encumbrance: u64,
    /// The court's case number (案号).
    pub case_no: String,
    /// SHA-256 (hex) of the court's acceptance notice, kept off the log.
    pub document_sha256: String,
}

/// `decision.record`: a collective records a decision of its assembly (D3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    pub assembly: super::decision::Assembly,
    pub subject: super::decision::Subject,
    pub question: String,
    /// The day of the vote, YYYY-MM-DD.
    pub date: String,
    pub eligible: u32,
    pub present: u32,
    #[serde(rename = "for")]
    pub in_favour: u32,
    pub against: u32,
    /// SHA-256 (hex) of the signed minutes, kept off the log.
    pub minutes_sha256: String,
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
    pub code: String,
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
    pub household: String,
    /// The new members (no head: the household has one).
    pub members: Vec<Member>,
    /// SHA-256 (hex) of the birth or marriage record.
    pub document_sha256: String,
}

/// `contract.grant`: the collective (发包方) grants a household (承包方) the
/// land contract right (土地承包经营权) over parcels, for a term (C1–C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractGrant {
    /// 承包合同编码: 承包方编码 + J for family contracting (P1).
    #[serde(rename = "CBHTBM")]
    pub code: String,
    #[serde(rename = "CBFBM")]
    pub household: String,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
    /// First and last day of the term, YYYY-MM-DD.
    pub start: String,
    pub end: String,
    /// The household members who share the right, by commitment (C3).
    pub certificate_members: Vec<String>,
}

/// `contract.extend`: the collective adds parcels to a household's contract
/// in force, for the rest of its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractExtend {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
}

/// `contract.renew`: the collective renews a contract whose term ends (C2:
/// "extended another 30 years on expiry").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRenew {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    /// The new last day of the term, YYYY-MM-DD.
    pub end: String,
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
    pub household: String,
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
    pub price: String,
}

/// `shares.buyback`: a household sells shares back to its collective (S2),
/// for a price; signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharesBuyback {
    pub shares: u64,
    pub price: String,
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
    pub total: String,
    pub reserve: String,
    pub welfare: String,
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
    pub document_sha256: String,
    /// Yuan, for a voluntary exit: what the collective pays her (G4: more
    /// than zero); no other end has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
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
    pub household: String,
    /// The heirs: households of this county (by code) or persons (by the
    /// commitment to their record, kept off the log).
    pub heirs: Vec<String>,
    /// Yuan, to the heirs, for investments that raised the land's capacity
    /// ("0" if none).
    pub heirs_compensation: String,
    /// SHA-256 (hex) of the death records and the heirs' documents.
    pub document_sha256: String,
}

/// `expropriation.announce`: the county's pre-announcement (征收预公告) that
/// the state will take these parcels of one collective for a public
/// interest (E1); the land and its attachments are surveyed from now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationAnnounce {
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
    /// The public interest the land is taken for (土地管理法 Art. 45).
    pub purpose: String,
    /// SHA-256 (hex) of the announcement and the approval it rests on.
    pub document_sha256: String,
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
    pub amount: String,
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
    pub survey_sha256: String,
    /// SHA-256 (hex) of the plan as posted.
    pub plan_sha256: String,
    /// The first and last day of the notice: at least 30 days.
    pub notice_from: String,
    pub notice_to: String,
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
    pub document_sha256: String,
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
    pub amount: String,
    /// SHA-256 (hex) of the payment's record.
    pub document_sha256: String,
}

/// `expropriation.withdraw`: the county abandons an expropriation before it
/// is completed (E1); the land stays as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationWithdraw {
    pub expropriation: u64,
    pub reason: String,
}

/// `expropriation.complete`: once the notice is over, the hearing held if
/// asked and every party of the plan paid in full, the rights on the land
/// end (E1, E2): the only way a base right ends without its holder's act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpropriationComplete {
    pub expropriation: u64,
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
    pub household: String,
    pub terrain: Terrain,
    /// SHA-256 (hex) of the posted application and the collective's opinion.
    pub posting_sha256: String,
    pub geometry: serde_json::Value,
}

/// `homestead.exit`: the household gives up its homestead, voluntarily and
/// for compensation (H5); signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HomesteadExit {
    /// Yuan, a decimal string above zero.
    pub compensation: String,
}

/// `contract.return`: the household returns its contracted land to the
/// collective, voluntarily (C6); signed by the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractReturn {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    /// The day the land goes back: at least six months after this notice.
    pub effective: String,
    /// Yuan, for investments that raised the land's capacity ("0" if none).
    pub compensation: String,
}

/// `notice.post`: the collective records that it posted the results of a
/// registration (公示) — the contracts listed — for a period in which anyone
/// may object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticePost {
    #[serde(rename = "CBHTBM")]
    pub contracts: Vec<String>,
    /// First and last day of the posting, YYYY-MM-DD.
    pub from: String,
    pub to: String,
    /// SHA-256 (hex) of the posted list (a photograph, a scan).
    pub posting_sha256: String,
}

/// `certificate.issue`: the land contract certificate (承包经营权证) of a
/// contract, once its notice closed with no objection open on its parcels;
/// issued again after a later notice, it names the members who joined (C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateIssue {
    #[serde(rename = "CBHTBM")]
    pub contract: String,
    /// The log index of the notice that listed it.
    pub notice: u64,
    /// A7 (rules 2): persons the last certificate named who left the
    /// household and leave the certificate now, each by her own act — her
    /// personal key's cosignature, or her paper application recorded by the
    /// registry (then the issue waits out the notice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaving: Vec<String>,
}

/// `county.settings`: the county changes settings (see `model::settings`);
/// the fields not named keep their value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountySettings {
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub reason: String,
}

/// One new parcel of a split or merge: the attributes a part has of its own;
/// class, use, grade and basic-farmland status stay those of the land.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelPart {
    #[serde(rename = "DKBM")]
    pub code: String,
    #[serde(rename = "DKMC")]
    pub name: String,
    pub geometry: serde_json::Value,
}

/// `parcel.split`: the collective divides a parcel into parts that cover it
/// exactly; the old parcel retires and the contract over it covers the parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelSplit {
    #[serde(rename = "DKBM")]
    pub code: String,
    pub parts: Vec<ParcelPart>,
    pub reason: String,
}

/// `parcel.merge`: the collective joins adjacent parcels of one contract (or
/// none) and one use into one; the parts retire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelMerge {
    /// The parcel codes merged.
    pub parts: Vec<String>,
    pub into: ParcelPart,
    pub reason: String,
}

/// `household.split` (分户): members leave a household to form a new one,
/// taking the rights the members agreed on (P3); signed by the household
/// that divides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdSplit {
    /// The new household's code, in the same collective (P1).
    #[serde(rename = "CBFBM")]
    pub code: String,
    /// The members who leave, with their relation to the new head.
    pub members: Vec<Member>,
    /// Parcels whose contract right goes with them (a new contract of the same
    /// term; the old one keeps the rest).
    #[serde(rename = "DKBM", default, skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<String>,
    /// Shares that go with them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shares: u64,
    /// SHA-256 (hex) of the document the split rests on: the members'
    /// written agreement (signed by the household); the member's own signed
    /// application (recorded by the collective, W2); a court's or an
    /// arbitrator's decision in force (recorded by the county, W2, R1).
    pub agreement_sha256: String,
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
    pub consent_sha256: String,
}

/// `listing.submit`: a household (or, for `onward`, a transferee) lists a
/// voluntary, compensated transfer on the exchange (X1, M2, M3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingSubmit {
    pub mode: super::exchange::Mode,
    /// The parcels, under the household's contract (none for a house lease).
    #[serde(rename = "DKBM", default, skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<String>,
    /// For `onward`: the derived right (its settlement's log index) passed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<u64>,
    /// First and last day of the term, YYYY-MM-DD. An assignment or swap
    /// runs to its contract's end and shares pass for good, so for those
    /// `end` may be left out.
    pub start: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
    /// 土地用途 the transferee keeps: agricultural (1–4) for land.
    #[serde(rename = "TDYT", default, skip_serializing_if = "Option::is_none")]
    pub land_use: Option<String>,
    /// Yuan for the whole term, decimal strings.
    pub reserve: String,
    pub increment: String,
    pub deposit: String,
    /// How long an auction runs once it opens.
    pub auction_minutes: u32,
    /// For `onward`: SHA-256 (hex) of the household's written consent (M2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_sha256: Option<String>,
    /// For `swap`: the other household's parcels taken in return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swap_for: Vec<String>,
    /// For `shares`: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    /// For `asset_lease`: what is let, and the log index of the members'
    /// decision to let it (X5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<u64>,
}

/// `assignment.consent`: the 发包方 consents to the assignment a listing
/// offers (M2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentConsent {
    pub listing: u64,
    pub document_sha256: String,
}

/// `listing.object`: an objection to a listing under notice (X2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingObject {
    pub listing: u64,
    pub reason: String,
    pub document_sha256: String,
}

/// `listing.withdraw`: the party that listed takes its listing back before
/// an award (M3: no one may force a transfer); deposits go back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingWithdraw {
    pub listing: u64,
    pub reason: String,
}

/// `award.cancel`: the exchange cancels an award the winner did not pay
/// within the payment period (X2); the winner's deposit is forfeited as
/// announced, and the listing goes to the next bidder or is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardCancel {
    pub listing: u64,
    pub reason: String,
}

/// `objection.resolve`: the exchange answers an objection; one upheld
/// withdraws the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionResolve {
    pub listing: u64,
    /// The log index of the objection.
    pub objection: u64,
    pub upheld: bool,
    pub reason: String,
}

/// `transfer.register`: a household registers the change a settled
/// assignment, swap or share transfer makes to its own base right (X2's
/// change of registration; G1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRegister {
    pub listing: u64,
}

/// `transferee.qualify`: the county's review of a transferee: for an
/// organisation its qualification, project and risk (M8); for a natural
/// person the month of birth the age limits are checked against (X6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransfereeQualify {
    pub party: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// For a person: YYYY-MM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<String>,
    /// For an organisation: SHA-256 of the project plan and of the risk
    /// review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_sha256: Option<String>,
    pub approved: bool,
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
    pub reason: String,
}

/// `listing.review`: the exchange admits a listing to notice, or rejects it
/// with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingReview {
    pub listing: u64,
    pub approve: bool,
    pub reason: String,
}

/// `intent.register`: a would-be transferee registers its intent during the
/// notice, with the deposit the listing asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentRegister {
    pub listing: u64,
    pub deposit: String,
}

/// `deposit.confirm`: the exchange confirms a deposit arrived in escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositConfirm {
    pub listing: u64,
    pub party: String,
}

/// `bid.place`: a qualified bidder bids, for the whole term (X4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BidPlace {
    pub listing: u64,
    pub amount: String,
}

/// `bid.match`: a member of the collective matches the best bid of an
/// outsider before the award, and wins on equal terms (M3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BidMatch {
    pub listing: u64,
}

/// `listing.award`: the exchange awards the deal (X4); the contract is then
/// rendered from its template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingAward {
    pub listing: u64,
}

/// `contract.sign`: a party signs the SHA-256 of the rendered contract (M5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractSign {
    pub listing: u64,
    pub contract_sha256: String,
}

/// `title.verify`: the county verifies that the title is current and
/// unencumbered, at this entry's log index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleVerify {
    pub listing: u64,
}

/// `payment.release`: the exchange pays the price held in escrow out to the
/// transferor (M4), once the deal is settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRelease {
    pub listing: u64,
    /// The price paid out, yuan: all of it.
    pub amount: String,
}

/// `payment.confirm`: the exchange confirms the price is in escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentConfirm {
    pub listing: u64,
    pub amount: String,
}

/// `deal.settle`: the exchange settles: the derived right is created, the
/// losing deposits go back, the 交易鉴证书 is recorded (X2, G2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealSettle {
    pub listing: u64,
    pub certificate_no: String,
}

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
        contract: String,
        #[serde(rename = "CBFBM")]
        to: String,
    },
    /// A4: the parcels named — some of a contract's, not all — are held by
    /// another household of the same collective, under a new contract for
    /// the rest of the term; the rest stays as it was.
    ContractParcels {
        #[serde(rename = "CBHTBM")]
        contract: String,
        #[serde(rename = "DKBM")]
        parcels: Vec<String>,
        #[serde(rename = "CBFBM")]
        to: String,
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
    pub case_no: String,
    /// The day the award or judgment came into force.
    pub in_force_on: String,
    /// SHA-256 (hex) of the award or judgment and its proof of being in force.
    pub document_sha256: String,
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
    pub reason: String,
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

/// `right.certify`: the county issues the 土地经营权证 of a registered right
/// (M6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RightCertify {
    /// The log index of the settlement that made the right.
    pub right: u64,
    /// The certificate's number, as printed.
    pub certificate_no: String,
}

/// `right.end`: the household ends a derived right early, only on M7's
/// grounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RightEnd {
    pub right: u64,
    /// use_changed, abandoned, damaged.
    pub ground: String,
    pub document_sha256: String,
}

/// `hukou.settle`: a member settled in a town (进城落户). It records an event
/// about a person and changes nothing (C5, H5, S5, G3); no entry names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HukouSettle {
    pub person: String,
    /// The town's administrative code (GB/T 2260, 6 or 9 digits).
    pub town: String,
    pub date: String,
    pub document_sha256: String,
}

/// `attest.retention`: the county agency's signed statement of the base
/// rights a household holds now (G3); the rules check it is true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestRetention {
    #[serde(rename = "CBFBM")]
    pub household: String,
    pub rights: super::exchange::BaseRights,
}

/// The most items of any list in a body (parcels, members, allocations…);
/// geometry is bounded by its own limits.
pub const MAX_ITEMS: usize = 1_000;
/// The most characters of any string in a body.
pub const MAX_CHARS: usize = 4_000;

/// Whether a character may not appear in any text on the log: controls
/// (but the line feed), bidirectional overrides, embeddings and isolates,
/// and invisible zero-width characters — the ones that make a text read
/// otherwise than it is, or not at all.
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}')
}

/// Checks every list and string of a body before it is read: lists of at
/// most [`MAX_ITEMS`], strings of at most [`MAX_CHARS`], in Unicode NFC
/// (what was signed is read one way only), and with no [`forbidden_char`].
fn check_values(body: &serde_json::Value) -> Result<(), RuleError> {
    find_bad_value(body).map_err(|(path, reason, reason_zh)| RuleError::BadBody {
        field: format!("entry.body{path}"),
        reason: reason.to_owned(),
        reason_zh: reason_zh.to_owned(),
    })
}

/// The first value of a body that breaks the limits above: its path below
/// the body (built only on the way out of an error, so a good body costs no
/// allocation) and why, in English and Chinese.
fn find_bad_value(value: &serde_json::Value) -> Result<(), (String, &'static str, &'static str)> {
    let bad = |reason, reason_zh| Err((String::new(), reason, reason_zh));
    match value {
        serde_json::Value::String(text) => {
            if text.chars().count() > MAX_CHARS {
                return bad("a text of at most 4000 characters", "文字至多 4000 个字符");
            }
            if text.chars().any(forbidden_char) {
                return bad(
                    "a text may not hold control, bidirectional or invisible characters",
                    "文字不得含有控制字符、方向控制字符或不可见字符",
                );
            }
            if !unicode_normalization::is_nfc(text) {
                return bad(
                    "a text must be in Unicode normal form C (NFC)",
                    "文字须为 Unicode 标准化形式 NFC",
                );
            }
        }
        serde_json::Value::Array(items) => {
            if items.len() > MAX_ITEMS {
                return bad("a list of at most 1000 items", "列表至多 1000 项");
            }
            for (i, item) in items.iter().enumerate() {
                find_bad_value(item).map_err(|(path, r, z)| (format!("[{i}]{path}"), r, z))?;
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                // Geometry has limits of its own (positions, rings).
                if matches!(k.as_str(), "geometry" | "boundary") {
                    continue;
                }
                find_bad_value(v).map_err(|(path, r, z)| (format!(".{k}{path}"), r, z))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The largest integer an entry may hold (RFC 7493, I-JSON): 2^53 − 1. JCS
/// writes every number as a double, so a larger integer would be stored as
/// another number than the one signed, and could never be read back (L1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// L1: every number in an entry is an integer within ±(2^53 − 1); only the
/// positions of a geometry (`geometry`, `boundary`) may have fractions, and
/// they too stay within that magnitude. Returns the path below the value and
/// why, built only on the way out of an error.
pub fn check_ijson(
    value: &serde_json::Value,
    in_geometry: bool,
) -> Result<(), (String, super::error::Why)> {
    match value {
        serde_json::Value::Number(n) => {
            let safe = if let Some(i) = n.as_i64() {
                i.unsigned_abs() <= MAX_SAFE_INTEGER
            } else if n.is_u64() {
                false
            } else {
                let f = n.as_f64().unwrap_or(f64::INFINITY);
                in_geometry && f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64
            };
            if !safe {
                return Err((
                    String::new(),
                    (
                        "a number must be an integer between -(2^53-1) and 2^53-1 (I-JSON)",
                        "数字须为 -(2^53-1) 至 2^53-1 之间的整数（I-JSON）",
                    ),
                ));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_ijson(item, in_geometry).map_err(|(p, w)| (format!("[{i}]{p}"), w))?;
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                let geometry = in_geometry || matches!(k.as_str(), "geometry" | "boundary");
                check_ijson(v, geometry).map_err(|(p, w)| (format!(".{k}{p}"), w))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A kind's body, checked (`check_values`) and read; the field at fault named.
pub(super) fn body_of<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, RuleError> {
    check_values(body)?;
    serde_path_to_error::deserialize(body).map_err(|e| {
        let reason = e.inner().to_string();
        let path = e.path().to_string();
        // A missing or unknown field is named in the message, not the path.
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| reason.strip_prefix(p))
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), named) {
            (".", Some(f)) => format!("entry.body.{f}"),
            (".", None) => "entry.body".to_owned(),
            (p, _) => format!("entry.body.{p}"),
        };
        RuleError::BadBody {
            field,
            reason_zh: super::error::serde_reason_zh(&reason),
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Command;
    use serde_json::json;

    const VKEY: &str = "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";

    #[test]
    fn parses_key_register() {
        let c = Command::parse(
            "key.register",
            &json!({"vkey": VKEY, "role": "collective", "party": "14042100100101"}),
        )
        .unwrap();
        assert_eq!(c.kind(), "key.register");
    }

    #[test]
    fn refuses_unknown_kind_and_fields() {
        assert_eq!(
            Command::parse("parcel.burn", &json!({})),
            Err(RuleError::UnknownKind("parcel.burn".into()))
        );
        let field_of = |kind, body| match Command::parse(kind, &body) {
            Err(RuleError::BadBody { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of("key.revoke", json!({"vkey": VKEY, "extra": 1})),
            "entry.body.extra"
        );
        assert_eq!(
            field_of("key.register", json!({"vkey": VKEY, "party": "1"})),
            "entry.body.role"
        );
        assert_eq!(
            field_of(
                "key.register",
                json!({"vkey": VKEY, "role": "mayor", "party": "1"})
            ),
            "entry.body.role"
        );
        // A malformed key is refused at parse time, naming its field.
        let bad = VKEY.replace("d5a38aa7", "d5a38aa8");
        assert_eq!(
            field_of("key.revoke", json!({"vkey": bad})),
            "entry.body.vkey"
        );
    }
}
