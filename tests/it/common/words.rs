//! The words of refusals: the codes the API documents, and messages in
//! Chinese that are wholly Chinese.

use super::*;

/// The error codes the API's description lists (`x-errors`).
pub fn documented_codes() -> &'static std::collections::BTreeSet<String> {
    static CODES: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        sanquan::http::error::catalogue()
            .into_iter()
            .map(|e| e.code)
            .collect()
    })
}

/// Whether a Chinese message has Latin words besides the codes, field
/// names and identifiers it quotes (the request's own words).
pub fn latin_words(message: &str, allowed: &[&str]) -> Vec<String> {
    // What a message quotes — in “…” or `…` — is the request's own words.
    let mut plain = String::new();
    let mut quoted: Option<char> = None;
    for c in message.chars() {
        match (quoted, c) {
            (None, '“') => quoted = Some('”'),
            (None, '`') => quoted = Some('`'),
            (Some(end), c) if c == end => quoted = None,
            (None, c) => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2)
        // Hashes, commitments and codes in hexadecimal are identifiers.
        .filter(|w| !(w.len() >= 16 && w.chars().all(|c| c.is_ascii_hexdigit())))
        .filter(|w| !allowed.iter().any(|a| a.contains(*w) || w.contains(a)))
        .filter(|w| {
            // Codes, field names and kinds: snake_case, dotted or upper case.
            !(w.contains('_')
                || w.contains('.')
                || w.chars().all(|c| !c.is_ascii_lowercase())
                || [
                    "GeoJSON",
                    "JSON",
                    "base64",
                    "Ed25519",
                    "Content-Type",
                    "application",
                    "json",
                    "Authorization",
                    "Sanquan",
                    "keyid",
                    "nonce",
                    "sig",
                    "time",
                    "bbox",
                    "NFC",
                    "Unicode",
                    "YYYY-MM-DD",
                    "YYYY-MM",
                    "RFC",
                ]
                .contains(w))
        })
        .map(str::to_owned)
        .collect()
}

/// Asserts that a refusal's Chinese message is wholly Chinese: no English
/// words besides the codes, field names and quoted words it carries.
pub fn assert_chinese(e: &dyn sanquan::model::Refusal) {
    let field = e.field();
    let allowed: Vec<&str> = field.iter().map(String::as_str).collect();
    let zh = e.message_zh();
    let latin = latin_words(&zh, &allowed);
    assert!(latin.is_empty(), "[{}] {zh}: {latin:?}", e.code());
}
