//! The `sanquan` binary: init, keygen, submit, checkpoint, verify, and one
//! writer per data directory.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use crate::common::{entries, ok, sanquan, stamp, BIN};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sanquan::ledger::merkle::leaf_hash;
use sanquan::ledger::{Envelope, SignerKey};
use sanquan::store::schema::log_entries;
use sanquan::store::{queries, Db};
use serde_json::{json, Value};

pub(crate) fn init(dir: &Path) {
    ok(&sanquan(&[
        "init",
        "--data-dir",
        dir.to_str().unwrap(),
        "--county",
        "140421",
        "--name",
        "平顺县",
    ]));
}

fn write_body(dir: &Path, name: &str, body: serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn init_submit_checkpoint_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    init(&dir);
    // The root key, and the four departments' keys it bound (A2).
    for f in [
        "log.key",
        "log.key.pub",
        "county.key",
        "county.key.pub",
        "registry.key",
        "civil_registration.key",
        "justice.key",
        "natural_resources.key",
    ] {
        assert!(dir.join("keys").join(f).exists(), "{f}");
    }
    let meta = std::fs::metadata(dir.join("keys/county.key")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    // A second init on the same directory is refused.
    assert!(
        !sanquan(&["init", "--data-dir", d, "--county", "140421", "--name", "x"])
            .status
            .success()
    );

    let (vkey, out) = bind_collective(&dir, "14042100100101");
    assert!(vkey.starts_with("collective-14042100100101+"));
    let receipt: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(
        receipt["index"], 5,
        "after genesis and the four departments"
    );
    // The same key again: refused with its code, nothing written.
    let county_key = dir.join("keys/registry.key");
    let body = write_body(
        tmp.path(),
        "again.json",
        json!({"vkey": vkey, "role": "collective", "party": "14042100100109"}),
    );
    let again = sanquan(&[
        "submit",
        "--data-dir",
        d,
        "--key",
        county_key.to_str().unwrap(),
        "--kind",
        "key.register",
        "--body",
        &body,
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("key_already_registered"));

    let note = ok(&sanquan(&["checkpoint", "--data-dir", d]));
    assert!(note.starts_with("sanquan/140421\n6\n"), "{note}");
    let out = ok(&sanquan(&["verify", "--data-dir", d]));
    assert!(out.starts_with("ok: 6 entries"), "{out}");

    // Tamper with the SQLite file: verify exits non-zero and names the entry.
    let db = Db::open(dir.join("sanquan.db").to_str().unwrap(), "140421").unwrap();
    let mut conn = db.dedicated().unwrap();
    let leaf = String::from_utf8(
        queries::entry_leaf(&mut conn, "140421", 5)
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let tampered = leaf.replace(
        "\"party\":\"14042100100101\"",
        "\"party\":\"14042100100102\"",
    );
    assert_ne!(tampered, leaf);
    diesel::update(log_entries::table.filter(log_entries::idx.eq(5i64)))
        .set(log_entries::leaf.eq(tampered.into_bytes()))
        .execute(&mut conn)
        .unwrap();
    let out = sanquan(&["verify", "--data-dir", d]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("log index 5") && err.contains("signature"),
        "{err}"
    );
}

/// A command whose output is cut short (`sanquan … | head`) ends quietly,
/// with the status of a program whose pipe closed — not with a panic.
#[test]
fn output_cut_short_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(BIN)
        .args(["keygen", "--name", "cut", "--out"])
        .arg(tmp.path().join("cut.key"))
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Makes a collective key with `keygen` and has the county's registry bind
/// it with `submit --data-dir`; returns the verifier key and submit's output.
fn bind_collective(dir: &Path, party: &str) -> (String, Output) {
    let key = dir.join(format!("../{party}.key"));
    let vkey = ok(&sanquan(&[
        "keygen",
        "--name",
        &format!("collective-{party}"),
        "--out",
        key.to_str().unwrap(),
    ]));
    let body = write_body(
        dir,
        &format!("../{party}.json"),
        json!({"vkey": vkey.trim(), "role": "collective", "party": party}),
    );
    let county_key = dir.join("keys/registry.key");
    let out = sanquan(&[
        "submit",
        "--data-dir",
        dir.to_str().unwrap(),
        "--key",
        county_key.to_str().unwrap(),
        "--kind",
        "key.register",
        "--body",
        &body,
    ]);
    (vkey.trim().to_owned(), out)
}

pub(crate) fn server_url(dir: &Path) -> String {
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("server.json")).unwrap()).unwrap();
    info["url"].as_str().unwrap().to_owned()
}

pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> Server {
    serve_with(dir, &[])
}

/// `sanquan serve` on a random port, with more arguments.
pub(crate) fn serve_with(dir: &Path, more: &[&str]) -> Server {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--data-dir",
            dir.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .args(more)
        .env_remove("SANQUAN_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !dir.join("server.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

#[test]
fn one_writer_per_data_directory_and_a_clean_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    init(&dir);
    let mut server = serve(&dir);
    // A second server on the same directory is refused.
    let second = sanquan(&["serve", "--data-dir", d, "--listen", "127.0.0.1:0"]);
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("writer"));

    // `submit --data-dir` goes through the running server, and so does `--server`.
    let (vkey, out) = bind_collective(&dir, "14042100100101");
    assert!(ok(&out).contains("\"index\":5"));
    let body = write_body(tmp.path(), "rev.json", json!({"vkey": vkey}));
    let county_key = dir.join("keys/registry.key");
    let out = ok(&sanquan(&[
        "submit",
        "--server",
        &server_url(&dir),
        "--key",
        county_key.to_str().unwrap(),
        "--kind",
        "key.revoke",
        "--body",
        &body,
    ]));
    assert!(out.contains("\"index\":6"), "{out}");
    // verify runs beside the live server, on one snapshot.
    assert!(ok(&sanquan(&["verify", "--data-dir", d])).starts_with("ok: 7 entries"));

    // SIGTERM: the server stops cleanly and gives the directory back.
    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(!dir.join("server.json").exists());
    // With the server gone, `submit` is the writer itself.
    let (_, out) = bind_collective(&dir, "14042100100102");
    assert!(ok(&out).contains("\"index\":7"));
    assert!(ok(&sanquan(&["verify", "--data-dir", d])).starts_with("ok: 8 entries"));
}

#[test]
fn a_crash_loses_no_acknowledged_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    init(&dir);
    let mut server = serve(&dir);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("server.json")).unwrap()).unwrap();
    let url = info["url"].as_str().unwrap().to_owned();
    let county = SignerKey::parse(
        std::fs::read_to_string(dir.join("keys/registry.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    // Four clients submit as fast as they can; the server is killed (SIGKILL)
    // in the middle of it.
    let acked: Vec<(u64, Vec<u8>)> = std::thread::scope(|s| {
        let clients: Vec<_> = (0..4u32)
            .map(|t| {
                let (url, county) = (url.clone(), county.clone());
                s.spawn(move || {
                    let mut acked = Vec::new();
                    for i in 0..100_000u32 {
                        let key = SignerKey::generate("c").unwrap();
                        let body = json!({"vkey": key.verifier().to_string(), "role": "collective", "party": format!("1404210{t:02}{i:05}")});
                        let env = Envelope::sign(&county, "sanquan/140421", "key.register", &format!("{t}-{i}"), &stamp(), body).unwrap();
                        match ureq::post(&format!("{url}/api/v1/entries")).set("Content-Type", "application/json").send_bytes(&env.to_json()) {
                            Ok(r) => {
                                let v: serde_json::Value = r.into_json().unwrap();
                                let hash = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, v["leaf_hash"].as_str().unwrap()).unwrap();
                                acked.push((v["index"].as_u64().unwrap(), hash));
                            }
                            Err(_) => break,
                        }
                    }
                    acked
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    assert!(
        acked.len() > 50,
        "only {} entries were acknowledged before the kill",
        acked.len()
    );
    // The directory is usable again (the lock died with the process) and
    // consistent; every acknowledged entry is there with its leaf hash.
    let out = ok(&sanquan(&["verify", "--data-dir", d]));
    assert!(out.starts_with("ok:"), "{out}");
    let db = Db::open(dir.join("sanquan.db").to_str().unwrap(), "140421").unwrap();
    let mut conn = db.dedicated().unwrap();
    for (index, hash) in &acked {
        let leaf = queries::entry_leaf(&mut conn, "140421", *index)
            .unwrap()
            .expect("acknowledged entry present");
        assert_eq!(leaf_hash(&leaf).to_vec(), *hash, "entry {index}");
    }
}

#[test]
fn submit_registers_a_household_with_its_personal_data() {
    use sanquan::model::person::PersonRecord;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    ok(&sanquan(&["demo", "--data-dir", d, "--load-only"]));
    let demo = entries(d);
    let head = PersonRecord {
        salt: "q83vEjRWeJCrze8SNFZ4kA==".into(),
        name: "周六".into(),
        id_number: "140421199111110102".into(),
        phone: Some("13800000000".into()),
    };
    let body = write_body(
        tmp.path(),
        "household.json",
        json!({"CBFBM": "140421001001010099", "members": [{"person": head.commitment(), "relation": "02"}]}),
    );
    let key = dir.join("keys/demo/collective-14042100100101.key");
    let submit = |personal: &PersonRecord| {
        let path = tmp.path().join("personal.json");
        std::fs::write(&path, serde_json::to_string(&[personal]).unwrap()).unwrap();
        sanquan(&[
            "submit",
            "--data-dir",
            d,
            "--key",
            key.to_str().unwrap(),
            "--kind",
            "household.register",
            "--body",
            &body,
            "--personal",
            path.to_str().unwrap(),
        ])
    };
    // The records must be the ones the entry names.
    let mut other = head.clone();
    other.salt = "AAAAAAAAAAAAAAAAAAAAAA==".into();
    let refused = submit(&other);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("personal_data_mismatch"));
    let out = ok(&submit(&head));
    assert!(out.contains(&format!("\"index\":{demo}")), "{out}");
    assert_eq!(entries(d), demo + 1);

    // `query` reads the registry; personal data only on a signed read by a
    // role that may see it.
    let query = |args: &[&str]| {
        let mut all = vec!["query", "--data-dir", d];
        all.extend_from_slice(args);
        sanquan(&all)
    };
    let household: Value =
        serde_json::from_str(&ok(&query(&["household", "140421001001010099"]))).unwrap();
    assert_eq!(household["personal_data"], "withheld");
    assert!(household["members"][0].get("name").is_none());
    let shown: Value = serde_json::from_str(&ok(&query(&[
        "household",
        "140421001001010099",
        "--key",
        key.to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(shown["members"][0]["name"], "周六");
    let other_village = dir.join("keys/demo/collective-14042100100201.key");
    let refused = query(&[
        "household",
        "140421001001010099",
        "--key",
        other_village.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("read_not_allowed"));
    let parcel: Value =
        serde_json::from_str(&ok(&query(&["parcel", "1404210010010100001"]))).unwrap();
    assert_eq!(parcel["type"], "Feature");
    let title: Value =
        serde_json::from_str(&ok(&query(&["title", "1404210010010100001"]))).unwrap();
    assert!(title["history"].as_array().is_some());
    let missing = query(&["collective", "14042100109999"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not_found"));
}

#[test]
fn the_demo_has_an_exchange_with_settled_deals_an_auction_and_listings_under_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    ok(&sanquan(&["demo", "--data-dir", d, "--load-only"]));
    let listings = |status: &str| -> Vec<serde_json::Value> {
        let out = ok(&sanquan(&["query", "listings", status, "--data-dir", d]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["listings"].as_array().unwrap().clone()
    };
    let settled = listings("settled");
    assert_eq!(settled.len(), 5);
    assert!(settled.iter().all(|l| l["certificate_no"].is_string()));
    // M3: one was won by a member matching the company's bid.
    assert!(settled.iter().any(|l| l["bids"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["matched"] == true)));
    let trading = listings("trading");
    assert_eq!(trading.len(), 1);
    let deadline: chrono::DateTime<chrono::Utc> =
        trading[0]["deadline"].as_str().unwrap().parse().unwrap();
    assert!(
        deadline > chrono::Utc::now(),
        "the auction is still running"
    );
    let notice = listings("notice");
    assert_eq!(notice.len(), 2);
    assert!(notice
        .iter()
        .any(|l| l["objections"].as_array().is_some_and(|o| o.len() == 1)));
    let first = settled
        .iter()
        .map(|l| l["household"].as_str().unwrap())
        .min()
        .unwrap();
    let income = ok(&sanquan(&["query", "income", first, "--data-dir", d]));
    assert!(income.contains("\"total\""), "{income}");
    entries(d);
}
