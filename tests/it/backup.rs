//! Issue 21 (7): `sanquan backup` and `sanquan restore` as a county's
//! operator runs them. A backup taken while the server writes is one
//! snapshot; a restore replays the log through the rules on either backend
//! and passes `verify` (which checks every projection against the replayed
//! state); what the log does not hold comes back byte for byte (a backup of
//! the restored county equals the backup it came from); the restored server
//! goes on writing. A tampered backup restores nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::{demo, serve_with};
use crate::common::{backends, ok, sanquan, Backend, TestDb};
use sanquan::ledger::{Envelope, SignerKey};

fn registry_key(data: &Path) -> SignerKey {
    SignerKey::parse(
        std::fs::read_to_string(data.join("keys/registry.key"))
            .unwrap()
            .trim(),
    )
    .unwrap()
}

/// The registry binds a collective's key through a running server.
fn bind(url: &str, registry: &SignerKey, n: u32) -> u64 {
    let key = SignerKey::generate("c").unwrap();
    let body = json!({"vkey": key.verifier().to_string(), "role": "collective",
                      "party": format!("14042108{n:06}")});
    let stamp = sanquan::store::Clock::default().stamp();
    let env = Envelope::sign(
        registry,
        "sanquan/140421",
        "key.register",
        &format!("b{n}"),
        &stamp,
        body,
    )
    .unwrap();
    let answer: serde_json::Value = ureq::post(&format!("{url}/api/v1/entries"))
        .set("Content-Type", "application/json")
        .send_bytes(&env.to_json())
        .unwrap_or_else(|e| panic!("entry {n}: {e}"))
        .into_json()
        .unwrap();
    answer["index"].as_u64().unwrap()
}

fn backup(data: &Path, out: &Path) -> String {
    ok(&sanquan(&[
        "backup",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]))
}

fn restore(from: &Path, keys: &Path, to: &Path, url: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "restore",
        "--from",
        from.to_str().unwrap(),
        "--keys",
        keys.to_str().unwrap(),
        "--data-dir",
        to.to_str().unwrap(),
    ];
    if let Some(url) = url {
        args.extend(["--database-url", url]);
    }
    sanquan(&args)
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every file of two backup folders, byte for byte.
fn same_backups(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut n: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(a), names(b));
    for name in names(a) {
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{name:?} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_county_is_rebuilt_from_its_backup_on_either_backend() {
    let (tmp, data) = demo();
    let served = serve_with(&data, &["--state-period", "1"]);
    let registry = registry_key(&data);
    let state = format!("{}/api/v1/state/checkpoint", served.url);
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&state).call().is_err() {
        assert!(Instant::now() < deadline, "no state leaf");
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = bind(&served.url, &registry, 0);

    // Taken while the clerk writes: one snapshot, whole.
    let during = tmp.path().join("during");
    let last = std::thread::scope(|s| {
        let clerk = s.spawn(|| (1..=300).fold(0, |_, n| bind(&served.url, &registry, n)));
        std::thread::sleep(Duration::from_millis(200));
        let said = backup(&data, &during);
        assert!(said.starts_with("backed up "), "{said}");
        clerk.join().unwrap()
    });
    let entries = manifest(&during)["entries"].as_u64().unwrap();
    assert!(
        entries > before && entries <= last + 1,
        "{before} < {entries} ≤ {last} + 1"
    );
    let restored = tmp.path().join("restored-during");
    let said = ok(&restore(&during, &data.join("keys"), &restored, None));
    assert!(said.contains(&format!("ok: {entries} entries")), "{said}");

    // A while later the state log has more leaves; the server stops.
    std::thread::sleep(Duration::from_millis(1500));
    drop(served);
    let whole = tmp.path().join("whole");
    backup(&data, &whole);
    let m = manifest(&whole);
    assert_eq!(m["entries"].as_u64().unwrap(), last + 1);
    assert!(m["persons"].as_u64().unwrap() > 100, "{m}");
    assert!(m["state_leaves"].as_u64().unwrap() >= 2, "{m}");
    assert!(
        std::fs::read_to_string(whole.join("log.jsonl"))
            .unwrap()
            .lines()
            .count() as u64
            == last + 1
    );
    // Personal data: the folder and its files are the owner's alone.
    use std::os::unix::fs::PermissionsExt;
    for f in std::fs::read_dir(&whole).unwrap() {
        let mode = f.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    for backend in backends() {
        let to = tmp.path().join(format!("restored-{backend:?}"));
        let db = (backend == Backend::Postgres).then(|| TestDb::new(backend));
        let said = ok(&restore(
            &whole,
            &data.join("keys"),
            &to,
            db.as_ref().map(|d| d.url.as_str()),
        ));
        assert!(
            said.contains(&format!("restored {} entries", last + 1)),
            "{said}"
        );
        assert!(
            said.contains(&format!("ok: {} entries", last + 1)),
            "{said}"
        );
        // What the log does not hold, and the log itself, as they were.
        let again = tmp.path().join(format!("again-{backend:?}"));
        backup(&to, &again);
        same_backups(&whole, &again);
        // The restored county goes on: its server writes the next entry.
        let served = serve_with(&to, &[]);
        assert_eq!(bind(&served.url, &registry, 9999), last + 1);
        drop(served);
        assert!(
            ok(&sanquan(&["verify", "--data-dir", to.to_str().unwrap()]))
                .starts_with(&format!("ok: {} entries", last + 2))
        );
    }
}

#[test]
fn a_tampered_backup_restores_nothing() {
    let (tmp, data) = demo();
    // Served a while, so that the state log holds leaves of its own.
    {
        let served = serve_with(&data, &["--state-period", "1"]);
        let registry = registry_key(&data);
        let state = format!("{}/api/v1/state/checkpoint", served.url);
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut n = 0;
        loop {
            let size = ureq::get(&state)
                .call()
                .ok()
                .and_then(|r| r.into_string().ok())
                .and_then(|t| t.lines().nth(1).and_then(|l| l.parse::<u64>().ok()));
            if size.is_some_and(|s| s >= 3) {
                break;
            }
            assert!(Instant::now() < deadline, "no state leaves");
            n += 1;
            bind(&served.url, &registry, n);
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let good = tmp.path().join("good");
    backup(&data, &good);
    let keys = data.join("keys");
    let copy = |name: &str| {
        let to = tmp.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for f in std::fs::read_dir(&good).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
        to
    };
    let edit = |dir: &Path, file: &str, change: &dyn Fn(Vec<String>) -> Vec<String>| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let lines = change(text.lines().map(str::to_owned).collect());
        std::fs::write(dir.join(file), lines.join("\n") + "\n").unwrap();
    };
    let refused = |dir: &Path, keys: &Path, says: &str| {
        let to = tmp.path().join(format!(
            "{}-restored",
            dir.file_name().unwrap().to_str().unwrap()
        ));
        let out = restore(dir, keys, &to, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(says),
            "{}: {err}",
            dir.display()
        );
        assert!(
            !to.exists(),
            "{}: a failed restore left {}",
            dir.display(),
            to.display()
        );
    };

    // An entry's body changed: its signature no longer holds.
    let forged = copy("forged");
    edit(&forged, "log.jsonl", &|mut l| {
        l[10] = l[10].replacen("\"kind\":\"", "\"kind\":\"x", 1);
        l
    });
    refused(&forged, &keys, "entry 10");
    // An entry left out.
    let short = copy("short");
    edit(&short, "log.jsonl", &|mut l| {
        l.remove(20);
        l
    });
    refused(&short, &keys, "entry 20");
    // A person's name changed: not the record her household's entry
    // committed to.
    let person = copy("person");
    edit(&person, "persons.jsonl", &|mut l| {
        l[0] = l[0].replacen("\"name\":\"", "\"name\":\"王", 1);
        l
    });
    refused(&person, &keys, "not the one committed to");
    // A state leaf changed: its note, the county's state key's, no longer
    // covers it (and a witness saw the other).
    let state = copy("state");
    edit(&state, "state_log.jsonl", &|mut l| {
        let mut line: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
        let leaf = line["leaf"].as_str().unwrap();
        let mut bytes =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, leaf).unwrap();
        bytes[71] ^= 1;
        line["leaf"] =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes).into();
        l[1] = line.to_string();
        l
    });
    refused(
        &state,
        &keys,
        "line 2: its note is not the county's state key's",
    );
    // A leaf's note moved onto the next line: over another tree.
    let moved = copy("moved");
    edit(&moved, "state_log.jsonl", &|mut l| {
        let first: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
        let mut second: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
        second["note"] = first["note"].clone();
        l[1] = second.to_string();
        l
    });
    refused(
        &moved,
        &keys,
        "line 2: its note is not the county's state key's",
    );
    // The pages of the parties changed: not what they signed (M5).
    let pages = copy("pages");
    edit(&pages, "schedules.jsonl", &|l| {
        l.into_iter()
            .map(|line| line.replacen("甲方：", "甲方：王", 1))
            .collect()
    });
    refused(
        &pages,
        &keys,
        "not the page of the parties they signed (M5)",
    );
    // Another log's key.
    let other = tmp.path().join("other-keys");
    std::fs::create_dir(&other).unwrap();
    ok(&sanquan(&[
        "keygen",
        "--name",
        "sanquan/140421",
        "--out",
        other.join("log.key").to_str().unwrap(),
    ]));
    refused(&good, &other, "not the key of the backup's log");
    // A folder whose manifest was never written is no backup.
    let half = copy("half");
    std::fs::remove_file(half.join("manifest.json")).unwrap();
    refused(&half, &keys, "not a whole backup");
    // And the good one restores.
    let out = ok(&restore(&good, &keys, &tmp.path().join("fine"), None));
    assert!(out.contains("ok: "), "{out}");
}

/// PostgreSQL's own point-in-time recovery, as README's "Backups" says to
/// run it: the write-ahead log archived, a base backup, a restore point
/// named before some entries, and a server recovered to it — which holds
/// exactly the entries acknowledged before the point, and verifies.
#[test]
fn a_postgresql_county_is_recovered_to_a_point_in_time() {
    use sanquan::store::pg_temp::TempPostgres;
    let Some(primary) = crate::common::own_postgres(TempPostgres::start_archiving) else {
        return;
    };
    let (_tmp, data, url) = crate::api::demo_on(&primary);
    let d = data.to_str().unwrap();
    let base = primary.base_backup().unwrap();
    let served = serve_with(&data, &[]);
    let registry = registry_key(&data);
    let before = (1..=50).fold(0, |_, n| bind(&served.url, &registry, n)) + 1;
    primary
        .psql(
            "county",
            "SELECT pg_create_restore_point('before the mistake')",
        )
        .unwrap();
    let after = (51..=100).fold(0, |_, n| bind(&served.url, &registry, n)) + 1;
    drop(served);
    assert_eq!(after, before + 50);
    // The segment holding the restore point is archived once it is full or
    // switched.
    primary.psql("county", "SELECT pg_switch_wal()").unwrap();

    let recovered = base.recover_to(&primary, "before the mistake").unwrap();
    let recovered_url = url.replace(
        &format!(":{}/", primary.port()),
        &format!(":{}/", recovered.port()),
    );
    let said = ok(&sanquan(&[
        "verify",
        "--data-dir",
        d,
        "--database-url",
        &recovered_url,
    ]));
    assert!(said.starts_with(&format!("ok: {before} entries")), "{said}");
    let said = ok(&sanquan(&["verify", "--data-dir", d]));
    assert!(said.starts_with(&format!("ok: {after} entries")), "{said}");
}
