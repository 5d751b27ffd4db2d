//! The `persons` table: `State::member_of` — the household each person (by commitment) belongs to, kept with the person's private record.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

/// The whole table, as the state holds it: each person's household.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, String>, StoreError> {
    Ok(persons::table
        .filter(persons::county.eq(county))
        .select((persons::commitment, persons::household))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// A person's household follows `member_of` (a split or merge moves her);
/// her private record is written with the entry that names her
/// (`project::write_batch`) and never deleted.
macro_rules! moved {
    ($name:ident, $conn:ty) => {
        /// Moves each of `keys` to the household `rows` has her in.
        pub fn $name(
            c: &mut $conn,
            county: &str,
            rows: &Rows<String, String>,
            keys: &[String],
        ) -> diesel::QueryResult<()> {
            for person in keys {
                if let Some(household) = rows.get(person) {
                    diesel::update(
                        persons::table
                            .filter(persons::county.eq(county))
                            .filter(persons::commitment.eq(person)),
                    )
                    .set(persons::household.eq(household))
                    .execute(c)?;
                }
            }
            Ok(())
        }
    };
}
moved!(save_sqlite, diesel::SqliteConnection);
moved!(save_postgres, diesel::PgConnection);

/// The private personal records: (commitment, household, record), in the
/// order of their commitments.
pub fn load_persons(
    conn: &mut DbConnection,
    county: &str,
    household: Option<&str>,
) -> Result<Vec<(String, String, PersonRecord)>, StoreError> {
    let mut query = persons::table
        .filter(persons::county.eq(county))
        .order(persons::commitment.asc())
        .into_boxed();
    if let Some(h) = household {
        query = query.filter(persons::household.eq(h.to_owned()));
    }
    let rows: Vec<(String, String, String, String, String, Option<String>)> = query
        .select((
            persons::commitment,
            persons::household,
            persons::salt,
            persons::name,
            persons::id_number,
            persons::phone,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(commitment, household, salt, name, id_number, phone)| {
            (
                commitment,
                household,
                PersonRecord {
                    salt,
                    name,
                    id_number,
                    phone,
                },
            )
        })
        .collect())
}

/// Which of these persons are members of their collective now.
pub fn members_among(
    conn: &mut DbConnection,
    county: &str,
    persons: &[&str],
) -> Result<Vec<String>, StoreError> {
    Ok(memberships::table
        .filter(memberships::county.eq(county))
        .filter(memberships::person.eq_any(persons))
        .filter(memberships::ended_at.is_null())
        .select(memberships::person)
        .load(conn)?)
}

/// One person's private record, by commitment.
pub fn person(
    conn: &mut DbConnection,
    county: &str,
    commitment: &str,
) -> Result<Option<PersonRecord>, StoreError> {
    let row: Option<(String, String, String, Option<String>)> = persons::table
        .filter(persons::county.eq(county))
        .filter(persons::commitment.eq(commitment))
        .select((
            persons::salt,
            persons::name,
            persons::id_number,
            persons::phone,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(salt, name, id_number, phone)| PersonRecord {
        salt,
        name,
        id_number,
        phone,
    }))
}
