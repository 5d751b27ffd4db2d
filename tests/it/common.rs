//! Test harness: a fresh log on either backend, signed entries, and the app
//! served on a random port (as zero2prod's tests do).

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
    PG.get_or_init(|| match TempPostgres::start() {
        Ok(pg) => Some(pg),
        Err(e) if std::env::var_os("SANQUAN_REQUIRE_PG").is_some() => {
            panic!("PostgreSQL is required (SANQUAN_REQUIRE_PG) but did not start: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL tests: {e}");
            None
        }
    })
    .as_ref()
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
        let test_db = TestDb::new(backend);
        let db = Db::open(&test_db.url, COUNTY).unwrap();
        let log_key = SignerKey::generate(&log_origin(COUNTY)).unwrap();
        let county_key = SignerKey::generate("county-140421").unwrap();
        let clock = sanquan::store::Clock::default();
        TEST_CLOCK.with(|c| *c.borrow_mut() = Some(clock.clone()));
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
        self.writer().submit_blocking(sign(key, kind, body))
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

pub fn sign(key: &SignerKey, kind: &str, body: Value) -> Envelope {
    sign_with(
        key,
        kind,
        body,
        &format!("n{}", unique()),
        &log_origin(COUNTY),
    )
}

thread_local! {
    /// The clock of the log this test thread made last: entries are signed
    /// at its time, as a client of that server would (the writer refuses an
    /// entry whose time is far from its own).
    static TEST_CLOCK: std::cell::RefCell<Option<sanquan::store::Clock>> = const { std::cell::RefCell::new(None) };
}

/// The time a client of this thread's log signs now.
pub fn stamp() -> String {
    TEST_CLOCK.with(|c| {
        c.borrow()
            .as_ref()
            .map(sanquan::store::Clock::stamp)
            .unwrap_or_else(|| sanquan::store::Clock::default().stamp())
    })
}

pub fn sign_with(key: &SignerKey, kind: &str, body: Value, nonce: &str, origin: &str) -> Envelope {
    Envelope::sign(key, origin, kind, nonce, &stamp(), body).unwrap()
}

pub fn new_key(name: &str) -> SignerKey {
    SignerKey::generate(name).unwrap()
}

pub fn register(role: &str, party: &str, key: &SignerKey) -> Value {
    json!({"vkey": key.verifier().to_string(), "role": role, "party": party})
}

pub fn revoke(key: &SignerKey) -> Value {
    json!({"vkey": key.verifier().to_string()})
}

/// The code of a refusal, or "accepted".
/// Each refusal's Chinese message is checked on the way (`assert_chinese`).
pub fn outcome(r: &Result<sanquan::store::Receipt, sanquan::store::SubmitError>) -> String {
    use sanquan::model::Refusal;
    use sanquan::store::SubmitError;
    let code = |e: &dyn Refusal| {
        assert_chinese(e);
        assert!(
            documented_codes().contains(e.code()),
            "{} is not in the API's error catalogue",
            e.code()
        );
        e.code().to_owned()
    };
    match r {
        Ok(_) => "accepted".into(),
        Err(SubmitError::Refused(e)) => code(e),
        Err(SubmitError::Geometry(e)) => code(e),
        Err(SubmitError::Personal(e)) => code(e),
        Err(SubmitError::Busy) => "busy".into(),
        Err(e) => format!("{e}"),
    }
}

/// The error codes the API's description lists (`x-errors`).
pub fn documented_codes() -> &'static std::collections::BTreeSet<String> {
    static CODES: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        sanquan::http::error::catalogue()
            .into_iter()
            .map(|e| e.code)
            .collect()
    })
}

/// Serves `registry` on a random loopback port; returns the base URL.
pub fn spawn_app(registry: Registry) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new()
            .block_on(sanquan::server::serve(registry, listener))
            .unwrap();
    });
    url
}

/// The `sanquan` binary built with these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_sanquan");

/// Runs the binary (on its SQLite default, whatever the environment says).
pub fn sanquan(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .env_remove("SANQUAN_DATABASE_URL")
        .output()
        .unwrap()
}

/// How many entries `verify` finds in a data directory.
pub fn entries(dir: &str) -> u64 {
    let out = ok(&sanquan(&["verify", "--data-dir", dir]));
    out.strip_prefix("ok: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"))
}

/// The standard output of a run that must succeed.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Whether a Chinese message has Latin words besides the codes, field
/// names and identifiers it quotes (the request's own words).
pub fn latin_words(message: &str, allowed: &[&str]) -> Vec<String> {
    // What a message quotes — in “…” or `…` — is the request's own words.
    let mut plain = String::new();
    let mut quoted: Option<char> = None;
    for c in message.chars() {
        match (quoted, c) {
            (None, '“') => quoted = Some('”'),
            (None, '`') => quoted = Some('`'),
            (Some(end), c) if c == end => quoted = None,
            (None, c) => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2)
        // Hashes, commitments and codes in hexadecimal are identifiers.
        .filter(|w| !(w.len() >= 16 && w.chars().all(|c| c.is_ascii_hexdigit())))
        .filter(|w| !allowed.iter().any(|a| a.contains(*w) || w.contains(a)))
        .filter(|w| {
            // Codes, field names and kinds: snake_case, dotted or upper case.
            !(w.contains('_')
                || w.contains('.')
                || w.chars().all(|c| !c.is_ascii_lowercase())
                || [
                    "GeoJSON",
                    "JSON",
                    "base64",
                    "Ed25519",
                    "Content-Type",
                    "application",
                    "json",
                    "Authorization",
                    "Sanquan",
                    "keyid",
                    "nonce",
                    "sig",
                    "time",
                    "bbox",
                    "NFC",
                    "Unicode",
                    "YYYY-MM-DD",
                    "YYYY-MM",
                    "RFC",
                ]
                .contains(w))
        })
        .map(str::to_owned)
        .collect()
}

/// Asserts that a refusal's Chinese message is wholly Chinese: no English
/// words besides the codes, field names and quoted words it carries.
pub fn assert_chinese(e: &dyn sanquan::model::Refusal) {
    let field = e.field();
    let allowed: Vec<&str> = field.iter().map(String::as_str).collect();
    let zh = e.message_zh();
    let latin = latin_words(&zh, &allowed);
    assert!(latin.is_empty(), "[{}] {zh}: {latin:?}", e.code());
}

/// A document of `docs/` made from the code: the file must be `made`, or,
/// with `SANQUAN_BLESS=1`, is written anew. `part` names the markers the
/// made text stands between, where the rest of the file is written by hand.
pub fn made_doc(file: &str, part: Option<(&str, &str)>, made: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    let (before, after) = match part {
        None => (String::new(), String::new()),
        Some((start, end)) => {
            let from = kept
                .find(start)
                .unwrap_or_else(|| panic!("{file} has no {start}"))
                + start.len();
            let to = kept[from..]
                .find(end)
                .unwrap_or_else(|| panic!("{file} has no {end}"))
                + from;
            (kept[..from].to_owned(), kept[to..].to_owned())
        }
    };
    let whole = format!("{before}{made}{after}");
    if std::env::var_os("SANQUAN_BLESS").is_some() {
        std::fs::write(&path, &whole).unwrap();
        return;
    }
    assert!(
        kept == whole,
        "{file} is not what the code makes: run `SANQUAN_BLESS=1 cargo test --test it doc`"
    );
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
        let mut world = make(backend);
        test(&mut world);
        let (db, key) = world.replayed();
        if let Err(e) = sanquan::store::verify::verify(&db, &key, |_, _| {}) {
            panic!("{backend:?}: the log the test left does not verify: {e}");
        }
    }
}
