//! The `contract_schedules` table: the 当事人信息及签署页 of each award's
//! contract (M5, template 2), personal data kept off the log. Written once
//! per award, when a party or the county first reads the contract, and
//! never changed: what the parties sign is its SHA-256.

use super::prelude::*;

/// The page kept for award `award` of listing `listing`.
pub fn schedule_of(
    conn: &mut DbConnection,
    county: &str,
    listing: u64,
    award: u64,
) -> Result<Option<String>, StoreError> {
    Ok(contract_schedules::table
        .filter(contract_schedules::county.eq(county))
        .filter(contract_schedules::listing.eq(listing as i64))
        .filter(contract_schedules::award.eq(award as i64))
        .select(contract_schedules::text)
        .first::<String>(conn)
        .optional()?)
}

/// Keeps `text` as the page of the award unless one is kept already, and
/// answers the one kept: two first readers at once agree on one page.
pub fn keep_schedule(
    conn: &mut DbConnection,
    county: &str,
    listing: u64,
    award: u64,
    text: &str,
) -> Result<String, StoreError> {
    if let Some(kept) = schedule_of(conn, county, listing, award)? {
        return Ok(kept);
    }
    let inserted = diesel::insert_into(contract_schedules::table)
        .values((
            contract_schedules::county.eq(county),
            contract_schedules::listing.eq(listing as i64),
            contract_schedules::award.eq(award as i64),
            contract_schedules::text.eq(text),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(text.to_owned()),
        // Another reader kept its page first: that one stands.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => schedule_of(conn, county, listing, award)?
            .ok_or_else(|| StoreError::Corrupt("contract_schedules: lost a row".into())),
        Err(e) => Err(e.into()),
    }
}
