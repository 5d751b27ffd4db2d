//! `sanquan demo`: a fresh data directory with a demo county, loaded through
//! the one pipeline, then served.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::datadir::{read_signer_key, write_key_pair, DataDir};
use super::{import, new_nonce, CliError, NewLog};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::model::person::PersonRecord;
use crate::registry::Registry;
use crate::store::{Clock, Db};

mod market;

pub const COUNTY: &str = "140421";
pub const COUNTY_NAME: &str = "平顺县";

/// The demo's actors: (key file, role, party, who binds it).
const ACTORS: &[(&str, &str, &str, &str)] = &[
    ("exchange", "exchange", COUNTY, "registry"),
    (
        "collective-14042100100101",
        "collective",
        "14042100100101",
        "registry",
    ),
    (
        "collective-14042100100201",
        "collective",
        "14042100100201",
        "registry",
    ),
    (
        "household-140421001001010001",
        "household",
        "140421001001010001",
        "collective-14042100100101",
    ),
    (
        "household-140421001001010002",
        "household",
        "140421001001010002",
        "collective-14042100100101",
    ),
    (
        "household-140421001002010001",
        "household",
        "140421001002010001",
        "collective-14042100100201",
    ),
    (
        "transferee-91350100M000100Y43",
        "transferee",
        "91350100M000100Y43",
        "exchange",
    ),
];

/// A new data directory for the demo: the one given, or a fresh one under the
/// system's temporary directory.
pub fn demo_dir(given: Option<&Path>) -> PathBuf {
    given.map(Path::to_owned).unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "sanquan-demo-{}",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        ))
    })
}

/// Creates the demo county in `path` and loads its actors' keys.
pub fn load(path: &Path, database_url: Option<String>) -> Result<DataDir, CliError> {
    // The demo's history is dated back five weeks, so that notices have run
    // and deals have settled by the time it is served.
    let clock = Clock::behind(chrono::Duration::days(35));
    let log = NewLog::create_on(path, COUNTY, COUNTY_NAME, database_url, clock)?;
    let demo_keys = log.dir.key_path("demo");
    std::fs::create_dir_all(&demo_keys)?;
    let registry = log.department(crate::model::Department::Registry).clone();
    let mut keys = vec![("registry".to_owned(), registry)];
    for (name, role, party, by) in ACTORS {
        let key = SignerKey::generate(name).expect("name");
        write_key_pair(&demo_keys.join(format!("{name}.key")), &key)?;
        let signer = &keys
            .iter()
            .find(|(n, _)| n == by)
            .expect("binder listed first")
            .1;
        let body = json!({"vkey": key.verifier().to_string(), "role": role, "party": party});
        log.submit(signer, "key.register", body)?;
        keys.push(((*name).to_owned(), key));
    }
    let NewLog {
        dir, writer, _lock, ..
    } = log;
    writer.shutdown();
    drop(_lock);
    // The demo county's land, through `import` as a county would load it.
    let file = dir.path.join("demo-county.geojson");
    std::fs::write(&file, DEMO_COUNTY)?;
    let mut signers = vec![dir.key_path("registry.key")];
    for (name, role, ..) in ACTORS {
        if *role == "collective" {
            signers.push(demo_keys.join(format!("{name}.key")));
        }
    }
    let report = import::run(
        &dir,
        None,
        &signers,
        Some(&dir.path.join("demo-import.json")),
        &file,
    )?;
    if !report.rejected.is_empty() {
        return Err(CliError::Usage(format!(
            "the demo county did not load: {:?}",
            report.rejected[0]
        )));
    }
    println!(
        "demo land:    {} collectives and parcels registered",
        report.accepted.len()
    );
    let people = populate(&dir)?;
    println!(
        "demo people:  {} households with members, contracts, homesteads and shares ({people} entries)",
        2 * HOUSEHOLDS_PER_VILLAGE
    );
    let market = market::load(&dir)?;
    println!(
        "demo market:  5 deals settled, an auction running, 2 listings under notice, an attestation, an expropriation under way, a dividend shared out ({market} entries)"
    );
    Ok(dir)
}

/// Households in each of the demo's two villages.
const HOUSEHOLDS_PER_VILLAGE: u64 = 75;

/// The demo's people and rights, through the pipeline: households with their
/// personal data (off the log), membership, land contracts over the
/// villages' parcels, homesteads, and quantified shares.
fn populate(dir: &DataDir) -> Result<usize, CliError> {
    use super::generate::{households, Plan};
    let _lock = dir.lock()?;
    let db = Db::open(&dir.database_url(None), COUNTY)?;
    let registry = Registry::new(db.clone(), dir.start_writer(&db)?);
    let origin = log_origin(COUNTY);
    // Homesteads are approved by natural resources (A2).
    let natural = read_signer_key(&dir.key_path("natural_resources.key"))?;
    let demo_keys = dir.key_path("demo");
    let collective_key =
        |code: &str| read_signer_key(&demo_keys.join(format!("collective-{code}.key")));
    let mut entries = 0;
    let mut submit = |key: &SignerKey,
                      kind: &str,
                      body: serde_json::Value,
                      personal: Vec<PersonRecord>|
     -> Result<u64, CliError> {
        let env = Envelope::sign(
            key,
            &origin,
            kind,
            &new_nonce(),
            &registry.now_stamp(),
            body,
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
        entries += 1;
        registry
            .submit_blocking(env, personal)
            .map(|r| r.index)
            .map_err(|e| CliError::Usage(format!("demo {kind}: {e}")))
    };
    let plan = Plan::demo();
    let all = households(&plan, HOUSEHOLDS_PER_VILLAGE);
    let mut market_keys = 0;
    // Each village's registration results are posted for ten days from
    // today (a notice starts no earlier than it is logged); the
    // certificates issue once every notice has run.
    let mut notices = Vec::new();
    for k in 0..plan.collectives() {
        let code = plan.collective_code(k);
        let key = collective_key(&code)?;
        // A members' assembly counts the members on the log (D1): the
        // founding register is entered on the first decision's word.
        let decide = |eligible: usize, subject: &str| {
            let (present, against) = (eligible * 5 / 6, eligible / 24);
            json!({"assembly": "members_assembly", "subject": subject, "question": format!("{code} {subject}"),
                   "date": "2026-10-15", "eligible": eligible, "present": present,
                   "for": present - against, "against": against, "minutes_sha256": "5a".repeat(32)})
        };
        let membership = submit(&key, "decision.record", decide(240, "membership"), vec![])?;
        let mut admitted = Vec::new();
        let mut allocations = Vec::new();
        let mut contracts = Vec::new();
        for h in all.iter().filter(|h| h.code.starts_with(&code)) {
            let members: Vec<_> = h
                .persons
                .iter()
                .map(|(p, r)| json!({"person": p.commitment(), "relation": r}))
                .collect();
            let records: Vec<PersonRecord> = h.persons.iter().map(|(p, _)| p.clone()).collect();
            submit(
                &key,
                "household.register",
                json!({"CBFBM": h.code, "members": members}),
                records,
            )?;
            // The keys the demo's market signs with, bound before the
            // household holds anything: a first key, not a recovery (A6).
            if h.code.starts_with(market::VILLAGE) && !h.parcels.is_empty() && market_keys < 9 {
                market_keys += 1;
                let name = format!("household-{}", h.code);
                let path = demo_keys.join(format!("{name}.key"));
                if !path.exists() {
                    let k = SignerKey::generate(&name).expect("name");
                    write_key_pair(&path, &k)?;
                    let body = json!({"vkey": k.verifier().to_string(), "role": "household", "party": h.code});
                    submit(&key, "key.register", body, vec![])?;
                }
            }
            let persons: Vec<String> = h.persons.iter().map(|(p, _)| p.commitment()).collect();
            admitted.extend(persons.iter().cloned());
            if !h.parcels.is_empty() {
                let grant = json!({"CBHTBM": format!("{}J", h.code), "CBFBM": h.code, "DKBM": h.parcels,
                                   "start": "2026-01-01", "end": "2055-12-31", "certificate_members": persons});
                submit(&key, "contract.grant", grant, vec![])?;
                contracts.push(format!("{}J", h.code));
            }
            let terrain = json!({"CBFBM": h.code, "terrain": "plain", "posting_sha256": "7e".repeat(32), "geometry": h.homestead});
            submit(&natural, "homestead.grant", terrain, vec![])?;
            allocations.push(json!({"CBFBM": h.code, "shares": h.persons.len()}));
        }
        // One admission rests on the one decision (an act on its own
        // decision, D1); the quantification is decided by those members.
        let members = admitted.len();
        submit(
            &key,
            "member.admit",
            json!({"decision": membership, "persons": admitted}),
            vec![],
        )?;
        let quantification = submit(
            &key,
            "decision.record",
            decide(members, "share_quantification"),
            vec![],
        )?;
        submit(
            &key,
            "shares.quantify",
            json!({"decision": quantification, "allocations": allocations}),
            vec![],
        )?;
        let today = registry.today();
        let notice = json!({"CBHTBM": contracts, "from": today.to_string(),
                            "to": (today + chrono::Days::new(9)).to_string(), "posting_sha256": "3c".repeat(32)});
        let notice = submit(&key, "notice.post", notice, vec![])?;
        notices.push((key, notice, contracts));
    }
    // No objection stands when the notices end: the certificates issue.
    dir.clock.advance(chrono::Duration::days(11));
    for (key, notice, contracts) in &notices {
        for contract in contracts {
            submit(
                key,
                "certificate.issue",
                json!({"CBHTBM": contract, "notice": notice}),
                vec![],
            )?;
        }
    }
    registry.shutdown();
    Ok(entries)
}

/// Made by `sanquan generate --demo`; a test checks that it still is.
const DEMO_COUNTY: &[u8] = include_bytes!("../../geodata/demo-county.geojson");
