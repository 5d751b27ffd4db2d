//! The `distributions` table: `State::distributions`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = distributions, primary_key(county, idx))]
pub struct DistributionRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    total_fen: i64,
    reserve_fen: i64,
    welfare_fen: i64,
    parts: String,
    decisions: Option<String>,
}

impl<'a> DistributionRow<'a> {
    pub fn of(county: &'a str, d: &'a Distribution) -> Self {
        DistributionRow {
            county,
            idx: d.index as i64,
            collective: &d.collective,
            total_fen: d.total.0,
            reserve_fen: d.reserve.0,
            welfare_fen: d.welfare.0,
            parts: json(&d.parts),
            decisions: (!d.decisions.is_empty()).then(|| json(&d.decisions)),
        }
    }
}

saved!(
    distributions: u64 => Distribution,
    |county, k, v| DistributionRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Distribution>, StoreError> {
    Ok(load_distributions(conn, county, DistributionsOf::All)?.into())
}

/// Which distributions to load.
#[derive(Debug, Clone, Copy)]
pub enum DistributionsOf<'a> {
    All,
    Index(u64),
    Collective(&'a str),
}

/// Distributions, by log index: all of a county's, or one.
pub fn load_distributions(
    conn: &mut DbConnection,
    county: &str,
    which: DistributionsOf,
) -> Result<HashMap<u64, Distribution>, StoreError> {
    let mut query = distributions::table
        .filter(distributions::county.eq(county))
        .into_boxed();
    match which {
        DistributionsOf::All => {}
        DistributionsOf::Index(i) => query = query.filter(distributions::idx.eq(i as i64)),
        DistributionsOf::Collective(c) => {
            query = query.filter(distributions::collective.eq(c.to_owned()))
        }
    }
    let rows: Vec<DistributionColumns> = query
        .select((
            distributions::idx,
            distributions::collective,
            distributions::total_fen,
            distributions::reserve_fen,
            distributions::welfare_fen,
            distributions::parts,
            distributions::decisions,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(idx, collective, total, reserve, welfare, parts, decisions)| {
                let corrupt =
                    |e: serde_json::Error| StoreError::Corrupt(format!("distributions {idx}: {e}"));
                let parts = serde_json::from_str(&parts).map_err(corrupt)?;
                let decisions = decisions
                    .map(|d| serde_json::from_str(&d).map_err(corrupt))
                    .transpose()?
                    .unwrap_or_default();
                Ok((
                    idx as u64,
                    Distribution {
                        index: idx as u64,
                        collective,
                        total: Fen(total),
                        reserve: Fen(reserve),
                        welfare: Fen(welfare),
                        parts,
                        decisions,
                    },
                ))
            },
        )
        .collect()
}

/// A distribution as its columns hold it: index, collective, total,
/// reserve, welfare, parts (JSON) and the decisions it rests on (JSON).
pub type DistributionColumns = (i64, String, i64, i64, i64, String, Option<String>);
