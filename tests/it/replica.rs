//! Issue 21 (5): a read-only server on a streaming replica. The demo county
//! on a PostgreSQL primary served by `sanquan serve`; a real standby made
//! by `pg_basebackup -R` (its `standby.signal` and the primary's address)
//! served by `sanquan serve --read-only`; entries submitted to the primary
//! meanwhile. The replica is never older than its checkpoint says, refuses
//! writes, proves titles that verify offline, passes `sanquan monitor`, and
//! catches up with the primary.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::serve_with;
use crate::common::{ok, own_postgres, sanquan};
use sanquan::ledger::{Envelope, SignerKey};
use sanquan::store::pg_temp::TempPostgres;

const PARCEL: &str = "1404210010010100007";

/// The size a C2SP checkpoint note names (its second line).
fn note_size(note: &str) -> u64 {
    note.lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("{note}"))
}

fn checkpoint_size(url: &str) -> u64 {
    note_size(
        &ureq::get(&format!("{url}/api/v1/checkpoint"))
            .call()
            .unwrap()
            .into_string()
            .unwrap(),
    )
}

/// Waits until `ready` holds, for at most `secs` seconds.
fn wait_for(secs: u64, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_streaming_replica_serves_reads_and_proofs_never_ahead_of_its_data() {
    let Some(primary) = own_postgres(TempPostgres::start) else {
        return;
    };
    let (tmp, data, url) = crate::api::demo_on(&primary);
    let d = data.to_str().unwrap();
    let written = serve_with(&data, &["--state-period", "1"]);

    // A hot standby copied from the running primary.
    let standby = TempPostgres::replica_of(&primary).expect("pg_basebackup and a standby");
    let standby_url = url.replace(
        &format!(":{}/", primary.port()),
        &format!(":{}/", standby.port()),
    );
    assert_eq!(
        standby
            .psql("county", "SELECT pg_is_in_recovery()")
            .unwrap(),
        "t",
        "the copy runs as a standby"
    );
    let read = serve_with(&data, &["--read-only", "--database-url", &standby_url]);

    // The registry's clerk registers collectives' keys on the primary while
    // the replica is read.
    let registry = SignerKey::parse(
        std::fs::read_to_string(data.join("keys/registry.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let start = checkpoint_size(&written.url);
    let clerk = {
        let url = written.url.clone();
        std::thread::spawn(move || {
            for i in 0..400u32 {
                let key = SignerKey::generate("c").unwrap();
                let body = json!({"vkey": key.verifier().to_string(), "role": "collective",
                                  "party": format!("14042109{i:06}")});
                let stamp = sanquan::store::Clock::default().stamp();
                let env = Envelope::sign(
                    &registry,
                    "sanquan/140421",
                    "key.register",
                    &format!("r{i}"),
                    &stamp,
                    body,
                )
                .unwrap();
                ureq::post(&format!("{url}/api/v1/entries"))
                    .set("Content-Type", "application/json")
                    .send_bytes(&env.to_json())
                    .unwrap_or_else(|e| panic!("entry {i}: {e}"));
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    // Never older than its checkpoint says: whatever size the replica's
    // checkpoint names, the entry before it and its inclusion proof are
    // there.
    let mut sizes = std::collections::BTreeSet::new();
    while !clerk.is_finished() {
        let n = checkpoint_size(&read.url);
        sizes.insert(n);
        let entry = ureq::get(&format!("{}/api/v1/entries/{}", read.url, n - 1)).call();
        assert!(
            entry.is_ok(),
            "size {n}: entry {} is not on the replica: {entry:?}",
            n - 1
        );
        let proof = ureq::get(&format!(
            "{}/api/v1/proofs/inclusion?index={}&size={n}",
            read.url,
            n - 1
        ))
        .call();
        assert!(proof.is_ok(), "size {n}: no inclusion proof: {proof:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    clerk.join().unwrap();
    assert!(sizes.len() >= 3, "the replica followed in steps: {sizes:?}");
    assert!(sizes.iter().any(|&n| n > start), "{sizes:?}");

    // It catches up with the primary, its state log too.
    let end = checkpoint_size(&written.url);
    assert_eq!(end, start + 400);
    wait_for(30, "the replica catches up", || {
        checkpoint_size(&read.url) == end
    });
    let state_size = |url: &str| {
        ureq::get(&format!("{url}/api/v1/state/checkpoint"))
            .call()
            .ok()
            .and_then(|r| r.into_string().ok())
            .and_then(|note| {
                note.lines().find_map(|l| {
                    l.strip_prefix("state ")?
                        .split(' ')
                        .next()?
                        .parse::<u64>()
                        .ok()
                })
            })
    };
    wait_for(30, "a state leaf at the end", || {
        state_size(&written.url) == Some(end)
    });
    wait_for(30, "the replica's state leaf", || {
        state_size(&read.url) == Some(end)
    });

    // Writes are refused, plainly, and change nothing.
    let key = SignerKey::generate("c").unwrap();
    let env = Envelope::sign(
        &SignerKey::parse(std::fs::read_to_string(data.join("keys/registry.key")).unwrap().trim()).unwrap(),
        "sanquan/140421",
        "key.register",
        "on-the-replica",
        &sanquan::store::Clock::default().stamp(),
        json!({"vkey": key.verifier().to_string(), "role": "collective", "party": "14042109999999"}),
    )
    .unwrap();
    match ureq::post(&format!("{}/api/v1/entries", read.url))
        .set("Content-Type", "application/json")
        .send_bytes(&env.to_json())
    {
        Err(ureq::Error::Status(503, r)) => {
            let v: serde_json::Value = r.into_json().unwrap();
            let v = &v["error"];
            assert_eq!(v["code"], "read_only", "{v}");
            assert!(
                v["message"].as_str().unwrap().contains("read-only copy"),
                "{v}"
            );
            assert!(
                v["message_zh"].as_str().is_some_and(|m| !m.is_empty()),
                "{v}"
            );
        }
        other => panic!("a write to the replica: {other:?}"),
    }
    assert_eq!(checkpoint_size(&read.url), end);
    assert_eq!(checkpoint_size(&written.url), end);

    // Pages and reads.
    for path in [
        "/",
        &format!("/api/v1/parcels/{PARCEL}"),
        "/api/v1/listings",
    ] {
        let r = ureq::get(&format!("{}{path}", read.url)).call();
        assert!(r.is_ok(), "{path}: {r:?}");
    }

    // A title proof from the replica, made by its own follower of the log,
    // verifies offline under the county's policy.
    let proof = ureq::get(&format!("{}/api/v1/titles/{PARCEL}/proof", read.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let (policy, proof_file) = (tmp.path().join("policy"), tmp.path().join("proof"));
    std::fs::write(&policy, ok(&sanquan(&["policy", "--data-dir", d]))).unwrap();
    std::fs::write(&proof_file, &proof).unwrap();
    let checked = ok(&sanquan(&[
        "verify-proof",
        "--policy",
        policy.to_str().unwrap(),
        proof_file.to_str().unwrap(),
    ]));
    assert!(checked.contains(PARCEL), "{checked}");

    // The monitor checks the replica through its public endpoints: every
    // entry replayed, every state leaf against the map rebuilt.
    let said = ok(&sanquan(&["monitor", &read.url]));
    assert!(said.starts_with("ok: "), "{said}");

    // A database whose schema is behind this program is not served.
    primary.create_database("empty").unwrap();
    wait_for(30, "the empty database on the standby", || {
        standby
            .psql(
                "postgres",
                "SELECT 1 FROM pg_database WHERE datname = 'empty'",
            )
            .unwrap()
            == "1"
    });
    let empty = standby_url.replace("/county", "/empty");
    match sanquan::store::Db::open_read_only(&empty, "140421") {
        Err(e @ sanquan::store::StoreError::SchemaBehind(_)) => {
            assert!(
                e.to_string()
                    .contains("upgrade the county's own server first"),
                "{e}"
            )
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("an empty database opened read-only"),
    }
}
