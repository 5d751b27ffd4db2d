//! Title proofs, witnesses and their policy (issue 20), as a county and a
//! bank use them: the demo county, two neighbouring counties' witnesses as
//! processes of their own, `sanquan prove` and `verify-proof` with no
//! network, the proof endpoint of a running server — and a forged proof, a
//! short quorum and a forked checkpoint refused.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::api::{demo, serve};
use crate::common::{ok, sanquan};
use sanquan::ledger::statelog::StateCheckpoint;
use sanquan::ledger::titleproof::TitleProof;
use sanquan::ledger::SignerKey;

/// A `sanquan witness` process on a port of its choosing.
struct Witness {
    child: Child,
    url: String,
    vkey: String,
    state: PathBuf,
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A witness of the demo county's two logs: the state log and the events.
fn witness(dir: &Path, name: &str, data: &Path) -> Witness {
    let state_log = state_log_key(data).verifier().to_string();
    let events = SignerKey::parse(
        std::fs::read_to_string(data.join("keys/log.key"))
            .unwrap()
            .trim(),
    )
    .unwrap()
    .verifier()
    .to_string();
    let key = dir.join(format!("{name}.key"));
    ok(&sanquan(&[
        "keygen",
        "--name",
        name,
        "--out",
        key.to_str().unwrap(),
    ]));
    let state = dir.join(format!("{name}.json"));
    let (child, line) = crate::common::started(&[
        "witness".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--log".as_ref(),
        state_log.as_ref(),
        "--log".as_ref(),
        events.as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--state".as_ref(),
        state.as_os_str(),
    ]);
    // "sanquan witness <vkey> — http://127.0.0.1:PORT/add-checkpoint"
    let words: Vec<&str> = line.split_whitespace().collect();
    Witness {
        vkey: words[2].to_owned(),
        url: words[4].trim_end_matches("/add-checkpoint").to_owned(),
        child,
        state,
    }
}

fn state_log_key(data: &Path) -> SignerKey {
    let log = SignerKey::parse(
        std::fs::read_to_string(data.join("keys/log.key"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    sanquan::store::statelog::StateKeeper::state_key(&log, "140421")
}

/// `sanquan prove title PARCEL` on the data directory, into `out`.
fn prove(data: &str, out: &Path, compact: bool) {
    let mut args = vec![
        "prove",
        "title",
        PARCEL,
        "--data-dir",
        data,
        "--out",
        out.to_str().unwrap(),
    ];
    if compact {
        args.push("--compact");
    }
    ok(&sanquan(&args));
}

fn verify_proof(policy: &Path, proof: &Path) -> std::process::Output {
    sanquan(&[
        "verify-proof",
        "--policy",
        policy.to_str().unwrap(),
        proof.to_str().unwrap(),
    ])
}

const PARCEL: &str = "1404210010010100007";

#[test]
fn a_title_proof_is_checked_offline_and_a_fork_is_refused() {
    let (tmp, data) = demo();
    let d = data.to_str().unwrap();
    let w1 = witness(tmp.path(), "witness.140422", &data);
    let w2 = witness(tmp.path(), "witness.140423", &data);
    std::fs::write(
        data.join("policy.txt"),
        format!(
            "# 邻县见证\nwitness 壶关 {} {}\nwitness 黎城 {} {}\ngroup 邻县 all 壶关 黎城\nquorum 邻县\n",
            w1.vkey, w1.url, w2.vkey, w2.url
        ),
    )
    .unwrap();
    let policy = tmp.path().join("policy.txt");
    std::fs::write(&policy, ok(&sanquan(&["policy", "--data-dir", d]))).unwrap();

    // The proof of a leased parcel, made with no server running, verified
    // with nothing but the policy.
    let proof = tmp.path().join("parcel.tlog-proof");
    prove(d, &proof, false);
    let first = ok(&verify_proof(&policy, &proof));
    let said = &first;
    assert!(said.contains("见证 witnesses 壶关, 黎城"), "{said}");
    assert!(
        said.contains("\"holder\": \"140421001001010002\"") && said.contains("查封 seizures 0"),
        "{said}"
    );

    // A seizure is filed; the next proof (a leaf made for it at once, the
    // witnesses' consistency checked from the last) shows it.
    let seizure = tmp.path().join("seizure.json");
    std::fs::write(&seizure, serde_json::json!({"DKBM": PARCEL, "kind": "seizure", "reason": "法院裁定查封",
        "case_no": "（2026）晋0421民初123号", "until": "2029-12-01", "document_sha256": "ab".repeat(32)}).to_string()).unwrap();
    let justice = data.join("keys/justice.key");
    ok(&sanquan(&[
        "submit",
        "--data-dir",
        d,
        "--key",
        justice.to_str().unwrap(),
        "--kind",
        "encumbrance.register",
        "--body",
        seizure.to_str().unwrap(),
    ]));
    prove(d, &proof, false);
    let said = ok(&verify_proof(&policy, &proof));
    assert!(
        said.contains("查封 seizures 1") && said.contains("状态日志检查点 2"),
        "{said}"
    );

    // As of the first leaf, before the seizure: the log replayed to it,
    // the leaf's inclusion path in the newest (cosigned) checkpoint.
    let before: String = first
        .split("截至事件日志第 ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let earlier = tmp.path().join("earlier.tlog-proof");
    ok(&sanquan(&[
        "prove",
        "title",
        PARCEL,
        "--data-dir",
        d,
        "--at",
        &before,
        "--out",
        earlier.to_str().unwrap(),
    ]));
    let said = ok(&verify_proof(&policy, &earlier));
    assert!(
        said.contains("查封 seizures 0") && said.contains(&format!("截至事件日志第 {before} 条")),
        "{said}"
    );

    // Tampered: another holder in the record; a cosignature dropped.
    let text = std::fs::read_to_string(&proof).unwrap();
    let mut p = TitleProof::from_text(&text).unwrap();
    let forged = String::from_utf8(p.record.clone().unwrap())
        .unwrap()
        .replace("140421001001010002", "140421001001010003");
    p.record = Some(forged.into_bytes());
    let tampered = tmp.path().join("tampered.tlog-proof");
    std::fs::write(&tampered, p.to_text()).unwrap();
    let out = verify_proof(&policy, &tampered);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("map_mismatch"),
        "{out:?}"
    );
    let short: String = text
        .lines()
        .filter(|l| !l.starts_with("— witness.140423"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&tampered, short).unwrap();
    let out = verify_proof(&policy, &tampered);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no_quorum"),
        "{out:?}"
    );

    // The compact form (a certificate's QR) verifies too, and fits.
    let compact = tmp.path().join("parcel.qr");
    prove(d, &compact, true);
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(std::fs::read_to_string(&compact).unwrap().trim())
        .unwrap();
    assert!(bytes.len() <= 1600, "{} bytes", bytes.len());
    ok(&verify_proof(&policy, &compact));

    // A fork: the county's own state key signs another map root for the
    // size the witnesses cosigned. The witness refuses it (409) and keeps
    // both notes.
    let seen: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&w1.state).unwrap()).unwrap();
    let cosigned = &seen["logs"]["sanquan/140421/state"];
    let mut cp = StateCheckpoint::parse_text(cosigned["body"].as_str().unwrap()).unwrap();
    cp.latest.map_root = [7; 32];
    let request = format!(
        "old {}\n\n{}",
        cosigned["size"],
        cp.sign(&state_log_key(&data))
    );
    let answer = ureq::post(&format!("{}/add-checkpoint", w1.url)).send_string(&request);
    match answer {
        Err(ureq::Error::Status(409, r)) => assert!(r.into_string().unwrap().contains("a fork")),
        other => panic!("{other:?}"),
    }
    // The witnesses hold the event log too, cosigned at a state leaf's
    // size, consistent from the size they saw before.
    assert!(
        seen["logs"]["sanquan/140421"]["size"].as_u64().unwrap() > 1500,
        "{seen}"
    );
    let forks = w1.state.with_extension("forks");
    assert_eq!(std::fs::read_dir(&forks).unwrap().count(), 1);

    // Through a running server: the proof endpoint, verified offline.
    let served = serve(&data);
    let text = ureq::get(&format!("{}/api/v1/titles/{PARCEL}/proof", served.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    std::fs::write(&proof, &text).unwrap();
    ok(&verify_proof(&policy, &proof));
    for bad in ["ZJD1", "14042100100101000070", "abc"] {
        let r = ureq::get(&format!("{}/api/v1/titles/{bad}/proof", served.url)).call();
        assert!(
            matches!(r, Err(ureq::Error::Status(400, _))),
            "{bad}: {r:?}"
        );
    }

    // The household's 承包经营权证, printed by Chromium on A4, rasterised;
    // its QRs read back by zbarimg (Debian's zbar-tools) and verified.
    let Some(pdf) = crate::browser::printed_pdf(
        &format!("{}/certificate/140421001001010002J", served.url),
        tmp.path(),
    ) else {
        return;
    };
    let png = tmp.path().join("page");
    let out = Command::new("pdftoppm")
        .args(["-r", "200", "-png"])
        .arg(&pdf)
        .arg(&png)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut read = Vec::new();
    for page in std::fs::read_dir(tmp.path()).unwrap().flatten() {
        let name = page.file_name().to_string_lossy().into_owned();
        if name.starts_with("page-") && name.ends_with(".png") {
            let out = Command::new("zbarimg")
                .args(["--raw", "-q", "-Sqrcode.enable"])
                .arg(page.path())
                .output()
                .expect("zbarimg (apt install zbar-tools)");
            read.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::to_owned),
            );
        }
    }
    let policy_text = std::fs::read_to_string(&policy).unwrap();
    let policy = sanquan::ledger::policy::Policy::parse(&policy_text).unwrap();
    let mut titles = Vec::new();
    for text in read.iter().filter(|l| l.starts_with("SQ1:")) {
        let bytes = sanquan::ledger::titleproof::unbase45(&text[4..]).unwrap();
        let p = TitleProof::from_compact(&bytes, "sanquan/140421/state").unwrap();
        let v = p.verify(&policy).unwrap();
        assert_eq!(v.witnesses.len(), 2);
        titles.push(v.title.clone());
        if v.title == PARCEL {
            assert_eq!(v.record.unwrap().encumbrances.len(), 1, "the seizure");
        }
    }
    assert!(titles.contains(&PARCEL.to_owned()), "QRs read: {read:?}");

    // In the browser: the parcel page fetches the proof and checks it with
    // the policy it pins; the /verify page reads the certificate's photo
    // (jsQR), a pasted QR text, and refuses a damaged one.
    let Some(mut b) = crate::browser::Browser::start(&served.url, "title-proof") else {
        return;
    };
    let result = |b: &crate::browser::Browser| {
        b.wait(
            "document.getElementById('title-report').dataset.result",
            "checked",
        );
        let r = b.js("const r = document.getElementById('title-report'); const v = [r.dataset.result, r.textContent]; delete r.dataset.result; return v");
        (
            r[0].as_str().unwrap().to_owned(),
            r[1].as_str().unwrap().to_owned(),
        )
    };
    b.goto(&format!("/parcel/{PARCEL}"));
    b.click("#verify-title");
    let (ok_, text) = result(&b);
    assert_eq!(ok_, "ok", "{text}");
    assert!(
        text.contains("有查封") && text.contains("壶关、黎城"),
        "{text}"
    );
    // A photo of one of the certificate's QRs, as a phone frames it (the
    // code at its own size, two CSS pixels a module, sharp edges), read on
    // /verify by jsQR (headless Chromium has no BarcodeDetector) and
    // verified.
    b.goto("/certificate/140421001001010002J");
    let qr_svg = format!("figure.qr[data-title=\"{PARCEL}\"] svg");
    b.js(&format!(
        "const s = document.querySelector('{qr_svg}'); const n = s.viewBox.baseVal.width || s.width.baseVal.value; \
         s.setAttribute('shape-rendering', 'crispEdges'); s.style.width = s.style.height = n + 'px'; s.scrollIntoView();"
    ));
    let shot = b.rt.block_on(async {
        b.client
            .find(fantoccini::Locator::Css(&qr_svg))
            .await
            .unwrap()
            .screenshot()
            .await
            .unwrap()
    });
    let photo = tmp.path().join("photo.png");
    std::fs::write(&photo, shot).unwrap();
    b.goto("/verify");
    b.rt.block_on(async {
        b.client
            .find(fantoccini::Locator::Css("#proof-photo"))
            .await
            .unwrap()
            .send_keys(&photo.display().to_string())
            .await
            .unwrap();
    });
    let (ok_, text) = result(&b);
    assert_eq!(ok_, "ok", "{text}");
    assert!(text.contains("有查封"), "{text}");
    // What a scan reads, pasted.
    let qr = read.iter().find(|l| l.starts_with("SQ1:")).unwrap();
    b.type_into("#proof-text", qr);
    b.click("#f-proof button[type=submit]");
    let (ok_, text) = result(&b);
    assert_eq!(ok_, "ok", "{text}");
    // One character changed in the middle of the QR text.
    let mid = qr.len() / 2;
    let flipped = if &qr[mid..=mid] == "A" { "B" } else { "A" };
    let damaged = format!("{}{flipped}{}", &qr[..mid], &qr[mid + 1..]);
    b.js("document.getElementById('proof-text').value = ''");
    b.type_into("#proof-text", &damaged);
    b.click("#f-proof button[type=submit]");
    let (ok_, text) = result(&b);
    assert_eq!(ok_, "bad", "{text}");
    assert!(text.starts_with("✗ 核验不通过"), "{text}");
    b.assert_no_console_errors();
}

/// The monitor rebuilds the map from the events through the public API and
/// checks every state leaf; a leaf the county's own state key signed with a
/// map root the events do not give is caught, and named.
#[test]
fn the_monitor_catches_a_map_leaf_the_events_do_not_give() {
    let (_tmp, data) = demo();
    {
        let served = serve(&data);
        // Wait for the server's first leaf.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while ureq::get(&format!("{}/api/v1/state/checkpoint", served.url))
            .call()
            .is_err()
        {
            assert!(std::time::Instant::now() < deadline, "no state leaf");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let said = ok(&sanquan(&["monitor", &served.url]));
        // The event log as C2SP tlog-tiles, read by an independent reader
        // (Python, from the specification): every entry hashes to its tile,
        // every tile to its parent, the root to the checkpoint's.
        let tiles = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/tools/tlog_tiles.py"
            ))
            .arg(&served.url)
            .output()
            .expect("python3");
        let read = String::from_utf8_lossy(&tiles.stdout);
        assert!(
            tiles.status.success() && read.starts_with("ok "),
            "{read}{}",
            String::from_utf8_lossy(&tiles.stderr)
        );
        for bad in ["/tile/0/1", "/tile/0/999", "/tile/entries/000.p/0"] {
            let r = ureq::get(&format!("{}{bad}", served.url)).call();
            assert!(
                matches!(r, Err(ureq::Error::Status(404, _))),
                "{bad}: {r:?}"
            );
        }
        assert!(
            said.starts_with("ok: 1 state leaves match the map rebuilt from "),
            "{said}"
        );
    }
    // The county's server lies: a new leaf, properly signed, whose map root
    // the events do not give.
    let db = sanquan::store::Db::open(data.join("sanquan.db").to_str().unwrap(), "140421").unwrap();
    let mut conn = db.conn().unwrap();
    let (leaves, _) = sanquan::store::statelog::load(&mut conn, "140421").unwrap();
    let mut lie = *leaves.last().unwrap();
    lie.map_root = [7; 32];
    let mut tree = sanquan::ledger::merkle::MemoryTree::new(&[]);
    for l in leaves.iter().chain([&lie]) {
        tree.push(l.hash());
    }
    let note = StateCheckpoint {
        tree: sanquan::ledger::Checkpoint {
            origin: "sanquan/140421/state".into(),
            size: leaves.len() as u64 + 1,
            root: tree.root(),
        },
        latest: lie,
    }
    .sign(&state_log_key(&data));
    sanquan::store::statelog::append(&mut conn, "140421", leaves.len() as u64, &lie, &note)
        .unwrap();
    drop(conn);
    let served = serve(&data);
    let out = sanquan(&["monitor", &served.url]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains(&format!("state leaf {}: its map root", leaves.len()))
            && said.contains("is not the one the events give"),
        "{said}"
    );
}

/// The state log on each backend: a writer keeping it makes a leaf before
/// it serves, stores it (SQLite, PostgreSQL), proves a held parcel and an
/// absent one, and a restarted writer reads its leaves back — the same
/// leaf while the log has not grown, a new one once a title changed.
#[test]
fn the_state_log_is_kept_on_each_backend() {
    use sanquan::ledger::policy::Policy;
    use sanquan::model::titles::Title;
    use sanquan::store::statelog::StateKeeper;
    use sanquan::store::Writer;
    crate::common::Market::on_each_backend(|m| {
        let keeping = |m: &mut crate::common::Market| {
            if let Some(w) = m.log.writer.take() {
                w.shutdown();
            }
            m.log.writer = Some(
                Writer::start_keeping_state(
                    &m.log.db,
                    m.log.log_key.clone(),
                    m.log.clock.clone(),
                    std::time::Duration::from_secs(86_400),
                    None,
                )
                .unwrap(),
            );
        };
        keeping(m);
        let state_key = StateKeeper::state_key(&m.log.log_key, "140421");
        let policy =
            Policy::parse(&format!("log {}\nquorum none\n", state_key.verifier())).unwrap();
        let held = Title::Parcel(crate::common::parcel(1));
        let proof = m.log.writer().prove_title_blocking(held.clone()).unwrap();
        let v = TitleProof::from_text(&proof.to_text())
            .unwrap()
            .verify(&policy)
            .unwrap();
        assert_eq!(
            v.record.unwrap().holder.as_deref(),
            Some(crate::common::SELLER)
        );
        let absent = Title::Parcel(crate::common::parcel(99_999));
        let none = m.log.writer().prove_title_blocking(absent).unwrap();
        assert_eq!(none.verify(&policy).unwrap().record, None);
        // Restarted: the leaves read back, the log has not grown, no new leaf.
        keeping(m);
        let again = m.log.writer().prove_title_blocking(held.clone()).unwrap();
        assert_eq!((again.index, again.leaf), (proof.index, proof.leaf));
        // A title changes (the neighbour objects to the parcel beside its
        // own, R2): the next proof is of a new leaf that shows it.
        m.ok(
            &m.neighbour,
            "encumbrance.register",
            serde_json::json!({"DKBM": crate::common::parcel(2), "kind": "objection",
                "reason": "四至有误", "document_sha256": "cd".repeat(32)}),
        );
        std::thread::sleep(StateKeeper::MIN_GAP);
        let after = m
            .log
            .writer()
            .prove_title_blocking(Title::Parcel(crate::common::parcel(2)))
            .unwrap();
        assert_eq!(after.index, proof.index + 1);
        let record = after.verify(&policy).unwrap().record.unwrap();
        assert_eq!(record.encumbrances.len(), 1, "{record:?}");
    });
}
