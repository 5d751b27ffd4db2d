//! The HTTP API on a random port: every endpoint, and every refusal with its
//! status, code and field — and that a refusal writes nothing.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sanquan::ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};
use sanquan::ledger::{Checkpoint, SignerKey};
use serde_json::{json, Value};

use crate::common::*;

struct App {
    url: String,
    log_key: SignerKey,
    county_key: SignerKey,
    _db: TestDb,
}

impl Replayed for App {
    fn replayed(&self) -> (sanquan::store::Db, sanquan::model::VerifierKey) {
        let db = sanquan::store::Db::open(&self._db.url, COUNTY).unwrap();
        (db, self.log_key.verifier())
    }
}

fn app(backend: Backend) -> App {
    let (registry, db, log_key, county_key) = TestLog::new(backend).into_registry();
    App {
        url: spawn_app(registry),
        log_key,
        county_key,
        _db: db,
    }
}

impl App {
    fn post(&self, body: &[u8]) -> (u16, Value) {
        self.post_to("/api/v1/entries", body)
    }

    fn post_batch(&self, body: &[u8]) -> (u16, Value) {
        self.post_to("/api/v1/entries/batch", body)
    }

    fn post_to(&self, path: &str, body: &[u8]) -> (u16, Value) {
        match ureq::post(&format!("{}{path}", self.url))
            .set("Content-Type", "application/json")
            .send_bytes(body)
        {
            Ok(r) => (r.status(), r.into_json().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap()),
            Err(e) => panic!("{e}"),
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        match ureq::get(&format!("{}{path}", self.url)).call() {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    }

    fn checkpoint(&self) -> Checkpoint {
        let (status, note) = self.get("/api/v1/checkpoint");
        assert_eq!(status, 200);
        Checkpoint::open(&note, &self.log_key.verifier()).unwrap()
    }

    /// Posts and expects a refusal with this status, code and field, and no
    /// change to the log.
    fn refused(&self, body: &[u8], status: u16, code: &str, field: Option<&str>) {
        let before = self.checkpoint();
        let (got, v) = self.post(body);
        assert_eq!(
            (got, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
        assert_eq!(v["error"]["field"].as_str(), field, "{v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        assert!(
            v["error"]["message_zh"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{2e80}'),
            "{v}"
        );
        assert_eq!(self.checkpoint(), before, "a refusal changed the log");
    }
}

fn hashes(v: &Value) -> Vec<Hash> {
    v["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| B64.decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
        .collect()
}

#[test]
fn entries_checkpoints_and_proofs_over_http() {
    on_each_backend(app, |app| {
        let mut receipts = Vec::new();
        for i in 0..20u32 {
            let env = sign(
                &app.county_key,
                "key.register",
                register("collective", &format!("140421005{i:05}"), &new_key("c")),
            );
            let (status, v) = app.post(&env.to_json());
            assert_eq!(status, 201, "{v}");
            receipts.push((
                v["index"].as_u64().unwrap(),
                B64.decode(v["leaf_hash"].as_str().unwrap()).unwrap(),
            ));
        }
        let cp = app.checkpoint();
        assert_eq!(cp.size, 21);
        for (index, hash) in &receipts {
            // The entry's bytes are exactly the leaf: the client hashes them itself.
            let (status, leaf) = app.get(&format!("/api/v1/entries/{index}"));
            assert_eq!(status, 200);
            let own: Hash = leaf_hash(leaf.as_bytes());
            assert_eq!(own.to_vec(), *hash);
            let record: Value = serde_json::from_str(&leaf).unwrap();
            assert_eq!(record["index"].as_u64(), Some(*index));
            let (status, proof) = app.get(&format!(
                "/api/v1/proofs/inclusion?index={index}&size={}",
                cp.size
            ));
            assert_eq!(status, 200);
            let proof = hashes(&serde_json::from_str(&proof).unwrap());
            assert!(verify_inclusion(&own, *index, cp.size, &proof, &cp.root));
        }
        let (status, proof) = app.get("/api/v1/proofs/consistency?old=1&new=21");
        assert_eq!(status, 200);
        let genesis = leaf_hash(app.get("/api/v1/entries/0").1.as_bytes());
        assert!(verify_consistency(
            1,
            21,
            &genesis,
            &cp.root,
            &hashes(&serde_json::from_str(&proof).unwrap())
        ));
        let (status, spec) = app.get("/api/v1/openapi.json");
        assert_eq!(status, 200);
        let spec: Value = serde_json::from_str(&spec).unwrap();
        assert!(spec["paths"]["/api/v1/entries"]["post"].is_object());
        // Every kind is described with who may sign it and its rule ids, from
        // the kinds' one declaration.
        let entry = &spec["components"]["schemas"]["Envelope"]["properties"]["entry"];
        let kinds = entry["oneOf"].as_array().unwrap();
        assert_eq!(kinds.len(), sanquan::model::KINDS.len());
        assert_eq!(
            entry["discriminator"]["mapping"]["contract.grant"],
            "#/components/schemas/entry.contract.grant"
        );
        let grant = &entry["x-kinds"]["contract.grant"];
        assert_eq!(grant["signers"], json!(["collective"]));
        assert_eq!(grant["rules"], json!(["C1", "C2", "C3", "C4"]));
        // Its body is a schema under components, referenced from the root.
        assert_eq!(
            grant["body"]["$ref"],
            "#/components/schemas/body.contract.grant"
        );
        let body = &spec["components"]["schemas"]["body.contract.grant"];
        assert_eq!(body["additionalProperties"], false);
        assert!(body["required"]
            .as_array()
            .unwrap()
            .contains(&json!("CBHTBM")));
        assert_eq!(
            entry["x-kinds"]["listing.withdraw"]["signers"],
            json!(["collective", "household", "transferee"])
        );
        // A1: which kinds can act over a household, from the same table.
        assert_eq!(grant["acts_over_party"], false);
        assert_eq!(entry["x-kinds"]["member.end"]["acts_over_party"], true);
        // A2: each kind's remit and second hands, from the kinds table.
        assert_eq!(
            entry["x-kinds"]["key.register"]["county_offices"],
            json!(["root", "registry"])
        );
        assert_eq!(
            entry["x-kinds"]["dispute.award"]["second_hands"],
            json!(["registry", "justice"])
        );
        // Every route of the table is described, with its operation.
        for route in sanquan::api::ROUTES {
            let op = &spec["paths"][format!("/api/v1{}", route.path)]
                [route.method.as_str().to_lowercase()];
            assert_eq!(op["operationId"], route.operation_id(), "{}", route.path);
        }
    });
}

#[test]
fn bad_envelopes_are_refused_with_a_specific_error_and_change_nothing() {
    on_each_backend(app, |app| {
        let key = &app.county_key;
        let good = |party: &str| {
            sign(
                key,
                "key.register",
                register("collective", party, &new_key("c")),
            )
        };
        let as_value =
            |party: &str| -> Value { serde_json::from_slice(&good(party).to_json()).unwrap() };
        let bytes = |v: &Value| serde_json::to_vec(v).unwrap();

        app.refused(b"{\"entry\": ", 400, "malformed_json", None);
        app.refused(b"[1, 2]", 400, "bad_envelope", Some(""));
        let mut v = as_value("14042100600001");
        v["entry"]["kind"] = "parcel.burn".into();
        app.refused(&bytes(&v), 400, "unknown_kind", Some("entry.kind"));
        let mut v = as_value("14042100600001");
        v["entry"]["log"] = "sanquan/110101".into();
        app.refused(&bytes(&v), 400, "wrong_log", Some("entry.log"));
        let mut v = as_value("14042100600001");
        v["sig"] = "not base64!".into();
        app.refused(&bytes(&v), 400, "bad_signature_encoding", Some("sig"));
        let mut v = as_value("14042100600001");
        v["entry"]["signer"] = "AAAA".into();
        app.refused(&bytes(&v), 400, "bad_signer", Some("entry.signer"));
        let mut v = as_value("14042100600001");
        v["entry"]["v"] = 2.into();
        app.refused(&bytes(&v), 400, "unsupported_version", Some("entry.v"));
        let mut v = as_value("14042100600001");
        v["entry"]["time"] = "22/11/2026".into();
        app.refused(&bytes(&v), 400, "bad_time", Some("entry.time"));
        let mut v = as_value("14042100600001");
        v["entry"]["body"]["vkey"] = "c+00000000+AAAA".into();
        app.refused(&bytes(&v), 400, "bad_body", Some("entry.body.vkey"));
        let mut v = as_value("14042100600001");
        v["entry"]["note"] = "extra".into();
        app.refused(&bytes(&v), 400, "bad_envelope", Some("entry.note"));

        // A signature over other bytes.
        let mut v = as_value("14042100600001");
        v["entry"]["body"]["party"] = "14042100600002".into();
        app.refused(&bytes(&v), 403, "signature_invalid", Some("sig"));
        // Unknown and revoked signers, a key outside its role.
        let stranger = new_key("stranger");
        let env = sign(
            &stranger,
            "key.register",
            register("collective", "14042100600003", &new_key("c")),
        );
        app.refused(&env.to_json(), 403, "unknown_signer", Some("entry.signer"));
        let coll = new_key("collective-14042100600004");
        let (status, _) = app.post(
            &sign(
                key,
                "key.register",
                register("collective", "14042100600004", &coll),
            )
            .to_json(),
        );
        assert_eq!(status, 201);
        let hh = new_key("h");
        let env = sign(
            &coll,
            "key.register",
            register("collective", "14042100600005", &hh),
        );
        app.refused(
            &env.to_json(),
            403,
            "party_not_allowed",
            Some("entry.body.party"),
        );
        let (status, _) = app.post(&sign(key, "key.revoke", revoke(&coll)).to_json());
        assert_eq!(status, 201);
        let env = sign(
            &coll,
            "key.register",
            register("household", "140421006000040001", &hh),
        );
        app.refused(&env.to_json(), 403, "revoked_signer", Some("entry.signer"));
        // A replayed entry.
        let once = good("14042100600006").to_json();
        assert_eq!(app.post(&once).0, 201);
        app.refused(&once, 409, "replayed_nonce", Some("entry.nonce"));
        // A rule of the registry saying no.
        app.refused(
            &sign(key, "key.revoke", revoke(key)).to_json(),
            422,
            "last_county_key",
            Some("entry.body.vkey"),
        );
        // Too large.
        let mut v = as_value("14042100600007");
        v["entry"]["body"]["pad"] = "x".repeat(2 << 20).into();
        app.refused(&bytes(&v), 413, "payload_too_large", None);
    });
}

#[test]
fn a_batch_is_queued_in_its_order_and_each_submission_judged_on_its_own() {
    on_each_backend(app, |app| {
        let key = &app.county_key;
        let coll = new_key("collective-14042100700001");
        let registered = sign(
            key,
            "key.register",
            register("collective", "14042100700001", &coll),
        );
        let as_value = |e: &sanquan::ledger::Envelope| -> Value {
            serde_json::from_slice(&e.to_json()).unwrap()
        };
        // Signed by the key the first one registers: it rests on it.
        let household = sign(
            &coll,
            "key.register",
            register("household", "140421007000010001", &new_key("h")),
        );
        let mut forged = as_value(&sign(
            key,
            "key.register",
            register("collective", "14042100700002", &new_key("c")),
        ));
        forged["entry"]["body"]["party"] = "14042100700003".into();
        let last = sign(
            key,
            "key.register",
            register("collective", "14042100700004", &new_key("c")),
        );
        let before = app.checkpoint();
        let batch = json!([
            as_value(&registered),
            as_value(&household),
            forged,
            {"entry": 5},
            as_value(&registered),
            as_value(&last),
        ]);
        let (status, v) = app.post_batch(&serde_json::to_vec(&batch).unwrap());
        assert_eq!(status, 200, "{v}");
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 6, "{v}");
        // Refused, each as POST /entries would have refused it alone.
        let refusal = |at: usize| {
            let e = &results[at]["error"];
            assert!(
                e["message_zh"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .any(|c| c > '\u{2e80}'),
                "{e}"
            );
            (
                results[at]["status"].as_u64().unwrap(),
                e["code"].as_str().unwrap(),
                e["field"].as_str(),
            )
        };
        assert_eq!(refusal(2), (403, "signature_invalid", Some("sig")));
        assert_eq!(refusal(3), (400, "bad_envelope", Some("sig")));
        assert_eq!(refusal(4), (409, "replayed_nonce", Some("entry.nonce")));
        // Appended in the order sent, each durable, its receipt the leaf's.
        let accepted: Vec<u64> = [0, 1, 5]
            .iter()
            .map(|&at| {
                let index = results[at]["index"].as_u64().expect("a receipt");
                let (status, leaf) = app.get(&format!("/api/v1/entries/{index}"));
                assert_eq!(status, 200);
                assert_eq!(
                    B64.decode(results[at]["leaf_hash"].as_str().unwrap())
                        .unwrap(),
                    leaf_hash(leaf.as_bytes()).to_vec()
                );
                index
            })
            .collect();
        assert_eq!(accepted, [before.size, before.size + 1, before.size + 2]);
        assert_eq!(app.checkpoint().size, before.size + 3);

        // A body that is not such an array is refused whole; nothing is written.
        let too_many = Value::Array(vec![
            as_value(&last);
            sanquan::registry::MAX_SUBMISSIONS + 1
        ]);
        let after = app.checkpoint();
        for (body, code) in [
            (serde_json::to_vec(&as_value(&last)).unwrap(), "bad_batch"),
            (b"[]".to_vec(), "bad_batch"),
            (serde_json::to_vec(&too_many).unwrap(), "bad_batch"),
            (b"[{".to_vec(), "malformed_json"),
        ] {
            let (status, v) = app.post_batch(&body);
            assert_eq!(
                (status, v["error"]["code"].as_str()),
                (400, Some(code)),
                "{v}"
            );
            assert!(v["error"]["message_zh"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{2e80}'));
        }
        let wrong_type = ureq::post(&format!("{}/api/v1/entries/batch", app.url))
            .set("Content-Type", "text/plain")
            .send_bytes(b"[]");
        assert!(matches!(wrong_type, Err(ureq::Error::Status(415, _))));
        assert_eq!(app.checkpoint(), after, "a refused batch changed the log");
    });
}

#[test]
fn bad_reads_get_specific_errors() {
    let app = app(Backend::Sqlite);
    let expect = |path: &str, status: u16, code: &str| {
        let (got, body) = app.get(path);
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}"));
        assert_eq!(
            (got, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {v}"
        );
    };
    expect("/api/v1/entries/1", 404, "not_found");
    expect("/api/v1/entries/minus-one", 400, "bad_query");
    expect(
        "/api/v1/proofs/inclusion?index=0&size=2",
        400,
        "out_of_range",
    );
    expect(
        "/api/v1/proofs/inclusion?index=1&size=1",
        400,
        "out_of_range",
    );
    expect("/api/v1/proofs/inclusion?index=0", 400, "bad_query");
    expect(
        "/api/v1/proofs/consistency?old=0&new=1",
        400,
        "out_of_range",
    );
    expect(
        "/api/v1/proofs/consistency?old=2&new=1",
        400,
        "out_of_range",
    );
    expect("/api/v1/nothing", 404, "not_found");
    let (status, body) = app.get("/api/v1/proofs/inclusion?index=0&size=1");
    assert_eq!((status, body.as_str()), (200, "{\"hashes\":[]}"));
}
