//! The collective income distribution right (集体收益分配权): shares (份额)
//! per household (S1), and distributions exact to the fen (S3).

use rust_decimal::Decimal;

/// Money (金额), exact to the fen (分, 0.01 yuan): stored and summed as whole
/// fen, shown as yuan with two places. In a body it is a plain decimal string
/// of yuan (`fields::Yuan`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);
    pub const MAX: Fen = Fen(i64::MAX);

    /// Parses a yuan amount given as a plain decimal string ("1234.50"; see
    /// [`crate::model::units::plain_hundredths`]).
    pub fn parse_yuan(text: &str) -> Result<Fen, super::refusal::Why> {
        crate::model::units::plain_hundredths(text).map(Fen)
    }

    /// The yuan, with two places.
    pub fn yuan(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
}

/// As yuan with two places ("1234.50").
impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.yuan())
    }
}

/// Exact sums and products of money are taken in `i128`.
impl From<Fen> for i128 {
    fn from(f: Fen) -> i128 {
        i128::from(f.0)
    }
}

impl TryFrom<i128> for Fen {
    type Error = std::num::TryFromIntError;
    fn try_from(n: i128) -> Result<Fen, Self::Error> {
        i64::try_from(n).map(Fen)
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0 + other.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, other: Fen) -> Fen {
        Fen(self.0 - other.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, other: Fen) {
        self.0 += other.0;
    }
}

impl std::ops::SubAssign for Fen {
    fn sub_assign(&mut self, other: Fen) {
        self.0 -= other.0;
    }
}

impl<'a> std::iter::Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

/// Splits `amount` fen among `holders` by their shares, exactly: each gets
/// the whole fen of its exact part, and the fen left over go one each to the
/// largest remainders (ties to the earlier holder). The parts add up to
/// `amount`, always.
pub fn largest_remainder(amount: Fen, holders: &[(String, u64)]) -> Vec<(String, Fen)> {
    let total: u128 = holders.iter().map(|(_, s)| u128::from(*s)).sum();
    if total == 0 || amount <= Fen::ZERO {
        return holders
            .iter()
            .map(|(h, _)| (h.clone(), Fen::ZERO))
            .collect();
    }
    let amount_u = amount.0 as u128;
    let mut parts: Vec<(usize, i64, u128)> = holders
        .iter()
        .enumerate()
        .map(|(i, (_, s))| {
            let exact = amount_u * u128::from(*s);
            (i, (exact / total) as i64, exact % total)
        })
        .collect();
    let given: i64 = parts.iter().map(|p| p.1).sum();
    let mut left = amount.0 - given;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| parts[b].2.cmp(&parts[a].2).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    parts.sort_by_key(|p| p.0);
    parts
        .into_iter()
        .map(|(i, fen, _)| (holders[i].0.clone(), Fen(fen)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(Fen::parse_yuan("1234.50"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("7"), Ok(Fen(700)));
        assert!(Fen::parse_yuan("0.001").is_err());
        assert!(Fen::parse_yuan("-1").is_err());
        assert_eq!(Fen(123_450).to_string(), "1234.50");
    }

    #[test]
    fn the_remainders_go_to_the_largest_fractions() {
        // 100.00 yuan over 3 equal holders: 33.34, 33.33, 33.33.
        let h = |v: &[u64]| {
            v.iter()
                .enumerate()
                .map(|(i, s)| (format!("h{i}"), *s))
                .collect::<Vec<_>>()
        };
        let got: Vec<i64> = largest_remainder(Fen(10_000), &h(&[1, 1, 1]))
            .into_iter()
            .map(|p| p.1 .0)
            .collect();
        assert_eq!(got, [3334, 3333, 3333]);
        // 10.00 over 1:2:3:4 → 1.00, 2.00, 3.00, 4.00.
        let got: Vec<i64> = largest_remainder(Fen(1000), &h(&[1, 2, 3, 4]))
            .into_iter()
            .map(|p| p.1 .0)
            .collect();
        assert_eq!(got, [100, 200, 300, 400]);
        // 1.00 over 3:3:1 → exact 42.857…, 42.857…, 14.285… → 43, 43, 14.
        let got: Vec<i64> = largest_remainder(Fen(100), &h(&[3, 3, 1]))
            .into_iter()
            .map(|p| p.1 .0)
            .collect();
        assert_eq!(got, [43, 43, 14]);
    }

    #[test]
    fn the_parts_always_add_up() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2000 {
            let n = (next() % 40 + 1) as usize;
            let holders: Vec<(String, u64)> =
                (0..n).map(|i| (format!("h{i}"), next() % 1000)).collect();
            let amount = Fen((next() % 100_000_000) as i64);
            let parts = largest_remainder(amount, &holders);
            let total_shares: u64 = holders.iter().map(|h| h.1).sum();
            let sum: Fen = parts.iter().map(|p| p.1).sum();
            assert_eq!(sum, if total_shares == 0 { Fen::ZERO } else { amount });
            // Nobody is more than one fen from their exact part.
            for ((_, s), (_, got)) in holders.iter().zip(&parts) {
                if total_shares > 0 {
                    let exact = amount.0 as f64 * *s as f64 / total_shares as f64;
                    assert!((got.0 as f64 - exact).abs() < 1.0 + 1e-6);
                }
            }
        }
    }
}
