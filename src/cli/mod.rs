//! The `sanquan` command line.

mod backup;
mod bench;
mod datadir;
mod demo;
mod export;
pub mod generate;
pub mod import;
mod monitor;
mod proofs;
mod witness;

pub use datadir::{Config, DataDir};

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use clap::{Parser, Subcommand};

use crate::http::ErrorBody;
use crate::ledger::{Envelope, SignerKey};
use crate::model::{codes, log_origin};
use crate::registry::Registry;
use crate::store::verify::{verify, VerifyError};
use crate::store::{queries, Db, StoreError, SubmitError, Writer};
use datadir::{read_signer_key, write_key_pair, ServerInfo};

#[derive(Parser)]
#[command(
    name = "sanquan",
    version,
    about = "三权 — registry and exchange of rural collective property rights on a signed Merkle log"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// Data directory made by `sanquan init`.
    #[arg(long, env = "SANQUAN_DATA_DIR")]
    data_dir: PathBuf,
    /// postgres://… to use PostgreSQL instead of the SQLite file in the data directory.
    #[arg(long, env = "SANQUAN_DATABASE_URL")]
    database_url: Option<String>,
}

/// `sanquan submit`.
#[derive(clap::Args)]
struct SubmitArgs {
    /// Data directory; if a server runs on it, the entry goes through the server.
    #[arg(long, env = "SANQUAN_DATA_DIR", required_unless_present = "server")]
    data_dir: Option<PathBuf>,
    #[arg(long, env = "SANQUAN_DATABASE_URL")]
    database_url: Option<String>,
    /// Base URL of a running server, e.g. http://127.0.0.1:8080 (its home
    /// county), or a county's API root on a province's server,
    /// http://…/api/v1/counties/140421.
    #[arg(long, conflicts_with = "data_dir")]
    server: Option<String>,
    /// The signer key file.
    #[arg(long)]
    key: PathBuf,
    /// Entry kind, e.g. key.register.
    #[arg(long)]
    kind: String,
    /// JSON file with the body (`-` for standard input).
    #[arg(long)]
    body: PathBuf,
    /// Nonce; a random one by default.
    #[arg(long)]
    nonce: Option<String>,
    /// JSON array of the personal records of the persons the entry names
    /// (household.register); kept off the log.
    #[arg(long)]
    personal: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a data directory: database, log key, county root key, genesis entry.
    Init {
        #[command(flatten)]
        db: DbArgs,
        /// 6-digit county code (GB/T 2260), e.g. 140421.
        #[arg(long)]
        county: String,
        /// The county's name, e.g. 平顺县.
        #[arg(long)]
        name: String,
    },
    /// Make an Ed25519 key pair in the signed-note formats.
    Keygen {
        /// Key name, e.g. collective-14042100100101.
        #[arg(long)]
        name: String,
        /// Where to write the signer key; the verifier key goes to FILE.pub.
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve the HTTP API (and be the log's one writer).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        tls: TlsArgs,
        /// Seconds between the state log's leaves (issue 20), when the log
        /// grew; a title proof asked for in between commits at once.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        state_period: u64,
        /// Serve reads, proofs and pages only, from a database another
        /// server writes — a streaming replica's `--database-url` (issue 21).
        /// Takes no lock and keeps no key: every submit answers 503.
        #[arg(long)]
        read_only: bool,
        /// With --read-only: the county's trust policy (what `sanquan
        /// policy` prints on its server), pinned in the pages that verify
        /// title proofs; by default the data directory's, if it holds the
        /// log key.
        #[arg(long, requires = "read_only")]
        policy: Option<PathBuf>,
        /// Another county's data directory, served beside the first (issue
        /// 21: a province's server), each county with its own log, keys,
        /// writer and lock — in one database where their URLs are one. Each
        /// county answers at /api/v1/counties/{county}/…, and at /api/v1/…
        /// and in the pages under a host named for it (140427.example.gov.cn);
        /// under any other host, the first county (the home county) does.
        #[arg(long = "county-dir", conflicts_with = "read_only")]
        county_dirs: Vec<PathBuf>,
    },
    /// Sign and submit one entry, directly or through a server.
    Submit(SubmitArgs),
    /// Print the newest signed checkpoint.
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replay and check the whole log; exit 0 only if everything holds.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a backup of the county into a new folder, from one snapshot
    /// while the server runs (issue 21): the log, its newest checkpoint, and
    /// what the law keeps off the log — persons' records, contracts' pages
    /// of the parties, the state log. No secret key: keep `keys/` apart.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The new folder (readable by its owner only: it holds personal data).
        #[arg(long)]
        out: PathBuf,
    },
    /// Make a new data directory from a backup: the log replayed through
    /// the rules into an empty database, its root checked against the
    /// backup's checkpoint, then `verify`.
    Restore {
        /// The backup's folder.
        #[arg(long)]
        from: PathBuf,
        /// The county's keys folder (its `log.key` must be the log's).
        #[arg(long)]
        keys: PathBuf,
        /// The new data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// Restore onto this (empty) PostgreSQL database instead of the new
        /// directory's own SQLite file.
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// Register the collectives and parcels of a GeoJSON FeatureCollection
    /// (NY/T 2539 property names) through the pipeline — or of a parcel
    /// layer's shapefile (`DK.shp` with its .dbf, .prj and .cpg), in CGCS2000
    /// longitude/latitude or a Gauss–Krüger zone, its table in GBK or UTF-8.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// A signer key: the registry's for collectives, a collective's for
        /// its parcels, households and contracts. Give as many as the file
        /// needs.
        #[arg(long = "key", required = true)]
        keys: Vec<PathBuf>,
        /// Where to write the report: JSON, or a page to print (`.html`).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Run every check and write nothing.
        #[arg(long)]
        check: bool,
        /// A `.geojson`; a `.shp` with its sibling files; a NY/T 2539
        /// package folder, or a `.zip` of one.
        file: PathBuf,
    },
    /// Write the registry out for GIS tools: GeoJSON, shapefiles in a
    /// Gauss–Krüger zone, a GeoPackage, or a NY/T 2539 package that
    /// `import` reads back.
    Export {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum)]
        format: export::Format,
        /// EPSG:4490 (longitude/latitude) or a CGCS2000 Gauss–Krüger zone
        /// (EPSG:4491–4554); by default the county's 3° zone with its number
        /// in the easting.
        #[arg(long, value_name = "EPSG:CODE")]
        crs: Option<String>,
        /// One collective (发包方编码) instead of the county.
        #[arg(long)]
        collective: Option<String>,
        /// A key that may read the members' names and ID numbers (the
        /// county's, or the collective's); without one they are left out.
        #[arg(long)]
        key: Option<PathBuf>,
        /// The file (GeoJSON, GeoPackage) or folder (shapefiles, package).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a synthetic county as GeoJSON (deterministic): the demo county,
    /// or one of any size.
    Generate {
        /// The demo county (two villages, 800 parcels), as in geodata/.
        #[arg(long, conflicts_with = "parcels")]
        demo: bool,
        /// How many parcels.
        #[arg(long)]
        parcels: Option<u64>,
        /// Write a NY/T 2539 package (a folder of shapefiles and GBK
        /// tables) in this CGCS2000 Gauss–Krüger zone, e.g. EPSG:4526.
        #[arg(long, value_name = "EPSG:CODE")]
        package: Option<String>,
        /// The GeoJSON file, or the package's folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Create a demo county in a fresh data directory, and serve it.
    Demo {
        /// Where to create it (default: a new directory under the system's temp dir).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the demo and exit without serving.
        #[arg(long)]
        load_only: bool,
        /// Keep the demo county on this PostgreSQL database instead of the
        /// data directory's SQLite file (kept in its config).
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Read the registry, as JSON.
    Query {
        #[command(flatten)]
        db: DbArgs,
        #[arg(value_enum)]
        what: Query,
        /// The code (of a collective for `parcels`), or the log index of a
        /// decision or distribution.
        id: String,
        /// Sign the read with this key: a household's personal data shows
        /// to the county, its collective and the household itself.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// A title's proof (issue 20): its record — or its absence — under the
    /// state map and a signed state checkpoint, to check offline.
    Prove {
        #[command(flatten)]
        db: DbArgs,
        #[arg(value_enum)]
        what: Provable,
        /// A parcel's 19-digit code, or ZJD or FE and a household's code.
        code: String,
        /// The compact form (what a certificate's QR holds), in base64.
        #[arg(long, conflicts_with = "at")]
        compact: bool,
        /// As of the newest state leaf at or before this event-log size
        /// (the log replayed to it; with the leaf's inclusion path).
        #[arg(long)]
        at: Option<u64>,
        /// Write it here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a title proof against a trust policy, with no network and no
    /// database; exit 0 only if it holds.
    VerifyProof(proofs::VerifyProofArgs),
    /// Print the county's trust policy (C2SP tlog-policy): its state-log
    /// key, witnesses and quorum.
    Policy {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Run a witness (C2SP tlog-witness) of neighbouring counties' state
    /// logs: it cosigns each checkpoint that only grows the log it saw, and
    /// refuses a fork.
    Witness(witness::WitnessArgs),
    /// Follow a county's log through its public endpoints, rebuild the
    /// state map from the events and check every state-log leaf.
    Monitor {
        /// The county's server, e.g. http://127.0.0.1:8080.
        url: String,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        which: bench::Bench,
    },
}

/// What `sanquan prove` proves.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Provable {
    /// A title: a parcel, a homestead (ZJD…), a shares holding (FE…).
    Title,
}

/// What `sanquan query` reads.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Query {
    Collective,
    Parcel,
    /// The parcels of a collective.
    Parcels,
    Title,
    Household,
    Certificate,
    Decision,
    Distribution,
    /// A listing of the exchange, with its history.
    Listing,
    /// Listings by status: review, notice, trading, awarded, settled, rejected.
    Listings,
    /// What a household earned from its transfers and dividends.
    Income,
    /// The county's attestation of a household's retained rights (G3).
    Attestation,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "another sanquan process is the writer of {0} and serves no API; stop it or use --server"
    )]
    Busy(PathBuf),
    #[error("refused: {} — {} / {}{}", .0.code, .0.message, .0.message_zh, .0.field.as_ref().map(|f| format!(" (field {f})")).unwrap_or_default())]
    Refused(ErrorBody),
    #[error("{0}")]
    Verify(#[from] VerifyError),
    #[error("HTTP: {0}")]
    Http(String),
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SANQUAN_LOG")
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if !matches!(
        cli.command,
        Command::Serve { .. } | Command::Demo { .. } | Command::Witness(_)
    ) {
        quiet_on_a_closed_pipe();
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sanquan: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Output cut short (`sanquan … | head`) ends the command quietly with the
/// status of a program the shell's pipe closed (141), not a panic: Rust
/// ignores SIGPIPE, so `println!` panics on a closed pipe instead. Not for
/// `serve`: a server does not end for want of a reader of its standard
/// output.
fn quiet_on_a_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map_or("", String::as_str);
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Init { db, county, name } => init(&db, &county, &name),
        Command::Keygen { name, out } => {
            let key =
                SignerKey::generate(&name).map_err(|e| CliError::Usage(format!("--name: {e}")))?;
            write_key_pair(&out, &key)?;
            println!("{}", key.verifier());
            Ok(())
        }
        Command::Serve {
            db,
            listen,
            tls,
            read_only: true,
            policy,
            ..
        } => serve_read_only(&db, &listen, &tls, policy.as_deref()),
        Command::Serve {
            db,
            listen,
            tls,
            state_period,
            county_dirs,
            ..
        } => serve(&db, &county_dirs, &listen, &tls, state_period),
        Command::Submit(args) => submit(&args),
        Command::Checkpoint { db } => {
            let dir = DataDir::open(&db.data_dir)?;
            let store = Db::open(
                &dir.database_url(db.database_url.as_deref()),
                &dir.config.county,
            )?;
            let (_, note) = queries::latest_checkpoint(&mut *store.conn()?, &store.county)?
                .ok_or_else(|| CliError::Usage("the log has no checkpoint yet".into()))?;
            print!("{note}");
            Ok(())
        }
        Command::Verify { db } => verify_cmd(&db),
        Command::Backup { db, out } => backup::run_backup(&db, &out),
        Command::Restore {
            from,
            keys,
            data_dir,
            database_url,
        } => backup::run_restore(&from, &keys, &data_dir, database_url),
        Command::Prove {
            db,
            what: Provable::Title,
            code,
            compact,
            at,
            out,
        } => proofs::prove(&db, &code, compact, at, out.as_deref()),
        Command::VerifyProof(args) => proofs::verify_proof(&args.policy, &args.file),
        Command::Policy { db } => proofs::print_policy(&db),
        Command::Witness(args) => witness::run(&args),
        Command::Monitor { url } => monitor::run(&url),
        Command::Query { db, what, id, key } => query(&db, what, &id, key.as_deref()),
        Command::Demo {
            data_dir,
            listen,
            load_only,
            database_url,
            tls,
        } => {
            let path = demo::demo_dir(data_dir.as_deref());
            println!(
                "sanquan demo: creating {} (county {} {})",
                path.display(),
                demo::COUNTY,
                demo::COUNTY_NAME
            );
            let dir = demo::load(&path, database_url)?;
            println!(
                "demo keys:    {} (county.key the root, registry.key, civil_registration.key, justice.key, natural_resources.key, log.key) and {}",
                dir.path.join("keys").display(),
                dir.key_path("demo").display()
            );
            if load_only {
                return Ok(());
            }
            // Two neighbouring counties' witnesses, processes of their own,
            // cosign the demo's state log (issue 20).
            let _witnesses = witness::demo_witnesses(&dir)?;
            serve(
                &DbArgs {
                    data_dir: dir.path,
                    database_url: None,
                },
                &[],
                &listen,
                &tls,
                // The demo's state log moves each minute.
                60,
            )
        }
        Command::Import {
            db,
            keys,
            report,
            check,
            file,
        } => {
            let dir = DataDir::open(&db.data_dir)?;
            let url = db.database_url.as_deref();
            let r = if check {
                import::check(&dir, url, &keys, report.as_deref(), &file)?
            } else {
                import::run(&dir, url, &keys, report.as_deref(), &file)?
            };
            let t = &r.totals;
            println!(
                "{}: {} rows read; {} accepted, {} already registered, {} rejected, {} warnings, {} contracts granted or extended, {} on notice for their certificate, {} certificates issued",
                if check { "checked, nothing written" } else { "imported" },
                t.read,
                t.accepted,
                t.skipped,
                t.rejected,
                t.warnings,
                t.contracts,
                t.noticed,
                t.certificates
            );
            for x in r.rejected.iter().take(20) {
                println!(
                    "  {} row {} {} [{}] {}: {} — {}",
                    x.file,
                    x.row,
                    x.code,
                    x.field.as_deref().unwrap_or("-"),
                    x.error,
                    x.reason,
                    x.reason_zh
                );
            }
            if r.rejected.len() > 20 {
                println!("  … {} more in the report", r.rejected.len() - 20);
            }
            Ok(())
        }
        Command::Export {
            db,
            format,
            crs,
            collective,
            key,
            out,
        } => {
            let dir = DataDir::open(&db.data_dir)?;
            let crs = crs.as_deref().map(epsg_of).transpose()?;
            let n = export::run(
                &dir,
                db.database_url.as_deref(),
                export::Options {
                    format,
                    crs,
                    collective: collective.as_deref(),
                    key: key.as_deref(),
                    out: &out,
                },
            )?;
            println!("exported {n} parcels to {}", out.display());
            Ok(())
        }
        Command::Generate {
            demo,
            parcels,
            package,
            out,
        } => {
            let plan = match (demo, parcels) {
                (true, _) => generate::Plan::demo(),
                (false, Some(n)) => generate::Plan::synthetic(n),
                (false, None) => return Err(CliError::Usage("give --demo or --parcels N".into())),
            };
            if let Some(crs) = package {
                let epsg = epsg_of(&crs)?;
                let files = generate::write_package(&plan, &out, epsg)?;
                println!(
                    "wrote {} files of a NY/T 2539 package under {}",
                    files.len(),
                    out.display()
                );
                return Ok(());
            }
            let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
            generate::write_county(&plan, &mut file)?;
            std::io::Write::flush(&mut file)?;
            println!(
                "{}: {} collectives, {} parcels",
                out.display(),
                plan.collectives(),
                plan.parcels
            );
            Ok(())
        }
        Command::Bench { which } => bench::run(which),
    }
}

/// A progress bar on a terminal, nothing elsewhere.
/// `EPSG:4526` or `4526`.
fn epsg_of(text: &str) -> Result<u32, CliError> {
    let digits = text
        .strip_prefix("EPSG:")
        .or_else(|| text.strip_prefix("epsg:"))
        .unwrap_or(text);
    digits
        .parse()
        .map_err(|_| CliError::Usage(format!("{text}: give a coordinate system as EPSG:4526")))
}

pub(crate) fn progress_bar(len: u64, template: &str) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(len)
            .with_style(indicatif::ProgressStyle::with_template(template).expect("template"))
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// The most memory this process has held (its peak resident set), in MiB.
pub(crate) fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// A new log in a new data directory: its keys, its database and its
/// genesis entry, with the writer still running for what comes next.
pub(crate) struct NewLog {
    pub dir: DataDir,
    pub log_key: SignerKey,
    /// The county's root key: it signs only settings and department keys.
    pub county_key: SignerKey,
    /// The county's four departments' keys (A2), bound at the log's start,
    /// each in `keys/<department>.key`.
    pub departments: Vec<(crate::model::Department, SignerKey)>,
    pub writer: Writer,
    pub _lock: datadir::WriterLock,
}

impl NewLog {
    pub fn create(
        path: &Path,
        county: &str,
        name: &str,
        database_url: Option<String>,
    ) -> Result<NewLog, CliError> {
        Self::create_on(path, county, name, database_url, Default::default())
    }

    /// The same, its writers on `clock`.
    pub fn create_on(
        path: &Path,
        county: &str,
        name: &str,
        database_url: Option<String>,
        clock: crate::store::Clock,
    ) -> Result<NewLog, CliError> {
        codes::check_county(county).map_err(|(e, _)| CliError::Usage(format!("--county: {e}")))?;
        if name.trim().is_empty() {
            return Err(CliError::Usage("--name: the county's name is empty".into()));
        }
        let dir = DataDir::create(
            path,
            Config {
                county: county.to_owned(),
                database_url,
                site: Default::default(),
            },
        )?;
        let lock = dir.lock()?;
        let log_key = SignerKey::generate(&log_origin(county)).expect("valid name");
        let county_key = SignerKey::generate(&format!("county-{county}")).expect("valid name");
        write_key_pair(&dir.key_path("log.key"), &log_key)?;
        write_key_pair(&dir.key_path("county.key"), &county_key)?;
        let db = Db::open(&dir.database_url(None), county)?;
        if queries::log_size(&mut *db.conn()?, county)? > 0 {
            return Err(CliError::Usage(format!(
                "the database already holds the log of county {county}"
            )));
        }
        let writer = Writer::start_with_clock(&db, log_key.clone(), clock.clone())?;
        let mut dir = dir;
        dir.clock = clock;
        let mut log = NewLog {
            dir,
            log_key,
            county_key,
            departments: Vec::new(),
            writer,
            _lock: lock,
        };
        // A new county begins under the newest rules (A1–A7), and its root
        // key binds one key for each department.
        let body = serde_json::json!({
            "county": county,
            "name": name,
            "rules": crate::model::settings::RULES,
            "contracts": crate::model::settings::CONTRACTS,
            "log_vkey": log.log_key.verifier().to_string(),
            "root_vkey": log.county_key.verifier().to_string(),
        });
        log.submit(&log.county_key, "genesis", body)?;
        for d in crate::model::Department::ALL {
            let key = SignerKey::generate(&format!("{}-{county}", d.as_str())).expect("valid name");
            write_key_pair(&log.dir.key_path(&format!("{}.key", d.as_str())), &key)?;
            let body = serde_json::json!({"vkey": key.verifier().to_string(), "role": "county",
                                          "party": county, "department": d});
            log.submit(&log.county_key, "key.register", body)?;
            log.departments.push((d, key));
        }
        Ok(log)
    }

    /// The key of department `d`.
    pub fn department(&self, d: crate::model::Department) -> &SignerKey {
        self.departments
            .iter()
            .find(|(x, _)| *x == d)
            .map(|(_, k)| k)
            .expect("every department is bound at the start")
    }

    pub fn submit(
        &self,
        key: &SignerKey,
        kind: &str,
        body: serde_json::Value,
    ) -> Result<u64, CliError> {
        let env = sign_entry(
            key,
            &self.writer.origin,
            kind,
            &new_nonce(),
            &self.writer.clock().stamp(),
            body,
        )?;
        Ok(self
            .writer
            .submit_blocking(env)
            .map_err(submit_error)?
            .index)
    }
}

/// Signs an entry at `time`, as a client would.
fn sign_entry(
    key: &SignerKey,
    origin: &str,
    kind: &str,
    nonce: &str,
    time: &str,
    body: serde_json::Value,
) -> Result<Envelope, CliError> {
    Envelope::sign(key, origin, kind, nonce, time, body)
        .map_err(|e| CliError::Refused(crate::http::ApiError::from_refusal(&e).body))
}

fn init(args: &DbArgs, county: &str, name: &str) -> Result<(), CliError> {
    let NewLog {
        dir,
        log_key,
        county_key,
        departments,
        writer,
        _lock,
    } = NewLog::create(&args.data_dir, county, name, args.database_url.clone())?;
    writer.shutdown();
    let origin = log_origin(county);
    println!("log origin:   {origin}");
    println!("log key:      {}", log_key.verifier());
    println!(
        "county key:   {} (root: settings and department keys only)",
        county_key.verifier()
    );
    for (d, key) in &departments {
        println!("{:<13} {}", format!("{}:", d.as_str()), key.verifier());
    }
    println!("data dir:     {}", dir.path.display());
    println!("keys:         {}", dir.path.join("keys").display());
    Ok(())
}

/// HTTPS: browsers give WebCrypto (and so signing with a key that cannot be
/// read back) only to secure contexts, and a phone reaches a county server
/// by a LAN address.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// The server's certificate chain, PEM; with --tls-key, serve HTTPS.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key, PEM (PKCS #8, PKCS #1 or SEC1).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

impl TlsArgs {
    fn config(&self) -> Result<Option<rustls::ServerConfig>, CliError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) else {
            return Ok(None);
        };
        let bad = |what: &Path, e: &dyn std::fmt::Display| {
            CliError::Usage(format!("{}: {e}", what.display()))
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| bad(cert, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(cert, &e))?;
        if chain.is_empty() {
            return Err(bad(cert, &"holds no certificate"));
        }
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
        let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(cert, &e))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| bad(key, &e))?;
        Ok(Some(config))
    }
}

fn serve(
    args: &DbArgs,
    county_dirs: &[PathBuf],
    listen: &str,
    tls: &TlsArgs,
    state_period: u64,
) -> Result<(), CliError> {
    let tls = tls.config()?;
    let mut dirs = vec![DataDir::open(&args.data_dir)?];
    for path in county_dirs {
        let dir = DataDir::open(path)?;
        if let Some(twice) = dirs.iter().find(|d| d.config.county == dir.config.county) {
            return Err(CliError::Usage(format!(
                "--county-dir {}: county {} is served already, from {}",
                path.display(),
                dir.config.county,
                twice.path.display()
            )));
        }
        dirs.push(dir);
    }
    let site = served_site(&dirs[0])?;
    // Each county its own lock, log and writer; counties in one database
    // share one pool of readers (8 a county, at most 32), so a province of
    // 100 counties does not open 800 connections.
    let urls: Vec<String> = dirs
        .iter()
        .map(|d| d.database_url(args.database_url.as_deref()))
        .collect();
    let mut opened: Vec<(&str, Db)> = Vec::new();
    let mut locks = Vec::with_capacity(dirs.len());
    let mut registries = Vec::with_capacity(dirs.len());
    for (dir, url) in dirs.iter().zip(&urls) {
        locks.push(dir.lock()?);
        let county = &dir.config.county;
        let db = match opened.iter().find(|(u, _)| *u == url.as_str()) {
            Some((_, first)) => first.for_county(county),
            None => {
                let sharing = urls.iter().filter(|u| *u == url).count() as u32;
                let db = Db::open_sized(url, county, (8 * sharing).min(32))?;
                opened.push((url, db.for_county(county)));
                db
            }
        };
        let writer = Writer::start_keeping_state(
            &db,
            dir.log_key()?,
            dir.clock.clone(),
            std::time::Duration::from_secs(state_period),
            Some(
                crate::ledger::policy::Policy::parse(&proofs::county_policy(dir)?)
                    .map_err(CliError::Usage)?,
            ),
        )?;
        registries.push(Registry::new(db, writer));
    }
    let counties = crate::registry::Counties::new(registries).map_err(CliError::Usage)?;
    let listener = bind(listen)?;
    let url = served_url(&listener, &tls)?;
    for dir in &dirs {
        dir.set_server(Some(&ServerInfo {
            url: url.clone(),
            pid: std::process::id(),
            api: format!("{url}/api/v1/counties/{}", dir.config.county),
        }))?;
    }
    let origins: Vec<String> = counties.iter().map(|c| c.registry.origin()).collect();
    println!(
        "sanquan: serving {} — open {url}/ (the API is at {url}/api/v1/)",
        origins.join(", ")
    );
    let served = actix_web::rt::System::new().block_on(crate::server::serve_with(
        counties.clone(),
        listener,
        tls,
        site,
    ));
    for dir in &dirs {
        dir.set_server(None)?;
    }
    counties.shutdown();
    drop(locks);
    tracing::info!("stopped");
    Ok(served?)
}

/// `serve --read-only` (issue 21): reads, proofs and pages from a database
/// another server writes — no lock, no key, nothing written to the data
/// directory (its `server.json` names the county's writing server).
fn serve_read_only(
    args: &DbArgs,
    listen: &str,
    tls: &TlsArgs,
    policy: Option<&Path>,
) -> Result<(), CliError> {
    let tls = tls.config()?;
    let dir = DataDir::open(&args.data_dir)?;
    let site = served_site(&dir)?;
    let db = Db::open_read_only(
        &dir.database_url(args.database_url.as_deref()),
        &dir.config.county,
    )?;
    let policy = match policy {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("--policy {}: {e}", path.display())))?,
        ),
        None if dir.key_path("log.key").exists() => Some(proofs::county_policy(&dir)?),
        None => None,
    };
    let policy = policy
        .map(|text| crate::ledger::policy::Policy::parse(&text))
        .transpose()
        .map_err(|e| CliError::Usage(format!("--policy: {e}")))?;
    let registry = Registry::replica(db, policy);
    let listener = bind(listen)?;
    let url = served_url(&listener, &tls)?;
    println!(
        "sanquan: serving {} read only — open {url}/ (the API is at {url}/api/v1/)",
        registry.origin()
    );
    let counties = crate::registry::Counties::one(registry).map_err(CliError::Usage)?;
    Ok(actix_web::rt::System::new()
        .block_on(crate::server::serve_with(counties, listener, tls, site))?)
}

/// The site's settings from the data directory, checked.
fn served_site(dir: &DataDir) -> Result<crate::web::Site, CliError> {
    let site = dir.config.site.clone();
    if let Some(t) = site.map_tiles.as_ref().filter(|t| t.origin().is_none()) {
        return Err(CliError::Usage(format!(
            "config.json: map_tiles.url `{}` is not an http(s) URL template with {{z}}, {{x}} and {{y}}",
            t.url
        )));
    }
    Ok(site)
}

fn bind(listen: &str) -> Result<std::net::TcpListener, CliError> {
    std::net::TcpListener::bind(listen)
        .map_err(|e| CliError::Usage(format!("--listen {listen}: {e}")))
}

fn served_url(
    listener: &std::net::TcpListener,
    tls: &Option<rustls::ServerConfig>,
) -> Result<String, CliError> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    Ok(format!("{scheme}://{}", listener.local_addr()?))
}

fn query(db: &DbArgs, what: Query, id: &str, key: Option<&Path>) -> Result<(), CliError> {
    let dir = DataDir::open(&db.data_dir)?;
    let store = Db::open(
        &dir.database_url(db.database_url.as_deref()),
        &dir.config.county,
    )?;
    let reader = key
        .map(datadir::read_signer_key)
        .transpose()?
        .map(|k| k.public_bytes());
    let registry = crate::registry::Registry::reader(store);
    let index = || {
        id.parse::<u64>()
            .map_err(|_| CliError::Usage(format!("`{id}` is not a log index")))
    };
    let found = match what {
        Query::Collective => registry.collective(id).map(to_json),
        Query::Parcel => registry.parcel(id).map(to_json),
        Query::Parcels => registry.parcels(Some(id), None).map(to_json),
        Query::Title => registry.title(id).map(to_json),
        Query::Household => registry
            .household(id, reader.as_ref().map(crate::registry::Reader::Key))
            .map(to_json),
        Query::Certificate => registry.certificate(id).map(to_json),
        Query::Decision => registry.decision(index()?).map(to_json),
        Query::Distribution => registry.distribution(index()?).map(to_json),
        Query::Listing => registry.listing(index()?).map(to_json),
        Query::Listings => registry.listings(Some(id), None, None).map(to_json),
        Query::Income => registry.income(id).map(to_json),
        Query::Attestation => registry.attestation(index()?).map(to_json),
    }
    .map_err(|e| CliError::Refused(crate::http::ApiError::from_refusal(&e).body))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&found).expect("JSON values print")
    );
    Ok(())
}

fn submit(args: &SubmitArgs) -> Result<(), CliError> {
    let SubmitArgs {
        data_dir,
        database_url,
        server,
        key,
        kind,
        body,
        nonce,
        personal,
    } = args;
    let (data_dir, database_url, server, kind) = (
        data_dir.as_deref(),
        database_url.as_deref(),
        server.as_deref(),
        kind.as_str(),
    );
    let key = read_signer_key(key)?;
    let personal: Vec<crate::model::person::PersonRecord> = match personal {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("--personal: {e}")))?
        }
    };
    let body_text = if body == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(body)
            .map_err(|e| CliError::Usage(format!("{}: {e}", body.display())))?
    };
    let body: serde_json::Value = serde_json::from_str(&body_text)
        .map_err(|e| CliError::Usage(format!("--body is not JSON: {e}")))?;
    let nonce = nonce.clone().unwrap_or_else(new_nonce);
    let sign = |origin: &str| sign_entry(&key, origin, kind, &nonce, &now(), body.clone());
    let (index, leaf_hash) = match (server, data_dir) {
        (Some(url), _) => http_submit(url, &sign(&http_origin(url)?)?, &personal)?,
        (None, Some(path)) => {
            let dir = DataDir::open(path)?;
            let origin = log_origin(&dir.config.county);
            match dir.lock() {
                Ok(_lock) => {
                    let db = Db::open(&dir.database_url(database_url), &dir.config.county)?;
                    let writer = Writer::start(&db, dir.log_key()?)?;
                    let receipt = writer
                        .submit_with_personal_blocking(sign(&origin)?, personal)
                        .map_err(submit_error);
                    writer.shutdown();
                    let r = receipt?;
                    (r.index, B64.encode(r.leaf_hash))
                }
                Err(busy) => match dir.server() {
                    Some(info) => http_submit(&info.api(), &sign(&origin)?, &personal)?,
                    None => return Err(busy),
                },
            }
        }
        (None, None) => return Err(CliError::Usage("give --data-dir or --server".into())),
    };
    println!(
        "{}",
        serde_json::json!({"index": index, "leaf_hash": leaf_hash})
    );
    Ok(())
}

fn submit_error(e: SubmitError) -> CliError {
    match e {
        SubmitError::Refused(r) => CliError::Refused(crate::http::ApiError::from_refusal(&r).body),
        SubmitError::Geometry(g) => CliError::Refused(crate::http::ApiError::from_refusal(&g).body),
        SubmitError::Personal(p) => CliError::Refused(crate::http::ApiError::from_refusal(&p).body),
        other => CliError::Usage(other.to_string()),
    }
}

/// The API root of a server's URL: the URL itself where it names one
/// (`…/api/v1/counties/{county}` of a county a province's server holds),
/// else the home county's `{url}/api/v1`.
pub(crate) fn api_root(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.contains("/api/v1") {
        true => url.to_owned(),
        false => format!("{url}/api/v1"),
    }
}

fn http_origin(url: &str) -> Result<String, CliError> {
    let note = ureq::get(&format!("{}/checkpoint", api_root(url)))
        .call()
        .map_err(|e| CliError::Http(e.to_string()))?
        .into_string()?;
    note.lines()
        .next()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Http("empty checkpoint".into()))
}

fn http_submit(
    url: &str,
    env: &Envelope,
    personal: &[crate::model::person::PersonRecord],
) -> Result<(u64, String), CliError> {
    // Personal records travel beside the envelope, never inside it.
    let bytes = if personal.is_empty() {
        env.to_json()
    } else {
        let envelope: serde_json::Value =
            serde_json::from_slice(&env.to_json()).expect("our own JSON");
        serde_json::to_vec(&serde_json::json!({"envelope": envelope, "personal": personal}))
            .expect("JSON")
    };
    let resp = ureq::post(&format!("{}/entries", api_root(url)))
        .set("Content-Type", "application/json")
        .send_bytes(&bytes);
    let value: serde_json::Value = match resp {
        Ok(r) => r.into_json()?,
        Err(ureq::Error::Status(_, r)) => {
            let v: serde_json::Value = r.into_json()?;
            let e = &v["error"];
            return Err(CliError::Refused(ErrorBody {
                code: e["code"].as_str().unwrap_or("unknown").to_owned(),
                message: e["message"].as_str().unwrap_or_default().to_owned(),
                message_zh: e["message_zh"].as_str().unwrap_or_default().to_owned(),
                field: e["field"].as_str().map(str::to_owned),
            }));
        }
        Err(e) => return Err(CliError::Http(e.to_string())),
    };
    Ok((
        value["index"].as_u64().unwrap_or_default(),
        value["leaf_hash"].as_str().unwrap_or_default().to_owned(),
    ))
}

fn verify_cmd(args: &DbArgs) -> Result<(), CliError> {
    let dir = DataDir::open(&args.data_dir)?;
    let db = Db::open(
        &dir.database_url(args.database_url.as_deref()),
        &dir.config.county,
    )?;
    verified(&dir, &db)
}

/// Verifies the log of `db` against the directory's log key, and says so.
fn verified(dir: &DataDir, db: &Db) -> Result<(), CliError> {
    let vkey = dir.log_vkey()?;
    let bar = progress_bar(0, "{bar:40} {pos}/{len} entries ({per_sec}, {eta})");
    let started = std::time::Instant::now();
    let report = verify(db, &vkey, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let report = report?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "ok: {} entries of {} verified in {secs:.2} s ({:.0} entries/s); root {} signed by {}",
        report.entries,
        report.checkpoint.origin,
        report.entries as f64 / secs.max(1e-9),
        B64.encode(report.checkpoint.root),
        vkey
    );
    Ok(())
}

/// A typed view as JSON, as the command line prints every read.
fn to_json<V: serde::Serialize>(view: V) -> serde_json::Value {
    serde_json::to_value(view).unwrap_or_default()
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn new_nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}
