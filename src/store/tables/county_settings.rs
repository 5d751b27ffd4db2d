//! The `county_settings` table: one row per county.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = county_settings, primary_key(county))]
pub struct SettingsRow<'a> {
    county: &'a str,
    settings: String,
}

impl<'a> SettingsRow<'a> {
    pub fn of(county: &'a str, s: &Settings) -> Self {
        SettingsRow {
            county,
            settings: json(s),
        }
    }
}

/// The county's settings in force (the defaults before any `county.settings`).
pub fn settings_of(
    conn: &mut DbConnection,
    county: &str,
) -> Result<crate::model::settings::Settings, StoreError> {
    match county_settings::table
        .filter(county_settings::county.eq(county))
        .select(county_settings::settings)
        .first::<String>(conn)
        .optional()?
    {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("county_settings: {e}"))),
        None => Ok(Default::default()),
    }
}
