//! The entry envelope (DESIGN.md "Entry envelope"): parsing with specific
//! refusals, the canonical bytes (RFC 8785) and the signature over
//! `"sanquan entry v1\n" ‖ JCS(entry)`, and the log record whose JCS bytes are
//! the Merkle leaf.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::keys::SignerKey;
use super::LedgerError;
use crate::model::Command;

/// What the signature covers, before the canonical entry.
pub const SIGNING_PREFIX: &[u8] = b"sanquan entry v1\n";
const ENTRY_FIELDS: [&str; 7] = ["v", "log", "kind", "signer", "nonce", "time", "body"];

/// A structurally valid envelope. Its signature is checked separately, in
/// batches, by [`verify_signatures`].
#[derive(Debug, Clone)]
pub struct Envelope {
    pub kind: String,
    pub signer: [u8; 32],
    /// The signer's key, decompressed once.
    pub key: VerifyingKey,
    pub nonce: String,
    pub time: String,
    pub command: Command,
    pub sig: [u8; 64],
    /// The command's geometry, validated and measured before the writer.
    pub footprints: Vec<crate::model::Footprint>,
    /// Further signatures over the same entry by the other parties whose
    /// rights it moves (G1): their keys and signatures, in the order given.
    pub cosigs: Vec<Cosig>,
    /// `SIGNING_PREFIX ‖ JCS(entry)`.
    signing_input: Vec<u8>,
}

/// A second party's signature over an entry (`cosigs` in the envelope).
#[derive(Debug, Clone)]
pub struct Cosig {
    pub signer: [u8; 32],
    pub key: VerifyingKey,
    pub sig: [u8; 64],
}

/// The most cosignatures an envelope carries.
pub const MAX_COSIGS: usize = 4;

/// A log record: the envelope as integrated at an index and a server time.
#[derive(Debug, Clone)]
pub struct Record {
    pub index: u64,
    pub integrated: String,
    pub envelope: Envelope,
}

fn bad(field: &str, (reason, reason_zh): crate::model::error::Why) -> LedgerError {
    LedgerError::BadEnvelope {
        field: field.to_owned(),
        reason: reason.into(),
        reason_zh: reason_zh.into(),
    }
}

fn string_field<'a>(entry: &'a Map<String, Value>, name: &str) -> Result<&'a str, LedgerError> {
    let field = format!("entry.{name}");
    match entry.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(bad(&field, ("must be a string", "须为字符串"))),
        None => Err(bad(&field, ("is missing", "缺失"))),
    }
}

impl Envelope {
    /// Parses the JSON of an envelope for the log `origin`.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Envelope, LedgerError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| LedgerError::MalformedJson(e.to_string()))?;
        Self::from_value(value, origin)
    }

    pub fn from_value(value: Value, origin: &str) -> Result<Envelope, LedgerError> {
        let Value::Object(mut top) = value else {
            return Err(bad(
                "",
                ("an envelope is a JSON object", "信封须为 JSON 对象"),
            ));
        };
        if let Some(k) = top
            .keys()
            .find(|k| !matches!(k.as_str(), "entry" | "sig" | "cosigs"))
        {
            return Err(bad(k, ("unknown field", "未知字段")));
        }
        let cosigs = match top.remove("cosigs") {
            None => Vec::new(),
            Some(v) => parse_cosigs(v)?,
        };
        let sig = match top.remove("sig") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(bad("sig", ("must be a string", "须为字符串"))),
            None => return Err(bad("sig", ("is missing", "缺失"))),
        };
        let sig: [u8; 64] = B64
            .decode(&sig)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(LedgerError::BadSignatureEncoding)?;
        let entry = match top.remove("entry") {
            Some(Value::Object(e)) => e,
            Some(_) => return Err(bad("entry", ("must be an object", "须为对象"))),
            None => return Err(bad("entry", ("is missing", "缺失"))),
        };
        let mut env = Self::from_entry(entry, sig, origin)?;
        if cosigs.iter().any(|c| c.signer == env.signer) {
            return Err(bad(
                "cosigs",
                (
                    "the signer does not cosign its own entry",
                    "签署者不能为自己的条目共同签署",
                ),
            ));
        }
        env.cosigs = cosigs;
        Ok(env)
    }

    /// Checks an entry object and makes its canonical bytes; `sig` is taken
    /// as given (checked later, in batches).
    fn from_entry(
        entry: Map<String, Value>,
        sig: [u8; 64],
        origin: &str,
    ) -> Result<Envelope, LedgerError> {
        if let Some(k) = entry.keys().find(|k| !ENTRY_FIELDS.contains(&k.as_str())) {
            return Err(bad(&format!("entry.{k}"), ("unknown field", "未知字段")));
        }
        // L1: before anything is parsed into a body, signed or stored.
        for (k, v) in &entry {
            crate::model::entry::check_ijson(v, false)
                .map_err(|(path, why)| bad(&format!("entry.{k}{path}"), why))?;
        }
        if entry.get("v").and_then(Value::as_u64) != Some(1) {
            return Err(LedgerError::UnsupportedVersion);
        }
        let log = string_field(&entry, "log")?;
        if log != origin {
            return Err(LedgerError::WrongLog {
                expected: origin.to_owned(),
                got: log.chars().take(64).collect(),
            });
        }
        let signer: [u8; 32] = B64
            .decode(string_field(&entry, "signer")?)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(LedgerError::BadSigner((
                "must be the base64 of a 32-byte public key",
                "须为 32 字节公钥的 base64 编码",
            )))?;
        let key = signer_key(&signer).map_err(LedgerError::BadSigner)?;
        let nonce = string_field(&entry, "nonce")?;
        if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(LedgerError::BadNonce);
        }
        let time = string_field(&entry, "time")?;
        // A leap second (23:59:60) reads two ways; RFC 3339 in UTC or with
        // an offset, no more.
        match chrono::DateTime::parse_from_rfc3339(time) {
            Ok(t) if chrono::Timelike::nanosecond(&t) < 1_000_000_000 && time.len() <= 35 => {}
            _ => return Err(LedgerError::BadTime),
        }
        let kind = string_field(&entry, "kind")?;
        let body = entry
            .get("body")
            .ok_or_else(|| bad("entry.body", ("is missing", "缺失")))?;
        if !body.is_object() {
            return Err(bad("entry.body", ("must be an object", "须为对象")));
        }
        let command = Command::parse(kind, body)?;
        let (kind, nonce, time) = (kind.to_owned(), nonce.to_owned(), time.to_owned());
        let mut signing_input = SIGNING_PREFIX.to_vec();
        serde_json_canonicalizer::to_writer(&entry, &mut signing_input).map_err(|e| {
            LedgerError::BadEnvelope {
                field: "entry".into(),
                reason: e.to_string(),
                reason_zh: "无法规范化".into(),
            }
        })?;
        Ok(Envelope {
            kind,
            signer,
            key,
            nonce,
            time,
            command,
            sig,
            footprints: Vec::new(),
            cosigs: Vec::new(),
            signing_input,
        })
    }

    /// Signs a new entry (what a client does).
    pub fn sign(
        key: &SignerKey,
        origin: &str,
        kind: &str,
        nonce: &str,
        time: &str,
        body: Value,
    ) -> Result<Envelope, LedgerError> {
        let mut env = Self::unsigned(key.public_bytes(), origin, kind, nonce, time, body)?;
        env.sig = key.sign(&env.signing_input);
        Ok(env)
    }

    /// The entry `signer` would sign, its signature left zero: what a
    /// writer that writes nothing judges (`import --check`, which would
    /// only make signatures no one checks). Every other writer verifies
    /// the signature and refuses it.
    pub fn unsigned(
        signer: [u8; 32],
        origin: &str,
        kind: &str,
        nonce: &str,
        time: &str,
        body: Value,
    ) -> Result<Envelope, LedgerError> {
        let serde_json::Value::Object(entry) = serde_json::json!({
            "v": 1,
            "log": origin,
            "kind": kind,
            "signer": B64.encode(signer),
            "nonce": nonce,
            "time": time,
            "body": body,
        }) else {
            unreachable!("an object literal")
        };
        Self::from_entry(entry, [0; 64], origin)
    }

    /// Adds `key`'s signature over this entry (a second party's consent).
    pub fn cosign(&mut self, key: &SignerKey) {
        let signer = key.public_bytes();
        if let Ok(k) = signer_key(&signer) {
            self.cosigs.push(Cosig {
                signer,
                key: k,
                sig: key.sign(&self.signing_input),
            });
        }
    }

    /// The public keys of the cosigners.
    pub fn cosigners(&self) -> Vec<[u8; 32]> {
        self.cosigs.iter().map(|c| c.signer).collect()
    }

    /// The canonical JSON of the entry.
    pub fn canonical_entry(&self) -> &[u8] {
        &self.signing_input[SIGNING_PREFIX.len()..]
    }

    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    pub fn sig_base64(&self) -> String {
        B64.encode(self.sig)
    }

    pub fn signer_base64(&self) -> String {
        B64.encode(self.signer)
    }

    /// The envelope as canonical JSON, ready to send.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.signing_input.len() + 110);
        out.push(b'{');
        if !self.cosigs.is_empty() {
            // Keys in JCS order: "cosigs" < "entry" < "sig"; in each
            // cosignature "sig" < "signer".
            out.extend_from_slice(b"\"cosigs\":[");
            for (i, c) in self.cosigs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"sig\":\"");
                out.extend_from_slice(B64.encode(c.sig).as_bytes());
                out.extend_from_slice(b"\",\"signer\":\"");
                out.extend_from_slice(B64.encode(c.signer).as_bytes());
                out.extend_from_slice(b"\"}");
            }
            out.extend_from_slice(b"],");
        }
        out.extend_from_slice(b"\"entry\":");
        out.extend_from_slice(self.canonical_entry());
        out.extend_from_slice(b",\"sig\":\"");
        out.extend_from_slice(self.sig_base64().as_bytes());
        out.extend_from_slice(b"\"}");
        out
    }

    /// The JCS bytes of the log record `{"envelope", "index", "integrated"}`:
    /// the Merkle leaf. Built by concatenation, which is canonical because the
    /// keys are written in sorted order and the inserted strings need no escapes.
    pub fn record(&self, index: u64, integrated: &str) -> Vec<u8> {
        let mut out = self.to_json();
        out.splice(0..0, b"{\"envelope\":".iter().copied());
        out.extend_from_slice(b",\"index\":");
        out.extend_from_slice(index.to_string().as_bytes());
        out.extend_from_slice(b",\"integrated\":\"");
        out.extend_from_slice(integrated.as_bytes());
        out.extend_from_slice(b"\"}");
        out
    }

    pub fn verify_signature(&self) -> bool {
        self.key
            .verify_strict(&self.signing_input, &Signature::from_bytes(&self.sig))
            .is_ok()
            && self.verify_cosigs()
    }

    fn verify_cosigs(&self) -> bool {
        self.cosigs.iter().all(|c| {
            c.key
                .verify_strict(&self.signing_input, &Signature::from_bytes(&c.sig))
                .is_ok()
        })
    }
}

impl Record {
    /// Parses stored leaf bytes. The caller compares [`Envelope::record`] with
    /// the bytes to know they are canonical.
    pub fn parse(leaf: &[u8], origin: &str) -> Result<Record, LedgerError> {
        let value: Value =
            serde_json::from_slice(leaf).map_err(|e| LedgerError::MalformedJson(e.to_string()))?;
        let Value::Object(mut rec) = value else {
            return Err(bad("", ("a record is a JSON object", "记录须为 JSON 对象")));
        };
        let index = rec
            .get("index")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("index", ("must be a non-negative integer", "须为非负整数")))?;
        let integrated = match rec.get("integrated") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(bad("integrated", ("must be a string", "须为字符串"))),
        };
        let envelope = rec
            .remove("envelope")
            .ok_or_else(|| bad("envelope", ("is missing", "缺失")))?;
        if rec.len() != 2 {
            return Err(bad("", ("unknown field in record", "记录中有未知字段")));
        }
        Ok(Record {
            index,
            integrated,
            envelope: Envelope::from_value(envelope, origin)?,
        })
    }
}

fn parse_cosigs(v: Value) -> Result<Vec<Cosig>, LedgerError> {
    let Value::Array(items) = v else {
        return Err(bad("cosigs", ("must be an array", "须为数组")));
    };
    if items.is_empty() || items.len() > MAX_COSIGS {
        return Err(bad(
            "cosigs",
            (
                "1 to 4 cosignatures, or none at all",
                "共同签署须为 1 至 4 个，或者没有",
            ),
        ));
    }
    let mut out: Vec<Cosig> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let field = format!("cosigs[{i}]");
        let Value::Object(o) = item else {
            return Err(bad(&field, ("must be an object", "须为对象")));
        };
        if let Some(k) = o.keys().find(|k| !matches!(k.as_str(), "signer" | "sig")) {
            return Err(bad(&format!("{field}.{k}"), ("unknown field", "未知字段")));
        }
        let get = |name: &str| match o.get(name) {
            Some(Value::String(s)) => B64.decode(s).ok(),
            _ => None,
        };
        let signer: [u8; 32] = get("signer")
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                bad(
                    &format!("{field}.signer"),
                    (
                        "the base64 of a 32-byte public key",
                        "须为 32 字节公钥的 base64 编码",
                    ),
                )
            })?;
        let sig: [u8; 64] = get("sig").and_then(|b| b.try_into().ok()).ok_or_else(|| {
            bad(
                &format!("{field}.sig"),
                (
                    "the base64 of a 64-byte signature",
                    "须为 64 字节签名的 base64 编码",
                ),
            )
        })?;
        let key = signer_key(&signer).map_err(|r| bad(&format!("{field}.signer"), r))?;
        if out.iter().any(|c| c.signer == signer) {
            return Err(bad(
                &field,
                ("each party cosigns once", "每方只能共同签署一次"),
            ));
        }
        out.push(Cosig { signer, key, sig });
    }
    Ok(out)
}

/// Decompresses a signer's public key, refusing weak keys. Signers repeat
/// (a collective signs all its parcels), so each thread keeps the keys it saw.
fn signer_key(bytes: &[u8; 32]) -> Result<VerifyingKey, crate::model::error::Why> {
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<[u8; 32], VerifyingKey>> =
            Default::default();
    }
    if let Some(k) = SEEN.with(|s| s.borrow().get(bytes).copied()) {
        return Ok(k);
    }
    let key = VerifyingKey::from_bytes(bytes)
        .map_err(|_| ("not an Ed25519 public key", "不是 Ed25519 公钥"))?;
    if key.is_weak() {
        return Err(("a weak (small-order) key", "弱密钥（小阶点）"));
    }
    SEEN.with(|s| {
        let mut seen = s.borrow_mut();
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(*bytes, key);
    });
    Ok(key)
}

/// The server's clock as records carry it: UTC, microseconds.
pub fn format_integrated(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Checks the signatures of many envelopes: Ed25519 batch verification over
/// chunks spread across the cores, and one by one only in a chunk that fails.
pub fn verify_signatures(envelopes: &[&Envelope]) -> Vec<bool> {
    let chunk = envelopes
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .clamp(16, 1024);
    envelopes
        .par_chunks(chunk)
        .flat_map_iter(|part| {
            let messages: Vec<&[u8]> = part.iter().map(|e| e.signing_input()).collect();
            let sigs: Vec<Signature> = part.iter().map(|e| Signature::from_bytes(&e.sig)).collect();
            let keys: Vec<VerifyingKey> = part.iter().map(|e| e.key).collect();
            let all_good = ed25519_dalek::verify_batch(&messages, &sigs, &keys).is_ok();
            let results: Vec<bool> = if all_good {
                part.iter().map(|e| e.verify_cosigs()).collect()
            } else {
                part.iter().map(|e| e.verify_signature()).collect()
            };
            results
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors() -> Value {
        let path = crate::vectors_dir().join("envelope.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn canonical_bytes_signatures_and_leaves_match_the_vectors() {
        let v = vectors();
        for case in v["cases"].as_array().unwrap() {
            let entry = &case["entry"];
            let canonical = case["canonical_entry_utf8"].as_str().unwrap();
            let mut got = Vec::new();
            serde_json_canonicalizer::to_writer(entry, &mut got).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), canonical);
            let input = B64
                .decode(case["signing_input_base64"].as_str().unwrap())
                .unwrap();
            assert_eq!(input, [SIGNING_PREFIX, canonical.as_bytes()].concat());

            // The signature made by libsodium verifies with our code, and our
            // signature over the same bytes is identical (Ed25519 is deterministic).
            let signer = B64.decode(entry["signer"].as_str().unwrap()).unwrap();
            let sig = B64.decode(case["sig"].as_str().unwrap()).unwrap();
            let key = VerifyingKey::from_bytes(&signer.try_into().unwrap()).unwrap();
            key.verify_strict(&input, &Signature::from_slice(&sig).unwrap())
                .unwrap();
            for k in v["keys"].as_object().unwrap().values() {
                let sk = SignerKey::parse(k["skey"].as_str().unwrap()).unwrap();
                if sk.public_bytes() == *key.as_bytes() {
                    assert_eq!(sk.sign(&input).to_vec(), sig);
                }
            }

            let record = case["record_leaf_utf8"].as_str().unwrap();
            let leaf_hash = super::super::merkle::leaf_hash(record.as_bytes());
            assert_eq!(
                B64.encode(leaf_hash),
                case["leaf_hash_base64"].as_str().unwrap()
            );
        }
    }

    #[test]
    fn the_record_of_a_parsed_envelope_matches_the_vector() {
        let v = vectors();
        let case = &v["cases"][0];
        let envelope = serde_json::json!({"entry": case["entry"], "sig": case["sig"]});
        let env = Envelope::from_value(envelope, "sanquan/140421").unwrap();
        assert!(env.verify_signature());
        let record = case["record_leaf_utf8"].as_str().unwrap();
        let parsed = Record::parse(record.as_bytes(), "sanquan/140421").unwrap();
        assert_eq!(parsed.index, 5);
        let rebuilt = env.record(parsed.index, &parsed.integrated);
        assert_eq!(String::from_utf8(rebuilt).unwrap(), record);
    }

    fn signed(key: &SignerKey, nonce: &str) -> Envelope {
        let body = serde_json::json!({"vkey": key.verifier().to_string(), "role": "household", "party": "1"});
        Envelope::sign(
            key,
            "sanquan/140421",
            "key.register",
            nonce,
            "2026-11-22T08:00:00Z",
            body,
        )
        .unwrap()
    }

    #[test]
    fn an_unsigned_entry_is_the_signed_one_without_a_signature_that_verifies() {
        let key = SignerKey::from_seed("k", [7; 32]).unwrap();
        let good = signed(&key, "n1");
        let body = serde_json::json!({"vkey": key.verifier().to_string(), "role": "household", "party": "1"});
        let bare = Envelope::unsigned(
            key.public_bytes(),
            "sanquan/140421",
            "key.register",
            "n1",
            "2026-11-22T08:00:00Z",
            body,
        )
        .unwrap();
        assert_eq!(bare.signing_input, good.signing_input);
        assert!(good.verify_signature());
        assert!(!bare.verify_signature());
        assert!(!verify_signatures(&[&good, &bare])[1]);
    }

    #[test]
    fn batch_verification_finds_the_forgery() {
        let key = SignerKey::from_seed("k", [7; 32]).unwrap();
        let mut envs: Vec<Envelope> = (0..100).map(|i| signed(&key, &format!("n{i}"))).collect();
        envs[42].sig[0] ^= 1;
        let refs: Vec<&Envelope> = envs.iter().collect();
        let ok = verify_signatures(&refs);
        assert_eq!(ok.iter().filter(|b| !**b).count(), 1);
        assert!(!ok[42]);
    }

    #[test]
    fn refusals_name_the_field() {
        let key = SignerKey::from_seed("k", [7; 32]).unwrap();
        let good: Value = serde_json::from_slice(&signed(&key, "n1").to_json()).unwrap();
        type Mutation = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Mutation)> = vec![
            (
                "unsupported_version",
                Box::new(|v| v["entry"]["v"] = 2.into()),
            ),
            (
                "wrong_log",
                Box::new(|v| v["entry"]["log"] = "sanquan/110101".into()),
            ),
            (
                "bad_signer",
                Box::new(|v| v["entry"]["signer"] = "!!".into()),
            ),
            (
                "bad_signature_encoding",
                Box::new(|v| v["sig"] = "AAAA".into()),
            ),
            ("bad_nonce", Box::new(|v| v["entry"]["nonce"] = "".into())),
            (
                "bad_time",
                Box::new(|v| v["entry"]["time"] = "yesterday".into()),
            ),
            (
                "unknown_kind",
                Box::new(|v| v["entry"]["kind"] = "land.seize".into()),
            ),
            ("bad_envelope", Box::new(|v| v["entry"]["extra"] = 1.into())),
            (
                "bad_envelope",
                Box::new(|v| v["entry"]["body"] = Value::Null),
            ),
        ];
        use crate::model::Refusal;
        for (code, mutate) in cases {
            let mut v = good.clone();
            mutate(&mut v);
            let err = Envelope::from_value(v, "sanquan/140421").unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(err.field().is_some() || code == "malformed_json");
        }
        assert_eq!(
            Envelope::parse(b"{", "sanquan/140421").unwrap_err().code(),
            "malformed_json"
        );
    }
}
