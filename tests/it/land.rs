//! Collectives and parcels through the pipeline, on both backends: every
//! refusal with its code and field, and nothing written by a refusal.

use diesel::prelude::*;
use sanquan::ledger::SignerKey;
use sanquan::model::Refusal;
use sanquan::store::schema::parcels;
use sanquan::store::verify::{verify, VerifyError, VerifyFailure};
use sanquan::store::{queries, SubmitError};
use serde_json::{json, Value};

use crate::common::*;

const VILLAGE: &str = "14042100100101";
const OTHER: &str = "14042100100201";

fn square(lon: f64, lat: f64, side: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]]})
}

fn parcel(code: &str, geometry: Value) -> Value {
    json!({"DKBM": code, "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "SCMJ": "1800.00", "geometry": geometry})
}

/// A log with two villages side by side (0.01° squares), each with its key.
fn villages(backend: Backend) -> (TestLog, SignerKey, SignerKey) {
    let log = TestLog::new(backend);
    let (a, b) = (new_key("a"), new_key("b"));
    for (code, key, lon) in [(VILLAGE, &a, 113.0), (OTHER, &b, 113.01)] {
        let body = json!({"FBFBM": code, "FBFMC": "一组", "boundary": square(lon, 36.0, 0.01)});
        assert_eq!(
            outcome(&log.submit(&log.county_key, "collective.register", body)),
            "accepted"
        );
        assert_eq!(
            outcome(&log.submit(
                &log.county_key,
                "key.register",
                register("collective", code, key)
            )),
            "accepted"
        );
    }
    (log, a, b)
}

fn code_and_field(r: &Result<sanquan::store::Receipt, SubmitError>) -> (String, Option<String>) {
    match r {
        Err(SubmitError::Refused(e)) => {
            assert_chinese(e);
            (e.code().into(), e.field())
        }
        Err(SubmitError::Geometry(e)) => {
            assert_chinese(e);
            (e.code().into(), e.field())
        }
        other => (format!("{other:?}"), None),
    }
}

#[test]
fn parcels_are_registered_and_refused_by_the_rules() {
    on_each_backend(villages, |(log, a, b)| {
        let size = |log: &TestLog| queries::log_size(&mut log.db.conn().unwrap(), COUNTY).unwrap();
        let p1 = format!("{VILLAGE}00001");
        assert_eq!(
            outcome(&log.submit(
                a,
                "parcel.register",
                parcel(&p1, square(113.001, 36.001, 0.0005))
            )),
            "accepted"
        );
        let before = size(log);
        let refused = |key: &SignerKey, body: Value, code: &str, field: &str| {
            let r = log.submit(key, "parcel.register", body);
            assert_eq!(
                code_and_field(&r),
                (code.to_owned(), Some(field.to_owned()))
            );
            assert_eq!(size(log), before, "a refusal wrote something");
        };
        // A parcel code outside the signer's collective (P1).
        refused(
            b,
            parcel(&format!("{VILLAGE}00002"), square(113.011, 36.001, 0.0005)),
            "parcel_code_outside_collective",
            "entry.body.DKBM",
        );
        // The same code twice.
        refused(
            a,
            parcel(&p1, square(113.003, 36.003, 0.0005)),
            "parcel_exists",
            "entry.body.DKBM",
        );
        // Overlapping an active parcel, which is named.
        let r = log.submit(
            a,
            "parcel.register",
            parcel(
                &format!("{VILLAGE}00003"),
                square(113.00125, 36.00125, 0.0005),
            ),
        );
        assert_eq!(code_and_field(&r).0, "parcel_overlap");
        let SubmitError::Refused(e) = r.unwrap_err() else {
            unreachable!()
        };
        assert!(
            e.to_string().contains(&p1) && e.message_zh().contains(&p1),
            "{e}"
        );
        // Outside the collective's boundary (half of it in the other village).
        refused(
            a,
            parcel(
                &format!("{VILLAGE}00004"),
                square(113.00975, 36.001, 0.0005),
            ),
            "outside_boundary",
            "entry.body.geometry",
        );
        // Invalid geometry: a bow tie, an open ring.
        let bow = json!({"type": "Polygon", "coordinates": [[[113.004, 36.004], [113.005, 36.005], [113.005, 36.004], [113.004, 36.005], [113.004, 36.004]]]});
        refused(
            a,
            parcel(&format!("{VILLAGE}00005"), bow),
            "self_intersection",
            "entry.body.geometry.coordinates[0]",
        );
        let open = json!({"type": "Polygon", "coordinates": [[[113.004, 36.004], [113.005, 36.004], [113.005, 36.005], [113.004, 36.0051]]]});
        refused(
            a,
            parcel(&format!("{VILLAGE}00005"), open),
            "ring_not_closed",
            "entry.body.geometry.coordinates[0]",
        );
        // Attributes of C7.
        let mut bad = parcel(&format!("{VILLAGE}00006"), square(113.006, 36.006, 0.0005));
        bad["DKLB"] = "77".into();
        refused(a, bad, "bad_attribute", "entry.body.DKLB");
        let mut bad = parcel(&format!("{VILLAGE}00006"), square(113.006, 36.006, 0.0005));
        bad["DLDJ"] = "11".into();
        refused(a, bad, "bad_attribute", "entry.body.DLDJ");
        let mut bad = parcel(&format!("{VILLAGE}00006"), square(113.006, 36.006, 0.0005));
        bad["SCMJ"] = "12.345".into();
        refused(a, bad, "bad_attribute", "entry.body.SCMJ");
        // A village unknown to the log.
        let stray = new_key("stray");
        log.submit(
            &log.county_key,
            "key.register",
            register("collective", "14042100100301", &stray),
        )
        .unwrap();
        let before = size(log);
        let r = log.submit(
            &stray,
            "parcel.register",
            parcel("1404210010030100001", square(113.03, 36.0, 0.0005)),
        );
        assert_eq!(code_and_field(&r).0, "unknown_collective");
        assert_eq!(size(log), before);
        // Only the county registers collectives; only collectives parcels.
        let r = log.submit(a, "collective.register", json!({"FBFBM": "14042100100401", "FBFMC": "x", "boundary": square(113.05, 36.0, 0.01)}));
        assert_eq!(code_and_field(&r).0, "kind_not_allowed");

        // Retired, the parcel no longer blocks its place.
        log.submit(
            a,
            "parcel.retire",
            json!({"DKBM": p1, "reason": "重新测量"}),
        )
        .unwrap();
        let r = log.submit(a, "parcel.retire", json!({"DKBM": p1, "reason": "again"}));
        assert_eq!(code_and_field(&r).0, "parcel_retired");
        assert_eq!(
            outcome(&log.submit(
                a,
                "parcel.register",
                parcel(
                    &format!("{VILLAGE}00003"),
                    square(113.00125, 36.00125, 0.0005)
                )
            )),
            "accepted"
        );

        let stored = queries::parcel(
            &mut log.db.conn().unwrap(),
            COUNTY,
            &format!("{VILLAGE}00003"),
        )
        .unwrap()
        .unwrap();
        assert!(
            (stored.area.as_m2_f64() - 2502.0).abs() < 30.0,
            "{}",
            stored.area
        );
        assert_eq!(
            stored.declared.map(|d| d.m2().to_string()),
            Some("1800.00".into())
        );
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    });
}

#[test]
fn the_registry_survives_a_restart_with_its_index() {
    on_each_backend(villages, |(log, a, _)| {
        log.submit(
            a,
            "parcel.register",
            parcel(&format!("{VILLAGE}00001"), square(113.001, 36.001, 0.0005)),
        )
        .unwrap();
        log.restart();
        // The rebuilt index still knows the parcel.
        let r = log.submit(
            a,
            "parcel.register",
            parcel(
                &format!("{VILLAGE}00002"),
                square(113.0012, 36.0012, 0.0005),
            ),
        );
        assert_eq!(code_and_field(&r).0, "parcel_overlap");
    });
}

#[test]
fn an_edited_parcel_row_is_named_by_verify() {
    for backend in backends() {
        let (log, a, _) = villages(backend);
        log.submit(
            &a,
            "parcel.register",
            parcel(&format!("{VILLAGE}00001"), square(113.001, 36.001, 0.0005)),
        )
        .unwrap();
        let mut c = log.db.dedicated().unwrap();
        diesel::update(parcels::table.filter(parcels::code.eq(format!("{VILLAGE}00001"))))
            .set(parcels::area_centi_m2.eq(1i64))
            .execute(&mut c)
            .unwrap();
        match verify(&log.db, &log.log_key.verifier(), |_, _| {}) {
            Err(VerifyError::Failed(VerifyFailure::Projection {
                table: "parcels",
                key,
                ..
            })) => {
                assert_eq!(key, format!("{VILLAGE}00001"))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn parcels_and_collectives_over_http() {
    for backend in backends() {
        let (log, a, _) = villages(backend);
        // A 3 × 3 block of parcels; the middle one has a neighbour each way.
        let side = 0.0005;
        for (n, (i, j)) in (0..3).flat_map(|j| (0..3).map(move |i| (i, j))).enumerate() {
            let g = square(113.001 + i as f64 * side, 36.001 + j as f64 * side, side);
            let code = format!("{VILLAGE}{:05}", n + 1);
            assert_eq!(
                outcome(&log.submit(&a, "parcel.register", parcel(&code, g))),
                "accepted"
            );
        }
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let get = |path: &str| -> (u16, Value) {
            match ureq::get(&format!("{url}{path}")).call() {
                Ok(r) => {
                    assert_eq!(r.content_type(), "application/geo+json");
                    (r.status(), r.into_json().unwrap())
                }
                Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap()),
                Err(e) => panic!("{e}"),
            }
        };
        let (status, f) = get(&format!("/api/v1/parcels/{VILLAGE}00005"));
        assert_eq!(status, 200, "{f}");
        let p = &f["properties"];
        assert_eq!(p["DKBM"], format!("{VILLAGE}00005"));
        assert_eq!(
            (
                p["DKLB"].as_str(),
                p["TDYT"].as_str(),
                p["DLDJ"].as_str(),
                p["SFJBNT"].as_str()
            ),
            (Some("10"), Some("1"), Some("05"), Some("1"))
        );
        assert_eq!(p["SCMJ"], "1800.00");
        // About 45 m × 55.5 m; areas are decimal strings, 亩 = m² × 15 / 10000.
        let m2: f64 = p["area_m2"].as_str().unwrap().parse().unwrap();
        let mu: f64 = p["area_mu"].as_str().unwrap().parse().unwrap();
        assert!((m2 - 2500.0).abs() < 30.0, "{m2}");
        assert!((mu - m2 * 15.0 / 10000.0).abs() < 0.0001);
        assert_eq!(p["status"], "active");
        assert_eq!(f["geometry"]["type"], "Polygon");
        let sizhi = &p["sizhi"];
        assert_eq!(
            [
                &sizhi["east"],
                &sizhi["south"],
                &sizhi["west"],
                &sizhi["north"]
            ]
            .map(|v| v.as_str().unwrap_or("").to_owned()),
            [6, 2, 4, 8].map(|n| format!("{VILLAGE}{n:05}"))
        );
        let (_, corner) = get(&format!("/api/v1/parcels/{VILLAGE}00001"));
        assert!(corner["properties"]["sizhi"]["west"].is_null());

        let (status, all) = get(&format!("/api/v1/parcels?collective={VILLAGE}"));
        assert_eq!(status, 200);
        assert_eq!(all["features"].as_array().unwrap().len(), 9);
        let (_, some) = get("/api/v1/parcels?bbox=113.0011,36.0011,113.0014,36.0014");
        let ids: Vec<&str> = some["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [format!("{VILLAGE}00001")]);
        let (status, k) = get(&format!("/api/v1/collectives/{VILLAGE}"));
        assert_eq!(status, 200);
        assert_eq!(k["properties"]["active_parcels"], 9);
        assert!(
            k["properties"]["area_m2"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap()
                > 900_000.0
        );

        assert_eq!(get("/api/v1/parcels/1404210010010199999").0, 404);
        assert_eq!(get("/api/v1/collectives/14042100100199").0, 404);
        let (status, e) = get("/api/v1/parcels?bbox=113,36,112,37");
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("bad_query"))
        );
        let (status, e) = get("/api/v1/parcels");
        assert_eq!(
            (status, e["error"]["field"].as_str()),
            (400, Some("collective"))
        );
    }
}

#[test]
fn encumbrances_hold_a_parcel_until_released_and_show_in_its_title() {
    for backend in backends() {
        let (log, a, b) = villages(backend);
        let code = format!("{VILLAGE}00001");
        log.submit(
            &a,
            "parcel.register",
            parcel(&code, square(113.001, 36.001, 0.0005)),
        )
        .unwrap();
        let (home, stranger) = (new_key("h"), new_key("s"));
        log.submit(
            &a,
            "key.register",
            register("household", &format!("{VILLAGE}0007"), &home),
        )
        .unwrap();
        log.submit(
            &b,
            "key.register",
            register("household", &format!("{OTHER}0007"), &stranger),
        )
        .unwrap();
        let doc = "ab".repeat(32);
        let enc = |kind: &str| json!({"DKBM": code, "kind": kind, "reason": "法院协助执行通知书", "document_sha256": doc});
        let release = |index: u64| json!({"encumbrance": index, "reason": "解除"});
        let check = |r: Result<sanquan::store::Receipt, SubmitError>, want: &str| {
            assert_eq!(
                code_and_field(&r).0.as_str(),
                if want == "accepted" { "Ok" } else { want },
                "{backend:?}"
            );
        };
        // Only the county seizes; households of the parcel's own collective may object.
        check(
            log.submit(&a, "encumbrance.register", enc("seizure")),
            "party_not_allowed",
        );
        check(
            log.submit(&stranger, "encumbrance.register", enc("objection")),
            "party_not_allowed",
        );
        // R2: a household of the collective with no stake in the parcel (no
        // contract over it, none beside it) may not object to it.
        check(
            log.submit(&home, "encumbrance.register", enc("objection")),
            "party_not_allowed",
        );
        let mut bad = enc("objection");
        bad["document_sha256"] = "xyz".into();
        check(log.submit(&a, "encumbrance.register", bad), "bad_attribute");
        let seizure = log
            .submit(&log.county_key, "encumbrance.register", enc("seizure"))
            .unwrap()
            .index;
        let objection = log
            .submit(&a, "encumbrance.register", enc("objection"))
            .unwrap()
            .index;
        // R2: one open objection per party and parcel.
        check(
            log.submit(&a, "encumbrance.register", enc("objection")),
            "objection_repeated",
        );
        // While encumbered the parcel cannot be retired.
        check(
            log.submit(&a, "parcel.retire", json!({"DKBM": code, "reason": "x"})),
            "parcel_encumbered",
        );
        // An objection is released by its filer or the county, not by others.
        check(
            log.submit(&home, "encumbrance.release", release(objection)),
            "party_not_allowed",
        );
        log.submit(&a, "encumbrance.release", release(objection))
            .unwrap();
        check(
            log.submit(&a, "encumbrance.release", release(objection)),
            "encumbrance_released",
        );
        check(
            log.submit(&home, "encumbrance.release", release(seizure)),
            "party_not_allowed",
        );
        check(
            log.submit(&log.county_key, "encumbrance.release", release(9999)),
            "unknown_encumbrance",
        );
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();

        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let title: Value = ureq::get(&format!("{url}/api/v1/titles/{code}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(title["parcel"]["DKBM"], code);
        assert!(title["holder"].is_null());
        let in_force: Vec<u64> = title["encumbrances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["index"].as_u64().unwrap())
            .collect();
        assert_eq!(in_force, [seizure]);
        let history: Vec<(u64, &str)> = title["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["index"].as_u64().unwrap(), h["event"].as_str().unwrap()))
            .collect();
        assert_eq!(history.len(), 4, "{history:?}");
        assert_eq!(history[1], (seizure, "encumbrance.register"));
        assert_eq!(history[3].1, "encumbrance.release");
        assert!(title["as_of_tree_size"].as_u64().unwrap() > history[3].0);
    }
}

#[test]
fn decisions_are_recorded_with_counts_that_can_be_true() {
    for backend in backends() {
        let (log, a, _) = villages(backend);
        let decision = |assembly: &str,
                        subject: &str,
                        eligible: u32,
                        present: u32,
                        yes: u32,
                        no: u32| {
            json!({"assembly": assembly, "subject": subject, "question": "接纳张某为本集体成员", "date": "2026-11-20",
                   "eligible": eligible, "present": present, "for": yes, "against": no,
                   "minutes_sha256": "cd".repeat(32)})
        };
        let refused = |body: Value, code: &str, field: &str| {
            let r = log.submit(&a, "decision.record", body);
            assert_eq!(
                code_and_field(&r),
                (code.to_owned(), Some(field.to_owned())),
                "{backend:?}"
            );
        };
        refused(
            decision("members_assembly", "membership", 120, 121, 80, 0),
            "bad_attribute",
            "entry.body.present",
        );
        refused(
            decision("members_assembly", "membership", 120, 90, 80, 11),
            "bad_attribute",
            "entry.body.present",
        );
        refused(
            decision("representatives_assembly", "membership", 30, 30, 30, 0),
            "reserved_to_members",
            "entry.body.subject",
        );
        let mut bad = decision("members_assembly", "membership", 120, 90, 80, 10);
        bad["date"] = "20/11/2026".into();
        refused(bad, "bad_attribute", "entry.body.date");
        let r = log.submit(
            &log.county_key,
            "decision.record",
            decision("members_assembly", "other", 10, 10, 10, 0),
        );
        assert_eq!(code_and_field(&r).0, "kind_not_allowed");
        // Recorded whether or not it passed: the counts say which.
        let passed = log
            .submit(
                &a,
                "decision.record",
                decision("members_assembly", "membership", 120, 90, 80, 10),
            )
            .unwrap()
            .index;
        let failed = log
            .submit(
                &a,
                "decision.record",
                decision("members_assembly", "membership", 120, 90, 79, 11),
            )
            .unwrap()
            .index;
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let get = |i: u64| -> Value {
            ureq::get(&format!("{url}/api/v1/decisions/{i}"))
                .call()
                .unwrap()
                .into_json()
                .unwrap()
        };
        assert_eq!(
            (get(passed)["passed"].as_bool(), get(passed)["for"].as_u64()),
            (Some(true), Some(80))
        );
        assert_eq!(get(failed)["passed"].as_bool(), Some(false));
        assert_eq!(get(failed)["FBFBM"], VILLAGE);
    }
}

fn rect(lon: f64, lat: f64, w: f64, h: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]]})
}

#[test]
fn parcels_split_into_parts_that_cover_them_and_merge_back() {
    on_each_backend(villages, |(log, a, _)| {
        let code = |n: u32| format!("{VILLAGE}{n:05}");
        let (x, y, s) = (113.001, 36.001, 0.001);
        for (n, g) in [(1, square(x, y, s)), (2, square(x + s, y, s))] {
            let mut body = parcel(&code(n), g);
            if n == 2 {
                body["TDYT"] = json!("2");
            }
            let r = log.submit(a, "parcel.register", body);
            assert_eq!(outcome(&r), "accepted");
        }
        let size = |log: &TestLog| queries::log_size(&mut log.db.conn().unwrap(), COUNTY).unwrap();
        let before = size(log);
        let part = |n: u32, g: Value| json!({"DKBM": code(n), "DKMC": "东洼地", "geometry": g});
        let split = |parts: Vec<Value>| json!({"DKBM": code(1), "parts": parts, "reason": "分户"});
        let refused = |log: &TestLog, kind: &str, body: Value, want: &str, field: &str| {
            let r = log.submit(a, kind, body);
            assert_eq!(
                code_and_field(&r),
                (want.to_owned(), Some(field.to_owned()))
            );
            assert_eq!(size(log), before, "a refusal wrote something");
        };
        let (west, east) = (rect(x, y, s / 2.0, s), rect(x + s / 2.0, y, s / 2.0, s));
        // A part reaching into the neighbour collides with it, by name.
        refused(
            log,
            "parcel.split",
            split(vec![
                part(3, west.clone()),
                part(4, rect(x + s / 2.0, y, s, s)),
            ]),
            "parcel_overlap",
            "entry.body.geometry",
        );
        // A part beyond the parcel, over no other parcel.
        refused(
            log,
            "parcel.split",
            split(vec![
                part(3, west.clone()),
                part(4, rect(x + s / 2.0, y - s / 2.0, s / 2.0, s)),
            ]),
            "part_outside_parcel",
            "entry.body.parts",
        );
        refused(
            log,
            "parcel.split",
            split(vec![
                part(3, west.clone()),
                part(4, rect(x + s / 4.0, y, s * 0.75, s)),
            ]),
            "parts_overlap",
            "entry.body.parts",
        );
        // Parts that leave a strip of the parcel out.
        refused(
            log,
            "parcel.split",
            split(vec![
                part(3, west.clone()),
                part(4, rect(x + s / 2.0, y, s / 4.0, s)),
            ]),
            "parts_area_mismatch",
            "entry.body.parts",
        );
        refused(
            log,
            "parcel.split",
            split(vec![part(3, west.clone()), part(2, east.clone())]),
            "parcel_exists",
            "entry.body.DKBM",
        );
        let accepted = log.submit(a, "parcel.split", split(vec![part(3, west), part(4, east)]));
        assert_eq!(outcome(&accepted), "accepted");
        let state = queries::load_state(&mut log.db.conn().unwrap(), COUNTY).unwrap();
        assert!(state.parcels[code(1).as_str()].retired_at.is_some());
        let area = |n: u32| state.parcels[code(n).as_str()].area.0;
        assert!(
            (area(3) + area(4) - area(1)).abs() <= 100,
            "the parts measure the whole"
        );
        assert_eq!(state.parcels[code(3).as_str()].grade, "05");
        // The index knows the parts, not the old parcel, after a restart too.
        log.restart();
        let before = size(log);
        let refused = |log: &TestLog, body: Value, want: &str| {
            let r = log.submit(a, "parcel.merge", body);
            assert_eq!(code_and_field(&r).0, want);
            assert_eq!(size(log), before, "a refusal wrote something");
        };
        let merge = |parts: &[u32], g: Value| json!({"parts": parts.iter().map(|n| code(*n)).collect::<Vec<_>>(), "into": part(5, g), "reason": "合并"});
        refused(log, merge(&[1, 3], square(x, y, s)), "parcel_retired");
        // The new parcel must cover the parts and nothing more.
        refused(
            log,
            merge(&[3, 4], rect(x, y, s * 0.9, s)),
            "part_outside_parcel",
        );
        refused(
            log,
            merge(&[3, 4], rect(x, y, s, s * 1.2)),
            "parts_area_mismatch",
        );
        // Parcel 2 is forest: land of another use does not merge.
        refused(
            log,
            merge(&[3, 4, 2], rect(x, y, s * 2.0, s)),
            "parcels_differ",
        );
        let r = log.submit(a, "parcel.merge", merge(&[3, 4], square(x, y, s)));
        assert_eq!(outcome(&r), "accepted");
        verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
    });
}

/// The villages served over HTTP.
struct Served {
    url: String,
    key: SignerKey,
    db: sanquan::store::Db,
    log_key: SignerKey,
    _test_db: TestDb,
}

impl Replayed for Served {
    fn replayed(&self) -> (sanquan::store::Db, sanquan::model::VerifierKey) {
        (self.db.clone(), self.log_key.verifier())
    }
}

fn served(backend: Backend) -> Served {
    let (log, key, _) = villages(backend);
    let (registry, test_db, log_key, _) = log.into_registry();
    let db = registry.db.clone();
    Served {
        url: spawn_app(registry),
        key,
        db,
        log_key,
        _test_db: test_db,
    }
}

/// The survey import the clerk's page shares with `sanquan import`: the
/// plan lists the entries that register what is not registered yet, each
/// with the party that signs it; signed and sent, they are registered, and
/// the plan asked again lists nothing left, the parcels skipped, and the
/// household a parcel names that nobody registered (no contract is made).
#[test]
fn the_survey_plan_lists_what_is_left_to_sign() {
    on_each_backend(served, |app| {
        let (url, a) = (&app.url, &app.key);
        let feature = |n: usize, lon: f64, holder: Option<&str>| {
            let mut props = json!({"DKBM": format!("{VILLAGE}{n:05}"), "DKMC": "西坡地",
                "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2", "SCMJ": "5000"});
            if let Some(h) = holder {
                props["CBFBM"] = json!(h);
            }
            json!({"type": "Feature", "geometry": square(lon, 36.001, 0.0005), "properties": props})
        };
        let survey = json!({"type": "FeatureCollection", "features": [
            feature(1, 113.001, None),
            feature(2, 113.002, Some("140421001001010999")),
            {"type": "Feature", "geometry": null, "properties": {"DKMC": "无编码"}},
        ]});
        let plan = |body: &Value| -> Value {
            ureq::post(&format!("{url}/api/v1/survey/plan"))
                .send_json(body.clone())
                .expect("the plan")
                .into_json()
                .unwrap()
        };
        let first = plan(&survey);
        let entries = first["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{first}");
        assert!(entries
            .iter()
            .all(|e| e["kind"] == "parcel.register" && e["party"] == VILLAGE));
        assert_eq!(first["rejected"][0]["error"], "bad_feature");
        assert_eq!(first["rejected"][0]["index"], 2);
        for e in entries {
            let env = signed_json(a, e["kind"].as_str().unwrap(), e["body"].clone());
            let r = ureq::post(&format!("{url}/api/v1/entries")).send_json(env);
            assert_eq!(r.map(|r| r.status()).unwrap_or(0), 201);
        }
        let again = plan(&survey);
        assert_eq!(again["entries"], json!([]), "{again}");
        assert_eq!(again["skipped"].as_array().unwrap().len(), 2);
        assert_eq!(again["warnings"][0]["warning"], "household_not_registered");
        // Not a FeatureCollection: refused, naming the body.
        let bad = ureq::post(&format!("{url}/api/v1/survey/plan")).send_json(json!([1]));
        match bad {
            Err(ureq::Error::Status(400, r)) => {
                let v: Value = r.into_json().unwrap();
                assert_eq!(v["error"]["field"], "body", "{v}");
            }
            other => panic!("{other:?}"),
        }
    });
}
