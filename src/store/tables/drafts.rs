//! The `drafts` table: an act signed by its first hand, waiting under a
//! short code for the second hand's cosignature (A2, issue 18). Not part of
//! the state or the log: a draft binds nothing until the envelope, cosigned,
//! is submitted and the rules accept it.

use super::prelude::*;

/// The most drafts a county keeps: a flood pushes out the soonest to
/// expire, never the registry's memory.
pub const MAX_DRAFTS: i64 = 10_000;

/// Keeps `envelope` under `code` until `expires` (seconds), after letting
/// go of drafts past their time and, beyond `MAX_DRAFTS`, the soonest due.
/// The same envelope kept again keeps its code.
pub fn keep_draft(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
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
    let count: i64 = drafts::table
        .filter(drafts::county.eq(county))
        .count()
        .get_result(conn)?;
    if count >= MAX_DRAFTS {
        let soonest: Vec<String> = drafts::table
            .filter(drafts::county.eq(county))
            .order(drafts::expires_at)
            .select(drafts::code)
            .limit(count - MAX_DRAFTS + 1)
            .load(conn)?;
        diesel::delete(
            drafts::table
                .filter(drafts::county.eq(county))
                .filter(drafts::code.eq_any(soonest)),
        )
        .execute(conn)?;
    }
    diesel::insert_into(drafts::table)
        .values((
            drafts::county.eq(county),
            drafts::code.eq(code),
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
