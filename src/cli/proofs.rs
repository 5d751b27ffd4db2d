//! `sanquan prove`, `verify-proof` and `policy` (issue 20): a title's proof
//! from a data directory (through its server if one runs), checked offline
//! against a trust policy with no network and no database.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::{CliError, DataDir, DbArgs};
use crate::ledger::policy::Policy;
use crate::ledger::titleproof::{TitleProof, Verified};
use crate::model::titles::Title;
use crate::store::{Db, StoreError, Writer};

/// The county's trust policy: its file in the data directory, if any,
/// lists the witnesses (with the URLs the log sends checkpoints to) and
/// the quorum; the log line is the state log's key.
pub const POLICY_FILE: &str = "policy.txt";

/// How long a writer started only to prove waits between leaves: never, in
/// practice — a proof commits the map when it needs to.
const A_DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// The county's policy text: `log <state key>` and the data directory's
/// policy file (or `quorum none`).
pub fn county_policy(dir: &DataDir) -> Result<String, CliError> {
    let state_key =
        crate::store::statelog::StateKeeper::state_key(&dir.log_key()?, &dir.config.county);
    let own = match std::fs::read_to_string(dir.path.join(POLICY_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "quorum none\n".into(),
        Err(e) => return Err(e.into()),
    };
    let text = format!("log {}\n{own}", state_key.verifier());
    Policy::parse(&text).map_err(|e| CliError::Usage(format!("{POLICY_FILE}: {e}")))?;
    Ok(text)
}

/// A proof of `title` as of the newest state leaf at or before event-log
/// size `at`: the log replayed from the database to that leaf's size, the
/// map rebuilt and checked against the leaf, the leaf's inclusion path in
/// the newest state checkpoint. Read only: a server may run meanwhile.
fn prove_at(store: &Db, title: &Title, at: u64) -> Result<TitleProof, CliError> {
    crate::store::follow::StateFollower::new(&store.county)
        .prove(&mut *store.conn()?, title, Some(at))
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// `sanquan prove title CODE`: the proof as text (or, `--compact`, the
/// compact form in base64); with `at`, as of an earlier state leaf.
pub fn prove(
    db: &DbArgs,
    title: &str,
    compact: bool,
    at: Option<u64>,
    out: Option<&Path>,
) -> Result<(), CliError> {
    let parsed = Title::parse(title).ok_or_else(|| {
        CliError::Usage(format!(
            "`{title}` is not a title: a parcel's 19-digit code, or ZJD or FE and a household's 18-digit code"
        ))
    })?;
    let dir = DataDir::open(&db.data_dir)?;
    let proof = match (at, dir.lock()) {
        (Some(at), _) => {
            let store = Db::open(
                &dir.database_url(db.database_url.as_deref()),
                &dir.config.county,
            )?;
            prove_at(&store, &parsed, at)?
        }
        (None, Ok(_lock)) => {
            let store = Db::open(
                &dir.database_url(db.database_url.as_deref()),
                &dir.config.county,
            )?;
            let policy = Policy::parse(&county_policy(&dir)?).map_err(CliError::Usage)?;
            let writer = Writer::start_keeping_state(
                &store,
                dir.log_key()?,
                dir.clock.clone(),
                A_DAY,
                Some(policy),
            )?;
            let proof = writer.prove_title_blocking(parsed);
            // The writer's end waits for the witnesses' cosignatures of a
            // leaf made for this proof; the proof then carries them.
            writer.shutdown();
            let mut proof =
                proof.map_err(|e| CliError::Store(StoreError::Corrupt(e.to_string())))?;
            if let Some(note) =
                crate::store::statelog::note(&mut *store.conn()?, &store.county, proof.index)?
            {
                proof.with_note(&note);
            }
            proof
        }
        (None, Err(busy)) => {
            let Some(info) = dir.server() else {
                return Err(busy);
            };
            let url = format!("{}/titles/{title}/proof", info.api());
            let text = ureq::get(&url)
                .call()
                .map_err(|e| CliError::Http(e.to_string()))?
                .into_string()?;
            TitleProof::from_text(&text).map_err(|e| CliError::Http(e.to_string()))?
        }
    };
    let text = if compact {
        let bytes = proof
            .to_compact()
            .ok_or_else(|| CliError::Usage("no compact form of this proof".into()))?;
        format!("{}\n", B64.encode(bytes))
    } else {
        proof.to_text()
    };
    match out {
        Some(path) => std::fs::write(path, text)?,
        None => print!("{text}"),
    }
    Ok(())
}

/// Reads a proof file: the text bundle, or the compact form (raw, or in
/// base64 as `prove --compact` writes it).
pub fn read_proof(
    bytes: &[u8],
    policy: &Policy,
) -> Result<TitleProof, crate::ledger::titleproof::ProofError> {
    use crate::ledger::titleproof::{ProofError, HEADER};
    if bytes.starts_with(HEADER.as_bytes()) {
        let text =
            std::str::from_utf8(bytes).map_err(|_| ProofError::Malformed("not UTF-8".into()))?;
        return TitleProof::from_text(text);
    }
    let raw = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| B64.decode(t.trim()).ok())
        .unwrap_or_else(|| bytes.to_vec());
    let mut last = ProofError::UntrustedLog;
    for (log, _) in &policy.logs {
        match TitleProof::from_compact(&raw, &log.name) {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `sanquan verify-proof --policy POLICY FILE`: checks the proof with no
/// network and no database, and says what it proves.
pub fn verify_proof(policy: &Path, file: &Path) -> Result<(), CliError> {
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())));
    let text = String::from_utf8(read(policy)?)
        .map_err(|_| CliError::Usage(format!("{}: not UTF-8", policy.display())))?;
    let policy = Policy::parse(&text).map_err(|e| CliError::Usage(format!("--policy: {e}")))?;
    let refused = |e: crate::ledger::titleproof::ProofError| {
        CliError::Refused(crate::http::ApiError::from_refusal(&e).body)
    };
    let verified = read_proof(&read(file)?, &policy)
        .map_err(refused)?
        .verify(&policy)
        .map_err(refused)?;
    print!("{}", describe(&verified));
    Ok(())
}

/// What a verified proof shows, in Chinese and English.
pub fn describe(v: &Verified) -> String {
    let mut out = format!(
        "已核验 verified: {} — 截至事件日志第 {} 条 (as of the event log's first {} entries), 状态日志检查点 {} (state checkpoint {}), 签发 log {}, 见证 witnesses {}\n",
        v.title,
        v.leaf.event_size,
        v.leaf.event_size,
        v.checkpoint.tree.size,
        v.checkpoint.tree.size,
        v.log,
        if v.witnesses.is_empty() { "—".into() } else { v.witnesses.join(", ") }
    );
    match &v.record {
        None => out += "该权属不存在 the title does not exist\n",
        Some(r) => {
            out += &format!(
                "{}\n",
                serde_json::to_string_pretty(r).expect("a record serialises")
            );
            out += &format!(
                "查封 seizures {} · 异议 objections {} · 抵押 pledges {} · 未结行为 open acts {}\n",
                count(r, crate::model::entry::EncumbranceKind::Seizure),
                count(r, crate::model::entry::EncumbranceKind::Objection),
                count(r, crate::model::entry::EncumbranceKind::Pledge),
                r.acts.len()
            );
        }
    }
    out
}

fn count(
    r: &crate::model::state::TitleRecord,
    kind: crate::model::entry::EncumbranceKind,
) -> usize {
    r.encumbrances.iter().filter(|e| e.kind == kind).count()
}

/// `sanquan policy`: the county's trust policy, to give to whoever checks
/// its proofs.
pub fn print_policy(db: &DbArgs) -> Result<(), CliError> {
    let dir = DataDir::open(&db.data_dir)?;
    print!("{}", county_policy(&dir)?);
    Ok(())
}

/// The paths `verify-proof` takes.
#[derive(clap::Args)]
pub struct VerifyProofArgs {
    /// A trust policy (C2SP tlog-policy): the county's state-log key, its
    /// witnesses and the quorum (`sanquan policy` prints the county's).
    #[arg(long)]
    pub policy: PathBuf,
    /// The proof: `sanquan prove`'s text, or the compact form.
    pub file: PathBuf,
}
