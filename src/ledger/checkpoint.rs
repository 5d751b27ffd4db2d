//! Checkpoints as C2SP tlog-checkpoint signed notes: the origin line, the tree
//! size and the base64 root hash, signed by the log key. Extra signature lines
//! (witness cosignatures) are kept and ignored when checking ours.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::Signature;

use super::keys::SignerKey;
use super::merkle::Hash;
use super::LedgerError;
use crate::model::VerifierKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: what the signature covers.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// The signed note, as served at `/checkpoint`.
    pub fn sign(&self, key: &SignerKey) -> String {
        sign_note(&self.text(), key)
    }

    /// Parses a signed note and checks that `vkey` signed it.
    pub fn open(note: &str, vkey: &VerifierKey) -> Result<Checkpoint, LedgerError> {
        Self::parse_text(open_note(note, vkey)?)
    }

    /// Parses the note text a signature covers (after `open` checked it):
    /// the origin line, the tree size, the base64 root hash.
    pub fn parse_text(text: &str) -> Result<Checkpoint, LedgerError> {
        let bad = |why: &str| LedgerError::BadCheckpoint(why.to_owned());
        // C2SP signed-note: no control character but the newline; lines end
        // at "\n" alone (`str::lines` would drop a "\r" the signature
        // covers, and read "origin\r" as "origin" — found by fuzzing).
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad("a control character in the note text"));
        }
        let mut lines = text.split('\n');
        let origin = lines
            .next()
            .ok_or_else(|| bad("no origin line"))?
            .to_owned();
        let size = lines
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad tree size"))?;
        let root = lines
            .next()
            .and_then(|r| B64.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("bad root hash"))?;
        Ok(Checkpoint { origin, size, root })
    }
}

/// A signed note (C2SP signed-note) of `text`, which ends in a newline:
/// the text, an empty line, and `key`'s signature line.
pub fn sign_note(text: &str, key: &SignerKey) -> String {
    let sig = key.sign(text.as_bytes());
    let mut blob = Vec::with_capacity(68);
    blob.extend_from_slice(&key.verifier().hash.to_be_bytes());
    blob.extend_from_slice(&sig);
    format!("{text}\n— {} {}\n", key.name, B64.encode(blob))
}

/// A note's signature line: key name, key ID, the rest of the blob.
pub type SignatureLine<'a> = (&'a str, u32, Vec<u8>);

/// A note's text and its signature lines, not yet checked.
pub fn note_parts(note: &str) -> Result<(&str, Vec<SignatureLine<'_>>), LedgerError> {
    let bad = |why: &str| LedgerError::BadCheckpoint(why.to_owned());
    let split = note
        .rfind("\n\n")
        .ok_or_else(|| bad("no signature block"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    let mut lines = Vec::new();
    for line in sigs.lines() {
        let line = line
            .strip_prefix("— ")
            .ok_or_else(|| bad("signature line must start with an em dash"))?;
        let (name, blob) = line
            .split_once(' ')
            .ok_or_else(|| bad("bad signature line"))?;
        let blob = B64
            .decode(blob)
            .map_err(|_| bad("signature is not base64"))?;
        if blob.len() < 4 {
            return Err(bad("a signature line too short for its key ID"));
        }
        let id = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]);
        lines.push((name, id, blob[4..].to_vec()));
    }
    Ok((text, lines))
}

/// The text of a signed note that `vkey` signed (other signature lines,
/// such as witnesses' cosignatures, are kept and not checked here).
pub fn open_note<'a>(note: &'a str, vkey: &VerifierKey) -> Result<&'a str, LedgerError> {
    let bad = |why: &str| LedgerError::BadCheckpoint(why.to_owned());
    let (text, sigs) = note_parts(note)?;
    let mut verified = false;
    for (name, id, sig) in sigs {
        if name != vkey.name || id != vkey.hash {
            continue;
        }
        let sig = Signature::from_slice(&sig).map_err(|_| bad("bad signature length"))?;
        vkey.key
            .verify_strict(text.as_bytes(), &sig)
            .map_err(|_| bad("the log key's signature does not verify"))?;
        verified = true;
    }
    if !verified {
        return Err(bad("not signed by the log key"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> serde_json::Value {
        let path = crate::vectors_dir().join("tlog.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn signs_the_go_note_vector_byte_for_byte() {
        let v = vector();
        let key = SignerKey::parse(v["checkpoint_skey"].as_str().unwrap()).unwrap();
        let note = v["checkpoint_note"].as_str().unwrap();
        let vkey = VerifierKey::parse(v["checkpoint_vkey"].as_str().unwrap()).unwrap();
        let cp = Checkpoint::open(note, &vkey).unwrap();
        assert_eq!(cp.origin, "sanquan/140421");
        assert_eq!(cp.size, 70);
        assert_eq!(B64.encode(cp.root), v["roots"]["70"].as_str().unwrap());
        assert_eq!(cp.sign(&key), note);
    }

    /// A fuzzing find: "\r" at the end of the origin line (under a good
    /// signature) was dropped by `lines()`, so the checkpoint read back
    /// named another origin than the one signed. Now refused.
    #[test]
    fn a_carriage_return_in_a_note_is_refused() {
        let key = SignerKey::from_seed("sanquan/140421", [7; 32]).unwrap();
        let cp = Checkpoint {
            origin: "sanquan/140421\r".into(),
            size: 7,
            root: [1; 32],
        };
        assert!(Checkpoint::open(&cp.sign(&key), &key.verifier()).is_err());
        assert!(Checkpoint::parse_text(
            ",4\r\r\r\r\r\n7\npyw1QbyenPuJC2zffySpEMD7v3u/oknP7c5OjsoWYSE="
        )
        .is_err());
        let good = Checkpoint {
            origin: "sanquan/140421".into(),
            ..cp
        };
        assert_eq!(
            Checkpoint::open(&good.sign(&key), &key.verifier()).unwrap(),
            good
        );
    }

    #[test]
    fn refuses_a_tampered_note() {
        let v = vector();
        let note = v["checkpoint_note"].as_str().unwrap();
        let vkey = VerifierKey::parse(v["checkpoint_vkey"].as_str().unwrap()).unwrap();
        let tampered = note.replacen("\n70\n", "\n71\n", 1);
        assert!(Checkpoint::open(&tampered, &vkey).is_err());
        let other = SignerKey::from_seed("sanquan/140421", [9; 32]).unwrap();
        assert!(Checkpoint::open(note, &other.verifier()).is_err());
    }
}
