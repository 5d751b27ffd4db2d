//! `verify`: replays the whole log from the database — every record's form,
//! index and signature, every rule and nonce, every tile against the leaves,
//! the root against the newest signed checkpoint, and the projections against
//! the state the replay rebuilt. It names the first thing that is wrong.

use rayon::prelude::*;

use super::queries::{decode_tile, latest_checkpoint, load_state, log_rows, tile_bytes, LogRow};
use diesel::connection::SimpleConnection;

use super::writer::prepare;
use super::{Backend, Db, DbConnection, StoreError};
use crate::ledger::{verify_signatures, Checkpoint, Envelope, Record, Sequencer, TileId};
use crate::model::{log_origin, VerifierKey};
use crate::spatial::ParcelIndex;

/// Rows read and checked per round.
const CHUNK: i64 = 16384;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyFailure {
    #[error("log index {index}: {what}")]
    Entry { index: u64, what: String },
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("tree tile {level}/{index}: {what}")]
    Tile {
        level: u32,
        index: u64,
        what: String,
    },
    #[error("projection {table}, {key}: {what}")]
    Projection {
        table: &'static str,
        key: String,
        what: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("verification failed: {0}")]
    Failed(#[from] VerifyFailure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub checkpoint: Checkpoint,
}

fn entry_failure(index: u64, what: impl Into<String>) -> VerifyError {
    VerifyFailure::Entry {
        index,
        what: what.into(),
    }
    .into()
}

/// Verifies the log of `db`'s county against the pinned log key, calling
/// `progress(done, total)` as it goes.
pub fn verify(
    db: &Db,
    log_key: &VerifierKey,
    progress: impl FnMut(u64, u64),
) -> Result<VerifyReport, VerifyError> {
    let mut conn = db.dedicated()?;
    // One snapshot for the whole run, so a server may keep appending meanwhile.
    conn.batch_execute(match db.backend() {
        Backend::Sqlite => "BEGIN",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    })
    .map_err(StoreError::from)?;
    let result = verify_snapshot(&mut conn, &db.county, log_key, progress);
    let _ = conn.batch_execute("ROLLBACK");
    result
}

fn verify_snapshot(
    conn: &mut DbConnection,
    county: &str,
    log_key: &VerifierKey,
    mut progress: impl FnMut(u64, u64),
) -> Result<VerifyReport, VerifyError> {
    let origin = log_origin(county);
    let (_, note) = latest_checkpoint(conn, county)?
        .ok_or_else(|| VerifyFailure::Checkpoint("the log has no checkpoint".into()))?;
    let checkpoint =
        Checkpoint::open(&note, log_key).map_err(|e| VerifyFailure::Checkpoint(e.to_string()))?;
    if checkpoint.origin != origin {
        return Err(VerifyFailure::Checkpoint(format!(
            "origin `{}` is not `{origin}`",
            checkpoint.origin
        ))
        .into());
    }
    let total = checkpoint.size;
    let mut seq = Sequencer::new(county, Box::new(ParcelIndex::new()));
    // Three stages at once: a thread reads the next chunks (and checks the
    // tiles each replayed chunk rebuilt, on the one snapshot), another
    // parses them and checks their signatures on all cores, and this one
    // replays them in log order. Each hand-off holds one chunk, so memory is
    // bounded by a few chunks whatever the log's size.
    let (rows_tx, rows_rx) = std::sync::mpsc::sync_channel::<Result<Vec<LogRow>, StoreError>>(1);
    let (chunks_tx, chunks_rx) = std::sync::mpsc::sync_channel::<Result<Chunk, StoreError>>(1);
    let (tiles_tx, tiles_rx) = std::sync::mpsc::channel::<Vec<(TileId, Vec<[u8; 32]>)>>();
    let (origin, reading) = (&origin, &mut *conn);
    std::thread::scope(|s| -> Result<(), VerifyError> {
        let reader = s.spawn(move || read_and_check_tiles(reading, county, rows_tx, tiles_rx));
        s.spawn(move || {
            for rows in rows_rx {
                let chunk = rows.map(|rows| Chunk::parse(rows, origin));
                if chunks_tx.send(chunk).is_err() {
                    return;
                }
            }
        });
        let mut last_time = String::new();
        for chunk in chunks_rx {
            let chunk = chunk?;
            if chunk.rows.is_empty() {
                break;
            }
            chunk.replay(&mut seq, &mut last_time)?;
            // A replay writes nothing: what changed is not kept.
            seq.state.take_changed();
            // The reader is gone only when it failed: its error is returned.
            let _ = tiles_tx.send(seq.tree.take_dirty());
            progress(seq.size(), total);
        }
        drop(tiles_tx);
        reader.join().expect("reader thread")
    })?;
    if seq.size() != checkpoint.size {
        return Err(VerifyFailure::Checkpoint(format!(
            "the log has {} entries, the checkpoint {}",
            seq.size(),
            checkpoint.size
        ))
        .into());
    }
    if seq.tree.root() != checkpoint.root {
        return Err(
            VerifyFailure::Checkpoint("the leaves do not hash to the signed root".into()).into(),
        );
    }
    if let Some(c) = &*seq.state.county {
        if VerifierKey::parse(&c.log_vkey).ok().as_ref() != Some(log_key) {
            return Err(entry_failure(0, "the genesis entry names another log key"));
        }
    }
    check_persons(conn, county)?;
    let stored = load_state(conn, county)?;
    if let Some((table, key, what)) = seq.state.first_difference(&stored) {
        return Err(VerifyFailure::Projection { table, key, what }.into());
    }
    Ok(VerifyReport {
        entries: seq.size(),
        checkpoint,
    })
}

/// Rows of the log, parsed and with their signatures checked (in parallel).
struct Chunk {
    rows: Vec<LogRow>,
    records: Vec<Result<Record, String>>,
    signatures: Vec<bool>,
}

impl Chunk {
    fn parse(rows: Vec<LogRow>, origin: &str) -> Chunk {
        let records: Vec<_> = rows
            .par_iter()
            .map(|(_, _, _, _, leaf)| {
                let mut record = Record::parse(leaf, origin).map_err(|e| e.to_string())?;
                prepare(&mut record.envelope).map_err(|e| e.to_string())?;
                Ok(record)
            })
            .collect();
        let envelopes: Vec<&Envelope> = records
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| &r.envelope)
            .collect();
        let signatures = verify_signatures(&envelopes);
        Chunk {
            rows,
            records,
            signatures,
        }
    }

    /// Replays the chunk in log order through the sequencer.
    fn replay(&self, seq: &mut Sequencer, last_time: &mut String) -> Result<(), VerifyError> {
        let mut signatures = self.signatures.iter();
        for ((idx, kind, signer, nonce, leaf), record) in self.rows.iter().zip(&self.records) {
            let index = seq.size();
            if *idx as u64 != index {
                return Err(entry_failure(
                    index,
                    format!("missing (the next stored entry is {idx})"),
                ));
            }
            let record = record
                .as_ref()
                .map_err(|e| entry_failure(index, format!("unreadable record: {e}")))?;
            if !signatures.next().expect("one per parsed record") {
                return Err(entry_failure(index, "the signature does not verify"));
            }
            if record.index != index {
                return Err(entry_failure(
                    index,
                    format!("the record says index {} (entries moved)", record.index),
                ));
            }
            let env = &record.envelope;
            if kind != &env.kind || signer[..] != env.signer || nonce != &env.nonce {
                return Err(entry_failure(
                    index,
                    "the kind, signer or nonce columns differ from the record",
                ));
            }
            if record.integrated < *last_time {
                return Err(entry_failure(index, "the integration time runs backwards"));
            }
            let admitted = seq
                .admit(env, &record.integrated)
                .map_err(|e| entry_failure(index, format!("refused on replay: {e}")))?;
            if admitted.leaf != *leaf {
                return Err(entry_failure(
                    index,
                    "the stored record is not in canonical form",
                ));
            }
            last_time.clone_from(&record.integrated);
        }
        Ok(())
    }
}

/// The reading stage of `verify`: sends each chunk of rows in order (an
/// empty one at the end) and, between reads and after the last, checks the
/// tiles the replay rebuilt. Stops at the first failure, which it returns.
fn read_and_check_tiles(
    conn: &mut DbConnection,
    county: &str,
    rows_tx: std::sync::mpsc::SyncSender<Result<Vec<LogRow>, StoreError>>,
    tiles_rx: std::sync::mpsc::Receiver<Vec<(TileId, Vec<[u8; 32]>)>>,
) -> Result<(), VerifyError> {
    let mut from = 0;
    loop {
        let rows = log_rows(conn, county, from, CHUNK);
        let done = match &rows {
            Ok(rows) => {
                from = rows.last().map_or(from, |r| r.0 as u64 + 1);
                rows.is_empty()
            }
            Err(_) => true,
        };
        if rows_tx.send(rows).is_err() || done {
            break;
        }
        while let Ok(rebuilt) = tiles_rx.try_recv() {
            check_tiles(conn, county, rebuilt)?;
        }
    }
    drop(rows_tx);
    for rebuilt in tiles_rx {
        check_tiles(conn, county, rebuilt)?;
    }
    Ok(())
}

fn check_tiles(
    conn: &mut DbConnection,
    county: &str,
    rebuilt: Vec<(TileId, Vec<[u8; 32]>)>,
) -> Result<(), VerifyError> {
    for (id, hashes) in rebuilt {
        let stored = tile_bytes(conn, county, id)?.and_then(|b| decode_tile(&b));
        let fail = |what: &str| VerifyFailure::Tile {
            level: id.level,
            index: id.index,
            what: what.into(),
        };
        match stored {
            None => return Err(fail("missing or unreadable").into()),
            Some(s) if s.len() < hashes.len() => return Err(fail("narrower than the log").into()),
            Some(s) if s[..hashes.len()] != hashes[..] => {
                // At level 0 the tile holds leaf hashes: name the entry.
                let at = s.iter().zip(&hashes).position(|(a, b)| a != b).unwrap_or(0) as u64;
                if id.level == 0 {
                    let index = id.index * crate::ledger::tiles::TILE_WIDTH as u64 + at;
                    return Err(entry_failure(
                        index,
                        "its hash differs from the tree: the record was altered",
                    ));
                }
                return Err(fail("differs from the hashes of the stored entries").into());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Every private personal record matches the commitment it is kept under
/// (which household keeps it, and that every member has one, is compared
/// with the rest of the state: `member_of` is the persons table's).
fn check_persons(conn: &mut DbConnection, county: &str) -> Result<(), VerifyError> {
    let mut records = super::queries::load_persons(conn, county, None)?;
    records.sort_by(|a, b| a.0.cmp(&b.0));
    match records
        .iter()
        .find(|(c, _, record)| &record.commitment() != c)
    {
        Some((commitment, _, _)) => Err(VerifyFailure::Projection {
            table: "persons",
            key: commitment.clone(),
            what: "the record does not match its commitment".into(),
        }
        .into()),
        None => Ok(()),
    }
}
