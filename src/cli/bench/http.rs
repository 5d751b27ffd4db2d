//! `sanquan bench http` (issue 21, part 6): `sanquan serve` on the demo
//! county (a child process) met over HTTP as its clients meet it — durable
//! signed appends from many clients at once, one a request (`POST
//! /entries`, a farmer's phone) and then many a request (`POST
//! /entries/batch`, a clerk's import), then title and household reads from
//! many more, then reads and single appends at once (each commit empties
//! the views the server keeps: `registry::kept`) — on SQLite and, with
//! `--postgres`, on PostgreSQL, side by side. The appends are signed before
//! the clock starts: what is measured is the server, not the clients'
//! signing on the same two cores.

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

/// One crowd's requests: answered as they should a second, their p50 and
/// p99 in milliseconds, and how many were not.
struct Rate {
    per_second: f64,
    p50: f64,
    p99: f64,
    wrong: usize,
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} | {:.1} / {:.1} ms",
            self.per_second, self.p50, self.p99
        )
    }
}

/// What one run measured.
struct Figures {
    appends: Rate,
    /// Appends sent many a request: entries a second, each request's times.
    batched: Rate,
    reads: Rate,
    /// Reads and appends at once.
    mixed: (Rate, Rate),
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    ms(super::percentile(sorted, q))
}

/// `clients` threads, each calling `one(client, i)` for `seconds` (or until
/// it answers `None`: nothing left to send); each call's time and whether
/// it answered as it should. The rate counts each call as `per_call` (the
/// entries a batch holds).
fn crowd(
    clients: usize,
    seconds: u64,
    per_call: usize,
    one: impl Fn(&ureq::Agent, usize, usize) -> Option<bool> + Sync,
) -> Rate {
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
    Rate {
        per_second: (took.len() * per_call) as f64 / wall,
        p50: quantile(&took, 0.5),
        p99: quantile(&took, 0.99),
        wrong: failed.into_inner(),
    }
}

fn run(
    postgres: bool,
    seconds: u64,
    appenders: usize,
    readers: usize,
    batch: usize,
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

    // Enough signed appends for every client: at most 500 a second each
    // one a request (alone, then beside the reads), 2,000 a second each
    // many a request.
    let single = (seconds as usize * 500).max(1);
    let batched = (seconds as usize * 2_000).div_ceil(batch) * batch;
    let per_client = 2 * single + batched;
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
    // Each client's entries: the first `single` for the appends alone, the
    // next for the appends beside the reads, the rest for the batches.
    let append = |from: usize| {
        let entries = &entries;
        let signed = &signed;
        move |agent: &ureq::Agent, c: usize, i: usize| {
            if i >= single {
                return None;
            }
            let body = &signed[c][from + i];
            let answer = agent
                .post(entries)
                .set("Content-Type", "application/json")
                .send_bytes(body);
            Some(answer.is_ok_and(|r| r.status() == 201))
        }
    };
    let appends = crowd(appenders, seconds, 1, append(0));
    let batches = format!("{}/entries/batch", server.url);
    let batched = crowd(appenders, seconds, batch, |agent, c, i| {
        let from = 2 * single + i * batch;
        let some = signed[c].get(from..from + batch)?;
        let mut body = b"[".to_vec();
        for (n, entry) in some.iter().enumerate() {
            if n > 0 {
                body.push(b',');
            }
            body.extend_from_slice(entry);
        }
        body.push(b']');
        let answer = agent
            .post(&batches)
            .set("Content-Type", "application/json")
            .send_bytes(&body);
        Some(answer.is_ok_and(|r| {
            r.into_json::<serde_json::Value>().is_ok_and(|v| {
                v["results"]
                    .as_array()
                    .is_some_and(|r| r.len() == batch && r.iter().all(|o| o["index"].is_u64()))
            })
        }))
    });

    let plan = Plan::demo();
    let titles: Vec<String> = households(&plan, 75)
        .into_iter()
        .flat_map(|h| h.parcels)
        .collect();
    let homes: Vec<String> = households(&plan, 75).into_iter().map(|h| h.code).collect();
    let read = |agent: &ureq::Agent, c: usize, i: usize| {
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
    };
    let reads = crowd(readers, seconds, 1, read);
    let mixed = std::thread::scope(|s| {
        let appends = s.spawn(|| crowd(appenders, seconds, 1, append(single)));
        let reads = crowd(readers, seconds, 1, read);
        (reads, appends.join().expect("appenders"))
    });
    drop(server);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Figures {
        appends,
        batched,
        reads,
        mixed,
    })
}

pub fn http(
    seconds: u64,
    appenders: usize,
    readers: usize,
    batch: usize,
    postgres: bool,
) -> Result<(), CliError> {
    let batch = batch.clamp(1, crate::registry::MAX_SUBMISSIONS);
    let mut runs = vec![("SQLite", run(false, seconds, appenders, readers, batch)?)];
    if postgres {
        runs.push(("PostgreSQL", run(true, seconds, appenders, readers, batch)?));
    }
    println!(
        "bench http: sanquan serve on the demo county, {seconds} s each: {appenders} clients appending (signed beforehand) one entry a request, then {batch} a request (POST /entries/batch), then {readers} clients reading titles and households, then reads and single appends at once; 2 cores shared by server and clients"
    );
    println!("| | appends/s, 1 a request | p50 / p99 | appends/s, {batch} a request | request p50 / p99 | reads/s | read p50 / p99 | at once: reads/s | read p50 / p99 | appends/s | append p50 / p99 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (backend, f) in &runs {
        let (reads, appends) = &f.mixed;
        println!(
            "| {backend} | {} | {} | {} | {reads} | {appends} |",
            f.appends, f.batched, f.reads
        );
        let wrong = [&f.appends, &f.batched, &f.reads, reads, appends].map(|r| r.wrong);
        if wrong.iter().sum::<usize>() > 0 {
            println!(
                "  {backend}: not answered as they should (appends, batched, reads, at once): {wrong:?}"
            );
        }
    }
    Ok(())
}
