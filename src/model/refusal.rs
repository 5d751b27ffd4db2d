//! What every refusal says about itself — its code, class, messages and
//! field — and the reason a check below the rules passes up. The bottom of
//! `model`: it uses nothing.

/// What every refusal in every layer can say about itself; `api` turns it into
/// the JSON error body in one place.
pub trait Refusal: std::fmt::Display {
    /// Stable, machine-readable code (`snake_case`).
    fn code(&self) -> &'static str;
    /// What kind of refusal it is; `api` answers each class with one HTTP
    /// status.
    fn class(&self) -> Class;
    /// The message in Chinese.
    fn message_zh(&self) -> String;
    /// The field of the request at fault, as a JSON path (`entry.body.vkey`).
    fn field(&self) -> Option<String>;
}

/// The kinds of refusal, as a client must act on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The request is malformed: fix it (400).
    Malformed,
    /// A signed read did not verify (401).
    Unauthenticated,
    /// The signer may not do this (403).
    Forbidden,
    /// Nothing is there (404).
    NotFound,
    /// It was done already (409).
    Conflict,
    /// The request is larger than the server reads (413).
    TooLarge,
    /// The request is not JSON (415).
    UnsupportedMedia,
    /// A rule of law says no (422).
    Refused,
    /// Not now: send it again later (503).
    Busy,
    /// The server failed; the request changed nothing (500).
    Internal,
}

/// A reason in English and in Chinese, for the checks below the rules
/// (codes, amounts) whose reasons the rules pass on.
pub type Why = (&'static str, &'static str);
