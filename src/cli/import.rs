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
use crate::model::person::PersonRecord;
use crate::model::{log_origin, Area, Refusal, Role};
use crate::registry::import::{stream_features, Report, RowRefusal, SurveyedParcel, ToSign};
use crate::registry::package::{Package, PackageError, Source};
use crate::registry::{Registry, ServiceError};
use crate::store::{Db, Pending};

/// Features signed and submitted together.
const CHUNK: usize = 5_000;

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
    import(dir, database_url, keys, report_to, file, false)
}

/// `--check`: every check an import makes — the package's own, then the
/// log's rules, each entry against those before it — by a writer that
/// writes nothing.
pub fn check(
    dir: &DataDir,
    database_url: Option<&str>,
    keys: &[PathBuf],
    report_to: Option<&Path>,
    file: &Path,
) -> Result<Report, CliError> {
    import(dir, database_url, keys, report_to, file, true)
}

fn import(
    dir: &DataDir,
    database_url: Option<&str>,
    keys: &[PathBuf],
    report_to: Option<&Path>,
    file: &Path,
    dry: bool,
) -> Result<Report, CliError> {
    let _lock = dir.lock()?;
    let county = dir.config.county.clone();
    let db = Db::open(&dir.database_url(database_url), &county)?;
    let writer = if dry {
        dir.start_dry_writer(&db)?
    } else {
        dir.start_writer(&db)?
    };
    let registry = Registry::new(db.clone(), writer);
    let signers = signers_by_party(&registry, keys)?;
    let mut run = Run {
        known: registry.registered_codes()?,
        registry: &registry,
        origin: log_origin(&county),
        signers,
        report: Report::default(),
        in_flight: None,
        dry,
    };
    let geojson = ["geojson", "json"]
        .iter()
        .any(|e| file.extension().is_some_and(|x| x.eq_ignore_ascii_case(e)));
    let result = if geojson {
        run.geojson(file)
    } else {
        run.package(file)
    };
    let mut report = run.finish();
    registry.shutdown();
    result?;
    report.finish();
    if let Some(path) = report_to {
        let bytes = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html"))
        {
            crate::web::report::page(&report, &file.display().to_string(), dry).into_bytes()
        } else {
            serde_json::to_vec_pretty(&report).expect("report")
        };
        std::fs::write(path, bytes)?;
    }
    Ok(report)
}

/// An import under way: the entries signed with the keys given and sent to
/// the writer in chunks, one chunk with the writer while the next is read
/// and signed.
struct Run<'a> {
    registry: &'a Registry,
    origin: String,
    signers: HashMap<String, SignerKey>,
    /// Collectives and parcels registered, before and by this run.
    known: std::collections::HashSet<String>,
    report: Report,
    in_flight: Option<(Signed, Pending)>,
    /// `--check`: the entries are judged by a writer that writes nothing,
    /// and so are not signed ([`Envelope::unsigned`]).
    dry: bool,
}

impl Run<'_> {
    /// Signs `entries` and queues them; records the chunk before.
    fn submit(&mut self, entries: Vec<ToSign>) -> Result<(), CliError> {
        let time = self.registry.now_stamp();
        let (signed, envelopes) = sign(
            &self.origin,
            &time,
            &self.signers,
            entries,
            &mut self.report,
            self.dry,
        );
        let pending = self.registry.submit_batch_with_personal(envelopes)?;
        if let Some((signed, pending)) = self.in_flight.replace((signed, pending)) {
            self.record(signed, pending);
        }
        Ok(())
    }

    fn record(&mut self, signed: Signed, pending: Pending) {
        let before = self.report.accepted.len();
        self.report.record(signed, pending);
        self.known
            .extend(self.report.accepted[before..].iter().cloned());
    }

    /// Waits for what is with the writer: the next step needs it.
    fn settle(&mut self) {
        if let Some((signed, pending)) = self.in_flight.take() {
            self.record(signed, pending);
        }
    }

    fn finish(mut self) -> Report {
        self.settle();
        self.report
    }

    /// Collectives and parcels, a chunk at a time.
    fn features(
        &mut self,
        features: impl Iterator<Item = (Source, Value)>,
        bar: &indicatif::ProgressBar,
    ) -> Result<(), CliError> {
        let mut chunk = Vec::with_capacity(CHUNK);
        for f in features {
            chunk.push(f);
            if chunk.len() == CHUNK {
                bar.inc(CHUNK as u64);
                let entries =
                    self.registry
                        .survey_entries(chunk.drain(..), &self.known, &mut self.report);
                self.submit(entries)?;
            }
        }
        bar.inc(chunk.len() as u64);
        let entries = self
            .registry
            .survey_entries(chunk, &self.known, &mut self.report);
        self.submit(entries)?;
        self.settle();
        Ok(())
    }

    /// A GeoJSON FeatureCollection, streamed; then the contracts of the
    /// households its parcels name.
    fn geojson(&mut self, file: &Path) -> Result<(), CliError> {
        let usage = |e: &dyn std::fmt::Display| CliError::Usage(format!("{}: {e}", file.display()));
        let f = std::fs::File::open(file).map_err(|e| usage(&e))?;
        let total = f.metadata().map_err(|e| usage(&e))?.len();
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bar = super::progress_bar(total, "{bar:40} {bytes}/{total_bytes} ({eta})");
        let reader = ProgressReader {
            inner: f,
            bar: &bar,
        };
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut failed = None;
        let parsed = stream_features(BufReader::with_capacity(1 << 20, reader), |i, feature| {
            let source = Source {
                file: name.clone(),
                row: i + 1,
            };
            chunk.push((source, feature));
            if chunk.len() == CHUNK && failed.is_none() {
                let entries =
                    self.registry
                        .survey_entries(chunk.drain(..), &self.known, &mut self.report);
                if let Err(e) = self.submit(entries) {
                    failed = Some(e);
                }
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let hidden = indicatif::ProgressBar::hidden();
        self.features(chunk.into_iter(), &hidden)?;
        bar.finish_and_clear();
        parsed.map_err(|e| usage(&format!("not a GeoJSON FeatureCollection: {e}")))?;
        let contracts = self.registry.survey_contracts(&mut self.report)?;
        self.submit(contracts)?;
        self.settle();
        Ok(())
    }

    /// A NY/T 2539 package (a folder, a `.zip`, or one `.shp`): its
    /// collectives and parcels, then the households of CBF with their
    /// members, the contracts of CBHT and CBDKXX, and the certificates of
    /// CBJYQZ — each step once the one before is on the log.
    fn package(&mut self, file: &Path) -> Result<(), CliError> {
        let usage = |e: PackageError| CliError::Usage(format!("{e} — {}：{}", e.file, e.why_zh));
        let started = std::time::Instant::now();
        let phase = |what: &str| {
            tracing::debug!(
                phase = what,
                seconds = started.elapsed().as_secs_f64(),
                peak_mib = super::peak_rss_mib(),
                "import"
            )
        };
        let package = Package::open(file).map_err(usage)?;
        let tables = package.tables().map_err(usage)?;
        let parcels = package.layer("DK").map_err(usage)?;
        let rows = parcels.as_ref().map_or(0, |l| l.records.len())
            + tables.values().map(|t| t.len()).sum::<usize>();
        let bar = super::progress_bar(rows as u64, "{bar:40} {pos}/{len} ({eta})");
        let collectives = self
            .registry
            .package_collectives(&package, &tables, &self.known, &mut self.report)
            .map_err(usage)?;
        self.features(collectives.into_iter(), &bar)?;
        phase("tables read, collectives");
        let mut surveyed = Vec::new();
        if let Some(layer) = parcels {
            let mut failed = None;
            let features = layer
                .features()
                .map_while(|f| match f {
                    Ok(f) => Some(f),
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                })
                .inspect(|(source, f)| surveyed.extend(SurveyedParcel::of(source, f)));
            self.features(features, &bar)?;
            if let Some(e) = failed {
                return Err(usage(e));
            }
        }
        // The layers are read: their bytes (most of the package) go.
        drop(package);
        phase("parcels");
        surveyed.retain(|p| self.known.contains(&p.code));
        crate::registry::import::four_sides(&surveyed, &tables, &mut self.report);
        drop(surveyed);
        phase("four sides");
        if !tables.contains_key("CBHT") {
            // A layer alone: the contracts its parcels' CBFBM imply.
            let contracts = self.registry.survey_contracts(&mut self.report)?;
            self.submit(contracts)?;
            self.settle();
            bar.finish_and_clear();
            return Ok(());
        }
        // Households, then contracts, a chunk at a time: what is planned
        // waits in memory until it is signed.
        let mut members = self.registry.household_members()?;
        let mut households = self.registry.package_households(&tables, &mut self.report);
        let mut planned: Vec<(String, Vec<String>)> = Vec::new();
        loop {
            let read = self.report.rows_read();
            let Some(chunk) = households.next(CHUNK, &members, &mut self.report) else {
                break;
            };
            bar.inc((self.report.rows_read() - read) as u64);
            planned.extend(chunk.iter().map(|h| {
                let persons = h.personal.iter().map(|p| p.commitment()).collect();
                (h.code.clone(), persons)
            }));
            self.submit(chunk)?;
        }
        self.settle();
        phase("households");
        let accepted: std::collections::HashSet<&String> = self.report.accepted.iter().collect();
        members.extend(
            planned
                .into_iter()
                .filter(|(code, _)| accepted.contains(code)),
        );
        let mut contracts = self.registry.package_contracts(&tables, &mut self.report)?;
        loop {
            let read = self.report.rows_read();
            let Some(chunk) = contracts.next(CHUNK, &members, &mut self.report) else {
                break;
            };
            bar.inc((self.report.rows_read() - read) as u64);
            self.submit(chunk)?;
        }
        self.settle();
        phase("contracts");
        let certificates = self
            .registry
            .package_certificates(&tables, &mut self.report)?;
        self.submit(certificates)?;
        self.settle();
        phase("certificates");
        bar.finish_and_clear();
        Ok(())
    }
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

/// Signs the entries (in parallel) with the key of the party each names
/// (for a `dry` run only names it as the signer), and prepares their
/// geometry, so that the area can be compared with the declared one; what
/// cannot be signed is rejected in the report.
fn sign(
    origin: &str,
    time: &str,
    signers: &HashMap<String, SignerKey>,
    entries: Vec<ToSign>,
    report: &mut Report,
    dry: bool,
) -> (Signed, Vec<(Envelope, Vec<PersonRecord>)>) {
    type Outcome = Result<(Envelope, Option<Area>), Box<dyn Refusal + Send>>;
    let signed: Vec<(ToSign, Outcome)> = entries
        .into_par_iter()
        .map(|mut it| {
            let key = it.party.as_ref().and_then(|p| signers.get(p));
            let result: Outcome = match key {
                None => Err(Box::new(RowRefusal::no_key(
                    it.party.as_deref().unwrap_or_default(),
                ))),
                Some(key) => {
                    // The body goes into the envelope; a notice keeps it
                    // for the report (the contracts it lists).
                    let body = if it.kind == "notice.post" {
                        it.body.clone()
                    } else {
                        std::mem::take(&mut it.body)
                    };
                    let (kind, nonce) = (it.kind, &new_nonce());
                    if dry {
                        Envelope::unsigned(key.public_bytes(), origin, kind, nonce, time, body)
                    } else {
                        Envelope::sign(key, origin, kind, nonce, time, body)
                    }
                    .map_err(|e| Box::new(e) as Box<dyn Refusal + Send>)
                    .and_then(|mut env| {
                        crate::store::writer::prepare(&mut env)
                            .map_err(|e| Box::new(e) as Box<dyn Refusal + Send>)?;
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
    for (mut it, result) in signed {
        match result {
            Ok((env, area)) => {
                envelopes.push((env, std::mem::take(&mut it.personal)));
                out.push((it, area));
            }
            Err(refusal) => report.refuse(&it, refusal.as_ref()),
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
