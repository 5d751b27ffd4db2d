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

use std::collections::{BTreeMap, HashSet};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{Registry, ServiceError};
use crate::ledger::Envelope;
use crate::model::land::declared_area_differs;
use crate::model::{Area, Refusal};
use crate::store::{queries, Pending, SubmitError};

/// What an import did, feature by feature (by its index in the file).
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// Codes registered by this run.
    pub accepted: Vec<String>,
    /// Already registered before this run.
    pub skipped: Vec<String>,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<Warning>,
    /// Contracts granted or extended over the parcels' CBFBM households.
    pub contracts: Vec<String>,
    /// The parcels each household holds by the file (CBFBM), once they are
    /// registered: the contracts are made from them at the end.
    #[serde(skip)]
    holdings: BTreeMap<String, Vec<Holding>>,
}

/// A feature the import could not register, and why.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Rejected {
    pub index: usize,
    pub code: String,
    /// The refusal's code (`bad_feature`, `no_key`, or the log's).
    pub error: String,
    pub reason: String,
}

/// Something registered that is not quite as the file says, or a contract
/// that could not be made.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Warning {
    pub index: usize,
    pub code: String,
    pub warning: &'static str,
    pub reason: String,
}

/// A parcel the file says a household holds, with the contract term it gives
/// (CBQXQ, CBQXZ: 承包期限起/止).
#[derive(Debug, Clone)]
struct Holding {
    index: usize,
    parcel: String,
    term: Option<(String, String)>,
}

/// One entry for the caller to sign: the feature it comes from, its kind
/// and body, and the party whose key signs it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ToSign {
    /// The feature's index in the file.
    pub index: usize,
    /// The code it registers (FBFBM, DKBM) or the contract (CBHTBM).
    pub code: String,
    pub kind: &'static str,
    pub body: Value,
    /// The party whose key signs it: the county for a collective, the
    /// collective for its parcels and contracts.
    pub party: Option<String>,
    /// The area the file declares (SCMJ), to compare with the measured one.
    #[serde(skip)]
    pub declared: Option<Area>,
    /// CBFBM: the household said to hold the parcel, and the term.
    #[serde(skip)]
    holder: Option<(String, Option<(String, String)>)>,
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
    fn held(&mut self, it: &ToSign) {
        if let Some((household, term)) = &it.holder {
            self.holdings
                .entry(household.clone())
                .or_default()
                .push(Holding {
                    index: it.index,
                    parcel: it.code.clone(),
                    term: term.clone(),
                });
        }
    }

    /// Something about an entry the caller could not do but that stops no
    /// registration (a contract it could not sign).
    pub fn warn(&mut self, it: &ToSign, warning: &'static str, reason: String) {
        self.warnings.push(Warning {
            index: it.index,
            code: it.code.clone(),
            warning,
            reason,
        });
    }

    /// A feature or entry refused before or by the log.
    pub fn reject(&mut self, it: &ToSign, error: &str, reason: impl Into<String>) {
        self.rejected
            .push(rejected(it.index, &it.code, error, reason));
    }

    /// Records the log's answers to `entries`, each with the area its
    /// geometry measured: accepted (with a warning where the declared area
    /// differs by more than 1 %), or refused and why.
    pub fn record(&mut self, entries: Vec<(ToSign, Option<Area>)>, pending: Pending) {
        for ((it, area), answer) in entries.into_iter().zip(pending.wait()) {
            match answer {
                Ok(_) if it.kind.starts_with("contract.") => self.contracts.push(it.code),
                Ok(_) => {
                    if let (Some(declared), Some(computed)) = (it.declared, area) {
                        if declared_area_differs(declared, computed) {
                            self.warnings.push(Warning {
                                index: it.index,
                                code: it.code.clone(),
                                warning: "declared_area_differs",
                                reason: format!(
                                    "SCMJ {} differs from the computed {} by more than 1 %",
                                    declared.m2(),
                                    computed.m2()
                                ),
                            });
                        }
                    }
                    self.held(&it);
                    self.accepted.push(it.code);
                }
                Err(e) => {
                    let (code, reason) = match &e {
                        SubmitError::Refused(r) => (r.code(), r.to_string()),
                        SubmitError::Geometry(g) => (g.code(), g.to_string()),
                        SubmitError::Personal(p) => (p.code(), p.to_string()),
                        other => ("unavailable", other.to_string()),
                    };
                    if it.kind.starts_with("contract.") {
                        let reason = format!("{}: {reason}", it.code);
                        self.warn(&it, "contract_refused", reason);
                    } else {
                        self.reject(&it, code, reason);
                    }
                }
            }
        }
    }

    /// In file order.
    pub fn finish(&mut self) {
        self.rejected.sort_by_key(|r| r.index);
        self.warnings.sort_by_key(|w| w.index);
    }
}

fn rejected(index: usize, code: &str, error: &str, reason: impl Into<String>) -> Rejected {
    Rejected {
        index,
        code: code.to_owned(),
        error: error.to_owned(),
        reason: reason.into(),
    }
}

/// Reads one feature: a collective (FBFBM) or a parcel (DKBM).
fn feature(index: usize, feature: Value) -> Result<ToSign, Rejected> {
    let Value::Object(mut f) = feature else {
        return Err(rejected(
            index,
            "",
            "bad_feature",
            "a feature is a JSON object",
        ));
    };
    let geometry = f.remove("geometry").unwrap_or(Value::Null);
    let Some(Value::Object(mut props)) = f.remove("properties") else {
        return Err(rejected(
            index,
            "",
            "bad_feature",
            "a feature needs its properties",
        ));
    };
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(code) = text(props.remove("FBFBM")) {
        let name = text(props.remove("FBFMC")).unwrap_or_default();
        return Ok(ToSign {
            index,
            party: Some(crate::model::codes::county_of(&code).to_owned()),
            body: json!({"FBFBM": code, "FBFMC": name, "boundary": geometry}),
            code,
            kind: "collective.register",
            declared: None,
            holder: None,
        });
    }
    let Some(code) = text(props.remove("DKBM")) else {
        return Err(rejected(
            index,
            "",
            "bad_feature",
            "neither FBFBM (collective) nor DKBM (parcel) is given",
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
    let declared = text(props.remove("SCMJ"));
    let declared_area = match declared.as_deref().map(Area::parse_m2) {
        Some(Err((r, _))) => {
            return Err(rejected(
                index,
                &code,
                "bad_attribute",
                format!("SCMJ: {r}"),
            ))
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
        party: (code.len() >= 14).then(|| crate::model::codes::collective_of(&code).to_owned()),
        code,
        kind: "parcel.register",
        body: Value::Object(body),
        declared: declared_area,
        holder: text(props.remove("CBFBM")).map(|h| {
            let term = text(props.remove("CBQXQ")).zip(text(props.remove("CBQXZ")));
            (h, term)
        }),
    })
}

impl Registry {
    /// The codes of the collectives and parcels already registered.
    pub fn registered_codes(&self) -> Result<HashSet<String>, ServiceError> {
        let mut conn = self.db.conn()?;
        Ok(queries::registered_codes(&mut conn, &self.db.county)?)
    }

    /// Reads `features` (each with its index in the file) into the entries
    /// that register them; a feature already registered (in `known`) is
    /// skipped — its holding still counts for the contracts — and one that
    /// does not read is rejected.
    pub fn survey_entries(
        &self,
        features: impl IntoIterator<Item = (usize, Value)>,
        known: &HashSet<String>,
        report: &mut Report,
    ) -> Vec<ToSign> {
        let mut entries = Vec::new();
        for (i, f) in features {
            match feature(i, f) {
                Err(r) => report.rejected.push(r),
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
            let mut warn = |warning, reason: String| {
                report.warnings.push(Warning {
                    index: first.index,
                    code: first.parcel.clone(),
                    warning,
                    reason,
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
                code,
                kind,
                body,
                party: Some(h.collective),
                declared: None,
                holder: None,
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
        let mut entries =
            self.survey_entries(features.into_iter().enumerate(), &known, &mut report);
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
