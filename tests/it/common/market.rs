//! A village with two households (the first holding two parcels under
//! contract), the exchange and an outside transferee: the world most tests
//! of the exchange and the authority rules run on.

use base64::Engine;
use sanquan::ledger::{Envelope, SignerKey};
use sanquan::model::exchange::Listing;
use sanquan::model::person::PersonRecord;
use sanquan::model::Refusal;
use sanquan::store::{queries, SubmitError};
use serde_json::{json, Value};

use super::*;

pub const VILLAGE: &str = "14042100100101";

pub fn person(name: &str, id: &str, salt: u8) -> PersonRecord {
    PersonRecord {
        salt: base64::engine::general_purpose::STANDARD.encode([salt; 16]),
        name: name.into(),
        id_number: id.into(),
        phone: None,
    }
}

/// A village with two households (the first holding two parcels under
/// contract), the exchange, and an outside transferee.
pub struct Market {
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

pub const SELLER: &str = "140421001001010001";
pub const NEIGHBOUR: &str = "140421001001010002";
/// An outside company, by its unified social credit code.
pub const OUTSIDER: &str = "91350100M000100Y43";

pub fn parcel(n: u32) -> String {
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
    pub fn on_each_backend(test: impl FnMut(&mut Market)) {
        on_each_backend(Market::new, test)
    }

    pub fn new(backend: Backend) -> Market {
        Market::with_log(TestLog::new(backend))
    }

    /// The same market on a log made elsewhere (a Citus cluster's).
    pub fn with_log(log: TestLog) -> Market {
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

    pub fn size(&self) -> u64 {
        queries::log_size(&mut self.log.db.conn().unwrap(), COUNTY).unwrap()
    }

    /// The registry's reads, on the log's clock.
    pub fn registry(&self) -> sanquan::registry::Registry {
        sanquan::registry::Registry::reader(self.log.db.clone()).on_clock(self.log.clock.clone())
    }

    /// `contract.sign`'s body for listing `id`, as a party reads the
    /// contract it signs (M5): the registry keeps the 当事人信息及签署页 at
    /// the first read.
    pub fn contract_signed(&self, id: u64) -> Value {
        let copy = self.registry().contract(id, None).unwrap();
        json!({"listing": id, "contract_sha256": copy.sha256, "schedule_sha256": copy.schedule_sha256})
    }

    /// `verify` passes over the whole log.
    pub fn verifies(&self) {
        sanquan::store::verify::verify(&self.log.db, &self.log.log_key.verifier(), |_, _| {})
            .unwrap();
    }

    pub fn state(&self) -> sanquan::model::State {
        queries::load_state(&mut self.log.db.conn().unwrap(), COUNTY).unwrap()
    }

    pub fn ok(&self, key: &SignerKey, kind: &str, body: Value) -> u64 {
        match self.log.submit(key, kind, body) {
            Ok(r) => r.index,
            Err(e) => panic!("{kind}: {e:?}"),
        }
    }

    /// An entry that also carries `cosigner`'s signature (G1: the other
    /// household whose right it moves).
    pub fn ok_cosigned(
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
    pub fn refused(&self, key: &SignerKey, kind: &str, body: Value, code: &str, field: &str) {
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

    pub fn reviewed(&self, id: u64) {
        self.ok(
            &self.exchange,
            "listing.review",
            json!({"listing": id, "approve": true, "reason": "材料齐全"}),
        );
    }

    /// Each bidder registers its intent with the deposit the listing asks,
    /// and the exchange confirms it.
    pub fn bidders(&self, id: u64, bidders: &[(&SignerKey, &str)]) {
        let deposit = self.listing(id).deposit.to_string();
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
    pub fn awarded(
        &self,
        id: u64,
        bidders: &[(&SignerKey, &str)],
        amount: &str,
        transferor: &SignerKey,
    ) {
        self.award(id, bidders, amount);
        let signed = self.contract_signed(id);
        for key in [transferor, bidders[0].0] {
            self.ok(key, "contract.sign", signed.clone());
        }
    }

    /// The same up to the award: the contract not yet signed.
    pub fn award(&self, id: u64, bidders: &[(&SignerKey, &str)], amount: &str) {
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
    }

    /// Verification, escrow and settlement of an awarded listing.
    pub fn settle(&self, id: u64, amount: &str) -> u64 {
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
    pub fn reviewed_lease(&self, n: u32, start: &str) -> u64 {
        let id = self.ok(
            &self.seller,
            "listing.submit",
            lease(&[&parcel(n)], start, "2036-12-31"),
        );
        self.reviewed(id);
        id
    }

    pub fn listing(&self, id: u64) -> Listing {
        self.state().listings.remove(&id).unwrap()
    }

    /// Lists parcel `n` and takes it through review, notice and a negotiated
    /// award to the neighbour, both signatures and the county's verification.
    pub fn verified_deal(&self, n: u32) -> u64 {
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
        let signed = self.contract_signed(id);
        for key in [&self.seller, &self.neighbour] {
            self.ok(key, "contract.sign", signed.clone());
        }
        self.ok(
            &self.county.lock().unwrap(),
            "title.verify",
            json!({"listing": id}),
        );
        id
    }
}

pub fn lease(parcels: &[&str], start: &str, end: &str) -> Value {
    json!({"mode": "lease", "DKBM": parcels, "start": start, "end": end, "TDYT": "1",
           "reserve": "10000.00", "increment": "100.00", "deposit": "1000.00", "auction_minutes": 60})
}
