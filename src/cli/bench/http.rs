//! `sanquan bench http` (issue 21, part 6): `sanquan serve` on the demo
//! county (a child process) met over HTTP as its clients meet it — durable
//! signed appends from many clients at once, then title and household
//! reads from many more — on SQLite and, with `--postgres`, on PostgreSQL,
//! side by side. The appends are signed before the clock starts: what is
//! measured is the server, not the clients' signing on the same two cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;

use super::hostile::Server;
use super::COUNTY;
use crate::cli::datadir::read_signer_key;
use crate::cli::generate::{households, Plan};
use crate::cli::{new_nonce, now, CliError};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;

/// What one run measured.
struct Figures {
    appends: f64,
    append_p50: f64,
    append_p99: f64,
    refused: usize,
    reads: f64,
    read_p50: f64,
    read_p99: f64,
    failed: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    ms(super::percentile(sorted, q))
}

/// `clients` threads, each calling `one(client, i)` for `seconds` (or until
/// it answers `None`: nothing left to send); each call's time and whether
/// it answered as it should.
fn crowd(
    clients: usize,
    seconds: u64,
    one: impl Fn(&ureq::Agent, usize, usize) -> Option<bool> + Sync,
) -> (f64, Vec<Duration>, usize) {
    let took = Mutex::new(Vec::new());
    let failed = AtomicUsize::new(0);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    std::thread::scope(|s| {
        for c in 0..clients {
            let (took, failed, one) = (&took, &failed, &one);
            s.spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(60))
                    .build();
                let mut mine = Vec::new();
                let mut i = 0;
                while Instant::now() < until {
                    let sent = Instant::now();
                    match one(&agent, c, i) {
                        None => break,
                        Some(true) => mine.push(sent.elapsed()),
                        Some(false) => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    i += 1;
                }
                took.lock().expect("took").extend(mine);
            });
        }
    });
    let wall = started.elapsed().as_secs_f64();
    let mut took = took.into_inner().expect("took");
    took.sort();
    let rate = took.len() as f64 / wall;
    (rate, took, failed.into_inner())
}

fn run(
    postgres: bool,
    seconds: u64,
    appenders: usize,
    readers: usize,
) -> Result<Figures, CliError> {
    let dir = std::env::temp_dir().join(format!(
        "sanquan-bench-http-{}-{}",
        if postgres { "pg" } else { "sqlite" },
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let (pg, url) = super::throwaway_postgres(postgres)?;
    let server = Server::demo_on(&dir, url.as_deref())?;
    let county = read_signer_key(&dir.join("keys").join("registry.key"))?;

    // Enough signed appends for every client at 2,000 a second each.
    let per_client = (seconds as usize * 2_000).max(1);
    let origin = log_origin(COUNTY);
    let time = now();
    let signed: Vec<Vec<Vec<u8>>> = std::thread::scope(|s| {
        let parts: Vec<_> = (0..appenders)
            .map(|c| {
                let (county, origin, time) = (&county, &origin, &time);
                s.spawn(move || {
                    (0..per_client)
                        .map(|i| {
                            let n = c * per_client + i;
                            let mut seed = [7u8; 32];
                            seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
                            let key = SignerKey::from_seed("c", seed).expect("name");
                            let party = format!("{COUNTY}{:08}", 10_000_000 + n);
                            let body = json!({"vkey": key.verifier().to_string(), "role": "collective", "party": party});
                            Envelope::sign(county, origin, "key.register", &new_nonce(), time, body)
                                .expect("an entry")
                                .to_json()
                        })
                        .collect()
                })
            })
            .collect();
        parts
            .into_iter()
            .map(|p| p.join().expect("signer"))
            .collect()
    });
    let entries = format!("{}/entries", server.url);
    let (appends, append_took, refused) = crowd(appenders, seconds, |agent, c, i| {
        let body = signed[c].get(i)?;
        let answer = agent
            .post(&entries)
            .set("Content-Type", "application/json")
            .send_bytes(body);
        Some(answer.is_ok_and(|r| r.status() == 201))
    });

    let plan = Plan::demo();
    let titles: Vec<String> = households(&plan, 75)
        .into_iter()
        .flat_map(|h| h.parcels)
        .collect();
    let homes: Vec<String> = households(&plan, 75).into_iter().map(|h| h.code).collect();
    let (reads, read_took, failed) = crowd(readers, seconds, |agent, c, i| {
        let n = c * 7919 + i;
        let path = match n % 2 {
            0 => format!("{}/titles/{}", server.url, titles[n % titles.len()]),
            _ => format!("{}/households/{}", server.url, homes[n % homes.len()]),
        };
        Some(
            agent
                .get(&path)
                .call()
                .is_ok_and(|r| r.status() == 200 && r.into_string().is_ok()),
        )
    });
    drop(server);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Figures {
        appends,
        append_p50: quantile(&append_took, 0.5),
        append_p99: quantile(&append_took, 0.99),
        refused,
        reads,
        read_p50: quantile(&read_took, 0.5),
        read_p99: quantile(&read_took, 0.99),
        failed,
    })
}

pub fn http(
    seconds: u64,
    appenders: usize,
    readers: usize,
    postgres: bool,
) -> Result<(), CliError> {
    let mut runs = vec![("SQLite", run(false, seconds, appenders, readers)?)];
    if postgres {
        runs.push(("PostgreSQL", run(true, seconds, appenders, readers)?));
    }
    println!(
        "bench http: sanquan serve on the demo county, {seconds} s each: {appenders} clients appending (signed beforehand), then {readers} clients reading titles and households; 2 cores shared by server and clients"
    );
    println!("| | appends/s | append p50 / p99 | reads/s | read p50 / p99 |");
    println!("|---|---|---|---|---|");
    for (backend, f) in &runs {
        println!(
            "| {backend} | {:.0} | {:.1} / {:.1} ms | {:.0} | {:.1} / {:.1} ms |",
            f.appends, f.append_p50, f.append_p99, f.reads, f.read_p50, f.read_p99
        );
        if f.refused + f.failed > 0 {
            println!(
                "  {backend}: {} appends and {} reads not answered as they should",
                f.refused, f.failed
            );
        }
    }
    Ok(())
}
