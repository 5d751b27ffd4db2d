//! The `memberships` table: `State::memberships`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = memberships, primary_key(county, person), treat_none_as_null = true)]
pub struct MembershipRow<'a> {
    county: &'a str,
    person: &'a str,
    collective: &'a str,
    admitted_at: i64,
    decision: i64,
    ended_at: Option<i64>,
    end_reason: Option<&'a str>,
}

impl<'a> MembershipRow<'a> {
    pub fn of(county: &'a str, m: &'a Membership) -> Self {
        MembershipRow {
            county,
            person: &m.person,
            collective: &m.collective,
            admitted_at: m.admitted_at as i64,
            decision: m.decision as i64,
            ended_at: m.ended.as_ref().map(|(at, _)| *at as i64),
            end_reason: m.ended.as_ref().map(|(_, why)| why.as_str()),
        }
    }
}

saved!(
    memberships: String => Membership,
    |county, k, v| MembershipRow::of(county, v),
    key person = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Membership>, StoreError> {
    Ok(memberships_of(conn, county, None)?.into_iter().collect())
}

/// The memberships (ended ones too), of one collective or all, by person.
pub fn memberships_of(
    conn: &mut DbConnection,
    county: &str,
    collective: Option<&str>,
) -> Result<Vec<(String, Membership)>, StoreError> {
    let mut query = memberships::table
        .filter(memberships::county.eq(county))
        .into_boxed();
    if let Some(k) = collective {
        query = query.filter(memberships::collective.eq(k.to_owned()));
    }
    Ok(query
        .select((
            memberships::person,
            memberships::collective,
            memberships::admitted_at,
            memberships::decision,
            memberships::ended_at,
            memberships::end_reason,
        ))
        .load::<(String, String, i64, i64, Option<i64>, Option<String>)>(conn)?
        .into_iter()
        .map(
            |(person, collective, admitted_at, decision, ended_at, reason)| {
                let m = Membership {
                    person: person.clone(),
                    collective,
                    admitted_at: admitted_at as u64,
                    decision: decision as u64,
                    ended: ended_at.map(|at| (at as u64, reason.unwrap_or_default())),
                };
                (person, m)
            },
        )
        .collect())
}
