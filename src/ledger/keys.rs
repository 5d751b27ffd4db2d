//! Signer (private) keys in the signed-note format:
//! `PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte seed)>`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};

use crate::model::keys::{check_key_name, key_hash, ALG_ED25519};
use crate::model::VerifierKey;

#[derive(Clone)]
pub struct SignerKey {
    pub name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignerKey({})", self.verifier())
    }
}

impl SignerKey {
    pub fn generate(name: &str) -> Result<Self, &'static str> {
        Self::from_seed(name, rand::random())
    }

    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, &'static str> {
        check_key_name(name)?;
        Ok(SignerKey {
            name: name.to_owned(),
            signing: SigningKey::from_bytes(&seed),
        })
    }

    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let rest = text
            .trim_end()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or("a signer key starts with PRIVATE+KEY+")?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err("expected PRIVATE+KEY+<name>+<hash>+<key>");
        };
        let hash = u32::from_str_radix(hash, 16).map_err(|_| "key hash must be 8 hex digits")?;
        let raw = B64.decode(key).map_err(|_| "key is not valid base64")?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err("key must be 0x01 followed by a 32-byte Ed25519 seed");
        }
        let k = Self::from_seed(name, raw[1..].try_into().expect("33 bytes"))?;
        if key_hash(name, k.signing.verifying_key().as_bytes()) != hash {
            return Err("key hash does not match name and key");
        }
        Ok(k)
    }

    /// A second key named `name` that this key's holder alone can make
    /// again: its seed is SHA-256 of `label` and this key's seed. The
    /// state log's key is the log key's so derived (issue 20), so a county
    /// keeps one key file for both.
    pub fn derive(&self, name: &str, label: &str) -> Result<Self, &'static str> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(label.as_bytes());
        h.update(self.signing.to_bytes());
        Self::from_seed(name, h.finalize().into())
    }

    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::new(&self.name, self.signing.verifying_key()).expect("name checked")
    }

    pub fn public_bytes(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

impl std::fmt::Display for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(ALG_ED25519);
        raw.extend_from_slice(self.signing.as_bytes());
        let hash = key_hash(&self.name, self.signing.verifying_key().as_bytes());
        write!(
            f,
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            hash,
            B64.encode(raw)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_keys_round_trip() {
        let skey =
            "PRIVATE+KEY+sanquan/140421+d5a38aa7+AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g";
        let vkey = "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
        let k = SignerKey::parse(skey).unwrap();
        assert_eq!(k.to_string(), skey);
        assert_eq!(k.verifier().to_string(), vkey);
        let mut seed = [0u8; 32];
        seed.iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8 + 1);
        assert_eq!(
            SignerKey::from_seed("sanquan/140421", seed)
                .unwrap()
                .to_string(),
            skey
        );
    }

    #[test]
    fn refuses_a_tampered_key() {
        let bad =
            "PRIVATE+KEY+sanquan/140421+d5a38aa8+AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g";
        assert!(SignerKey::parse(bad).is_err());
        assert!(SignerKey::parse("sanquan/140421+d5a38aa7+AXm1").is_err());
    }
}
