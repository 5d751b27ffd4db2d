//! `sanquan bench hostile` and `sanquan bench disk`: the server as a hostile
//! client and a crowd of readers meet it, measured from outside — a real
//! `sanquan serve` in a child process on the demo county, over HTTP.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::super::datadir::read_signer_key;
use super::super::{new_nonce, now, CliError};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;

const COUNTY: &str = "140421";
const VILLAGE: &str = "14042100100101";

/// A `sanquan serve` of its own, stopped when dropped.
pub(super) struct Server {
    child: Child,
    /// The API's root (`…/api/v1`).
    pub url: String,
    /// The site's root, where the pages are.
    pub base: String,
}

impl Server {
    /// Loads the demo county into `dir` and serves it.
    pub(super) fn demo(dir: &Path) -> Result<Server, CliError> {
        Self::demo_on(dir, None)
    }

    /// The same, on the PostgreSQL database `url` where one is given.
    pub(super) fn demo_on(dir: &Path, url: Option<&str>) -> Result<Server, CliError> {
        let exe = std::env::current_exe()?;
        let status = Command::new(&exe)
            .args(["demo", "--load-only", "--data-dir"])
            .arg(dir)
            .args(url.map(|u| ["--database-url", u]).into_iter().flatten())
            .env_remove("SANQUAN_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            return Err(CliError::Usage("the demo county did not load".into()));
        }
        Self::serve(dir)
    }

    /// Serves the data directory `dir`.
    pub(super) fn serve(dir: &Path) -> Result<Server, CliError> {
        let exe = std::env::current_exe()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(&exe)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir)
            .env_remove("SANQUAN_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        let server = Server {
            child,
            url: format!("{base}/api/v1"),
            base,
        };
        let started = Instant::now();
        while ureq::get(&format!("{}/checkpoint", server.url))
            .call()
            .is_err()
        {
            if started.elapsed() > Duration::from_secs(60) {
                return Err(CliError::Usage("the server did not start".into()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    fn rss_mib(&self) -> u64 {
        rss_of(self.child.id())
    }

    /// Kills the server with SIGKILL (no chance to finish anything) and
    /// waits for it to be gone.
    pub(super) fn kill(self) {
        drop(self)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// Posts an envelope; the status and the error code, if any.
fn post(url: &str, body: &[u8]) -> (u16, String) {
    let answer = ureq::post(&format!("{url}/entries"))
        .set("Content-Type", "application/json")
        .timeout(Duration::from_secs(120))
        .send_bytes(body);
    match answer {
        Ok(r) => (r.status(), String::new()),
        Err(ureq::Error::Status(s, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            (s, v["error"]["code"].as_str().unwrap_or("").to_owned())
        }
        Err(e) => (0, e.to_string()),
    }
}

/// An honest entry: the county binds a new collective key.
fn honest(county: &SignerKey, n: u64) -> Vec<u8> {
    let key = SignerKey::from_seed("c", rand::random()).expect("a key name");
    let body = json!({"vkey": key.verifier().to_string(), "role": "collective",
                      "party": format!("{COUNTY}{:08}", 10_000_000 + n % 89_999_999)});
    Envelope::sign(
        county,
        &log_origin(COUNTY),
        "key.register",
        &new_nonce(),
        &now(),
        body,
    )
    .expect("an honest entry")
    .to_json()
}

/// A hostile `parcel.register` of about `bytes` bytes with a comb: signed by
/// `key` as given (a key nobody registered, or the village's own).
fn hostile_envelope(key: &SignerKey, bytes: usize) -> Vec<u8> {
    let mut teeth = bytes / 120;
    loop {
        let body = json!({"DKBM": format!("{VILLAGE}99999"), "DKMC": "梳子地", "DKLB": "10",
                          "TDYT": "1", "DLDJ": "05", "SFJBNT": "2", "geometry": super::super::generate::comb(teeth, true)});
        let env = Envelope::sign(
            key,
            &log_origin(COUNTY),
            "parcel.register",
            &new_nonce(),
            &now(),
            body,
        )
        .expect("a hostile entry")
        .to_json();
        if env.len() <= bytes || teeth < 100 {
            return env;
        }
        teeth = teeth * 9 / 10;
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    millis(super::percentile(sorted, q))
}

/// An honest client's appends, one after another, for `seconds`.
fn honest_appends(url: &str, county: &SignerKey, seconds: u64, from: u64) -> Vec<Duration> {
    let mut took = Vec::new();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut n = from;
    while Instant::now() < until {
        let body = honest(county, n);
        n += 1;
        let started = Instant::now();
        let (status, code) = post(url, &body);
        took.push(started.elapsed());
        if status != 201 {
            eprintln!("honest append answered {status} {code}");
        }
    }
    took.sort();
    took
}

fn report(what: &str, took: &[Duration]) {
    println!(
        "  {what}: {} appends, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        took.len(),
        percentile(took, 0.5),
        percentile(took, 0.99),
        took.last().map_or(0.0, |d| millis(*d)),
    );
}

fn tmp_dir(name: &str) -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("sanquan-bench-{name}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(dir)
}

/// Item 1 of the hostile-actor findings: an honest client's append latency
/// while an attacker sends `rate` maximum-size hostile envelopes a second —
/// half signed by a key nobody registered (refused before any geometry
/// work), half by the village's own key with a crossed comb of positions
/// (validated in O(n log n) and refused).
pub fn hostile(seconds: u64, rate: u64) -> Result<(), CliError> {
    let dir = tmp_dir("hostile")?;
    let server = Server::demo(&dir)?;
    let county = read_signer_key(&dir.join("keys").join("registry.key"))?;
    let village = read_signer_key(
        &dir.join("keys/demo")
            .join(format!("collective-{VILLAGE}.key")),
    )?;
    let stranger = SignerKey::generate("stranger").expect("a key name");
    let max = crate::http::MAX_BODY;
    let (unsigned, signed) = (
        hostile_envelope(&stranger, max),
        hostile_envelope(&village, max),
    );
    println!(
        "bench hostile: sanquan serve on the demo county; hostile envelopes of {} and {} bytes, {rate}/s",
        unsigned.len(),
        signed.len()
    );
    let rss_before = server.rss_mib();
    let quiet = honest_appends(&server.url, &county, seconds, 0);
    report("no attack", &quiet);

    let stop = AtomicBool::new(false);
    let answers: std::sync::Mutex<Vec<(u16, String, Duration)>> = Default::default();
    let peak = AtomicU64::new(0);
    let attacked = std::thread::scope(|s| {
        // The attacker: `rate` envelopes a second, each on its own
        // connection, without waiting for the last to be answered.
        s.spawn(|| {
            let mut i = 0u64;
            let started = Instant::now();
            std::thread::scope(|inner| {
                while !stop.load(Ordering::Acquire) {
                    let due = started + Duration::from_millis(i * 1000 / rate.max(1));
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let body = if i.is_multiple_of(2) {
                        &unsigned
                    } else {
                        &signed
                    };
                    let (url, answers) = (&server.url, &answers);
                    inner.spawn(move || {
                        let sent = Instant::now();
                        let (status, code) = post(url, body);
                        answers.lock().unwrap_or_else(|e| e.into_inner()).push((
                            status,
                            code,
                            sent.elapsed(),
                        ));
                    });
                    i += 1;
                }
            });
        });
        s.spawn(|| {
            while !stop.load(Ordering::Acquire) {
                peak.fetch_max(server.rss_mib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let took = honest_appends(&server.url, &county, seconds, 1_000_000);
        stop.store(true, Ordering::Release);
        took
    });
    report(&format!("{rate} hostile envelopes/s"), &attacked);
    let answers = answers.into_inner().unwrap_or_default();
    let mut by_code: std::collections::BTreeMap<(u16, String), (usize, Vec<Duration>)> =
        Default::default();
    for (status, code, took) in answers {
        let e = by_code.entry((status, code)).or_default();
        e.0 += 1;
        e.1.push(took);
    }
    for ((status, code), (n, mut took)) in by_code {
        took.sort();
        println!(
            "  hostile answered {status} {code}: {n}, p50 {:.1} ms",
            percentile(&took, 0.5)
        );
    }
    println!(
        "  server memory: {rss_before} MiB before, {} MiB at most under attack, {} MiB after",
        peak.load(Ordering::Relaxed),
        server.rss_mib()
    );
    drop(server);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Item 10: the write-ahead log and the server's memory. `entries` appends
/// from 16 clients, with the WAL's size watched; then `readers` clients
/// reading at once for `seconds`, with the server's memory watched.
pub fn disk(entries: u64, readers: usize, seconds: u64) -> Result<(), CliError> {
    let dir = tmp_dir("disk")?;
    let server = Server::demo(&dir)?;
    let county = read_signer_key(&dir.join("keys").join("registry.key"))?;
    let wal = dir.join("sanquan.db-wal");
    let file_mib = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1048576.0);
    println!("bench disk: sanquan serve on the demo county (SQLite), {entries} appends, then {readers} readers for {seconds} s");
    let rss_before = server.rss_mib();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let (wal_peak, rss_writes) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Acquire) {
                wal_peak.fetch_max((file_mib(&wal) * 1024.0) as u64, Ordering::Relaxed);
                rss_writes.fetch_max(server.rss_mib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let clients: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= entries {
                        break;
                    }
                    let (status, code) = post(&server.url, &honest(&county, 2_000_000 + n));
                    if status != 201 {
                        eprintln!("append answered {status} {code}");
                    }
                })
            })
            .collect();
        for c in clients {
            let _ = c.join();
        }
        stop.store(true, Ordering::Release);
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {entries} appends over HTTP in {secs:.1} s ({:.0}/s); WAL at most {:.1} MiB, {:.1} MiB after (limit {} MiB); database {:.1} MiB",
        entries as f64 / secs,
        wal_peak.load(Ordering::Relaxed) as f64 / 1024.0,
        file_mib(&wal),
        crate::store::WAL_LIMIT >> 20,
        file_mib(&dir.join("sanquan.db")),
    );

    // Readers: the demo's heaviest pages, all at once.
    let paths = [
        format!("/parcels?collective={VILLAGE}"),
        "/listings".to_owned(),
        "/households/140421001001010001".to_owned(),
        "/titles/1404210010010100001".to_owned(),
        "/checkpoint".to_owned(),
    ];
    let rss_idle = server.rss_mib();
    let (reads, peak) = (AtomicU64::new(0), AtomicU64::new(0));
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Acquire) {
                peak.fetch_max(server.rss_mib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let until = Instant::now() + Duration::from_secs(seconds);
        let clients: Vec<_> = (0..readers)
            .map(|r| {
                let (paths, url, reads) = (&paths, &server.url, &reads);
                s.spawn(move || {
                    let mut i = r;
                    while Instant::now() < until {
                        let path = &paths[i % paths.len()];
                        if let Ok(resp) = ureq::get(&format!("{url}{path}"))
                            .timeout(Duration::from_secs(60))
                            .call()
                        {
                            let _ = resp.into_string();
                            reads.fetch_add(1, Ordering::Relaxed);
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        for c in clients {
            let _ = c.join();
        }
        stop.store(true, Ordering::Release);
    });
    println!(
        "  server memory: {rss_before} MiB at start, {} MiB at most while writing, {rss_idle} MiB idle, {} MiB at most with {readers} readers ({} reads, {:.0}/s), {} MiB after",
        rss_writes.load(Ordering::Relaxed),
        peak.load(Ordering::Relaxed),
        reads.load(Ordering::Relaxed),
        reads.load(Ordering::Relaxed) as f64 / seconds as f64,
        server.rss_mib()
    );
    drop(server);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
