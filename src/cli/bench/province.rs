//! `sanquan bench province` (issue 21): a province's counties on one Citus
//! cluster, each with its own log, keys, writer and lock in one database —
//! every writer appending at once — first on a coordinator with one worker,
//! then with two.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{county_collective_key_entry, genesis_entry, percentile};
use crate::cli::CliError;
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::store::pg_temp::TempCitus;
use crate::store::{Db, Writer};

/// Entries a county submits at a time (a busy county's pile of requests).
const CHUNK: u64 = 500;

/// The counties' codes: a province's (14) prefecture-level cities, each with
/// its counties, 140100… as Shanxi numbers them.
fn county_code(i: u32) -> String {
    format!("14{:02}{:02}", 1 + i / 20, 1 + i % 20)
}

struct Round {
    entries: u64,
    took: Duration,
    /// Each county's chunk waits, for its p99.
    waits: Vec<Vec<Duration>>,
}

fn run(counties: u32, entries: u64, workers: usize) -> Result<Round, CliError> {
    let cluster = TempCitus::start_with(workers, &["max_connections=600"])
        .map_err(|e| CliError::Usage(format!("bench province: {e}")))?;
    let url = cluster.url();
    // Each county: its database handle (small pool), keys and writer.
    let mut logs = Vec::new();
    for i in 0..counties {
        let county = county_code(i);
        let db = Db::open_sized(&url, &county, 1)?;
        let origin = log_origin(&county);
        let log_key = SignerKey::generate(&origin).expect("name");
        let county_key = SignerKey::generate(&format!("county-{county}")).expect("name");
        let writer = Writer::start(&db, log_key.clone())?;
        let env = genesis_entry(&county, &format!("基准县{i}"), &log_key, &county_key);
        writer
            .submit_blocking(env)
            .map_err(|e| CliError::Usage(format!("genesis of {county}: {e}")))?;
        logs.push((county, origin, county_key, writer, db));
    }
    // Clients sign before the clock starts.
    let signed: Vec<Vec<Envelope>> = logs
        .par_iter()
        .map(|(county, origin, key, _, _)| {
            (0..entries)
                .map(|i| county_collective_key_entry(county, key, origin, i))
                .collect()
        })
        .collect();
    let started = Instant::now();
    let waits = std::thread::scope(|scope| {
        let handles: Vec<_> = logs
            .iter()
            .zip(signed)
            .map(|((county, _, _, writer, _), envelopes)| {
                scope.spawn(move || -> Result<Vec<Duration>, CliError> {
                    let mut waits = Vec::new();
                    let mut envelopes = envelopes.into_iter().peekable();
                    while envelopes.peek().is_some() {
                        let chunk: Vec<Envelope> =
                            envelopes.by_ref().take(CHUNK as usize).collect();
                        let asked = Instant::now();
                        let answers = writer.enqueue(chunk).wait();
                        waits.push(asked.elapsed());
                        if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
                            return Err(CliError::Usage(format!(
                                "{county}: an append failed: {e}"
                            )));
                        }
                    }
                    Ok(waits)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("county thread"))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let took = started.elapsed();
    for (_, _, _, writer, _) in logs {
        writer.shutdown();
    }
    Ok(Round {
        entries: entries * u64::from(counties),
        took,
        waits,
    })
}

pub fn province(counties: u32, entries: u64) -> Result<(), CliError> {
    if !TempCitus::installed() {
        return Err(CliError::Usage(
            "bench province needs the Citus extension (vendor/citus/build.sh)".into(),
        ));
    }
    println!(
        "bench province: {counties} counties, each its own log, keys and writer, {entries} signed entries each, on Citus, 2 cores"
    );
    let mut rates = Vec::new();
    for workers in [1, 2] {
        let round = run(counties, entries, workers)?;
        let rate = round.entries as f64 / round.took.as_secs_f64();
        let mut p99s: Vec<Duration> = round
            .waits
            .iter()
            .map(|w| {
                let mut w = w.clone();
                w.sort();
                percentile(&w, 0.99)
            })
            .collect();
        p99s.sort();
        println!(
            "  {workers} worker{}: {} durable signed entries in {:.2} s = {rate:.0} entries/s aggregate; \
             a county's {CHUNK}-entry request answered in p99 {:.0} ms (median county), {:.0} ms (worst county)",
            if workers == 1 { "" } else { "s" },
            round.entries,
            round.took.as_secs_f64(),
            percentile(&p99s, 0.5).as_secs_f64() * 1e3,
            percentile(&p99s, 1.0).as_secs_f64() * 1e3,
        );
        rates.push(rate);
    }
    println!(
        "  from one worker to two: ×{:.2} (every node and the writers share this machine's two cores)",
        rates[1] / rates[0]
    );
    println!("  peak memory: {} MiB", crate::cli::peak_rss_mib());
    Ok(())
}
