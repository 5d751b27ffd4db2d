//! The county's calendar: holidays and make-up working days, for notice
//! periods counted in working days (X3). A leaf of `model`: it uses nothing
//! of it.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The county's calendar of holidays and make-up working days (调休), for
/// notice periods counted in working days (X3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Weekdays that are holidays.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days.
    pub workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The first working day after `day`, and the last of `n` working days
    /// counted from it: a notice posted on `day` runs over these.
    pub fn notice_period(&self, day: NaiveDate, n: u32) -> (NaiveDate, NaiveDate) {
        let mut d = day;
        let mut first = None;
        let mut counted = 0;
        while counted < n.max(1) {
            let Some(next) = d.succ_opt() else { break };
            d = next;
            if self.is_working_day(d) {
                first.get_or_insert(d);
                counted += 1;
            }
        }
        (first.unwrap_or(d), d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn notice_counts_working_days_with_holidays_and_make_up_days() {
        let cal = Calendar {
            holidays: [
                d("2026-10-01"),
                d("2026-10-02"),
                d("2026-10-05"),
                d("2026-10-06"),
                d("2026-10-07"),
            ]
            .into(),
            workdays: [d("2026-10-10")].into(),
        };
        // Posted Wednesday 2026-09-30: Oct 1–7 are off, Saturday Oct 10 works.
        let (from, to) = cal.notice_period(d("2026-09-30"), 3);
        assert_eq!(from, d("2026-10-08"));
        assert_eq!(to, d("2026-10-10"));
        // An ordinary week: ten working days from a Monday end two weeks on.
        let (from, to) = Calendar::default().notice_period(d("2026-11-23"), 10);
        assert_eq!((from, to), (d("2026-11-24"), d("2026-12-07")));
    }
}
