//! The `listings` table: `State::listings` — by the log index of `listing.submit`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = listings, primary_key(county, id))]
pub struct ListingRow<'a> {
    county: &'a str,
    id: i64,
    collective: &'a str,
    household: &'a str,
    mode: &'a str,
    status: &'a str,
    doc: String,
}

impl<'a> ListingRow<'a> {
    pub fn of(county: &'a str, l: &'a exchange::Listing) -> Self {
        ListingRow {
            county,
            id: l.id as i64,
            collective: &l.collective,
            household: &l.household,
            mode: l.mode.as_str(),
            status: l.status.as_str(),
            doc: json(l),
        }
    }
}

saved!(
    listings: u64 => exchange::Listing,
    |county, k, v| ListingRow::of(county, v),
    key id = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<u64, exchange::Listing>, StoreError> {
    Ok(all_docs!(conn, county, listings, id))
}

/// Listings, newest first, filtered by status, collective and mode.
pub fn listings(
    conn: &mut DbConnection,
    county: &str,
    status: Option<&str>,
    collective: Option<&str>,
    mode: Option<&str>,
    limit: i64,
) -> Result<Vec<exchange::Listing>, StoreError> {
    let mut query = listings::table
        .filter(listings::county.eq(county))
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(listings::status.eq(s.to_owned()));
    }
    if let Some(c) = collective {
        query = query.filter(listings::collective.eq(c.to_owned()));
    }
    if let Some(m) = mode {
        query = query.filter(listings::mode.eq(m.to_owned()));
    }
    let rows: Vec<(i64, String)> = query
        .order(listings::id.desc())
        .limit(limit)
        .select((listings::id, listings::doc))
        .load(conn)?;
    let found: std::collections::BTreeMap<u64, _> = docs(rows, "listings")?;
    Ok(found.into_values().rev().collect())
}

/// One listing with its history.
pub fn listing(
    conn: &mut DbConnection,
    county: &str,
    id: u64,
) -> Result<Option<exchange::Listing>, StoreError> {
    Ok(docs_where!(conn, county, listings, id, id == id as i64)
        .into_values()
        .next())
}
