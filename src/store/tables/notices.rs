//! The `notices` table: `State::notices`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = notices, primary_key(county, idx))]
pub struct NoticeRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    contracts: String,
    from_date: String,
    to_date: String,
}

impl<'a> NoticeRow<'a> {
    pub fn of(county: &'a str, n: &'a Notice) -> Self {
        NoticeRow {
            county,
            idx: n.index as i64,
            collective: &n.collective,
            contracts: json(&n.contracts),
            from_date: n.from.to_string(),
            to_date: n.to.to_string(),
        }
    }
}

saved!(
    notices: u64 => Notice,
    |county, k, v| NoticeRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Notice>, StoreError> {
    Ok(load_notices(conn, county, None)?.into())
}

/// The notices, of one collective or all, by log index.
pub fn load_notices(
    conn: &mut DbConnection,
    county: &str,
    collective: Option<&str>,
) -> Result<HashMap<u64, Notice>, StoreError> {
    let mut query = notices::table
        .filter(notices::county.eq(county))
        .into_boxed();
    if let Some(k) = collective {
        query = query.filter(notices::collective.eq(k.to_owned()));
    }
    let rows: Vec<(i64, String, String, String, String)> = query
        .select((
            notices::idx,
            notices::collective,
            notices::contracts,
            notices::from_date,
            notices::to_date,
        ))
        .load(conn)?;
    let corrupt = |i: i64| StoreError::Corrupt(format!("notices {i}"));
    rows.into_iter()
        .map(|(idx, collective, contracts, from, to)| {
            Ok((
                idx as u64,
                Notice {
                    index: idx as u64,
                    collective,
                    contracts: serde_json::from_str(&contracts).map_err(|_| corrupt(idx))?,
                    from: from.parse().map_err(|_| corrupt(idx))?,
                    to: to.parse().map_err(|_| corrupt(idx))?,
                },
            ))
        })
        .collect()
}
