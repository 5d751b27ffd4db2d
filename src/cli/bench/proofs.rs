//! `sanquan bench proofs` (issue 20): title proofs over a county of N
//! titles — the map built from the state (the follower's catch-up), a
//! proof made and its compact form, `verify-proof`'s checks, the compact
//! size measured and computed for 10⁹ titles — and durable appends with
//! the state log kept and without, side by side.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{collective_key_entry, genesis_entry, percentile, COUNTY};
use crate::cli::CliError;
use crate::ledger::cosignature::{cosign, CosignerKey};
use crate::ledger::follower::MapFollower;
use crate::ledger::policy::Policy;
use crate::ledger::statelog::{state_origin, StateCheckpoint, StateLeaf};
use crate::ledger::titleproof::TitleProof;
use crate::ledger::{Checkpoint, Envelope, SignerKey};
use crate::model::entry::EncumbranceKind;
use crate::model::exchange::{DerivedRight, Mode};
use crate::model::state::{Contract, Encumbrance};
use crate::model::titles::Title;
use crate::model::{log_origin, Area, Change, Fen, Parcel, State};
use crate::store::{Db, Writer};

/// A county of `titles` parcels: a household holds four under one
/// contract; one parcel in ten is leased, one in fifty seized.
fn county(titles: u32) -> State {
    let mut state = State::default();
    let shape = Arc::new(geo_types::MultiPolygon::<f64>(vec![]));
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("a date");
    let code = |i: u32| format!("140421001001{i:07}");
    for i in 0..titles {
        state.apply(&Change::ParcelRegistered {
            parcel: Parcel {
                code: code(i).into(),
                collective: "14042100100101".into(),
                name: format!("地块{i}").into(),
                class: "011".into(),
                land_use: "1".into(),
                grade: "05".into(),
                basic_farmland: true,
                declared: None,
                area: Area(6_667_000),
                bbox: [0.0; 4],
                geometry: shape.clone(),
                registered_at: u64::from(i),
                retired_at: None,
            },
        });
    }
    for h in 0..titles.div_ceil(4) {
        let household = format!("140421001001{h:06}");
        let parcels: Vec<String> = (4 * h..(4 * h + 4).min(titles)).map(code).collect();
        state.apply(&Change::ContractGranted(Contract {
            code: format!("{household}J"),
            household: household.clone(),
            parcels: parcels.clone(),
            start: day("2026-01-01"),
            end: day("2055-12-31"),
            certificate_members: vec![],
            registered_at: u64::from(titles + h),
            returned: None,
        }));
        if h % 3 == 0 {
            state.apply(&Change::RightSaved(DerivedRight {
                index: u64::from(2 * titles + h),
                listing: u64::from(h),
                mode: Mode::Lease,
                holder: "91350100M000100Y43".into(),
                household,
                parcels: parcels[..1].to_vec(),
                start: day("2027-01-01"),
                end: day("2036-12-31"),
                price: Fen(80_000),
                registered: true,
                ended: None,
                certified: None,
            }));
        }
    }
    for i in (0..titles).step_by(50) {
        state.apply(&Change::EncumbranceRegistered(Encumbrance {
            index: u64::from(3 * titles + i),
            parcel: code(i).into(),
            kind: EncumbranceKind::Seizure,
            by: "140421".into(),
            reason: "查封".into(),
            document_sha256: "ab".repeat(32),
            released_at: None,
            lapses_on: None,
            sued_at: None,
            pledgee: None,
        }));
    }
    state.take_changed();
    state
}

pub fn proofs(titles: u32, proofs: u32, entries: u64) -> Result<(), CliError> {
    let titles = titles.max(1);
    println!(
        "bench proofs: {titles} titles, {} threads",
        rayon::current_num_threads()
    );
    let state = county(titles);
    let started = Instant::now();
    let follower = MapFollower::build(&state);
    let built = started.elapsed();
    println!(
        "  map catch-up from the state: {} titles' records made and mapped in {:.2} s = {:.0} updates/s (target ≥ 100,000)",
        follower.map.len(),
        built.as_secs_f64(),
        follower.map.len() as f64 / built.as_secs_f64()
    );
    // One state leaf, its checkpoint signed and cosigned by two witnesses.
    let log_key = SignerKey::generate(&log_origin(COUNTY)).expect("name");
    let state_key = crate::store::statelog::StateKeeper::state_key(&log_key, COUNTY);
    let witnesses: Vec<SignerKey> = ["witness.140422", "witness.140423"]
        .iter()
        .map(|n| SignerKey::generate(n).expect("name"))
        .collect();
    let leaf = StateLeaf {
        event_size: 1_000_000_000,
        event_root: [1; 32],
        map_root: follower.map.root().expect("committed"),
    };
    let checkpoint = StateCheckpoint {
        tree: Checkpoint {
            origin: state_origin(COUNTY),
            size: 1,
            root: leaf.hash(),
        },
        latest: leaf,
    };
    let mut note = checkpoint.sign(&state_key);
    let mut policy = format!("log {}\n", state_key.verifier());
    for (n, w) in witnesses.iter().enumerate() {
        note += &cosign(w, &checkpoint.text(), 1_800_000_000);
        policy += &format!("witness W{n} {}\n", CosignerKey::of(w));
    }
    policy += "group G all W0 W1\nquorum G\n";
    let policy = Policy::parse(&policy).map_err(CliError::Usage)?;
    let (mut make, mut check, mut sizes) = (vec![], vec![], vec![]);
    for j in 0..proofs {
        let i = j.wrapping_mul(2_654_435_761) % titles;
        let title = Title::Parcel(format!("140421001001{i:07}"));
        let started = Instant::now();
        let (record, path) = follower.prove(&state, &title).expect("committed");
        let proof = TitleProof::new(
            title.key(),
            record.map(|r| r.canonical()),
            path,
            (leaf, 0),
            vec![],
            &note,
        )
        .expect("our note");
        let compact = proof.to_compact().expect("the newest leaf");
        make.push(started.elapsed());
        let started = Instant::now();
        let verified = TitleProof::from_compact(&compact, &state_origin(COUNTY))
            .and_then(|p| p.verify(&policy));
        check.push(started.elapsed());
        assert!(
            verified.is_ok_and(|v| v.witnesses.len() == 2),
            "a proof did not verify"
        );
        sizes.push(compact.len());
    }
    make.sort();
    check.sort();
    println!(
        "  title proof made (record, map path, compact form): p50 {} µs, p99 {} µs (target < 1 ms);   verified (log signature, 2 cosignatures, map path, record): p50 {} µs, p99 {} µs (target < 5 ms)",
        percentile(&make, 0.5).as_micros(),
        percentile(&make, 0.99).as_micros(),
        percentile(&check, 0.5).as_micros(),
        percentile(&check, 0.99).as_micros()
    );
    let n = sizes.len().max(1) as f64;
    let mean = sizes.iter().sum::<usize>() as f64 / n;
    let max = *sizes.iter().max().unwrap_or(&0);
    let more = (1e9f64 / f64::from(titles)).log2().max(0.0) * (32.0 + 1.0 / 8.0);
    println!(
        "  compact proof (a QR's bytes; the event log's size is 8 of them whatever it is, here 10⁹): mean {mean:.0} B, max {max} B;   at 10⁹ titles ≈ {:.0} B mean, {:.0} B max (computed) — budget 1,600 B",
        mean + more,
        max as f64 + more
    );
    if entries > 0 {
        appends(entries)?;
    }
    println!("  peak memory: {} MiB", super::super::peak_rss_mib());
    Ok(())
}

/// Durable appends through the writer on two fresh SQLite files, without
/// the state log and with it (a leaf each second), in one run.
fn appends(entries: u64) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-proofs-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let mut rates = Vec::new();
    for keeping in [false, true, false, true] {
        let path = tmp.join(format!("appends-{}-{keeping}.db", rates.len()));
        let db = Db::open(path.to_str().expect("a path"), COUNTY)?;
        let origin = log_origin(COUNTY);
        let log_key = SignerKey::generate(&origin).expect("name");
        let county_key = SignerKey::generate("county-140421").expect("name");
        let clock = crate::store::Clock::default();
        let writer = if keeping {
            Writer::start_keeping_state(&db, log_key.clone(), clock, Duration::from_secs(1), None)?
        } else {
            Writer::start_with_clock(&db, log_key.clone(), clock)?
        };
        let env = genesis_entry(COUNTY, "基准县", &log_key, &county_key);
        writer
            .submit_blocking(env)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let envelopes: Vec<Envelope> = (0..entries)
            .into_par_iter()
            .map(|i| collective_key_entry(&county_key, &origin, i))
            .collect();
        let started = Instant::now();
        let answers = writer.submit_all_blocking(envelopes);
        let took = started.elapsed();
        if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
            return Err(CliError::Usage(format!("an append failed: {e}")));
        }
        writer.shutdown();
        rates.push((keeping, entries as f64 / took.as_secs_f64()));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let mean = |k: bool| {
        let r: Vec<f64> = rates
            .iter()
            .filter(|(x, _)| *x == k)
            .map(|(_, r)| *r)
            .collect();
        r.iter().sum::<f64>() / r.len() as f64
    };
    let (off, on) = (mean(false), mean(true));
    println!(
        "  appends ({entries} key entries, SQLite, alternating runs): without the state log {off:.0}/s, with it {on:.0}/s ({:+.1} %; target within 5 %)",
        (on / off - 1.0) * 100.0
    );
    Ok(())
}
