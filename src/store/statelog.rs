//! The state log's rows (issue 20): each leaf with the state checkpoint
//! signed at its size, the witnesses' cosignatures added to that note as
//! they come.

use diesel::prelude::*;

use super::schema::state_log;
use super::{DbConnection, StoreError};
use crate::ledger::statelog::StateLeaf;

/// Every leaf of a county's state log, in order, and the newest note.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<(Vec<StateLeaf>, Option<String>), StoreError> {
    let rows: Vec<(i64, Vec<u8>)> = state_log::table
        .filter(state_log::county.eq(county))
        .order(state_log::idx.asc())
        .select((state_log::idx, state_log::leaf))
        .load(conn)?;
    let mut leaves = Vec::with_capacity(rows.len());
    for (n, (idx, leaf)) in rows.into_iter().enumerate() {
        let leaf = StateLeaf::from_bytes(&leaf)
            .filter(|_| idx == n as i64)
            .ok_or_else(|| StoreError::Corrupt(format!("state log row {idx}")))?;
        leaves.push(leaf);
    }
    let note = match leaves.len() {
        0 => None,
        n => Some(note(conn, county, n as u64 - 1)?.unwrap_or_default()),
    };
    Ok((leaves, note))
}

/// Up to `n` leaves from index `from`, in order.
pub fn leaves(
    conn: &mut DbConnection,
    county: &str,
    from: u64,
    n: i64,
) -> Result<Vec<StateLeaf>, StoreError> {
    let rows: Vec<Vec<u8>> = state_log::table
        .filter(state_log::county.eq(county))
        .filter(state_log::idx.ge(from as i64))
        .order(state_log::idx.asc())
        .limit(n)
        .select(state_log::leaf)
        .load(conn)?;
    rows.iter()
        .map(|b| {
            StateLeaf::from_bytes(b).ok_or_else(|| StoreError::Corrupt("a state log leaf".into()))
        })
        .collect()
}

/// The newest leaf's index and note.
pub fn newest(conn: &mut DbConnection, county: &str) -> Result<Option<(u64, String)>, StoreError> {
    let row: Option<(i64, String)> = state_log::table
        .filter(state_log::county.eq(county))
        .order(state_log::idx.desc())
        .select((state_log::idx, state_log::note))
        .first(conn)
        .optional()?;
    Ok(row.map(|(i, n)| (i as u64, n)))
}

/// The note signed when leaf `idx` was the newest.
pub fn note(conn: &mut DbConnection, county: &str, idx: u64) -> Result<Option<String>, StoreError> {
    Ok(state_log::table
        .filter(state_log::county.eq(county))
        .filter(state_log::idx.eq(idx as i64))
        .select(state_log::note)
        .first(conn)
        .optional()?)
}

/// Appends leaf `idx` with its signed note.
pub fn append(
    conn: &mut DbConnection,
    county: &str,
    idx: u64,
    leaf: &StateLeaf,
    note: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(state_log::table)
        .values((
            state_log::county.eq(county),
            state_log::idx.eq(idx as i64),
            state_log::leaf.eq(leaf.bytes().to_vec()),
            state_log::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces leaf `idx`'s note with the same note and more cosignatures.
pub fn cosigned(
    conn: &mut DbConnection,
    county: &str,
    idx: u64,
    note: &str,
) -> Result<(), StoreError> {
    diesel::update(
        state_log::table
            .filter(state_log::county.eq(county))
            .filter(state_log::idx.eq(idx as i64)),
    )
    .set(state_log::note.eq(note))
    .execute(conn)?;
    Ok(())
}

/// The state log as the writer keeps it: the map follows the sequencer,
/// and each period (or when a proof asks for a title changed since) the
/// map is committed, its root appended as a leaf and the state checkpoint
/// signed — on the writer's thread, between two batches, so that the leaf
/// names exactly the entries written.
pub struct StateKeeper {
    county: String,
    key: crate::ledger::SignerKey,
    period: std::time::Duration,
    last: Option<std::time::Instant>,
    leaves: Vec<StateLeaf>,
    tree: crate::ledger::merkle::MemoryTree,
    /// The thread that asks the witnesses to cosign each new leaf's note.
    cosigner: Option<std::sync::mpsc::Sender<super::cosigner::NewLeaf>>,
}

/// Why no title proof was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProveError {
    #[error("this writer keeps no state log")]
    NotKept,
    #[error("the state log was not written: {0}")]
    Store(String),
    #[error("the writer has stopped")]
    Stopped,
    /// The title changed since the newest leaf and a leaf was made less
    /// than [`StateKeeper::MIN_GAP`] ago: ask again (the writer does).
    #[error("a proof of this title waits for the next state leaf")]
    Later,
}

impl StateKeeper {
    /// The least time between two leaves a proof asks for.
    pub const MIN_GAP: std::time::Duration = std::time::Duration::from_secs(1);

    /// The state log's signing key: derived from the log key.
    pub fn state_key(log_key: &crate::ledger::SignerKey, county: &str) -> crate::ledger::SignerKey {
        log_key
            .derive(
                &crate::ledger::statelog::state_origin(county),
                "sanquan state log key v1",
            )
            .expect("a valid name")
    }

    /// Loads the county's state log and starts the map's follower on
    /// `seq`, built from its state.
    pub fn start(
        conn: &mut DbConnection,
        seq: &mut crate::ledger::Sequencer,
        log_key: &crate::ledger::SignerKey,
        period: std::time::Duration,
        cosigner: Option<std::sync::mpsc::Sender<super::cosigner::NewLeaf>>,
    ) -> Result<StateKeeper, StoreError> {
        let (leaves, _) = load(conn, &seq.county)?;
        let mut tree = crate::ledger::merkle::MemoryTree::new(&[]);
        leaves.iter().for_each(|l| tree.push(l.hash()));
        seq.map = Some(crate::ledger::follower::MapFollower::build(&seq.state));
        let mut keeper = StateKeeper {
            county: seq.county.clone(),
            key: Self::state_key(log_key, &seq.county),
            period,
            last: None,
            leaves,
            tree,
            cosigner,
        };
        // A leaf for the log as it stands, before the writer takes its
        // first batch: the state checkpoint is there once it serves. If
        // the newest leaf is already that, its note goes to the witnesses
        // again (a cosigner starts knowing nothing).
        let before = keeper.leaves.len();
        keeper.commit(conn, seq)?;
        if let (Some(c), true) = (&keeper.cosigner, keeper.leaves.len() == before) {
            if let Some((idx, note)) = newest(conn, &keeper.county)? {
                let leaf = keeper.leaves[idx as usize];
                let _ = c.send(super::cosigner::NewLeaf {
                    idx,
                    leaf: leaf.hash(),
                    note,
                    event_size: leaf.event_size,
                });
            }
        }
        Ok(keeper)
    }

    /// The hashes of the leaves, in order (the cosigner's tree).
    pub fn leaf_hashes(&self) -> Vec<crate::ledger::merkle::Hash> {
        self.leaves.iter().map(StateLeaf::hash).collect()
    }

    /// Whether a period has passed since the last commit.
    pub fn due(&self) -> bool {
        self.last.is_none_or(|t| t.elapsed() >= self.period)
    }

    /// Commits the map and appends a leaf if the log grew since the last
    /// (or nothing was ever committed); signs and stores its checkpoint.
    pub fn commit(
        &mut self,
        conn: &mut DbConnection,
        seq: &mut crate::ledger::Sequencer,
    ) -> Result<(), StoreError> {
        self.last = Some(std::time::Instant::now());
        let Some(map) = seq.map.as_mut() else {
            return Ok(());
        };
        let map_root = map.commit(&seq.state);
        let leaf = StateLeaf {
            event_size: seq.tree.size(),
            event_root: seq.tree.root(),
            map_root,
        };
        if self.leaves.last() == Some(&leaf) {
            return Ok(());
        }
        let idx = self.leaves.len() as u64;
        self.tree.push(leaf.hash());
        let checkpoint = crate::ledger::statelog::StateCheckpoint {
            tree: crate::ledger::Checkpoint {
                origin: crate::ledger::statelog::state_origin(&self.county),
                size: idx + 1,
                root: self.tree.root(),
            },
            latest: leaf,
        };
        let note = checkpoint.sign(&self.key);
        if let Err(e) = append(conn, &self.county, idx, &leaf, &note) {
            // Not appended: the tree goes back to the leaves it holds.
            self.tree = crate::ledger::merkle::MemoryTree::new(
                &self.leaves.iter().map(StateLeaf::hash).collect::<Vec<_>>(),
            );
            return Err(e);
        }
        self.leaves.push(leaf);
        if let Some(c) = &self.cosigner {
            let _ = c.send(super::cosigner::NewLeaf {
                idx,
                leaf: leaf.hash(),
                note,
                event_size: leaf.event_size,
            });
        }
        tracing::debug!(idx, event_size = leaf.event_size, "state log leaf");
        Ok(())
    }

    /// A proof of `title` as of the newest leaf — committing first if the
    /// title changed since, so a proof is never of a record already
    /// changed.
    pub fn prove(
        &mut self,
        conn: &mut DbConnection,
        seq: &mut crate::ledger::Sequencer,
        title: &crate::model::titles::Title,
    ) -> Result<crate::ledger::titleproof::TitleProof, ProveError> {
        let store = |e: StoreError| ProveError::Store(e.to_string());
        let changed = seq.map.as_ref().is_none_or(|m| m.is_named(title));
        if changed || self.leaves.is_empty() {
            if self.last.is_some_and(|t| t.elapsed() < Self::MIN_GAP) {
                return Err(ProveError::Later);
            }
            self.commit(conn, seq).map_err(store)?;
        }
        let map = seq.map.as_ref().ok_or(ProveError::NotKept)?;
        let (record, path) = map.prove(&seq.state, title).ok_or(ProveError::NotKept)?;
        let idx = self.leaves.len() as u64 - 1;
        let note = note(conn, &self.county, idx)
            .map_err(store)?
            .ok_or_else(|| ProveError::Store("the newest leaf has no note".into()))?;
        let inclusion =
            crate::ledger::merkle::inclusion_proof(&self.tree, idx, idx + 1).expect("in memory");
        crate::ledger::titleproof::TitleProof::new(
            title.key(),
            record.map(|r| r.canonical()),
            path,
            (self.leaves[idx as usize], idx),
            inclusion,
            &note,
        )
        .map_err(|e| ProveError::Store(e.to_string()))
    }
}
