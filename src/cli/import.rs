//! `sanquan import`: registers the collectives and parcels of a GeoJSON
//! FeatureCollection (NY/T 2539 property names) through the one pipeline.
//! Each feature is one signed entry, so a refused feature is never half
//! written; features already registered are skipped, so a re-run after an
//! interruption registers only what is missing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use rayon::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::datadir::read_signer_key;
use super::{new_nonce, CliError, DataDir};
use crate::ledger::{Envelope, SignerKey};
use crate::model::land::declared_area_differs;
use crate::model::{log_origin, Area, Refusal, Role};
use crate::store::schema::{collectives, parcels};
use crate::store::writer::Pending;
use crate::store::{queries, Db, DbConnection, SubmitError, Writer};

/// Features signed and submitted together.
const CHUNK: usize = 20_000;

#[derive(Debug, Default, Serialize)]
pub struct Report {
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

/// A parcel the file says a household holds, with the contract term it gives
/// (CBQXQ, CBQXZ: 承包期限起/止).
#[derive(Debug, Clone)]
struct Holding {
    index: usize,
    parcel: String,
    term: Option<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct Rejected {
    pub index: usize,
    pub code: String,
    pub error: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Warning {
    pub index: usize,
    pub code: String,
    pub warning: &'static str,
    pub reason: String,
}

/// A chunk's items as signed, each with the area its geometry measured.
type Signed = Vec<(Item, Option<Area>)>;

/// One feature turned into a command to sign.
struct Item {
    index: usize,
    code: String,
    kind: &'static str,
    body: Value,
    signer: Option<String>,
    declared: Option<Area>,
    /// CBFBM: the household said to hold the parcel, and the term.
    holder: Option<(String, Option<(String, String)>)>,
}

impl Item {
    fn held(&self, report: &mut Report) {
        if let Some((household, term)) = &self.holder {
            report
                .holdings
                .entry(household.clone())
                .or_default()
                .push(Holding {
                    index: self.index,
                    parcel: self.code.clone(),
                    term: term.clone(),
                });
        }
    }
}

pub fn run(
    dir: &DataDir,
    database_url: Option<&str>,
    keys: &[PathBuf],
    report_to: Option<&Path>,
    file: &Path,
) -> Result<Report, CliError> {
    let _lock = dir.lock()?;
    let county = dir.config.county.clone();
    let db = Db::open(&dir.database_url(database_url), &county)?;
    let mut conn = db.dedicated()?;
    let signers = signers_by_party(&mut conn, &county, keys)?;
    let mut known = registered_codes(&mut conn, &county)?;
    drop(conn);
    let writer = dir.start_writer(&db)?;
    let origin = log_origin(&county);
    let total = std::fs::metadata(file)?.len();
    let bar = super::progress_bar(total, "{bar:40} {bytes}/{total_bytes} ({eta})");
    let mut report = Report::default();
    let mut chunk = Vec::with_capacity(CHUNK);
    let reader = ProgressReader {
        inner: std::fs::File::open(file)
            .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?,
        bar: &bar,
    };
    // One chunk is with the writer while the next is read and signed.
    let mut in_flight: Option<(Signed, Pending)> = None;
    let mut submit = |chunk: &mut Vec<(usize, Value)>, report: &mut Report| {
        let items: Vec<Result<Item, Rejected>> = chunk.drain(..).map(|(i, f)| item(i, f)).collect();
        let mut todo = Vec::new();
        for it in items {
            match it {
                Err(r) => report.rejected.push(r),
                Ok(it) if known.contains(&it.code) => {
                    it.held(report);
                    report.skipped.push(it.code)
                }
                Ok(it) => todo.push(it),
            }
        }
        let time = writer.clock().stamp();
        let (items, envelopes) = sign_chunk(&origin, &time, &signers, todo, report);
        let queued = (items, writer.enqueue(envelopes));
        if let Some((items, pending)) = in_flight.replace(queued) {
            record(items, pending, report, &mut known);
        }
    };
    let parsed = stream_features(BufReader::with_capacity(1 << 20, reader), |i, feature| {
        chunk.push((i, feature));
        if chunk.len() == CHUNK {
            submit(&mut chunk, &mut report);
        }
    });
    submit(&mut chunk, &mut report);
    if let Some((items, pending)) = in_flight.take() {
        record(items, pending, &mut report, &mut known);
    }
    bar.finish_and_clear();
    if parsed.is_ok() {
        contracts(&db, &writer, &origin, &signers, &mut report)?;
    }
    writer.shutdown();
    parsed.map_err(|e| {
        CliError::Usage(format!(
            "{}: not a GeoJSON FeatureCollection: {e}",
            file.display()
        ))
    })?;
    report.rejected.sort_by_key(|r| r.index);
    report.warnings.sort_by_key(|w| w.index);
    if let Some(path) = report_to {
        std::fs::write(path, serde_json::to_vec_pretty(&report).expect("report"))?;
    }
    Ok(report)
}

/// The keys given, by the party they are bound to on the log.
fn signers_by_party(
    conn: &mut DbConnection,
    county: &str,
    keys: &[PathBuf],
) -> Result<HashMap<String, SignerKey>, CliError> {
    let state = queries::load_keys(conn, county, None)?;
    let mut by_party = HashMap::new();
    for path in keys {
        let key = read_signer_key(path)?;
        let binding = state
            .get(&key.public_bytes())
            .filter(|b| b.is_active())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: this key is not registered (or was revoked) on the log",
                    path.display()
                ))
            })?;
        let party = match binding.role {
            Role::County | Role::Collective => binding.party.clone(),
            other => {
                return Err(CliError::Usage(format!(
                    "{}: a {} key imports nothing",
                    path.display(),
                    other.as_str()
                )))
            }
        };
        // Under the authority rules the registry registers collectives; a
        // root key given beside it is not the one to sign (A2).
        let registry = binding.department == Some(crate::model::Department::Registry);
        if registry || !by_party.contains_key(&party) {
            by_party.insert(party, key);
        }
    }
    Ok(by_party)
}

fn registered_codes(conn: &mut DbConnection, county: &str) -> Result<HashSet<String>, CliError> {
    let mut known: HashSet<String> = collectives::table
        .filter(collectives::county.eq(county))
        .select(collectives::code)
        .load::<String>(conn)
        .map_err(crate::store::StoreError::from)?
        .into_iter()
        .collect();
    known.extend(
        parcels::table
            .filter(parcels::county.eq(county))
            .select(parcels::code)
            .load::<String>(conn)
            .map_err(crate::store::StoreError::from)?,
    );
    Ok(known)
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
fn item(index: usize, feature: Value) -> Result<Item, Rejected> {
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
        return Ok(Item {
            index,
            signer: Some(crate::model::codes::county_of(&code).to_owned()),
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
    Ok(Item {
        index,
        signer: (code.len() >= 14).then(|| crate::model::codes::collective_of(&code).to_owned()),
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

/// Grants or extends the contracts of the households the parcels name
/// (CBFBM): a household without a contract gets one over its parcels for the
/// term the file gives (CBQXQ–CBQXZ), its members on the certificate; a
/// household with one has the parcels it does not cover yet added. What
/// cannot be done is a warning: the parcels themselves are registered.
fn contracts(
    db: &Db,
    writer: &Writer,
    origin: &str,
    signers: &HashMap<String, SignerKey>,
    report: &mut Report,
) -> Result<(), CliError> {
    let mut conn = db.dedicated()?;
    let county = &db.county;
    let mut envelopes = Vec::new();
    let mut made: Vec<(Holding, String)> = Vec::new();
    let time = writer.clock().stamp();
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
        let Some(h) = queries::load_households(&mut conn, county, Some(&household))?
            .remove(&household)
            .filter(|h| h.merged.is_none())
        else {
            warn(
                "household_not_registered",
                format!("CBFBM {household} is not a registered household; no contract is made"),
            );
            continue;
        };
        let Some(key) = signers.get(&h.collective) else {
            warn("no_key", format!("no key was given for {}", h.collective));
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
                        format!("CBQXQ and CBQXZ (the term) are needed to grant contract {code}"),
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
        match Envelope::sign(key, origin, kind, &new_nonce(), &time, body) {
            Ok(env) => {
                envelopes.push(env);
                made.push((first, code));
            }
            Err(e) => warn("contract_refused", e.to_string()),
        }
    }
    for ((first, code), answer) in made.into_iter().zip(writer.enqueue(envelopes).wait()) {
        match answer {
            Ok(_) => report.contracts.push(code),
            Err(e) => report.warnings.push(Warning {
                index: first.index,
                code: first.parcel,
                warning: "contract_refused",
                reason: format!("{code}: {e}"),
            }),
        }
    }
    Ok(())
}

/// Signs the chunk's commands (in parallel) and prepares their geometry, so
/// that the area can be compared with the declared one.
fn sign_chunk(
    origin: &str,
    time: &str,
    signers: &HashMap<String, SignerKey>,
    items: Vec<Item>,
    report: &mut Report,
) -> (Signed, Vec<Envelope>) {
    type Outcome = Result<(Envelope, Option<Area>), Rejected>;
    let signed: Vec<(Item, Outcome)> = items
        .into_par_iter()
        .map(|it| {
            let key = it.signer.as_ref().and_then(|p| signers.get(p));
            let result = match key {
                None => Err(rejected(
                    it.index,
                    &it.code,
                    "no_key",
                    format!(
                        "no key was given for {}",
                        it.signer.as_deref().unwrap_or("?")
                    ),
                )),
                Some(key) => {
                    Envelope::sign(key, origin, it.kind, &new_nonce(), time, it.body.clone())
                        .map_err(|e| rejected(it.index, &it.code, e.code(), e.to_string()))
                        .and_then(|mut env| {
                            crate::store::writer::prepare(&mut env).map_err(|e| {
                                rejected(it.index, &it.code, e.code(), e.to_string())
                            })?;
                            let area = env.footprints.first().map(|f| f.area);
                            Ok((env, area))
                        })
                }
            };
            (it, result)
        })
        .collect();
    let mut pending = Vec::new();
    let mut envelopes = Vec::new();
    for (it, result) in signed {
        match result {
            Ok((env, area)) => {
                envelopes.push(env);
                pending.push((it, area));
            }
            Err(r) => report.rejected.push(r),
        }
    }
    (pending, envelopes)
}

/// Waits for the writer's answers to a chunk and reports them.
fn record(
    items: Vec<(Item, Option<Area>)>,
    pending: Pending,
    report: &mut Report,
    known: &mut HashSet<String>,
) {
    for ((it, area), answer) in items.into_iter().zip(pending.wait()) {
        match answer {
            Ok(_) => {
                if let (Some(declared), Some(computed)) = (it.declared, area) {
                    if declared_area_differs(declared, computed) {
                        report.warnings.push(Warning {
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
                it.held(report);
                known.insert(it.code.clone());
                report.accepted.push(it.code);
            }
            Err(e) => {
                let (code, reason) = match &e {
                    SubmitError::Refused(r) => (r.code(), r.to_string()),
                    SubmitError::Geometry(g) => (g.code(), g.to_string()),
                    SubmitError::Personal(p) => (p.code(), p.to_string()),
                    other => ("unavailable", other.to_string()),
                };
                report
                    .rejected
                    .push(rejected(it.index, &it.code, code, reason));
            }
        }
    }
}

struct ProgressReader<'a, R> {
    inner: R,
    bar: &'a indicatif::ProgressBar,
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
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
