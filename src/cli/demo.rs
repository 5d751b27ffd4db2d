//! `sanquan demo`: a fresh data directory with a demo county, loaded through
//! the one pipeline, then served.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::datadir::{write_key_pair, Config, DataDir};
use super::{new_nonce, now, CliError};
use crate::ledger::{Envelope, SignerKey};
use crate::model::log_origin;
use crate::store::{Db, Writer};

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
    let dir = DataDir::create(
        path,
        Config {
            county: COUNTY.into(),
            database_url: None,
        },
    )?;
    let _lock = dir.lock()?;
    let origin = log_origin(COUNTY);
    let log_key = SignerKey::generate(&origin).expect("name");
    let county_key = SignerKey::generate(&format!("county-{COUNTY}")).expect("name");
    write_key_pair(&dir.key_path("log.key"), &log_key)?;
    write_key_pair(&dir.key_path("county.key"), &county_key)?;
    let db = Db::open(&dir.database_url(None), COUNTY)?;
    let writer = Writer::start(&db, log_key.clone())?;
    let submit = |key: &SignerKey, kind: &str, body: serde_json::Value| -> Result<(), CliError> {
        let env = Envelope::sign(key, &origin, kind, &new_nonce(), &now(), body)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        writer
            .submit_blocking(env)
            .map(|_| ())
            .map_err(|e| CliError::Usage(format!("demo {kind}: {e}")))
    };
    submit(
        &county_key,
        "genesis",
        json!({"county": COUNTY, "name": COUNTY_NAME,
               "log_vkey": log_key.verifier().to_string(), "root_vkey": county_key.verifier().to_string()}),
    )?;
    std::fs::create_dir_all(dir.key_path("demo"))?;
    let mut keys = vec![("county".to_owned(), county_key)];
    for (name, role, party, by) in ACTORS {
        let key = SignerKey::generate(name).expect("name");
        write_key_pair(&dir.key_path("demo").join(format!("{name}.key")), &key)?;
        let signer = &keys
            .iter()
            .find(|(n, _)| n == by)
            .expect("binder listed first")
            .1;
        submit(
            signer,
            "key.register",
            json!({"vkey": key.verifier().to_string(), "role": role, "party": party}),
        )?;
        keys.push(((*name).to_owned(), key));
    }
    writer.shutdown();
    Ok(dir)
}
