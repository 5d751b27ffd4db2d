//! E1, E2 — expropriation: the only way a base right ends without the
//! household's act, and only at the end of the county's recorded sequence.
//! Until then the household holds its land; at the end its contract, the
//! transferee's lease and an open listing on the land all end, with every
//! party paid. Both backends.

use serde_json::{json, Value};

use crate::common::*;
use crate::common::{parcel, Market, NEIGHBOUR, OUTSIDER, SELLER, VILLAGE};

/// A plan posted from `from` for `days` days, a hearing asked for.
fn plan(x: u64, from: chrono::NaiveDate, days: i64, lines: Value) -> Value {
    let to = from + chrono::Duration::days(days - 1);
    json!({"expropriation": x, "survey_sha256": "c3".repeat(32), "plan_sha256": "d4".repeat(32),
           "notice_from": from.to_string(), "notice_to": to.to_string(), "hearing_requested": true,
           "compensation": lines})
}

fn pay(x: u64, party: &str, amount: &str) -> Value {
    json!({"expropriation": x, "party": party, "amount": amount, "document_sha256": "e5".repeat(32)})
}

fn holder(m: &Market, n: u32) -> Option<String> {
    m.registry().title(&parcel(n)).unwrap().holder
}

#[test]
fn expropriation_ends_rights_only_once_every_party_is_paid() {
    for backend in backends() {
        // The neighbour leases parcel 1 from the seller; parcel 2 is listed
        // with the outsider's deposit paid in.
        let m = Market::new(backend);
        let county = m.log.county_key.clone();
        let lease = m.verified_deal(1);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": lease, "amount": "12000.00"}),
        );
        let settled = m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": lease, "certificate_no": "JZ-1"}),
        );
        let listed = m.reviewed_lease(2, "2027-06-01");
        m.bidders(listed, &[(&m.outsider, OUTSIDER)]);

        let announce = json!({"DKBM": [parcel(1), parcel(2)], "purpose": "县道拓宽",
                              "document_sha256": "b2".repeat(32)});
        let x = m.ok(&county, "expropriation.announce", announce.clone());
        m.refused(
            &county,
            "expropriation.announce",
            announce,
            "bad_attribute",
            "entry.body.DKBM",
        );
        m.refused(
            &county,
            "expropriation.announce",
            json!({"DKBM": [parcel(9)], "purpose": "p", "document_sha256": "b2".repeat(32)}),
            "unknown_parcel",
            "entry.body.DKBM",
        );
        // Only the county records an expropriation.
        m.refused(
            &m.collective,
            "expropriation.announce",
            json!({"DKBM": [parcel(3)], "purpose": "p", "document_sha256": "b2".repeat(32)}),
            "kind_not_allowed",
            "entry.signer",
        );

        // The plan: a notice of 30 days or more, every party that loses a
        // right on the land compensated, and no one else.
        let full = json!([
            {"party": VILLAGE, "head": "land", "amount": "50000.00"},
            {"party": SELLER, "head": "resettlement", "amount": "30000.00"},
            {"party": SELLER, "head": "social_security", "amount": "5000.00"},
            {"party": NEIGHBOUR, "head": "attachments", "amount": "2000.00"}]);
        let kind = "expropriation.plan";
        let today = m.log.clock.now().date_naive();
        m.refused(
            &county,
            kind,
            plan(x, today, 29, full.clone()),
            "bad_attribute",
            "entry.body.notice_to",
        );
        let mut without_lessee = full.clone();
        without_lessee.as_array_mut().unwrap().pop();
        m.refused(
            &county,
            kind,
            plan(x, today, 30, without_lessee),
            "compensation_missing",
            "entry.body.compensation",
        );
        let mut stranger = full.clone();
        stranger
            .as_array_mut()
            .unwrap()
            .push(json!({"party": OUTSIDER, "head": "attachments", "amount": "1.00"}));
        m.refused(
            &county,
            kind,
            plan(x, today, 30, stranger),
            "bad_attribute",
            "entry.body.compensation",
        );
        m.ok(&county, kind, plan(x, today, 30, full));

        // Each step is refused until its time; the household holds its land
        // all along (G1).
        let complete = json!({"expropriation": x});
        let not_ready = |why: &str| {
            m.refused(
                &county,
                "expropriation.complete",
                complete.clone(),
                "expropriation_not_ready",
                "entry.body.expropriation",
            );
            assert_eq!(holder(&m, 1).as_deref(), Some(SELLER), "{why}");
        };
        not_ready("during the notice");
        m.log.clock.advance(chrono::Duration::days(40));
        not_ready("before the hearing asked for");
        m.ok(
            &county,
            "expropriation.hearing",
            json!({"expropriation": x, "document_sha256": "f6".repeat(32)}),
        );
        not_ready("before anyone is paid");
        m.refused(
            &county,
            "expropriation.pay",
            pay(x, SELLER, "35000.01"),
            "bad_attribute",
            "entry.body.amount",
        );
        m.ok(&county, "expropriation.pay", pay(x, SELLER, "20000.00"));
        m.ok(&county, "expropriation.pay", pay(x, VILLAGE, "50000.00"));
        m.ok(&county, "expropriation.pay", pay(x, NEIGHBOUR, "2000.00"));
        not_ready("with 15,000 yuan still owed to the household");
        let owed = m.registry().expropriation(x).unwrap().owed;
        assert_eq!(owed.len(), 1);
        assert_eq!(
            (owed[0].party.as_str(), owed[0].amount.as_str()),
            (SELLER, "15000.00")
        );
        m.ok(&county, "expropriation.pay", pay(x, SELLER, "15000.00"));
        m.refused(
            &county,
            "expropriation.pay",
            pay(x, SELLER, "1.00"),
            "bad_attribute",
            "entry.body.party",
        );

        // Paid in full: the rights on the land end, and only now.
        let done = m.ok(&county, "expropriation.complete", complete.clone());
        let state = m.state();
        assert!(state.contracts[&format!("{SELLER}J")].parcels.is_empty());
        assert_eq!(
            state.rights[&settled].ended,
            Some((done, "expropriated".into())),
            "E2: the lease ends with the land"
        );
        let l = &state.listings[&listed];
        assert_eq!(l.status.as_str(), "withdrawn");
        assert!(l.intents.iter().all(|i| i.released_at == Some(done)));
        assert!([1, 2]
            .iter()
            .all(|n| state.parcels[parcel(*n).as_str()].retired_at == Some(done)));
        // The neighbour's own land was not named and is untouched.
        assert_eq!(
            state
                .contract_over(&parcel(3), today)
                .map(|k| k.household.as_str()),
            Some(NEIGHBOUR)
        );

        let title = m.registry().title(&parcel(1)).unwrap();
        assert_eq!(title.holder, None);
        let shown = title
            .expropriation
            .expect("the title shows the expropriation");
        assert_eq!((shown.stage, shown.completed), ("completed", Some(done)));
        assert!(shown.owed.is_empty() && shown.payments.len() == 4);
        let events: Vec<&str> = title.history.iter().map(|h| h.event).collect();
        assert!(
            events.ends_with(&["expropriation.pay", "expropriation.complete"]),
            "{events:?}"
        );
        assert!(!events.contains(&"parcel.retire"));
        assert_eq!(
            title.derived_rights.len(),
            1,
            "the lease stays on the title, ended"
        );

        m.refused(
            &county,
            "expropriation.complete",
            complete,
            "bad_attribute",
            "entry.body.expropriation",
        );
        m.refused(
            &county,
            "expropriation.pay",
            pay(x + 1, SELLER, "1.00"),
            "unknown_expropriation",
            "entry.body.expropriation",
        );
        // An expropriation the state will not finish is withdrawn; its land
        // is as before and may be announced again.
        let road =
            json!({"DKBM": [parcel(3)], "purpose": "乡道", "document_sha256": "b2".repeat(32)});
        let y = m.ok(&county, "expropriation.announce", road.clone());
        let withdraw = json!({"expropriation": y, "reason": "规划调整"});
        m.refused(
            &m.collective,
            "expropriation.withdraw",
            withdraw.clone(),
            "kind_not_allowed",
            "entry.signer",
        );
        m.ok(&county, "expropriation.withdraw", withdraw.clone());
        m.refused(
            &county,
            "expropriation.withdraw",
            withdraw,
            "bad_attribute",
            "entry.body.expropriation",
        );
        assert_eq!(m.registry().expropriation(y).unwrap().stage, "withdrawn");
        assert_eq!(holder(&m, 3).as_deref(), Some(NEIGHBOUR));
        m.ok(&county, "expropriation.announce", road);
        m.verifies();
    }
}
