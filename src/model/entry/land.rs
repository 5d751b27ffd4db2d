//! Land: collectives, parcels and their reshaping, encumbrances, the notices and the certificates.

use super::*;

/// `collective.register`: the county admits a collective economic organisation
/// (发包方) with its code (P1) and boundary. Field names as in NY/T 2539.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectiveRegister {
    #[serde(rename = "FBFBM")]
    pub code: CollectiveCode,
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
    pub code: ParcelCode,
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
    pub code: ParcelCode,
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
    pub parcel: ParcelCode,
    pub kind: EncumbranceKind,
    pub reason: Text,
    /// SHA-256 (hex) of the order or written objection, kept off the log.
    pub document_sha256: Sha256,
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
    pub until: Option<Day>,
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
    pub reason: Text,
}

/// `objection.suit`: the county records that the party who filed an
/// objection sued within its 15 days (R2), so it does not lapse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionSuit {
    pub encumbrance: u64,
    /// The court's case number (案号).
    pub case_no: Text,
    /// SHA-256 (hex) of the court's acceptance notice, kept off the log.
    pub document_sha256: Sha256,
}

/// One new parcel of a split or merge: the attributes a part has of its own;
/// class, use, grade and basic-farmland status stay those of the land.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelPart {
    #[serde(rename = "DKBM")]
    pub code: ParcelCode,
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
    pub code: ParcelCode,
    pub parts: Vec<ParcelPart>,
    pub reason: Text,
}

/// `parcel.merge`: the collective joins adjacent parcels of one contract (or
/// none) and one use into one; the parts retire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelMerge {
    /// The parcel codes merged.
    pub parts: Vec<String>,
    pub into: ParcelPart,
    pub reason: Text,
}

/// `notice.post`: the collective records that it posted the results of a
/// registration (公示) — the contracts listed — for a period in which anyone
/// may object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticePost {
    #[serde(rename = "CBHTBM")]
    pub contracts: Vec<ContractCode>,
    /// First and last day of the posting, YYYY-MM-DD.
    pub from: Day,
    pub to: Day,
    /// SHA-256 (hex) of the posted list (a photograph, a scan).
    pub posting_sha256: Sha256,
}

/// `certificate.issue`: the land contract certificate (承包经营权证) of a
/// contract, once its notice closed with no objection open on its parcels;
/// issued again after a later notice, it names the members who joined (C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateIssue {
    #[serde(rename = "CBHTBM")]
    pub contract: ContractCode,
    /// The log index of the notice that listed it.
    pub notice: u64,
    /// A7 (rules 2): persons the last certificate named who left the
    /// household and leave the certificate now, each by her own act — her
    /// personal key's cosignature, or her paper application recorded by the
    /// registry (then the issue waits out the notice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaving: Vec<String>,
}
