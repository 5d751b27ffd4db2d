//! Hostile actors (issue: "Hostile actors cannot freeze, forge or take a
//! household's rights"): each attack found when sanquan was tried as an
//! attacker would, reproduced, and shown to change nothing — on SQLite and
//! on PostgreSQL.

use std::time::Duration;

use diesel::prelude::*;
use sanquan::ledger::Envelope;
use sanquan::model::exchange::Status;
use sanquan::model::Refusal;
use sanquan::store::verify::verify;
use sanquan::store::{queries, DbConnection};
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{lease, parcel, Market, NEIGHBOUR, OUTSIDER, SELLER, VILLAGE};

/// The writer's fault hook, installed once for the whole test binary: an
/// entry whose nonce starts with `panic-` makes its rule panic, one starting
/// with `slow-` holds the writer for 800 ms. No other test uses such nonces.
pub(crate) fn install_fault_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        sanquan::store::writer::set_fault_hook(Some(Box::new(|env: &Envelope| {
            if env.nonce.starts_with("panic-") {
                panic!("a rule that panics (test fault hook)");
            }
            if env.nonce.starts_with("slow-") {
                std::thread::sleep(Duration::from_millis(800));
            }
        })));
    });
}

use sanquan::cli::generate::comb;

fn parcel_body(code: &str, geometry: Value) -> Value {
    json!({"DKBM": code, "DKMC": "梳子地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2", "geometry": geometry})
}

/// Finding 1: the signer and its authority for the kind are checked before
/// any geometry or rule work, and a geometry's work is bounded.
#[test]
fn signer_and_authority_are_checked_before_any_geometry_work() {
    for backend in backends() {
        let m = Market::new(backend);
        let size = m.size();
        // An invalid comb of 100,008 positions: its geometry is never read
        // for a key nobody registered, a bad signature or a key whose role
        // may not register parcels.
        let hostile = parcel_body(&parcel(90), comb(25_001, true));
        let stranger = new_key("stranger");
        let r = m.log.submit(&stranger, "parcel.register", hostile.clone());
        assert_eq!(outcome(&r), "unknown_signer", "{backend:?}");
        let mut forged = sign(&m.collective, "parcel.register", hostile.clone());
        forged.sig[0] ^= 1;
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(forged)),
            "signature_invalid"
        );
        let r = m.log.submit(&m.seller, "parcel.register", hostile.clone());
        assert_eq!(outcome(&r), "kind_not_allowed");
        // Signed by the collective, it is refused by its size, unread.
        let r = m.log.submit(&m.collective, "parcel.register", hostile);
        assert_eq!(outcome(&r), "too_many_vertices");
        assert_eq!(m.size(), size);
        // The county's limit (20,000 positions by default) holds for a
        // valid comb one tooth too long; the comb within it is a parcel.
        let r = m.log.submit(
            &m.collective,
            "parcel.register",
            parcel_body(&parcel(90), comb(5_000, false)),
        );
        assert_eq!(outcome(&r), "too_many_vertices");
        let r = m.log.submit(
            &m.collective,
            "parcel.register",
            parcel_body(&parcel(90), comb(4_999, false)),
        );
        assert_eq!(outcome(&r), "accepted", "{backend:?}");
        let r = m.log.submit(
            &m.collective,
            "parcel.register",
            parcel_body(&parcel(91), comb(200, true)),
        );
        assert_eq!(outcome(&r), "self_intersection");
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

/// Finding 1: a full queue answers 503 with Retry-After at once, instead of
/// holding the request and the memory.
#[test]
fn a_full_queue_answers_busy_with_retry_after() {
    install_fault_hook();
    for backend in backends() {
        let m = Market::new(backend);
        let Market {
            log, collective, ..
        } = m;
        let (registry, _db, _, _) = log.into_registry();
        registry.the_writer().unwrap().limit_queue(1);
        let watch = registry.clone();
        let url = spawn_app(registry);
        let post = |env: &Envelope| match ureq::post(&format!("{url}/api/v1/entries"))
            .set("Content-Type", "application/json")
            .send_bytes(&env.to_json())
        {
            Ok(r) => (r.status(), None),
            Err(ureq::Error::Status(s, r)) => (s, r.header("Retry-After").map(str::to_owned)),
            Err(e) => panic!("{e}"),
        };
        let decision = |n: u32| {
            json!({"assembly": "members_assembly", "subject": "contracting_plan", "question": format!("第{n}号议题"),
                   "date": chrono::Utc::now().date_naive().to_string(), "eligible": 10, "present": 9, "for": 8,
                   "against": 1, "minutes_sha256": "cd".repeat(32)})
        };
        let origin = sanquan::model::log_origin(COUNTY);
        let slow = sign_with(
            &collective,
            "decision.record",
            decision(1),
            &format!("slow-{}", unique()),
            &origin,
        );
        std::thread::scope(|s| {
            let first = s.spawn(|| post(&slow));
            // Once the slow entry is in the queue (the writer holds it for
            // 800 ms), the queue is full.
            let writer = watch.the_writer().unwrap();
            while writer.queued_bytes() != slow.signing_input().len() {
                std::thread::sleep(Duration::from_millis(5));
            }
            let (status, retry) = post(&sign(&collective, "decision.record", decision(2)));
            assert_eq!((status, retry.as_deref()), (503, Some("1")), "{backend:?}");
            assert_eq!(first.join().unwrap().0, 201);
        });
        assert_eq!(
            post(&sign(&collective, "decision.record", decision(3))).0,
            201
        );
    }
}

/// Finding 2: money and areas are plain decimals within the county's
/// bounds, and an award nobody pays does not freeze the land.
#[test]
fn amounts_are_plain_decimals_and_an_unpaid_award_lets_the_land_go() {
    Market::on_each_backend(|m| {
        for bad in [
            "1e9",
            "1E3",
            "+100.00",
            "-1",
            "100.001",
            "0x10",
            "１００",
            " 100",
            "1000000000.01",
            "NaN",
        ] {
            let mut body = lease(&[&parcel(1)], "2027-01-01", "2036-12-31");
            body["reserve"] = json!(bad);
            m.refused(
                &m.seller,
                "listing.submit",
                body,
                "bad_attribute",
                "entry.body.reserve",
            );
        }
        let mut scmj = parcel_body(&parcel(92), comb(3, false));
        scmj["SCMJ"] = json!("1e3");
        m.refused(
            &m.collective,
            "parcel.register",
            scmj,
            "bad_attribute",
            "entry.body.SCMJ",
        );

        let id = m.reviewed_lease(1, "2027-01-01");
        m.bidders(id, &[(&m.outsider, OUTSIDER)]);
        m.log.clock.advance(chrono::Duration::days(20));
        m.refused(
            &m.outsider,
            "bid.place",
            json!({"listing": id, "amount": "1e9"}),
            "bad_attribute",
            "entry.body.amount",
        );
        m.ok(
            &m.outsider,
            "bid.place",
            json!({"listing": id, "amount": "10000.00"}),
        );
        m.ok(&m.exchange, "listing.award", json!({"listing": id}));
        // Paid before the county verified the title, or twice: refused (X2).
        m.refused(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "10000.00"}),
            "not_ready",
            "entry.body.listing",
        );
        // The winner never pays. Within the payment period nothing moves…
        let cancel = json!({"listing": id, "reason": "逾期未付款"});
        m.refused(
            &m.exchange,
            "award.cancel",
            cancel.clone(),
            "not_ready",
            "entry.body.listing",
        );
        m.refused(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
            "already_listed",
            "entry.body.DKBM",
        );
        // …after it, the exchange cancels the award: the deposit is
        // forfeited as announced and, with no other bidder, the listing is
        // withdrawn; the household lists its land again.
        m.log.clock.advance(chrono::Duration::days(20));
        m.ok(&m.exchange, "award.cancel", cancel);
        let l = m.listing(id);
        assert_eq!(l.status, Status::Withdrawn);
        assert!(l.award.is_none());
        assert!(l.intent(OUTSIDER).unwrap().forfeited_at.is_some());
        let again = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-06-01", "2036-12-31"),
        );

        // With a second bidder the listing goes to the next one in order.
        m.reviewed(again);
        m.bidders(again, &[(&m.outsider, OUTSIDER), (&m.neighbour, NEIGHBOUR)]);
        m.log.clock.advance(chrono::Duration::days(20));
        m.ok(
            &m.neighbour,
            "bid.place",
            json!({"listing": again, "amount": "10000.00"}),
        );
        m.ok(
            &m.outsider,
            "bid.place",
            json!({"listing": again, "amount": "10500.00"}),
        );
        m.log.clock.advance(chrono::Duration::hours(2));
        m.ok(&m.exchange, "listing.award", json!({"listing": again}));
        assert_eq!(m.listing(again).award.unwrap().party, OUTSIDER);
        m.log.clock.advance(chrono::Duration::days(20));
        m.ok(
            &m.exchange,
            "award.cancel",
            json!({"listing": again, "reason": "逾期未付款"}),
        );
        assert_eq!(m.listing(again).status, Status::Trading);
        m.ok(&m.exchange, "listing.award", json!({"listing": again}));
        assert_eq!(m.listing(again).award.unwrap().party, NEIGHBOUR);

        // M3: the household may take back its own listing before an award,
        // and no one else may.
        let own = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(2)], "2027-06-01", "2036-12-31"),
        );
        let withdraw = json!({"listing": own, "reason": "不再出租"});
        m.refused(
            &m.neighbour,
            "listing.withdraw",
            withdraw.clone(),
            "bad_attribute",
            "entry.body.listing",
        );
        m.ok(&m.seller, "listing.withdraw", withdraw.clone());
        assert_eq!(m.listing(own).status, Status::Withdrawn);
        m.refused(
            &m.seller,
            "listing.withdraw",
            withdraw,
            "wrong_stage",
            "entry.body.listing",
        );
    });
}

/// Finding 3: a key binds only a party of the type its signer may bind.
#[test]
fn the_exchange_cannot_make_itself_a_household() {
    Market::on_each_backend(|m| {
        let fake = new_key("fake");
        // The exchange binds transferees only, and a transferee is never a
        // household's or a collective's code.
        m.refused(
            &m.exchange,
            "key.register",
            register("transferee", SELLER, &fake),
            "bad_party_code",
            "entry.body.party",
        );
        m.refused(
            &m.exchange,
            "key.register",
            register("transferee", VILLAGE, &fake),
            "bad_party_code",
            "entry.body.party",
        );
        m.refused(
            &m.exchange,
            "key.register",
            register("household", SELLER, &fake),
            "party_not_allowed",
            "entry.body.party",
        );
        // A collective binds its own households and itself, nothing else.
        m.refused(
            &m.collective,
            "key.register",
            register("household", "140421001002010001", &fake),
            "party_not_allowed",
            "entry.body.party",
        );
        m.refused(
            &m.collective,
            "key.register",
            register("exchange", COUNTY, &fake),
            "party_not_allowed",
            "entry.body.party",
        );
        m.ok(
            &m.collective,
            "key.register",
            register("collective", VILLAGE, &fake),
        );
        // A household that has a key gets another only by recovery: the
        // collective binds it, the county cosigns.
        let second = new_key("second");
        m.refused(
            &m.collective,
            "key.register",
            register("household", SELLER, &second),
            "recovery_needs_county",
            "cosigs",
        );
        m.ok_cosigned(
            &m.collective,
            &m.log.county_key,
            "key.register",
            register("household", SELLER, &second),
        );
        // A natural person is a transferee by commitment; the county's review
        // must say person for a person.
        let person_code = "7".repeat(64);
        let buyer = new_key("person");
        m.ok(
            &m.exchange,
            "key.register",
            register("transferee", &person_code, &buyer),
        );
        m.refused(
            &m.log.county_key,
            "transferee.qualify",
            json!({"party": person_code, "kind": "organisation", "project_sha256": "a1".repeat(32), "risk_sha256": "b2".repeat(32), "approved": true}),
            "bad_attribute",
            "entry.body.kind",
        );
        // A transferee may not object to a listing in anyone's name.
        let id = m.reviewed_lease(1, "2027-01-01");
        m.refused(
            &m.outsider,
            "listing.object",
            json!({"listing": id, "reason": "异议", "document_sha256": "ab".repeat(32)}),
            "kind_not_allowed",
            "entry.signer",
        );
    });
}

/// Finding 4: one party's act moves another's right only with that other's
/// own signature on the log.
#[test]
fn no_one_pledges_or_passes_on_a_households_land_without_its_signature() {
    Market::on_each_backend(|m| {
        let pledge = json!({"DKBM": parcel(1), "kind": "pledge", "reason": "贷款担保", "document_sha256": "ab".repeat(32)});
        m.refused(
            &m.log.county_key,
            "encumbrance.register",
            pledge.clone(),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        m.refused(
            &m.neighbour,
            "encumbrance.register",
            pledge.clone(),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        let pledged = m.ok(&m.seller, "encumbrance.register", pledge);
        m.ok(
            &m.log.county_key,
            "encumbrance.release",
            json!({"encumbrance": pledged, "reason": "贷款还清"}),
        );

        // A lease settled to the outside company, which then passes it on.
        let id = m.reviewed_lease(1, "2027-01-01");
        m.awarded(id, &[(&m.outsider, OUTSIDER)], "10000.00", &m.seller);
        let right = m.settle(id, "10000.00");
        // Passed on once the lease has begun.
        m.log.clock.advance(chrono::Duration::days(40));
        let mut onward = lease(&[&parcel(1)], "2027-06-01", "2030-12-31");
        onward["mode"] = json!("onward");
        onward["right"] = json!(right);
        onward["consent_sha256"] = json!("ef".repeat(32));
        // A hash of a paper consent the transferee holds is not the
        // household's signature; the neighbour's is not either.
        m.refused(
            &m.outsider,
            "listing.submit",
            onward.clone(),
            "consent_missing",
            "cosigs",
        );
        let mut env = sign(&m.outsider, "listing.submit", onward.clone());
        env.cosign(&m.neighbour);
        assert_eq!(
            outcome(&m.log.writer().submit_blocking(env)),
            "consent_missing"
        );
        m.ok_cosigned(&m.outsider, &m.seller, "listing.submit", onward);
    });
}

/// Finding 5 (R2): objections come from parties with a stake, once each,
/// within a cap, and a parcel's lapses after 15 days unless the objector sued.
#[test]
fn objections_cannot_be_spammed_and_lapse_unless_the_objector_sues() {
    for backend in backends() {
        let m = Market::new(backend);
        let id = m.reviewed_lease(1, "2027-01-01");
        let object = |n: u32| json!({"listing": id, "reason": format!("异议{n}"), "document_sha256": "ab".repeat(32)});
        m.ok(&m.neighbour, "listing.object", object(1));
        m.refused(
            &m.neighbour,
            "listing.object",
            object(2),
            "objection_repeated",
            "entry.body",
        );
        // A cap of two open objections per party, to listings and parcels.
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"max_open_objections": 2}, "reason": "限制重复异议"}),
        );
        let parcel_objection = |p: u32| json!({"DKBM": parcel(p), "kind": "objection", "reason": "四至有误", "document_sha256": "cd".repeat(32)});
        // The neighbour holds parcel 3, east of parcel 2: a stake by 四至.
        let objection = m.ok(&m.neighbour, "encumbrance.register", parcel_objection(2));
        m.refused(
            &m.neighbour,
            "encumbrance.register",
            parcel_objection(3),
            "too_many_objections",
            "entry.signer",
        );
        // Parcel 1 is not beside any of the neighbour's: no stake there
        // even under the cap.
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"max_open_objections": 5}, "reason": "恢复"}),
        );
        m.refused(
            &m.neighbour,
            "encumbrance.register",
            parcel_objection(1),
            "party_not_allowed",
            "entry.body.DKBM",
        );
        // The objection holds the parcel — no certificate for the contract
        // over it — for 15 days…
        let day = |d: i64| {
            (m.log.clock.now() + chrono::Duration::days(d))
                .date_naive()
                .to_string()
        };
        let notice = m.ok(
            &m.collective,
            "notice.post",
            json!({"CBHTBM": [format!("{SELLER}J"), format!("{NEIGHBOUR}J")], "from": day(-30), "to": day(-20), "posting_sha256": "ab".repeat(32)}),
        );
        let issue = |household: &str| json!({"CBHTBM": format!("{household}J"), "notice": notice});
        m.log.clock.advance(chrono::Duration::days(10));
        m.refused(
            &m.collective,
            "certificate.issue",
            issue(SELLER),
            "objection_open",
            "entry.body.CBHTBM",
        );
        // …then lapses, since the objector did not sue; a suit recorded
        // now comes too late.
        m.log.clock.advance(chrono::Duration::days(6));
        m.refused(
            &m.log.county_key,
            "objection.suit",
            json!({"encumbrance": objection, "case_no": "(2026)晋0421民初123号", "document_sha256": "ef".repeat(32)}),
            "bad_attribute",
            "entry.body.encumbrance",
        );
        m.ok(&m.collective, "certificate.issue", issue(SELLER));
        // One the county records as sued in time holds until released.
        let sued = m.ok(&m.seller, "encumbrance.register", parcel_objection(3));
        m.ok(&m.log.county_key, "objection.suit", json!({"encumbrance": sued, "case_no": "(2026)晋0421民初124号", "document_sha256": "ef".repeat(32)}));
        m.log.clock.advance(chrono::Duration::days(30));
        m.refused(
            &m.collective,
            "certificate.issue",
            issue(NEIGHBOUR),
            "objection_open",
            "entry.body.CBHTBM",
        );
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
        // The title pages say so too, on the same day as the rules (the
        // writer's clock, which this test ran ahead).
        let Market { log, .. } = m;
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let in_force = |p: u32| -> Vec<u64> {
            let title: Value = ureq::get(&format!("{url}/api/v1/titles/{}", parcel(p)))
                .call()
                .unwrap()
                .into_json()
                .unwrap();
            title["encumbrances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["index"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(in_force(2), Vec::<u64>::new(), "{backend:?}");
        assert_eq!(in_force(3), [sued]);
    }
}

/// Finding 6: an entry's time lies within the window of the server's clock,
/// dates in bodies lie in their range, and a signed read is good once.
#[test]
fn times_dates_and_signed_reads_cannot_be_replayed() {
    for backend in backends() {
        let m = Market::new(backend);
        let origin = sanquan::model::log_origin(COUNTY);
        let body = json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": "ab".repeat(32)});
        let now = m.log.clock.now();
        for (time, want) in [
            ("0001-01-01T00:00:00Z", "time_outside_window"),
            ("9999-12-31T23:59:59Z", "time_outside_window"),
            ("2026-06-30T23:59:60Z", "bad_time"),
            (
                &*(now - chrono::Duration::minutes(11))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "time_outside_window",
            ),
            (
                &*(now + chrono::Duration::minutes(11))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "time_outside_window",
            ),
        ] {
            let got = match Envelope::sign(
                &m.collective,
                &origin,
                "hukou.settle",
                &format!("t{}", unique()),
                time,
                body.clone(),
            ) {
                Err(e) => e.code().to_owned(),
                Ok(env) => outcome(&m.log.writer().submit_blocking(env)),
            };
            assert_eq!(got, want, "{time}");
        }
        for date in [
            "0000-01-01",
            "2999-01-01",
            "1800-01-01",
            "2026-2-1",
            "2027-01-01",
        ] {
            let mut b = body.clone();
            b["date"] = json!(date);
            m.refused(
                &m.collective,
                "hukou.settle",
                b,
                "bad_attribute",
                "entry.body.date",
            );
        }
        let decision = json!({"assembly": "members_assembly", "subject": "contracting_plan", "question": "议题", "date": "2999-01-01",
                              "eligible": 10, "present": 9, "for": 8, "against": 1, "minutes_sha256": "cd".repeat(32)});
        m.refused(
            &m.collective,
            "decision.record",
            decision,
            "bad_attribute",
            "entry.body.date",
        );
        m.ok(&m.collective, "hukou.settle", body);

        let Market { log, neighbour, .. } = m;
        let county = log.county_key.clone();
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let path = format!("/api/v1/households/{SELLER}");
        let signed_by = |key: &sanquan::ledger::SignerKey| {
            sanquan::ledger::read_auth::sign_read(key, "GET", &path, chrono::Utc::now())
        };
        let read = |header: &str| match ureq::get(&format!("{url}{path}"))
            .set("Authorization", header)
            .call()
        {
            Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap()),
            Err(e) => panic!("{e}"),
        };
        let header = signed_by(&county);
        let (status, first) = read(&header);
        assert_eq!(status, 200, "{first}");
        let (status, again) = read(&header);
        assert_eq!(
            (status, again["error"]["code"].as_str()),
            (401, Some("replayed_read_authorization"))
        );
        // Finding 11: a stranger's read, and a read by a key that may not
        // see this household, are refused as such every time — never
        // remembered, so no number of them fills the table of nonces that
        // the county's reads need.
        for (key, code) in [
            (&new_key("stranger"), "unknown_signer"),
            (&neighbour, "read_not_allowed"),
        ] {
            let header = signed_by(key);
            for _ in 0..2 {
                let (_, refused) = read(&header);
                assert_eq!(refused["error"]["code"].as_str(), Some(code), "{refused}");
            }
        }
    }
}

/// Finding 7: free text is NFC, holds no control, bidirectional or invisible
/// characters, is not blank, and has a length.
#[test]
fn texts_that_read_otherwise_than_they_are_are_refused() {
    Market::on_each_backend(|m| {
        let id = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
        );
        for (reason, code, field) in [
            ("\u{202E}\u{202E}", "bad_body", "entry.body.reason"),
            ("\u{200B}", "bad_body", "entry.body.reason"),
            ("好\u{0}", "bad_body", "entry.body.reason"),
            ("e\u{301}", "bad_body", "entry.body.reason"),
            ("\u{2066}审核\u{2069}", "bad_body", "entry.body.reason"),
            ("   ", "bad_attribute", "entry.body.reason"),
        ] {
            m.refused(
                &m.exchange,
                "listing.review",
                json!({"listing": id, "approve": true, "reason": reason}),
                code,
                field,
            );
        }
        let long = "长".repeat(4001);
        m.refused(
            &m.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": long}),
            "bad_body",
            "entry.body.reason",
        );
        m.refused(
            &m.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "长".repeat(501)}),
            "bad_attribute",
            "entry.body.reason",
        );
        m.ok(
            &m.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "\u{e9}材料齐全"}),
        );
        // A person's name, kept off the log, reads one way only too.
        let hidden = crate::common::person("韩\u{202E}三", "140421199001011234", 9);
        let env = sign(
            &m.collective,
            "household.register",
            json!({"CBFBM": format!("{VILLAGE}0003"), "members": [{"person": hidden.commitment(), "relation": "02"}]}),
        );
        let r = m
            .log
            .writer()
            .submit_with_personal_blocking(env, vec![hidden]);
        assert_eq!(outcome(&r), "bad_personal_data");
    });
}

/// Finding 9: a panic in one entry's rule refuses that entry, logged, and the
/// writer goes on with the rest.
#[test]
fn the_writer_survives_a_rule_that_panics() {
    install_fault_hook();
    for backend in backends() {
        let m = Market::new(backend);
        let origin = sanquan::model::log_origin(COUNTY);
        let settle = |n: u32| json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": format!("{n:064x}")});
        let panicking = sign_with(
            &m.collective,
            "hukou.settle",
            settle(1),
            &format!("panic-{}", unique()),
            &origin,
        );
        let others: Vec<Envelope> = (2..6)
            .map(|n| sign(&m.collective, "hukou.settle", settle(n)))
            .collect();
        let mut batch = vec![panicking];
        batch.extend(others);
        let answers = m.log.writer().submit_all_blocking(batch);
        let codes: Vec<String> = answers.iter().map(outcome).collect();
        assert_eq!(
            codes,
            [
                "internal_error",
                "accepted",
                "accepted",
                "accepted",
                "accepted"
            ],
            "{backend:?}"
        );
        m.ok(&m.collective, "hukou.settle", json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": "ff".repeat(32)}));
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

/// Finding 9 on PostgreSQL: the writer's database session is killed under
/// load; the writer reconnects by itself and nothing acknowledged is lost.
#[test]
fn the_writer_recovers_when_its_postgres_session_is_killed() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let log = TestLog::new(Backend::Postgres);
    let kill = || {
        let mut conn = log.db.dedicated().unwrap();
        let DbConnection::Postgres(pg) = &mut conn else {
            unreachable!("a PostgreSQL log")
        };
        #[derive(QueryableByName)]
        struct Killed {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            killed: bool,
        }
        let killed: Vec<Killed> = diesel::sql_query(
            "SELECT pg_terminate_backend(pid) AS killed FROM pg_locks \
             WHERE locktype = 'advisory' AND granted AND database = \
             (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .load(pg)
        .unwrap();
        assert!(
            killed.iter().any(|k| k.killed),
            "the writer's session holds the county's lock"
        );
    };
    let acked: Vec<(u64, [u8; 32])> = std::thread::scope(|s| {
        let clients: Vec<_> = (0..3)
            .map(|t| {
                let log = &log;
                s.spawn(move || {
                    let mut acked = Vec::new();
                    let deadline = std::time::Instant::now() + Duration::from_secs(6);
                    let mut n = 0;
                    while std::time::Instant::now() < deadline {
                        n += 1;
                        let key = new_key("c");
                        let body = register("collective", &format!("1404210{t:02}{n:05}"), &key);
                        if let Ok(r) = log.submit(&log.county_key, "key.register", body) {
                            acked.push((r.index, r.leaf_hash));
                        }
                    }
                    acked
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        kill();
        std::thread::sleep(Duration::from_millis(1500));
        kill();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    // It answers again, by itself…
    let key = new_key("after");
    let mut recovered = false;
    for _ in 0..50 {
        if log
            .submit(
                &log.county_key,
                "key.register",
                register("collective", "14042109900001", &key),
            )
            .is_ok()
        {
            recovered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(recovered, "the writer did not recover");
    // …and every entry it acknowledged is in the log, as acknowledged.
    let mut conn = log.db.conn().unwrap();
    assert!(acked.len() > 20, "{} acknowledged", acked.len());
    for (index, hash) in &acked {
        let leaf = queries::entry_leaf(&mut conn, COUNTY, *index)
            .unwrap()
            .expect("acknowledged entry");
        assert_eq!(&sanquan::ledger::leaf_hash(&leaf), hash);
    }
    verify(&log.db, &log.log_key.verifier(), |_, _| {}).unwrap();
}

/// Finding 8: each step of a deal happens once, in its order (payment after
/// verification, once — see also the amounts test).
#[test]
fn steps_of_a_deal_happen_once_in_order() {
    Market::on_each_backend(|m| {
        let id = m.verified_deal(1);
        m.refused(
            &m.log.county_key,
            "title.verify",
            json!({"listing": id}),
            "bad_attribute",
            "entry.body.listing",
        );
        m.refused(
            &m.seller,
            "contract.sign",
            m.contract_signed(id),
            "bad_attribute",
            "entry.body.listing",
        );
        m.refused(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS-1"}),
            "not_ready",
            "entry.body.listing",
        );
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
        );
        m.refused(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
            "bad_attribute",
            "entry.body.listing",
        );
        m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS-1"}),
        );
        m.refused(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS-1"}),
            "wrong_stage",
            "entry.body.listing",
        );
        m.refused(
            &m.exchange,
            "award.cancel",
            json!({"listing": id, "reason": "x"}),
            "wrong_stage",
            "entry.body.listing",
        );
    });
}

/// Finding 2, the other way out (X2): a seizure after the county verified
/// the title keeps the deal from settling through no fault of the winner;
/// the exchange cancels the award, the price and every deposit go back and
/// nothing is forfeited, even though it was paid.
#[test]
fn a_deal_whose_title_changed_after_verification_is_cancelled_without_forfeit() {
    for backend in backends() {
        let m = Market::new(backend);
        let id = m.verified_deal(1);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
        );
        let cancel = json!({"listing": id, "reason": "地块被查封"});
        // Paid, with the title as verified: no cancelling.
        m.refused(
            &m.exchange,
            "award.cancel",
            cancel.clone(),
            "bad_attribute",
            "entry.body.listing",
        );
        let seizure = json!({"DKBM": parcel(1), "kind": "seizure", "reason": "协助执行", "document_sha256": "ab".repeat(32)});
        m.ok(&m.log.county_key, "encumbrance.register", seizure);
        m.ok(&m.exchange, "award.cancel", cancel);
        let l = m.listing(id);
        assert_eq!(l.status, Status::Withdrawn, "{backend:?}");
        assert!(l.award.is_none() && l.paid_at.is_none());
        let intent = l.intent(NEIGHBOUR).unwrap();
        assert!(intent.forfeited_at.is_none() && intent.released_at.is_some());
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
    }
}

/// M5: a party signs only the 当事人信息及签署页 the registry keeps for the
/// contract: a page of its own making (other names, another 核验码) is
/// refused before the rules — which see only its hash and let the first
/// signature fix it for both — so no party can fix a page the other never
/// read.
#[test]
fn a_party_cannot_sign_a_page_of_the_parties_of_its_own_making() {
    for backend in backends() {
        let m = Market::new(backend);
        let id = m.reviewed_lease(2, "2027-01-01");
        m.award(id, &[(&m.neighbour, NEIGHBOUR)], "12000.00");
        let kept = m.contract_signed(id);
        let body_sha = m.listing(id).award.unwrap().contract_sha256;
        let Market { log, seller, .. } = m;
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let post = |body: Value| match ureq::post(&format!("{url}/api/v1/entries"))
            .send_json(signed_json(&seller, "contract.sign", body))
        {
            Ok(r) => (r.status(), Value::Null),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()["error"].clone()),
            Err(e) => panic!("{e}"),
        };
        let forged = "ef".repeat(32);
        let (status, error) = post(json!({"listing": id, "schedule_sha256": forged,
            "contract_sha256": sanquan::model::exchange::signed_sha256(&body_sha, &forged)}));
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (
                422,
                Some("schedule_not_kept"),
                Some("entry.body.schedule_sha256")
            ),
            "{backend:?}: {error}"
        );
        assert_eq!(post(kept).0, 201, "{backend:?}");
    }
}
