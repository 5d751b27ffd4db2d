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

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::package::{Source, Table};
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

/// A parcel of a survey layer as its 四至 check needs it: where it was
/// read, its code, its box, and the four sides the layer names (DKDZ,
/// DKNZ, DKXZ, DKBZ: east, south, west, north).
#[derive(Debug, Clone)]
pub struct SurveyedParcel {
    pub source: Source,
    pub code: String,
    pub bbox: [f64; 4],
    pub sides: [Option<String>; 4],
}

impl SurveyedParcel {
    /// The parcel a feature registers (`None` for a collective, or a
    /// feature without a geometry).
    pub fn of(source: &Source, feature: &Value) -> Option<SurveyedParcel> {
        let p = &feature["properties"];
        let code = p["DKBM"].as_str()?.to_owned();
        let polygons = super::package::polygons_of(&feature["geometry"]);
        let b = crate::spatial::shapefile::bbox(polygons.iter().flatten().flatten())?;
        let side = |k: &str| {
            p[k].as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(SurveyedParcel {
            source: source.clone(),
            code,
            bbox: b,
            sides: [side("DKDZ"), side("DKNZ"), side("DKXZ"), side("DKBZ")],
        })
    }
}

/// 四至 that contradict the geometry: a side that names a household head
/// of the package (CBF's CBFMC) where the parcel lying that way is held by
/// someone else, or where none lies that way (a parcel whose holder the
/// package does not say is not judged). A side naming a road, a ditch
/// or another parcel is not judged. `parcels` are those registered (a
/// refused one is no one's neighbour).
pub fn four_sides(
    parcels: &[SurveyedParcel],
    tables: &BTreeMap<&'static str, Table>,
    report: &mut Report,
) {
    let (Some(cbf), Some(cbdkxx)) = (tables.get("CBF"), tables.get("CBDKXX")) else {
        return;
    };
    let head: HashMap<&str, &str> = cbf
        .rows()
        .filter_map(|r| Some((r.get("CBFBM")?, r.get("CBFMC")?)))
        .collect();
    let heads: HashSet<&str> = head.values().copied().collect();
    // Who holds each parcel: by CBDKXX, where its household is its
    // contract's (a row refused for naming another is left out).
    let contract_of: HashMap<&str, &str> = tables
        .get("CBHT")
        .into_iter()
        .flat_map(|t| t.rows())
        .filter_map(|r| Some((r.get("CBHTBM")?, r.get("CBFBM")?)))
        .collect();
    let holder: HashMap<&str, &str> = cbdkxx
        .rows()
        .filter(|r| {
            match (
                r.get("CBHTBM").and_then(|k| contract_of.get(k)),
                r.get("CBFBM"),
            ) {
                (Some(of), Some(h)) => *of == h,
                _ => true,
            }
        })
        .filter_map(|r| Some((r.get("DKBM")?, *head.get(r.get("CBFBM")?)?)))
        .collect();
    let boxes: Vec<(String, [f64; 4])> = parcels.iter().map(|p| (p.code.clone(), p.bbox)).collect();
    let all = crate::spatial::all_neighbours(&boxes);
    const SIDES: [(&str, &str, &str); 4] = [
        ("DKDZ", "east", "东"),
        ("DKNZ", "south", "南"),
        ("DKXZ", "west", "西"),
        ("DKBZ", "north", "北"),
    ];
    for (p, n) in parcels.iter().zip(all) {
        for ((named, lies), (field, way, way_zh)) in p.sides.iter().zip(n.sides()).zip(SIDES) {
            let Some(named) = named.as_deref().filter(|s| heads.contains(s)) else {
                continue;
            };
            let held = lies.and_then(|c| holder.get(c).copied());
            let (reason, reason_zh) = match (lies, held) {
                (Some(c), Some(h)) if h != named => (
                    format!(
                        "{field} names {named}, but the parcel to the {way}, {c}, is held by {h}"
                    ),
                    format!(
                        "{way_zh}至（{field}）写的是{named}，但{way_zh}邻地块 {c} 的承包方是{h}"
                    ),
                ),
                // Held by the one named, or by no one the package says.
                (Some(_), _) => continue,
                (None, _) => (
                    format!("{field} names {named}, but no parcel lies to the {way}"),
                    format!("{way_zh}至（{field}）写的是{named}，但{way_zh}侧没有地块"),
                ),
            };
            report.warnings.push(Warning {
                index: usize::MAX,
                file: p.source.file.clone(),
                row: p.source.row,
                code: p.code.clone(),
                warning: "four_sides_differ",
                reason,
                reason_zh,
            });
        }
    }
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

    /// The collectives of a package: each FBF row (or, with no FBF table,
    /// each group or village of the boundary layers) as a feature with its
    /// boundary from `ZJQY` (ZJQYDM, the 14-digit 发包方编码) or `CJQY`
    /// (CJQYDM, a village's 12 digits, the village itself the 发包方 "00").
    /// A collective neither registered nor bounded is refused by its row.
    pub fn package_collectives(
        &self,
        package: &super::package::Package,
        tables: &BTreeMap<&'static str, Table>,
        known: &HashSet<String>,
        report: &mut Report,
    ) -> Result<Vec<(Source, Value)>, super::package::PackageError> {
        let mut boundaries: BTreeMap<String, (Source, String, Value)> = BTreeMap::new();
        for (layer, field, name, suffix) in [
            ("CJQY", "CJQYDM", "CJQYMC", "00"),
            ("ZJQY", "ZJQYDM", "ZJQYMC", ""),
        ] {
            let Some(layer) = package.layer(layer)? else {
                continue;
            };
            for f in layer.features() {
                let (source, mut f) = f?;
                let props = &mut f["properties"];
                let Some(code) = props[field].as_str().map(|c| format!("{c}{suffix}")) else {
                    continue;
                };
                let name = props[name].as_str().unwrap_or_default().to_owned();
                boundaries.insert(code, (source, name, f["geometry"].take()));
            }
        }
        let mut out = Vec::new();
        let feature = |code: &str, name: &str, geometry: Value| json!({"type": "Feature", "properties": {"FBFBM": code, "FBFMC": name}, "geometry": geometry});
        match tables.get("FBF") {
            Some(fbf) => {
                for row in fbf.rows() {
                    let source = row.source();
                    let Some(code) = row.get("FBFBM") else {
                        report.refuse_row(&source, "", &missing("FBFBM", "发包方编码"));
                        continue;
                    };
                    let name = row.get("FBFMC").unwrap_or_default();
                    match boundaries.remove(code) {
                        Some((_, layer_name, geometry)) => {
                            let name = if name.is_empty() { &layer_name } else { name };
                            out.push((source, feature(code, name, geometry)));
                        }
                        None if known.contains(code) => {
                            report.next_index();
                            report.skipped.push(code.to_owned());
                        }
                        None => {
                            report.refuse_row(
                                &source,
                                code,
                                &row_refusal(
                                    "no_boundary",
                                    "FBFBM",
                                    "no boundary for this collective in the ZJQY (group) or CJQY (village) layer",
                                    "组级区域（ZJQY）或村级区域（CJQY）图层中没有该发包方的界线",
                                ),
                            );
                        }
                    }
                }
            }
            None => {
                for (code, (source, name, geometry)) in boundaries {
                    out.push((source, feature(&code, &name, geometry)));
                }
            }
        }
        Ok(out)
    }

    /// The households of a package's CBF table with their members from
    /// CBF_JTCY (names and ID numbers into the personal records, never the
    /// log; 与户主关系 as the relation), each checked as the writer will
    /// check it, so that a refusal names the member's row. A household
    /// registered already is skipped.
    pub fn package_households(
        &self,
        tables: &BTreeMap<&'static str, Table>,
        registered: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Vec<ToSign> {
        let Some(cbf) = tables.get("CBF") else {
            return Vec::new();
        };
        let mut members: HashMap<&str, Vec<super::package::Row>> = HashMap::new();
        if let Some(jtcy) = tables.get("CBF_JTCY") {
            for row in jtcy.rows() {
                match row.get("CBFBM") {
                    Some(h) => members.entry(h).or_default().push(row),
                    None => {
                        report.refuse_row(&row.source(), "", &missing("CBFBM", "承包方编码"));
                    }
                }
            }
        }
        let today = self.today();
        let mut entries = Vec::new();
        let mut listed = HashSet::new();
        for row in cbf.rows() {
            let index = report.next_index();
            let source = row.source();
            let Some(code) = row.get("CBFBM") else {
                report.rejected.push(rejected_by(
                    index,
                    &source,
                    "",
                    &missing("CBFBM", "承包方编码"),
                ));
                continue;
            };
            listed.insert(code);
            if registered.contains_key(code) {
                report.skipped.push(code.to_owned());
                continue;
            }
            let mut it = ToSign {
                index,
                source,
                code: code.to_owned(),
                kind: "household.register",
                body: Value::Null,
                party: (code.len() >= 14)
                    .then(|| crate::model::codes::collective_of(code).to_owned()),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            };
            // 承包方类型: 1 农户; a person (2) or a unit (3) contracts by
            // other means, not as a household.
            if let Some(kind) = row.get("CBFLX").filter(|k| *k != "1") {
                report.warn(
                    &it,
                    "not_a_household",
                    format!("CBFLX {kind}: not a farming household (1); not registered as one"),
                    format!("承包方类型为 {kind}，不是农户（1），未作为承包户登记"),
                );
                continue;
            }
            let Some(rows) = members.get(code) else {
                report.refuse(
                    &it,
                    &row_refusal(
                        "no_members",
                        "CBFBM",
                        "CBF_JTCY lists no member of this household",
                        "家庭成员表（CBF_JTCY）中没有该户的成员",
                    ),
                );
                continue;
            };
            let mut listed_members = Vec::new();
            let mut refused = None;
            for (at, m) in rows.iter().enumerate() {
                let fail = |field, reason: String, reason_zh: String| {
                    (
                        m.source(),
                        row_refusal("bad_member", field, reason, reason_zh),
                    )
                };
                if let Some(kind) = m.get("CYZJLX").filter(|k| *k != "1") {
                    refused = Some(fail(
                        "CYZJLX",
                        format!("证件类型 {kind}: only a resident identity card (1) is registered"),
                        format!("证件类型为 {kind}：仅登记居民身份证（1）"),
                    ));
                    break;
                }
                let relation = m.get("YHZGX").unwrap_or_default();
                let relation = if relation.len() == 1 {
                    format!("0{relation}")
                } else {
                    relation.to_owned()
                };
                let record = PersonRecord {
                    salt: fresh_salt(),
                    name: m.get("CYXM").unwrap_or_default().to_owned(),
                    id_number: m.get("CYZJHM").unwrap_or_default().to_ascii_uppercase(),
                    phone: None,
                };
                if let Err(e) = record.check(at, today) {
                    let (field, name, (why, why_zh)) = match e {
                        crate::model::person::PersonalError::BadRecord {
                            field: "name",
                            reason,
                            ..
                        } => ("CYXM", "成员姓名", reason),
                        crate::model::person::PersonalError::BadRecord { reason, .. } => {
                            ("CYZJHM", "成员身份证号码", reason)
                        }
                        _ => ("CYZJHM", "成员身份证号码", ("invalid", "无效")),
                    };
                    refused = Some(fail(
                        field,
                        format!("{field}: {why}"),
                        format!("{name}（{field}）：{why_zh}"),
                    ));
                    break;
                }
                listed_members.push(json!({"person": record.commitment(), "relation": relation}));
                it.personal.push(record);
                it.personal_rows.push(m.source());
            }
            if let Some((source, refusal)) = refused {
                let index = it.index;
                report
                    .rejected
                    .push(rejected_by(index, &source, code, &refusal));
                continue;
            }
            it.body = json!({"CBFBM": code, "members": listed_members});
            entries.push(it);
        }
        for (code, rows) in members {
            if !listed.contains(code) {
                for m in rows {
                    report.refuse_row(
                        &m.source(),
                        code,
                        &row_refusal(
                            "household_not_in_table",
                            "CBFBM",
                            "a member of a household the CBF table does not list",
                            "所属承包方不在承包方表（CBF）中",
                        ),
                    );
                }
            }
        }
        entries
    }

    /// The members of every household registered, by household: what a
    /// contract's certificate names.
    pub fn household_members(&self) -> Result<HashMap<String, Vec<String>>, ServiceError> {
        let mut conn = self.db.conn()?;
        let all = queries::load_households(&mut conn, &self.db.county, queries::HouseholdsOf::All)?;
        Ok(all
            .into_iter()
            .filter(|(_, h)| h.merged.is_none())
            .map(|(code, h)| (code, h.members.into_iter().map(|m| m.person).collect()))
            .collect())
    }

    /// The contracts of a package's CBHT table over the parcels its CBDKXX
    /// rows list, for the term CBQXQ–CBQXZ, every member of the household on
    /// the certificate (C3); a contract on the log already is skipped, or
    /// has the parcels it lacks added. `members` are the households'
    /// members, registered or being registered by this run.
    pub fn package_contracts(
        &self,
        tables: &BTreeMap<&'static str, Table>,
        members: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Result<Vec<ToSign>, ServiceError> {
        let Some(cbht) = tables.get("CBHT") else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.conn()?;
        let existing =
            queries::load_contracts(&mut conn, &self.db.county, queries::ContractsOf::All)?;
        let households: HashMap<&str, &str> = cbht
            .rows()
            .filter_map(|r| Some((r.get("CBHTBM")?, r.get("CBFBM")?)))
            .collect();
        let mut parcels: HashMap<&str, Vec<String>> = HashMap::new();
        if let Some(cbdkxx) = tables.get("CBDKXX") {
            for row in cbdkxx.rows() {
                let (Some(contract), Some(parcel)) = (row.get("CBHTBM"), row.get("DKBM")) else {
                    continue;
                };
                match (row.get("CBFBM"), households.get(contract)) {
                    (Some(h), Some(of)) if h != *of => {
                        report.refuse_row(
                            &row.source(),
                            parcel,
                            &row_refusal(
                                "parcel_not_households",
                                "CBFBM",
                                format!("the parcel is listed under contract {contract} of household {of}, but as household {h}'s"),
                                format!("该地块列在承包方 {of} 的合同 {contract} 下，却标为承包方 {h} 的地块"),
                            ),
                        );
                    }
                    _ => parcels.entry(contract).or_default().push(parcel.to_owned()),
                }
            }
        }
        let mut entries = Vec::new();
        for row in cbht.rows() {
            let index = report.next_index();
            let source = row.source();
            let code = row.get("CBHTBM").unwrap_or_default();
            let mut it = ToSign {
                index,
                source,
                code: code.to_owned(),
                kind: "contract.grant",
                body: Value::Null,
                party: None,
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            };
            let Some(household) = row.get("CBFBM") else {
                report.refuse(&it, &missing("CBFBM", "承包方编码"));
                continue;
            };
            it.party = (household.len() >= 14)
                .then(|| crate::model::codes::collective_of(household).to_owned());
            // 承包方式: 110 家庭承包; 120 and after are other means.
            if let Some(means) = row.get("CBFS").filter(|m| !m.starts_with("11")) {
                report.warn(
                    &it,
                    "not_family_contracting",
                    format!("CBFS {means}: not family contracting (110); not registered"),
                    format!("承包方式为 {means}，不是家庭承包（110），未登记"),
                );
                continue;
            }
            let listed = parcels.remove(code).unwrap_or_default();
            if listed.is_empty() {
                report.refuse(
                    &it,
                    &row_refusal(
                        "no_parcels",
                        "CBHTBM",
                        "CBDKXX lists no parcel under this contract",
                        "承包地块信息表（CBDKXX）中没有该合同的地块",
                    ),
                );
                continue;
            }
            if let Some(k) = existing.get(code) {
                let lacking: Vec<&String> =
                    listed.iter().filter(|p| !k.parcels.contains(p)).collect();
                if lacking.is_empty() {
                    report.skipped.push(code.to_owned());
                } else {
                    it.kind = "contract.extend";
                    it.body = json!({"CBHTBM": code, "DKBM": lacking});
                    entries.push(it);
                }
                continue;
            }
            let Some(persons) = members.get(household) else {
                report.refuse(
                    &it,
                    &row_refusal(
                        "household_not_registered",
                        "CBFBM",
                        format!("household {household} is neither registered nor registered by this package"),
                        format!("承包方 {household} 未登记，本成果包也未登记该户"),
                    ),
                );
                continue;
            };
            let (start, end) = match (term_day(row.get("CBQXQ")), term_day(row.get("CBQXZ"))) {
                (Ok(s), Ok(e)) => (s, e),
                (Err(()), _) => {
                    report.refuse(&it, &bad_day("CBQXQ", "承包期限起"));
                    continue;
                }
                (_, Err(())) => {
                    report.refuse(&it, &bad_day("CBQXZ", "承包期限止"));
                    continue;
                }
            };
            it.body = json!({"CBHTBM": code, "CBFBM": household, "DKBM": listed,
                             "start": start, "end": end, "certificate_members": persons});
            entries.push(it);
        }
        Ok(entries)
    }

    /// The certificates of a package's CBJYQZ table (by CBJYQZBM, the
    /// contract's code, or through CBDKXX): a certificate is issued only
    /// after a notice of at least seven days has closed (C3), which no
    /// import can date back. So a contract with no notice yet is listed on
    /// one posted today for its collective; one whose notice has closed has
    /// its certificate issued; one under an open notice waits — the import
    /// run again after the notice closes finishes it.
    pub fn package_certificates(
        &self,
        tables: &BTreeMap<&'static str, Table>,
        report: &mut Report,
    ) -> Result<Vec<ToSign>, ServiceError> {
        let Some(cbjyqz) = tables.get("CBJYQZ") else {
            return Ok(Vec::new());
        };
        let mut by_certificate: HashMap<&str, &str> = HashMap::new();
        if let Some(cbdkxx) = tables.get("CBDKXX") {
            for row in cbdkxx.rows() {
                if let (Some(c), Some(k)) = (row.get("CBJYQZBM"), row.get("CBHTBM")) {
                    by_certificate.insert(c, k);
                }
            }
        }
        let contracts: HashSet<&str> = tables
            .get("CBHT")
            .into_iter()
            .flat_map(|t| t.rows())
            .filter_map(|r| r.get("CBHTBM"))
            .collect();
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let notices = queries::load_notices(&mut conn, county, None)?;
        // The contracts in force: on the log before, or granted by this run.
        let mut in_force: HashSet<String> =
            queries::load_contracts(&mut conn, county, queries::ContractsOf::All)?
                .into_values()
                .filter(|k| k.returned.is_none())
                .map(|k| k.code)
                .collect();
        in_force.extend(report.contracts.iter().cloned());
        let mut wanted = Vec::new();
        for row in cbjyqz.rows() {
            let index = report.next_index();
            let source = row.source();
            let certificate = row.get("CBJYQZBM").unwrap_or_default();
            let contract = if contracts.contains(certificate) {
                Some(certificate)
            } else {
                by_certificate.get(certificate).copied()
            };
            let it = ToSign {
                index,
                source,
                code: contract.unwrap_or(certificate).to_owned(),
                kind: "certificate.issue",
                body: Value::Null,
                party: contract
                    .filter(|k| k.len() >= 14)
                    .map(|k| crate::model::codes::collective_of(k).to_owned()),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            };
            if contract.is_some_and(|k| !in_force.contains(k)) {
                report.refuse(
                    &it,
                    &row_refusal(
                        "contract_not_registered",
                        "CBJYQZBM",
                        "its contract is not registered (see the contract's row)",
                        "该权证对应的承包合同未登记（见该合同所在行）",
                    ),
                );
                continue;
            }
            if contract.is_none() {
                report.refuse(
                    &it,
                    &row_refusal(
                        "certificate_without_contract",
                        "CBJYQZBM",
                        "no contract of CBHT or CBDKXX has this certificate's code",
                        "承包合同表（CBHT）和承包地块信息表（CBDKXX）中没有与该权证编码对应的合同",
                    ),
                );
                continue;
            }
            wanted.push(it);
        }
        let codes: Vec<&str> = wanted.iter().map(|it| it.code.as_str()).collect();
        let issued = queries::certificates_of(&mut conn, county, &codes)?;
        let today = self.today();
        let mut entries = Vec::new();
        let mut to_notice: BTreeMap<String, Vec<ToSign>> = BTreeMap::new();
        for mut it in wanted {
            if issued.contains_key(&it.code) {
                report.skipped.push(it.code);
                continue;
            }
            let last = notices
                .values()
                .filter(|n| n.contracts.contains(&it.code))
                .max_by_key(|n| n.index);
            match last {
                Some(n) if n.to < today => {
                    it.body = json!({"CBHTBM": it.code, "notice": n.index});
                    entries.push(it);
                }
                Some(n) => {
                    let to = n.to;
                    report.warn(
                        &it,
                        "notice_open",
                        format!("the certificate waits for the notice to close on {to}: run the import again after it"),
                        format!("公示期至 {to} 结束，届时再次运行导入即颁发权证"),
                    );
                }
                None => to_notice
                    .entry(it.party.clone().unwrap_or_default())
                    .or_default()
                    .push(it),
            }
        }
        for (collective, listed) in to_notice {
            use sha2::Digest;
            let codes: Vec<&str> = listed.iter().map(|it| it.code.as_str()).collect();
            // The posted list: the contracts' codes, a line each.
            let posting = sha2::Sha256::digest(codes.join("\n"));
            let first = &listed[0];
            entries.push(ToSign {
                index: first.index,
                source: first.source.clone(),
                code: collective.clone(),
                kind: "notice.post",
                body: json!({"CBHTBM": codes, "from": today.to_string(),
                             "to": (today + chrono::Days::new(6)).to_string(),
                             "posting_sha256": hex(&posting)}),
                party: Some(collective),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            });
        }
        Ok(entries)
    }

    /// What is left to do of a package's `step` (the clerk's upload of a
    /// village's `.zip`): the entries to sign, the rows refused by the
    /// package's own checks, the warnings. Nothing is written.
    pub fn package_plan(&self, zip: &[u8], step: PackageStep) -> Result<SurveyPlan, ServiceError> {
        let package = super::package::Package::of_zip(zip, super::package::UPLOAD)?;
        let tables = package.tables()?;
        let mut report = Report::default();
        let entries = match step {
            PackageStep::Land => {
                let known = self.registered_codes()?;
                let mut features =
                    self.package_collectives(&package, &tables, &known, &mut report)?;
                if let Some(layer) = package.layer("DK")? {
                    let parcels = layer.features().collect::<Result<Vec<_>, _>>()?;
                    let surveyed: Vec<SurveyedParcel> = parcels
                        .iter()
                        .filter_map(|(s, f)| SurveyedParcel::of(s, f))
                        .collect();
                    four_sides(&surveyed, &tables, &mut report);
                    features.extend(parcels);
                }
                self.survey_entries(features, &known, &mut report)
            }
            PackageStep::Households => {
                self.package_households(&tables, &self.household_members()?, &mut report)
            }
            PackageStep::Contracts => {
                self.package_contracts(&tables, &self.household_members()?, &mut report)?
            }
            PackageStep::Certificates => self.package_certificates(&tables, &mut report)?,
        };
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

fn missing(field: &'static str, name_zh: &str) -> RowRefusal {
    row_refusal(
        "missing_field",
        field,
        format!("{field} is empty"),
        format!("{name_zh}（{field}）为空"),
    )
}

fn bad_day(field: &'static str, name_zh: &str) -> RowRefusal {
    row_refusal(
        "bad_date",
        field,
        format!("{field} is not a date (YYYY-MM-DD, YYYY/M/D or YYYYMMDD)"),
        format!("{name_zh}（{field}）不是日期（年-月-日）"),
    )
}

/// A date as ownership tables write it — `2019-01-01`, `2019/1/1`,
/// `20190101`, with or without a time after it — as YYYY-MM-DD.
fn term_day(text: Option<&str>) -> Result<String, ()> {
    let text = text.ok_or(())?;
    let date = text.split([' ', 'T']).next().unwrap_or_default();
    let parts: Vec<&str> = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        vec![&date[..4], &date[4..6], &date[6..]]
    } else {
        date.split(['-', '/', '.']).collect()
    };
    let [y, m, d] = parts[..] else { return Err(()) };
    let (y, m, d) = (
        y.parse().map_err(drop)?,
        m.parse().map_err(drop)?,
        d.parse().map_err(drop)?,
    );
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .map(|d| d.to_string())
        .ok_or(())
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

#[cfg(test)]
mod tests {
    use super::term_day;

    #[test]
    fn a_tables_dates_read_in_the_forms_counties_write_them() {
        for (text, day) in [
            ("2019-01-01", "2019-01-01"),
            ("2019/1/1", "2019-01-01"),
            ("20190101", "2019-01-01"),
            ("2019-01-01 00:00:00", "2019-01-01"),
            ("2019/01/31 0:00:00", "2019-01-31"),
            ("2019-01-01T00:00:00", "2019-01-01"),
        ] {
            assert_eq!(term_day(Some(text)).as_deref(), Ok(day), "{text}");
        }
        for bad in ["2047-13-45", "2019-02-30", "", "二〇一九年", "2019-01"] {
            assert!(term_day(Some(bad)).is_err(), "{bad}");
        }
        assert!(term_day(None).is_err());
    }
}
