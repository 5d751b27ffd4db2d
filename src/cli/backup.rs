//! `sanquan backup` and `sanquan restore` (issue 21): a data directory
//! rebuilt from its log (`store::backup`). The backup holds no secret key:
//! the county keeps its `keys` folder apart, and restore is given it.

use std::path::Path;

use super::datadir::{read_signer_key, Config, DataDir};
use super::proofs::POLICY_FILE;
use super::{progress_bar, verified, CliError, DbArgs};
use crate::store::backup::{self, BackupError};
use crate::store::Db;

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Store(e) => CliError::Store(e),
            e => CliError::Usage(e.to_string()),
        }
    }
}

/// `sanquan backup --data-dir DIR --out FOLDER`: while the server runs.
pub fn run_backup(args: &DbArgs, out: &Path) -> Result<(), CliError> {
    let dir = DataDir::open(&args.data_dir)?;
    let db = Db::open(
        &dir.database_url(args.database_url.as_deref()),
        &dir.config.county,
    )?;
    // The settings without where the database is: a restore says that.
    let config = Config {
        database_url: None,
        ..dir.config.clone()
    };
    let mut extra = vec![(
        "config.json",
        serde_json::to_vec_pretty(&config).expect("config"),
    )];
    match std::fs::read(dir.path.join(POLICY_FILE)) {
        Ok(policy) => extra.push((POLICY_FILE, policy)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let started = std::time::Instant::now();
    let m = backup::backup(&db, &dir.log_vkey()?, out, &extra)?;
    println!(
        "backed up {} entries of county {} into {} in {:.2} s: {} persons' records, {} contracts' pages of the parties, {} state leaves (personal data: keep it as the registry itself; no secret key is in it)",
        m.entries,
        m.county,
        out.display(),
        started.elapsed().as_secs_f64(),
        m.persons,
        m.schedules,
        m.state_leaves
    );
    Ok(())
}

/// `sanquan restore --from FOLDER --keys KEYS --data-dir NEW`: a new data
/// directory (on `database_url` if given, else its own SQLite file) with the
/// log replayed into it, then verified. A restore that fails leaves no data
/// directory behind (a PostgreSQL database it wrote into must be dropped).
pub fn run_restore(
    from: &Path,
    keys: &Path,
    data_dir: &Path,
    database_url: Option<String>,
) -> Result<(), CliError> {
    let manifest = backup::manifest(from)?;
    let log_key = read_signer_key(&keys.join("log.key"))
        .map_err(|e| CliError::Usage(format!("--keys {}: the log's key: {e}", keys.display())))?;
    let config: Config = match std::fs::read(from.join("config.json")) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| CliError::Usage(format!("{}/config.json: {e}", from.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config {
            county: manifest.county.clone(),
            database_url: None,
            site: Default::default(),
        },
        Err(e) => return Err(e.into()),
    };
    if config.county != manifest.county {
        return Err(CliError::Usage(format!(
            "{}/config.json is county {}'s, the log county {}'s",
            from.display(),
            config.county,
            manifest.county
        )));
    }
    if data_dir.exists() && std::fs::read_dir(data_dir)?.next().is_some() {
        return Err(CliError::Usage(format!(
            "--data-dir {}: not empty; restore makes a new data directory",
            data_dir.display()
        )));
    }
    let made = restore_into(from, keys, data_dir, database_url, config, &log_key);
    if made.is_err() {
        let _ = std::fs::remove_dir_all(data_dir);
    }
    made
}

fn restore_into(
    from: &Path,
    keys: &Path,
    data_dir: &Path,
    database_url: Option<String>,
    config: Config,
    log_key: &crate::ledger::SignerKey,
) -> Result<(), CliError> {
    let dir = DataDir::create(
        data_dir,
        Config {
            database_url,
            ..config
        },
    )?;
    copy_keys(keys, &dir.path.join("keys"))?;
    match std::fs::copy(from.join(POLICY_FILE), dir.path.join(POLICY_FILE)) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let _lock = dir.lock()?;
    let db = Db::open(&dir.database_url(None), &dir.config.county)?;
    let bar = progress_bar(
        0,
        "{bar:40} {pos}/{len} entries replayed ({per_sec}, {eta})",
    );
    let started = std::time::Instant::now();
    let restored = backup::restore(&db, from, log_key, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let m = restored?;
    println!(
        "restored {} entries of county {} into {} in {:.2} s: {} persons' records, {} contracts' pages of the parties, {} state leaves",
        m.entries,
        m.county,
        dir.path.display(),
        started.elapsed().as_secs_f64(),
        m.persons,
        m.schedules,
        m.state_leaves
    );
    verified(&dir, &db)
}

/// The county's keys folder, copied with its sub-folders, each file
/// readable by its owner only.
fn copy_keys(from: &Path, to: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(from)
        .map_err(|e| CliError::Usage(format!("--keys {}: {e}", from.display())))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_keys(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}
