//! The exchange: a deal from listing to settlement, every step a signed entry,
//! every refusal with its code and nothing written by it; and the guarantee —
//! the household's base rights are the same after the deal, and after a
//! member settles in a town.

use base64::Engine;
use sanquan::model::rights::base_rights;
use sanquan::store::verify::verify;
use serde_json::{json, Value};

use crate::common::*;

#[test]
fn a_lease_goes_from_listing_to_settlement_and_the_household_keeps_its_rights() {
    Market::on_each_backend(lease_to_settlement);
}

/// A lease from listing to settlement, every refusal on the way checked, and
/// the household keeping its rights (also run on Citus, `citus.rs`).
pub fn lease_to_settlement(m: &mut Market) {
    let today = chrono::Utc::now().date_naive();
    let before = base_rights(&m.state(), SELLER, today);
    let p1 = parcel(1);

    // The listing: the household's own land, within its contract's term,
    // in agricultural use (M3, M9, X1).
    m.refused(
        &m.seller,
        "listing.submit",
        lease(&[&p1], "2027-01-01", "2060-12-31"),
        "term_beyond_contract",
        "entry.body.end",
    );
    let mut building = lease(&[&p1], "2027-01-01", "2036-12-31");
    building["TDYT"] = json!("5");
    m.refused(
        &m.seller,
        "listing.submit",
        building,
        "non_agricultural_use",
        "entry.body.TDYT",
    );
    m.refused(
        &m.seller,
        "listing.submit",
        lease(&[&parcel(3)], "2027-01-01", "2036-12-31"),
        "not_of_household",
        "entry.body.DKBM",
    );
    // A collective lets its own assets, never a household's land (M9).
    m.refused(
        &m.collective,
        "listing.submit",
        lease(&[&p1], "2027-01-01", "2036-12-31"),
        "bad_attribute",
        "entry.body.mode",
    );
    // A surrender is never something to list.
    let mut surrender = lease(&[&p1], "2027-01-01", "2036-12-31");
    surrender["mode"] = json!("surrender");
    m.refused(
        &m.seller,
        "listing.submit",
        surrender,
        "bad_body",
        "entry.body.mode",
    );
    let id = m.ok(
        &m.seller,
        "listing.submit",
        lease(&[&p1], "2027-01-01", "2036-12-31"),
    );
    m.refused(
        &m.seller,
        "listing.submit",
        lease(&[&p1], "2027-01-01", "2030-12-31"),
        "already_listed",
        "entry.body.DKBM",
    );

    // Review, then notice for ten working days (X3).
    let review = json!({"listing": id, "approve": true, "reason": "材料齐全"});
    m.refused(
        &m.seller,
        "listing.review",
        review.clone(),
        "kind_not_allowed",
        "entry.signer",
    );
    m.ok(&m.exchange, "listing.review", review);
    let l = m.listing(id);
    let (from, to) = (l.notice_from.unwrap(), l.notice_to.unwrap());
    assert!(from > today && (to - from).num_days() >= 11, "{from}..{to}");
    m.refused(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "20000.00"}),
        "wrong_stage",
        "entry.body.listing",
    );
    m.refused(
        &m.outsider,
        "intent.register",
        json!({"listing": id, "deposit": "10.00"}),
        "bad_attribute",
        "entry.body.deposit",
    );
    m.ok(
        &m.outsider,
        "intent.register",
        json!({"listing": id, "deposit": "1000.00"}),
    );
    m.ok(
        &m.neighbour,
        "intent.register",
        json!({"listing": id, "deposit": "1000.00"}),
    );
    m.log.clock.advance(chrono::Duration::days(20));

    // A bid needs a confirmed deposit; two bidders make an auction with
    // its increment (X4).
    m.refused(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "20000.00"}),
        "no_deposit",
        "entry.signer",
    );
    m.ok(
        &m.exchange,
        "deposit.confirm",
        json!({"listing": id, "party": OUTSIDER}),
    );
    m.ok(
        &m.exchange,
        "deposit.confirm",
        json!({"listing": id, "party": NEIGHBOUR}),
    );
    m.refused(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "9999.99"}),
        "bid_too_low",
        "entry.body.amount",
    );
    m.ok(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "15000.00"}),
    );
    m.refused(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "15050.00"}),
        "bid_too_low",
        "entry.body.amount",
    );
    // Only a member may match, and only an outsider's bid (M3); the
    // outsider held no earlier lease here to renew (M9).
    m.refused(
        &m.outsider,
        "bid.match",
        json!({"listing": id}),
        "nothing_to_match",
        "entry.body.listing",
    );
    m.refused(
        &m.seller,
        "bid.match",
        json!({"listing": id}),
        "no_deposit",
        "entry.signer",
    );
    // M3: the member matches the outsider's best bid and wins on equal terms.
    m.ok(&m.neighbour, "bid.match", json!({"listing": id}));
    m.refused(
        &m.exchange,
        "listing.award",
        json!({"listing": id}),
        "not_ready",
        "entry.body.listing",
    );
    m.log.clock.advance(chrono::Duration::hours(2));
    m.refused(
        &m.outsider,
        "bid.place",
        json!({"listing": id, "amount": "16000.00"}),
        "auction_closed",
        "entry.body.amount",
    );
    m.ok(&m.exchange, "listing.award", json!({"listing": id}));
    let award = m.listing(id).award.unwrap();
    assert_eq!(
        (award.party.as_str(), award.price),
        (NEIGHBOUR, sanquan::model::Fen(1_500_000))
    );
    // P1: the transfer contract's code is the collective's code and the
    // next of its 4-digit sequence — the village's first award here.
    assert_eq!(
        award.written.as_ref().map(|w| w.contract_no.as_str()),
        Some(format!("{VILLAGE}0001").as_str())
    );
    assert_eq!(m.listing(id).contract_no, Some(format!("{VILLAGE}0001")));

    // The contract both sign is the one rendered for the award (M5):
    // its 正文 and the 当事人信息及签署页 the registry keeps.
    let sign = m.contract_signed(id);
    let schedule = sign["schedule_sha256"].as_str().unwrap().to_owned();
    m.refused(
        &m.seller,
        "contract.sign",
        json!({"listing": id, "contract_sha256": "ab".repeat(32), "schedule_sha256": schedule}),
        "contract_mismatch",
        "entry.body.contract_sha256",
    );
    m.refused(
        &m.seller,
        "contract.sign",
        json!({"listing": id, "contract_sha256": sign["contract_sha256"]}),
        "bad_attribute",
        "entry.body.schedule_sha256",
    );
    assert_eq!(
        sign["contract_sha256"],
        sanquan::model::exchange::signed_sha256(&award.contract_sha256, &schedule)
    );
    m.ok(&m.seller, "contract.sign", sign.clone());
    // The other party signs the same page of the parties, or nothing.
    let other = "ef".repeat(32);
    m.refused(
            &m.neighbour,
            "contract.sign",
            json!({"listing": id, "schedule_sha256": other,
                   "contract_sha256": sanquan::model::exchange::signed_sha256(&award.contract_sha256, &other)}),
            "contract_mismatch",
            "entry.body.contract_sha256",
        );
    m.refused(
        &m.exchange,
        "deal.settle",
        json!({"listing": id, "certificate_no": "PS2026-001"}),
        "not_ready",
        "entry.body.listing",
    );
    m.refused(
        &m.log.county_key,
        "title.verify",
        json!({"listing": id}),
        "not_ready",
        "entry.body.listing",
    );
    m.ok(&m.neighbour, "contract.sign", sign);
    m.ok(&m.log.county_key, "title.verify", json!({"listing": id}));
    m.refused(
        &m.exchange,
        "deal.settle",
        json!({"listing": id, "certificate_no": "PS2026-001"}),
        "not_ready",
        "entry.body.listing",
    );
    m.refused(
        &m.exchange,
        "payment.confirm",
        json!({"listing": id, "amount": "100.00"}),
        "bad_attribute",
        "entry.body.amount",
    );
    m.ok(
        &m.exchange,
        "payment.confirm",
        json!({"listing": id, "amount": "15000.00"}),
    );
    let settled = m.ok(
        &m.exchange,
        "deal.settle",
        json!({"listing": id, "certificate_no": "PS2026-001"}),
    );

    // G2: a derived right for the term, registered (ten years ≥ 5, M6);
    // the losing deposit released; the household's base rights as before.
    let state = m.state();
    let right = &state.rights[&settled];
    assert_eq!((right.holder.as_str(), right.registered), (NEIGHBOUR, true));
    let l = &state.listings[&id];
    assert_eq!(l.intent(OUTSIDER).unwrap().released_at, Some(settled));
    assert_eq!(l.intent(NEIGHBOUR).unwrap().released_at, None);
    assert_eq!(l.history.len(), 14, "{:?}", l.history);
    assert_eq!(
        base_rights(&state, SELLER, chrono::Utc::now().date_naive()),
        before
    );
    // M7: ended early only on its grounds, by the household.
    let end = |ground: &str| json!({"right": settled, "ground": ground, "document_sha256": "cd".repeat(32)});
    m.refused(
        &m.seller,
        "right.end",
        end("settled_in_town"),
        "not_a_ground",
        "entry.body.ground",
    );
    m.refused(
        &m.neighbour,
        "right.end",
        end("abandoned"),
        "bad_attribute",
        "entry.body.right",
    );
    m.ok(&m.seller, "right.end", end("abandoned"));
}

#[test]
fn a_title_that_changes_after_verification_stops_the_settlement() {
    for backend in backends() {
        let m = Market::new(backend);
        let id = m.verified_deal(2);
        m.ok(
            &m.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": "12000.00"}),
        );
        let seizure = json!({"DKBM": parcel(2), "kind": "seizure", "reason": "协助执行", "document_sha256": "ab".repeat(32)});
        let seized = m.ok(&m.log.county_key, "encumbrance.register", seizure);
        m.refused(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS2026-002"}),
            "title_changed",
            "entry.body.listing",
        );
        // Released, the title still changed after the verification: it is
        // verified again, then the deal settles.
        m.ok(
            &m.log.county_key,
            "encumbrance.release",
            json!({"encumbrance": seized, "reason": "解除"}),
        );
        m.refused(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS2026-002"}),
            "title_changed",
            "entry.body.listing",
        );
        m.ok(&m.log.county_key, "title.verify", json!({"listing": id}));
        m.ok(
            &m.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": "PS2026-002"}),
        );
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();

        // Over HTTP: the listings by status, one with its history, and the
        // household's income from it.
        let Market {
            log,
            seller,
            outsider,
            head,
            ..
        } = m;
        let (registry, _db, _, _) = log.into_registry();
        let url = spawn_app(registry);
        let get = |path: &str| -> Value {
            ureq::get(&format!("{url}/api/v1/{path}"))
                .call()
                .unwrap()
                .into_json()
                .unwrap()
        };
        let settled = get("listings?status=settled&kind=lease");
        assert_eq!(settled["listings"].as_array().unwrap().len(), 1);
        assert_eq!(get("listings?status=notice")["listings"], json!([]));
        let l = get(&format!("listings/{id}"));
        assert_eq!(l["award"]["price"], "12000.00");
        assert_eq!(l["certificate_no"], "PS2026-002");
        let kinds: Vec<&str> = l["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.first(), Some(&"listing.submit"));
        assert_eq!(kinds.last(), Some(&"deal.settle"));
        assert_eq!(kinds.iter().filter(|k| **k == "title.verify").count(), 2);
        // M5: the contract the parties signed is served in Chinese, its
        // 正文 byte for byte: its SHA-256 is the award's, and what both
        // signed covers it and the page of the parties.
        let path = format!("/api/v1/listings/{id}/contract");
        let public = ureq::get(&format!("{url}{path}")).call().unwrap();
        let header = |r: &ureq::Response, h: &str| r.header(h).unwrap_or_default().to_owned();
        let (signed, body_sha, schedule_sha) = (
            header(&public, "X-Contract-SHA256"),
            header(&public, "X-Contract-Body-SHA256"),
            header(&public, "X-Contract-Schedule-SHA256"),
        );
        assert_eq!(header(&public, "X-Contract-Copy"), "public");
        assert_eq!(l["award"]["contract_sha256"], body_sha.as_str());
        assert_eq!(
            signed,
            sanquan::model::exchange::signed_sha256(&body_sha, &schedule_sha)
        );
        let text = public.into_string().unwrap();
        let (body, page) = text.split_once("\n\n当事人信息及签署页").unwrap();
        assert_eq!(sanquan::model::exchange::sha256_hex(body), body_sha);
        assert!(
            body.starts_with("农村土地经营权出租合同")
                && body.contains(&parcel(2))
                && body.contains("12,000.00 元")
                && body.contains("第一条"),
            "{text}"
        );
        // The public copy names no one and hides the 核验码.
        assert!(
            !text.contains(&head.name) && !text.contains(&head.id_number[..10]),
            "{page}"
        );
        assert!(page.contains("（不公开）"), "{page}");
        // A party's signed read shows the whole text: the head of the
        // selling household by name with a masked ID number, and a 核验码;
        // its page hashes to what both signed.
        let read = |key: &sanquan::ledger::SignerKey| {
            ureq::get(&format!("{url}{path}"))
                .set(
                    "Authorization",
                    &sanquan::ledger::read_auth::sign_read(key, "GET", &path, chrono::Utc::now()),
                )
                .call()
                .map_err(Box::new)
        };
        let whole = read(&seller).unwrap();
        assert_eq!(header(&whole, "X-Contract-Copy"), "whole");
        let whole = whole.into_string().unwrap();
        let (whole_body, whole_page) = whole.split_once("\n\n当事人信息及签署页").unwrap();
        assert_eq!(whole_body, body);
        let whole_page = format!("当事人信息及签署页{whole_page}");
        assert_eq!(
            sanquan::model::exchange::sha256_hex(&whole_page),
            schedule_sha
        );
        let masked = sanquan::model::words::masked(&head.id_number);
        assert!(
            whole_page.contains(&head.name)
                && whole_page.contains(&masked)
                && !whole_page.contains(&head.id_number),
            "{whole_page}"
        );
        assert!(
            whole_page.contains("核验码：") && !whole_page.contains("仅向合同双方"),
            "{whole_page}"
        );
        // A stranger's signed read is refused, not answered with the
        // public copy: it learns it may not see the names.
        match read(&outsider).map_err(|e| *e) {
            Err(ureq::Error::Status(403, r)) => {
                let e: Value = r.into_json().unwrap();
                assert_eq!(e["error"]["code"], "read_not_allowed");
            }
            other => panic!("a stranger read the names: {:?}", other.map(|r| r.status())),
        }
        let page = ureq::get(&format!("{url}/api/v1/listings/{id}/contract/print"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(page.contains(&signed) && page.contains("农村土地经营权出租合同"));
        // Who is who: the keys bound to act for a party, and a transferee's
        // reviews by the county.
        let seller = get(&format!("parties/{SELLER}"));
        assert_eq!(
            (seller["type"].as_str(), seller["keys"][0]["role"].as_str()),
            (Some("household"), Some("household"))
        );
        assert!(seller["keys"][0]["revoked_at"].is_null());
        let outsider = get(&format!("parties/{OUTSIDER}"));
        assert_eq!(outsider["type"], "organisation");
        assert_eq!(outsider["keys"][0]["role"], "transferee");
        assert_eq!(
            (
                outsider["reviews"][0]["kind"].as_str(),
                outsider["qualified"].as_bool()
            ),
            (Some("organisation"), Some(true))
        );
        let income = get(&format!("households/{SELLER}/income"));
        assert_eq!(income["total"], "12000.00");
        // The title shows the derived right, registered (M6) and in force
        // from its start; the household still holds the contract (G2).
        let title = get(&format!("titles/{}", parcel(2)));
        assert_eq!(title["holder"], SELLER);
        let rights = title["derived_rights"].as_array().unwrap();
        assert_eq!(rights.len(), 1);
        assert_eq!(
            (
                &rights[0]["holder"],
                &rights[0]["registered"],
                &rights[0]["end"]
            ),
            (&json!(NEIGHBOUR), &json!(true), &json!("2036-12-31"))
        );
    }
}

#[test]
fn settling_in_a_town_changes_no_right_and_the_county_attests_it() {
    for backend in backends() {
        let m = Market::new(backend);
        let today = chrono::Utc::now().date_naive();
        let before = m.state();
        let settle = json!({"person": m.head.commitment(), "town": "140402", "date": "2026-11-01", "document_sha256": "ef".repeat(32)});
        // Nothing may ride on it: no surrender, no condition.
        let mut with_surrender = settle.clone();
        with_surrender["surrender"] = json!({"CBHTBM": format!("{SELLER}J")});
        m.refused(
            &m.collective,
            "hukou.settle",
            with_surrender,
            "bad_body",
            "entry.body.surrender",
        );
        m.refused(
            &m.seller,
            "hukou.settle",
            settle.clone(),
            "kind_not_allowed",
            "entry.signer",
        );
        m.ok(&m.collective, "hukou.settle", settle);
        let after = m.state();
        assert_eq!(
            base_rights(&after, SELLER, today),
            base_rights(&before, SELLER, today)
        );
        assert_eq!(after.memberships, before.memberships);
        assert_eq!(after.households, before.households);
        // The attestation states the rights as they are, or is refused.
        let rights = serde_json::to_value(base_rights(&after, SELLER, today)).unwrap();
        let mut wrong = rights.clone();
        wrong["shares"] = json!(5);
        m.refused(
            &m.log.county_key,
            "attest.retention",
            json!({"CBFBM": SELLER, "rights": wrong}),
            "attestation_untrue",
            "entry.body.rights",
        );
        m.refused(
            &m.collective,
            "attest.retention",
            json!({"CBFBM": SELLER, "rights": rights}),
            "kind_not_allowed",
            "entry.signer",
        );
        let at = m.ok(
            &m.log.county_key,
            "attest.retention",
            json!({"CBFBM": SELLER, "rights": rights}),
        );
        assert_eq!(
            m.state().attestations[&at].rights.contracts[0].parcels,
            [parcel(1), parcel(2)]
        );
        verify(&m.log.db, &m.log.log_key.verifier(), |_, _| {}).unwrap();

        // Served as a document an auditor checks without trusting the
        // server: the signed entry, its inclusion proof, the checkpoint.
        let Market { log, .. } = m;
        let (registry, _db, log_key, _) = log.into_registry();
        let url = spawn_app(registry);
        let doc: Value = ureq::get(&format!("{url}/api/v1/attestations/{at}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(doc["household"], SELLER);
        assert_eq!(doc["rights"], rights);
        let b64 = base64::engine::general_purpose::STANDARD;
        let entry = doc["proof"]["entry"].as_str().unwrap().as_bytes();
        let leaf = sanquan::ledger::merkle::leaf_hash(entry);
        assert_eq!(doc["proof"]["leaf_hash"], b64.encode(leaf));
        let checkpoint = sanquan::ledger::Checkpoint::open(
            doc["proof"]["checkpoint"].as_str().unwrap(),
            &log_key.verifier(),
        )
        .unwrap();
        let proof: Vec<[u8; 32]> = doc["proof"]["inclusion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| b64.decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
            .collect();
        assert!(sanquan::ledger::merkle::verify_inclusion(
            &leaf,
            at,
            doc["proof"]["tree_size"].as_u64().unwrap(),
            &proof,
            &checkpoint.root
        ));
        let record: Value = serde_json::from_slice(entry).unwrap();
        assert_eq!(
            record["envelope"]["entry"]["kind"], "attest.retention",
            "{record}"
        );
        let page = ureq::get(&format!("{url}/api/v1/attestations/{at}/print"))
            .call()
            .unwrap();
        assert!(page.content_type().starts_with("text/html"));
        let page = page.into_string().unwrap();
        assert!(
            page.contains("权益保留证明") && page.contains(SELLER) && page.contains("宅基地使用权")
        );
        let list: Value = ureq::get(&format!("{url}/api/v1/households/{SELLER}/attestations"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(list["attestations"], json!([at]));
        let missing = ureq::get(&format!("{url}/api/v1/attestations/1")).call();
        assert!(matches!(missing, Err(ureq::Error::Status(404, _))));
    }
}

#[test]
fn house_leases_subcontracts_and_onward_transfers_keep_to_their_limits() {
    Market::on_each_backend(|m| {
        let county = m.log.county_key.clone();
        let plot = json!({"type": "Polygon", "coordinates": [[[113.005, 36.005], [113.00511, 36.005], [113.00511, 36.0051], [113.005, 36.0051], [113.005, 36.005]]]});
        m.ok(&county, "homestead.grant", json!({"CBFBM": SELLER, "terrain": "plain", "posting_sha256": "ef".repeat(32), "geometry": plot}));
        let house = |end: &str| {
            json!({"mode": "house_lease", "start": "2027-01-01", "end": end, "reserve": "50000.00",
                   "increment": "100.00", "deposit": "1000.00", "auction_minutes": 60})
        };
        // H3: the house may be leased, for no longer than the county's limit
        // (20 years by default); a household without a homestead has none.
        m.refused(
            &m.seller,
            "listing.submit",
            house("2047-01-01"),
            "house_lease_too_long",
            "entry.body.end",
        );
        m.refused(
            &m.neighbour,
            "listing.submit",
            house("2036-12-31"),
            "no_homestead",
            "entry.signer",
        );
        m.ok(&m.seller, "listing.submit", house("2046-12-31"));
        // M9: a transferee lists only what it holds (onward), and M2: only with
        // the household's written consent.
        m.refused(
            &m.outsider,
            "listing.submit",
            lease(&[&parcel(1)], "2027-01-01", "2036-12-31"),
            "bad_attribute",
            "entry.body.mode",
        );
        let mut onward = lease(&[&parcel(1)], "2027-01-01", "2036-12-31");
        onward["mode"] = json!("onward");
        m.refused(
            &m.outsider,
            "listing.submit",
            onward,
            "bad_attribute",
            "entry.body.consent_sha256",
        );
        // M2: a sub-contract (转包) goes to a household of the same collective.
        let mut sub = lease(&[&parcel(2)], "2027-01-01", "2036-12-31");
        sub["mode"] = json!("subcontract");
        let id = m.ok(&m.seller, "listing.submit", sub);
        m.ok(
            &m.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "材料齐全"}),
        );
        m.refused(
            &m.outsider,
            "intent.register",
            json!({"listing": id, "deposit": "1000.00"}),
            "outside_collective",
            "entry.signer",
        );
        m.ok(
            &m.neighbour,
            "intent.register",
            json!({"listing": id, "deposit": "1000.00"}),
        );
    });
}

/// The county's figures (its home page, the province's figures) count a
/// listing by the stage its page shows: one whose notice has run out is
/// trading (X2), though no step has stored that yet.
#[test]
fn figures_count_a_listing_whose_notice_ran_out_as_trading() {
    Market::on_each_backend(|m| {
        let count = |m: &Market, stage: &str| {
            m.registry()
                .figures()
                .unwrap()
                .listings
                .iter()
                .find(|(s, _)| s == stage)
                .map_or(0, |(_, n)| *n)
        };
        let (notice, trading) = (count(m, "notice"), count(m, "trading"));
        let id = m.reviewed_lease(1, "2027-01-01");
        assert_eq!(
            (count(m, "notice"), count(m, "trading")),
            (notice + 1, trading)
        );
        m.log.clock.advance(chrono::Duration::days(20));
        let shown = m.registry().listing(id).unwrap().status;
        assert_eq!(shown.as_str(), "trading");
        assert_eq!(
            (count(m, "notice"), count(m, "trading")),
            (notice, trading + 1)
        );
    });
}
