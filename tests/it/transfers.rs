//! Transfers that move a base right — assignment (转让) with the 发包方's
//! consent, swap (互换), shares (S2) — and the rest of the exchange's rules:
//! objections during the notice, the county's review of transferees (M8,
//! X6), collective assets after a decision (X5), and the household's
//! cooling-off window on a surrender (G4).

use sanquan::model::rights::base_rights;
use sanquan::store::verify::verify;
use serde_json::{json, Value};

use crate::common::*;
use crate::common::{lease, parcel, Market, NEIGHBOUR, OUTSIDER, SELLER, VILLAGE};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

impl Market {
    fn contract_area(&self, household: &str) -> i64 {
        base_rights(&self.state(), household, today()).contract_area()
    }
}

fn assignment(parcels: &[&str]) -> Value {
    json!({"mode": "assignment", "DKBM": parcels, "start": "2027-01-01",
           "reserve": "80000.00", "increment": "1000.00", "deposit": "5000.00", "auction_minutes": 60})
}

#[test]
fn an_assignment_needs_a_member_and_the_collectives_consent_and_the_household_registers_it() {
    Market::on_each_backend(|m| {
        let p2 = parcel(2);
        let id = m.ok(&m.seller, "listing.submit", assignment(&[&p2]));
        // It runs to the contract's end (M2: the rest of the term).
        assert_eq!(m.listing(id).end.to_string(), "2055-12-31");
        m.reviewed(id);
        // M2: assignment within the collective only.
        m.refused(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "5000.00"}),
            "outside_collective",
            "entry.signer",
        );
        m.awarded(id, &[(&m.neighbour, NEIGHBOUR)], "80000.00", &m.seller);
        // Without the 发包方's consent the county does not verify (M2).
        m.refused(
            &m.log.county_key,
            "title.verify",
            json!({"listing": id}),
            "no_consent",
            "entry.body.listing",
        );
        m.refused(
            &m.seller,
            "assignment.consent",
            json!({"listing": id, "document_sha256": "cd".repeat(32)}),
            "kind_not_allowed",
            "entry.signer",
        );
        m.ok(
            &m.collective,
            "assignment.consent",
            json!({"listing": id, "document_sha256": "cd".repeat(32)}),
        );
        let (seller_before, neighbour_before) =
            (m.contract_area(SELLER), m.contract_area(NEIGHBOUR));
        m.settle(id, "80000.00");
        // Settlement moves no base right by itself (G2): the household does.
        assert_eq!(m.contract_area(SELLER), seller_before);
        assert!(m.state().rights.is_empty(), "no derived right");
        m.refused(
            &m.neighbour,
            "transfer.register",
            json!({"listing": id}),
            "bad_attribute",
            "entry.body.listing",
        );
        m.ok(&m.seller, "transfer.register", json!({"listing": id}));
        m.refused(
            &m.seller,
            "transfer.register",
            json!({"listing": id}),
            "bad_attribute",
            "entry.body.listing",
        );
        let state = m.state();
        let moved = state.contracts.get(&format!("{NEIGHBOUR}K")).unwrap();
        assert_eq!(moved.parcels, vec![p2.clone()]);
        assert_eq!(moved.end.to_string(), "2055-12-31");
        assert_eq!(
            state.contract_of.get(&p2).unwrap(),
            &format!("{NEIGHBOUR}K")
        );
        let area = state.parcels.get(p2.as_str()).unwrap().area.0;
        assert_eq!(m.contract_area(SELLER), seller_before - area);
        assert_eq!(m.contract_area(NEIGHBOUR), neighbour_before + area);
    });
}

#[test]
fn a_swap_is_registered_by_each_household_for_its_own_side() {
    Market::on_each_backend(|m| {
        let (p2, p3) = (parcel(2), parcel(3));
        let mut body = json!({"mode": "swap", "DKBM": [p2], "swap_for": [p3], "start": "2027-01-01",
            "reserve": "0", "increment": "100.00", "deposit": "0", "auction_minutes": 60});
        body["swap_for"] = json!([parcel(1)]);
        m.refused(
            &m.seller,
            "listing.submit",
            body.clone(),
            "bad_attribute",
            "entry.body.swap_for",
        );
        body["swap_for"] = json!([p3]);
        // G1: the other household's parcels are listed only with its own
        // signature on the listing.
        m.refused(
            &m.seller,
            "listing.submit",
            body.clone(),
            "consent_missing",
            "cosigs",
        );
        let id = m.ok_cosigned(&m.seller, &m.neighbour, "listing.submit", body);
        m.reviewed(id);
        // Only the household that holds the parcels asked for takes part.
        m.refused(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "0"}),
            "outside_collective",
            "entry.signer",
        );
        m.awarded(id, &[(&m.neighbour, NEIGHBOUR)], "0", &m.seller);
        m.settle(id, "0");
        m.ok(&m.seller, "transfer.register", json!({"listing": id}));
        m.ok(&m.neighbour, "transfer.register", json!({"listing": id}));
        let state = m.state();
        assert_eq!(
            state.contract_of.get(&p2).unwrap(),
            &format!("{NEIGHBOUR}K")
        );
        assert_eq!(state.contract_of.get(&p3).unwrap(), &format!("{SELLER}K"));
        assert_eq!(state.listings[&id].registered.len(), 2);
    });
}

#[test]
fn shares_go_to_members_only_and_pass_when_the_household_registers_them() {
    Market::on_each_backend(|m| {
        let decision = m.ok(
            &m.collective,
            "decision.record",
            json!({"assembly": "members_assembly", "subject": "share_quantification", "question": "份额量化",
                   "date": "2026-10-15", "eligible": 3, "present": 3, "for": 3, "against": 0, "minutes_sha256": "5a".repeat(32)}),
        );
        m.ok(
            &m.collective,
            "shares.quantify",
            json!({"decision": decision, "allocations": [{"CBFBM": SELLER, "shares": 10}, {"CBFBM": NEIGHBOUR, "shares": 10}]}),
        );
        let shares = |n: u64| {
            json!({"mode": "shares", "shares": n, "start": "2027-01-01",
                   "reserve": "3000.00", "increment": "100.00", "deposit": "300.00", "auction_minutes": 60})
        };
        m.refused(
            &m.seller,
            "listing.submit",
            shares(11),
            "not_enough_shares",
            "entry.body.shares",
        );
        let id = m.ok(&m.seller, "listing.submit", shares(4));
        m.refused(
            &m.seller,
            "listing.submit",
            shares(1),
            "already_listed",
            "entry.body.DKBM",
        );
        m.reviewed(id);
        // S2: never to a non-member.
        m.refused(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "300.00"}),
            "shares_to_non_member",
            "entry.body.to",
        );
        m.awarded(id, &[(&m.neighbour, NEIGHBOUR)], "3000.00", &m.seller);
        m.settle(id, "3000.00");
        assert_eq!(
            m.state().holdings[SELLER],
            10,
            "settlement moves nothing (G2)"
        );
        // The cap per holder (3 % by default) holds at registration too.
        m.refused(
            &m.seller,
            "transfer.register",
            json!({"listing": id}),
            "over_share_cap",
            "entry.body.shares",
        );
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"share_cap_percent": null}, "reason": "本村章程不设上限"}),
        );
        m.ok(&m.seller, "transfer.register", json!({"listing": id}));
        let state = m.state();
        assert_eq!((state.holdings[SELLER], state.holdings[NEIGHBOUR]), (6, 14));
    });
}

#[test]
fn an_objection_holds_the_trading_until_the_exchange_answers_it() {
    Market::on_each_backend(|m| {
        let id = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
        );
        m.reviewed(id);
        let objection = m.ok(
            &m.neighbour,
            "listing.object",
            json!({"listing": id, "reason": "四至有误", "document_sha256": "ef".repeat(32)}),
        );
        m.ok(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "1000.00"}),
        );
        m.ok(
            &m.exchange,
            "deposit.confirm",
            json!({"listing": id, "party": OUTSIDER}),
        );
        m.log.clock.advance(chrono::Duration::days(20));
        // After the notice no new objection is taken.
        m.refused(
            &m.neighbour,
            "listing.object",
            json!({"listing": id, "reason": "迟到", "document_sha256": "ef".repeat(32)}),
            "wrong_stage",
            "entry.body.listing",
        );
        m.refused(
            &m.outsider,
            "bid.place",
            json!({"listing": id, "amount": "10000.00"}),
            "objection_pending",
            "entry.body.listing",
        );
        m.ok(
            &m.exchange,
            "objection.resolve",
            json!({"listing": id, "objection": objection, "upheld": false, "reason": "经核实四至无误"}),
        );
        m.ok(
            &m.outsider,
            "bid.place",
            json!({"listing": id, "amount": "10000.00"}),
        );

        // An objection upheld withdraws the listing and returns the deposits.
        let other = m.ok(
            &m.neighbour,
            "listing.submit",
            lease(&[&parcel(3)], "2027-01-01", "2036-12-31"),
        );
        m.reviewed(other);
        let objection = m.ok(
            &m.collective,
            "listing.object",
            json!({"listing": other, "reason": "地块已调整", "document_sha256": "ef".repeat(32)}),
        );
        m.ok(
            &m.exchange,
            "objection.resolve",
            json!({"listing": other, "objection": objection, "upheld": true, "reason": "异议成立"}),
        );
        assert_eq!(m.listing(other).status.as_str(), "rejected");
        // The parcel may be listed again.
        m.ok(
            &m.neighbour,
            "listing.submit",
            lease(&[&parcel(3)], "2027-01-01", "2036-12-31"),
        );
    });
}

#[test]
fn transferees_need_the_countys_review_and_persons_the_age_limits() {
    Market::on_each_backend(|m| {
        let (company, elder) = (new_key("company"), new_key("elder"));
        // A natural person is named by the commitment to their record.
        let (company_code, elder_code) = (
            "91350100M000200Y4T",
            "5e1f0c7d9a3b2f4e6d8c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e",
        );
        m.ok(
            &m.exchange,
            "key.register",
            register("transferee", company_code, &company),
        );
        m.ok(
            &m.exchange,
            "key.register",
            register("transferee", elder_code, &elder),
        );
        let id = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
        );
        m.reviewed(id);
        let intent = json!({"listing": id, "deposit": "1000.00"});
        // M8: no review yet.
        m.refused(
            &company,
            "intent.register",
            intent.clone(),
            "transferee_not_qualified",
            "entry.signer",
        );
        m.refused(
            &m.log.county_key,
            "transferee.qualify",
            json!({"party": company_code, "kind": "organisation", "approved": true}),
            "bad_attribute",
            "entry.body.project_sha256",
        );
        m.ok(
            &m.log.county_key,
            "transferee.qualify",
            json!({"party": company_code, "kind": "organisation", "project_sha256": "a1".repeat(32),
                   "risk_sha256": "b2".repeat(32), "approved": true}),
        );
        m.ok(&company, "intent.register", intent.clone());
        // X6: a person outside the county's ages (default 18–70).
        m.ok(
            &m.log.county_key,
            "transferee.qualify",
            json!({"party": elder_code, "kind": "person", "born": "1940-05", "approved": true}),
        );
        m.refused(
            &elder,
            "intent.register",
            intent.clone(),
            "transferee_not_qualified",
            "entry.signer",
        );
        m.ok(
            &m.log.county_key,
            "county.settings",
            json!({"settings": {"transferee_max_age": 90}, "reason": "本县放宽年龄上限"}),
        );
        m.ok(&elder, "intent.register", intent);
    });
}

#[test]
fn a_collective_lets_an_operating_asset_only_after_its_members_decide() {
    Market::on_each_backend(|m| {
        let body = |decision: u64| {
            json!({"mode": "asset_lease", "asset": "村集体厂房一栋，建筑面积 1200 m²", "decision": decision,
                   "start": "2027-01-01", "end": "2031-12-31",
                   "reserve": "60000.00", "increment": "1000.00", "deposit": "5000.00", "auction_minutes": 60})
        };
        let vote = |subject: &str, yes: u32| {
            json!({"assembly": "members_assembly", "subject": subject, "question": "出租厂房",
                   "date": "2026-10-15", "eligible": 30, "present": 28, "for": yes, "against": 28 - yes, "minutes_sha256": "5a".repeat(32)})
        };
        let failed = m.ok(
            &m.collective,
            "decision.record",
            vote("operating_assets", 12),
        );
        m.refused(
            &m.collective,
            "listing.submit",
            body(failed),
            "decision_not_passed",
            "entry.body.decision",
        );
        m.refused(
            &m.seller,
            "listing.submit",
            body(failed),
            "bad_attribute",
            "entry.body.mode",
        );
        let passed = m.ok(
            &m.collective,
            "decision.record",
            vote("operating_assets", 25),
        );
        let id = m.ok(&m.collective, "listing.submit", body(passed));
        m.reviewed(id);
        m.awarded(id, &[(&m.outsider, OUTSIDER)], "60000.00", &m.collective);
        m.settle(id, "60000.00");
        let right = m.state().rights.values().next().cloned().unwrap();
        assert_eq!(
            (right.holder.as_str(), right.household.as_str()),
            (OUTSIDER, VILLAGE)
        );
        assert!(right.registered, "five years: a registered right (M6)");
    });
}

#[test]
fn a_household_may_withdraw_its_surrender_within_the_cooling_off_window() {
    for backend in backends() {
        let m = Market::new(backend);
        let code = format!("{SELLER}J");
        let before = base_rights(&m.state(), SELLER, today());
        let ret =
            |comp: &str| json!({"CBHTBM": code, "effective": "2027-12-31", "compensation": comp});
        // G4: a surrender states compensation above zero.
        m.refused(
            &m.seller,
            "contract.return",
            ret("0"),
            "bad_attribute",
            "entry.body.compensation",
        );
        let first = m.ok(&m.seller, "contract.return", ret("30000.00"));
        m.log.clock.advance(chrono::Duration::days(10));
        m.refused(
            &m.neighbour,
            "surrender.withdraw",
            json!({"surrender": first, "reason": "改变主意"}),
            "bad_attribute",
            "entry.body.surrender",
        );
        m.ok(
            &m.seller,
            "surrender.withdraw",
            json!({"surrender": first, "reason": "改变主意"}),
        );
        let state = m.state();
        assert!(state.contracts[&code].returned.is_none());
        assert_eq!(base_rights(&state, SELLER, today()), before);
        // Past the window (30 days by default) the surrender stands.
        let second = m.ok(&m.seller, "contract.return", ret("30000.00"));
        m.log.clock.advance(chrono::Duration::days(31));
        m.refused(
            &m.seller,
            "surrender.withdraw",
            json!({"surrender": second, "reason": "太晚"}),
            "cooling_off_over",
            "entry.body.surrender",
        );
        assert!(m.state().contracts[&code].returned.is_some());
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();
        // The household's page shows what it gave up and its window.
        let Market { log, .. } = m;
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let h: Value = ureq::get(&format!("{url}/api/v1/households/{SELLER}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        let surrenders = h["surrenders"].as_array().unwrap();
        assert_eq!(surrenders.len(), 2);
        assert_eq!(surrenders[0]["index"], first);
        assert!(surrenders[0]["withdrawn_at"].is_u64());
        assert_eq!(surrenders[1]["index"], second);
        assert!(surrenders[1]["withdrawn_at"].is_null());
        assert_eq!(surrenders[1]["kind"], "contract.return");
    }
}

#[test]
fn the_last_transferee_may_renew_on_equal_terms_and_late_bids_extend_the_auction() {
    Market::on_each_backend(|m| {
        let p1 = parcel(1);
        let first = m.ok(
            &m.seller,
            "listing.submit",
            lease(&[&p1], "2027-01-01", "2027-12-31"),
        );
        m.reviewed(first);
        m.awarded(first, &[(&m.outsider, OUTSIDER)], "10000.00", &m.seller);
        m.settle(first, "10000.00");
        // A year later the lease has ended at its term; the household lists
        // the land again.
        m.log.clock.advance(chrono::Duration::days(400));
        let mut again = lease(&[&p1], "2028-06-01", "2032-12-31");
        again["auction_minutes"] = json!(10);
        let id = m.ok(&m.seller, "listing.submit", again);
        m.reviewed(id);
        m.bidders(id, &[(&m.neighbour, NEIGHBOUR), (&m.outsider, OUTSIDER)]);
        m.log.clock.advance(chrono::Duration::days(20));
        m.ok(
            &m.neighbour,
            "bid.place",
            json!({"listing": id, "amount": "11000.00"}),
        );
        let opened = m.listing(id).deadline.unwrap();
        // X4: a bid in the last minutes pushes the deadline back.
        m.log.clock.advance(chrono::Duration::minutes(8));
        m.ok(
            &m.neighbour,
            "bid.place",
            json!({"listing": id, "amount": "11500.00"}),
        );
        let extended = m.listing(id).deadline.unwrap();
        assert!(extended > opened, "{opened} → {extended}");
        assert!(extended - opened >= chrono::Duration::minutes(2));
        // M9: the last transferee takes the best bid to renew…
        m.ok(&m.outsider, "bid.match", json!({"listing": id}));
        // …and the first priority claimed stands.
        m.refused(
            &m.neighbour,
            "bid.match",
            json!({"listing": id}),
            "nothing_to_match",
            "entry.body.listing",
        );
        m.log.clock.advance(chrono::Duration::minutes(30));
        m.ok(&m.exchange, "listing.award", json!({"listing": id}));
        let award = m.listing(id).award.unwrap();
        assert_eq!(
            (award.party.as_str(), award.price),
            (OUTSIDER, sanquan::model::Fen(1_150_000))
        );
    });
}

#[test]
fn a_large_deal_is_flagged_for_county_level_publication() {
    Market::on_each_backend(|m| {
        let mut big = lease(&[&parcel(1)], "2027-01-01", "2036-12-31");
        big["reserve"] = json!("300000.00");
        let id = m.ok(&m.seller, "listing.submit", big);
        assert!(m.listing(id).county_level, "X3: at the threshold");
        let small = m.ok(
            &m.neighbour,
            "listing.submit",
            lease(&[&parcel(3)], "2027-01-01", "2036-12-31"),
        );
        assert!(!m.listing(small).county_level);
    });
}

#[test]
fn an_exited_homestead_stays_the_households_to_take_back_until_the_window_closes() {
    Market::on_each_backend(|m| {
        let county = m.log.county_key.clone();
        let plot = json!({"type": "Polygon", "coordinates": [[[113.005, 36.005], [113.00511, 36.005],
            [113.00511, 36.0051], [113.005, 36.0051], [113.005, 36.005]]]});
        let grant = |household: &str| json!({"CBFBM": household, "terrain": "plain", "posting_sha256": "ef".repeat(32), "geometry": plot});
        m.ok(&county, "homestead.grant", grant(SELLER));
        let exit = m.ok(
            &m.seller,
            "homestead.exit",
            json!({"compensation": "50000.00"}),
        );
        // G4: within the window the land is not granted to another.
        m.refused(
            &county,
            "homestead.grant",
            grant(NEIGHBOUR),
            "homestead_in_cooling_off",
            "entry.body.geometry",
        );
        // H2: a household that gave its homestead up gets no new one.
        m.refused(
            &county,
            "homestead.grant",
            grant(SELLER),
            "house_given_up",
            "entry.body.CBFBM",
        );
        m.ok(
            &m.seller,
            "surrender.withdraw",
            json!({"surrender": exit, "reason": "家人反对"}),
        );
        assert!(m.state().homesteads[SELLER].exited.is_none());
        assert!(base_rights(&m.state(), SELLER, today()).homestead.is_some());
        // Taken back, the land is the household's again in the registry.
        m.refused(
            &county,
            "homestead.grant",
            grant(NEIGHBOUR),
            "parcel_overlap",
            "entry.body.geometry",
        );
        // Given up again and the window passed: the land goes to another
        // household's needs (H5).
        m.ok(
            &m.seller,
            "homestead.exit",
            json!({"compensation": "50000.00"}),
        );
        m.log.clock.advance(chrono::Duration::days(31));
        m.ok(&county, "homestead.grant", grant(NEIGHBOUR));
    });
}

#[test]
fn a_homestead_passes_only_to_a_member_without_one_and_encumbered_land_is_not_listed() {
    Market::on_each_backend(|m| {
        let county = m.log.county_key.clone();
        let plot = |lon: f64| {
            json!({"type": "Polygon", "coordinates": [[[lon, 36.005], [lon + 0.00011, 36.005],
                [lon + 0.00011, 36.0051], [lon, 36.0051], [lon, 36.005]]]})
        };
        let grant = |household: &str, lon: f64| json!({"CBFBM": household, "terrain": "plain", "posting_sha256": "ef".repeat(32), "geometry": plot(lon)});
        m.ok(&county, "homestead.grant", grant(SELLER, 113.005));
        let sale = json!({"mode": "homestead", "start": "2027-01-01", "reserve": "200000.00",
                          "increment": "1000.00", "deposit": "10000.00", "auction_minutes": 60});
        m.refused(
            &m.neighbour,
            "listing.submit",
            sale.clone(),
            "no_homestead",
            "entry.signer",
        );
        let id = m.ok(&m.seller, "listing.submit", sale);
        m.reviewed(id);
        // H3: never to a non-member.
        m.refused(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "10000.00"}),
            "outside_collective",
            "entry.signer",
        );
        m.awarded(id, &[(&m.neighbour, NEIGHBOUR)], "200000.00", &m.seller);
        m.settle(id, "200000.00");
        // H1: the buyer was granted a homestead meanwhile; it may not hold two.
        m.ok(&county, "homestead.grant", grant(NEIGHBOUR, 113.006));
        m.refused(
            &m.seller,
            "transfer.register",
            json!({"listing": id}),
            "second_homestead",
            "entry.body.CBFBM",
        );
        m.ok(
            &m.neighbour,
            "homestead.exit",
            json!({"compensation": "30000.00"}),
        );
        // While the buyer may still take its own back, it holds it (G4, H1).
        m.refused(
            &m.seller,
            "transfer.register",
            json!({"listing": id}),
            "second_homestead",
            "entry.body.CBFBM",
        );
        m.log.clock.advance(chrono::Duration::days(31));
        m.ok(&m.seller, "transfer.register", json!({"listing": id}));
        let state = m.state();
        assert!(base_rights(&state, SELLER, today()).homestead.is_none());
        assert!(base_rights(&state, NEIGHBOUR, today()).homestead.is_some());
        // H2: having sold its house, the household gets no new homestead.
        m.refused(
            &county,
            "homestead.grant",
            grant(SELLER, 113.007),
            "house_given_up",
            "entry.body.CBFBM",
        );
        // A seized parcel is not listed.
        m.ok(
            &county,
            "encumbrance.register",
            json!({"DKBM": parcel(1), "kind": "seizure", "reason": "协助执行", "document_sha256": "ab".repeat(32)}),
        );
        m.refused(
            &m.seller,
            "listing.submit",
            lease(&[&parcel(1)], "2027-06-01", "2036-12-31"),
            "parcel_encumbered",
            "entry.body.DKBM",
        );
    });
}

#[test]
fn a_collective_lets_its_own_land_only_after_a_decision_to_let_it_d2() {
    Market::on_each_backend(|m| {
        let g = json!({"type": "Polygon", "coordinates": [[[113.005, 36.001], [113.0055, 36.001],
            [113.0055, 36.0015], [113.005, 36.0015], [113.005, 36.001]]]});
        m.ok(
            &m.collective,
            "parcel.register",
            json!({"DKBM": parcel(4), "DKMC": "机动地", "DKLB": "22", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2", "geometry": g}),
        );
        let vote = |subject: &str| {
            json!({"assembly": "villagers_assembly", "subject": subject, "question": "出租机动地",
                   "date": "2026-10-15", "eligible": 30, "present": 28, "for": 25, "against": 3, "minutes_sha256": "5a".repeat(32)})
        };
        let body = |decision: u64, land: &str| {
            json!({"mode": "asset_lease", "asset": "村集体机动地", "decision": decision, "DKBM": [land],
                   "start": "2027-01-01", "end": "2031-12-31", "TDYT": "1",
                   "reserve": "20000.00", "increment": "500.00", "deposit": "2000.00", "auction_minutes": 60})
        };
        // X5's decision on operating assets does not let land to outsiders.
        let assets = m.ok(&m.collective, "decision.record", vote("operating_assets"));
        m.refused(
            &m.collective,
            "listing.submit",
            body(assets, &parcel(4)),
            "decision_not_passed",
            "entry.body.decision",
        );
        let letting = m.ok(
            &m.collective,
            "decision.record",
            vote("letting_to_outsiders"),
        );
        // Land a household contracts is the household's to list, not the
        // collective's (C4, M9).
        m.refused(
            &m.collective,
            "listing.submit",
            body(letting, &parcel(1)),
            "not_of_household",
            "entry.body.DKBM",
        );
        let id = m.ok(&m.collective, "listing.submit", body(letting, &parcel(4)));
        assert_eq!(m.listing(id).parcels, vec![parcel(4)]);
    });
}
