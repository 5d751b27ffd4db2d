//! `sanquan import`: registers the collectives and parcels of a GeoJSON
//! FeatureCollection (NY/T 2539 property names), and the contracts of the
//! households they name, through the registry's survey import
//! (`registry::import`, which the clerk's page calls too). Here: the file
//! read as a stream in chunks, the entries signed with the key files given,
//! one chunk with the writer while the next is read and signed, a progress
//! bar and the report.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::datadir::read_signer_key;
use super::{new_nonce, CliError, DataDir};
use crate::ledger::{Envelope, SignerKey};
use crate::model::{log_origin, Area, Refusal, Role};
use crate::registry::import::{stream_features, Report, ToSign};
use crate::registry::{Registry, ServiceError};
use crate::store::{Db, Pending};

/// Features signed and submitted together.
const CHUNK: usize = 20_000;

/// A chunk's entries as signed, each with the area its geometry measured.
type Signed = Vec<(ToSign, Option<Area>)>;

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> CliError {
        CliError::Usage(format!("{} — {}", e, e.message_zh()))
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
    let registry = Registry::new(db.clone(), dir.start_writer(&db)?);
    let signers = signers_by_party(&registry, keys)?;
    let mut known = registry.registered_codes()?;
    let origin = log_origin(&county);
    let (source, total) = open_survey(file)?;
    let bar = super::progress_bar(total, "{bar:40} {bytes}/{total_bytes} ({eta})");
    let mut report = Report::default();
    let mut chunk = Vec::with_capacity(CHUNK);
    let reader = ProgressReader {
        inner: source,
        bar: &bar,
    };
    // One chunk is with the writer while the next is read and signed.
    let mut in_flight: Option<(Signed, Pending)> = None;
    let mut failed = None;
    let mut submit = |chunk: &mut Vec<(usize, Value)>, report: &mut Report| {
        let entries = registry.survey_entries(chunk.drain(..), &known, report);
        let time = registry.now_stamp();
        let (signed, envelopes) = sign(&origin, &time, &signers, entries, report);
        match registry.submit_batch(envelopes) {
            Ok(pending) => {
                if let Some((signed, pending)) = in_flight.replace((signed, pending)) {
                    let before = report.accepted.len();
                    report.record(signed, pending);
                    known.extend(report.accepted[before..].iter().cloned());
                }
            }
            Err(e) => failed = Some(e),
        }
    };
    let parsed = stream_features(BufReader::with_capacity(1 << 20, reader), |i, feature| {
        chunk.push((i, feature));
        if chunk.len() == CHUNK {
            submit(&mut chunk, &mut report);
        }
    });
    submit(&mut chunk, &mut report);
    if let Some((signed, pending)) = in_flight.take() {
        report.record(signed, pending);
    }
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e.into());
    }
    if parsed.is_ok() {
        let contracts = registry.survey_contracts(&mut report)?;
        let (signed, envelopes) = sign(
            &origin,
            &registry.now_stamp(),
            &signers,
            contracts,
            &mut report,
        );
        let pending = registry.submit_batch(envelopes)?;
        report.record(signed, pending);
    }
    registry.shutdown();
    parsed.map_err(|e| {
        CliError::Usage(format!(
            "{}: not a GeoJSON FeatureCollection: {e}",
            file.display()
        ))
    })?;
    report.finish();
    if let Some(path) = report_to {
        std::fs::write(path, serde_json::to_vec_pretty(&report).expect("report"))?;
    }
    Ok(report)
}

/// A survey file as GeoJSON features to read: a `.geojson` as it is, or a
/// shapefile (`.shp` with its `.dbf`, `.prj` and `.cpg` beside it) with its
/// coordinates converted from the zone its `.prj` names and its table
/// decoded (issue 19); and how many bytes the reading will take.
fn open_survey(file: &Path) -> Result<(Box<dyn std::io::Read>, u64), CliError> {
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(format!("{}: {e}", file.display()));
    let is_shp = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if !is_shp {
        let f = std::fs::File::open(file).map_err(|e| usage(&e))?;
        let total = f.metadata().map_err(|e| usage(&e))?.len();
        return Ok((Box::new(f), total));
    }
    let beside = |ext: &str| file.with_extension(ext);
    let read =
        |ext: &str| std::fs::read(beside(ext)).map_err(|e| usage(&format!("its .{ext}: {e}")));
    let shp = std::fs::read(file).map_err(|e| usage(&e))?;
    let dbf = read("dbf")?;
    let prj = String::from_utf8(read("prj")?).map_err(|e| usage(&format!("its .prj: {e}")))?;
    let crs = crate::spatial::crs::of_wkt(&prj)
        .map_err(|e| usage(&format!("{e} — {}", e.message_zh())))?;
    let cpg = std::fs::read_to_string(beside("cpg")).ok();
    let encoding = crate::spatial::shapefile::encoding_of(cpg.as_deref(), &dbf);
    let records = crate::spatial::shapefile::read(&shp, &dbf, encoding)
        .map_err(|e| usage(&format!("{e} — {}：{}", e.part, e.why_zh)))?;
    let features: Vec<Value> = records
        .iter()
        .map(|r| {
            use crate::spatial::shapefile::Attribute;
            let properties: serde_json::Map<String, Value> = r
                .attributes
                .iter()
                .filter_map(|(k, v)| {
                    let v = match v {
                        Attribute::Text(t) | Attribute::Number(t) => Value::String(t.clone()),
                        // NY/T 2539 dates (CBQXQ, CBQXZ) as the import reads them.
                        Attribute::Date(d) if d.len() == 8 => {
                            Value::String(format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
                        }
                        Attribute::Date(d) => Value::String(d.clone()),
                        Attribute::Bool(b) => Value::Bool(*b),
                        Attribute::Null => return None,
                    };
                    Some((k.clone(), v))
                })
                .collect();
            serde_json::json!({
                "type": "Feature",
                "properties": properties,
                "geometry": crate::spatial::shapefile::geojson(&r.rings, crs),
            })
        })
        .collect();
    let bytes =
        serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features}))
            .expect("features serialise");
    let total = bytes.len() as u64;
    Ok((Box::new(std::io::Cursor::new(bytes)), total))
}

/// The keys given, by the party they are bound to on the log.
fn signers_by_party(
    registry: &Registry,
    keys: &[PathBuf],
) -> Result<HashMap<String, SignerKey>, CliError> {
    let mut by_party = HashMap::new();
    for path in keys {
        let key = read_signer_key(path)?;
        let binding = registry
            .key(&key.public_bytes())
            .ok()
            .filter(|b| b.key.revoked_at.is_none())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: this key is not registered (or was revoked) on the log",
                    path.display()
                ))
            })?;
        if ![Role::County.as_str(), Role::Collective.as_str()].contains(&binding.key.role) {
            return Err(CliError::Usage(format!(
                "{}: a {} key imports nothing",
                path.display(),
                binding.key.role
            )));
        }
        // Under the authority rules the registry registers collectives; a
        // root key given beside it is not the one to sign (A2).
        let registry_office = binding.key.department == Some(crate::model::Department::Registry);
        if registry_office || !by_party.contains_key(&binding.party) {
            by_party.insert(binding.party, key);
        }
    }
    Ok(by_party)
}

/// Signs the entries (in parallel) with the key of the party each names,
/// and prepares their geometry, so that the area can be compared with the
/// declared one; what cannot be signed is rejected in the report.
fn sign(
    origin: &str,
    time: &str,
    signers: &HashMap<String, SignerKey>,
    entries: Vec<ToSign>,
    report: &mut Report,
) -> (Signed, Vec<Envelope>) {
    type Outcome = Result<(Envelope, Option<Area>), (&'static str, String)>;
    let signed: Vec<(ToSign, Outcome)> = entries
        .into_par_iter()
        .map(|it| {
            let key = it.party.as_ref().and_then(|p| signers.get(p));
            let result = match key {
                None => Err((
                    "no_key",
                    format!(
                        "no key was given for {}",
                        it.party.as_deref().unwrap_or("?")
                    ),
                )),
                Some(key) => {
                    Envelope::sign(key, origin, it.kind, &new_nonce(), time, it.body.clone())
                        .map_err(|e| (e.code(), e.to_string()))
                        .and_then(|mut env| {
                            crate::store::writer::prepare(&mut env)
                                .map_err(|e| (e.code(), e.to_string()))?;
                            let area = env.footprints.first().map(|f| f.area);
                            Ok((env, area))
                        })
                }
            };
            (it, result)
        })
        .collect();
    let mut out = Vec::new();
    let mut envelopes = Vec::new();
    for (it, result) in signed {
        match result {
            Ok((env, area)) => {
                envelopes.push(env);
                out.push((it, area));
            }
            Err((code, reason)) if it.kind.starts_with("contract.") => {
                report.warn(&it, "contract_refused", format!("{code}: {reason}"))
            }
            Err((code, reason)) => report.reject(&it, code, reason),
        }
    }
    (out, envelopes)
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
