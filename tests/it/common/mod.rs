//! Test harness: a fresh log on either backend and a test world run on each
//! (here); signed entries (`fixtures`); the market of a village, the
//! exchange and a transferee (`market`); the app on a random port (`http`);
//! the binary (`cli`); the words of refusals (`words`); the documents the
//! code makes (`docs`).

mod cli;
mod docs;
mod fixtures;
mod http;
mod market;
mod words;

pub use cli::*;
pub use docs::*;
pub use fixtures::*;
pub use http::*;
pub use market::*;
pub use words::*;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use sanquan::ledger::{Envelope, SignerKey};
use sanquan::model::log_origin;
use sanquan::registry::Registry;
use sanquan::store::pg_temp::TempPostgres;
use sanquan::store::{Db, Writer};
use serde_json::{json, Value};

pub const COUNTY: &str = "140421";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to test: SQLite always; PostgreSQL when a server can start.
/// With `SANQUAN_REQUIRE_PG` set (CI), a PostgreSQL that cannot start fails
/// the tests instead of skipping them.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if postgres().is_some() {
        all.push(Backend::Postgres);
    }
    all
}

fn postgres() -> Option<&'static TempPostgres> {
    static PG: OnceLock<Option<TempPostgres>> = OnceLock::new();
    PG.get_or_init(|| own_postgres(TempPostgres::start))
        .as_ref()
}

/// A PostgreSQL server of the test's own (one it stops, or copies), started
/// by `start`, or none — skipped with a message, or failed under
/// `SANQUAN_REQUIRE_PG`.
pub fn own_postgres(start: fn() -> Result<TempPostgres, String>) -> Option<TempPostgres> {
    match start() {
        Ok(pg) => Some(pg),
        Err(e) if std::env::var_os("SANQUAN_REQUIRE_PG").is_some() => {
            panic!("PostgreSQL is required (SANQUAN_REQUIRE_PG) but did not start: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL tests: {e}");
            None
        }
    }
}

static NEXT: AtomicU64 = AtomicU64::new(1);

pub fn unique() -> u64 {
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A fresh database: a temporary SQLite file or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => dir.path().join("sanquan.db").to_string_lossy().into_owned(),
            Backend::Postgres => postgres()
                .expect("postgres")
                .create_database(&format!("t{}_{}", std::process::id(), unique()))
                .unwrap(),
        };
        TestDb { url, _dir: dir }
    }

    /// A database at this URL, made elsewhere (a Citus cluster's).
    pub fn at(url: String) -> TestDb {
        TestDb {
            url,
            _dir: tempfile::tempdir().unwrap(),
        }
    }
}

/// A log after genesis, with its writer running.
pub struct TestLog {
    pub db: Db,
    pub test_db: TestDb,
    pub writer: Option<Writer>,
    pub log_key: SignerKey,
    pub county_key: SignerKey,
    /// The writer's clock, which a test may run ahead.
    pub clock: sanquan::store::Clock,
}

impl TestLog {
    pub fn new(backend: Backend) -> TestLog {
        TestLog::on(TestDb::new(backend))
    }

    /// A log after genesis on this database.
    pub fn on(test_db: TestDb) -> TestLog {
        let db = Db::open(&test_db.url, COUNTY).unwrap();
        let log_key = SignerKey::generate(&log_origin(COUNTY)).unwrap();
        let county_key = SignerKey::generate("county-140421").unwrap();
        let clock = sanquan::store::Clock::default();
        fixtures::TEST_CLOCK.with(|c| *c.borrow_mut() = Some(clock.clone()));
        let writer = Writer::start_with_clock(&db, log_key.clone(), clock.clone()).unwrap();
        let log = TestLog {
            db,
            test_db,
            writer: Some(writer),
            log_key,
            county_key,
            clock,
        };
        let genesis = json!({
            "county": COUNTY,
            "name": "平顺县",
            "log_vkey": log.log_key.verifier().to_string(),
            "root_vkey": log.county_key.verifier().to_string(),
            // The Chinese contracts (M5); the rules stay the first unless a
            // test raises them.
            "contracts": sanquan::model::settings::CONTRACTS,
        });
        log.submit(&log.county_key, "genesis", genesis)
            .expect("genesis");
        log
    }

    pub fn writer(&self) -> &Writer {
        self.writer.as_ref().expect("writer running")
    }

    pub fn submit(
        &self,
        key: &SignerKey,
        kind: &str,
        body: Value,
    ) -> Result<sanquan::store::Receipt, sanquan::store::SubmitError> {
        // A body that does not read (a field that checks itself) is refused
        // as the envelope is parsed, before the writer.
        let origin = log_origin(COUNTY);
        match Envelope::sign(
            key,
            &origin,
            kind,
            &format!("n{}", unique()),
            &stamp(),
            body,
        ) {
            Ok(env) => self.writer().submit_blocking(env),
            Err(e) => Err(sanquan::store::SubmitError::Refused(e)),
        }
    }

    /// Stops and restarts the writer (as a server restart would).
    pub fn restart(&mut self) {
        self.writer.take().unwrap().shutdown();
        self.writer = Some(
            Writer::start_with_clock(&self.db, self.log_key.clone(), self.clock.clone()).unwrap(),
        );
    }

    /// Hands the writer to a registry (the HTTP service).
    pub fn into_registry(mut self) -> (Registry, TestDb, SignerKey, SignerKey) {
        let writer = self.writer.take().unwrap();
        (
            Registry::new(self.db.clone(), writer),
            self.test_db,
            self.log_key,
            self.county_key,
        )
    }
}

/// A test world whose log `verify` replays when its test is done.
pub trait Replayed {
    /// The database and the log's verifier key.
    fn replayed(&self) -> (Db, sanquan::model::VerifierKey);
}

impl Replayed for TestLog {
    fn replayed(&self) -> (Db, sanquan::model::VerifierKey) {
        (self.db.clone(), self.log_key.verifier())
    }
}

impl<A: Replayed, B> Replayed for (A, B) {
    fn replayed(&self) -> (Db, sanquan::model::VerifierKey) {
        self.0.replayed()
    }
}

impl<A: Replayed, B, C> Replayed for (A, B, C) {
    fn replayed(&self) -> (Db, sanquan::model::VerifierKey) {
        self.0.replayed()
    }
}

/// Runs `test` on a world made fresh on each backend (SQLite, and
/// PostgreSQL where it runs), then checks that `verify` replays the log the
/// test left: no accepted entry breaks the log.
pub fn on_each_backend<W: Replayed>(make: impl Fn(Backend) -> W, mut test: impl FnMut(&mut W)) {
    for backend in backends() {
        // Said first, so that a failure's output names the backend.
        eprintln!("on {backend:?}");
        let mut world = make(backend);
        test(&mut world);
        let (db, key) = world.replayed();
        if let Err(e) = sanquan::store::verify::verify(&db, &key, |_, _| {}) {
            panic!("{backend:?}: the log the test left does not verify: {e}");
        }
    }
}
