//! The `households` table: `State::households`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = households, primary_key(county, code), treat_none_as_null = true)]
pub struct HouseholdRow<'a> {
    county: &'a str,
    code: &'a str,
    collective: &'a str,
    members: String,
    registered_at: i64,
    ended_at: Option<i64>,
    merged_into: Option<&'a str>,
}

impl<'a> HouseholdRow<'a> {
    pub fn of(county: &'a str, h: &'a Household) -> Self {
        HouseholdRow {
            county,
            code: &h.code,
            collective: &h.collective,
            members: json(&h.members),
            registered_at: h.registered_at as i64,
            ended_at: h.merged.as_ref().map(|(at, _)| *at as i64),
            merged_into: h.merged.as_ref().map(|(_, into)| into.as_str()),
        }
    }
}

saved!(
    households: String => Household,
    |county, k, v| HouseholdRow::of(county, v),
    key code = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Household>, StoreError> {
    Ok(load_households(conn, county, HouseholdsOf::All)?.into())
}

/// Which households to load.
#[derive(Debug, Clone, Copy)]
pub enum HouseholdsOf<'a> {
    All,
    Code(&'a str),
    /// The households of a collective.
    Collective(&'a str),
}

/// Households, by code.
pub fn load_households(
    conn: &mut DbConnection,
    county: &str,
    which: HouseholdsOf,
) -> Result<HashMap<String, Household>, StoreError> {
    let mut query = households::table
        .filter(households::county.eq(county))
        .select((
            households::code,
            households::collective,
            households::members,
            households::registered_at,
            households::ended_at,
            households::merged_into,
        ))
        .into_boxed();
    match which {
        HouseholdsOf::All => {}
        HouseholdsOf::Code(code) => query = query.filter(households::code.eq(code.to_owned())),
        HouseholdsOf::Collective(code) => {
            query = query.filter(households::collective.eq(code.to_owned()))
        }
    }
    type Row = (String, String, String, i64, Option<i64>, Option<String>);
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter()
        .map(|(code, collective, members, at, ended, into)| {
            let members = serde_json::from_str(&members)
                .map_err(|e| StoreError::Corrupt(format!("households {code}: members: {e}")))?;
            Ok((
                code.clone(),
                Household {
                    code,
                    collective,
                    members,
                    registered_at: at as u64,
                    merged: ended.zip(into).map(|(at, into)| (at as u64, into)),
                },
            ))
        })
        .collect()
}

/// The codes of a collective's households, in order (no members parsed).
pub fn household_codes(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(households::table
        .filter(households::county.eq(county))
        .filter(households::collective.eq(collective))
        .order(households::code.asc())
        .select(households::code)
        .load(conn)?)
}
