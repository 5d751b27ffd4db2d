//! The `counties` table: one row per county.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = counties, primary_key(county))]
pub struct CountyRow<'a> {
    county: &'a str,
    name: &'a str,
    log_vkey: &'a str,
    root_vkey: &'a str,
}

impl<'a> CountyRow<'a> {
    pub fn of(c: &'a County) -> Self {
        CountyRow {
            county: &c.code,
            name: &c.name,
            log_vkey: &c.log_vkey,
            root_vkey: &c.root_vkey,
        }
    }
}

/// The county as its genesis made it: name, log and root verifier keys.
pub fn county_of(conn: &mut DbConnection, county: &str) -> Result<Option<County>, StoreError> {
    Ok(counties::table
        .filter(counties::county.eq(county))
        .select((
            counties::county,
            counties::name,
            counties::log_vkey,
            counties::root_vkey,
        ))
        .first::<(String, String, String, String)>(conn)
        .optional()?
        .map(|(code, name, log_vkey, root_vkey)| County {
            code,
            name,
            log_vkey,
            root_vkey,
        }))
}
