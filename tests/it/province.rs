//! Issue 21 (2): a province's counties in one `sanquan serve` — each its
//! own log, keys, writer and lock, in one PostgreSQL database (or SQLite
//! files side by side) — each answering at `/api/v1/counties/{county}/…`,
//! the home county also at today's routes and in the pages, every other
//! county there under a host named for it (`140427.…`); the reads
//! across them (the counties, their listings, their figures); an entry of
//! one county never written to another's log.

use std::path::Path;

use serde_json::{json, Value};

use crate::api::{demo, demo_on, serve_with};
use crate::common::{ok, sanquan};
use sanquan::ledger::{CountyLogs, Envelope, SignerKey};
use sanquan::model::elsewhere::OtherLogs;
use sanquan::model::entry::AdmissionElsewhere;
use sanquan::store::pg_temp::TempPostgres;

/// A second county, 壶关县 (140427), beside the demo's 平顺县, on the
/// database `url` (its own SQLite file when none).
fn second_county(root: &Path, url: Option<&str>) -> std::path::PathBuf {
    let dir = root.join("140427");
    let mut args = vec![
        "init",
        "--data-dir",
        dir.to_str().unwrap(),
        "--county",
        "140427",
        "--name",
        "壶关县",
    ];
    if let Some(url) = url {
        args.extend(["--database-url", url]);
    }
    ok(&sanquan(&args));
    dir
}

fn get(url: &str) -> (u16, Value) {
    match ureq::get(url).call() {
        Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// A key bound by `county`'s registry key, as an envelope of its log.
fn binding(data: &Path, county: &str, n: u32) -> Vec<u8> {
    let registry = SignerKey::parse(
        std::fs::read_to_string(data.join("keys/registry.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let key = SignerKey::generate("c").unwrap();
    let body = json!({"vkey": key.verifier().to_string(), "role": "collective",
                      "party": format!("{county}00{n:06}")});
    let stamp = sanquan::store::Clock::default().stamp();
    Envelope::sign(
        &registry,
        &format!("sanquan/{county}"),
        "key.register",
        &format!("p{n}"),
        &stamp,
        body,
    )
    .unwrap()
    .to_json()
}

fn post(url: &str, body: &[u8]) -> (u16, Value) {
    match ureq::post(url)
        .set("Content-Type", "application/json")
        .send_bytes(body)
    {
        Ok(r) => (r.status(), r.into_json().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap()),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn two_counties_in_one_server(home: &Path, other: &Path) {
    let served = serve_with(home, &["--county-dir", other.to_str().unwrap()]);
    let api = format!("{}/api/v1", served.url);

    // The counties held, the home county first.
    let (status, counties) = get(&format!("{api}/counties"));
    assert_eq!(status, 200, "{counties}");
    let list = counties["counties"].as_array().unwrap();
    assert_eq!(
        list.iter()
            .map(|c| (c["county"].as_str().unwrap(), c["name"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("140421", "平顺县"), ("140427", "壶关县")]
    );
    assert_eq!(list[1]["api"], "/api/v1/counties/140427");
    let demo_entries = list[0]["entries"].as_u64().unwrap();
    let other_entries = list[1]["entries"].as_u64().unwrap();
    assert!(demo_entries > 1000 && other_entries < 20, "{counties}");

    // Each county's routes at its own path; the home county's also at today's.
    for path in ["/listings", "/checkpoint", "/parcels/1404210010010100001"] {
        let (a, home_view) = get(&format!("{api}{path}"));
        let (b, county_view) = get(&format!("{api}/counties/140421{path}"));
        assert_eq!((a, &home_view), (b, &county_view), "{path}");
    }
    let (status, listings) = get(&format!("{api}/counties/140427/listings"));
    assert_eq!(
        (status, listings["listings"].as_array().unwrap().len()),
        (200, 0)
    );
    let (status, refused) = get(&format!(
        "{api}/counties/140427/parcels/1404210010010100001"
    ));
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = get(&format!("{api}/counties/140499/listings"));
    assert_eq!(status, 404);

    // An entry goes to its own county's log, and only there.
    let entry = binding(other, "140427", 1);
    for wrong in [
        format!("{api}/entries"),
        format!("{api}/counties/140421/entries"),
    ] {
        let (status, refused) = post(&wrong, &entry);
        assert_eq!(status, 400, "{wrong}: {refused}");
        assert!(!refused["error"]["message_zh"].as_str().unwrap().is_ascii());
    }
    let (status, receipt) = post(&format!("{api}/counties/140427/entries"), &entry);
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["index"].as_u64(), Some(other_entries));
    // `submit --data-dir` of the second county goes through the server to
    // that county.
    let body = other.join("../binding.json");
    let key = SignerKey::generate("c").unwrap();
    std::fs::write(
        &body,
        json!({"vkey": key.verifier().to_string(), "role": "collective", "party": "14042700200201"}).to_string(),
    )
    .unwrap();
    let out = ok(&sanquan(&[
        "submit",
        "--data-dir",
        other.to_str().unwrap(),
        "--key",
        other.join("keys/registry.key").to_str().unwrap(),
        "--kind",
        "key.register",
        "--body",
        body.to_str().unwrap(),
    ]));
    assert!(
        out.contains(&format!("\"index\":{}", other_entries + 1)),
        "{out}"
    );
    // A second server for a county already served is refused (one writer).
    let second = sanquan(&[
        "serve",
        "--data-dir",
        other.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!second.status.success());

    // Each log's tiles at its own root.
    let note = ureq::get(&format!("{}/counties/140427/checkpoint", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(note.starts_with("sanquan/140427\n"), "{note}");
    let note = ureq::get(&format!("{}/checkpoint", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(note.starts_with("sanquan/140421\n"), "{note}");

    // P5: an entry of one county as evidence for another — its record,
    // inclusion proof and the checkpoint it is under, served together —
    // proves itself as the other county's rules check it, under the log key
    // that county would pin.
    let (status, evidence) = get(&format!(
        "{api}/counties/140427/entries/{other_entries}/evidence"
    ));
    assert_eq!(status, 200, "{evidence}");
    let evidence: AdmissionElsewhere = serde_json::from_value(evidence).unwrap();
    let vkey = std::fs::read_to_string(other.join("keys/log.key.pub")).unwrap();
    let proved = CountyLogs.entry(&evidence, vkey.trim()).unwrap();
    assert_eq!(
        (proved.county.as_str(), proved.index, proved.kind.as_str()),
        ("140427", other_entries, "key.register")
    );
    let home_vkey = std::fs::read_to_string(home.join("keys/log.key.pub")).unwrap();
    assert!(CountyLogs.entry(&evidence, home_vkey.trim()).is_err());
    let (status, _) = get(&format!(
        "{api}/counties/140427/entries/{}/evidence",
        other_entries + 100
    ));
    assert_eq!(status, 404);

    // Under a host named for a county, its pages and today's routes; under
    // any other, the home county's.
    let page = |host: Option<&str>| {
        let mut req = ureq::get(&format!("{}/", served.url));
        if let Some(h) = host {
            req = req.set("Host", h);
        }
        req.call().unwrap().into_string().unwrap()
    };
    assert!(page(Some("140427.localhost")).contains("壶关县"));
    assert!(!page(Some("140427.localhost")).contains("平顺县"));
    // A county just begun says so, rather than showing empty cards.
    for empty in ["还没有村集体登记", "还没有挂牌的流转"] {
        assert!(page(Some("140427.localhost")).contains(empty), "{empty}");
        assert!(!page(None).contains(empty), "{empty}");
    }
    assert!(page(None).contains("平顺县"));
    assert!(page(Some("www.localhost")).contains("平顺县"));
    let origin = ureq::get(&format!("{api}/checkpoint"))
        .set("Host", "140427.example.gov.cn:8080")
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(origin.starts_with("sanquan/140427\n"), "{origin}");

    // The province's reads: listings county by county, at most per_county.
    let (status, province) = get(&format!("{api}/province/listings?per_county=3"));
    assert_eq!(status, 200, "{province}");
    let each = province["counties"].as_array().unwrap();
    assert_eq!(each.len(), 2);
    let (_, home_listings) = get(&format!("{api}/listings"));
    let newest: Vec<&Value> = home_listings["listings"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .collect();
    assert_eq!(
        each[0]["listings"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        newest
    );
    assert_eq!(
        (
            each[1]["county"].as_str(),
            each[1]["listings"].as_array().unwrap().len()
        ),
        (Some("140427"), 0)
    );
    for bad in ["per_county=0", "per_county=501", "status=nonsense"] {
        let (status, refused) = get(&format!("{api}/province/listings?{bad}"));
        assert_eq!(status, 400, "{bad}: {refused}");
    }
    // Their figures, and the sums.
    let (status, figures) = get(&format!("{api}/province/figures"));
    assert_eq!(status, 200, "{figures}");
    let f = figures["counties"].as_array().unwrap();
    assert_eq!(
        (f[0]["parcels"].as_u64(), f[1]["parcels"].as_u64()),
        (Some(800), Some(0))
    );
    assert_eq!(f[1]["entries"].as_u64(), Some(other_entries + 2));
    let sum = |field: &str| f.iter().map(|c| c[field].as_u64().unwrap()).sum::<u64>();
    for field in [
        "entries",
        "collectives",
        "parcels",
        "households",
        "contracts",
    ] {
        assert_eq!(
            figures["total"][field].as_u64(),
            Some(sum(field)),
            "{field}"
        );
    }
    // By the stage each listing's page shows (a notice run out is trading).
    let mut shown = std::collections::BTreeMap::<String, u64>::new();
    for l in home_listings["listings"].as_array().unwrap() {
        *shown
            .entry(l["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let counted: std::collections::BTreeMap<String, u64> = f[0]["listings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap().to_owned(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counted, shown);
    let listed: u64 = f[0]["listings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert!(listed > 0);
    drop(served);

    // Both logs hold together.
    for dir in [home, other] {
        let out = ok(&sanquan(&["verify", "--data-dir", dir.to_str().unwrap()]));
        assert!(out.starts_with("ok:"), "{out}");
    }
}

#[test]
fn a_province_serves_its_counties_side_by_side_in_sqlite_files() {
    let (tmp, home) = demo();
    let other = second_county(tmp.path(), None);
    two_counties_in_one_server(&home, &other);
}

#[test]
fn a_province_serves_its_counties_from_one_postgresql_database() {
    let Some(pg) = crate::common::own_postgres(TempPostgres::start) else {
        return;
    };
    let (tmp, home, url) = demo_on(&pg);
    let other = second_county(tmp.path(), Some(&url));
    two_counties_in_one_server(&home, &other);
}
