//! Following a county's log from its database, read only (issue 21): the
//! entries replayed through the rules into a state and its map, forward as
//! the log grows, each state-log leaf checked against what the events give
//! before a title is proved under it. `prove --at` follows to an earlier
//! leaf; a read-only server (a streaming replica) follows to the newest, so
//! its title proofs need no writer.

use crate::ledger::envelope::Record;
use crate::ledger::follower::MapFollower;
use crate::ledger::merkle::{inclusion_proof, MemoryTree};
use crate::ledger::titleproof::TitleProof;
use crate::ledger::Sequencer;
use crate::model::titles::Title;

use super::{queries, statelog, DbConnection, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the county has no state log yet")]
    NoStateLog,
    #[error("no state leaf at or before event-log size {0}")]
    NoLeafAt(u64),
    /// The database's log does not replay to what its state log says.
    #[error("{0}")]
    Replay(String),
}

/// Admits one stored record (the entry's leaf bytes) at the sequencer's
/// next index, its signature checked, nothing kept for a store to write.
pub fn replay(seq: &mut Sequencer, origin: &str, leaf: &[u8]) -> Result<(), String> {
    let index = seq.size();
    let mut record = Record::parse(leaf, origin).map_err(|e| format!("entry {index}: {e}"))?;
    super::writer::prepare(&mut record.envelope).map_err(|e| format!("entry {index}: {e}"))?;
    if !record.envelope.verify_signature() {
        return Err(format!("entry {index}: the signature does not verify"));
    }
    seq.admit(&record.envelope, &record.integrated)
        .map_err(|e| format!("entry {index}: refused on replay: {e}"))?;
    seq.state.take_changed();
    seq.tree.take_dirty();
    Ok(())
}

/// A county's state and map, replayed from its database as far as a state
/// leaf, and moved forward only.
pub struct StateFollower {
    seq: Sequencer,
    origin: String,
    county: String,
}

impl StateFollower {
    pub fn new(county: &str) -> StateFollower {
        let mut seq = Sequencer::new(county, Box::new(crate::spatial::ParcelIndex::new()));
        seq.map = Some(MapFollower::default());
        StateFollower {
            seq,
            origin: crate::model::log_origin(county),
            county: county.to_owned(),
        }
    }

    /// The event-log size replayed so far.
    pub fn size(&self) -> u64 {
        self.seq.size()
    }

    /// Replays the log to the newest state leaf (or the newest at or before
    /// event-log size `at`) and proves `title` — its record or its absence —
    /// under that leaf and the newest state checkpoint.
    pub fn prove(
        &mut self,
        conn: &mut DbConnection,
        title: &Title,
        at: Option<u64>,
    ) -> Result<TitleProof, FollowError> {
        let (leaves, note) = statelog::load(conn, &self.county)?;
        let note = note.ok_or(FollowError::NoStateLog)?;
        let idx = match at {
            Some(at) => leaves
                .iter()
                .rposition(|l| l.event_size <= at)
                .ok_or(FollowError::NoLeafAt(at))?,
            None => leaves.len() - 1,
        };
        self.follow_to(conn, idx as u64, &leaves[idx])?;
        let map = self.seq.map.as_mut().expect("set in new");
        let (record, path) = map.prove(&self.seq.state, title).expect("committed");
        let tree = MemoryTree::new(&leaves.iter().map(|l| l.hash()).collect::<Vec<_>>());
        let inclusion = inclusion_proof(&tree, idx as u64, leaves.len() as u64).expect("in memory");
        TitleProof::new(
            title.key(),
            record.map(|r| r.canonical()),
            path,
            (leaves[idx], idx as u64),
            inclusion,
            &note,
        )
        .map_err(|e| FollowError::Replay(e.to_string()))
    }

    /// Replays to the newest state leaf the database holds (a read-only
    /// server does it in the background, so that a proof waits little).
    pub fn catch_up(&mut self, conn: &mut DbConnection) -> Result<(), FollowError> {
        let Some((idx, _)) = statelog::newest(conn, &self.county)? else {
            return Ok(());
        };
        let leaf = statelog::leaves(conn, &self.county, idx, 1)?
            .pop()
            .ok_or_else(|| FollowError::Replay(format!("state leaf {idx} is not stored")))?;
        self.follow_to(conn, idx, &leaf)
    }

    /// Replays the log from the start through each of `leaves` in order,
    /// checking each one's event and map roots against what the log gives
    /// at its size (a restore's check of the state log it brings back).
    pub fn check_leaves(
        &mut self,
        conn: &mut DbConnection,
        leaves: &[crate::ledger::statelog::StateLeaf],
    ) -> Result<(), FollowError> {
        leaves
            .iter()
            .enumerate()
            .try_for_each(|(idx, leaf)| self.follow_to(conn, idx as u64, leaf))
    }

    /// Replays the entries up to `leaf`'s event size, commits the map and
    /// checks both roots against the leaf.
    fn follow_to(
        &mut self,
        conn: &mut DbConnection,
        idx: u64,
        leaf: &crate::ledger::statelog::StateLeaf,
    ) -> Result<(), FollowError> {
        if self.seq.size() > leaf.event_size {
            return Err(FollowError::Replay(format!(
                "state leaf {idx} is at event-log size {}, before the {} entries already followed",
                leaf.event_size,
                self.seq.size()
            )));
        }
        while self.seq.size() < leaf.event_size {
            let rows = queries::log_rows(conn, &self.county, self.seq.size(), 4096)?;
            if rows.is_empty() {
                return Err(FollowError::Replay(format!(
                    "the log ends at {} entries, before state leaf {idx}",
                    self.seq.size()
                )));
            }
            let wanted = (leaf.event_size - self.seq.size()) as usize;
            for (_, _, _, _, bytes) in rows.iter().take(wanted) {
                replay(&mut self.seq, &self.origin, bytes).map_err(FollowError::Replay)?;
            }
        }
        let map = self.seq.map.as_mut().expect("set in new");
        if map.commit(&self.seq.state) != leaf.map_root || self.seq.tree.root() != leaf.event_root {
            return Err(FollowError::Replay(format!(
                "state leaf {idx} is not what the log gives at size {}: run `sanquan monitor`",
                leaf.event_size
            )));
        }
        Ok(())
    }
}
