//! RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs
//! and their verification. Proof generation reads complete subtree hashes from
//! a [`HashSource`] (the tiles), O(log n) of them per proof.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Gives the hash of the complete subtree of height `level` whose leftmost
/// leaf is `index << level`.
pub trait HashSource {
    type Error;
    fn subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// The largest power of two strictly less than `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[lo:hi]) for a range that starts on a subtree boundary, as the RFC
/// splits it: complete subtrees from the left, folded from the right.
pub fn range_hash<S: HashSource>(src: &S, lo: u64, hi: u64) -> Result<Hash, S::Error> {
    if lo == hi {
        return Ok(empty_root());
    }
    let mut parts = Vec::with_capacity(64);
    let mut at = lo;
    while at < hi {
        let mut level = (hi - at).ilog2();
        if at != 0 {
            level = level.min(at.trailing_zeros());
        }
        parts.push(src.subtree(level, at >> level)?);
        at += 1 << level;
    }
    let mut acc = parts.pop().expect("non-empty range");
    while let Some(left) = parts.pop() {
        acc = node_hash(&left, &acc);
    }
    Ok(acc)
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1), in RFC order: from the leaf up.
pub fn inclusion_proof<S: HashSource>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, S::Error> {
    assert!(index < size, "index within tree");
    let mut proof = Vec::new();
    path(src, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path<S: HashSource>(
    src: &S,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = hi - lo;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(src, m, lo, lo + k, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        path(src, m - k, lo + k, hi, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// The consistency proof between tree sizes `old` ≤ `new` (RFC 9162 §2.1.4.1).
pub fn consistency_proof<S: HashSource>(
    src: &S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, S::Error> {
    assert!(old <= new, "old size within new size");
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(src, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof<S: HashSource>(
    src: &S,
    m: u64,
    lo: u64,
    hi: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = hi - lo;
    if m == n {
        if !whole {
            out.push(range_hash(src, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(src, m, lo, lo + k, whole, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        subproof(src, m - k, lo + k, hi, false, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && &r == root
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if old.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f_n, mut s_n) = (old - 1, new - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    &fr == old_root && &sr == new_root && s_n == 0
}

/// A tree held whole in memory: for tests and small tools.
pub struct MemoryTree {
    /// `levels[h][i]`: complete subtree of height h at index i.
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    pub fn new(leaves: &[Hash]) -> Self {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() > 1 {
            let next = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            levels.push(next);
        }
        MemoryTree { levels }
    }

    /// Appends a leaf, completing the subtrees it closes.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        for level in 0.. {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(node);
            let row = &self.levels[level];
            if row.len() % 2 == 1 {
                break;
            }
            node = node_hash(&row[row.len() - 2], &row[row.len() - 1]);
        }
    }

    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    pub fn root(&self) -> Hash {
        range_hash(self, 0, self.size()).unwrap()
    }
}

impl HashSource for MemoryTree {
    type Error = std::convert::Infallible;
    fn subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        Ok(self.levels[level as usize][index as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine;
    use serde_json::Value;

    fn vectors() -> Value {
        let path = crate::vectors_dir().join("tlog.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn h(v: &Value) -> Hash {
        B64.decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
    }

    fn hashes(v: &Value) -> Vec<Hash> {
        v.as_array().unwrap().iter().map(h).collect()
    }

    fn vector_tree() -> (Value, MemoryTree) {
        let v = vectors();
        let leaves: Vec<Hash> = v["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| leaf_hash(l.as_str().unwrap().as_bytes()))
            .collect();
        (v, MemoryTree::new(&leaves))
    }

    #[test]
    fn roots_match_the_go_tlog_vectors() {
        let (v, tree) = vector_tree();
        let roots = v["roots"].as_object().unwrap();
        assert!(roots.len() >= 70);
        for (size, root) in roots {
            let size: u64 = size.parse().unwrap();
            assert_eq!(
                range_hash(&tree, 0, size).unwrap(),
                h(root),
                "root of {size}"
            );
        }
    }

    #[test]
    fn inclusion_proofs_match_and_verify() {
        let (v, tree) = vector_tree();
        for case in v["inclusion"].as_array().unwrap() {
            let (i, n) = (
                case["index"].as_u64().unwrap(),
                case["size"].as_u64().unwrap(),
            );
            let want = hashes(&case["hashes"]);
            let got = inclusion_proof(&tree, i, n).unwrap();
            assert_eq!(got, want, "inclusion {i} in {n}");
            let root = h(&v["roots"][n.to_string()]);
            let leaf = h(&case["leaf_hash"]);
            assert!(verify_inclusion(&leaf, i, n, &got, &root));
            if let Some(first) = got.first() {
                let mut bad = got.clone();
                bad[0] = leaf_hash(first);
                assert!(!verify_inclusion(&leaf, i, n, &bad, &root));
            }
            assert!(
                !verify_inclusion(&leaf, i, i, &got, &root),
                "index beyond size"
            );
            if n > 1 {
                let other = (i + 1) % n;
                assert!(
                    !verify_inclusion(&leaf, other, n, &got, &root),
                    "{i} as {other} in {n}"
                );
            }
        }
    }

    #[test]
    fn consistency_proofs_match_and_verify() {
        let (v, tree) = vector_tree();
        for case in v["consistency"].as_array().unwrap() {
            let (m, n) = (case["old"].as_u64().unwrap(), case["new"].as_u64().unwrap());
            let want = hashes(&case["hashes"]);
            let got = consistency_proof(&tree, m, n).unwrap();
            assert_eq!(got, want, "consistency {m}..{n}");
            let (r1, r2) = (h(&v["roots"][m.to_string()]), h(&v["roots"][n.to_string()]));
            assert!(verify_consistency(m, n, &r1, &r2, &got), "verify {m}..{n}");
            if m < n {
                assert!(!verify_consistency(m, n, &r2, &r1, &got) || r1 == r2);
            }
        }
    }

    #[test]
    fn the_empty_tree_and_single_leaf() {
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let tree = MemoryTree::new(&[leaf_hash(b"")]);
        assert_eq!(
            hex(&tree.root()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }
}
