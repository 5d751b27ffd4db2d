//! `sanquan bench deals`: complete exchange deals, listing to settlement,
//! every step a signed entry through the one writer.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};

use super::COUNTY;
use crate::cli::generate::{households, Plan};
use crate::cli::peak_rss_mib;
use crate::cli::{new_nonce, CliError};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::registry::Registry;
use crate::store::{queries, Clock, Db, Writer};

/// Households of each generated collective; each lists its land once.
const PER_COLLECTIVE: u64 = 2000;
/// One deal in this many also draws a member of the collective, who matches
/// the outsider's bid in an auction (M3, X4).
const AUCTION_EVERY: usize = 10;
const TRANSFEREE: &str = "91350100M000100Y43";

/// One entry to sign: key, kind, body.
type Step<'k> = (&'k SignerKey, &'static str, Value);

struct Timer {
    origin: String,
    /// Every entry through the registry, as the API submits it.
    registry: Registry,
    signing: Duration,
    writing: Duration,
    entries: usize,
}

impl Timer {
    /// Signs the steps in parallel, as many clients would, then has the
    /// writer append them; every one must be accepted.
    fn run(&mut self, what: &str, steps: Vec<Step>) -> Result<Vec<u64>, CliError> {
        let started = Instant::now();
        let time = self.registry.now_stamp();
        let envelopes: Vec<Envelope> = steps
            .into_par_iter()
            .map(|(key, kind, body)| {
                Envelope::sign(key, &self.origin, kind, &new_nonce(), &time, body)
                    .map_err(|e| CliError::Usage(format!("{kind}: {e}")))
            })
            .collect::<Result<_, _>>()?;
        self.signing += started.elapsed();
        let n = envelopes.len();
        let started = Instant::now();
        let answers = self
            .registry
            .submit_batch(envelopes)
            .map_err(|e| CliError::Usage(format!("{what}: {e}")))?
            .wait();
        let took = started.elapsed();
        self.writing += took;
        self.entries += n;
        eprintln!(
            "  {what:<16} {n:>6} entries in {:>6.2} s ({:.0}/s)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
        answers
            .into_iter()
            .map(|a| {
                a.map(|r| r.index)
                    .map_err(|e| CliError::Usage(format!("{what}: {e}")))
            })
            .collect()
    }
}

pub fn deals(deals: u64, postgres: bool) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-deals-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let collectives = deals.div_ceil(PER_COLLECTIVE).max(1);
    let plan = Plan::synthetic(collectives * 2500);
    let (pg, url) = super::throwaway_postgres(postgres)?;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let county = super::GeneratedCounty::create(&tmp, &plan, url)?;
    let report = super::super::import::run(&county.dir, None, &county.keys, None, &county.file)?;
    if !report.rejected.is_empty() {
        return Err(CliError::Usage(format!(
            "the county did not load: {:?}",
            report.rejected[0]
        )));
    }
    let dir = &county.dir;
    let db = Db::open(&dir.database_url(None), COUNTY)?;
    let clock = Clock::default();
    let registry = Registry::new(
        db.clone(),
        Writer::start_with_clock(&db, dir.log_key()?, clock.clone())?,
    );
    let origin = log_origin(COUNTY);
    let county_key = crate::cli::datadir::read_signer_key(&dir.key_path("registry.key"))?;
    let exchange = SignerKey::generate("exchange").expect("name");
    let transferee = SignerKey::generate("transferee").expect("name");
    let mut t = Timer {
        origin,
        registry,
        signing: Duration::ZERO,
        writing: Duration::ZERO,
        entries: 0,
    };
    t.run(
        "exchange keys",
        vec![(
            &county_key,
            "key.register",
            json!({"vkey": exchange.verifier().to_string(), "role": "exchange", "party": COUNTY}),
        )],
    )?;
    t.run(
        "transferee key",
        vec![(
            &exchange,
            "key.register",
            json!({"vkey": transferee.verifier().to_string(), "role": "transferee", "party": TRANSFEREE}),
        )],
    )?;
    t.run(
        "transferee review",
        vec![(
            &county_key,
            "transferee.qualify",
            json!({"party": TRANSFEREE, "kind": "organisation", "project_sha256": "a1".repeat(32),
                   "risk_sha256": "b2".repeat(32), "approved": true}),
        )],
    )?;

    // The households, their keys and contracts: set-up, not timed.
    let people: Vec<_> = households(&plan, PER_COLLECTIVE)
        .into_iter()
        .filter(|h| !h.parcels.is_empty())
        .take(deals as usize)
        .collect();
    if (people.len() as u64) < deals {
        return Err(CliError::Usage(format!(
            "the generated county has land for {} households",
            people.len()
        )));
    }
    let keys: Vec<SignerKey> = people
        .par_iter()
        .map(|h| SignerKey::generate(&format!("household-{}", h.code)).expect("name"))
        .collect();
    let collective_keys: Vec<(String, SignerKey)> = (0..plan.collectives())
        .map(|k| {
            let code = plan.collective_code(k);
            let key = crate::cli::datadir::read_signer_key(&county.collective_key(&code))?;
            Ok((code, key))
        })
        .collect::<Result<_, CliError>>()?;
    let collective_of = |code: &str| {
        &collective_keys
            .iter()
            .find(|(c, _)| code.starts_with(c.as_str()))
            .expect("a generated collective")
            .1
    };
    eprintln!(
        "bench deals: set-up of {} households in {} collectives",
        people.len(),
        plan.collectives()
    );
    // Several clients at once, so the writer commits them in groups. (Not
    // rayon's pool: the writer checks signatures on it.)
    let register = |h: &crate::cli::generate::DemoHousehold| -> Result<(), CliError> {
        let members: Vec<Value> = h
            .persons
            .iter()
            .map(|(p, r)| json!({"person": p.commitment(), "relation": r}))
            .collect();
        let env = Envelope::sign(
            collective_of(&h.code),
            &t.origin,
            "household.register",
            &new_nonce(),
            &t.registry.now_stamp(),
            json!({"CBFBM": h.code, "members": members}),
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
        let personal = h.persons.iter().map(|(p, _)| p.clone()).collect();
        t.registry
            .submit_blocking(env, personal)
            .map(|_| ())
            .map_err(|e| CliError::Usage(format!("household.register: {e}")))
    };
    std::thread::scope(|scope| {
        let clients: Vec<_> = people
            .chunks(people.len().div_ceil(8))
            .map(|chunk| scope.spawn(|| chunk.iter().try_for_each(register)))
            .collect();
        clients
            .into_iter()
            .try_for_each(|c| c.join().expect("client thread"))
    })?;
    let mut setup: Vec<Step> = Vec::new();
    for (h, key) in people.iter().zip(&keys) {
        let by = collective_of(&h.code);
        setup.push((
            by,
            "key.register",
            json!({"vkey": key.verifier().to_string(), "role": "household", "party": h.code}),
        ));
        let persons: Vec<String> = h.persons.iter().map(|(p, _)| p.commitment()).collect();
        setup.push((
            by,
            "contract.grant",
            json!({"CBHTBM": format!("{}J", h.code), "CBFBM": h.code, "DKBM": h.parcels,
                   "start": "2026-01-01", "end": "2055-12-31", "certificate_members": persons}),
        ));
    }
    t.run("set-up", setup)?;
    let (setup_entries, setup_writing) = (t.entries, t.writing);
    t.entries = 0;
    t.writing = Duration::ZERO;
    t.signing = Duration::ZERO;

    println!(
        "bench deals: {deals} complete deals on {backend} (1 in {AUCTION_EVERY} an auction with member priority), 2 cores"
    );
    let started = Instant::now();
    let n = people.len();
    let listings = t.run(
        "listing.submit",
        people
            .iter()
            .zip(&keys)
            .map(|(h, key)| {
                let body = json!({"mode": "lease", "DKBM": h.parcels, "start": "2027-01-01", "end": "2031-12-31",
                    "TDYT": "1", "reserve": "30000.00", "increment": "500.00", "deposit": "2000.00", "auction_minutes": 10});
                (key, "listing.submit", body)
            })
            .collect(),
    )?;
    t.run(
        "listing.review",
        listings
            .iter()
            .map(|id| {
                (
                    &exchange,
                    "listing.review",
                    json!({"listing": id, "approve": true, "reason": "材料齐全"}),
                )
            })
            .collect(),
    )?;
    // The member bidder of deal i is the household of deal i + 1, of the
    // same collective.
    let auction = |i: usize| {
        i.is_multiple_of(AUCTION_EVERY)
            && i + 1 < n
            && crate::model::codes::collective_of(&people[i].code)
                == crate::model::codes::collective_of(&people[i + 1].code)
    };
    let mut intents: Vec<Step> = Vec::new();
    for (i, id) in listings.iter().enumerate() {
        intents.push((
            &transferee,
            "intent.register",
            json!({"listing": id, "deposit": "2000.00"}),
        ));
        if auction(i) {
            intents.push((
                &keys[i + 1],
                "intent.register",
                json!({"listing": id, "deposit": "2000.00"}),
            ));
        }
    }
    t.run("intent.register", intents)?;
    let mut deposits: Vec<Step> = Vec::new();
    for (i, id) in listings.iter().enumerate() {
        deposits.push((
            &exchange,
            "deposit.confirm",
            json!({"listing": id, "party": TRANSFEREE}),
        ));
        if auction(i) {
            deposits.push((
                &exchange,
                "deposit.confirm",
                json!({"listing": id, "party": people[i + 1].code}),
            ));
        }
    }
    t.run("deposit.confirm", deposits)?;
    // Ten working days of notice pass.
    clock.advance(chrono::Duration::days(20));
    t.run(
        "bid.place",
        listings
            .iter()
            .map(|id| {
                (
                    &transferee,
                    "bid.place",
                    json!({"listing": id, "amount": "30000.00"}),
                )
            })
            .collect(),
    )?;
    t.run(
        "bid.match",
        (0..n)
            .filter(|&i| auction(i))
            .map(|i| (&keys[i + 1], "bid.match", json!({"listing": listings[i]})))
            .collect(),
    )?;
    // The auctions' deadlines pass.
    clock.advance(chrono::Duration::minutes(30));
    t.run(
        "listing.award",
        listings
            .iter()
            .map(|id| (&exchange, "listing.award", json!({"listing": id})))
            .collect(),
    )?;
    // Each party reads the contract it signs, as from GET /listings/{id}/contract
    // (the first read keeps its 当事人信息及签署页).
    let reading = Instant::now();
    let mut signs: Vec<Step> = Vec::new();
    for (i, id) in listings.iter().enumerate() {
        let copy = t
            .registry
            .contract(*id, None)
            .map_err(|e| CliError::Usage(format!("bench deals: contract {id}: {e}")))?;
        let winner = if auction(i) {
            &keys[i + 1]
        } else {
            &transferee
        };
        for key in [&keys[i], winner] {
            signs.push((
                key,
                "contract.sign",
                json!({"listing": id, "contract_sha256": copy.sha256, "schedule_sha256": copy.schedule_sha256}),
            ));
        }
    }
    let reading = reading.elapsed();
    t.run("contract.sign", signs)?;
    t.run(
        "title.verify",
        listings
            .iter()
            .map(|id| (&county_key, "title.verify", json!({"listing": id})))
            .collect(),
    )?;
    let mut conn = db.conn()?;
    let mut payments: Vec<Step> = Vec::new();
    for id in &listings {
        let l = queries::listing(&mut conn, COUNTY, *id)?.expect("listing");
        let price = l.award.expect("awarded").price.to_string();
        payments.push((
            &exchange,
            "payment.confirm",
            json!({"listing": id, "amount": price}),
        ));
    }
    drop(conn);
    t.run("payment.confirm", payments)?;
    t.run(
        "deal.settle",
        listings
            .iter()
            .map(|id| {
                (
                    &exchange,
                    "deal.settle",
                    json!({"listing": id, "certificate_no": format!("JZ{COUNTY}-{id}")}),
                )
            })
            .collect(),
    )?;
    let total = started.elapsed();
    let Timer {
        registry,
        signing,
        writing,
        entries,
        ..
    } = t;
    registry.shutdown();

    let mut conn = db.conn()?;
    let settled = queries::listings(&mut conn, COUNTY, Some("settled"), None, None, i64::MAX)?;
    let won_by_members = settled
        .iter()
        .filter(|l| l.award.as_ref().is_some_and(|a| a.party != TRANSFEREE))
        .count();
    if settled.len() != n {
        return Err(CliError::Usage(format!(
            "{} of {n} deals settled",
            settled.len()
        )));
    }
    println!(
        "  set-up: {} households, keys and contracts: {setup_entries} entries in {:.2} s (not counted)",
        n,
        setup_writing.as_secs_f64()
    );
    println!(
        "  deals: {n} settled ({won_by_members} won by a member matching the outsider) = {entries} signed entries in {:.2} s wall = {:.0} deals/s",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    println!(
        "    of which the writer (rules, log, projections, durable commit): {:.2} s = {:.0} entries/s; clients signing: {:.2} s; reading contracts and prices: {:.2} s",
        writing.as_secs_f64(),
        entries as f64 / writing.as_secs_f64(),
        signing.as_secs_f64(),
        reading.as_secs_f64()
    );
    let started = Instant::now();
    let report = crate::store::verify::verify(&db, &dir.log_key()?.verifier(), |_, _| {})?;
    println!(
        "  verify: the whole log ({} entries) replayed and checked against the projections in {:.2} s",
        report.entries,
        started.elapsed().as_secs_f64()
    );
    println!("  peak memory: {} MiB", peak_rss_mib());
    drop(conn);
    drop(db);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
