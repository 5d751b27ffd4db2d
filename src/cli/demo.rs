//! `sanquan demo`: a fresh data directory with a demo county, loaded through
//! the one pipeline, then served.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::datadir::{write_key_pair, DataDir};
use super::{import, CliError, NewLog};
use crate::ledger::SignerKey;

pub const COUNTY: &str = "140421";
pub const COUNTY_NAME: &str = "平顺县";

/// The demo's actors: (key file, role, party, who binds it).
const ACTORS: &[(&str, &str, &str, &str)] = &[
    ("exchange", "exchange", COUNTY, "county"),
    (
        "collective-14042100100101",
        "collective",
        "14042100100101",
        "county",
    ),
    (
        "collective-14042100100201",
        "collective",
        "14042100100201",
        "county",
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
pub fn load(path: &Path) -> Result<DataDir, CliError> {
    let log = NewLog::create(path, COUNTY, COUNTY_NAME, None)?;
    let demo_keys = log.dir.key_path("demo");
    std::fs::create_dir_all(&demo_keys)?;
    let mut keys = vec![("county".to_owned(), log.county_key.clone())];
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
    let mut signers = vec![dir.key_path("county.key")];
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
    Ok(dir)
}

/// Made by `sanquan generate --demo`; a test checks that it still is.
const DEMO_COUNTY: &[u8] = include_bytes!("../../geodata/demo-county.geojson");
