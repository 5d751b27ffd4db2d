//! The `drafts` table: an act signed by its first hand, waiting under a
//! short code for the second hand's cosignature (A2, issue 18). Not part of
//! the state or the log: a draft binds nothing until the envelope, cosigned,
//! is submitted and the rules accept it.

use super::prelude::*;

/// The most drafts a county keeps: a flood pushes out the soonest to
/// expire, never the registry's memory.
pub const MAX_DRAFTS: i64 = 10_000;
/// The most drafts one signer keeps at once: its own oldest go first, so
/// that no key can push out another office's act before its second hand
/// reads it.
pub const MAX_DRAFTS_A_SIGNER: i64 = 20;

/// Lets go of the soonest-due of `county`'s drafts (of `signer`'s only,
/// if given) beyond `keep`.
fn trim(
    conn: &mut DbConnection,
    county: &str,
    signer: Option<&str>,
    keep: i64,
) -> Result<(), StoreError> {
    let mut count = drafts::table.filter(drafts::county.eq(county)).into_boxed();
    let mut soonest = drafts::table.filter(drafts::county.eq(county)).into_boxed();
    if let Some(s) = signer {
        count = count.filter(drafts::signer.eq(s.to_owned()));
        soonest = soonest.filter(drafts::signer.eq(s.to_owned()));
    }
    let n: i64 = count.count().get_result(conn)?;
    if n >= keep {
        let codes: Vec<String> = soonest
            .order(drafts::expires_at)
            .select(drafts::code)
            .limit(n - keep + 1)
            .load(conn)?;
        diesel::delete(
            drafts::table
                .filter(drafts::county.eq(county))
                .filter(drafts::code.eq_any(codes)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Keeps `envelope`, signed by `signer` (its public key, hex), under
/// `code` until `expires` (seconds), after letting go of drafts past their
/// time and, beyond `MAX_DRAFTS_A_SIGNER` of this signer's or `MAX_DRAFTS`
/// in all, the soonest due. The same envelope kept again keeps its code.
pub fn keep_draft(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
    signer: &str,
    envelope: &str,
    expires: i64,
    now: i64,
) -> Result<(), StoreError> {
    diesel::delete(
        drafts::table
            .filter(drafts::county.eq(county))
            .filter(drafts::expires_at.lt(now)),
    )
    .execute(conn)?;
    if draft(conn, county, code, now)?.is_some() {
        return Ok(());
    }
    trim(conn, county, Some(signer), MAX_DRAFTS_A_SIGNER)?;
    trim(conn, county, None, MAX_DRAFTS)?;
    diesel::insert_into(drafts::table)
        .values((
            drafts::county.eq(county),
            drafts::code.eq(code),
            drafts::signer.eq(signer),
            drafts::envelope.eq(envelope),
            drafts::expires_at.eq(expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// The envelope kept under `code` and when it expires, if it has not.
pub fn draft(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
    now: i64,
) -> Result<Option<(String, i64)>, StoreError> {
    Ok(drafts::table
        .filter(drafts::county.eq(county))
        .filter(drafts::code.eq(code))
        .filter(drafts::expires_at.ge(now))
        .select((drafts::envelope, drafts::expires_at))
        .first::<(String, i64)>(conn)
        .optional()?)
}

/// The code of the draft that expires last, if any (the API's example).
pub fn newest_draft(conn: &mut DbConnection, county: &str) -> Result<Option<String>, StoreError> {
    Ok(drafts::table
        .filter(drafts::county.eq(county))
        .order(drafts::expires_at.desc())
        .select(drafts::code)
        .first::<String>(conn)
        .optional()?)
}
