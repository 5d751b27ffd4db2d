//! The state map (状态图, issue 20): a sparse Merkle tree over the registry's
//! current titles, so that a proof can say what a title *is* as of a
//! checkpoint — not only that an entry once touched it — and that a key is
//! absent ("no seizure", "no pledge") rather than promise it.
//!
//! The shape is that of the Diem/Aptos jellyfish tree, binary: 256-bit keys
//! (SHA-256 of a title's key, [`key_of`]), 256-bit values (SHA-256 of its
//! canonical record), and a subtree holding one leaf is that leaf, placed at
//! the shortest prefix that sets it apart. So a proof carries about
//! log₂(n) + 1 sibling hashes (21 at a million titles, 31 at a billion), not
//! 256. Hashing, domain-separated as the event log's (RFC 6962):
//!
//! - an empty subtree: 32 zero bytes ([`EMPTY`]);
//! - a leaf: SHA-256(0x00 ‖ key ‖ value);
//! - a branch: SHA-256(0x01 ‖ left ‖ right), bit 0 of the key (its first
//!   byte's high bit) choosing the side at the root.
//!
//! The tree is canonical: the same set of titles gives the same root
//! whatever order they were set and removed in (a removal folds a branch
//! left with one leaf back into the leaf), so a monitor that rebuilds the
//! map from the events gets the root the log committed, or shows where not.
//! Pure and in memory: no I/O.

use sha2::{Digest, Sha256};

use super::merkle::{node_hash, Hash};

/// The hash of an empty subtree.
pub const EMPTY: Hash = [0; 32];

/// The deepest a leaf can sit: two keys differing only in their last bit.
pub const MAX_DEPTH: usize = 256;

/// The map's key for a title's key text (a parcel's code, `ZJD` + household,
/// …): SHA-256 of it.
pub fn key_of(title: &str) -> Hash {
    Sha256::digest(title.as_bytes()).into()
}

/// The hash of a leaf: SHA-256(0x00 ‖ key ‖ value).
pub fn leaf_hash(key: &Hash, value: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(key);
    h.update(value);
    h.finalize().into()
}

/// Bit `depth` of a key, from the first byte's high bit.
fn bit(key: &Hash, depth: usize) -> usize {
    usize::from(key[depth / 8] >> (7 - depth % 8) & 1)
}

enum Node {
    Leaf { key: Hash, value: Hash },
    Branch(Box<Branch>),
}

struct Branch {
    children: [Option<Node>; 2],
    /// The branch's hash as of the last [`StateMap::commit`]; stale while
    /// `dirty`.
    hash: Hash,
    dirty: bool,
}

impl Node {
    /// The node's hash; a branch's as last committed.
    fn hash(&self) -> Hash {
        match self {
            Node::Leaf { key, value } => leaf_hash(key, value),
            Node::Branch(b) => b.hash,
        }
    }
}

fn hash_of(slot: &Option<Node>) -> Hash {
    slot.as_ref().map_or(EMPTY, Node::hash)
}

/// The state map: title keys to the hashes of their records.
#[derive(Default)]
pub struct StateMap {
    root: Option<Node>,
    len: usize,
    /// Set by a change, cleared by [`StateMap::commit`].
    dirty: bool,
}

impl StateMap {
    pub fn new() -> StateMap {
        StateMap::default()
    }

    /// How many keys the map holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets a key's value (a new title, or its record changed); whether
    /// anything changed.
    pub fn set(&mut self, key: Hash, value: Hash) -> bool {
        let (changed, added) = set(&mut self.root, key, value, 0);
        self.len += usize::from(added);
        self.dirty |= changed;
        changed
    }

    /// Removes a key (a title that ended); whether it was there.
    pub fn remove(&mut self, key: &Hash) -> bool {
        let removed = remove(&mut self.root, key, 0);
        self.len -= usize::from(removed);
        self.dirty |= removed;
        removed
    }

    /// The value a key holds, without a proof.
    pub fn get(&self, key: &Hash) -> Option<Hash> {
        let mut slot = &self.root;
        let mut depth = 0;
        loop {
            match slot.as_ref()? {
                Node::Leaf { key: k, value } => return (k == key).then_some(*value),
                Node::Branch(b) => {
                    slot = &b.children[bit(key, depth)];
                    depth += 1;
                }
            }
        }
    }

    /// Rehashes what changed since the last commit (the top of the tree on
    /// all cores) and returns the root.
    pub fn commit(&mut self) -> Hash {
        if let Some(node) = &mut self.root {
            rehash(node, 0);
        }
        self.dirty = false;
        hash_of(&self.root)
    }

    /// The root as of the last commit; `None` while changes wait for one.
    pub fn root(&self) -> Option<Hash> {
        (!self.dirty).then(|| hash_of(&self.root))
    }

    /// The proof of a key's value — or of its absence — against the root;
    /// `None` while changes wait for a commit.
    pub fn prove(&self, key: &Hash) -> Option<MapProof> {
        if self.dirty {
            return None;
        }
        let mut siblings = Vec::new();
        let mut slot = &self.root;
        let end = loop {
            match slot {
                None => break End::Empty,
                Some(Node::Leaf { key: k, value }) if k == key => break End::Value(*value),
                Some(Node::Leaf { key: k, value }) => {
                    break End::Other {
                        key: *k,
                        value: *value,
                    }
                }
                Some(Node::Branch(b)) => {
                    let side = bit(key, siblings.len());
                    siblings.push(hash_of(&b.children[1 - side]));
                    slot = &b.children[side];
                }
            }
        };
        Some(MapProof { siblings, end })
    }
}

/// Sets `key` under `slot` at `depth`: (changed, added).
fn set(slot: &mut Option<Node>, key: Hash, value: Hash, depth: usize) -> (bool, bool) {
    match slot {
        None => {
            *slot = Some(Node::Leaf { key, value });
            (true, true)
        }
        Some(Node::Leaf { key: k, value: v }) if *k == key => {
            let changed = *v != value;
            *v = value;
            (changed, false)
        }
        Some(Node::Leaf { key: k, value: v }) => {
            let (k, v) = (*k, *v);
            *slot = Some(split((k, v), (key, value), depth));
            (true, true)
        }
        Some(Node::Branch(b)) => {
            let done = set(&mut b.children[bit(&key, depth)], key, value, depth + 1);
            b.dirty |= done.0;
            done
        }
    }
}

/// The subtree at `depth` of two leaves with different keys: branches down
/// to the first bit where they differ.
fn split(a: (Hash, Hash), b: (Hash, Hash), depth: usize) -> Node {
    let mut branch = Branch {
        children: [None, None],
        hash: EMPTY,
        dirty: true,
    };
    let (side_a, side_b) = (bit(&a.0, depth), bit(&b.0, depth));
    if side_a == side_b {
        branch.children[side_a] = Some(split(a, b, depth + 1));
    } else {
        let leaf = |(key, value)| Some(Node::Leaf { key, value });
        branch.children[side_a] = leaf(a);
        branch.children[side_b] = leaf(b);
    }
    Node::Branch(Box::new(branch))
}

/// Removes `key` under `slot` at `depth`; a branch left with one leaf and
/// nothing beside it becomes that leaf (the tree stays canonical).
fn remove(slot: &mut Option<Node>, key: &Hash, depth: usize) -> bool {
    match slot {
        None => false,
        Some(Node::Leaf { key: k, .. }) => {
            let found = k == key;
            if found {
                *slot = None;
            }
            found
        }
        Some(Node::Branch(b)) => {
            if !remove(&mut b.children[bit(key, depth)], key, depth + 1) {
                return false;
            }
            b.dirty = true;
            match &mut b.children {
                [None, None] => *slot = None,
                [one @ Some(Node::Leaf { .. }), None] | [None, one @ Some(Node::Leaf { .. })] => {
                    *slot = one.take();
                }
                _ => {}
            }
            true
        }
    }
}

/// Recomputes the hashes of the changed branches under `node`: the two
/// sides of the top levels at once.
fn rehash(node: &mut Node, depth: usize) {
    let Node::Branch(b) = node else {
        return;
    };
    if !b.dirty {
        return;
    }
    let [left, right] = &mut b.children;
    let go = |slot: &mut Option<Node>| {
        if let Some(n) = slot {
            rehash(n, depth + 1);
        }
    };
    if depth < 6 {
        rayon::join(|| go(left), || go(right));
    } else {
        go(left);
        go(right);
    }
    b.hash = node_hash(&hash_of(left), &hash_of(right));
    b.dirty = false;
}

/// Where a key's path through the map ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// An empty subtree: the key is absent.
    Empty,
    /// The key's own leaf, with its value.
    Value(Hash),
    /// Another key's leaf alone in the subtree the key's path leads to: the
    /// key is absent.
    Other { key: Hash, value: Hash },
}

/// A key's path from the root: the sibling hashes from the top down, and
/// where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapProof {
    pub siblings: Vec<Hash>,
    pub end: End,
}

/// Why a map proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapProofError {
    #[error("the map proof is longer than any path ({0} siblings)")]
    TooDeep(usize),
    #[error("the map proof ends at a leaf that is not on the key's path")]
    OffPath,
    #[error("the map proof does not lead to the map's root")]
    WrongRoot,
    #[error("the map proof's bytes do not read: {0}")]
    Encoding(&'static str),
}

impl MapProof {
    /// The value `key` holds in the map whose root is `root` — `None` when
    /// it is absent — if the proof leads there.
    pub fn verify(&self, root: &Hash, key: &Hash) -> Result<Option<Hash>, MapProofError> {
        let depth = self.siblings.len();
        if depth > MAX_DEPTH {
            return Err(MapProofError::TooDeep(depth));
        }
        let (mut hash, value) = match &self.end {
            End::Empty => (EMPTY, None),
            End::Value(v) => (leaf_hash(key, v), Some(*v)),
            End::Other { key: other, value } => {
                // Another key sits where `key`'s path ends only if the two
                // agree on the path so far, and differ.
                if other == key || (0..depth).any(|d| bit(other, d) != bit(key, d)) {
                    return Err(MapProofError::OffPath);
                }
                (leaf_hash(other, value), None)
            }
        };
        for (d, sibling) in self.siblings.iter().enumerate().rev() {
            hash = match bit(key, d) {
                0 => node_hash(&hash, sibling),
                _ => node_hash(sibling, &hash),
            };
        }
        if hash != *root {
            return Err(MapProofError::WrongRoot);
        }
        Ok(value)
    }

    /// The compact form: the path's length (2 bytes, big-endian), a bitmap
    /// of its non-empty siblings (bit 7 of the first byte the root's), those
    /// siblings, then the end — `0`; `1` and the value; or `2`, the other
    /// key and its value.
    pub fn to_bytes(&self) -> Vec<u8> {
        let depth = self.siblings.len();
        let mut out = Vec::with_capacity(2 + depth.div_ceil(8) + 32 * depth + 65);
        out.extend_from_slice(&(depth as u16).to_be_bytes());
        let mut bitmap = vec![0u8; depth.div_ceil(8)];
        for (d, s) in self.siblings.iter().enumerate() {
            if *s != EMPTY {
                bitmap[d / 8] |= 0x80 >> (d % 8);
            }
        }
        out.extend_from_slice(&bitmap);
        for s in self.siblings.iter().filter(|s| **s != EMPTY) {
            out.extend_from_slice(s);
        }
        match &self.end {
            End::Empty => out.push(0),
            End::Value(v) => {
                out.push(1);
                out.extend_from_slice(v);
            }
            End::Other { key, value } => {
                out.push(2);
                out.extend_from_slice(key);
                out.extend_from_slice(value);
            }
        }
        out
    }

    /// Reads the compact form; one encoding per proof (no unused bitmap
    /// bits, nothing after the end).
    pub fn from_bytes(bytes: &[u8]) -> Result<MapProof, MapProofError> {
        let mut rest = bytes;
        let mut take = |n: usize| -> Result<&[u8], MapProofError> {
            if rest.len() < n {
                return Err(MapProofError::Encoding("it ends too soon"));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let hash = |b: &[u8]| -> Hash { b.try_into().unwrap_or(EMPTY) };
        let depth = usize::from(u16::from_be_bytes([take(1)?[0], take(1)?[0]]));
        if depth > MAX_DEPTH {
            return Err(MapProofError::TooDeep(depth));
        }
        let bitmap = take(depth.div_ceil(8))?.to_vec();
        let set = |d: usize| bitmap[d / 8] & (0x80 >> (d % 8)) != 0;
        if (depth..bitmap.len() * 8).any(set) {
            return Err(MapProofError::Encoding("a bit is set past the path's end"));
        }
        let mut siblings = Vec::with_capacity(depth);
        for d in 0..depth {
            let s = if set(d) { hash(take(32)?) } else { EMPTY };
            if set(d) && s == EMPTY {
                return Err(MapProofError::Encoding("an empty sibling given as a hash"));
            }
            siblings.push(s);
        }
        let end = match take(1)?[0] {
            0 => End::Empty,
            1 => End::Value(hash(take(32)?)),
            2 => End::Other {
                key: hash(take(32)?),
                value: hash(take(32)?),
            },
            _ => return Err(MapProofError::Encoding("the end is not 0, 1 or 2")),
        };
        if !rest.is_empty() {
            return Err(MapProofError::Encoding("bytes follow the end"));
        }
        Ok(MapProof { siblings, end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(i: u8) -> Hash {
        key_of(&format!("1404210010010100{i:03}"))
    }

    fn value(v: u8) -> Hash {
        Sha256::digest([v]).into()
    }

    /// The map of a set, built in key order from nothing.
    fn built(set: &BTreeMap<Hash, Hash>) -> Hash {
        let mut m = StateMap::new();
        for (k, v) in set {
            m.set(*k, *v);
        }
        m.commit()
    }

    /// Every key's proof verifies to what the set holds for it.
    fn proofs_hold(map: &StateMap, root: &Hash, set: &BTreeMap<Hash, Hash>, keys: &[Hash]) {
        for k in keys {
            let proof = map.prove(k).expect("committed");
            let bytes = proof.to_bytes();
            assert_eq!(MapProof::from_bytes(&bytes).as_ref(), Ok(&proof));
            assert_eq!(proof.verify(root, k), Ok(set.get(k).copied()), "{proof:?}");
        }
    }

    #[test]
    fn an_empty_map_proves_every_key_absent() {
        let map = StateMap::new();
        assert_eq!(map.root(), Some(EMPTY));
        let proof = map.prove(&key(1)).unwrap();
        assert_eq!(proof.to_bytes(), [0, 0, 0]);
        assert_eq!(proof.verify(&EMPTY, &key(1)), Ok(None));
    }

    #[test]
    fn a_single_title_is_its_leaf_at_the_root() {
        let mut map = StateMap::new();
        map.set(key(1), value(1));
        let root = map.commit();
        assert_eq!(root, leaf_hash(&key(1), &value(1)));
        assert_eq!(
            map.prove(&key(1)).unwrap().verify(&root, &key(1)),
            Ok(Some(value(1)))
        );
        // Another key ends at that leaf: absent.
        let absent = map.prove(&key(2)).unwrap();
        assert!(matches!(absent.end, End::Other { .. }));
        assert_eq!(absent.verify(&root, &key(2)), Ok(None));
    }

    #[test]
    fn a_change_waits_for_a_commit_before_it_is_proved() {
        let mut map = StateMap::new();
        map.set(key(1), value(1));
        assert!(map.root().is_none() && map.prove(&key(1)).is_none());
        let root = map.commit();
        assert!(!map.set(key(1), value(1)), "the same value changes nothing");
        assert_eq!(map.root(), Some(root));
    }

    #[test]
    fn a_forged_proof_is_refused() {
        let mut map = StateMap::new();
        let set: BTreeMap<Hash, Hash> = (0..50).map(|i| (key(i), value(i))).collect();
        for (k, v) in &set {
            map.set(*k, *v);
        }
        let root = map.commit();
        let proof = map.prove(&key(7)).unwrap();
        // Another value for the title.
        let mut lie = proof.clone();
        lie.end = End::Value(value(8));
        assert_eq!(lie.verify(&root, &key(7)), Err(MapProofError::WrongRoot));
        // Its absence, by the empty subtree or by a neighbour's leaf.
        let mut lie = proof.clone();
        lie.end = End::Empty;
        assert_eq!(lie.verify(&root, &key(7)), Err(MapProofError::WrongRoot));
        let other = map.prove(&key(9)).unwrap();
        let End::Value(v9) = other.end else { panic!() };
        let mut lie = proof.clone();
        lie.end = End::Other {
            key: key(9),
            value: v9,
        };
        assert!(lie.verify(&root, &key(7)).is_err());
        // A sibling changed, or one dropped.
        let mut lie = proof.clone();
        lie.siblings[0][0] ^= 1;
        assert_eq!(lie.verify(&root, &key(7)), Err(MapProofError::WrongRoot));
        let mut lie = proof.clone();
        lie.siblings.pop();
        assert!(lie.verify(&root, &key(7)).is_err());
        // The proof of one key is not another's.
        assert!(proof.verify(&root, &key(8)).is_err());
    }

    #[test]
    fn the_compact_form_has_one_encoding_and_never_panics() {
        let mut map = StateMap::new();
        for i in 0..200 {
            map.set(key(i), value(i));
        }
        map.commit();
        let bytes = map.prove(&key(3)).unwrap().to_bytes();
        // Every prefix, and every byte changed, reads or is refused; none panics.
        for n in 0..bytes.len() {
            assert!(MapProof::from_bytes(&bytes[..n]).is_err());
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = MapProof::from_bytes(&b);
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(MapProof::from_bytes(&long).is_err());
        assert_eq!(
            MapProof::from_bytes(&[1, 1, 0]),
            Err(MapProofError::TooDeep(257))
        );
        // Depth 1 with the unused bits of its bitmap set.
        assert!(MapProof::from_bytes(&[0, 1, 0x7f, 0]).is_err());
    }

    static REMOVALS: AtomicUsize = AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        /// Canonical: whatever the order of sets and removals, the root is
        /// that of the final set built from nothing, and every key — held or
        /// not — proves what the set says. (Without the fold in `remove`, a
        /// removal leaves a branch over one leaf and the roots differ.)
        #[test]
        fn the_root_is_the_sets_whatever_the_history(
            ops in proptest::collection::vec((0u8..48, proptest::option::of(0u8..4)), 1..160)
        ) {
            let mut map = StateMap::new();
            let mut set = BTreeMap::new();
            for (i, v) in &ops {
                match v {
                    Some(v) => {
                        map.set(key(*i), value(*v));
                        set.insert(key(*i), value(*v));
                    }
                    None => {
                        let was = set.remove(&key(*i)).is_some();
                        prop_assert_eq!(map.remove(&key(*i)), was);
                        if was {
                            REMOVALS.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            prop_assert_eq!(map.len(), set.len());
            let root = map.commit();
            prop_assert_eq!(root, built(&set));
            let keys: Vec<Hash> = (0..48).map(key).collect();
            proofs_hold(&map, &root, &set, &keys);
        }
    }

    #[test]
    fn enough_cases_removed_a_title_that_was_there() {
        the_root_is_the_sets_whatever_the_history();
        // A case that removes nothing present does not test the fold.
        assert!(REMOVALS.load(Ordering::Relaxed) >= 2_000);
    }

    #[test]
    fn a_large_map_commits_only_what_changed_and_proves_every_key() {
        let mut map = StateMap::new();
        let mut set = BTreeMap::new();
        for i in 0..5_000u32 {
            let (k, v) = (key_of(&i.to_string()), key_of(&format!("v{i}")));
            map.set(k, v);
            set.insert(k, v);
        }
        let first = map.commit();
        for i in (0..5_000u32).step_by(7) {
            let k = key_of(&i.to_string());
            if i % 2 == 0 {
                map.remove(&k);
                set.remove(&k);
            } else {
                map.set(k, EMPTY);
                set.insert(k, EMPTY);
            }
        }
        let root = map.commit();
        assert_ne!(root, first);
        assert_eq!(root, built(&set));
        let keys: Vec<Hash> = (0..5_100u32).map(|i| key_of(&i.to_string())).collect();
        proofs_hold(&map, &root, &set, &keys);
        let deepest = keys
            .iter()
            .map(|k| map.prove(k).unwrap().siblings.len())
            .max();
        assert!(deepest.unwrap() < 40, "{deepest:?}");
    }
}
