//! The exchange: a deal from listing to settlement, every step a signed entry,
//! every refusal with its code and nothing written by it; and the guarantee —
//! the household's base rights are the same after the deal, and after a
//! member settles in a town.

use base64::Engine;
use sanquan::ledger::{Envelope, SignerKey};
use sanquan::model::exchange::Listing;
use sanquan::model::person::PersonRecord;
use sanquan::model::rights::base_rights;
use sanquan::model::Refusal;
use sanquan::store::verify::verify;
use sanquan::store::{queries, SubmitError};
use serde_json::{json, Value};

use crate::common::*;

pub(crate) const VILLAGE: &str = "14042100100101";

pub(crate) fn person(name: &str, id: &str, salt: u8) -> PersonRecord {
    PersonRecord {
        salt: base64::engine::general_purpose::STANDARD.encode([salt; 16]),
        name: name.into(),
        id_number: id.into(),
        phone: None,
    }
}

/// A village with two households (the first holding two parcels under
/// contract), the exchange, and an outside transferee.
pub(crate) struct Market {
    pub log: TestLog,
    /// The county key the helpers sign with (title verification): the root
    /// key, or under the authority rules the registry department's (A2).
    pub county: std::sync::Mutex<SignerKey>,
    pub collective: SignerKey,
    pub exchange: SignerKey,
    pub seller: SignerKey,
    pub neighbour: SignerKey,
    pub outsider: SignerKey,
    pub head: PersonRecord,
}

pub(crate) const SELLER: &str = "140421001001010001";
pub(crate) const NEIGHBOUR: &str = "140421001001010002";
/// An outside company, by its unified social credit code.
pub(crate) const OUTSIDER: &str = "91350100M000100Y43";

pub(crate) fn parcel(n: u32) -> String {
    format!("{VILLAGE}{n:05}")
}

impl Replayed for Market {
    fn replayed(&self) -> (sanquan::store::Db, sanquan::model::VerifierKey) {
        self.log.replayed()
    }
}

impl Market {
    /// Runs `test` on a market made fresh on each backend, and checks that
    /// `verify` replays the log it left.
    pub(crate) fn on_each_backend(test: impl FnMut(&mut Market)) {
        on_each_backend(Market::new, test)
    }

    pub(crate) fn new(backend: Backend) -> Market {
        let log = TestLog::new(backend);
        let (collective, exchange) = (new_key("c"), new_key("x"));
        let (seller, neighbour, outsider) = (new_key("s"), new_key("n"), new_key("o"));
        let boundary = json!({"type": "Polygon", "coordinates": [[[113.0, 36.0], [113.01, 36.0], [113.01, 36.01], [113.0, 36.01], [113.0, 36.0]]]});
        let ok = |key: &SignerKey, kind: &str, body: Value| {
            let r = log.submit(key, kind, body);
            assert_eq!(outcome(&r), "accepted", "{kind}");
        };
        let county = log.county_key.clone();
        ok(
            &county,
            "collective.register",
            json!({"FBFBM": VILLAGE, "FBFMC": "一组", "boundary": boundary}),
        );
        ok(
            &county,
            "key.register",
            register("collective", VILLAGE, &collective),
        );
        ok(
            &county,
            "key.register",
            register("exchange", COUNTY, &exchange),
        );
        ok(
            &exchange,
            "key.register",
            register("transferee", OUTSIDER, &outsider),
        );
        // M8: the county reviewed the outsider's qualification, project and risk.
        ok(
            &county,
            "transferee.qualify",
            json!({"party": OUTSIDER, "kind": "organisation", "project_sha256": "a1".repeat(32),
                   "risk_sha256": "b2".repeat(32), "approved": true}),
        );
        let head = person("韩一", "14042119800101123X", 1);
        let other = person("杨二", "140421197512300469", 2);
        for (code, p, key) in [(SELLER, &head, &seller), (NEIGHBOUR, &other, &neighbour)] {
            let env = sign(
                &collective,
                "household.register",
                json!({"CBFBM": code, "members": [{"person": p.commitment(), "relation": "02"}]}),
            );
            log.writer()
                .submit_with_personal_blocking(env, vec![p.clone()])
                .unwrap();
            ok(
                &collective,
                "key.register",
                register("household", code, key),
            );
        }
        for n in 1..=3 {
            let lon = 113.001 + n as f64 * 0.001;
            let g = json!({"type": "Polygon", "coordinates": [[[lon, 36.001], [lon + 0.0005, 36.001], [lon + 0.0005, 36.0015], [lon, 36.0015], [lon, 36.001]]]});
            ok(
                &collective,
                "parcel.register",
                json!({"DKBM": parcel(n), "DKMC": "东洼地", "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "1", "geometry": g}),
            );
        }
        ok(
            &collective,
            "contract.grant",
            json!({"CBHTBM": format!("{SELLER}J"), "CBFBM": SELLER, "DKBM": [parcel(1), parcel(2)],
            "start": "2026-01-01", "end": "2055-12-31", "certificate_members": [head.commitment()]}),
        );
        ok(
            &collective,
            "contract.grant",
            json!({"CBHTBM": format!("{NEIGHBOUR}J"), "CBFBM": NEIGHBOUR, "DKBM": [parcel(3)],
            "start": "2026-01-01", "end": "2055-12-31", "certificate_members": [other.commitment()]}),
        );
        Market {
            county: std::sync::Mutex::new(log.county_key.clone()),
            log,
            collective,
            exchange,
            seller,
            neighbour,
            outsider,
            head,
        }
    }

    pub(crate) fn size(&self) -> u64 {
        queries::log_size(&mut self.log.db.conn().unwrap(), COUNTY).unwrap()
    }

    /// The registry's reads, on the log's clock.
    pub(crate) fn registry(&self) -> sanquan::registry::Registry {
        sanquan::registry::Registry::reader(self.log.db.clone()).on_clock(self.log.clock.clone())
    }

    /// `verify` passes over the whole log.
    pub(crate) fn verifies(&self) {
        sanquan::store::verify::verify(&self.log.db, &self.log.log_key.verifier(), |_, _| {})
            .unwrap();
    }

    pub(crate) fn state(&self) -> sanquan::model::State {
        queries::load_state(&mut self.log.db.conn().unwrap(), COUNTY).unwrap()
    }

    pub(crate) fn ok(&self, key: &SignerKey, kind: &str, body: Value) -> u64 {
        match self.log.submit(key, kind, body) {
            Ok(r) => r.index,
            Err(e) => panic!("{kind}: {e:?}"),
        }
    }

    /// An entry that also carries `cosigner`'s signature (G1: the other
    /// household whose right it moves).
    pub(crate) fn ok_cosigned(
        &self,
        key: &SignerKey,
        cosigner: &SignerKey,
        kind: &str,
        body: Value,
    ) -> u64 {
        let mut env = sign(key, kind, body);
        env.cosign(cosigner);
        match self.log.writer().submit_blocking(env) {
            Ok(r) => r.index,
            Err(e) => panic!("{kind}: {e:?}"),
        }
    }

    /// Asserts a refusal with this code and field, and that nothing was written.
    pub(crate) fn refused(
        &self,
        key: &SignerKey,
        kind: &str,
        body: Value,
        code: &str,
        field: &str,
    ) {
        let before = self.size();
        let origin = sanquan::model::log_origin(COUNTY);
        let signed = Envelope::sign(
            key,
            &origin,
            kind,
            &format!("r{}", unique()),
            &stamp(),
            body,
        );
        let got = match signed.map(|env| self.log.writer().submit_blocking(env)) {
            // A malformed body is refused when the envelope is parsed.
            Err(e) => {
                assert_chinese(&e);
                (e.code().to_owned(), e.field())
            }
            Ok(Err(SubmitError::Refused(e))) => {
                assert_chinese(&e);
                (e.code().to_owned(), e.field())
            }
            other => (format!("{other:?}"), None),
        };
        assert_eq!(got, (code.to_owned(), Some(field.to_owned())), "{kind}");
        assert_eq!(self.size(), before, "a refusal wrote something");
    }

    pub(crate) fn reviewed(&self, id: u64) {
        self.ok(
            &self.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "材料齐全"}),
        );
    }

    /// Each bidder registers its intent with the deposit the listing asks,
    /// and the exchange confirms it.
    pub(crate) fn bidders(&self, id: u64, bidders: &[(&SignerKey, &str)]) {
        let deposit = sanquan::model::shares::yuan(self.listing(id).deposit);
        for (key, party) in bidders {
            self.ok(
                key,
                "intent.register",
                json!({"listing": id, "deposit": deposit}),
            );
            self.ok(
                &self.exchange,
                "deposit.confirm",
                json!({"listing": id, "party": party}),
            );
        }
    }

    /// Registers and confirms `bidders`' intents on reviewed listing `id`, lets
    /// the notice pass, has the first bid `amount` and awards it; both
    /// parties sign the contract.
    pub(crate) fn awarded(
        &self,
        id: u64,
        bidders: &[(&SignerKey, &str)],
        amount: &str,
        transferor: &SignerKey,
    ) {
        self.bidders(id, bidders);
        self.log.clock.advance(chrono::Duration::days(20));
        self.ok(
            bidders[0].0,
            "bid.place",
            json!({"listing": id, "amount": amount}),
        );
        if bidders.len() > 1 {
            self.log.clock.advance(chrono::Duration::hours(3));
        }
        self.ok(&self.exchange, "listing.award", json!({"listing": id}));
        let hash = self.listing(id).award.unwrap().contract_sha256;
        for key in [transferor, bidders[0].0] {
            self.ok(
                key,
                "contract.sign",
                json!({"listing": id, "contract_sha256": hash}),
            );
        }
    }

    /// Verification, escrow and settlement of an awarded listing.
    pub(crate) fn settle(&self, id: u64, amount: &str) -> u64 {
        self.ok(
            &self.county.lock().unwrap(),
            "title.verify",
            json!({"listing": id}),
        );
        self.ok(
            &self.exchange,
            "payment.confirm",
            json!({"listing": id, "amount": amount}),
        );
        self.ok(
            &self.exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": format!("JZ-{id}")}),
        )
    }

    /// A lease of parcel `n` from `start` to 2036, listed by the seller and
    /// reviewed: under notice.
    pub(crate) fn reviewed_lease(&self, n: u32, start: &str) -> u64 {
        let id = self.ok(
            &self.seller,
            "listing.submit",
            lease(&[&parcel(n)], start, "2036-12-31"),
        );
        self.reviewed(id);
        id
    }

    pub(crate) fn listing(&self, id: u64) -> Listing {
        self.state().listings.remove(&id).unwrap()
    }

    /// Lists parcel `n` and takes it through review, notice and a negotiated
    /// award to the neighbour, both signatures and the county's verification.
    pub(crate) fn verified_deal(&self, n: u32) -> u64 {
        let id = self.ok(
            &self.seller,
            "listing.submit",
            lease(&[&parcel(n)], "2027-01-01", "2036-12-31"),
        );
        self.ok(
            &self.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "材料齐全"}),
        );
        self.ok(
            &self.neighbour,
            "intent.register",
            json!({"listing": id, "deposit": "1000.00"}),
        );
        self.ok(
            &self.exchange,
            "deposit.confirm",
            json!({"listing": id, "party": NEIGHBOUR}),
        );
        self.log.clock.advance(chrono::Duration::days(20));
        self.ok(
            &self.neighbour,
            "bid.place",
            json!({"listing": id, "amount": "12000.00"}),
        );
        self.ok(&self.exchange, "listing.award", json!({"listing": id}));
        let hash = self.listing(id).award.unwrap().contract_sha256;
        for key in [&self.seller, &self.neighbour] {
            self.ok(
                key,
                "contract.sign",
                json!({"listing": id, "contract_sha256": hash}),
            );
        }
        self.ok(
            &self.county.lock().unwrap(),
            "title.verify",
            json!({"listing": id}),
        );
        id
    }
}

pub(crate) fn lease(parcels: &[&str], start: &str, end: &str) -> Value {
    json!({"mode": "lease", "DKBM": parcels, "start": start, "end": end, "TDYT": "1",
           "reserve": "10000.00", "increment": "100.00", "deposit": "1000.00", "auction_minutes": 60})
}

#[test]
fn a_lease_goes_from_listing_to_settlement_and_the_household_keeps_its_rights() {
    Market::on_each_backend(|m| {
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
        assert_eq!((award.party.as_str(), award.price), (NEIGHBOUR, 1_500_000));

        // The contract both sign is the one rendered for the award (M5).
        m.refused(
            &m.seller,
            "contract.sign",
            json!({"listing": id, "contract_sha256": "ab".repeat(32)}),
            "contract_mismatch",
            "entry.body.contract_sha256",
        );
        let sign = json!({"listing": id, "contract_sha256": award.contract_sha256});
        m.ok(&m.seller, "contract.sign", sign.clone());
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
    });
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
        let Market { log, .. } = m;
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
        // M5: the contract the parties signed is served, byte for byte:
        // its SHA-256 is the one both signed.
        let text = ureq::get(&format!("{url}/api/v1/listings/{id}/contract"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        let signed = l["award"]["contract_sha256"].as_str().unwrap().to_owned();
        assert_eq!(sanquan::model::exchange::sha256_hex(&text), signed);
        assert!(
            text.contains(&parcel(2)) && text.contains("12000.00"),
            "{text}"
        );
        let page = ureq::get(&format!("{url}/api/v1/listings/{id}/contract/print"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        assert!(page.contains(&signed) && page.contains("流转合同"));
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
            page.contains("权利保留证明") && page.contains(SELLER) && page.contains("宅基地使用权")
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
