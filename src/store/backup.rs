//! `sanquan backup` and `sanquan restore` (issue 21, part 7): a county
//! rebuilt from its log. A backup is a folder of plain files, read from one
//! snapshot of the database while the server runs:
//!
//! - `log.jsonl` — every entry's leaf bytes (the JCS record hashed into the
//!   tree), one a line: the truth, signed by each entry's signer;
//! - `checkpoint` — the newest checkpoint note at the log's size, signed by
//!   the log key;
//! - `persons.jsonl`, `schedules.jsonl` — what the law keeps off the log:
//!   the persons' private records (P-rules: names and ID numbers never enter
//!   the log) and each award's 当事人信息及签署页 (M5), whose SHA-256 the
//!   parties sign;
//! - `state_log.jsonl` — the state log's leaves and their cosigned notes
//!   (issue 20), so that the witnesses see one history, not a fork;
//! - `drafts.jsonl`, `key_offers.jsonl` — acts waiting for a second hand
//!   (A2) and keys offered by short code: acknowledged, so kept, though
//!   neither binds anything until an entry the rules accept;
//! - the data directory's own settings (`config.json`, `policy.txt`);
//! - `manifest.json`, written last: the county, the entry count, the log's
//!   verifier key. A folder without it is not a backup.
//!
//! Restore replays the log into an empty database through the rules — each
//! entry's signature checked, each accepted as it was at its own integration
//! time — and writes the projections, tree tiles and checkpoints the way the
//! writer does; the rebuilt root must be the backup's checkpoint's. Only
//! the checkpoints between are new (signed by the log key at the restore's
//! batch sizes); every other row is what the county had.
//!
//! The folder holds personal data: it is made readable by its owner only.

use std::io::{BufRead, Write};
use std::path::Path;

use base64::Engine;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::project::{write_batch, Batch, PersonRow};
use super::schema::{contract_schedules, drafts, key_offers, state_log};
use super::{queries, Backend, Db, DbConnection, StoreError};
use crate::ledger::statelog::StateLeaf;
use crate::ledger::{Checkpoint, Record, Sequencer, SignerKey};
use crate::model::person::PersonRecord;

/// The backup folder's format, named in its manifest.
pub const FORMAT: &str = "sanquan-backup/1";
/// Entries replayed and written per batch on restore.
const BATCH: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A file of the backup that does not read as one.
    #[error("{file}: {why}")]
    Malformed { file: &'static str, why: String },
    /// The log does not replay to what the backup says.
    #[error("the backup does not restore: {0}")]
    Mismatch(String),
    #[error("{0}")]
    Refused(String),
}

fn malformed(file: &'static str, why: impl ToString) -> BackupError {
    BackupError::Malformed {
        file,
        why: why.to_string(),
    }
}

/// The backup's table of contents, written last.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub county: String,
    /// Entries in `log.jsonl`, and the checkpoint's size.
    pub entries: u64,
    /// The log key's verifier key (a note's key name and base64).
    pub log_key: String,
    pub persons: u64,
    pub schedules: u64,
    pub state_leaves: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonLine {
    commitment: String,
    household: String,
    record: PersonRecord,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleLine {
    listing: u64,
    award: u64,
    text: String,
}

/// An act signed by its first hand, waiting for the second (A2).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftLine {
    code: String,
    signer: String,
    envelope: String,
    expires_at: i64,
}

/// A key a phone offered by short code (issue 18).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferLine {
    code: String,
    vkey: String,
    offered_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateLine {
    idx: u64,
    /// The leaf's 72 bytes, base64.
    leaf: String,
    note: String,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A file of the backup, created for its owner only.
fn create(dir: &Path, name: &str) -> Result<std::io::BufWriter<std::fs::File>, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join(name))?;
    Ok(std::io::BufWriter::new(file))
}

fn finish(file: std::io::BufWriter<std::fs::File>) -> Result<(), BackupError> {
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

/// Writes `rows` into the new file `name`, one JSON line each.
fn write_lines<T: Serialize>(dir: &Path, name: &str, rows: &[T]) -> Result<u64, BackupError> {
    let mut out = create(dir, name)?;
    for row in rows {
        serde_json::to_writer(&mut out, row).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    finish(out)?;
    Ok(rows.len() as u64)
}

/// Writes a backup of `db`'s county into the new folder `out`, from one
/// snapshot (a server may keep writing meanwhile), checked against the log
/// key's verifier `log_key` before the manifest is written.
/// `extra` files (the data directory's settings) are written before the
/// manifest.
pub fn backup(
    db: &Db,
    log_key: &crate::model::VerifierKey,
    out: &Path,
    extra: &[(&str, Vec<u8>)],
) -> Result<Manifest, BackupError> {
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(out)?;
    }
    let mut conn = db.dedicated()?;
    conn.batch_execute(match db.backend() {
        Backend::Sqlite => "BEGIN",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    })
    .map_err(StoreError::from)?;
    let made = backup_snapshot(&mut conn, &db.county, log_key, out, extra);
    let _ = conn.batch_execute("ROLLBACK");
    made
}

fn backup_snapshot(
    conn: &mut DbConnection,
    county: &str,
    log_key: &crate::model::VerifierKey,
    out: &Path,
    extra: &[(&str, Vec<u8>)],
) -> Result<Manifest, BackupError> {
    let (size, note) = queries::latest_checkpoint(conn, county)?
        .ok_or_else(|| BackupError::Refused(format!("county {county} has no log here")))?;
    Checkpoint::open(&note, log_key)
        .map_err(|e| BackupError::Mismatch(format!("the newest checkpoint: {e}")))?;
    let mut log = create(out, "log.jsonl")?;
    let mut from = 0;
    while from < size {
        let rows = queries::log_rows(conn, county, from, 8192)?;
        if rows.is_empty() {
            return Err(BackupError::Mismatch(format!(
                "the log ends at {from} entries, before its checkpoint's {size}"
            )));
        }
        for (idx, _, _, _, leaf) in rows.iter().take((size - from) as usize) {
            if *idx as u64 != from || leaf.contains(&b'\n') {
                return Err(StoreError::Corrupt(format!("log entry {idx}")).into());
            }
            log.write_all(leaf)?;
            log.write_all(b"\n")?;
            from += 1;
        }
    }
    finish(log)?;
    let mut file = create(out, "checkpoint")?;
    file.write_all(note.as_bytes())?;
    finish(file)?;

    let rows: Vec<PersonLine> = queries::load_persons(conn, county, None)?
        .into_iter()
        .map(|(commitment, household, record)| PersonLine {
            commitment,
            household,
            record,
        })
        .collect();
    let persons = write_lines(out, "persons.jsonl", &rows)?;

    let rows: Vec<(i64, i64, String)> = contract_schedules::table
        .filter(contract_schedules::county.eq(county))
        .order((
            contract_schedules::listing.asc(),
            contract_schedules::award.asc(),
        ))
        .select((
            contract_schedules::listing,
            contract_schedules::award,
            contract_schedules::text,
        ))
        .load(conn)
        .map_err(StoreError::from)?;
    let rows: Vec<ScheduleLine> = rows
        .into_iter()
        .map(|(listing, award, text)| ScheduleLine {
            listing: listing as u64,
            award: award as u64,
            text,
        })
        .collect();
    let schedules = write_lines(out, "schedules.jsonl", &rows)?;

    let rows: Vec<(i64, Vec<u8>, String)> = state_log::table
        .filter(state_log::county.eq(county))
        .order(state_log::idx.asc())
        .select((state_log::idx, state_log::leaf, state_log::note))
        .load(conn)
        .map_err(StoreError::from)?;
    let rows: Vec<StateLine> = rows
        .into_iter()
        .map(|(idx, leaf, note)| StateLine {
            idx: idx as u64,
            leaf: B64.encode(leaf),
            note,
        })
        .collect();
    let state_leaves = write_lines(out, "state_log.jsonl", &rows)?;

    let drafts: Vec<DraftLine> = drafts::table
        .filter(drafts::county.eq(county))
        .order(drafts::code.asc())
        .select((
            drafts::code,
            drafts::signer,
            drafts::envelope,
            drafts::expires_at,
        ))
        .load::<(String, String, String, i64)>(conn)
        .map_err(StoreError::from)?
        .into_iter()
        .map(|(code, signer, envelope, expires_at)| DraftLine {
            code,
            signer,
            envelope,
            expires_at,
        })
        .collect();
    write_lines(out, "drafts.jsonl", &drafts)?;
    let offers: Vec<OfferLine> = key_offers::table
        .filter(key_offers::county.eq(county))
        .order(key_offers::code.asc())
        .select((key_offers::code, key_offers::vkey, key_offers::offered_at))
        .load::<(String, String, i64)>(conn)
        .map_err(StoreError::from)?
        .into_iter()
        .map(|(code, vkey, offered_at)| OfferLine {
            code,
            vkey,
            offered_at,
        })
        .collect();
    write_lines(out, "key_offers.jsonl", &offers)?;

    for (name, bytes) in extra {
        let mut file = create(out, name)?;
        file.write_all(bytes)?;
        finish(file)?;
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        county: county.to_owned(),
        entries: size,
        log_key: log_key.to_string(),
        persons,
        schedules,
        state_leaves,
    };
    let mut file = create(out, "manifest.json")?;
    serde_json::to_writer_pretty(&mut file, &manifest).map_err(std::io::Error::from)?;
    finish(file)?;
    Ok(manifest)
}

/// Reads a backup's manifest, refusing a folder that is not a whole backup.
pub fn manifest(from: &Path) -> Result<Manifest, BackupError> {
    let text = std::fs::read_to_string(from.join("manifest.json")).map_err(|e| {
        BackupError::Refused(format!(
            "{}: no manifest.json ({e}): not a whole backup",
            from.display()
        ))
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| malformed("manifest.json", e))?;
    if m.format != FORMAT {
        return Err(malformed(
            "manifest.json",
            format!("format {} is not {FORMAT}", m.format),
        ));
    }
    Ok(m)
}

fn lines(
    from: &Path,
    name: &'static str,
) -> Result<impl Iterator<Item = Result<String, BackupError>>, BackupError> {
    let file = std::io::BufReader::new(std::fs::File::open(from.join(name))?);
    Ok(file.lines().map(|l| l.map_err(BackupError::from)))
}

fn parsed<T: serde::de::DeserializeOwned>(
    from: &Path,
    name: &'static str,
) -> Result<Vec<T>, BackupError> {
    lines(from, name)?
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str(&line?)
                .map_err(|e| malformed(name, format!("line {}: {e}", n + 1)))
        })
        .collect()
}

/// Restores the backup in `from` into `db`, which must hold no log of the
/// county: the log replayed through the rules and written as the writer
/// writes it, the root checked against the backup's checkpoint, then what
/// the log does not hold. `log_key` signs the checkpoints of the batches in
/// between (the newest is the backup's own note). Calls `progress(done,
/// total)` as it goes.
pub fn restore(
    db: &Db,
    from: &Path,
    log_key: &SignerKey,
    mut progress: impl FnMut(u64, u64),
) -> Result<Manifest, BackupError> {
    let manifest = manifest(from)?;
    if manifest.county != db.county {
        return Err(BackupError::Refused(format!(
            "the backup is county {}'s, not {}'s",
            manifest.county, db.county
        )));
    }
    if manifest.entries == 0 {
        return Err(malformed(
            "manifest.json",
            "no entries: a log begins with its genesis",
        ));
    }
    if manifest.log_key != log_key.verifier().to_string() {
        return Err(BackupError::Refused(
            "the log key given is not the key of the backup's log".into(),
        ));
    }
    let note = std::fs::read_to_string(from.join("checkpoint"))?;
    let checkpoint =
        Checkpoint::open(&note, &log_key.verifier()).map_err(|e| malformed("checkpoint", e))?;
    let origin = crate::model::log_origin(&db.county);
    if checkpoint.origin != origin || checkpoint.size != manifest.entries {
        return Err(malformed(
            "checkpoint",
            format!(
                "{} at {}, not the manifest's",
                checkpoint.origin, checkpoint.size
            ),
        ));
    }
    let mut conn = db.dedicated()?;
    if queries::log_size(&mut conn, &db.county)? > 0 {
        return Err(BackupError::Refused(format!(
            "the database already holds a log of county {}: restore into an empty one",
            db.county
        )));
    }
    let persons: Vec<PersonLine> = parsed(from, "persons.jsonl")?;
    let schedules: Vec<ScheduleLine> = parsed(from, "schedules.jsonl")?;
    let states: Vec<StateLine> = parsed(from, "state_log.jsonl")?;
    let drafts: Vec<DraftLine> = parsed(from, "drafts.jsonl")?;
    let offers: Vec<OfferLine> = parsed(from, "key_offers.jsonl")?;

    let mut seq = Sequencer::new(&db.county, Box::new(crate::spatial::ParcelIndex::new()));
    let mut log = lines(from, "log.jsonl")?;
    let mut persons = Some(persons);
    while seq.size() < manifest.entries {
        let room = (manifest.entries - seq.size()).min(BATCH as u64) as usize;
        let mut records = Vec::with_capacity(room);
        for line in log.by_ref().take(room) {
            let index = seq.size() + records.len() as u64;
            let mut record = Record::parse(line?.as_bytes(), &origin)
                .map_err(|e| malformed("log.jsonl", format!("entry {index}: {e}")))?;
            if record.index != index {
                return Err(malformed(
                    "log.jsonl",
                    format!(
                        "line {} holds entry {} where entry {index} belongs",
                        index + 1,
                        record.index
                    ),
                ));
            }
            super::writer::prepare(&mut record.envelope)
                .map_err(|e| BackupError::Mismatch(format!("entry {index}: {e}")))?;
            records.push(record);
        }
        if records.len() < room {
            return Err(BackupError::Mismatch(format!(
                "log.jsonl ends at {} entries, the manifest says {}",
                seq.size() + records.len() as u64,
                manifest.entries
            )));
        }
        let envelopes: Vec<_> = records.iter().map(|r| &r.envelope).collect();
        if let Some(bad) = crate::ledger::verify_signatures(&envelopes)
            .iter()
            .position(|ok| !ok)
        {
            return Err(BackupError::Mismatch(format!(
                "entry {}: the signature does not verify",
                seq.size() + bad as u64
            )));
        }
        let mut admitted = Vec::with_capacity(records.len());
        for r in &records {
            let a = seq.admit(&r.envelope, &r.integrated).map_err(|e| {
                BackupError::Mismatch(format!("entry {}: refused on replay: {e}", r.index))
            })?;
            admitted.push(a);
        }
        let (size, root) = (seq.size(), seq.tree.root());
        // The last batch carries the backup's own checkpoint note and the
        // persons, checked against the state the whole log gives.
        let (note, persons) = match size == manifest.entries {
            true if root != checkpoint.root => {
                return Err(BackupError::Mismatch(
                    "the log replays to another root than its checkpoint's".into(),
                ))
            }
            true => (
                note.clone(),
                persons_of(&seq, persons.take().unwrap_or_default())?,
            ),
            false => (
                Checkpoint {
                    origin: origin.clone(),
                    size,
                    root,
                }
                .sign(log_key),
                Vec::new(),
            ),
        };
        let tiles = seq.tree.take_dirty();
        let changed = seq.state.take_changed();
        let batch = Batch {
            county: &db.county,
            entries: envelopes.into_iter().zip(admitted.iter()).collect(),
            persons,
            tiles: &tiles,
            checkpoint: (size, &note),
            state: &seq.state,
            changed: &changed,
        };
        write_batch(&mut conn, &batch)?;
        progress(size, manifest.entries);
    }
    if log.next().is_some() {
        return Err(BackupError::Mismatch(format!(
            "log.jsonl holds more than the manifest's {} entries",
            manifest.entries
        )));
    }
    write_off_log(&mut conn, &db.county, &seq, log_key, schedules, states)?;
    // Drafts and offers bind nothing until an entry the rules accept: kept
    // as they were, each still to be checked when it is used.
    for d in drafts {
        diesel::insert_into(drafts::table)
            .values((
                drafts::county.eq(&db.county),
                drafts::code.eq(d.code),
                drafts::signer.eq(d.signer),
                drafts::envelope.eq(d.envelope),
                drafts::expires_at.eq(d.expires_at),
            ))
            .execute(&mut conn)
            .map_err(StoreError::from)?;
    }
    for o in offers {
        diesel::insert_into(key_offers::table)
            .values((
                key_offers::county.eq(&db.county),
                key_offers::code.eq(o.code),
                key_offers::vkey.eq(o.vkey),
                key_offers::offered_at.eq(o.offered_at),
            ))
            .execute(&mut conn)
            .map_err(StoreError::from)?;
    }
    Ok(manifest)
}

/// The persons of the backup, each under her own commitment and in the
/// household the log has her in.
fn persons_of(seq: &Sequencer, persons: Vec<PersonLine>) -> Result<Vec<PersonRow>, BackupError> {
    persons
        .into_iter()
        .map(|p| {
            if p.record.commitment() != p.commitment {
                return Err(malformed(
                    "persons.jsonl",
                    format!(
                        "person {}: the record is not the one committed to",
                        p.commitment
                    ),
                ));
            }
            if seq.state.member_of.get(&p.commitment) != Some(&p.household) {
                return Err(malformed(
                    "persons.jsonl",
                    format!(
                        "person {}: not in household {} on the log",
                        p.commitment, p.household
                    ),
                ));
            }
            Ok(PersonRow {
                commitment: p.commitment,
                household: p.household,
                record: p.record,
            })
        })
        .collect()
}

/// What the log does not hold, checked against what it does: each page
/// of the parties for a listing on the log, and the one its parties signed
/// (M5); each state leaf under a note of the county's state key over the
/// state log as it stood, and the state the log gives at its size.
fn write_off_log(
    conn: &mut DbConnection,
    county: &str,
    seq: &Sequencer,
    log_key: &SignerKey,
    schedules: Vec<ScheduleLine>,
    states: Vec<StateLine>,
) -> Result<(), BackupError> {
    for s in schedules {
        let listing = seq.state.listings.get(&s.listing).ok_or_else(|| {
            malformed(
                "schedules.jsonl",
                format!("listing {} is not on the log", s.listing),
            )
        })?;
        let signed = listing
            .award
            .as_ref()
            .filter(|a| a.index == s.award)
            .and_then(|a| a.schedule_sha256.as_deref());
        if signed.is_some_and(|h| crate::model::exchange::sha256_hex(&s.text) != h) {
            return Err(malformed(
                "schedules.jsonl",
                format!(
                    "listing {}: not the page of the parties they signed (M5)",
                    s.listing
                ),
            ));
        }
        super::tables::contract_schedules::keep_schedule(
            conn, county, s.listing, s.award, &s.text,
        )?;
    }
    let state_key = super::statelog::StateKeeper::state_key(log_key, county).verifier();
    let origin = crate::ledger::statelog::state_origin(county);
    let mut tree = crate::ledger::merkle::MemoryTree::new(&[]);
    let mut leaves = Vec::with_capacity(states.len());
    for (n, s) in states.iter().enumerate() {
        let bad = |why: &str| malformed("state_log.jsonl", format!("line {}: {why}", n + 1));
        let leaf = B64
            .decode(&s.leaf)
            .ok()
            .and_then(|b| StateLeaf::from_bytes(&b))
            .filter(|l| s.idx == n as u64 && l.event_size <= seq.size())
            .ok_or_else(|| bad("not the next leaf within the log"))?;
        tree.push(leaf.hash());
        let noted = crate::ledger::checkpoint::open_note(&s.note, &state_key)
            .ok()
            .and_then(|text| crate::ledger::statelog::StateCheckpoint::parse_text(text).ok());
        let agrees = noted.is_some_and(|cp| {
            cp.tree.origin == origin
                && cp.tree.size == n as u64 + 1
                && cp.tree.root == tree.root()
                && cp.latest == leaf
        });
        if !agrees {
            return Err(bad(
                "its note is not the county's state key's over the state log with this leaf",
            ));
        }
        super::statelog::append(conn, county, s.idx, &leaf, &s.note)?;
        leaves.push(leaf);
    }
    // Each leaf's roots are what the restored log gives at its size.
    super::follow::StateFollower::new(county)
        .check_leaves(conn, &leaves)
        .map_err(|e| BackupError::Mismatch(format!("state_log.jsonl: {e}")))
}
