//! A title proof (issue 20): one title's record as of a state-log
//! checkpoint, checkable offline against a trust policy — the record (or
//! its absence), its path in the state map, the state-log leaf that names
//! the map's root and the event-log position, and the checkpoint signed by
//! the county's state key and cosigned by witnesses.
//!
//! Two forms. The text bundle is C2SP tlog-proof (`c2sp.org/tlog-proof@v1`,
//! `extra`, `index`, the leaf's inclusion path, the checkpoint verbatim);
//! its `extra` carries the title, record, map path and leaf. The compact
//! form, for a certificate's QR, leaves the inclusion path out: it is made
//! against the checkpoint whose extension line names the leaf itself, and
//! rebuilds the note's body from its parts (the origin is the policy's).

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::Signature;

use super::checkpoint::{note_parts, Checkpoint};
use super::follower::record_hash;
use super::merkle::{verify_inclusion, Hash};
use super::policy::Policy;
use super::statelog::{StateCheckpoint, StateLeaf};
use super::statemap::{key_of, MapProof};
use crate::model::state::TitleRecord;

/// What a certificate's QR says: this prefix and the compact form in
/// base45 (RFC 9285), whose 45 characters are the QR code's alphanumeric
/// ones — 1.6 KB of proof is 2,400 characters, within a version-40 code at
/// error correction level Q (2,520).
pub const QR_PREFIX: &str = "SQ1:";

const BASE45: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// RFC 9285 base45.
pub fn base45(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 2);
    for pair in bytes.chunks(2) {
        let (mut n, digits) = match pair {
            [a, b] => (usize::from(*a) * 256 + usize::from(*b), 3),
            [a] => (usize::from(*a), 2),
            _ => unreachable!(),
        };
        for _ in 0..digits {
            out.push(BASE45[n % 45] as char);
            n /= 45;
        }
    }
    out
}

/// RFC 9285 base45 read back; `None` for any other text.
pub fn unbase45(text: &str) -> Option<Vec<u8>> {
    let values: Vec<usize> = text
        .bytes()
        .map(|c| BASE45.iter().position(|&b| b == c))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(values.len() * 2 / 3);
    for chunk in values.chunks(3) {
        match chunk {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                out.push(u8::try_from(n / 256).ok()?);
                out.push((n % 256) as u8);
            }
            [c, d] => out.push(u8::try_from(c + d * 45).ok()?),
            _ => return None,
        }
    }
    Some(out)
}

/// The first line of a text bundle.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// The compact form's first byte.
const COMPACT_V1: u8 = 0x51;
/// A bundle's most bytes (either form): a path of 256 siblings, a record of
/// many rights and acts, 64 signatures.
pub const MAX_BYTES: usize = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleProof {
    /// The title's key text (a parcel's code, `ZJD…`, `FE…`).
    pub title: String,
    /// Its canonical record; none proves the title absent.
    pub record: Option<Vec<u8>>,
    pub map: MapProof,
    /// The state-log leaf the proof is as of, and its index.
    pub leaf: StateLeaf,
    pub index: u64,
    /// The leaf's inclusion path in the checkpoint's tree; none in the
    /// compact form, whose leaf is the one the checkpoint names.
    pub path: Option<Vec<Hash>>,
    /// The checkpoint's note body and its signature lines (name — empty
    /// when read from the compact form —, key ID, the rest of the blob).
    pub body: String,
    pub signatures: Vec<(String, u32, Vec<u8>)>,
}

/// What a proof showed, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub title: String,
    pub record: Option<TitleRecord>,
    pub checkpoint: StateCheckpoint,
    pub leaf: StateLeaf,
    /// The log (its key's name) and the witnesses (their policy names)
    /// whose signatures verified.
    pub log: String,
    pub witnesses: Vec<String>,
    /// The newest cosignature's time (POSIX seconds), if any.
    pub cosigned_at: Option<u64>,
}

crate::refusals! {
    /// Why a title proof does not verify.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum ProofError {
        #[error("the proof is malformed: {0}")]
        Malformed(String)
            => Malformed(_) => Class::Malformed, "proof",
            "证明格式错误";
        #[error("the checkpoint is not signed by a log the policy trusts")]
        #[default]
        UntrustedLog
            => UntrustedLog => Class::Forbidden, "proof",
            "检查点不是策略所信任的日志签发的";
        #[error("the witnesses' cosignatures do not meet the policy's quorum ({0} verified)")]
        NoQuorum(usize)
            => NoQuorum(_) => Class::Forbidden, "proof",
            "见证方的联署未达到策略规定的法定数";
        #[error("the state-log leaf is not in the checkpoint's tree")]
        NotIncluded
            => NotIncluded => Class::Forbidden, "proof",
            "该状态日志叶不在检查点的树中";
        #[error("the map path does not lead to the leaf's map root with this record")]
        MapMismatch
            => MapMismatch => Class::Forbidden, "proof",
            "状态树路径与该记录、状态根不符";
    }
}

fn malformed(why: &str) -> ProofError {
    ProofError::Malformed(why.to_owned())
}

/// A little reader of length-prefixed bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ProofError> {
        if self.0.len() < n {
            return Err(malformed("cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, ProofError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<usize, ProofError> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().expect("2")) as usize)
    }
    fn u32(&mut self) -> Result<u32, ProofError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64, ProofError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn hash(&mut self) -> Result<Hash, ProofError> {
        Ok(self.take(32)?.try_into().expect("32"))
    }
    fn end(&self) -> Result<(), ProofError> {
        self.0
            .is_empty()
            .then_some(())
            .ok_or_else(|| malformed("trailing bytes"))
    }
}

fn put16(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl TitleProof {
    /// A proof of `title` (its record, or absence) under `map`, as of state
    /// leaf `index` of the tree the signed `note` checkpoints (with `path`,
    /// that leaf's inclusion path in it).
    pub fn new(
        title: String,
        record: Option<Vec<u8>>,
        map: MapProof,
        (leaf, index): (StateLeaf, u64),
        path: Vec<Hash>,
        note: &str,
    ) -> Result<TitleProof, ProofError> {
        let (body, sigs) = note_parts(note).map_err(|e| malformed(&e.to_string()))?;
        Ok(TitleProof {
            title,
            record,
            map,
            leaf,
            index,
            path: Some(path),
            body: body.to_owned(),
            signatures: sigs
                .into_iter()
                .map(|(n, id, b)| (n.to_owned(), id, b))
                .collect(),
        })
    }

    /// The title's own part: title, record, map path (the text form's
    /// `extra` adds the leaf to it).
    fn own_bytes(&self, out: &mut Vec<u8>) {
        out.push(self.title.len() as u8);
        out.extend_from_slice(self.title.as_bytes());
        put16(out, self.record.as_deref().unwrap_or_default());
        put16(out, &self.map.to_bytes());
    }

    fn read_own(r: &mut Reader<'_>) -> Result<(String, Option<Vec<u8>>, MapProof), ProofError> {
        let n = r.u8()? as usize;
        let title = std::str::from_utf8(r.take(n)?)
            .map_err(|_| malformed("the title is not UTF-8"))?
            .to_owned();
        let n = r.u16()?;
        let record = Some(r.take(n)?.to_vec()).filter(|b| !b.is_empty());
        let n = r.u16()?;
        let map = MapProof::from_bytes(r.take(n)?).map_err(|e| malformed(&e.to_string()))?;
        Ok((title, record, map))
    }

    /// The same proof under a newer copy of its checkpoint's note — the
    /// same body with more cosignatures; `false` (and unchanged) if the
    /// note's body is another.
    pub fn with_note(&mut self, note: &str) -> bool {
        match note_parts(note) {
            Ok((body, sigs)) if body == self.body => {
                self.signatures = sigs
                    .into_iter()
                    .map(|(n, id, b)| (n.to_owned(), id, b))
                    .collect();
                true
            }
            _ => false,
        }
    }

    /// The text bundle (C2SP tlog-proof).
    pub fn to_text(&self) -> String {
        let mut extra = Vec::new();
        self.own_bytes(&mut extra);
        extra.extend_from_slice(&self.leaf.bytes());
        let mut out = format!(
            "{HEADER}\nextra {}\nindex {}\n",
            B64.encode(extra),
            self.index
        );
        for h in self.path.iter().flatten() {
            out += &B64.encode(h);
            out.push('\n');
        }
        out.push('\n');
        out += &self.body;
        out.push('\n');
        for (name, id, blob) in &self.signatures {
            let mut b = id.to_be_bytes().to_vec();
            b.extend_from_slice(blob);
            out += &format!("— {name} {}\n", B64.encode(b));
        }
        out
    }

    pub fn from_text(text: &str) -> Result<TitleProof, ProofError> {
        if text.len() > MAX_BYTES {
            return Err(malformed("too long"));
        }
        let rest = text
            .strip_prefix(HEADER)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or_else(|| malformed("not a tlog-proof"))?;
        let (head, note) = rest
            .split_once("\n\n")
            .ok_or_else(|| malformed("no checkpoint"))?;
        let mut lines = head.split('\n');
        let extra = lines
            .next()
            .and_then(|l| l.strip_prefix("extra "))
            .and_then(|e| B64.decode(e).ok())
            .ok_or_else(|| malformed("no extra line"))?;
        let index = lines
            .next()
            .and_then(|l| l.strip_prefix("index "))
            .filter(|n| !(n.len() > 1 && n.starts_with('0')))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| malformed("no index line"))?;
        let path = lines
            .map(|l| B64.decode(l).ok().and_then(|h| Hash::try_from(h).ok()))
            .collect::<Option<Vec<Hash>>>()
            .filter(|p| p.len() <= 64)
            .ok_or_else(|| malformed("a bad inclusion path"))?;
        let mut r = Reader(&extra);
        let (title, record, map) = Self::read_own(&mut r)?;
        let leaf = StateLeaf::from_bytes(r.take(72)?).ok_or_else(|| malformed("bad leaf"))?;
        r.end()?;
        Self::new(title, record, map, (leaf, index), path, note)
    }

    /// The compact form: for a proof made against the checkpoint that
    /// names its leaf (`index` is the tree's last), without the path.
    pub fn to_compact(&self) -> Option<Vec<u8>> {
        let cp = StateCheckpoint::parse_text(&self.body).ok()?;
        if cp.latest != self.leaf || self.index + 1 != cp.tree.size {
            return None;
        }
        let mut out = vec![COMPACT_V1];
        self.own_bytes(&mut out);
        out.extend_from_slice(&self.leaf.bytes());
        out.extend_from_slice(&cp.tree.size.to_be_bytes());
        out.extend_from_slice(&cp.tree.root);
        out.push(self.signatures.len().min(255) as u8);
        for (_, id, blob) in self.signatures.iter().take(255) {
            out.extend_from_slice(&id.to_be_bytes());
            out.push(blob.len().min(255) as u8);
            out.extend_from_slice(&blob[..blob.len().min(255)]);
        }
        Some(out)
    }

    /// What a certificate's QR holds: [`QR_PREFIX`] and the compact form in
    /// base45.
    pub fn to_qr_text(&self) -> Option<String> {
        Some(format!("{QR_PREFIX}{}", base45(&self.to_compact()?)))
    }

    /// Reads the compact form; the checkpoint's origin is `origin` (the
    /// policy's log's).
    pub fn from_compact(bytes: &[u8], origin: &str) -> Result<TitleProof, ProofError> {
        if bytes.len() > MAX_BYTES {
            return Err(malformed("too long"));
        }
        let mut r = Reader(bytes);
        if r.u8()? != COMPACT_V1 {
            return Err(malformed("not a compact title proof"));
        }
        let (title, record, map) = Self::read_own(&mut r)?;
        let leaf = StateLeaf::from_bytes(r.take(72)?).ok_or_else(|| malformed("bad leaf"))?;
        let size = r.u64()?;
        let root = r.hash()?;
        let index = size
            .checked_sub(1)
            .ok_or_else(|| malformed("an empty state log"))?;
        let mut signatures = Vec::new();
        for _ in 0..r.u8()? {
            let id = r.u32()?;
            let n = r.u8()? as usize;
            signatures.push((String::new(), id, r.take(n)?.to_vec()));
        }
        r.end()?;
        let body = StateCheckpoint {
            tree: Checkpoint {
                origin: origin.to_owned(),
                size,
                root,
            },
            latest: leaf,
        }
        .text();
        Ok(TitleProof {
            title,
            record,
            map,
            leaf,
            index,
            path: None,
            body,
            signatures,
        })
    }

    /// Checks the proof against `policy`, with no network: the log's
    /// signature, the witnesses' quorum, the leaf in the tree (or named by
    /// the checkpoint), the record under the leaf's map root.
    pub fn verify(&self, policy: &Policy) -> Result<Verified, ProofError> {
        let checkpoint =
            StateCheckpoint::parse_text(&self.body).map_err(|e| malformed(&e.to_string()))?;
        let named = |name: &str, want: &str| name.is_empty() || name == want;
        let log = policy
            .logs
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.name == checkpoint.tree.origin)
            .find(|k| {
                self.signatures.iter().any(|(name, id, blob)| {
                    named(name, &k.name)
                        && *id == k.hash
                        && Signature::from_slice(blob)
                            .is_ok_and(|s| k.key.verify_strict(self.body.as_bytes(), &s).is_ok())
                })
            })
            .ok_or(ProofError::UntrustedLog)?;
        let mut cosigned = BTreeSet::new();
        let mut cosigned_at = None;
        for (n, w) in policy.witnesses.iter().enumerate() {
            for (name, id, blob) in &self.signatures {
                if *id != w.key.id || !named(name, &w.key.name) {
                    continue;
                }
                if let Some(t) = w.key.verify(&self.body, blob) {
                    cosigned.insert(n);
                    cosigned_at = cosigned_at.max(Some(t));
                }
            }
        }
        if !policy.quorum_met(&cosigned) {
            return Err(ProofError::NoQuorum(cosigned.len()));
        }
        let included = match &self.path {
            Some(path) => verify_inclusion(
                &self.leaf.hash(),
                self.index,
                checkpoint.tree.size,
                path,
                &checkpoint.tree.root,
            ),
            None => false,
        };
        let named_leaf = self.index + 1 == checkpoint.tree.size && checkpoint.latest == self.leaf;
        if !(included || named_leaf) {
            return Err(ProofError::NotIncluded);
        }
        let value = self.record.as_deref().map(record_hash);
        match self.map.verify(&self.leaf.map_root, &key_of(&self.title)) {
            Ok(v) if v == value => {}
            _ => return Err(ProofError::MapMismatch),
        }
        let record = match &self.record {
            Some(bytes) => Some(
                TitleRecord::from_canonical(bytes)
                    .filter(|r| r.title == self.title)
                    .ok_or_else(|| {
                        malformed("the record is not a canonical record of the title")
                    })?,
            ),
            None => None,
        };
        Ok(Verified {
            title: self.title.clone(),
            record,
            leaf: self.leaf,
            checkpoint,
            log: log.name.clone(),
            witnesses: cosigned
                .into_iter()
                .map(|n| policy.witnesses[n].name.clone())
                .collect(),
            cosigned_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::cosignature::{cosign, CosignerKey};
    use crate::ledger::follower::MapFollower;
    use crate::ledger::merkle::{inclusion_proof, MemoryTree};
    use crate::ledger::statelog::state_origin;
    use crate::ledger::SignerKey;
    use crate::model::rules::world::World;
    use crate::model::titles::Title;

    struct Fixture {
        follower: MapFollower,
        world: World,
        tree: MemoryTree,
        leaves: Vec<StateLeaf>,
        note: String,
        policy: Policy,
        witnesses: Vec<SignerKey>,
    }

    /// The G1 world's county with its map committed three times (three
    /// state leaves), the last checkpoint signed and cosigned by two of
    /// three witnesses; the policy needs two.
    fn fixture() -> Fixture {
        let world = World::new();
        let follower = MapFollower::build(&world.state);
        let key = SignerKey::from_seed(&state_origin("140421"), [5; 32]).unwrap();
        let leaves: Vec<StateLeaf> = (0..3u8)
            .map(|n| StateLeaf {
                event_size: world.index - 2 + u64::from(n),
                event_root: [n; 32],
                map_root: follower.map.root().unwrap(),
            })
            .collect();
        let mut tree = MemoryTree::new(&[]);
        leaves.iter().for_each(|l| tree.push(l.hash()));
        let cp = StateCheckpoint {
            tree: Checkpoint {
                origin: state_origin("140421"),
                size: 3,
                root: tree.root(),
            },
            latest: leaves[2],
        };
        let witnesses: Vec<SignerKey> = (1..=3u8)
            .map(|n| SignerKey::from_seed(&format!("witness{n}.example"), [n + 40; 32]).unwrap())
            .collect();
        let mut note = cp.sign(&key);
        for w in &witnesses[..2] {
            note += &cosign(w, &cp.text(), 1_790_000_000);
        }
        let mut policy = format!("log {}\n", key.verifier());
        for (n, w) in witnesses.iter().enumerate() {
            policy += &format!("witness W{n} {}\n", CosignerKey::of(w));
        }
        policy += "group G 2 W0 W1 W2\nquorum G\n";
        Fixture {
            follower,
            world,
            tree,
            leaves,
            note,
            policy: Policy::parse(&policy).unwrap(),
            witnesses,
        }
    }

    fn proof(f: &Fixture, title: &Title, index: u64) -> TitleProof {
        let (record, map) = f.follower.prove(&f.world.state, title).unwrap();
        let path = inclusion_proof(&f.tree, index, 3).unwrap();
        TitleProof::new(
            title.key(),
            record.map(|r| r.canonical()),
            map,
            (f.leaves[index as usize], index),
            path,
            &f.note,
        )
        .unwrap()
    }

    #[test]
    fn a_title_proof_verifies_offline_in_both_forms() {
        let f = fixture();
        let parcel = Title::Parcel("1404210010010100001".into());
        for index in [0, 2] {
            let p = proof(&f, &parcel, index);
            let text = p.to_text();
            assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "));
            let back = TitleProof::from_text(&text).unwrap();
            assert_eq!(back, p);
            let v = back.verify(&f.policy).unwrap();
            let record = v.record.unwrap();
            assert_eq!(record.holder.as_deref(), Some("140421001001010001"));
            assert!(record.contract.is_some() && record.encumbrances.is_empty());
            assert_eq!(v.witnesses, ["W0", "W1"]);
            assert_eq!(v.leaf, f.leaves[index as usize]);
        }
        // The compact form: only for the leaf the checkpoint names.
        assert!(proof(&f, &parcel, 0).to_compact().is_none());
        let compact = proof(&f, &parcel, 2).to_compact().unwrap();
        let back = TitleProof::from_compact(&compact, &state_origin("140421")).unwrap();
        assert_eq!(back.verify(&f.policy).unwrap().title, parcel.key());
        for cut in 0..compact.len() {
            assert!(TitleProof::from_compact(&compact[..cut], &state_origin("140421")).is_err());
        }
        // Absence is proved: a parcel never registered.
        let none = proof(&f, &Title::Parcel("1404210010010199999".into()), 2);
        assert_eq!(none.record, None);
        assert_eq!(none.verify(&f.policy).unwrap().record, None);
    }

    /// RFC 9285's own examples, and any bytes back.
    #[test]
    fn base45_is_rfc_9285() {
        assert_eq!(base45(b"AB"), "BB8");
        assert_eq!(base45(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45(b"base-45"), "UJCLQE7W581");
        assert_eq!(unbase45("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(unbase45("GGW"), None);
        assert_eq!(unbase45("a"), None);
        let all: Vec<u8> = (0..=255u8).chain(0..=254u8).collect();
        for n in 0..all.len() {
            assert_eq!(unbase45(&base45(&all[..n])).unwrap(), &all[..n]);
        }
    }

    #[test]
    fn a_forged_proof_is_refused() {
        let f = fixture();
        let parcel = Title::Parcel("1404210010010100001".into());
        let good = proof(&f, &parcel, 1);
        // Another record under the same path.
        let mut p = good.clone();
        let mut r = TitleRecord::from_canonical(p.record.as_ref().unwrap()).unwrap();
        r.holder = Some("140421001001010002".into());
        p.record = Some(r.canonical());
        assert_eq!(p.verify(&f.policy), Err(ProofError::MapMismatch));
        // Claimed absent.
        let mut p = good.clone();
        p.record = None;
        assert_eq!(p.verify(&f.policy), Err(ProofError::MapMismatch));
        // Another leaf (another map root) at the same index.
        let mut p = good.clone();
        p.leaf.map_root = [9; 32];
        assert_eq!(p.verify(&f.policy), Err(ProofError::NotIncluded));
        // One cosignature short of the quorum.
        let mut p = good.clone();
        p.signatures.pop();
        assert_eq!(p.verify(&f.policy), Err(ProofError::NoQuorum(1)));
        // A forked checkpoint: the log signs another tree of the same size;
        // the witnesses' cosignatures of the first do not carry over.
        let mut p = good.clone();
        let mut cp = StateCheckpoint::parse_text(&p.body).unwrap();
        cp.latest.map_root = [9; 32];
        let forged = cp.sign(&SignerKey::from_seed(&state_origin("140421"), [5; 32]).unwrap());
        let (body, sigs) = note_parts(&forged).unwrap();
        p.body = body.to_owned();
        p.signatures
            .splice(0..1, sigs.into_iter().map(|(n, i, b)| (n.to_owned(), i, b)));
        assert_eq!(p.verify(&f.policy), Err(ProofError::NoQuorum(0)));
        // A third witness's cosignature of that fork still is one.
        p.signatures.push({
            let line = cosign(&f.witnesses[2], &p.body, 1_790_000_001);
            let note = format!("x\n\n{line}");
            let (_, s) = note_parts(&note).unwrap();
            let (n, i, b) = s.into_iter().next().unwrap();
            (n.to_owned(), i, b)
        });
        assert_eq!(p.verify(&f.policy), Err(ProofError::NoQuorum(1)));
        // A log the policy does not know.
        let mut p = good.clone();
        p.signatures.remove(0);
        assert_eq!(p.verify(&f.policy), Err(ProofError::UntrustedLog));
    }
}
