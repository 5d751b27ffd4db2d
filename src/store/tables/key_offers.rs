//! The `key_offers` table: public keys a farmer's phone offers for
//! registration, by short code (issue 18), so that a clerk may type the
//! code in place of scanning the key. Not part of the state or the log:
//! an offer binds nothing until a collective signs `key.register`.

use super::prelude::*;

/// How long an offer is kept, in seconds (seven days).
pub const OFFER_SECONDS: i64 = 7 * 24 * 3600;
/// The most offers a county keeps: a flood of offers pushes out the oldest,
/// never the registry's memory.
pub const MAX_OFFERS: i64 = 10_000;

/// What became of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offered {
    /// Kept (again) under its code.
    Kept,
    /// Another key holds the code: a key made to collide with one offered
    /// first is refused, never put in its place.
    Taken,
}

/// Keeps `vkey` under `code` at `now` (seconds), after letting go of
/// offers past their week and, beyond `MAX_OFFERS`, the oldest.
pub fn offer_key(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
    vkey: &str,
    now: i64,
) -> Result<Offered, StoreError> {
    diesel::delete(
        key_offers::table
            .filter(key_offers::county.eq(county))
            .filter(key_offers::offered_at.lt(now - OFFER_SECONDS)),
    )
    .execute(conn)?;
    if let Some(held) = offered_key(conn, county, code, now)? {
        if held != vkey {
            return Ok(Offered::Taken);
        }
        diesel::update(
            key_offers::table
                .filter(key_offers::county.eq(county))
                .filter(key_offers::code.eq(code)),
        )
        .set(key_offers::offered_at.eq(now))
        .execute(conn)?;
        return Ok(Offered::Kept);
    }
    let count: i64 = key_offers::table
        .filter(key_offers::county.eq(county))
        .count()
        .get_result(conn)?;
    if count >= MAX_OFFERS {
        let oldest: Vec<String> = key_offers::table
            .filter(key_offers::county.eq(county))
            .order(key_offers::offered_at)
            .select(key_offers::code)
            .limit(count - MAX_OFFERS + 1)
            .load(conn)?;
        diesel::delete(
            key_offers::table
                .filter(key_offers::county.eq(county))
                .filter(key_offers::code.eq_any(oldest)),
        )
        .execute(conn)?;
    }
    diesel::insert_into(key_offers::table)
        .values((
            key_offers::county.eq(county),
            key_offers::code.eq(code),
            key_offers::vkey.eq(vkey),
            key_offers::offered_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Offered::Kept)
}

/// The key offered under `code` within the week before `now`, if any.
pub fn offered_key(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    Ok(key_offers::table
        .filter(key_offers::county.eq(county))
        .filter(key_offers::code.eq(code))
        .filter(key_offers::offered_at.ge(now - OFFER_SECONDS))
        .select(key_offers::vkey)
        .first::<String>(conn)
        .optional()?)
}

/// The code of the newest offer, if any.
pub fn newest_offer(conn: &mut DbConnection, county: &str) -> Result<Option<String>, StoreError> {
    Ok(key_offers::table
        .filter(key_offers::county.eq(county))
        .order(key_offers::offered_at.desc())
        .select(key_offers::code)
        .first::<String>(conn)
        .optional()?)
}
