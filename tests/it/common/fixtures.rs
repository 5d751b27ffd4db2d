//! Signed entries as a client makes them: keys, envelopes, the bodies of
//! key entries, and what an outcome says.

use super::*;

pub fn sign(key: &SignerKey, kind: &str, body: Value) -> Envelope {
    sign_with(
        key,
        kind,
        body,
        &format!("n{}", unique()),
        &log_origin(COUNTY),
    )
}

/// An envelope as JSON, signed over any body, as a client that does not
/// read bodies sends it: what the server must refuse when a field does not
/// read (`Envelope::sign` refuses to sign such a body).
pub fn signed_json(key: &SignerKey, kind: &str, body: Value) -> Value {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let entry = json!({"v": 1, "log": log_origin(COUNTY), "kind": kind,
                       "signer": b64(&key.public_bytes()), "nonce": format!("n{}", unique()),
                       "time": stamp(), "body": body});
    let mut input = sanquan::ledger::envelope::SIGNING_PREFIX.to_vec();
    input.extend(serde_json_canonicalizer::to_vec(&entry).expect("canonical JSON"));
    json!({"entry": entry, "sig": b64(&key.sign(&input))})
}

thread_local! {
    /// The clock of the log this test thread made last: entries are signed
    /// at its time, as a client of that server would (the writer refuses an
    /// entry whose time is far from its own).
    pub(super) static TEST_CLOCK: std::cell::RefCell<Option<sanquan::store::Clock>> = const { std::cell::RefCell::new(None) };
}

/// The time a client of this thread's log signs now.
pub fn stamp() -> String {
    TEST_CLOCK.with(|c| {
        c.borrow()
            .as_ref()
            .map(sanquan::store::Clock::stamp)
            .unwrap_or_else(|| sanquan::store::Clock::default().stamp())
    })
}

pub fn sign_with(key: &SignerKey, kind: &str, body: Value, nonce: &str, origin: &str) -> Envelope {
    Envelope::sign(key, origin, kind, nonce, &stamp(), body).unwrap()
}

pub fn new_key(name: &str) -> SignerKey {
    SignerKey::generate(name).unwrap()
}

pub fn register(role: &str, party: &str, key: &SignerKey) -> Value {
    json!({"vkey": key.verifier().to_string(), "role": role, "party": party})
}

pub fn revoke(key: &SignerKey) -> Value {
    json!({"vkey": key.verifier().to_string()})
}

/// The code of a refusal, or "accepted".
/// Each refusal's Chinese message is checked on the way (`assert_chinese`).
pub fn outcome(r: &Result<sanquan::store::Receipt, sanquan::store::SubmitError>) -> String {
    use sanquan::model::Refusal;
    use sanquan::store::SubmitError;
    let code = |e: &dyn Refusal| {
        assert_chinese(e);
        assert!(
            documented_codes().contains(e.code()),
            "{} is not in the API's error catalogue",
            e.code()
        );
        e.code().to_owned()
    };
    match r {
        Ok(_) => "accepted".into(),
        Err(SubmitError::Refused(e)) => code(e),
        Err(SubmitError::Geometry(e)) => code(e),
        Err(SubmitError::Personal(e)) => code(e),
        Err(SubmitError::Busy) => "busy".into(),
        Err(e) => format!("{e}"),
    }
}
