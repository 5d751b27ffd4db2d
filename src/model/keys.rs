//! Verifier keys in the signed-note format of Go's `golang.org/x/mod/sumdb/note`:
//! `<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte public key)>`, so that
//! existing tools can check our checkpoints and actors' keys.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// The algorithm byte of Ed25519 in signed-note keys.
pub const ALG_ED25519: u8 = 0x01;

/// A public key with its note name, e.g. `sanquan/140421+d5a38aa7+AXm1…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    pub name: String,
    pub hash: u32,
    pub key: VerifyingKey,
}

/// The key hash: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
pub fn key_hash(name: &str, public: &[u8; 32]) -> u32 {
    key_id(name, ALG_ED25519, public)
}

/// A signed-note key ID: the first 4 bytes of SHA-256(name ‖ "\n" ‖ the
/// signature type ‖ key) — 0x01 for a log's Ed25519 key, 0x04 for a
/// witness's cosignature/v1 key.
pub fn key_id(name: &str, alg: u8, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Reads a vkey `<name>+<8 hex key ID>+<base64(alg ‖ 32-byte key)>` of
/// signature type `alg`, its key ID checked: the name and the key.
pub fn parse_vkey(text: &str, alg: u8) -> Result<(String, VerifyingKey), &'static str> {
    let mut parts = text.trim_end_matches('\n').splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected <name>+<hash>+<key>");
    };
    check_key_name(name)?;
    if hash.len() != 8 {
        return Err("key hash must be 8 hex digits");
    }
    let hash = u32::from_str_radix(hash, 16).map_err(|_| "key hash must be 8 hex digits")?;
    let raw = B64.decode(key).map_err(|_| "key is not valid base64")?;
    let public: [u8; 32] = match raw.split_first() {
        Some((a, rest)) if *a == alg => rest
            .try_into()
            .map_err(|_| "key must be its type byte and a 32-byte Ed25519 key")?,
        _ => return Err("key must be its type byte and a 32-byte Ed25519 key"),
    };
    let key = VerifyingKey::from_bytes(&public).map_err(|_| "not an Ed25519 point")?;
    if key_id(name, alg, &public) != hash {
        return Err("key hash does not match name and key");
    }
    Ok((name.to_owned(), key))
}

/// A note key name: non-empty, no `+`, no whitespace (as `note` requires).
pub fn check_key_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty key name");
    }
    if name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err("key name may not contain '+' or spaces");
    }
    Ok(())
}

/// The 32 characters a short code is written in: no 0/O, no 1/I.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A public key's short code (issue 18): the first 40 bits of SHA-256 of
/// its 32 bytes in `CODE_ALPHABET`, as ABCD-EFGH — what the key page shows
/// beside the QR code, what a clerk types or checks against the key he
/// scanned.
pub fn short_code(public: &[u8; 32]) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(public);
    eight(h[..5].iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
}

/// The low `5·n` bits of `bits` as `n` characters of `CODE_ALPHABET`, the
/// highest first: how every short code of the registry is written (a key's,
/// a document's 核验码, a contract's).
pub fn code_chars(bits: u64, n: u32) -> String {
    (0..n)
        .rev()
        .map(|i| CODE_ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// The low 40 bits of `bits` as eight characters, ABCD-EFGH.
pub fn eight(bits: u64) -> String {
    let chars = code_chars(bits, 8);
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// A short code as typed — any case, with or without its hyphen, with
/// spaces — in its one written form, or `None` if it is not one.
pub fn typed_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = chars.len() == 8
        && chars
            .iter()
            .all(|c| c.is_ascii() && CODE_ALPHABET.contains(&(*c as u8)));
    ok.then(|| {
        format!(
            "{}-{}",
            chars[..4].iter().collect::<String>(),
            chars[4..].iter().collect::<String>()
        )
    })
}

impl VerifierKey {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, &'static str> {
        check_key_name(name)?;
        Ok(VerifierKey {
            name: name.to_owned(),
            hash: key_hash(name, key.as_bytes()),
            key,
        })
    }

    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (name, key) = parse_vkey(text, ALG_ED25519)?;
        Self::new(&name, key)
    }

    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Its short code (`short_code`), which a farmer reads out or a clerk
    /// types in place of the whole key.
    pub fn short_code(&self) -> String {
        short_code(&self.public_bytes())
    }

    /// The public key as base64, as entries name their signer.
    pub fn signer_id(&self) -> String {
        B64.encode(self.key.as_bytes())
    }
}

impl serde::Serialize for VerifierKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Bodies hold parsed keys, so a malformed key is refused when the envelope
/// is parsed (in parallel, before the writer) with the field that holds it.
impl<'de> serde::Deserialize<'de> for VerifierKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        VerifierKey::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("invalid verifier key: {e}")))
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(ALG_ED25519);
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.hash, B64.encode(raw))
    }
}

/// In a body, a verifier key is its text, in Go's signed-note format.
impl schemars::JsonSchema for VerifierKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VerifierKey".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "a verifier key in Go's signed-note format: <name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte Ed25519 key)>",
            "pattern": "^[^+\\s]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]{44}$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_vector_key() {
        let text = "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
        let k = VerifierKey::parse(text).unwrap();
        assert_eq!(k.name, "sanquan/140421");
        assert_eq!(k.hash, 0xd5a38aa7);
        assert_eq!(k.to_string(), text);
    }

    /// A key's short code is its SHA-256's first 40 bits in 32 letters and
    /// digits that cannot be misread; typed any way, it reads the same.
    #[test]
    fn a_keys_short_code_reads_as_typed() {
        let k = VerifierKey::parse(
            "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk",
        )
        .unwrap();
        let code = k.short_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(code
            .bytes()
            .filter(|b| *b != b'-')
            .all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(
            typed_code(&code.to_lowercase().replace('-', " ")),
            Some(code.clone())
        );
        assert_eq!(typed_code("ABCD-EFG0"), None);
        assert_eq!(typed_code("ABCD-EFG"), None);
        // Another key, another code.
        assert_ne!(short_code(&[7; 32]), short_code(&[8; 32]));
    }

    #[test]
    fn refuses_a_wrong_hash_or_algorithm() {
        let bad_hash = "sanquan/140421+d5a38aa8+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
        assert!(VerifierKey::parse(bad_hash).is_err());
        let bad_alg = "sanquan/140421+d5a38aa7+Anm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
        assert!(VerifierKey::parse(bad_alg).is_err());
        assert!(VerifierKey::parse("nohash").is_err());
    }
}
