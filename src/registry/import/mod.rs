//! The survey import (确权成果导入): a GeoJSON FeatureCollection of
//! collectives (FBFBM) and parcels (DKBM, NY/T 2539 property names) read into
//! the entries that register them, and then into the contracts of the
//! households the parcels name (CBFBM). The one service the command line
//! (`sanquan import`, which signs with key files, a file of any size in
//! chunks) and the clerk's page (which signs in the browser, through
//! `POST /api/v1/survey/plan`) both call: what a feature becomes, what is
//! skipped as registered, what is refused before anything is signed, and the
//! report, are said here once. Each entry is signed by its caller and goes
//! through the one pipeline, so a refused feature is never half written, and
//! a run again after an interruption registers only what is missing.

mod tables;

pub use tables::{four_sides, ContractPlan, HouseholdPlan, SurveyedParcel};

use std::collections::{BTreeMap, HashSet};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::package::Source;
use super::{Registry, ServiceError};
use crate::ledger::Envelope;
use crate::model::land::declared_area_differs;
use crate::model::person::PersonRecord;
use crate::model::{Area, Refusal};
use crate::store::{queries, Pending, SubmitError};

/// What an import did, row by row: each refusal and warning names the file
/// and row it comes from, the field, the code, and says why in English and
/// in Chinese.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// Codes registered by this run (collectives, parcels, households).
    pub accepted: Vec<String>,
    /// Already registered before this run.
    pub skipped: Vec<String>,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<Warning>,
    /// Contracts granted or extended (from CBHT and CBDKXX, or over the
    /// parcels' CBFBM households).
    pub contracts: Vec<String>,
    /// Contracts whose certificate (CBJYQZ) waits for the notice this run
    /// posted (C3): the import run again after it closes issues them.
    pub noticed: Vec<String>,
    /// Contracts whose certificate this run issued.
    pub certificates: Vec<String>,
    pub totals: Totals,
    /// The parcels each household holds by the file (CBFBM), once they are
    /// registered: the contracts are made from them at the end.
    #[serde(skip)]
    holdings: BTreeMap<String, Vec<Holding>>,
    /// Rows read so far: each item's place in the reading order.
    #[serde(skip)]
    read: usize,
}

/// How many rows each outcome had.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Totals {
    pub read: usize,
    pub accepted: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub warnings: usize,
    pub contracts: usize,
    pub noticed: usize,
    pub certificates: usize,
}

/// A row the import could not register, and why.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Rejected {
    /// Its place in the reading order.
    pub index: usize,
    /// The file and row (from 1) it was read from.
    pub file: String,
    pub row: usize,
    /// The code of what it registers (FBFBM, DKBM, CBFBM, CBHTBM, CBJYQZBM).
    pub code: String,
    /// The refusal's code (`bad_feature`, `no_key`, or the log's).
    pub error: String,
    /// The field at fault, where one is.
    pub field: Option<String>,
    pub reason: String,
    pub reason_zh: String,
}

/// Something registered that is not quite as the file says, or something
/// the file holds that was not done.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Warning {
    pub index: usize,
    pub file: String,
    pub row: usize,
    pub code: String,
    pub warning: &'static str,
    pub reason: String,
    pub reason_zh: String,
}

/// A parcel the file says a household holds, with the contract term it gives
/// (CBQXQ, CBQXZ: 承包期限起/止).
#[derive(Debug, Clone)]
struct Holding {
    index: usize,
    source: Source,
    parcel: String,
    term: Option<(String, String)>,
}

/// One entry for the caller to sign: the row it comes from, its kind and
/// body, and the party whose key signs it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ToSign {
    /// Its place in the reading order.
    pub index: usize,
    /// The file and row it comes from.
    #[serde(flatten)]
    pub source: Source,
    /// The code it registers (FBFBM, DKBM, CBFBM) or the contract (CBHTBM).
    pub code: String,
    pub kind: &'static str,
    pub body: Value,
    /// The party whose key signs it: the county for a collective, the
    /// collective for its parcels, households and contracts.
    pub party: Option<String>,
    /// The area the file declares (SCMJ), to compare with the measured one.
    #[serde(skip)]
    pub declared: Option<Area>,
    /// CBFBM: the household said to hold the parcel, and the term.
    #[serde(skip)]
    holder: Option<(String, Option<(String, String)>)>,
    /// The personal records of the persons a household names, to send with
    /// its entry (kept off the log; a package's plan gives them back to the
    /// browser that uploaded them), and the rows of CBF_JTCY they come from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub personal: Vec<PersonRecord>,
    #[serde(skip)]
    personal_rows: Vec<Source>,
    /// A contract the import infers from the parcels' CBFBM: not made is a
    /// warning, not a refused row.
    #[serde(skip)]
    inferred: bool,
}

/// The steps of a package's import, in order: each needs the one before
/// on the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackageStep {
    /// Collectives (FBF with ZJQY/CJQY) and parcels (DK).
    Land,
    /// CBF with CBF_JTCY.
    Households,
    /// CBHT with CBDKXX.
    Contracts,
    /// CBJYQZ: the notice, then the certificates.
    Certificates,
}

/// What is left to do for a file: the entries to sign now, and what is
/// already registered or cannot be read. A contract is planned once its
/// parcels are registered, so a caller signs what a plan gives, and asks
/// for the plan again until it holds nothing to sign.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SurveyPlan {
    pub entries: Vec<ToSign>,
    pub skipped: Vec<String>,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// How many rows have been read so far.
    pub fn rows_read(&self) -> usize {
        self.read
    }

    /// The next place in the reading order.
    fn next_index(&mut self) -> usize {
        self.read += 1;
        self.read - 1
    }

    fn held(&mut self, it: &ToSign) {
        if let Some((household, term)) = &it.holder {
            self.holdings
                .entry(household.clone())
                .or_default()
                .push(Holding {
                    index: it.index,
                    source: it.source.clone(),
                    parcel: it.code.clone(),
                    term: term.clone(),
                });
        }
    }

    /// Something about a row that stops no registration.
    pub fn warn(&mut self, it: &ToSign, warning: &'static str, reason: String, reason_zh: String) {
        self.warnings.push(Warning {
            index: it.index,
            file: it.source.file.clone(),
            row: it.source.row,
            code: it.code.clone(),
            warning,
            reason,
            reason_zh,
        });
    }

    /// A row refused by the package's own checks, before anything is
    /// signed.
    fn refuse_row(&mut self, source: &Source, code: &str, refusal: &dyn Refusal) {
        let index = self.next_index();
        self.rejected
            .push(rejected_by(index, source, code, refusal));
    }

    /// An entry refused before or by the log, by its refusal.
    pub fn refuse(&mut self, it: &ToSign, refusal: &dyn Refusal) {
        let rejected = rejected_by(it.index, &it.source, &it.code, refusal);
        self.rejected.push(rejected);
    }

    /// Records the log's answers to `entries`, each with the area its
    /// geometry measured: accepted (with a warning where the declared area
    /// differs by more than 1 %), or refused and why.
    pub fn record(&mut self, entries: Vec<(ToSign, Option<Area>)>, pending: Pending) {
        for ((it, area), answer) in entries.into_iter().zip(pending.wait()) {
            match answer {
                Ok(_) if it.kind.starts_with("contract.") => self.contracts.push(it.code),
                Ok(_) if it.kind == "notice.post" => {
                    let listed = it.body["CBHTBM"].as_array().into_iter().flatten();
                    let codes: Vec<String> = listed
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect();
                    self.noticed.extend(codes);
                }
                Ok(_) if it.kind == "certificate.issue" => self.certificates.push(it.code),
                Ok(_) => {
                    if let (Some(declared), Some(computed)) = (it.declared, area) {
                        if declared_area_differs(declared, computed) {
                            let (d, c) = (declared.m2(), computed.m2());
                            self.warn(
                                &it,
                                "declared_area_differs",
                                format!("SCMJ {d} differs from the computed {c} by more than 1 %"),
                                format!("实测面积（SCMJ）{d} 与计算的椭球面积 {c} 相差超过 1%"),
                            );
                        }
                    }
                    self.held(&it);
                    self.accepted.push(it.code);
                }
                Err(e) => {
                    let unavailable;
                    let refusal: &dyn Refusal = match &e {
                        SubmitError::Refused(r) => r,
                        SubmitError::Geometry(g) => g,
                        SubmitError::Personal(p) => p,
                        other => {
                            unavailable = RowRefusal::unavailable(other.to_string());
                            &unavailable
                        }
                    };
                    if it.inferred {
                        self.warn(
                            &it,
                            "contract_refused",
                            format!("{}: {refusal}", refusal.code()),
                            refusal.message_zh(),
                        );
                        continue;
                    }
                    let mut rejected = rejected_by(it.index, &it.source, &it.code, refusal);
                    // A member's record refused: the row of CBF_JTCY it came from.
                    if let SubmitError::Personal(
                        crate::model::person::PersonalError::BadRecord { at, .. }
                        | crate::model::person::PersonalError::PersonExists { at },
                    ) = &e
                    {
                        if let Some(source) = it.personal_rows.get(*at) {
                            rejected.file = source.file.clone();
                            rejected.row = source.row;
                            rejected.field = Some("CYZJHM".into());
                        }
                    }
                    self.rejected.push(rejected);
                }
            }
        }
    }

    /// In reading order, with the totals.
    pub fn finish(&mut self) {
        self.rejected.sort_by_key(|r| r.index);
        self.warnings.sort_by_key(|w| w.index);
        self.totals = Totals {
            read: self.read,
            accepted: self.accepted.len(),
            skipped: self.skipped.len(),
            rejected: self.rejected.len(),
            warnings: self.warnings.len(),
            contracts: self.contracts.len(),
            noticed: self.noticed.len(),
            certificates: self.certificates.len(),
        };
    }
}

/// A refusal of a row outside the log's rules: the package's own checks
/// before anything is signed, a key not given, the writer not answering.
#[derive(Debug, Clone)]
pub struct RowRefusal {
    pub code: &'static str,
    pub class: crate::model::refusal::Class,
    pub field: Option<&'static str>,
    pub reason: String,
    pub reason_zh: String,
}

impl RowRefusal {
    /// No key was given for the party an entry's signer must be.
    pub fn no_key(party: &str) -> RowRefusal {
        RowRefusal {
            code: "no_key",
            class: crate::model::refusal::Class::Forbidden,
            field: None,
            reason: format!("no key was given for {party}"),
            reason_zh: format!("未提供 {party} 的密钥"),
        }
    }

    /// The writer did not answer for the row.
    fn unavailable(why: String) -> RowRefusal {
        RowRefusal {
            code: "unavailable",
            class: crate::model::refusal::Class::Busy,
            field: None,
            reason_zh: format!("未能写入：{why}"),
            reason: why,
        }
    }
}

impl std::fmt::Display for RowRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl Refusal for RowRefusal {
    fn code(&self) -> &'static str {
        self.code
    }
    fn class(&self) -> crate::model::refusal::Class {
        self.class
    }
    fn message_zh(&self) -> String {
        self.reason_zh.clone()
    }
    fn field(&self) -> Option<String> {
        self.field.map(str::to_owned)
    }
}

/// A row the package's own checks refuse, by its field.
fn row_refusal(
    code: &'static str,
    field: &'static str,
    reason: impl Into<String>,
    reason_zh: impl Into<String>,
) -> RowRefusal {
    RowRefusal {
        code,
        class: crate::model::refusal::Class::Malformed,
        field: Some(field),
        reason: reason.into(),
        reason_zh: reason_zh.into(),
    }
}

fn rejected_by(index: usize, source: &Source, code: &str, refusal: &dyn Refusal) -> Rejected {
    Rejected {
        index,
        file: source.file.clone(),
        row: source.row,
        code: code.to_owned(),
        error: refusal.code().to_owned(),
        field: refusal.field(),
        reason: refusal.to_string(),
        reason_zh: refusal.message_zh(),
    }
}

/// Reads one feature: a collective (FBFBM) or a parcel (DKBM).
fn feature(index: usize, source: Source, feature: Value) -> Result<ToSign, Box<Rejected>> {
    let refuse = |code: &str, field, reason: &str, reason_zh: &str| {
        Box::new(rejected_by(
            index,
            &source,
            code,
            &row_refusal("bad_feature", field, reason, reason_zh),
        ))
    };
    let Value::Object(mut f) = feature else {
        return Err(refuse(
            "",
            "feature",
            "a feature is a JSON object",
            "要素须为 JSON 对象",
        ));
    };
    let geometry = f.remove("geometry").unwrap_or(Value::Null);
    let Some(Value::Object(mut props)) = f.remove("properties") else {
        return Err(refuse(
            "",
            "properties",
            "a feature needs its properties",
            "要素须有属性（properties）",
        ));
    };
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(code) = text(props.remove("FBFBM")) {
        let name = text(props.remove("FBFMC")).unwrap_or_default();
        return Ok(ToSign {
            index,
            source,
            party: Some(crate::model::codes::county_of(&code).to_owned()),
            body: json!({"FBFBM": code, "FBFMC": name, "boundary": geometry}),
            code,
            kind: "collective.register",
            declared: None,
            holder: None,
            personal: Vec::new(),
            personal_rows: Vec::new(),
            inferred: false,
        });
    }
    let Some(code) = text(props.remove("DKBM")) else {
        return Err(refuse(
            "",
            "DKBM",
            "neither FBFBM (collective) nor DKBM (parcel) is given",
            "既无发包方编码（FBFBM）也无地块编码（DKBM）",
        ));
    };
    let mut body = Map::new();
    for field in ["DKMC", "DKLB", "TDYT", "DLDJ", "SFJBNT"] {
        body.insert(
            field.into(),
            text(props.remove(field))
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
    }
    // A survey's area in square metres to the hundredth; a table written by
    // GIS software may carry a float's further places, rounded here.
    let declared = text(props.remove("SCMJ")).map(|d| match d.parse::<rust_decimal::Decimal>() {
        Ok(v) if v.scale() > 2 => v
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_string(),
        _ => d,
    });
    let declared_area = match declared.as_deref().map(Area::parse_m2) {
        Some(Err((r, r_zh))) => {
            return Err(Box::new(rejected_by(
                index,
                &source,
                &code,
                &row_refusal(
                    "bad_attribute",
                    "SCMJ",
                    format!("SCMJ: {r}"),
                    format!("实测面积（SCMJ）：{r_zh}"),
                ),
            )))
        }
        Some(Ok(a)) => Some(a),
        None => None,
    };
    if let Some(d) = declared {
        body.insert("SCMJ".into(), Value::String(d));
    }
    body.insert("DKBM".into(), Value::String(code.clone()));
    body.insert("geometry".into(), geometry);
    Ok(ToSign {
        index,
        source,
        party: (code.len() >= 14).then(|| crate::model::codes::collective_of(&code).to_owned()),
        code,
        kind: "parcel.register",
        body: Value::Object(body),
        declared: declared_area,
        holder: text(props.remove("CBFBM")).map(|h| {
            let term = text(props.remove("CBQXQ")).zip(text(props.remove("CBQXZ")));
            (h, term)
        }),
        personal: Vec::new(),
        personal_rows: Vec::new(),
        inferred: false,
    })
}

impl Registry {
    /// The codes of the collectives and parcels already registered.
    pub fn registered_codes(&self) -> Result<HashSet<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::registered_codes(&mut conn, &self.db.county)?)
    }

    /// Reads `features` (each with the file and row it comes from) into the
    /// entries that register them; a feature already registered (in
    /// `known`) is skipped — its holding still counts for the contracts —
    /// and one that does not read is rejected.
    pub fn survey_entries(
        &self,
        features: impl IntoIterator<Item = (Source, Value)>,
        known: &HashSet<String>,
        report: &mut Report,
    ) -> Vec<ToSign> {
        let mut entries = Vec::new();
        for (source, f) in features {
            let index = report.next_index();
            match feature(index, source, f) {
                Err(r) => report.rejected.push(*r),
                Ok(it) if known.contains(&it.code) => {
                    report.held(&it);
                    report.skipped.push(it.code);
                }
                Ok(it) => entries.push(it),
            }
        }
        entries
    }

    /// The contracts the households the file names need (CBFBM), over the
    /// parcels registered so far: a household without a contract gets one
    /// over its parcels for the term the file gives (CBQXQ–CBQXZ), its
    /// members on the certificate; a household with one has the parcels it
    /// does not cover yet added. What cannot be done is a warning: the
    /// parcels themselves are registered.
    pub fn survey_contracts(&self, report: &mut Report) -> Result<Vec<ToSign>, ServiceError> {
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let mut entries = Vec::new();
        for (household, held) in std::mem::take(&mut report.holdings) {
            let first = held[0].clone();
            let mut warn = |warning, reason: String, reason_zh: String| {
                report.warnings.push(Warning {
                    index: first.index,
                    file: first.source.file.clone(),
                    row: first.source.row,
                    code: first.parcel.clone(),
                    warning,
                    reason,
                    reason_zh,
                })
            };
            let Some(h) = queries::load_households(
                &mut conn,
                county,
                queries::HouseholdsOf::Code(&household),
            )?
            .remove(&household)
            .filter(|h| h.merged.is_none()) else {
                warn(
                    "household_not_registered",
                    format!("CBFBM {household} is not a registered household; no contract is made"),
                    format!("承包方 {household} 未登记，未生成承包合同"),
                );
                continue;
            };
            let code = format!("{household}J");
            let existing = queries::load_contracts(
                &mut conn,
                county,
                queries::ContractsOf::Household(&household),
            )?
            .remove(&code);
            let (kind, body) = match existing {
                Some(k) => {
                    let missing: Vec<&String> = held
                        .iter()
                        .map(|x| &x.parcel)
                        .filter(|p| !k.parcels.contains(p))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    ("contract.extend", json!({"CBHTBM": code, "DKBM": missing}))
                }
                None => {
                    let Some((start, end)) = held.iter().find_map(|x| x.term.clone()) else {
                        warn(
                            "contract_not_created",
                            format!(
                                "CBQXQ and CBQXZ (the term) are needed to grant contract {code}"
                            ),
                            format!("须有承包期限起止日期（CBQXQ、CBQXZ）才能生成承包合同 {code}"),
                        );
                        continue;
                    };
                    let parcels: Vec<&String> = held.iter().map(|x| &x.parcel).collect();
                    let members: Vec<&String> = h.members.iter().map(|m| &m.person).collect();
                    (
                        "contract.grant",
                        json!({"CBHTBM": code, "CBFBM": household, "DKBM": parcels,
                               "start": start, "end": end, "certificate_members": members}),
                    )
                }
            };
            entries.push(ToSign {
                index: first.index,
                source: first.source.clone(),
                code,
                kind,
                body,
                party: Some(h.collective),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: true,
            });
        }
        Ok(entries)
    }

    /// What is left to do for a whole FeatureCollection (a village's survey,
    /// on the clerk's page): the entries registering what is not registered
    /// yet, or, once all its parcels are, the contracts.
    pub fn survey_plan(&self, collection: Value) -> Result<SurveyPlan, ServiceError> {
        let features = match collection {
            Value::Object(mut top) => match top.remove("features") {
                Some(Value::Array(features)) => features,
                _ => return Err(not_a_collection()),
            },
            _ => return Err(not_a_collection()),
        };
        let known = self.registered_codes()?;
        let mut report = Report::default();
        let rows = features.into_iter().enumerate().map(|(i, f)| {
            let source = Source {
                file: "survey".into(),
                row: i + 1,
            };
            (source, f)
        });
        let mut entries = self.survey_entries(rows, &known, &mut report);
        if entries.is_empty() {
            entries = self.survey_contracts(&mut report)?;
        }
        report.finish();
        Ok(SurveyPlan {
            entries,
            skipped: report.skipped,
            rejected: report.rejected,
            warnings: report.warnings,
        })
    }

    /// Submits a signed entry (with the personal records of the persons it
    /// names) from a thread that may wait, and answers once it is durable.
    pub fn submit_blocking(
        &self,
        envelope: Envelope,
        personal: Vec<crate::model::person::PersonRecord>,
    ) -> Result<crate::store::Receipt, ServiceError> {
        Ok(self
            .writer()?
            .submit_with_personal_blocking(envelope, personal)?)
    }

    /// Submits signed entries as one batch (the writer commits them in
    /// groups); the answers come in their order.
    pub fn submit_batch(&self, envelopes: Vec<Envelope>) -> Result<Pending, ServiceError> {
        Ok(self.writer()?.enqueue(envelopes))
    }

    /// The same, each with the personal records of the persons it names.
    pub fn submit_batch_with_personal(
        &self,
        envelopes: Vec<(Envelope, Vec<PersonRecord>)>,
    ) -> Result<Pending, ServiceError> {
        Ok(self.writer()?.enqueue_with_personal(envelopes))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 16 random bytes, base64: a person record's salt.
fn fresh_salt() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>())
}

fn not_a_collection() -> ServiceError {
    ServiceError::BadQuery {
        field: "body",
        reason: "a GeoJSON FeatureCollection with its features",
        reason_zh: "须为含要素（features）的 GeoJSON 要素集合",
    }
}

/// Calls `each(index, feature)` for every feature of a FeatureCollection as
/// it is read, without holding the collection in memory.
pub fn stream_features(
    reader: impl std::io::Read,
    each: impl FnMut(usize, Value),
) -> Result<(), serde_json::Error> {
    struct Top<F>(F);
    struct Features<'a, F>(&'a mut F);

    impl<'de, F: FnMut(usize, Value)> Visitor<'de> for Top<F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a FeatureCollection")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "features" {
                    map.next_value_seed(Features(&mut self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }

    impl<'de, F: FnMut(usize, Value)> DeserializeSeed<'de> for Features<'_, F> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de, F: FnMut(usize, Value)> Visitor<'de> for Features<'_, F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of features")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(feature) = seq.next_element::<Value>()? {
                (self.0)(i, feature);
                i += 1;
            }
            Ok(())
        }
    }

    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::Deserializer::deserialize_map(&mut de, Top(each))?;
    de.end()
}
