//! `sanquan bench kills` (issue 21, part 7): a real `sanquan serve` killed
//! with SIGKILL again and again under a mixed load — a survey's parcels
//! registered, households registered with their personal data, contracts
//! granted, land listed and the exchange's steps taken, keys bound, titles
//! read — on SQLite or on PostgreSQL. After each kill every acknowledged
//! entry must be in the log as it was acknowledged (its leaf hash), no index
//! acknowledged twice, and `verify` must pass; then the server starts again
//! and each client takes up where it was, sending again, byte for byte, the
//! entry that had no answer: already in the log, it is refused
//! `replayed_nonce` with its index, and the client goes on from there.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::hostile::Server;
use super::COUNTY;
use crate::cli::datadir::read_signer_key;
use crate::cli::generate::{features, households, DemoHousehold, Plan};
use crate::cli::{new_nonce, now, CliError};
use crate::ledger::merkle::{leaf_hash, Hash};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::store::{queries, Db};

/// Households of each collective imported before the rounds.
const PER_COLLECTIVE: u64 = 1000;
/// Rounds one collective's households keep busy (more rounds, more land).
const ROUNDS_PER_COLLECTIVE: u32 = 15;
/// Rounds one collective's survey keeps busy.
const ROUNDS_PER_SURVEY: u32 = 10;
const TRANSFEREE: &str = "91350100M000100Y43";

/// What the server answered an entry.
enum Answer {
    /// Written: its index and leaf hash.
    Acked(u64, Hash),
    /// Written before, its answer lost in a kill (`replayed_nonce`).
    AlreadyIn(u64),
    /// No answer: the server is gone.
    Down,
    /// `503`: send it again in a moment.
    Busy,
}

fn send(agent: &ureq::Agent, url: &str, what: &str, bytes: &[u8]) -> Result<Answer, CliError> {
    let answer = agent
        .post(&format!("{url}/entries"))
        .set("Content-Type", "application/json")
        .send_bytes(bytes);
    let refused = |status: u16, v: &Value| {
        CliError::Usage(format!(
            "bench kills: {what} refused {status} {}: {}",
            v["error"]["code"], v["error"]["message"]
        ))
    };
    match answer {
        Ok(r) => {
            let v: Value = r.into_json()?;
            let hash = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                v["leaf_hash"].as_str().unwrap_or_default(),
            )
            .ok()
            .and_then(|h| Hash::try_from(h).ok());
            match (v["index"].as_u64(), hash) {
                (Some(index), Some(hash)) => Ok(Answer::Acked(index, hash)),
                _ => Err(refused(201, &v)),
            }
        }
        Err(ureq::Error::Status(503, _)) => Ok(Answer::Busy),
        Err(ureq::Error::Status(status, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            if v["error"]["code"] != "replayed_nonce" {
                return Err(refused(status, &v));
            }
            // "… already used this nonce (log index N)"
            let message = v["error"]["message"].as_str().unwrap_or_default();
            message
                .rsplit("log index ")
                .next()
                .and_then(|n| n.trim_end_matches(')').parse().ok())
                .map(Answer::AlreadyIn)
                .ok_or_else(|| refused(status, &v))
        }
        Err(ureq::Error::Transport(_)) => Ok(Answer::Down),
    }
}

/// One client's work: entries sent one after another, each depending on
/// the answers before it.
trait Load: Send {
    fn name(&self) -> &'static str;
    /// The entry to send: the same bytes again until it is answered; `None`
    /// when the work is done.
    fn pending(&mut self) -> Option<&[u8]>;
    /// The pending entry is in the log at `index`.
    fn answered(&mut self, index: u64);
}

/// The key of the collective whose code begins `code` (a parcel's, a
/// household's).
fn collective_key<'k>(keys: &'k [(String, SignerKey)], code: &str) -> &'k SignerKey {
    &keys
        .iter()
        .find(|(c, _)| code.starts_with(c.as_str()))
        .expect("a generated collective")
        .1
}

/// Signs an entry of `kind` by `key` (a fresh nonce: the envelope is then
/// kept and sent as it is until answered).
fn signed(key: &SignerKey, kind: &str, body: Value) -> Vec<u8> {
    Envelope::sign(key, &log_origin(COUNTY), kind, &new_nonce(), &now(), body)
        .expect("a well-formed entry")
        .to_json()
}

/// The survey: parcels registered by their collectives, one by one.
struct Survey {
    parcels: VecDeque<Value>,
    collectives: Vec<(String, SignerKey)>,
    pending: Option<Vec<u8>>,
}

impl Load for Survey {
    fn name(&self) -> &'static str {
        "parcel.register"
    }
    fn pending(&mut self) -> Option<&[u8]> {
        if self.pending.is_none() {
            let f = self.parcels.front()?;
            let mut body = f["properties"].clone();
            body["geometry"] = f["geometry"].clone();
            let key = collective_key(&self.collectives, body["DKBM"].as_str().unwrap_or_default());
            self.pending = Some(signed(key, "parcel.register", body));
        }
        self.pending.as_deref()
    }
    fn answered(&mut self, _: u64) {
        self.parcels.pop_front();
        self.pending = None;
    }
}

/// Households, each through seven entries: registered with its members'
/// personal data, its key bound, its contract granted, its land listed,
/// the listing reviewed, an intent registered and the deposit confirmed.
struct Households {
    queue: VecDeque<DemoHousehold>,
    stage: u8,
    listing: u64,
    key: SignerKey,
    collectives: Vec<(String, SignerKey)>,
    exchange: SignerKey,
    transferee: SignerKey,
    pending: Option<Vec<u8>>,
}

impl Households {
    fn entry(&mut self) -> Option<Vec<u8>> {
        let h = self.queue.front()?;
        let collective = collective_key(&self.collectives, &h.code);
        let listing = self.listing;
        Some(match self.stage {
            0 => {
                self.key = SignerKey::generate(&format!("household-{}", h.code)).expect("name");
                let members: Vec<Value> = h
                    .persons
                    .iter()
                    .map(|(p, r)| json!({"person": p.commitment(), "relation": r}))
                    .collect();
                let env = signed(
                    collective,
                    "household.register",
                    json!({"CBFBM": h.code, "members": members}),
                );
                let personal: Vec<_> = h.persons.iter().map(|(p, _)| p).collect();
                let envelope: Value = serde_json::from_slice(&env).expect("JSON");
                serde_json::to_vec(&json!({"envelope": envelope, "personal": personal}))
                    .expect("JSON")
            }
            1 => signed(
                collective,
                "key.register",
                json!({"vkey": self.key.verifier().to_string(), "role": "household", "party": h.code}),
            ),
            2 => {
                let persons: Vec<String> = h.persons.iter().map(|(p, _)| p.commitment()).collect();
                signed(
                    collective,
                    "contract.grant",
                    json!({"CBHTBM": format!("{}J", h.code), "CBFBM": h.code, "DKBM": h.parcels,
                           "start": "2026-01-01", "end": "2055-12-31", "certificate_members": persons}),
                )
            }
            3 => signed(
                &self.key,
                "listing.submit",
                json!({"mode": "lease", "DKBM": h.parcels, "start": "2027-01-01", "end": "2031-12-31",
                       "TDYT": "1", "reserve": "30000.00", "increment": "500.00", "deposit": "2000.00",
                       "auction_minutes": 10}),
            ),
            4 => signed(
                &self.exchange,
                "listing.review",
                json!({"listing": listing, "approve": true, "reason": "材料齐全"}),
            ),
            5 => signed(
                &self.transferee,
                "intent.register",
                json!({"listing": listing, "deposit": "2000.00"}),
            ),
            _ => signed(
                &self.exchange,
                "deposit.confirm",
                json!({"listing": listing, "party": TRANSFEREE}),
            ),
        })
    }
}

impl Load for Households {
    fn name(&self) -> &'static str {
        "household steps"
    }
    fn pending(&mut self) -> Option<&[u8]> {
        if self.pending.is_none() {
            self.pending = self.entry();
        }
        self.pending.as_deref()
    }
    fn answered(&mut self, index: u64) {
        if self.stage == 3 {
            self.listing = index;
        }
        self.stage += 1;
        if self.stage == 7 {
            self.stage = 0;
            self.queue.pop_front();
        }
        self.pending = None;
    }
}

/// The county binds keys for collectives (as the crash test of old did).
struct KeyBindings {
    county: SignerKey,
    next: u64,
    pending: Option<Vec<u8>>,
}

impl Load for KeyBindings {
    fn name(&self) -> &'static str {
        "key.register"
    }
    fn pending(&mut self) -> Option<&[u8]> {
        if self.pending.is_none() {
            let key = SignerKey::generate("c").expect("name");
            let party = format!("{COUNTY}{:08}", 10_000_000 + self.next);
            self.pending = Some(signed(
                &self.county,
                "key.register",
                json!({"vkey": key.verifier().to_string(), "role": "collective", "party": party}),
            ));
        }
        self.pending.as_deref()
    }
    fn answered(&mut self, _: u64) {
        self.next += 1;
        self.pending = None;
    }
}

/// What the clients counted, over all rounds.
#[derive(Default)]
struct Tally {
    /// Every acknowledged entry: index, leaf hash.
    acked: Mutex<Vec<(u64, Hash)>>,
    /// Entries written whose answer a kill took (found by sending again).
    resent_in_log: AtomicU64,
    reads: AtomicU64,
}

/// Sends `load`'s entries until it is done or the server is gone.
fn drive(load: &mut dyn Load, url: &str, tally: &Tally) -> Result<(), CliError> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let what = load.name();
    while let Some(bytes) = load.pending() {
        match send(&agent, url, what, bytes)? {
            Answer::Acked(index, hash) => {
                tally.acked.lock().expect("tally").push((index, hash));
                load.answered(index);
            }
            Answer::AlreadyIn(index) => {
                tally.resent_in_log.fetch_add(1, Ordering::Relaxed);
                load.answered(index);
            }
            Answer::Down => return Ok(()),
            Answer::Busy => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    Ok(())
}

/// Reads titles and households until the server is gone.
fn read(url: &str, parcels: &[String], households: &[String], tally: &Tally) {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    for i in 0.. {
        let path = if i % 2 == 0 {
            format!("/titles/{}", parcels[i % parcels.len()])
        } else {
            format!("/households/{}", households[i % households.len()])
        };
        match agent.get(&format!("{url}{path}")).call() {
            Ok(r) => {
                let _ = r.into_string();
            }
            Err(ureq::Error::Status(..)) => {}
            Err(ureq::Error::Transport(_)) => return,
        }
        tally.reads.fetch_add(1, Ordering::Relaxed);
    }
}

/// After a kill: every acknowledged entry is in the log with the leaf hash
/// it was acknowledged with, no index twice; then `verify`. Returns the
/// log's size and how long `verify` took.
fn check(db_url: &str, log_key: &SignerKey, tally: &Tally) -> Result<(u64, Duration), CliError> {
    let db = Db::open(db_url, COUNTY)?;
    let mut acked = tally.acked.lock().expect("tally").clone();
    acked.sort_unstable_by_key(|(i, _)| *i);
    if let Some(w) = acked.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CliError::Usage(format!(
            "bench kills: index {} acknowledged twice",
            w[0].0
        )));
    }
    let mut conn = db.dedicated()?;
    let mut next = acked.iter().peekable();
    let mut from = 0;
    loop {
        let rows = queries::log_rows(&mut conn, COUNTY, from, 50_000)?;
        let Some(last) = rows.last().map(|r| r.0 as u64) else {
            break;
        };
        for (index, _, _, _, leaf) in &rows {
            if let Some((_, hash)) = next.next_if(|(i, _)| *i == *index as u64) {
                if leaf_hash(leaf) != *hash {
                    return Err(CliError::Usage(format!(
                        "bench kills: entry {index} is not the one acknowledged"
                    )));
                }
            }
        }
        from = last + 1;
    }
    if let Some((index, _)) = next.next() {
        return Err(CliError::Usage(format!(
            "bench kills: acknowledged entry {index} is not in the log"
        )));
    }
    drop(conn);
    let started = Instant::now();
    let report = crate::store::verify::verify(&db, &log_key.verifier(), |_, _| {})
        .map_err(|e| CliError::Usage(format!("bench kills: verify: {e}")))?;
    Ok((report.entries, started.elapsed()))
}

pub fn kills(rounds: u32, postgres: bool, seed: u64) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!("sanquan-bench-kills-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let (pg, db_url) = super::throwaway_postgres(postgres)?;
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };

    // The county: every collective's boundary and the land of the first
    // few imported before the rounds; the rest of the land is the survey
    // registered over HTTP while the server is killed.
    let settled = rounds.div_ceil(ROUNDS_PER_COLLECTIVE).max(1) as u64;
    let surveyed = rounds.div_ceil(ROUNDS_PER_SURVEY).max(1) as u64;
    let plan = Plan::synthetic(2500 * (settled + surveyed));
    let collectives = plan.collectives();
    let file = tmp.join("county.geojson");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        use std::io::Write;
        writeln!(out, "{{\"type\":\"FeatureCollection\",\"features\":[")?;
        let first = features(&plan).take((collectives + settled * plan.per_collective) as usize);
        for (i, f) in first.enumerate() {
            write!(out, "{}{f}", if i > 0 { ",\n" } else { "" })?;
        }
        writeln!(out, "\n]}}")?;
    }
    let county = super::GeneratedCounty::keyed(&tmp, &plan, db_url, file)?;
    let started = Instant::now();
    let report = super::super::import::run(&county.dir, None, &county.keys, None, &county.file)?;
    if !report.rejected.is_empty() {
        return Err(CliError::Usage(format!(
            "bench kills: the county did not load: {:?}",
            report.rejected[0]
        )));
    }
    eprintln!(
        "bench kills: {} collectives and {} parcels imported in {:.1} s",
        collectives,
        settled * plan.per_collective,
        started.elapsed().as_secs_f64()
    );
    let collective_keys: Vec<(String, SignerKey)> = (0..collectives)
        .map(|k| {
            let code = plan.collective_code(k);
            Ok((
                code.clone(),
                read_signer_key(&county.collective_key(&code))?,
            ))
        })
        .collect::<Result<_, CliError>>()?;
    let county_key = read_signer_key(&county.dir.key_path("registry.key"))?;
    let log_key = county.dir.log_key()?;
    let db_url = county.dir.database_url(None);
    let data = county.dir.path.clone();

    let people: VecDeque<DemoHousehold> = households(&plan, PER_COLLECTIVE)
        .into_iter()
        .filter(|h| !h.parcels.is_empty())
        .filter(|h| {
            collective_keys[..settled as usize]
                .iter()
                .any(|(c, _)| h.code.starts_with(c.as_str()))
        })
        .collect();
    let parcels_read: Vec<String> = people.iter().flat_map(|h| h.parcels.clone()).collect();
    let households_read: Vec<String> = people.iter().map(|h| h.code.clone()).collect();
    let exchange = SignerKey::generate("exchange").expect("name");
    let transferee = SignerKey::generate("transferee").expect("name");
    let half = people.len() / 2;
    let mut loads: Vec<Box<dyn Load>> = vec![
        Box::new(Survey {
            parcels: features(&plan)
                .skip((collectives + settled * plan.per_collective) as usize)
                .collect(),
            collectives: collective_keys.clone(),
            pending: None,
        }),
        Box::new(KeyBindings {
            county: county_key.clone(),
            next: 0,
            pending: None,
        }),
    ];
    for part in [people.range(..half), people.range(half..)] {
        loads.push(Box::new(Households {
            queue: part.cloned().collect(),
            stage: 0,
            listing: 0,
            key: SignerKey::generate("household").expect("name"),
            collectives: collective_keys.clone(),
            exchange: exchange.clone(),
            transferee: transferee.clone(),
            pending: None,
        }));
    }

    // The exchange and its transferee, before the first kill.
    let tally = Tally::default();
    let server = Server::serve(&data)?;
    let agent = ureq::agent();
    for (what, bytes) in [
        (
            "exchange key",
            signed(
                &county_key,
                "key.register",
                json!({"vkey": exchange.verifier().to_string(), "role": "exchange", "party": COUNTY}),
            ),
        ),
        (
            "transferee key",
            signed(
                &exchange,
                "key.register",
                json!({"vkey": transferee.verifier().to_string(), "role": "transferee", "party": TRANSFEREE}),
            ),
        ),
        (
            "transferee review",
            signed(
                &county_key,
                "transferee.qualify",
                json!({"party": TRANSFEREE, "kind": "organisation", "project_sha256": "a1".repeat(32),
                   "risk_sha256": "b2".repeat(32), "approved": true}),
            ),
        ),
    ] {
        match send(&agent, &server.url, what, &bytes)? {
            Answer::Acked(index, hash) => tally.acked.lock().expect("tally").push((index, hash)),
            _ => return Err(CliError::Usage(format!("bench kills: {what} not written"))),
        }
    }

    println!(
        "bench kills: sanquan serve on {backend}, SIGKILL {rounds} times, each 50–450 ms into a mixed load (parcels registered; households registered with personal data, keyed, contracted, listed, reviewed, bid for, deposits confirmed; collective keys bound; titles and households read), 2 cores"
    );
    let mut moments = crate::cli::generate::Rng(seed);
    let (mut starts, mut verifies) = (Vec::new(), Vec::new());
    let mut server = Some(server);
    let mut size = 0;
    for round in 0..rounds {
        let live = match server.take() {
            Some(s) => s,
            None => {
                let started = Instant::now();
                let s = Server::serve(&data)?;
                starts.push(started.elapsed());
                s
            }
        };
        let url = live.url.clone();
        let before = tally.acked.lock().expect("tally").len();
        // 50 to 450 ms into the load.
        let wait = Duration::from_millis(50 + moments.next() % 400);
        std::thread::scope(|s| {
            let (url, tally) = (&url, &tally);
            let clients: Vec<_> = loads
                .iter_mut()
                .map(|load| s.spawn(move || drive(load.as_mut(), url, tally)))
                .collect();
            s.spawn(|| read(url, &parcels_read, &households_read, tally));
            std::thread::sleep(wait);
            live.kill();
            clients
                .into_iter()
                .try_for_each(|c| c.join().expect("client thread"))
        })?;
        let (entries, took) = check(&db_url, &log_key, &tally)?;
        verifies.push(took);
        size = entries;
        let acked = tally.acked.lock().expect("tally").len();
        if round % 20 == 0 || round + 1 == rounds {
            eprintln!(
                "  kill {:>3} at {:>3} ms: {:>5} acknowledged this round, log {entries}, verify {:.2} s",
                round + 1,
                wait.as_millis(),
                acked - before,
                took.as_secs_f64()
            );
        }
    }
    starts.sort();
    verifies.sort();
    let acked = tally.acked.lock().expect("tally").len();
    let left: Vec<String> = loads
        .iter_mut()
        .map(|l| {
            let name = l.name();
            format!(
                "{name}: {}",
                if l.pending().is_some() {
                    "more to do"
                } else {
                    "done"
                }
            )
        })
        .collect();
    println!(
        "  {rounds} kills: {acked} entries acknowledged, every one found in the log with its leaf hash after each kill; {} written but unanswered (sent again and refused replayed_nonce); log {size} entries; {} reads",
        tally.resent_in_log.load(Ordering::Relaxed),
        tally.reads.load(Ordering::Relaxed),
    );
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let pick =
        |v: &[Duration], q: f64| v.get(((v.len() as f64 - 1.0) * q) as usize).map_or(0.0, ms);
    println!(
        "  verify after each kill: passed {} times, p50 {:.0} ms, max {:.0} ms; restart to first answer: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        verifies.len(),
        pick(&verifies, 0.5),
        verifies.last().map_or(0.0, ms),
        pick(&starts, 0.5),
        pick(&starts, 0.99),
        starts.last().map_or(0.0, ms),
    );
    println!("  clients: {}", left.join(", "));
    drop(pg);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
