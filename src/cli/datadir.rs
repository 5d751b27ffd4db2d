//! The data directory: `config.json`, `keys/`, the SQLite file, the writer
//! lock and, while a server runs, `server.json` saying where it listens.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::CliError;
use crate::ledger::SignerKey;
use crate::model::VerifierKey;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    pub county: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// The pages' own settings: an optional base-map tile layer.
    #[serde(flatten)]
    pub site: crate::web::Site,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ServerInfo {
    pub url: String,
    pub pid: u32,
    /// The county's own API root on that server (issue 21: a server may
    /// hold several counties): `{url}/api/v1/counties/{county}`.
    #[serde(default)]
    pub api: String,
}

impl ServerInfo {
    /// Where this county's routes are.
    pub fn api(&self) -> String {
        match self.api.is_empty() {
            true => super::api_root(&self.url),
            false => self.api.clone(),
        }
    }
}

pub struct DataDir {
    pub path: PathBuf,
    pub config: Config,
    /// The clock its writers run on: the system's, except for a demo
    /// loaded with its history dated back.
    pub clock: crate::store::Clock,
}

/// Held while this process is the one writer of the data directory.
pub struct WriterLock(#[allow(dead_code)] File);

impl DataDir {
    pub fn open(path: &Path) -> Result<DataDir, CliError> {
        let file = path.join("config.json");
        let text = std::fs::read_to_string(&file).map_err(|e| {
            CliError::Usage(format!(
                "{} is not a sanquan data directory ({e}); run `sanquan init` first",
                path.display()
            ))
        })?;
        let config = serde_json::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
        Ok(DataDir {
            path: path.to_owned(),
            config,
            clock: Default::default(),
        })
    }

    pub fn create(path: &Path, config: Config) -> Result<DataDir, CliError> {
        if path.join("config.json").exists() {
            return Err(CliError::Usage(format!(
                "{} is already initialised",
                path.display()
            )));
        }
        std::fs::create_dir_all(path.join("keys"))?;
        std::fs::write(
            path.join("config.json"),
            serde_json::to_vec_pretty(&config).expect("config"),
        )?;
        Ok(DataDir {
            path: path.to_owned(),
            config,
            clock: Default::default(),
        })
    }

    /// Starts the writer of `db` on this directory's log key and clock.
    pub fn start_writer(&self, db: &crate::store::Db) -> Result<crate::store::Writer, CliError> {
        Ok(crate::store::Writer::start_with_clock(
            db,
            self.log_key()?,
            self.clock.clone(),
        )?)
    }

    /// A writer that judges and writes nothing (`import --check`).
    pub fn start_dry_writer(
        &self,
        db: &crate::store::Db,
    ) -> Result<crate::store::Writer, CliError> {
        Ok(crate::store::Writer::start_dry(
            db,
            self.log_key()?,
            self.clock.clone(),
        )?)
    }

    /// `--database-url` or `SANQUAN_DATABASE_URL`, then the URL saved at
    /// `init`, then the SQLite file in the directory.
    pub fn database_url(&self, given: Option<&str>) -> String {
        given
            .map(str::to_owned)
            .or_else(|| self.config.database_url.clone())
            .unwrap_or_else(|| self.path.join("sanquan.db").to_string_lossy().into_owned())
    }

    pub fn key_path(&self, name: &str) -> PathBuf {
        self.path.join("keys").join(name)
    }

    pub fn log_key(&self) -> Result<SignerKey, CliError> {
        read_signer_key(&self.key_path("log.key"))
    }

    /// The pinned verifier key of the log, which `verify` trusts.
    pub fn log_vkey(&self) -> Result<VerifierKey, CliError> {
        let path = self.key_path("log.key.pub");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        VerifierKey::parse(text.trim())
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
    }

    /// Becomes the one writer of this directory, or says who is.
    pub fn lock(&self) -> Result<WriterLock, CliError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.path.join("writer.lock"))?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock(file)),
            Err(_) => Err(CliError::Busy(self.path.clone())),
        }
    }

    pub fn server(&self) -> Option<ServerInfo> {
        let text = std::fs::read_to_string(self.path.join("server.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn set_server(&self, info: Option<&ServerInfo>) -> Result<(), CliError> {
        let path = self.path.join("server.json");
        match info {
            Some(info) => std::fs::write(path, serde_json::to_vec(info).expect("server info"))?,
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
        Ok(())
    }
}

pub fn read_signer_key(path: &Path) -> Result<SignerKey, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    SignerKey::parse(text.trim()).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// Writes a signer key to `path` (mode 0600) and its verifier key to
/// `path.pub`; never overwrites.
pub fn write_key_pair(path: &Path, key: &SignerKey) -> Result<(), CliError> {
    let public = PathBuf::from(format!("{}.pub", path.display()));
    for p in [path, public.as_path()] {
        if p.exists() {
            return Err(CliError::Usage(format!(
                "{} exists; refusing to overwrite a key",
                p.display()
            )));
        }
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(f, "{key}")?;
    f.sync_all()?;
    std::fs::write(&public, format!("{}\n", key.verifier()))?;
    Ok(())
}
