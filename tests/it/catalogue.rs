//! The hostile-input catalogue: malformed, forged, replayed and out-of-range
//! requests against every route and every entry kind, each with the status,
//! code and field it must get — and the log's size unchanged by it. Every
//! message it gets back is read too: the Chinese one must be wholly Chinese.

use base64::Engine;
use sanquan::ledger::SignerKey;
use sanquan::model::KINDS;
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{parcel, Market, SELLER};

enum Request {
    Post {
        body: Vec<u8>,
        content_type: Option<&'static str>,
    },
    Get {
        path: String,
        authorization: Option<String>,
    },
    Delete(String),
}

/// A posted envelope: its name, bytes, and the status, code and field due.
type EnvelopeCase = (
    &'static str,
    Vec<u8>,
    u16,
    &'static str,
    Option<&'static str>,
);

struct Case {
    name: String,
    request: Request,
    status: u16,
    code: &'static str,
    field: Option<String>,
}

fn post(
    name: impl Into<String>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    field: Option<&str>,
) -> Case {
    Case {
        name: name.into(),
        request: Request::Post {
            body,
            content_type: Some("application/json"),
        },
        status,
        code,
        field: field.map(str::to_owned),
    }
}

fn get(path: impl Into<String>, status: u16, code: &'static str, field: Option<&str>) -> Case {
    let path = path.into();
    Case {
        name: format!("GET {path}"),
        request: Request::Get {
            path,
            authorization: None,
        },
        status,
        code,
        field: field.map(str::to_owned),
    }
}

/// An envelope of any body, signed as a client would, as JSON.
fn envelope(key: &SignerKey, kind: &str, body: Value) -> Value {
    let entry = json!({"v": 1, "log": sanquan::model::log_origin(COUNTY), "kind": kind,
                       "signer": base64::engine::general_purpose::STANDARD.encode(key.public_bytes()),
                       "nonce": format!("h{}", unique()), "time": stamp(), "body": body});
    serde_json::from_slice(&raw_entry(key, entry)).unwrap()
}

fn sign_body(key: &SignerKey, kind: &str, body: Value) -> Vec<u8> {
    serde_json::to_vec(&envelope(key, kind, body)).unwrap()
}

/// An envelope with `edit` applied to it after signing (so the signature no
/// longer covers what is sent, where it matters).
fn edited(key: &SignerKey, kind: &str, body: Value, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = envelope(key, kind, body);
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// An entry signed as given, with any fields.
fn raw_entry(key: &SignerKey, entry: Value) -> Vec<u8> {
    let mut input = b"sanquan entry v1\n".to_vec();
    serde_json_canonicalizer::to_writer(&entry, &mut input).unwrap();
    let sig = base64::engine::general_purpose::STANDARD.encode(key.sign(&input));
    serde_json::to_vec(&json!({"entry": entry, "sig": sig})).unwrap()
}

#[test]
fn hostile_input_catalogue() {
    for backend in backends() {
        let m = Market::new(backend);
        let stranger = new_key("stranger");
        let origin = sanquan::model::log_origin(COUNTY);
        // An entry already on the log, for the replayed nonce.
        let taken = sign(
            &m.collective,
            "hukou.settle",
            json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": "ab".repeat(32)}),
        );
        m.log.writer().submit_blocking(taken.clone()).unwrap();
        let mut cases: Vec<Case> = Vec::new();

        // Every kind: an unknown field, a body that is no object, a text
        // that hides what it says.
        for kind in KINDS {
            cases.push(post(
                format!("{kind}: unknown field"),
                sign_body(&m.collective, kind, json!({"zz": 1})),
                400,
                "bad_body",
                Some("entry.body.zz"),
            ));
            cases.push(post(
                format!("{kind}: body not an object"),
                edited(&m.collective, kind, json!({}), |v| {
                    v["entry"]["body"] = json!([1])
                }),
                400,
                "bad_envelope",
                Some("entry.body"),
            ));
            cases.push(post(
                format!("{kind}: bidi override"),
                sign_body(&m.collective, kind, json!({"reason": "\u{202E}abc"})),
                400,
                "bad_body",
                Some("entry.body.reason"),
            ));
        }

        // The envelope.
        let settle = json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": "cd".repeat(32)});
        let entry = |edit: &dyn Fn(&mut Value)| {
            let mut e = json!({"v": 1, "log": origin, "kind": "hukou.settle", "signer": base64::engine::general_purpose::STANDARD.encode(m.collective.public_bytes()),
                               "nonce": format!("c{}", unique()), "time": stamp(), "body": settle});
            edit(&mut e);
            raw_entry(&m.collective, e)
        };
        let envelope_cases: Vec<EnvelopeCase> = vec![
            ("not JSON", b"{".to_vec(), 400, "malformed_json", None),
            ("empty", Vec::new(), 400, "malformed_json", None),
            ("an array", b"[]".to_vec(), 400, "bad_envelope", Some("")),
            ("unknown top field", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["x"] = json!(1)), 400, "bad_envelope", Some("x")),
            ("missing sig", edited(&m.collective, "hukou.settle", settle.clone(), |v| { v.as_object_mut().unwrap().remove("sig"); }), 400, "bad_envelope", Some("sig")),
            ("sig not base64", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["sig"] = json!("!!")), 400, "bad_signature_encoding", Some("sig")),
            ("sig too short", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["sig"] = json!("AAAA")), 400, "bad_signature_encoding", Some("sig")),
            ("sig of another entry", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["entry"]["nonce"] = json!("other")), 403, "signature_invalid", Some("sig")),
            ("body changed after signing", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["entry"]["body"]["town"] = json!("140403")), 403, "signature_invalid", Some("sig")),
            ("version 2", entry(&|e| e["v"] = json!(2)), 400, "unsupported_version", Some("entry.v")),
            ("version as text", entry(&|e| e["v"] = json!("1")), 400, "unsupported_version", Some("entry.v")),
            ("another log", entry(&|e| e["log"] = json!("sanquan/140422")), 400, "wrong_log", Some("entry.log")),
            ("unknown entry field", entry(&|e| e["extra"] = json!(1)), 400, "bad_envelope", Some("entry.extra")),
            ("unknown kind", entry(&|e| e["kind"] = json!("land.seize")), 400, "unknown_kind", Some("entry.kind")),
            ("kind as number", entry(&|e| e["kind"] = json!(7)), 400, "bad_envelope", Some("entry.kind")),
            ("signer not base64", entry(&|e| e["signer"] = json!("@@")), 400, "bad_signer", Some("entry.signer")),
            ("signer of 31 bytes", entry(&|e| e["signer"] = json!(base64::engine::general_purpose::STANDARD.encode([1u8; 31]))), 400, "bad_signer", Some("entry.signer")),
            ("weak signer key", entry(&|e| e["signer"] = json!(base64::engine::general_purpose::STANDARD.encode([0u8; 32]))), 400, "bad_signer", Some("entry.signer")),
            ("empty nonce", entry(&|e| e["nonce"] = json!("")), 400, "bad_nonce", Some("entry.nonce")),
            ("nonce with a space", entry(&|e| e["nonce"] = json!("a b")), 400, "bad_nonce", Some("entry.nonce")),
            ("nonce of 65", entry(&|e| e["nonce"] = json!("n".repeat(65))), 400, "bad_nonce", Some("entry.nonce")),
            ("time not RFC 3339", entry(&|e| e["time"] = json!("yesterday")), 400, "bad_time", Some("entry.time")),
            ("leap second", entry(&|e| e["time"] = json!("2026-06-30T23:59:60Z")), 400, "bad_time", Some("entry.time")),
            ("year 1", entry(&|e| e["time"] = json!("0001-01-01T00:00:00Z")), 400, "time_outside_window", Some("entry.time")),
            ("year 9999", entry(&|e| e["time"] = json!("9999-12-31T23:59:59Z")), 400, "time_outside_window", Some("entry.time")),
            ("an hour ago", entry(&|e| e["time"] = json!((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))), 400, "time_outside_window", Some("entry.time")),
            ("replayed nonce", taken.to_json(), 409, "replayed_nonce", Some("entry.nonce")),
            ("unregistered signer", sign_body(&stranger, "hukou.settle", settle.clone()), 403, "unknown_signer", Some("entry.signer")),
            ("household signs a county kind", sign_body(&m.seller, "title.verify", json!({"listing": 1})), 403, "kind_not_allowed", Some("entry.signer")),
            ("transferee objects", sign_body(&m.outsider, "listing.object", json!({"listing": 1, "reason": "x", "document_sha256": "ab".repeat(32)})), 403, "kind_not_allowed", Some("entry.signer")),
            ("cosigs not an array", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!({})), 400, "bad_envelope", Some("cosigs")),
            ("cosigs empty", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!([])), 400, "bad_envelope", Some("cosigs")),
            ("five cosigs", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!([{}, {}, {}, {}, {}])), 400, "bad_envelope", Some("cosigs")),
            ("cosig with unknown field", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!([{"signer": "x", "sig": "y", "z": 1}])), 400, "bad_envelope", Some("cosigs[0].z")),
            ("cosig not base64", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!([{"signer": "@", "sig": "y"}])), 400, "bad_envelope", Some("cosigs[0].signer")),
            ("cosig that does not verify", edited(&m.collective, "hukou.settle", settle.clone(), |v| v["cosigs"] = json!([{"signer": base64::engine::general_purpose::STANDARD.encode(m.seller.public_bytes()), "sig": base64::engine::general_purpose::STANDARD.encode([7u8; 64])}])), 403, "signature_invalid", Some("sig")),
            ("body date in year 0", sign_body(&m.collective, "hukou.settle", json!({"person": m.head.commitment(), "town": "140402", "date": "0000-01-01", "document_sha256": "cd".repeat(32)})), 422, "bad_attribute", Some("entry.body.date")),
            ("money with exponent", sign_body(&m.seller, "listing.submit", json!({"mode": "lease", "DKBM": [parcel(1)], "start": "2027-06-01", "end": "2030-12-31", "TDYT": "1", "reserve": "1e9", "increment": "100.00", "deposit": "1000.00", "auction_minutes": 60})), 422, "bad_attribute", Some("entry.body.reserve")),
            ("a NUL in a text", sign_body(&m.exchange, "listing.review", json!({"listing": 1, "approve": true, "reason": "ok\u{0}"})), 400, "bad_body", Some("entry.body.reason")),
            ("a list of 1001", sign_body(&m.collective, "notice.post", json!({"CBHTBM": vec!["x"; 1001], "from": "2026-11-01", "to": "2026-11-20", "posting_sha256": "ab".repeat(32)})), 400, "bad_body", Some("entry.body.CBHTBM")),
            ("personal records not a list", serde_json::to_vec(&json!({"envelope": serde_json::from_slice::<Value>(&sign(&m.collective, "hukou.settle", settle.clone()).to_json()).unwrap(), "personal": 5})).unwrap(), 400, "bad_envelope", Some("personal")),
            ("personal records for no one", serde_json::to_vec(&json!({"envelope": serde_json::from_slice::<Value>(&sign(&m.collective, "hukou.settle", settle.clone()).to_json()).unwrap(), "personal": [{"salt": "AAAAAAAAAAAAAAAAAAAAAA==", "name": "某", "id_number": "14042119800101123X"}]})).unwrap(), 400, "personal_data_unexpected", Some("personal")),
            ("over the size limit", vec![b' '; (1 << 20) + 1], 413, "payload_too_large", None),
        ];
        for (name, body, status, code, field) in envelope_cases {
            cases.push(post(name, body, status, code, field));
        }
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            cases.push(Case {
                name: format!("content type {ct:?}"),
                request: Request::Post {
                    body: sign(&m.collective, "hukou.settle", settle.clone()).to_json(),
                    content_type: ct,
                },
                status: 415,
                code: "unsupported_media_type",
                field: Some("header.Content-Type".into()),
            });
        }

        // The reads.
        let unknown_household = "140421001001019999";
        for (path, status, code, field) in [
            ("/api/v1/entries/01", 400, "bad_query", Some("index")),
            ("/api/v1/entries/+1", 400, "bad_query", Some("index")),
            ("/api/v1/entries/-1", 400, "bad_query", Some("index")),
            ("/api/v1/entries/1e3", 400, "bad_query", Some("index")),
            (
                "/api/v1/entries/99999999999999999999999",
                400,
                "bad_query",
                Some("index"),
            ),
            ("/api/v1/entries/999999", 404, "not_found", Some("index")),
            ("/api/v1/listings/007", 400, "bad_query", Some("id")),
            ("/api/v1/listings/999999", 404, "not_found", Some("id")),
            (
                "/api/v1/listings/999999/contract",
                404,
                "not_found",
                Some("id"),
            ),
            ("/api/v1/listings/1/contract", 404, "not_found", Some("id")),
            (
                "/api/v1/listings/01/contract/print",
                400,
                "bad_query",
                Some("id"),
            ),
            ("/api/v1/decisions/x", 400, "bad_query", Some("index")),
            ("/api/v1/decisions/999999", 404, "not_found", Some("index")),
            (
                "/api/v1/distributions/999999",
                404,
                "not_found",
                Some("index"),
            ),
            (
                "/api/v1/attestations/999999",
                404,
                "not_found",
                Some("index"),
            ),
            (
                "/api/v1/attestations/00/print",
                400,
                "bad_query",
                Some("index"),
            ),
            (
                "/api/v1/listings?status=bogus",
                400,
                "bad_query",
                Some("status"),
            ),
            (
                "/api/v1/listings?kind=surrender",
                400,
                "bad_query",
                Some("kind"),
            ),
            (
                "/api/v1/listings?collective=1",
                400,
                "bad_query",
                Some("collective"),
            ),
            ("/api/v1/listings?color=red", 400, "bad_query", None),
            ("/api/v1/parcels", 400, "out_of_range", Some("collective")),
            ("/api/v1/parcels?bbox=1,2,3", 400, "bad_query", Some("bbox")),
            (
                "/api/v1/parcels?bbox=113,36,112,37",
                400,
                "bad_query",
                Some("bbox"),
            ),
            (
                "/api/v1/parcels?bbox=0,0,999,0",
                400,
                "bad_query",
                Some("bbox"),
            ),
            (
                "/api/v1/parcels/1404210010010199999",
                404,
                "not_found",
                Some("code"),
            ),
            (
                "/api/v1/collectives/14042100100199",
                404,
                "not_found",
                Some("code"),
            ),
            ("/api/v1/titles/x", 404, "not_found", Some("code")),
            (
                "/api/v1/parties/91350100M000200Y4T",
                404,
                "not_found",
                Some("code"),
            ),
            ("/api/v1/certificates/x", 404, "not_found", Some("code")),
            (
                "/api/v1/proofs/inclusion?index=5&size=2",
                400,
                "out_of_range",
                Some("index"),
            ),
            (
                "/api/v1/proofs/inclusion?index=a&size=2",
                400,
                "bad_query",
                None,
            ),
            (
                "/api/v1/proofs/consistency?old=9&new=2",
                400,
                "out_of_range",
                Some("old"),
            ),
            (
                "/api/v1/proofs/consistency?old=1&new=99999999",
                400,
                "out_of_range",
                Some("new"),
            ),
            ("/api/v1/nothing", 404, "not_found", None),
            ("/api/", 404, "not_found", None),
        ] {
            cases.push(get(path, status, code, field));
        }
        for what in ["", "/income", "/attestations"] {
            cases.push(get(
                format!("/api/v1/households/{unknown_household}{what}"),
                404,
                "not_found",
                Some("code"),
            ));
        }
        let path = format!("/api/v1/households/{SELLER}");
        let stale = sanquan::ledger::read_auth::sign_read(
            &m.log.county_key,
            "GET",
            &path,
            chrono::Utc::now() - chrono::Duration::minutes(6),
        );
        let other_path = sanquan::ledger::read_auth::sign_read(
            &m.log.county_key,
            "GET",
            "/api/v1/households/x",
            chrono::Utc::now(),
        );
        let outsider =
            sanquan::ledger::read_auth::sign_read(&m.outsider, "GET", &path, chrono::Utc::now());
        for (name, auth, status, code) in [
            (
                "garbage",
                "Bearer x".to_owned(),
                401,
                "bad_read_authorization",
            ),
            (
                "no nonce",
                "Sanquan keyid=a,time=b,sig=c".to_owned(),
                401,
                "bad_read_authorization",
            ),
            ("stale", stale, 401, "stale_read_authorization"),
            ("another path", other_path, 401, "read_signature_invalid"),
            ("an outsider", outsider, 403, "read_not_allowed"),
        ] {
            cases.push(Case {
                name: format!("signed read: {name}"),
                request: Request::Get {
                    path: path.clone(),
                    authorization: Some(auth),
                },
                status,
                code,
                field: Some("header.Authorization".into()),
            });
        }
        cases.push(Case {
            name: "DELETE an entry".into(),
            request: Request::Delete("/api/v1/entries/1".into()),
            status: 404,
            code: "not_found",
            field: None,
        });

        assert!(cases.len() >= 150, "{} cases", cases.len());
        let Market { log, .. } = m;
        let (registry, _db, log_key, _) = log.into_registry();
        let url = spawn_app(registry);
        let size = || {
            let note = ureq::get(&format!("{url}/api/v1/checkpoint"))
                .call()
                .unwrap()
                .into_string()
                .unwrap();
            sanquan::ledger::Checkpoint::open(&note, &log_key.verifier())
                .unwrap()
                .size
        };
        let before = size();
        let mut not_chinese = Vec::new();
        let mut wrong = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for case in &cases {
            let answer = match &case.request {
                Request::Post { body, content_type } => {
                    let mut r = ureq::post(&format!("{url}/api/v1/entries"));
                    if let Some(ct) = content_type {
                        r = r.set("Content-Type", ct);
                    }
                    r.send_bytes(body)
                }
                Request::Get {
                    path,
                    authorization,
                } => {
                    let mut r = ureq::get(&format!("{url}{path}"));
                    if let Some(a) = authorization {
                        r = r.set("Authorization", a);
                    }
                    r.call()
                }
                Request::Delete(path) => ureq::delete(&format!("{url}{path}")).call(),
            };
            let (status, v): (u16, Value) = match answer {
                Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
                Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
                Err(e) => panic!("{}: {e}", case.name),
            };
            let e = &v["error"];
            if (status, e["code"].as_str(), e["field"].as_str())
                != (case.status, Some(case.code), case.field.as_deref())
            {
                wrong.push(format!(
                    "{}: expected {} {} {:?}, got {status} {v}",
                    case.name, case.status, case.code, case.field
                ));
                continue;
            }
            seen.insert((status, case.code.to_owned()));
            let zh = e["message_zh"].as_str().unwrap_or_default();
            assert!(!zh.is_empty(), "{}", case.name);
            let quoted: Vec<&str> = e["field"].as_str().into_iter().collect();
            let latin = latin_words(zh, &quoted);
            if !latin.is_empty() {
                not_chinese.push(format!("{} [{}]: {zh} — {latin:?}", case.name, case.code));
            }
        }
        assert!(wrong.is_empty(), "{backend:?}:\n{}", wrong.join("\n"));
        // Every code met here is in the API's description, with its status.
        let documented: std::collections::BTreeSet<(u16, String)> =
            sanquan::api::openapi_document()["x-errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    assert!(!e["message_zh"].as_str().unwrap().is_empty());
                    (
                        e["status"].as_u64().unwrap() as u16,
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
        let missing: Vec<_> = seen.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "codes not in openapi x-errors: {missing:?}"
        );
        assert!(seen.len() >= 20, "the catalogue met {} codes", seen.len());
        assert_eq!(size(), before, "a hostile request wrote to the log");
        assert!(
            not_chinese.is_empty(),
            "Chinese messages with English words:\n{}",
            not_chinese.join("\n")
        );
    }
}
