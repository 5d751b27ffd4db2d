//! The `decisions` table: `State::decisions`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = decisions, primary_key(county, idx))]
pub struct DecisionRow<'a> {
    county: &'a str,
    idx: i64,
    collective: &'a str,
    assembly: &'a str,
    subject: &'a str,
    question: &'a str,
    decided_on: String,
    eligible: i32,
    present: i32,
    in_favour: i32,
    against: i32,
    minutes_sha256: &'a str,
}

impl<'a> DecisionRow<'a> {
    pub fn of(county: &'a str, d: &'a Decision) -> Self {
        DecisionRow {
            county,
            idx: d.index as i64,
            collective: &d.collective,
            assembly: d.assembly.as_str(),
            subject: d.subject.as_str(),
            question: &d.question,
            decided_on: d.date.to_string(),
            eligible: d.counts.eligible as i32,
            present: d.counts.present as i32,
            in_favour: d.counts.in_favour as i32,
            against: d.counts.against as i32,
            minutes_sha256: &d.minutes_sha256,
        }
    }
}

saved!(
    decisions: u64 => Decision,
    |county, k, v| DecisionRow::of(county, v),
    key idx = |k| *k as i64
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<u64, Decision>, StoreError> {
    Ok(load_decisions(conn, county)?.into())
}

pub type DecisionColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i32,
    i32,
    i32,
    i32,
    String,
);

/// One decision, by the log index that recorded it.
pub fn decision(
    conn: &mut DbConnection,
    county: &str,
    index: u64,
) -> Result<Option<Decision>, StoreError> {
    Ok(decisions_where(conn, county, Some(index), None)?.remove(&index))
}

pub fn load_decisions(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<u64, Decision>, StoreError> {
    decisions_where(conn, county, None, None)
}

pub fn decisions_where(
    conn: &mut DbConnection,
    county: &str,
    index: Option<u64>,
    collective: Option<&str>,
) -> Result<HashMap<u64, Decision>, StoreError> {
    let mut query = decisions::table
        .filter(decisions::county.eq(county))
        .into_boxed();
    if let Some(i) = index {
        query = query.filter(decisions::idx.eq(i as i64));
    }
    if let Some(k) = collective {
        query = query.filter(decisions::collective.eq(k.to_owned()));
    }
    let rows: Vec<DecisionColumns> = query
        .select((
            decisions::idx,
            decisions::collective,
            decisions::assembly,
            decisions::subject,
            decisions::question,
            decisions::decided_on,
            decisions::eligible,
            decisions::present,
            decisions::in_favour,
            decisions::against,
            decisions::minutes_sha256,
        ))
        .load(conn)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("decisions: {what}"));
    rows.into_iter()
        .map(
            |(
                idx,
                collective,
                assembly,
                subject,
                question,
                date,
                eligible,
                present,
                in_favour,
                against,
                minutes,
            )| {
                let d = Decision {
                    index: idx as u64,
                    collective,
                    assembly: Assembly::parse(&assembly)
                        .ok_or_else(|| corrupt(format!("assembly `{assembly}`")))?,
                    subject: Subject::parse(&subject)
                        .ok_or_else(|| corrupt(format!("subject `{subject}`")))?,
                    question,
                    date: date
                        .parse()
                        .map_err(|_| corrupt(format!("date `{date}`")))?,
                    counts: Counts {
                        eligible: eligible as u32,
                        present: present as u32,
                        in_favour: in_favour as u32,
                        against: against as u32,
                    },
                    minutes_sha256: minutes,
                };
                Ok((d.index, d))
            },
        )
        .collect()
}
