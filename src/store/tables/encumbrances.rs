//! The `encumbrances` table: `State::encumbrances`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = encumbrances, primary_key(county, idx), treat_none_as_null = true)]
pub struct EncumbranceRow<'a> {
    county: &'a str,
    idx: i64,
    parcel: &'a str,
    kind: &'a str,
    party: &'a str,
    reason: &'a str,
    document_sha256: &'a str,
    released_at: Option<i64>,
    lapses_on: Option<String>,
    sued_at: Option<i64>,
    pledgee: Option<&'a str>,
}

impl<'a> EncumbranceRow<'a> {
    pub fn of(county: &'a str, e: &'a Encumbrance) -> Self {
        EncumbranceRow {
            county,
            idx: e.index as i64,
            parcel: &e.parcel,
            kind: e.kind.as_str(),
            party: &e.by,
            reason: &e.reason,
            document_sha256: &e.document_sha256,
            released_at: e.released_at.map(|r| r as i64),
            lapses_on: e.lapses_on.map(|d| d.to_string()),
            sued_at: e.sued_at.map(|r| r as i64),
            pledgee: e.pledgee.as_deref(),
        }
    }
}

saved!(
    encumbrances: u64 => Encumbrance,
    |county, k, v| EncumbranceRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Encumbrance>, StoreError> {
    Ok(encumbrances_where(conn, county, None)?
        .into_iter()
        .map(|e| (e.index, e))
        .collect())
}

pub type EncumbranceColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// The encumbrances of a county, or of one parcel, by log index.
pub fn encumbrances_where(
    conn: &mut DbConnection,
    county: &str,
    parcel: Option<&str>,
) -> Result<Vec<Encumbrance>, StoreError> {
    let mut query = encumbrances::table
        .filter(encumbrances::county.eq(county))
        .select((
            encumbrances::idx,
            encumbrances::parcel,
            encumbrances::kind,
            encumbrances::party,
            encumbrances::reason,
            encumbrances::document_sha256,
            encumbrances::released_at,
            encumbrances::lapses_on,
            encumbrances::sued_at,
            encumbrances::pledgee,
        ))
        .order(encumbrances::idx.asc())
        .into_boxed();
    if let Some(p) = parcel {
        query = query.filter(encumbrances::parcel.eq(p.to_owned()));
    }
    let rows: Vec<EncumbranceColumns> = query.load(conn)?;
    rows.into_iter()
        .map(
            |(
                idx,
                parcel,
                kind,
                by,
                reason,
                document_sha256,
                released,
                lapses_on,
                sued_at,
                pledgee,
            )| {
                let kind = match kind.as_str() {
                    "seizure" => EncumbranceKind::Seizure,
                    "objection" => EncumbranceKind::Objection,
                    "pledge" => EncumbranceKind::Pledge,
                    other => {
                        return Err(StoreError::Corrupt(format!("encumbrances.kind `{other}`")))
                    }
                };
                Ok(Encumbrance {
                    index: idx as u64,
                    parcel: parcel.into(),
                    kind,
                    by,
                    reason,
                    document_sha256,
                    released_at: released.map(|r| r as u64),
                    lapses_on: lapses_on
                        .map(|d| {
                            d.parse().map_err(|_| {
                                StoreError::Corrupt(format!("encumbrances.lapses_on `{d}`"))
                            })
                        })
                        .transpose()?,
                    sued_at: sued_at.map(|r| r as u64),
                    pledgee,
                })
            },
        )
        .collect()
}
