//! Households (P1–P3) and personal data kept off the log: every refusal with
//! its code and field, nothing written by a refusal, no name or ID number in
//! any entry, and `verify` checking the private records.

use diesel::prelude::*;
use sanquan::ledger::{Checkpoint, SignerKey};
use sanquan::model::person::PersonRecord;
use sanquan::store::schema::{contract_parcels, persons};
use sanquan::store::verify::{verify, VerifyError, VerifyFailure};
use serde_json::{json, Value};

use crate::common::*;

const VILLAGE: &str = "14042100100101";

fn person(name: &str, id: &str, salt: u8) -> PersonRecord {
    use base64::Engine;
    PersonRecord {
        salt: base64::engine::general_purpose::STANDARD.encode([salt; 16]),
        name: name.into(),
        id_number: id.into(),
        phone: None,
    }
}

struct App {
    url: String,
    key: SignerKey,
    county: SignerKey,
    log_key: SignerKey,
    db: sanquan::store::Db,
    _test_db: TestDb,
}

impl Replayed for App {
    fn replayed(&self) -> (sanquan::store::Db, sanquan::model::VerifierKey) {
        (self.db.clone(), self.log_key.verifier())
    }
}

fn app(backend: Backend) -> App {
    let log = TestLog::new(backend);
    let key = new_key("collective");
    let square = json!({"type": "Polygon", "coordinates": [[[113.0, 36.0], [113.01, 36.0], [113.01, 36.01], [113.0, 36.01], [113.0, 36.0]]]});
    log.submit(
        &log.county_key,
        "collective.register",
        json!({"FBFBM": VILLAGE, "FBFMC": "一组", "boundary": square}),
    )
    .unwrap();
    log.submit(
        &log.county_key,
        "key.register",
        register("collective", VILLAGE, &key),
    )
    .unwrap();
    let (registry, test_db, log_key, county) = log.into_registry();
    let db = registry.db.clone();
    App {
        url: spawn_app(registry),
        key,
        county,
        log_key,
        db,
        _test_db: test_db,
    }
}

/// A parcel-sized square (about 45 m by 55 m) with its south-west corner at
/// (`lon`, 36.001).
fn plot(lon: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, 36.001], [lon + 0.0005, 36.001], [lon + 0.0005, 36.0015], [lon, 36.0015], [lon, 36.001]]]})
}

/// Asserts an answer is a refusal with this code and field.
fn refused((status, v): (u16, Value), code: &str, field: &str) {
    assert!(status >= 400, "{v}");
    let zh = v["error"]["message_zh"].as_str().unwrap_or_default();
    let quoted: Vec<&str> = v["error"]["field"].as_str().into_iter().collect();
    assert!(
        latin_words(zh, &quoted).is_empty(),
        "not wholly Chinese: {v}"
    );
    assert_eq!(
        (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
        (Some(code), Some(field)),
        "{v}"
    );
}

impl App {
    /// Signs and posts an entry.
    fn signed(&self, key: &SignerKey, kind: &str, body: Value) -> (u16, Value) {
        self.post(signed_json(key, kind, body))
    }

    fn post(&self, body: Value) -> (u16, Value) {
        match ureq::post(&format!("{}/api/v1/entries", self.url)).send_json(body) {
            Ok(r) => (r.status(), r.into_json().unwrap()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap()),
            Err(e) => panic!("{e}"),
        }
    }

    fn size(&self) -> u64 {
        let note = ureq::get(&format!("{}/api/v1/checkpoint", self.url))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        Checkpoint::open(&note, &self.log_key.verifier())
            .unwrap()
            .size
    }

    /// Registers household 0001 of the village with `name` as its head.
    fn head_household(&self, name: &str) -> (PersonRecord, String) {
        let head = person(name, "14042119800101123X", 1);
        let household = format!("{VILLAGE}0001");
        assert_eq!(
            self.post(self.household(&household, &[(&head, "02")], &[&head]))
                .0,
            201
        );
        (head, household)
    }

    fn household(
        &self,
        code: &str,
        members: &[(&PersonRecord, &str)],
        personal: &[&PersonRecord],
    ) -> Value {
        let members: Vec<Value> = members
            .iter()
            .map(|(p, r)| json!({"person": p.commitment(), "relation": r}))
            .collect();
        let env = sign(
            &self.key,
            "household.register",
            json!({"CBFBM": code, "members": members}),
        );
        let envelope: Value = serde_json::from_slice(&env.to_json()).unwrap();
        json!({"envelope": envelope, "personal": personal})
    }

    fn refused(&self, body: Value, code: &str, field: &str) {
        let before = self.size();
        let (status, v) = self.post(body);
        assert!(status >= 400, "{v}");
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
            (Some(code), Some(field)),
            "{v}"
        );
        assert_eq!(self.size(), before, "a refusal wrote something");
    }
}

#[test]
fn households_keep_personal_data_off_the_log() {
    for backend in backends() {
        let app = app(backend);
        let head = person("张三", "14042119800101123X", 1);
        let wife = person("李四", "140421197512300469", 2);
        let code = format!("{VILLAGE}0001");
        let (status, v) =
            app.post(app.household(&code, &[(&head, "02"), (&wife, "10")], &[&head, &wife]));
        assert_eq!(status, 201, "{backend:?}: {v}");
        let index = v["index"].as_u64().unwrap();
        // The entry names them by commitment only.
        let entry = ureq::get(&format!("{}/api/v1/entries/{index}", app.url))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        for secret in [
            "张三",
            "李四",
            "14042119800101123X",
            "140421197512300469",
            &head.salt,
        ] {
            assert!(!entry.contains(secret), "{secret} is in the log");
        }
        assert!(entry.contains(&head.commitment()));
        let h: Value = ureq::get(&format!("{}/api/v1/households/{code}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(h["members"][0]["person"], head.commitment());
        assert_eq!(h["members"][1]["relation"], "10");
        assert_eq!(h["personal_data"], "withheld");
        assert!(!h.to_string().contains("张三"));

        let other = format!("{VILLAGE}0002");
        let son = person("张小三", "140421199111110102", 3);
        // P2: a wrong check character.
        let bad = person("王五", "140421198001011230", 4);
        app.refused(
            app.household(&other, &[(&bad, "02")], &[&bad]),
            "bad_personal_data",
            "personal[0].id_number",
        );
        // Members named without their records, or with others' records.
        app.refused(
            app.household(&other, &[(&son, "02")], &[]),
            "personal_data_missing",
            "personal",
        );
        app.refused(
            app.household(&other, &[(&son, "02")], &[&wife]),
            "personal_data_mismatch",
            "personal",
        );
        // The same person (ID number) in a second household, even with a new salt.
        let again = person("张三", "14042119800101123X", 9);
        app.refused(
            app.household(&other, &[(&again, "02")], &[&again]),
            "person_exists",
            "personal[0].id_number",
        );
        // The same commitment in a second household: the rules say so
        // first (the uniqueness of ID numbers is checked last, 11.2).
        app.refused(
            app.household(&other, &[(&son, "02"), (&head, "20")], &[&son, &head]),
            "person_in_household",
            "entry.body.members",
        );
        // P1 and P3.
        app.refused(
            app.household("140421001001020001", &[(&son, "02")], &[&son]),
            "household_code_outside_collective",
            "entry.body.CBFBM",
        );
        app.refused(
            app.household(&code, &[(&son, "02")], &[&son]),
            "household_exists",
            "entry.body.CBFBM",
        );
        app.refused(
            app.household(&other, &[(&son, "20")], &[&son]),
            "bad_attribute",
            "entry.body.members",
        );
        app.refused(
            app.household(&format!("{VILLAGE}9001"), &[(&son, "02")], &[&son]),
            "bad_attribute",
            "entry.body.CBFBM",
        );
        // Personal data with an entry that names no one.
        let env = sign(
            &app.key,
            "key.register",
            register("household", &other, &new_key("h")),
        );
        let envelope: Value = serde_json::from_slice(&env.to_json()).unwrap();
        app.refused(
            json!({"envelope": envelope, "personal": [&son]}),
            "personal_data_unexpected",
            "personal",
        );
        let mut extra = serde_json::to_value(&son).unwrap();
        extra["nation"] = "汉".into();
        app.refused(json!({"envelope": app.household(&other, &[(&son, "02")], &[])["envelope"], "personal": [extra]}), "bad_envelope", "personal[0].nation");

        assert_eq!(
            app.post(app.household(&other, &[(&son, "02")], &[&son])).0,
            201
        );
        verify(&app.db, &app.log_key.verifier(), |_, _| {}).unwrap();

        // A private record edited behind the log's back is named.
        let mut conn = app.db.dedicated().unwrap();
        diesel::update(persons::table.filter(persons::commitment.eq(wife.commitment())))
            .set(persons::name.eq("李五"))
            .execute(&mut conn)
            .unwrap();
        match verify(&app.db, &app.log_key.verifier(), |_, _| {}) {
            Err(VerifyError::Failed(VerifyFailure::Projection {
                table: "persons",
                key,
                ..
            })) => assert_eq!(key, wife.commitment()),
            other => panic!("{backend:?}: {other:?}"),
        }
    }
}

#[test]
fn contracts_give_parcels_their_holder() {
    for backend in backends() {
        let app = app(backend);
        let head = person("赵一", "140404196307150819", 1);
        let wife = person("钱二", "140421198808080076", 2);
        let household = format!("{VILLAGE}0003");
        assert_eq!(
            app.post(app.household(&household, &[(&head, "02"), (&wife, "10")], &[&head, &wife]))
                .0,
            201
        );
        let parcel = |n: u32, lon: f64, land_use: &str| {
            let g = plot(lon);
            let body = json!({"DKBM": format!("{VILLAGE}{n:05}"), "DKMC": "东洼地", "DKLB": "10", "TDYT": land_use, "DLDJ": "05", "SFJBNT": "1", "geometry": g});
            let (status, v) = app.post(
                serde_json::from_slice(&sign(&app.key, "parcel.register", body).to_json()).unwrap(),
            );
            assert_eq!(status, 201, "{v}");
            format!("{VILLAGE}{n:05}")
        };
        let (arable, forest, building) = (
            parcel(1, 113.001, "1"),
            parcel(2, 113.002, "2"),
            parcel(3, 113.003, "5"),
        );
        let grant = |parcels: &[&str],
                     start: &str,
                     end: &str,
                     members: &[&PersonRecord]|
         -> Value {
            let body = json!({"CBHTBM": format!("{household}J"), "CBFBM": household, "DKBM": parcels,
                              "start": start, "end": end,
                              "certificate_members": members.iter().map(|m| m.commitment()).collect::<Vec<_>>()});
            serde_json::from_slice(&sign(&app.key, "contract.grant", body).to_json()).unwrap()
        };
        // C2: arable land is contracted for 30 years, forest 30 to 70.
        app.refused(
            grant(&[&arable], "2028-01-01", "2047-12-31", &[&head]),
            "bad_term",
            "entry.body.end",
        );
        app.refused(
            grant(&[&building], "2028-01-01", "2057-12-31", &[&head]),
            "bad_term",
            "entry.body.end",
        );
        // C3: the certificate lists members of the household only.
        let stranger = person("孙三", "110101200002299995", 3);
        app.refused(
            grant(&[&arable], "2028-01-01", "2057-12-31", &[&stranger]),
            "bad_attribute",
            "entry.body.certificate_members",
        );
        let (status, v) = app.post(grant(
            &[&arable, &forest],
            "2028-01-01",
            "2057-12-31",
            &[&head, &wife],
        ));
        assert_eq!(status, 201, "{backend:?}: {v}");
        // One contract per household; C4: no parcel under two contracts, and the
        // collective cannot take it back by retiring it.
        app.refused(
            grant(&[&arable], "2028-01-01", "2057-12-31", &[&head]),
            "contract_exists",
            "entry.body.CBHTBM",
        );
        let retire = sign(
            &app.key,
            "parcel.retire",
            json!({"DKBM": arable, "reason": "收回"}),
        );
        app.refused(
            serde_json::from_slice(&retire.to_json()).unwrap(),
            "parcel_contracted",
            "entry.body.DKBM",
        );

        let get = |path: &str| -> Value {
            ureq::get(&format!("{}{path}", app.url))
                .call()
                .unwrap()
                .into_json()
                .unwrap()
        };
        assert_eq!(
            get(&format!("/api/v1/parcels/{arable}"))["properties"]["holder"],
            household
        );
        assert!(get(&format!("/api/v1/parcels/{building}"))["properties"]["holder"].is_null());
        let all = get(&format!("/api/v1/parcels?collective={VILLAGE}"));
        let holders: Vec<&Value> = all["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["properties"]["holder"])
            .collect();
        assert_eq!(
            holders
                .iter()
                .filter(|h| h.as_str() == Some(household.as_str()))
                .count(),
            2
        );
        let title = get(&format!("/api/v1/titles/{forest}"));
        assert_eq!(title["holder"], household);
        assert_eq!(title["contract"]["CBHTBM"], format!("{household}J"));
        assert_eq!(title["contract"]["end"], "2057-12-31");
        assert_eq!(title["history"][1]["event"], "contract.grant");

        // C6: the household returns its land — itself, six months ahead.
        let home = new_key("h");
        let register_home = sign(
            &app.key,
            "key.register",
            register("household", &household, &home),
        );
        assert_eq!(
            app.post(serde_json::from_slice(&register_home.to_json()).unwrap())
                .0,
            201
        );
        let today = chrono::Utc::now().date_naive();
        let back = |key: &SignerKey, months: u32| -> Value {
            let effective = today
                .checked_add_months(chrono::Months::new(months))
                .unwrap()
                .to_string();
            let body = json!({"CBHTBM": format!("{household}J"), "effective": effective, "compensation": "1200.00"});
            serde_json::from_slice(&sign(key, "contract.return", body).to_json()).unwrap()
        };
        app.refused(back(&app.key, 7), "kind_not_allowed", "entry.signer");
        app.refused(back(&home, 3), "bad_attribute", "entry.body.effective");
        assert_eq!(app.post(back(&home, 7)).0, 201);
        app.refused(back(&home, 8), "contract_not_in_force", "entry.body.CBHTBM");
        // Until the day, the land is still the household's; after it, no new
        // land for the rest of the term.
        app.refused(
            serde_json::from_slice(&retire.to_json()).unwrap(),
            "parcel_contracted",
            "entry.body.DKBM",
        );
        app.refused(
            grant(&[&arable], "2028-01-01", "2057-12-31", &[&head]),
            "no_new_land_after_return",
            "entry.body.CBFBM",
        );
        let title = get(&format!("/api/v1/titles/{forest}"));
        assert_eq!(title["holder"], household);
        assert_eq!(title["contract"]["returned"]["compensation"], "1200.00");
        assert_eq!(title["history"][2]["event"], "contract.return");
        verify(&app.db, &app.log_key.verifier(), |_, _| {}).unwrap();
        // The parcel → contract index is checked against the log too.
        let mut conn = app.db.dedicated().unwrap();
        diesel::delete(contract_parcels::table.filter(contract_parcels::parcel.eq(&forest)))
            .execute(&mut conn)
            .unwrap();
        match verify(&app.db, &app.log_key.verifier(), |_, _| {}) {
            Err(VerifyError::Failed(VerifyFailure::Projection {
                table: "contract_parcels",
                key,
                ..
            })) => assert_eq!(key, forest),
            other => panic!("{backend:?}: {other:?}"),
        }
    }
}

#[test]
fn shares_stay_in_the_collective_and_distributions_add_up_to_the_fen() {
    on_each_backend(app, |app| {
        let post = |key: &SignerKey, kind: &str, body: Value| app.signed(key, kind, body);
        let mut keys = Vec::new();
        let ids = [
            "14042119800101123X",
            "140421197512300469",
            "140404196307150819",
        ];
        for (n, id) in ids.iter().enumerate() {
            let code = format!("{VILLAGE}{:04}", n + 1);
            let head = person("户主", id, n as u8 + 1);
            assert_eq!(
                app.post(app.household(&code, &[(&head, "02")], &[&head])).0,
                201
            );
            let key = new_key("h");
            assert_eq!(
                post(&app.key, "key.register", register("household", &code, &key)).0,
                201
            );
            keys.push((code, key));
        }
        let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
        let decide = |subject: &str, yes: u32| -> u64 {
            let body = json!({"assembly": "members_assembly", "subject": subject, "question": "q", "date": "2026-11-20",
                              "eligible": 90, "present": 80, "for": yes, "against": 80 - yes, "minutes_sha256": "ab".repeat(32)});
            post(&app.key, "decision.record", body).1["index"]
                .as_u64()
                .unwrap()
        };
        // The heads are members of the collective (P4).
        let heads: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| person("户主", id, n as u8 + 1).commitment())
            .collect();
        let membership = decide("membership", 70);
        assert_eq!(
            post(
                &app.key,
                "member.admit",
                json!({"decision": membership, "persons": heads})
            )
            .0,
            201
        );
        let (failed, passed) = (
            decide("share_quantification", 59),
            decide("share_quantification", 60),
        );
        let quantify = |decision: u64| {
            json!({"decision": decision, "allocations": [
                {"CBFBM": a.0, "shares": 3}, {"CBFBM": b.0, "shares": 3}, {"CBFBM": c.0, "shares": 1}]})
        };
        refused(
            post(&app.key, "shares.quantify", quantify(failed)),
            "decision_not_passed",
            "entry.body.decision",
        );
        assert_eq!(post(&app.key, "shares.quantify", quantify(passed)).0, 201);
        refused(
            post(&app.key, "shares.quantify", quantify(passed)),
            "shares_already_quantified",
            "entry.body.decision",
        );
        // S2: within the collective only, and no more than held.
        let to = |who: &str, n: u64| json!({"to": who, "shares": n, "price": "0"});
        refused(
            post(&a.1, "shares.transfer", to("140421001002010001", 1)),
            "shares_to_non_member",
            "entry.body.to",
        );
        refused(
            post(&a.1, "shares.transfer", to(&b.0, 4)),
            "not_enough_shares",
            "entry.body.shares",
        );
        // S2's cap per holder is a setting, 3 % of all shares by default: b
        // would hold 4 of 7. The county raises it on the log.
        refused(
            post(&a.1, "shares.transfer", to(&b.0, 1)),
            "over_share_cap",
            "entry.body.shares",
        );
        let settings = |s: Value| json!({"settings": s, "reason": "县规定"});
        refused(
            post(
                &app.county,
                "county.settings",
                settings(json!({"share_cap_percent": "120"})),
            ),
            "bad_setting",
            "entry.body.settings.share_cap_percent",
        );
        refused(
            post(
                &app.key,
                "county.settings",
                settings(json!({"share_cap_percent": "60"})),
            ),
            "kind_not_allowed",
            "entry.signer",
        );
        assert_eq!(
            post(
                &app.county,
                "county.settings",
                settings(json!({"share_cap_percent": "60"}))
            )
            .0,
            201
        );
        assert_eq!(post(&a.1, "shares.transfer", to(&b.0, 1)).0, 201);
        refused(
            post(&b.1, "shares.buyback", json!({"shares": 1, "price": "0"})),
            "bad_attribute",
            "entry.body.price",
        );
        let buyback = || {
            post(
                &b.1,
                "shares.buyback",
                json!({"shares": 1, "price": "300.00"}),
            )
        };
        let (status, sold) = buyback();
        assert_eq!(status, 201);
        // G4: the household may take the sale back within the window, and
        // its share comes back; once only, and only its own.
        let withdraw = json!({"surrender": sold["index"], "reason": "家里商量后不卖了"});
        refused(
            post(&a.1, "surrender.withdraw", withdraw.clone()),
            "bad_attribute",
            "entry.body.surrender",
        );
        assert_eq!(post(&b.1, "surrender.withdraw", withdraw.clone()).0, 201);
        refused(
            post(&b.1, "surrender.withdraw", withdraw),
            "bad_attribute",
            "entry.body.surrender",
        );
        assert_eq!(buyback().0, 201);
        // Holdings now: a 2, b 3, c 1, the collective 1 (7 in all).
        let assets = decide("operating_assets", 70);
        let distribute = |total: &str, reserve: &str, welfare: &str| json!({"decision": assets, "total": total, "reserve": reserve, "welfare": welfare});
        refused(
            post(
                &app.key,
                "dividend.distribute",
                distribute("100.00", "80.00", "30.00"),
            ),
            "distribution_does_not_add_up",
            "entry.body.total",
        );
        refused(
            post(
                &app.key,
                "dividend.distribute",
                distribute("100.001", "0", "0"),
            ),
            "bad_attribute",
            "entry.body.total",
        );
        // A distribution made, read back: its total distributed and its
        // parts (holder, yuan).
        let paid = |body: Value| -> (String, Vec<(String, String)>) {
            let (status, v) = post(&app.key, "dividend.distribute", body);
            assert_eq!(status, 201, "{v}");
            let d: Value = ureq::get(&format!("{}/api/v1/distributions/{}", app.url, v["index"]))
                .call()
                .unwrap()
                .into_json()
                .unwrap();
            let parts = d["parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let text = |k: &str| p[k].as_str().unwrap().to_owned();
                    (text("holder"), text("amount"))
                })
                .collect();
            (d["distributed"].as_str().unwrap().to_owned(), parts)
        };
        let (distributed, parts) = paid(distribute("1000.00", "100.00", "50.01"));
        assert_eq!(distributed, "849.99");
        let fen: i64 = parts
            .iter()
            .map(|(_, a)| (a.parse::<f64>().unwrap() * 100.0).round() as i64)
            .sum();
        assert_eq!(fen, 84_999, "{parts:?}");
        // 84,999 fen over 1:2:3:1 (collective, a, b, c): exact 12142.714…, 24285.428…,
        // 36428.142…, 12142.714…; the two fen left go to the largest fractions.
        let amount = |holder: &str| parts.iter().find(|(h, _)| h == holder).unwrap().1.clone();
        assert_eq!(amount(&b.0), "364.28");
        assert_eq!(amount(&a.0), "242.85");
        assert_eq!(amount(VILLAGE), "121.43");
        assert_eq!(amount(&c.0), "121.43");
        let h: Value = ureq::get(&format!("{}/api/v1/households/{}", app.url, a.0))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(h["shares"], 2);

        // S4: c's only member dies; c still holds its share, but a holder
        // that is no member is paid only with three quarters of all members
        // agreeing — otherwise its part stays with the collective.
        assert_eq!(
            post(
                &app.key,
                "member.end",
                json!({"person": heads[2], "reason": "death", "document_sha256": "cd".repeat(32)})
            )
            .0,
            201
        );
        let (_, without) = paid(distribute("1000.00", "100.00", "50.01"));
        let of = |parts: &[(String, String)], holder: &str| {
            parts.iter().find(|(h, _)| h == holder).map(|p| p.1.clone())
        };
        assert_eq!(of(&without, &c.0), None, "{without:?}");
        assert_eq!(of(&without, VILLAGE).as_deref(), Some("242.86"));
        assert_eq!(of(&without, &b.0).as_deref(), Some("364.28"));
        let mut with = distribute("1000.00", "100.00", "50.01");
        with["non_members_decision"] = json!(decide("other", 67));
        refused(
            post(&app.key, "dividend.distribute", with.clone()),
            "decision_not_passed",
            "entry.body.decision",
        );
        with["non_members_decision"] = json!(decide("other", 68));
        let (_, with) = paid(with);
        assert_eq!(of(&with, &c.0).as_deref(), Some("121.43"));
        assert_eq!(of(&with, VILLAGE).as_deref(), Some("121.43"));
    });
}

#[test]
fn settling_in_a_town_never_ends_membership() {
    on_each_backend(app, |app| {
        let post = |kind: &str, body: Value| app.signed(&app.key, kind, body);
        let (head, son) = (
            person("吴一", "14042119800101123X", 1),
            person("吴二", "140421199111110102", 2),
        );
        let household = format!("{VILLAGE}0001");
        assert_eq!(
            app.post(app.household(&household, &[(&head, "02"), (&son, "20")], &[&head, &son]))
                .0,
            201
        );
        let decide = |yes: u32| -> u64 {
            let body = json!({"assembly": "members_assembly", "subject": "membership", "question": "确认成员", "date": "2026-11-20",
                              "eligible": 90, "present": 80, "for": yes, "against": 80 - yes, "minutes_sha256": "ab".repeat(32)});
            post("decision.record", body).1["index"].as_u64().unwrap()
        };
        let (failed, passed) = (decide(50), decide(61));
        let admit =
            |decision: u64, persons: Vec<String>| json!({"decision": decision, "persons": persons});
        refused(
            post("member.admit", admit(failed, vec![head.commitment()])),
            "decision_not_passed",
            "entry.body.decision",
        );
        refused(
            post("member.admit", admit(passed, vec!["ab".repeat(32)])),
            "person_not_in_collective",
            "entry.body.persons",
        );
        assert_eq!(
            post(
                "member.admit",
                admit(passed, vec![head.commitment(), son.commitment()])
            )
            .0,
            201
        );
        refused(
            post("member.admit", admit(passed, vec![son.commitment()])),
            "already_member",
            "entry.body.persons",
        );

        let end = |reason: &str| json!({"person": son.commitment(), "reason": reason, "document_sha256": "cd".repeat(32)});
        // P4, C5, S5: these never end membership.
        for reason in ["settled_in_town", "migrant_work", "divorce", "study"] {
            refused(
                post("member.end", end(reason)),
                "not_an_end_of_membership",
                "entry.body.reason",
            );
        }
        refused(
            post("member.end", end("moved_away")),
            "bad_attribute",
            "entry.body.reason",
        );
        let h: Value = ureq::get(&format!("{}/api/v1/households/{household}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(h["members"][1]["collective_member"], true);
        assert_eq!(post("member.end", end("civil_servant")).0, 201);
        refused(
            post("member.end", end("death")),
            "not_a_member",
            "entry.body.person",
        );
        let h: Value = ureq::get(&format!("{}/api/v1/households/{household}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(
            (
                h["members"][0]["collective_member"].as_bool(),
                h["members"][1]["collective_member"].as_bool()
            ),
            (Some(true), Some(false))
        );
    });
}

#[test]
fn one_household_one_homestead_within_the_limit_and_given_up_only_by_itself() {
    on_each_backend(app, |app| {
        // The county approves homesteads (for the township, H2).
        let county_key = app.county.clone();
        let (_, household) = app.head_household("郑一");
        let home_key = new_key("h");
        let post = |key: &SignerKey, kind: &str, body: Value| app.signed(key, kind, body);
        assert_eq!(
            post(
                &app.key,
                "key.register",
                register("household", &household, &home_key)
            )
            .0,
            201
        );
        // About 10 m × 11 m = 110 m²; 0.00016° × 0.00013° ≈ 14.4 m × 14.4 m = 208 m².
        let plot = |lon: f64, side_lon: f64, side_lat: f64| json!({"type": "Polygon", "coordinates": [[[lon, 36.005], [lon + side_lon, 36.005], [lon + side_lon, 36.005 + side_lat], [lon, 36.005 + side_lat], [lon, 36.005]]]});
        let grant = |terrain: &str, geometry: Value| json!({"CBFBM": household, "terrain": terrain, "posting_sha256": "ef".repeat(32), "geometry": geometry});
        refused(
            post(
                &county_key,
                "homestead.grant",
                grant("plain", plot(113.005, 0.00016, 0.00013)),
            ),
            "homestead_over_limit",
            "entry.body.geometry",
        );
        refused(
            post(
                &app.key,
                "homestead.grant",
                grant("plain", plot(113.005, 0.00011, 0.0001)),
            ),
            "kind_not_allowed",
            "entry.signer",
        );
        assert_eq!(
            post(
                &county_key,
                "homestead.grant",
                grant("plain", plot(113.005, 0.00011, 0.0001))
            )
            .0,
            201
        );
        // H1: one household, one homestead.
        refused(
            post(
                &county_key,
                "homestead.grant",
                grant("plain", plot(113.006, 0.00011, 0.0001)),
            ),
            "second_homestead",
            "entry.body.CBFBM",
        );
        // No parcel may be registered over it.
        let parcel = json!({"DKBM": format!("{VILLAGE}00001"), "DKMC": "x", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1",
                            "geometry": plot(113.00505, 0.0002, 0.0002)});
        refused(
            post(&app.key, "parcel.register", parcel),
            "parcel_overlap",
            "entry.body.geometry",
        );
        // H5: given up only by the household, and for compensation.
        refused(
            post(&home_key, "homestead.exit", json!({"compensation": "0"})),
            "bad_attribute",
            "entry.body.compensation",
        );
        let h: Value = ureq::get(&format!("{}/api/v1/households/{household}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert!(h["homestead"]["exited_at"].is_null());
        assert!(
            h["homestead"]["area_m2"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap()
                > 100.0
        );
        assert_eq!(
            post(
                &home_key,
                "homestead.exit",
                json!({"compensation": "80000.00"})
            )
            .0,
            201
        );
        refused(
            post(&home_key, "homestead.exit", json!({"compensation": "1.00"})),
            "no_homestead",
            "entry.signer",
        );
    });
}

#[test]
fn no_certificate_while_the_notice_is_open_or_an_objection_stands() {
    on_each_backend(app, |app| {
        let (head, household) = app.head_household("冯一");
        let post = |key: &SignerKey, kind: &str, body: Value| app.signed(key, kind, body);
        let g = plot(113.001);
        let parcel = format!("{VILLAGE}00001");
        let body = json!({"DKBM": parcel, "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g});
        assert_eq!(post(&app.key, "parcel.register", body).0, 201);
        let contract = format!("{household}J");
        let grant = json!({"CBHTBM": contract, "CBFBM": household, "DKBM": [parcel], "start": "2028-01-01", "end": "2057-12-31",
                           "certificate_members": [head.commitment()]});
        assert_eq!(post(&app.key, "contract.grant", grant).0, 201);
        let today = chrono::Utc::now().date_naive();
        let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
        let notice = |from: i64, to: i64| json!({"CBHTBM": [contract], "from": day(from), "to": day(to), "posting_sha256": "9a".repeat(32)});
        refused(
            post(&app.key, "notice.post", notice(-20, -15)),
            "bad_attribute",
            "entry.body.to",
        );
        let open = post(&app.key, "notice.post", notice(-1, 9)).1["index"]
            .as_u64()
            .unwrap();
        let closed = post(&app.key, "notice.post", notice(-30, -20)).1["index"]
            .as_u64()
            .unwrap();
        let issue = |notice: u64| json!({"CBHTBM": contract, "notice": notice});
        refused(
            post(&app.key, "certificate.issue", issue(open)),
            "notice_open",
            "entry.body.notice",
        );
        // An objection by a household of the collective holds the certificate back.
        let home = new_key("h");
        assert_eq!(
            post(
                &app.key,
                "key.register",
                register("household", &household, &home)
            )
            .0,
            201
        );
        let objection = json!({"DKBM": parcel, "kind": "objection", "reason": "四至有误", "document_sha256": "ab".repeat(32)});
        let filed = post(&home, "encumbrance.register", objection).1["index"]
            .as_u64()
            .unwrap();
        refused(
            post(&app.key, "certificate.issue", issue(closed)),
            "objection_open",
            "entry.body.CBHTBM",
        );
        assert_eq!(
            post(
                &home,
                "encumbrance.release",
                json!({"encumbrance": filed, "reason": "已更正"})
            )
            .0,
            201
        );
        let (status, v) = post(&app.key, "certificate.issue", issue(closed));
        assert_eq!(status, 201, "{v}");
        refused(
            post(&app.county, "certificate.issue", issue(closed)),
            "certificate_issued",
            "entry.body.CBHTBM",
        );
        let cert: Value = ureq::get(&format!("{}/api/v1/certificates/{contract}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(cert["CBFBM"], household);
        assert_eq!(cert["parcels"][0]["DKBM"], parcel);
        assert_eq!(cert["members"][0], head.commitment());
        assert_eq!(cert["notice"], closed);
    });
}

#[test]
fn rights_are_refused_over_seized_land_outside_the_village_or_to_oneself() {
    on_each_backend(app, |app| {
        let (head, household) = app.head_household("褚一");
        let g = plot(113.001);
        let parcel = format!("{VILLAGE}00001");
        let body = json!({"DKBM": parcel, "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g});
        assert_eq!(app.signed(&app.key, "parcel.register", body).0, 201);
        // A seized parcel is not contracted.
        let seizure = json!({"DKBM": parcel, "kind": "seizure", "reason": "协助执行", "document_sha256": "ab".repeat(32)});
        assert_eq!(
            app.signed(&app.county, "encumbrance.register", seizure).0,
            201
        );
        let grant = json!({"CBHTBM": format!("{household}J"), "CBFBM": household, "DKBM": [parcel],
                           "start": "2028-01-01", "end": "2057-12-31", "certificate_members": [head.commitment()]});
        refused(
            app.signed(&app.key, "contract.grant", grant),
            "parcel_encumbered",
            "entry.body.DKBM",
        );
        // H3: a homestead lies within its own collective's land.
        let outside = json!({"type": "Polygon", "coordinates": [[[113.02, 36.005], [113.02011, 36.005], [113.02011, 36.0051], [113.02, 36.0051], [113.02, 36.005]]]});
        let homestead = json!({"CBFBM": household, "terrain": "plain", "posting_sha256": "ef".repeat(32), "geometry": outside});
        refused(
            app.signed(&app.county, "homestead.grant", homestead),
            "outside_boundary",
            "entry.body.geometry",
        );
        // S2: shares go to another household of the collective, not back to oneself.
        let decision = json!({"assembly": "members_assembly", "subject": "share_quantification", "question": "q", "date": "2026-11-20",
                              "eligible": 9, "present": 9, "for": 9, "against": 0, "minutes_sha256": "ab".repeat(32)});
        let decision = app.signed(&app.key, "decision.record", decision).1["index"]
            .as_u64()
            .unwrap();
        let quantify =
            json!({"decision": decision, "allocations": [{"CBFBM": household, "shares": 2}]});
        assert_eq!(app.signed(&app.key, "shares.quantify", quantify).0, 201);
        let home = new_key("h");
        assert_eq!(
            app.signed(
                &app.key,
                "key.register",
                register("household", &household, &home)
            )
            .0,
            201
        );
        let to_self = json!({"to": household, "shares": 1, "price": "0"});
        refused(
            app.signed(&home, "shares.transfer", to_self),
            "shares_to_non_member",
            "entry.body.to",
        );
    });
}

#[test]
fn households_split_and_merge_with_their_rights() {
    for backend in backends() {
        let app = app(backend);
        let post = |key: &SignerKey, kind: &str, body: Value| app.signed(key, kind, body);
        let get = |path: &str| -> Value {
            ureq::get(&format!("{}/api/v1/{path}", app.url))
                .call()
                .unwrap()
                .into_json()
                .unwrap()
        };
        let head = person("王一", "14042119800101123X", 1);
        let wife = person("李二", "140421197512300469", 2);
        let son = person("王三", "140404196307150819", 3);
        let stranger = person("孙四", "140421198808080076", 4);
        let (old, new) = (format!("{VILLAGE}0001"), format!("{VILLAGE}0002"));
        let members = [(&head, "02"), (&wife, "10"), (&son, "20")];
        assert_eq!(
            app.post(app.household(&old, &members, &[&head, &wife, &son]))
                .0,
            201
        );
        assert_eq!(
            app.post(app.household(
                &format!("{VILLAGE}0009"),
                &[(&stranger, "02")],
                &[&stranger]
            ))
            .0,
            201
        );
        let key = new_key("h");
        assert_eq!(
            post(&app.key, "key.register", register("household", &old, &key)).0,
            201
        );
        let parcel = |n: u32, lon: f64| {
            let g = plot(lon);
            let body = json!({"DKBM": format!("{VILLAGE}{n:05}"), "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g});
            assert_eq!(post(&app.key, "parcel.register", body).0, 201);
            format!("{VILLAGE}{n:05}")
        };
        let (p1, p2, p3) = (parcel(1, 113.001), parcel(2, 113.002), parcel(3, 113.003));
        let all: Vec<String> = [&head, &wife, &son]
            .iter()
            .map(|p| p.commitment())
            .collect();
        let grant = json!({"CBHTBM": format!("{old}J"), "CBFBM": old, "DKBM": [p1, p2], "start": "2026-01-01", "end": "2055-12-31", "certificate_members": all});
        assert_eq!(post(&app.key, "contract.grant", grant).0, 201);

        // M2: the household pledges the management right of its own contracted
        // land (the entry notifies the collective); once at a time; never a
        // homestead (H4); released by the county on the lender's release.
        let pledge = |p: &str| json!({"DKBM": p, "kind": "pledge", "reason": "县农商银行贷款", "document_sha256": "ab".repeat(32)});
        refused(
            post(&app.key, "encumbrance.register", pledge(&p1)),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        refused(
            post(&key, "encumbrance.register", pledge(&p3)),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        // H4: a homestead is not pledged — its key does not even read as a
        // parcel code.
        refused(
            post(&key, "encumbrance.register", pledge(&format!("ZJD{old}"))),
            "bad_attribute",
            "entry.body.DKBM",
        );
        let (status, v) = post(&key, "encumbrance.register", pledge(&p1));
        assert_eq!(status, 201, "{backend:?}: {v}");
        let pledged = v["index"].as_u64().unwrap();
        refused(
            post(&key, "encumbrance.register", pledge(&p1)),
            "parcel_encumbered",
            "entry.body.DKBM",
        );
        let ret = json!({"CBHTBM": format!("{old}J"), "effective": "2045-01-01", "compensation": "100.00"});
        refused(
            post(&key, "contract.return", ret),
            "parcel_encumbered",
            "entry.body.DKBM",
        );
        let title = get(&format!("titles/{p1}"));
        assert_eq!(title["encumbrances"][0]["kind"], "pledge");
        let release = json!({"encumbrance": pledged, "reason": "贷款已还清"});
        refused(
            post(&key, "encumbrance.release", release.clone()),
            "party_not_allowed",
            "entry.body.encumbrance",
        );
        assert_eq!(post(&app.county, "encumbrance.release", release).0, 201);

        let split = |leaving: &[(&PersonRecord, &str)], parcels: &[&str]| {
            let leaving: Vec<Value> = leaving
                .iter()
                .map(|(p, r)| json!({"person": p.commitment(), "relation": r}))
                .collect();
            json!({"CBFBM": new, "members": leaving, "DKBM": parcels, "agreement_sha256": "cd".repeat(32)})
        };
        // P3: the household itself divides, with members of its own and land
        // of its own contract; the head stays. The collective records a
        // split only on a member's own application, naming the household
        // (W2; `lifecycle.rs`).
        let before = app.size();
        refused(
            post(&app.key, "household.split", split(&[(&son, "02")], &[&p2])),
            "bad_attribute",
            "entry.body.from",
        );
        refused(
            post(&key, "household.split", split(&[(&stranger, "02")], &[&p2])),
            "not_of_household",
            "entry.body.members",
        );
        refused(
            post(&key, "household.split", split(&[(&head, "02")], &[&p2])),
            "bad_attribute",
            "entry.body.members",
        );
        refused(
            post(&key, "household.split", split(&[(&son, "02")], &[&p3])),
            "not_of_household",
            "entry.body.DKBM",
        );
        assert_eq!(app.size(), before, "a refusal wrote something");
        let (status, v) = post(&key, "household.split", split(&[(&son, "02")], &[&p2]));
        assert_eq!(status, 201, "{backend:?}: {v}");
        // The son's household holds parcel 2 for the rest of the same term.
        let h = get(&format!("households/{new}"));
        assert_eq!(h["members"].as_array().unwrap().len(), 1);
        assert_eq!(h["contracts"][0]["CBHTBM"], format!("{new}J"));
        assert_eq!(h["contracts"][0]["DKBM"], json!([p2]));
        assert_eq!(h["contracts"][0]["end"], "2055-12-31");
        assert_eq!(
            get(&format!("households/{old}"))["contracts"][0]["DKBM"],
            json!([p1])
        );
        assert_eq!(get(&format!("parcels/{p2}"))["properties"]["holder"], new);

        // A merge: the son's household rejoins, with the parents' consent; one
        // homestead at most (H1).
        let son_key = new_key("s");
        assert_eq!(
            post(
                &app.key,
                "key.register",
                register("household", &new, &son_key)
            )
            .0,
            201
        );
        let plot = |lon: f64| json!({"type": "Polygon", "coordinates": [[[lon, 36.005], [lon + 0.00011, 36.005], [lon + 0.00011, 36.0051], [lon, 36.0051], [lon, 36.005]]]});
        // H1's limit is a setting: 100 m² on the plain refuses a 110 m² plot.
        let settings =
            json!({"settings": {"homestead_limit_m2": {"plain": "100"}}, "reason": "省规定"});
        assert_eq!(post(&app.county, "county.settings", settings).0, 201);
        let home = |h: &str, terrain: &str, lon: f64| json!({"CBFBM": h, "terrain": terrain, "posting_sha256": "ef".repeat(32), "geometry": plot(lon)});
        refused(
            post(&app.county, "homestead.grant", home(&old, "plain", 113.005)),
            "homestead_over_limit",
            "entry.body.geometry",
        );
        assert_eq!(
            post(&app.county, "homestead.grant", home(&old, "hill", 113.005)).0,
            201
        );
        assert_eq!(
            post(&app.county, "homestead.grant", home(&new, "hill", 113.006)).0,
            201
        );
        let merge = json!({"into": old, "members": [{"person": son.commitment(), "relation": "20"}], "consent_sha256": "ab".repeat(32)});
        // G1: the receiving household signs the merge too (a cosignature);
        // without it, or with anyone else's, nothing moves.
        let cosigned = |cosigner: &SignerKey| {
            let mut env = sign(&son_key, "household.merge", merge.clone());
            env.cosign(cosigner);
            app.post(serde_json::from_slice(&env.to_json()).unwrap())
        };
        let size = app.size();
        refused(
            post(&son_key, "household.merge", merge.clone()),
            "consent_missing",
            "cosigs",
        );
        refused(cosigned(&app.key), "consent_missing", "cosigs");
        refused(cosigned(&son_key), "bad_envelope", "cosigs");
        assert_eq!(app.size(), size);
        refused(cosigned(&key), "two_homesteads", "entry.body.into");
        assert_eq!(
            post(
                &son_key,
                "homestead.exit",
                json!({"compensation": "20000.00"})
            )
            .0,
            201
        );
        let (status, v) = cosigned(&key);
        assert_eq!(status, 201, "{backend:?}: {v}");
        let h = get(&format!("households/{old}"));
        assert_eq!(h["members"].as_array().unwrap().len(), 3);
        assert_eq!(h["contracts"].as_array().unwrap().len(), 2);
        assert_eq!(get(&format!("households/{new}"))["merged_into"], old);
        assert_eq!(get(&format!("parcels/{p2}"))["properties"]["holder"], old);
        // The household that merged acts no more.
        refused(
            post(
                &son_key,
                "shares.buyback",
                json!({"shares": 1, "price": "1.00"}),
            ),
            "household_merged",
            "entry.signer",
        );
        // The private records followed their persons.
        let mut c = app.db.dedicated().unwrap();
        let of_son: String = persons::table
            .filter(persons::commitment.eq(son.commitment()))
            .select(persons::household)
            .first(&mut c)
            .unwrap();
        assert_eq!(of_son, old);

        // Personal data: withheld from everyone but a signed read by the
        // county, the collective or the household itself.
        let path = format!("/api/v1/households/{old}");
        let read = |auth: Option<String>| {
            let mut r = ureq::get(&format!("{}{path}", app.url));
            if let Some(a) = auth {
                r = r.set("Authorization", &a);
            }
            match r.call() {
                Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
                Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap()),
                Err(e) => panic!("{e}"),
            }
        };
        let signed_by = |k: &SignerKey| {
            sanquan::ledger::read_auth::sign_read(k, "GET", &path, chrono::Utc::now())
        };
        let (status, open) = read(None);
        assert_eq!(
            (status, open["personal_data"].as_str()),
            (200, Some("withheld"))
        );
        assert!(!open.to_string().contains("140421197512300469"));
        for k in [&app.key, &key, &app.county] {
            let (status, shown) = read(Some(signed_by(k)));
            assert_eq!(status, 200, "{shown}");
            assert_eq!(shown["personal_data"], "shown");
            let names: Vec<&str> = shown["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap())
                .collect();
            assert!(names.contains(&"李二"), "{names:?}");
        }
        let (status, v) = read(Some(signed_by(&son_key)));
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (403, Some("read_not_allowed"))
        );
        let forged = signed_by(&app.key).replace("sig=", "sig=AA");
        let (status, v) = read(Some(forged));
        assert_eq!(status, 401, "{v}");
        verify(&app.db, &app.log_key.verifier(), |_, _| {}).unwrap();
    }
}

#[test]
fn contracts_are_extended_in_their_term_and_renewed_when_it_ends() {
    on_each_backend(app, |app| {
        let post = |key: &SignerKey, kind: &str, body: Value| app.signed(key, kind, body);
        let (head, household) = app.head_household("冯一");
        let parcel = |n: u32, lon: f64, land_use: &str| {
            let g = plot(lon);
            let body = json!({"DKBM": format!("{VILLAGE}{n:05}"), "DKMC": "东洼地", "DKLB": "10", "TDYT": land_use, "DLDJ": "05", "SFJBNT": "1", "geometry": g});
            assert_eq!(post(&app.key, "parcel.register", body).0, 201);
            format!("{VILLAGE}{n:05}")
        };
        let (p1, p2, p3) = (
            parcel(1, 113.001, "1"),
            parcel(2, 113.002, "1"),
            parcel(3, 113.003, "5"),
        );
        let code = format!("{household}J");
        // A second-round contract that ended last year (1996–2025).
        let grant = json!({"CBHTBM": code, "CBFBM": household, "DKBM": [p1], "start": "1996-01-01", "end": "2025-12-31", "certificate_members": [head.commitment()]});
        assert_eq!(post(&app.key, "contract.grant", grant).0, 201);
        // Land is added only to a contract in force.
        let extend = |p: &str| json!({"CBHTBM": code, "DKBM": [p]});
        refused(
            post(&app.key, "contract.extend", extend(&p2)),
            "contract_not_in_force",
            "entry.body.CBHTBM",
        );
        // C2: arable land is renewed for another 30 years, no more.
        let renew = |end: &str| json!({"CBHTBM": code, "end": end});
        refused(
            post(&app.key, "contract.renew", renew("2075-12-31")),
            "bad_term",
            "entry.body.end",
        );
        assert_eq!(post(&app.key, "contract.renew", renew("2055-12-31")).0, 201);
        // Not again until a year before the new end.
        refused(
            post(&app.key, "contract.renew", renew("2085-12-31")),
            "bad_attribute",
            "entry.body.end",
        );
        // Now in force: another parcel joins it; building land never does.
        refused(
            post(&app.key, "contract.extend", extend(&p3)),
            "bad_term",
            "entry.body.end",
        );
        assert_eq!(post(&app.key, "contract.extend", extend(&p2)).0, 201);
        refused(
            post(&app.key, "contract.extend", extend(&p2)),
            "parcel_contracted",
            "entry.body.DKBM",
        );
        let h: Value = ureq::get(&format!("{}/api/v1/households/{household}", app.url))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(h["contracts"][0]["DKBM"], json!([p1, p2]));
        assert_eq!(h["contracts"][0]["end"], "2055-12-31");
        assert_eq!(h["contracts"][0]["in_force"], true);
    });
}
