//! Who is who: parties, their keys and a transferee's reviews.

use super::*;

/// Who a party is on the log: its type, the keys bound to act for it, and a
/// transferee's reviews by the county (M8, X6).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyView {
    pub party: String,
    /// county, collective, household, organisation or person.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keys: Vec<PartyKey>,
    pub reviews: Vec<PartyReview>,
    /// Whether the county's latest review qualifies it today (approved,
    /// and a person of an age within the limits, X6).
    pub qualified: bool,
}

/// A key bound to act for a party.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyKey {
    pub vkey: String,
    pub role: &'static str,
    /// A county key's department (A2); absent for the root key and others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<crate::model::Department>,
    /// The log index of `key.register` (or genesis).
    pub registered_at: u64,
    /// The log index of `key.revoke`, if revoked.
    pub revoked_at: Option<u64>,
}

/// Who a key is (`GET /keys/{signer}`): the party it acts for and its role.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyView {
    pub party: String,
    #[serde(flatten)]
    pub key: PartyKey,
}

/// A key a short code names (issue 18): offered from a farmer's phone for
/// registration, or already bound.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyOffer {
    /// The short code, as ABCD-EFGH.
    pub code: String,
    /// The verifier key, as `key.register` takes it.
    pub vkey: String,
    /// Whom it already acts for, if it is bound on the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<KeyView>,
}

/// An act signed by its first hand, waiting under its short code for the
/// second hand's cosignature (A2).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Draft {
    /// The short code, as ABCD-EFGH.
    pub code: String,
    pub kind: String,
    /// Who signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<KeyView>,
    /// When the signature's time window closes (UTC): cosigned and
    /// submitted after it, the entry is refused.
    pub expires: String,
    /// The envelope as signed, to cosign (`cosigs`) and submit to `/entries`.
    pub envelope: serde_json::Value,
}

/// Who several keys are, by public key (hex); unregistered keys are absent.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeysView {
    pub keys: std::collections::BTreeMap<String, KeyView>,
}

impl PartyKey {
    pub fn of(k: &crate::model::KeyBinding) -> PartyKey {
        PartyKey {
            vkey: k.vkey.clone(),
            role: k.role.as_str(),
            department: k.department,
            registered_at: k.registered_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// The county's review of a transferee.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyReview {
    /// The log index of `transferee.qualify`.
    pub index: u64,
    /// person or organisation.
    pub kind: String,
    pub approved: bool,
    /// A person's month of birth, which the age limits run from (X6).
    pub born: Option<NaiveDate>,
    /// The days this review qualifies the party, by the county's age
    /// limits now: a person from the day they come of the least age to
    /// the last day of the greatest; an organisation from the review on,
    /// without end (both absent) until the county reviews again. Absent
    /// for a review that did not approve.
    pub qualified_from: Option<NaiveDate>,
    pub qualified_until: Option<NaiveDate>,
}
