//! The state log (issue 20): a second Merkle log per county whose leaves are
//! the state map's roots. Each period the writer commits the map and
//! appends a leaf (event-log size, event-log root, map root), and signs the
//! state log's checkpoint — C2SP tlog-checkpoint with origin
//! `sanquan/<county>/state` — with one extension line naming its newest
//! leaf, `state <event size> <event root> <map root>`. A title proof is made
//! against such a checkpoint: the map path ends in the map root the leaf
//! names, and the leaf names the exact event-log position it reflects.
//!
//! The extension line lets a proof on a certificate carry no state-log
//! path: the line is under the log's signature and the witnesses'
//! cosignatures (cosignature/v1 signs the whole body), and this project's
//! witness cosigns one body per size only, so two extension lines for one
//! state-log size are a fork it refuses. A monitor checks that the line is
//! the newest leaf; a full proof also carries the leaf's inclusion path.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::checkpoint::Checkpoint;
use super::merkle::{leaf_hash, Hash};
use super::LedgerError;

/// The state log's origin for a county.
pub fn state_origin(county: &str) -> String {
    format!("{}/state", crate::model::log_origin(county))
}

/// One leaf of the state log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateLeaf {
    /// The event log's size the map reflects: every entry below it, none
    /// from it on.
    pub event_size: u64,
    pub event_root: Hash,
    pub map_root: Hash,
}

impl StateLeaf {
    /// The leaf's bytes: the size (8 bytes, big-endian) and the two roots.
    pub fn bytes(&self) -> [u8; 72] {
        let mut b = [0; 72];
        b[..8].copy_from_slice(&self.event_size.to_be_bytes());
        b[8..40].copy_from_slice(&self.event_root);
        b[40..].copy_from_slice(&self.map_root);
        b
    }

    pub fn from_bytes(b: &[u8]) -> Option<StateLeaf> {
        let b: &[u8; 72] = b.try_into().ok()?;
        Some(StateLeaf {
            event_size: u64::from_be_bytes(b[..8].try_into().ok()?),
            event_root: b[8..40].try_into().ok()?,
            map_root: b[40..].try_into().ok()?,
        })
    }

    /// Its hash as a leaf of the state log (RFC 6962).
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.bytes())
    }

    /// The checkpoint's extension line naming it.
    pub fn extension(&self) -> String {
        format!(
            "state {} {} {}",
            self.event_size,
            B64.encode(self.event_root),
            B64.encode(self.map_root)
        )
    }

    fn parse_extension(line: &str) -> Option<StateLeaf> {
        let mut words = line.strip_prefix("state ")?.split(' ');
        let size = words.next()?;
        let event_size = size.parse().ok().filter(|n: &u64| n.to_string() == size)?;
        let root = |w: Option<&str>| -> Option<Hash> { B64.decode(w?).ok()?.try_into().ok() };
        let leaf = StateLeaf {
            event_size,
            event_root: root(words.next())?,
            map_root: root(words.next())?,
        };
        (words.next().is_none() && leaf.extension() == line).then_some(leaf)
    }
}

/// A state-log checkpoint: the tree (origin, size, root) and its newest
/// leaf, which the note's extension line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCheckpoint {
    pub tree: Checkpoint,
    pub latest: StateLeaf,
}

impl StateCheckpoint {
    /// The note body its signatures cover.
    pub fn text(&self) -> String {
        format!("{}{}\n", self.tree.text(), self.latest.extension())
    }

    /// The signed note, by the county's state key.
    pub fn sign(&self, key: &super::SignerKey) -> String {
        super::checkpoint::sign_note(&self.text(), key)
    }

    /// Reads a note body: the three checkpoint lines and the one
    /// extension line, nothing else.
    pub fn parse_text(text: &str) -> Result<StateCheckpoint, LedgerError> {
        let bad = |why: &str| LedgerError::BadCheckpoint(why.to_owned());
        let tree = Checkpoint::parse_text(text)?;
        let lines: Vec<&str> = text.split('\n').collect();
        let [_, _, _, ext, ""] = lines.as_slice() else {
            return Err(bad("a state checkpoint has one extension line"));
        };
        let latest = StateLeaf::parse_extension(ext).ok_or_else(|| bad("bad state line"))?;
        let cp = StateCheckpoint { tree, latest };
        if cp.text() != text {
            return Err(bad("not the one spelling of a state checkpoint"));
        }
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_checkpoint_reads_back_only_as_written() {
        let cp = StateCheckpoint {
            tree: Checkpoint {
                origin: state_origin("140421"),
                size: 3,
                root: [7; 32],
            },
            latest: StateLeaf {
                event_size: 1200,
                event_root: [1; 32],
                map_root: [2; 32],
            },
        };
        let text = cp.text();
        assert_eq!(StateCheckpoint::parse_text(&text).unwrap(), cp);
        assert_eq!(StateLeaf::from_bytes(&cp.latest.bytes()), Some(cp.latest));
        for bad in [
            text.replace("state 1200", "state 01200"),
            text.replace("state 1200 ", "state 1200  "),
            format!("{text}extra\n"),
            text.trim_end().to_owned(),
            text.replace("\nstate", "\nstates"),
        ] {
            assert!(StateCheckpoint::parse_text(&bad).is_err(), "{bad:?}");
        }
    }
}
