//! `sanquan bench …`: benchmarks that print their figures. Each one builds
//! its own fresh log in a temporary directory (or a throwaway PostgreSQL).

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use clap::Subcommand;

mod deals;
mod hostile;
mod http;
mod kills;
mod proofs;
mod province;
mod web;
use rayon::prelude::*;

use super::generate::{features, write_county, Plan};
use super::{new_nonce, now, CliError};
use crate::ledger::merkle::{leaf_hash, verify_inclusion};
use crate::ledger::{Checkpoint, Envelope, SignerKey};
use crate::model::log_origin;
use crate::registry::Registry;
use crate::store::pg_temp::TempPostgres;
use crate::store::verify::verify;
use crate::store::{queries, Db, Writer};

#[derive(Subcommand)]
pub enum Bench {
    /// Signed appends/s through the writer, `verify` entries/s, and the time
    /// of one inclusion proof at the final log size.
    Ledger {
        /// How many signed entries to append.
        #[arg(long, default_value_t = 200_000)]
        entries: u64,
        /// Run on a throwaway PostgreSQL server started for the benchmark.
        #[arg(long)]
        postgres: bool,
        /// Run on this database instead (it must not hold county 140421 yet).
        #[arg(long, env = "SANQUAN_DATABASE_URL")]
        database_url: Option<String>,
        /// How many inclusion proofs to time.
        #[arg(long, default_value_t = 2000)]
        proofs: usize,
    },
    /// The spatial work alone for a generated county: parse, validate,
    /// geodesic area, index, overlap and containment checks; then the check
    /// of one new parcel against the full index.
    Spatial {
        #[arg(long, default_value_t = 1_000_000)]
        parcels: u64,
        /// How many single checks to time against the full index.
        #[arg(long, default_value_t = 10_000)]
        checks: usize,
    },
    /// Gauss–Krüger conversion (issue 19): CGCS2000 3° zone coordinates to
    /// longitude and latitude and back, points a second on all cores and on
    /// one (target: ≥ 5 million a second).
    Coordinates {
        #[arg(long, default_value_t = 20_000_000)]
        points: usize,
    },
    /// The state map (issue 20): a sparse Merkle tree over N titles — updates
    /// a second when built and when a batch of changes is committed, the time
    /// to make and to verify one proof, and a proof's compact size (measured,
    /// and computed for a billion titles).
    Statemap {
        #[arg(long, default_value_t = 1_000_000)]
        titles: u32,
        /// How many proofs to time.
        #[arg(long, default_value_t = 10_000)]
        proofs: u32,
    },
    /// Title proofs (issue 20) over N titles: the map's catch-up from the
    /// state, a proof made and verified (p50, p99), the compact form's size
    /// measured and computed for 10⁹ titles, and durable appends with the
    /// state log kept and without, side by side.
    Proofs {
        #[arg(long, default_value_t = 1_000_000)]
        titles: u32,
        #[arg(long, default_value_t = 2_000)]
        proofs: u32,
        /// Appends for the side-by-side run (0: none).
        #[arg(long, default_value_t = 50_000)]
        entries: u64,
    },
    /// A simulated province on a Citus coordinator with 1 and then 2 workers
    /// (issue 21): one writer per county at once, each appending signed
    /// entries — the aggregate appends a second, each batch's p99 per
    /// county, and how the aggregate grows from one worker to two.
    Province {
        #[arg(long, default_value_t = 100)]
        counties: u32,
        /// Signed entries each county appends.
        #[arg(long, default_value_t = 2_000)]
        entries_per_county: u64,
    },
    /// Complete exchange deals, listing to settlement, every step a signed
    /// entry (a county's households, keys and contracts set up first).
    Deals {
        #[arg(long, default_value_t = 10_000)]
        deals: u64,
        /// Run on a throwaway PostgreSQL server started for the benchmark.
        #[arg(long)]
        postgres: bool,
    },
    /// The pages in headless Chromium: the first pages of the demo at phone
    /// width (load time, bytes), the scripts and styles gzipped, and the map
    /// of a generated county (first draw, frames a second while dragged).
    Web {
        /// Parcels of the generated county the map shows.
        #[arg(long, default_value_t = 10_000)]
        parcels: u64,
        #[arg(long, default_value = "/usr/bin/chromium")]
        chromium: std::path::PathBuf,
    },
    /// An honest client's append latency (p50, p99) while an attacker sends
    /// maximum-size hostile envelopes, against `sanquan serve` on the demo.
    Hostile {
        /// Seconds of honest appends without, then with, the attack.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Hostile envelopes a second.
        #[arg(long, default_value_t = 10)]
        rate: u64,
    },
    /// The home page and a household page while many clients read a whole
    /// generated county's parcels by bounding box (11.10): their latency
    /// quiet and under the bulk reads, side by side.
    Bulk {
        /// Parcels of the generated county.
        #[arg(long, default_value_t = 10_000)]
        parcels: u64,
        /// Clients reading the whole county's bounding box at once.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// The SQLite write-ahead log under a stream of appends, and the
    /// server's memory under many readers at once.
    Disk {
        #[arg(long, default_value_t = 150_000)]
        entries: u64,
        #[arg(long, default_value_t = 200)]
        readers: usize,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
    },
    /// HTTP at the machine's limit (issue 21, part 6): against `sanquan
    /// serve` on the demo county, appends from many clients at once (signed
    /// beforehand), then title and household reads from many more, then both
    /// at once — appends and reads a second with p50 and p99, SQLite and
    /// PostgreSQL side by side.
    Http {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        appenders: usize,
        #[arg(long, default_value_t = 200)]
        readers: usize,
        /// Entries a request in the batched appends (`POST /entries/batch`;
        /// the clerk's survey import sends 200).
        #[arg(long, default_value_t = 200)]
        batch: usize,
        /// Also on a throwaway PostgreSQL server.
        #[arg(long)]
        postgres: bool,
    },
    /// `sanquan serve` killed with SIGKILL `rounds` times under a mixed
    /// load of imports, household registrations and exchange steps (issue
    /// 21, part 7): after each kill every acknowledged entry is in the log
    /// and `verify` passes; restart and verify times.
    Kills {
        #[arg(long, default_value_t = 200)]
        rounds: u32,
        /// Run on a throwaway PostgreSQL server started for the benchmark.
        #[arg(long)]
        postgres: bool,
        /// Seeds the moments of the kills.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// `import` of a generated county: every check and a signed entry each.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        parcels: u64,
        /// Run on a throwaway PostgreSQL server started for the benchmark.
        #[arg(long)]
        postgres: bool,
    },
    /// A generated county as a NY/T 2539 package (shapefiles in a
    /// Gauss–Krüger zone, GBK tables with households, members, contracts
    /// and certificates): written, checked (`import --check`) and imported,
    /// each run as a child process with its time and peak memory.
    Package {
        #[arg(long, default_value_t = 300_000)]
        parcels: u64,
        /// Run on a throwaway PostgreSQL server started for the benchmark.
        #[arg(long)]
        postgres: bool,
    },
}

/// With `postgres`, a PostgreSQL server started for the benchmark (stopped
/// when dropped) and the URL of a fresh database on it.
pub(super) fn throwaway_postgres(
    postgres: bool,
) -> Result<(Option<TempPostgres>, Option<String>), CliError> {
    if !postgres {
        return Ok((None, None));
    }
    let pg = TempPostgres::start().map_err(CliError::Usage)?;
    let url = pg.create_database("bench").map_err(CliError::Usage)?;
    Ok((Some(pg), Some(url)))
}

/// A generated county written to a file, with a new data directory whose
/// county key has bound a key for each collective: ready to import.
pub(super) struct GeneratedCounty {
    pub dir: super::datadir::DataDir,
    pub file: std::path::PathBuf,
    /// The county key, then the collectives' keys.
    pub keys: Vec<std::path::PathBuf>,
}

impl GeneratedCounty {
    fn create(
        tmp: &std::path::Path,
        plan: &Plan,
        database_url: Option<String>,
    ) -> Result<GeneratedCounty, CliError> {
        let file = tmp.join("county.geojson");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        write_county(plan, &mut out)?;
        std::io::Write::flush(&mut out)?;
        drop(out);
        Self::keyed(tmp, plan, database_url, file)
    }

    /// A new county with a key bound to each of `plan`'s collectives, for
    /// the land in `file`.
    fn keyed(
        tmp: &std::path::Path,
        plan: &Plan,
        database_url: Option<String>,
        file: std::path::PathBuf,
    ) -> Result<GeneratedCounty, CliError> {
        let log = super::NewLog::create(&tmp.join("data"), COUNTY, "基准县", database_url)?;
        let keys_dir = tmp.join("keys");
        std::fs::create_dir_all(&keys_dir)?;
        let mut keys = vec![log.dir.key_path("registry.key")];
        let registry = log.department(crate::model::Department::Registry).clone();
        for k in 0..plan.collectives() {
            let code = plan.collective_code(k);
            let key = SignerKey::generate(&format!("collective-{code}")).expect("name");
            let path = keys_dir.join(format!("{code}.key"));
            super::datadir::write_key_pair(&path, &key)?;
            let body = serde_json::json!({"vkey": key.verifier().to_string(), "role": "collective", "party": code});
            log.submit(&registry, "key.register", body)?;
            keys.push(path);
        }
        let super::NewLog {
            dir, writer, _lock, ..
        } = log;
        writer.shutdown();
        drop(_lock);
        Ok(GeneratedCounty { dir, file, keys })
    }

    /// The key file of collective `code`.
    fn collective_key(&self, code: &str) -> std::path::PathBuf {
        self.file.with_file_name("keys").join(format!("{code}.key"))
    }
}

pub fn run(which: Bench) -> Result<(), CliError> {
    match which {
        Bench::Ledger {
            entries,
            postgres,
            database_url,
            proofs,
        } => ledger(entries, postgres, database_url, proofs),
        Bench::Spatial { parcels, checks } => spatial(parcels, checks),
        Bench::Coordinates { points } => coordinates(points),
        Bench::Statemap { titles, proofs } => statemap(titles, proofs),
        Bench::Proofs {
            titles,
            proofs,
            entries,
        } => proofs::proofs(titles, proofs, entries),
        Bench::Import { parcels, postgres } => import(parcels, postgres),
        Bench::Package { parcels, postgres } => package(parcels, postgres),
        Bench::Deals { deals, postgres } => deals::deals(deals, postgres),
        Bench::Province {
            counties,
            entries_per_county,
        } => province::province(counties, entries_per_county),
        Bench::Hostile { seconds, rate } => hostile::hostile(seconds, rate),
        Bench::Web { parcels, chromium } => web::web(parcels, &chromium),
        Bench::Bulk {
            parcels,
            clients,
            seconds,
        } => web::bulk(parcels, clients, seconds),
        Bench::Disk {
            entries,
            readers,
            seconds,
        } => hostile::disk(entries, readers, seconds),
        Bench::Http {
            seconds,
            appenders,
            readers,
            batch,
            postgres,
        } => http::http(seconds, appenders, readers, batch, postgres),
        Bench::Kills {
            rounds,
            postgres,
            seed,
        } => kills::kills(rounds, postgres, seed),
    }
}

fn coordinates(points: usize) -> Result<(), CliError> {
    use crate::spatial::gauss_kruger::Zone;
    let zone = Zone::of_epsg(4516).expect("a CGCS2000 zone");
    // A county's worth of eastings and northings, spread over 60 × 60 km.
    let projected: Vec<(f64, f64)> = (0..points)
        .map(|i| {
            let (a, b) = ((i % 7919) as f64, (i % 7907) as f64);
            (
                zone.false_easting - 30_000.0 + a * 7.57,
                4_000_000.0 + b * 7.59,
            )
        })
        .collect();
    println!(
        "bench coordinates: {points} points, EPSG:4516 (CGCS2000 3° zone 38) ↔ lon/lat, {} threads",
        rayon::current_num_threads()
    );
    let rate = |n: usize, t: std::time::Duration| n as f64 / t.as_secs_f64() / 1e6;
    // Into buffers made beforehand: the conversion timed, not the memory.
    let mut lonlat = vec![(0.0, 0.0); points];
    let mut back = vec![(0.0, 0.0); points];
    let started = Instant::now();
    lonlat
        .par_chunks_mut(65_536)
        .zip(projected.par_chunks(65_536))
        .for_each(|(out, inp)| {
            for (o, &(e, n)) in out.iter_mut().zip(inp) {
                *o = zone.to_lonlat(e, n);
            }
        });
    let inverse = started.elapsed();
    let started = Instant::now();
    back.par_chunks_mut(65_536)
        .zip(lonlat.par_chunks(65_536))
        .for_each(|(out, inp)| {
            for (o, &(lon, lat)) in out.iter_mut().zip(inp) {
                *o = zone.from_lonlat(lon, lat);
            }
        });
    let forward = started.elapsed();
    let one = points.min(2_000_000);
    let started = Instant::now();
    let mut sum = 0.0;
    for &(e, n) in &projected[..one] {
        let (lon, lat) = zone.to_lonlat(e, n);
        sum += lon + lat;
    }
    let single = started.elapsed();
    let worst = projected
        .iter()
        .zip(&back)
        .map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs()))
        .fold(0.0, f64::max);
    println!(
        "  to lon/lat   {:>8.2} M points/s (all threads)   {:>8.2} M points/s (one thread)",
        rate(points, inverse),
        rate(one, single)
    );
    println!(
        "  from lon/lat {:>8.2} M points/s (all threads)",
        rate(points, forward)
    );
    println!("  round trip: worst {worst:.1e} m   (checksum {sum:.3})");
    Ok(())
}

fn statemap(titles: u32, proofs: u32) -> Result<(), CliError> {
    use crate::ledger::statemap::{key_of, MapProof, StateMap};
    let titles = titles.max(1);
    let value = |i: u32, round: u8| key_of(&format!("{i}/{round}"));
    let key = |i: u32| key_of(&format!("14042100100101{i:05}"));
    println!(
        "bench statemap: {titles} titles, {} threads",
        rayon::current_num_threads()
    );
    let keys: Vec<_> = (0..titles).map(key).collect();
    let mut map = StateMap::new();
    let started = Instant::now();
    for (i, k) in (0..titles).zip(&keys) {
        map.set(*k, value(i, 0));
    }
    let root = map.commit();
    let built = started.elapsed();
    // A period's changes: a tenth of the titles, committed at once.
    let batch = (titles / 10).max(1);
    let started = Instant::now();
    for i in (0..titles)
        .step_by((titles / batch) as usize)
        .take(batch as usize)
    {
        map.set(keys[i as usize], value(i, 1));
    }
    let changed = map.commit();
    let updated = started.elapsed();
    assert_ne!(root, changed);
    let per_second = |n: u32, t: Duration| f64::from(n) / t.as_secs_f64();
    println!(
        "  built: {:.0} updates/s ({:.2} s, committed);   a batch of {batch} changes: {:.0} updates/s",
        per_second(titles, built),
        built.as_secs_f64(),
        per_second(batch, updated)
    );
    let (mut make, mut check, mut sizes, mut depths) = (vec![], vec![], vec![], vec![]);
    for j in 0..proofs {
        let k = &keys[(j.wrapping_mul(2_654_435_761) % titles) as usize];
        let started = Instant::now();
        let proof = map.prove(k).expect("committed");
        let bytes = proof.to_bytes();
        make.push(started.elapsed());
        let started = Instant::now();
        let held = MapProof::from_bytes(&bytes)
            .ok()
            .and_then(|p| p.verify(&changed, k).ok().flatten());
        check.push(started.elapsed());
        assert!(held.is_some(), "a proof did not verify");
        sizes.push(bytes.len());
        depths.push(proof.siblings.len());
    }
    make.sort();
    check.sort();
    let (p50, p99) = (percentile(&make, 0.5), percentile(&make, 0.99));
    let (v50, v99) = (percentile(&check, 0.5), percentile(&check, 0.99));
    println!(
        "  proof: made in p50 {} µs, p99 {} µs;   verified in p50 {} µs, p99 {} µs   (target < 1 ms, < 5 ms)",
        p50.as_micros(),
        p99.as_micros(),
        v50.as_micros(),
        v99.as_micros()
    );
    let n = sizes.len().max(1) as f64;
    let mean_size = sizes.iter().sum::<usize>() as f64 / n;
    let mean_depth = depths.iter().sum::<usize>() as f64 / n;
    // Each doubling of the titles adds a level: one more sibling (32 bytes)
    // and a bit of the bitmap.
    let more = (1e9f64 / f64::from(titles)).log2().max(0.0);
    println!(
        "  compact map path: mean {mean_size:.0} B, max {} B, mean depth {mean_depth:.1};   at 10⁹ titles ≈ {:.0} B (computed: {more:.1} more levels)",
        sizes.iter().max().unwrap_or(&0),
        mean_size + more * (32.0 + 1.0 / 8.0)
    );
    println!("  peak memory: {} MiB", super::peak_rss_mib());
    Ok(())
}

/// The `q` quantile (0 to 1) of sorted durations; zero for none.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    sorted
        .get((last as f64 * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn spatial(parcels: u64, checks: usize) -> Result<(), CliError> {
    use crate::model::Land;
    use crate::spatial::{footprint, ParcelIndex};
    let plan = Plan::synthetic(parcels);
    println!(
        "bench spatial: {parcels} generated parcels in {} collectives, 2 cores",
        plan.collectives()
    );
    // The features as GeoJSON text, as a file would give them.
    let texts: Vec<String> = features(&plan).map(|f| f.to_string()).collect();
    let started = Instant::now();
    let tolerance = crate::model::settings::Settings::default().overlap_tolerance_m2;
    let mut index = ParcelIndex::new();
    let (mut overlaps, mut outside) = (0u64, 0u64);
    let prepare = |chunk: &[String]| -> Vec<(serde_json::Value, crate::model::Footprint)> {
        chunk
            .par_iter()
            .map(|t| {
                let f: serde_json::Value = serde_json::from_str(t).expect("generated JSON");
                let fp = footprint(&f["geometry"], "geometry").expect("generated geometry");
                (f["properties"].clone(), fp)
            })
            .collect()
    };
    let mut chunks = texts.chunks(20_000);
    let mut current = prepare(chunks.next().unwrap_or_default());
    loop {
        // As in the writer: the next chunk is parsed, validated and measured
        // in parallel while this one is checked and indexed in log order.
        let next_chunk = chunks.next();
        let next = std::thread::scope(|s| {
            let next = s.spawn(|| next_chunk.map(prepare));
            for (props, fp) in current.drain(..) {
                if let Some(code) = props["DKBM"].as_str() {
                    overlaps += index.collisions(&fp, tolerance).len() as u64;
                    outside += u64::from(
                        index.outside(crate::model::codes::collective_of(code), &fp) > tolerance,
                    );
                    index.add_parcel(code, fp.shape);
                } else {
                    index
                        .add_boundary(props["FBFBM"].as_str().expect("FBFBM").to_owned(), fp.shape);
                }
            }
            next.join().expect("preparing thread")
        });
        match next {
            Some(n) => current = n,
            None => break,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  spatial work: {parcels} parcels parsed, validated, measured, checked and indexed in {secs:.2} s = {:.0} parcels/s ({overlaps} overlaps, {outside} outside: the generated county has none)",
        parcels as f64 / secs
    );

    // One new parcel against the full index: a generated parcel moved by
    // half a cell, so that it overlaps four registered ones.
    let mut times = Vec::with_capacity(checks);
    let mut hits = 0usize;
    for i in 0..checks {
        let t = &texts[plan.collectives() as usize + (i * 7919) % parcels as usize];
        let mut f: serde_json::Value = serde_json::from_str(t).expect("generated JSON");
        for p in f["geometry"]["coordinates"][0]
            .as_array_mut()
            .expect("ring")
        {
            p[0] = (p[0].as_f64().expect("lon") + 0.000_166).into();
            p[1] = (p[1].as_f64().expect("lat") + 0.000_27).into();
        }
        let fp = footprint(&f["geometry"], "geometry").expect("moved geometry");
        let code = f["properties"]["DKBM"].as_str().expect("DKBM");
        let started = Instant::now();
        let c = index.collisions(&fp, tolerance);
        let o = index.outside(crate::model::codes::collective_of(code), &fp);
        times.push(started.elapsed());
        hits += c.len() + usize::from(o > tolerance);
    }
    times.sort();
    let pct = |q: f64| percentile(&times, q).as_secs_f64() * 1e6;
    println!(
        "  one overlap-and-containment check against {} parcels: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({checks} checks, {hits} collisions found)",
        index.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("  peak memory: {} MiB", super::peak_rss_mib());
    Ok(())
}

fn import(parcels: u64, postgres: bool) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let (pg, url) = throwaway_postgres(postgres)?;
    let plan = Plan::synthetic(parcels);
    let GeneratedCounty { dir, file, keys } = GeneratedCounty::create(&tmp, &plan, url)?;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "bench import: {parcels} generated parcels in {} collectives on {backend}, 2 cores",
        plan.collectives()
    );
    let started = Instant::now();
    let report = super::import::run(&dir, None, &keys, None, &file)?;
    let secs = started.elapsed().as_secs_f64();
    if !report.rejected.is_empty() {
        return Err(CliError::Usage(format!(
            "{} features were rejected, the first: {:?}",
            report.rejected.len(),
            report.rejected[0]
        )));
    }
    println!(
        "  import: {} features ({parcels} parcels) registered in {secs:.2} s = {:.0} parcels/s, every check and a signed entry each ({} area warnings)",
        report.accepted.len(),
        parcels as f64 / secs,
        report.warnings.len()
    );
    println!("  peak memory: {} MiB", super::peak_rss_mib());
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// Runs this executable with `args` as a child: its wall time and the peak
/// of its resident memory (read from `/proc` while it runs), or its error.
fn child(args: &[&str]) -> Result<(f64, u64, String), CliError> {
    let started = Instant::now();
    // SANQUAN_BENCH_WRAP runs each child under a profiler, e.g.
    // `heaptrack -o /tmp/import` (its time and memory are then the
    // profiler's too).
    let wrap = std::env::var("SANQUAN_BENCH_WRAP").unwrap_or_default();
    let mut command: Vec<std::ffi::OsString> = wrap.split_whitespace().map(Into::into).collect();
    command.push(std::env::current_exe()?.into());
    let mut c = std::process::Command::new(&command[0])
        .args(&command[1..])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let status = format!("/proc/{}/status", c.id());
    let mut peak = 0;
    let out = loop {
        if let Some(hwm) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        }) {
            peak = peak.max(hwm / 1024);
        }
        if c.try_wait()?.is_some() {
            break c.wait_with_output()?;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(CliError::Usage(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok((
        secs,
        peak,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn package(parcels: u64, postgres: bool) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-package-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let (pg, url) = throwaway_postgres(postgres)?;
    let plan = Plan::synthetic(parcels);
    let started = Instant::now();
    let dir = tmp.join("package");
    let files = super::generate::write_package(&plan, &dir, 4526)?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let written = started.elapsed().as_secs_f64();
    let county = GeneratedCounty::keyed(&tmp, &plan, url.clone(), dir.clone())?;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "bench package: a generated county of {parcels} parcels in {} collectives as a NY/T 2539 package ({} MiB, written in {written:.1} s), on {backend}, 2 cores",
        plan.collectives(),
        bytes >> 20
    );
    let data = county.dir.path.to_string_lossy().into_owned();
    let mut args = vec!["import".to_owned(), "--data-dir".into(), data];
    if let Some(url) = &url {
        args.extend(["--database-url".into(), url.clone()]);
    }
    for k in &county.keys {
        args.extend(["--key".into(), k.to_string_lossy().into_owned()]);
    }
    let report = tmp.join("report.json");
    args.extend(["--report".into(), report.to_string_lossy().into_owned()]);
    let run = |check: bool| -> Result<(f64, u64, serde_json::Value), CliError> {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        if check {
            a.push("--check");
        }
        let path = dir.to_string_lossy();
        a.push(&path);
        let (secs, mib, _) = child(&a)?;
        let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        if r["totals"]["rejected"] != 0 {
            return Err(CliError::Usage(format!(
                "rows were refused, the first: {}",
                r["rejected"][0]
            )));
        }
        Ok((secs, mib, r))
    };
    let (check_s, check_mib, checked) = run(true)?;
    let (import_s, import_mib, imported) = run(false)?;
    let t = &imported["totals"];
    let rows = t["read"].as_u64().unwrap_or(0);
    println!(
        "  {rows} rows: {} collectives, parcels and households, {} contracts, {} certificates put on notice",
        t["accepted"], t["contracts"], t["noticed"]
    );
    println!(
        "  --check: {check_s:>6.1} s ({:.0} rows/s), peak memory {check_mib} MiB   (target ≤ 20 s, ≤ 1024 MiB; nothing written, {} would be registered)",
        rows as f64 / check_s,
        checked["totals"]["accepted"]
    );
    println!(
        "  import:  {import_s:>6.1} s ({:.0} rows/s), peak memory {import_mib} MiB   (target ≤ 60 s, ≤ 1024 MiB; every row a signed entry through every rule)",
        rows as f64 / import_s
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

const COUNTY: &str = "140421";
const ROUND: u64 = 50_000;

fn ledger(
    entries: u64,
    postgres: bool,
    database_url: Option<String>,
    proofs: usize,
) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let pg = if postgres {
        Some(TempPostgres::start().map_err(CliError::Usage)?)
    } else {
        None
    };
    let url = match (&pg, database_url) {
        (Some(pg), _) => pg.create_database("bench").map_err(CliError::Usage)?,
        (None, Some(url)) => url,
        (None, None) => tmp.join("bench.db").to_string_lossy().into_owned(),
    };
    let backend = if pg.is_some() || url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = Db::open(&url, COUNTY)?;
    if queries::log_size(&mut *db.conn()?, COUNTY)? > 0 {
        return Err(CliError::Usage(format!(
            "{url} already holds a log for county {COUNTY}"
        )));
    }
    let origin = log_origin(COUNTY);
    let log_key = SignerKey::generate(&origin).expect("name");
    let county_key = SignerKey::generate("county-140421").expect("name");
    // Through the registry, as the API submits.
    let registry = Registry::new(db.clone(), Writer::start(&db, log_key.clone())?);
    let env = genesis_entry(COUNTY, "基准县", &log_key, &county_key);
    registry
        .submit_blocking(env, Vec::new())
        .map_err(|e| CliError::Usage(e.to_string()))?;

    println!("bench ledger: {entries} signed key.register entries on {backend}, 2 cores");
    let mut appending = Duration::ZERO;
    let mut made = 0;
    while made < entries {
        let n = ROUND.min(entries - made);
        // Clients sign; the server parses (in its HTTP workers). Neither is
        // part of the writer's figure.
        let envelopes: Vec<Envelope> = (made..made + n)
            .into_par_iter()
            .map(|i| collective_key_entry(&county_key, &origin, i))
            .collect();
        let started = Instant::now();
        let answers = registry
            .submit_batch(envelopes)
            .map_err(|e| CliError::Usage(e.to_string()))?
            .wait();
        let took = started.elapsed();
        appending += took;
        if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
            return Err(CliError::Usage(format!("an append failed: {e}")));
        }
        made += n;
        eprint!(
            "\r  appended {made}/{entries} ({:.0}/s)   ",
            n as f64 / took.as_secs_f64()
        );
    }
    eprintln!();
    registry.shutdown();
    let secs = appending.as_secs_f64();
    println!(
        "  appends: {entries} durable signed entries in {secs:.2} s = {:.0} entries/s through the writer ({backend})",
        entries as f64 / secs
    );

    let size = entries + 1;
    let mut conn = db.conn()?;
    let (_, note) = queries::latest_checkpoint(&mut conn, COUNTY)?.expect("checkpoint");
    let checkpoint =
        Checkpoint::open(&note, &log_key.verifier()).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut times = Vec::with_capacity(proofs);
    for p in 0..proofs + 50 {
        let index = rand::random::<u64>() % size;
        let started = Instant::now();
        let proof = queries::inclusion_proof(&mut conn, COUNTY, &db.tiles, index, size)?;
        let took = started.elapsed();
        if p >= 50 {
            times.push(took);
        }
        let leaf = queries::entry_leaf(&mut conn, COUNTY, index)?.expect("entry");
        if !verify_inclusion(&leaf_hash(&leaf), index, size, &proof, &checkpoint.root) {
            return Err(CliError::Usage(format!(
                "the proof of {index} does not verify"
            )));
        }
    }
    drop(conn);
    times.sort();
    let pct = |q: f64| percentile(&times, q).as_secs_f64() * 1e6;
    println!(
        "  inclusion proof at {size} entries: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs ({proofs} random proofs, each verified)",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );

    let started = Instant::now();
    let report = verify(&db, &log_key.verifier(), |_, _| {})?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  verify: {} entries in {secs:.2} s = {:.0} entries/s (signatures, rules, tiles, root {}, projections)",
        report.entries,
        report.entries as f64 / secs,
        B64.encode(report.checkpoint.root)
    );
    println!("  peak memory: {} MiB", super::peak_rss_mib());
    drop(db);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// A benchmark county's genesis, signed by its county key.
fn genesis_entry(
    county: &str,
    name: &str,
    log_key: &SignerKey,
    county_key: &SignerKey,
) -> Envelope {
    let genesis = serde_json::json!({
        "county": county, "name": name,
        "log_vkey": log_key.verifier().to_string(), "root_vkey": county_key.verifier().to_string(),
    });
    Envelope::sign(
        county_key,
        &log_origin(county),
        "genesis",
        &new_nonce(),
        &now(),
        genesis,
    )
    .expect("genesis")
}

/// The county binds a collective key: entry `i` of the benchmark.
fn collective_key_entry(county_key: &SignerKey, origin: &str, i: u64) -> Envelope {
    county_collective_key_entry(COUNTY, county_key, origin, i)
}

/// The same, in any county.
fn county_collective_key_entry(
    county: &str,
    county_key: &SignerKey,
    origin: &str,
    i: u64,
) -> Envelope {
    let mut seed = [0x5a; 32];
    seed[..8].copy_from_slice(&i.to_le_bytes());
    let key = SignerKey::from_seed(&format!("collective-{i}"), seed).expect("name");
    let body = serde_json::json!({
        "vkey": key.verifier().to_string(),
        "role": "collective",
        "party": format!("{county}{i:08}"),
    });
    Envelope::sign(
        county_key,
        origin,
        "key.register",
        &format!("b{i}"),
        &super::now(),
        body,
    )
    .expect("sign")
}
