//! The contract the parties of an award sign (M5), rendered from its template, and its SHA-256.

use super::*;

/// Renders the contract of an awarded listing from its template: the text
/// whose SHA-256 both parties sign (M5).
pub fn render_contract(listing: &Listing, winner: &str, price: Fen, parcels: &str) -> String {
    listing
        .mode
        .template()
        .replace("{listing}", &listing.id.to_string())
        .replace("{transferor}", &listing.transferor)
        .replace("{household}", &listing.household)
        .replace("{transferee}", winner)
        .replace("{collective}", &listing.collective)
        .replace("{contract}", listing.contract.as_deref().unwrap_or("-"))
        .replace("{parcels}", parcels)
        .replace("{start}", &listing.start.to_string())
        .replace("{end}", &listing.end.to_string())
        .replace("{land_use}", &listing.land_use)
        .replace("{price}", &price.to_string())
        .replace("{mode}", listing.mode.as_str())
        .replace(
            "{swap_for}",
            &if listing.swap_for.is_empty() {
                "-".to_owned()
            } else {
                listing.swap_for.join(", ")
            },
        )
        .replace(
            "{decision}",
            &listing
                .decision
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        )
}

/// SHA-256 of a text, as 64 lower-case hex digits.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
