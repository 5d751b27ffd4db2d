//! Witness cosignatures, C2SP tlog-cosignature (`cosignature/v1`, Ed25519):
//! a witness's key (its vkey has the signature type 0x04), the message it
//! signs — `cosignature/v1`, `time <POSIX seconds>`, then the whole note body
//! of the checkpoint — and the signature line's blob, the key ID, an 8-byte
//! big-endian timestamp and the 64-byte signature.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};

use super::keys::SignerKey;

/// The signature type of a cosignature/v1 key (tlog-cosignature).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// A witness's public key: its name and its Ed25519 key; the key ID is
/// SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignerKey {
    pub name: String,
    pub id: u32,
    pub key: VerifyingKey,
}

/// A cosignature/v1 key ID.
pub fn cosigner_id(name: &str, public: &[u8; 32]) -> u32 {
    crate::model::keys::key_id(name, ALG_COSIGNATURE_V1, public)
}

impl CosignerKey {
    /// The public side of a witness's signer key.
    pub fn of(key: &SignerKey) -> CosignerKey {
        let public = key.public_bytes();
        CosignerKey {
            name: key.name.clone(),
            id: cosigner_id(&key.name, &public),
            key: VerifyingKey::from_bytes(&public).expect("a signer's own key"),
        }
    }

    /// Reads a vkey `<name>+<8 hex id>+<base64(0x04 ‖ key)>`.
    pub fn parse(text: &str) -> Result<CosignerKey, &'static str> {
        let (name, key) = crate::model::keys::parse_vkey(text.trim(), ALG_COSIGNATURE_V1)?;
        Ok(CosignerKey {
            id: cosigner_id(&name, key.as_bytes()),
            name,
            key,
        })
    }

    /// Whether `sig` (the blob after the key ID: timestamp and signature)
    /// is this witness's cosignature of `body`; its time if it is.
    pub fn verify(&self, body: &str, sig: &[u8]) -> Option<u64> {
        let (time, sig) = sig.split_first_chunk::<8>()?;
        let time = u64::from_be_bytes(*time);
        let sig = Signature::from_slice(sig).ok()?;
        (time < 1 << 63)
            .then(|| message(body, time))
            .filter(|m| self.key.verify_strict(m.as_bytes(), &sig).is_ok())
            .map(|_| time)
    }
}

impl std::fmt::Display for CosignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![ALG_COSIGNATURE_V1];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.id, B64.encode(raw))
    }
}

/// The message a cosignature/v1 signs.
pub fn message(body: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{body}")
}

/// `key`'s cosignature line of a checkpoint's note body at `time`.
pub fn cosign(key: &SignerKey, body: &str, time: u64) -> String {
    let sig = key.sign(message(body, time).as_bytes());
    let mut blob = Vec::with_capacity(76);
    blob.extend_from_slice(&cosigner_id(&key.name, &key.public_bytes()).to_be_bytes());
    blob.extend_from_slice(&time.to_be_bytes());
    blob.extend_from_slice(&sig);
    format!("— {} {}\n", key.name, B64.encode(blob))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cosignature of the C2SP example's body verifies under the key
    /// that made it and no other, and its vkey reads back.
    #[test]
    fn a_cosignature_verifies_under_its_witness_only() {
        let w = SignerKey::from_seed("witness.example.com/w1", [3; 32]).unwrap();
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let line = cosign(&w, body, 1_679_315_147);
        let blob = B64
            .decode(line.trim_end().rsplit(' ').next().unwrap())
            .unwrap();
        let key = CosignerKey::of(&w);
        assert_eq!(CosignerKey::parse(&key.to_string()).unwrap(), key);
        assert_eq!(blob[..4], key.id.to_be_bytes());
        assert_eq!(key.verify(body, &blob[4..]), Some(1_679_315_147));
        assert_eq!(key.verify(&body.replace("63\n", "64\n"), &blob[4..]), None);
        let other =
            CosignerKey::of(&SignerKey::from_seed("witness.example.com/w1", [4; 32]).unwrap());
        assert_eq!(other.verify(body, &blob[4..]), None);
        // A log's vkey (type 0x01) is not a witness's.
        assert!(CosignerKey::parse(&w.verifier().to_string()).is_err());
    }
}
