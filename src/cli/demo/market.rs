//! The demo's exchange: deals settled, an auction running, listings under
//! notice, a member settled in a town and the county's attestation, a road
//! taking a parcel (its plan posted, not all paid) — all
//! through the one pipeline. The history is dated back: the demo's clock
//! starts in the past and catches up with real time here.

use crate::model::shares::Fen;
use serde_json::{json, Value};

use super::{COUNTY, HOUSEHOLDS_PER_VILLAGE};
use crate::cli::datadir::{read_signer_key, write_key_pair, DataDir};
use crate::cli::generate::{households, DemoHousehold, Plan};
use crate::cli::{new_nonce, CliError};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::registry::Registry;
use crate::store::{queries, Db};

const TRANSFEREE: &str = "91350100M000100Y43";
pub(super) const VILLAGE: &str = "14042100100101";

/// The exchange's desk: every entry through the registry, as the API's.
struct Desk {
    registry: Registry,
    origin: String,
    entries: usize,
}

impl Desk {
    fn submit(&mut self, key: &SignerKey, kind: &str, body: Value) -> Result<u64, CliError> {
        let time = self.registry.now_stamp();
        let env = Envelope::sign(key, &self.origin, kind, &new_nonce(), &time, body)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        self.entries += 1;
        self.registry
            .submit_blocking(env, Vec::new())
            .map(|r| r.index)
            .map_err(|e| CliError::Usage(format!("demo {kind}: {e}")))
    }

    /// What the parties of listing `id` sign, as they read it from the
    /// contract (M5): `contract.sign`'s body.
    fn contract_signed(&self, id: u64) -> Result<Value, CliError> {
        let copy = self
            .registry
            .contract(id, None)
            .map_err(|e| CliError::Usage(format!("demo contract {id}: {e}")))?;
        Ok(
            json!({"listing": id, "contract_sha256": copy.sha256, "schedule_sha256": copy.schedule_sha256}),
        )
    }
}

/// The exchange approves a listing and sets its auction's rules (X2): the
/// least raise, the deposit, how long it runs once open.
fn reviewed(id: u64, minutes: u32) -> Value {
    json!({"listing": id, "approve": true, "reason": "权属清楚，材料齐全",
           "increment": "500.00", "deposit": "2000.00", "auction_minutes": minutes})
}

/// A farmer's listing: his land, his term, his reserve; the auction's rules
/// are the exchange's.
fn lease(h: &DemoHousehold, mode: &str, reserve: &str) -> Value {
    json!({"mode": mode, "DKBM": h.parcels, "start": "2027-01-01", "end": "2036-12-31", "TDYT": "1",
           "reserve": reserve})
}

/// Loads the demo's exchange activity; returns how many entries it took.
pub fn load(dir: &DataDir) -> Result<usize, CliError> {
    let _lock = dir.lock()?;
    let db = Db::open(&dir.database_url(None), COUNTY)?;
    let demo_keys = dir.key_path("demo");
    let key = |name: &str| read_signer_key(&demo_keys.join(format!("{name}.key")));
    // The county acts through its departments (A2): the registry, natural
    // resources; its root key only publishes settings.
    let root = read_signer_key(&dir.key_path("county.key"))?;
    let county = read_signer_key(&dir.key_path("registry.key"))?;
    let natural = read_signer_key(&dir.key_path("natural_resources.key"))?;
    let exchange = key("exchange")?;
    let transferee = key(&format!("transferee-{TRANSFEREE}"))?;
    let collective = key("collective-14042100100101")?;
    let mut desk = Desk {
        registry: Registry::new(db.clone(), dir.start_writer(&db)?),
        origin: log_origin(COUNTY),
        entries: 0,
    };
    // A farmer has made a key on his new phone and not yet gone to the
    // village: it waits under its short code (issue 18).
    let phone = SignerKey::generate("王大爷的新手机").expect("name");
    desk.registry
        .offer_key(&phone.verifier().to_string())
        .map_err(|e| CliError::Usage(format!("demo key offer: {e}")))?;

    // Households of the first village with land, and a key each.
    let village: Vec<DemoHousehold> = households(&Plan::demo(), HOUSEHOLDS_PER_VILLAGE)
        .into_iter()
        .filter(|h| h.code.starts_with(VILLAGE) && !h.parcels.is_empty())
        .take(9)
        .collect();
    let mut keys = Vec::new();
    for h in &village {
        let name = format!("household-{}", h.code);
        let path = demo_keys.join(format!("{name}.key"));
        let k = if path.exists() {
            read_signer_key(&path)?
        } else {
            let k = SignerKey::generate(&name).expect("name");
            write_key_pair(&path, &k)?;
            let body =
                json!({"vkey": k.verifier().to_string(), "role": "household", "party": h.code});
            desk.submit(&collective, "key.register", body)?;
            k
        };
        keys.push(k);
    }
    // M8: the county reviewed the company's qualification, project and risk.
    desk.submit(
        &county,
        "transferee.qualify",
        json!({"party": TRANSFEREE, "kind": "organisation", "project_sha256": "a1".repeat(32),
               "risk_sha256": "b2".repeat(32), "approved": true}),
    )?;

    // Five weeks ago: six listings, reviewed and under notice; intents.
    let mut listings = Vec::new();
    for (i, h) in village.iter().take(6).enumerate() {
        let (mode, minutes) = match i {
            2 => ("equity", 60),
            5 => ("lease", 10_080),
            _ => ("lease", 60),
        };
        let reserve = format!("{}.00", 20_000 + 2_500 * i);
        let id = desk.submit(&keys[i], "listing.submit", lease(h, mode, &reserve))?;
        desk.submit(&exchange, "listing.review", reviewed(id, minutes))?;
        listings.push(id);
    }
    // The first three draw the company only; the fourth and the sixth also a
    // member, the fifth a member only.
    let bidders = |i: usize| -> Vec<(usize, &str)> {
        match i {
            3 | 5 => vec![
                (usize::MAX, TRANSFEREE),
                (i + 1, village[i + 1].code.as_str()),
            ],
            4 => vec![(6, village[6].code.as_str())],
            _ => vec![(usize::MAX, TRANSFEREE)],
        }
    };
    for (i, id) in listings.iter().enumerate() {
        for (who, party) in bidders(i) {
            let k = if who == usize::MAX {
                &transferee
            } else {
                &keys[who]
            };
            desk.submit(
                k,
                "intent.register",
                json!({"listing": id, "deposit": "2000.00"}),
            )?;
            desk.submit(
                &exchange,
                "deposit.confirm",
                json!({"listing": id, "party": party}),
            )?;
        }
    }

    // The county publishes its zone land prices (E3) and pre-announces a
    // road through one leased parcel (E1); the survey takes three weeks.
    desk.submit(
        &root,
        "county.settings",
        json!({"settings": {"zone_prices": {"140421001": "42000.00"}}, "reason": "公布区片综合地价"}),
    )?;
    let taken = village[1].parcels[0].clone();
    let x = desk.submit(
        &natural,
        "expropriation.announce",
        json!({"DKBM": [taken], "purpose": "县道 X203 拓宽", "document_sha256": "5e".repeat(32)}),
    )?;

    // Three weeks later the notice is over: five deals close.
    dir.clock.advance(chrono::Duration::days(20));
    for (i, id) in listings.iter().enumerate().take(5) {
        let reserve = format!("{}.00", 20_000 + 2_500 * i);
        let first = bidders(i)[0].0;
        let bidder = if first == usize::MAX {
            &transferee
        } else {
            &keys[first]
        };
        desk.submit(
            bidder,
            "bid.place",
            json!({"listing": id, "amount": reserve}),
        )?;
        let winner = if i == 3 {
            // M3: the member matches the company's bid and wins.
            desk.submit(&keys[4], "bid.match", json!({"listing": id}))?;
            &keys[4]
        } else {
            bidder
        };
        if bidders(i).len() > 1 {
            dir.clock.advance(chrono::Duration::hours(2));
        }
        desk.submit(&exchange, "listing.award", json!({"listing": id}))?;
        let signed = desk.contract_signed(*id)?;
        for k in [&keys[i], winner] {
            desk.submit(k, "contract.sign", signed.clone())?;
        }
        desk.submit(&county, "title.verify", json!({"listing": id}))?;
        desk.submit(
            &exchange,
            "payment.confirm",
            json!({"listing": id, "amount": reserve}),
        )?;
        let right = desk.submit(
            &exchange,
            "deal.settle",
            json!({"listing": id, "certificate_no": format!("PS{COUNTY}-2026-{:04}", i + 1)}),
        )?;
        // M6: the county issues the first right's 土地经营权证.
        if i == 0 {
            desk.submit(
                &county,
                "right.certify",
                json!({"right": right, "certificate_no": format!("{COUNTY}-JYQ-2026-0001")}),
            )?;
        }
        // M4: four of the prices are paid out; the last is still in escrow.
        if i < 4 {
            desk.submit(
                &exchange,
                "payment.release",
                json!({"listing": id, "amount": reserve}),
            )?;
        }
    }

    // Now: the sixth is at auction for a week; two new listings are under
    // notice, one with an objection waiting for the exchange's answer.
    dir.clock.catch_up();
    desk.submit(
        &transferee,
        "bid.place",
        json!({"listing": listings[5], "amount": "32500.00"}),
    )?;
    desk.submit(
        &keys[6],
        "bid.place",
        json!({"listing": listings[5], "amount": "33000.00"}),
    )?;
    for (i, h) in village.iter().enumerate().skip(7) {
        let id = desk.submit(&keys[i], "listing.submit", lease(h, "lease", "18000.00"))?;
        desk.submit(&exchange, "listing.review", reviewed(id, 60))?;
        desk.submit(
            &transferee,
            "intent.register",
            json!({"listing": id, "deposit": "2000.00"}),
        )?;
        if i == 8 {
            desk.submit(
                &keys[0],
                "listing.object",
                json!({"listing": id, "reason": "东至地界有争议", "document_sha256": "e3".repeat(32)}),
            )?;
        }
    }

    // A member of the first household settled in town; the county attests
    // that the household keeps every right (G3).
    let head = village[0].persons[0].0.commitment();
    desk.submit(
        &collective,
        "hukou.settle",
        json!({"person": head, "town": "140403", "date": "2026-11-01", "document_sha256": "4d".repeat(32)}),
    )?;
    let state = queries::load_state(&mut *db.conn()?, COUNTY)?;
    let today = chrono::Utc::now().date_naive();
    let rights = crate::model::rights::base_rights(&state, &village[0].code, today);
    desk.submit(
        &county,
        "attest.retention",
        json!({"CBFBM": village[0].code, "rights": rights}),
    )?;
    // The county is taking one leased parcel for a road (E1): announced,
    // its plan posted at the published price or more (E3), the collective
    // paid; the household and the company are still owed, so the land is
    // still the household's.
    let state = queries::load_state(&mut *db.conn()?, COUNTY)?;
    let day = desk.registry.today();
    let (parties, floor) = state
        .expropriations
        .get(&x)
        .map(|e| {
            (
                crate::model::rules::expropriation::entitled(&state, e, day),
                e.floor.unwrap_or(Fen::ZERO),
            )
        })
        .unwrap_or_default();
    let land = floor.max(Fen(12_000_000)).to_string();
    let lines: Vec<Value> = parties
        .iter()
        .flat_map(|p| {
            use crate::model::authority::PartyType;
            match PartyType::of(COUNTY, p) {
                Ok(PartyType::Collective) => {
                    vec![json!({"party": p, "head": "land", "amount": land})]
                }
                Ok(PartyType::Household) => vec![
                    json!({"party": p, "head": "resettlement", "amount": "45000.00"}),
                    json!({"party": p, "head": "social_security", "amount": "18000.00"}),
                ],
                _ => vec![json!({"party": p, "head": "attachments", "amount": "8000.00"})],
            }
        })
        .collect();
    desk.submit(
        &natural,
        "expropriation.plan",
        json!({"expropriation": x, "survey_sha256": "6f".repeat(32), "plan_sha256": "70".repeat(32),
               "notice_from": day.to_string(), "notice_to": (day + chrono::Days::new(29)).to_string(),
               "hearing_requested": false, "compensation": lines}),
    )?;
    desk.submit(
        &natural,
        "expropriation.pay",
        json!({"expropriation": x, "party": VILLAGE, "amount": land, "document_sha256": "71".repeat(32)}),
    )?;
    // The village's members share out a year's income from its operating
    // assets (S3): reserve and welfare first, the rest by shares. Its
    // members' assembly counts every member on the log (D1).
    let members: usize = households(&Plan::demo(), HOUSEHOLDS_PER_VILLAGE)
        .iter()
        .filter(|h| h.code.starts_with(VILLAGE))
        .map(|h| h.persons.len())
        .sum();
    let (present, against) = (members * 5 / 6, members / 24);
    let decision = desk.submit(
        &collective,
        "decision.record",
        json!({"assembly": "members_assembly", "subject": "operating_assets",
               "question": format!("{VILLAGE} 2026 年集体经营性收益分配"), "date": day.to_string(),
               "eligible": members, "present": present, "for": present - against,
               "against": against, "minutes_sha256": "72".repeat(32)}),
    )?;
    desk.submit(
        &collective,
        "dividend.distribute",
        json!({"decision": decision, "total": "186000.00", "reserve": "18600.00", "welfare": "9300.00"}),
    )?;
    // 王大爷 of the third household lost his phone: the collective signed
    // the recovery of his household's key to the one his new phone offers,
    // and it waits under its short code for the county registry's
    // cosignature (A2) — for as long as a signature is good.
    let recovery = Envelope::sign(
        &collective,
        &desk.origin,
        "key.register",
        &new_nonce(),
        &desk.registry.now_stamp(),
        json!({"vkey": phone.verifier().to_string(), "role": "household", "party": village[2].code}),
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    desk.registry
        .keep_draft(&recovery.to_json())
        .map_err(|e| CliError::Usage(format!("demo recovery: {e}")))?;
    let Desk {
        registry, entries, ..
    } = desk;
    registry.shutdown();
    Ok(entries)
}
