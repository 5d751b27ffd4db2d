//! The collective income distribution right (集体收益分配权): shares (份额)
//! per household (S1), and distributions exact to the fen (S3).

use rust_decimal::Decimal;

/// Money in fen (0.01 yuan), exact.
pub type Fen = i64;

/// Parses a yuan amount given as a plain decimal string ("1234.50"; see
/// [`crate::model::units::plain_hundredths`]).
pub fn parse_yuan(text: &str) -> Result<Fen, super::refusal::Why> {
    crate::model::units::plain_hundredths(text)
}

/// An amount in fen as yuan with two places.
pub fn yuan(fen: Fen) -> String {
    Decimal::new(fen, 2).to_string()
}

/// Splits `amount` fen among `holders` by their shares, exactly: each gets
/// the whole fen of its exact part, and the fen left over go one each to the
/// largest remainders (ties to the earlier holder). The parts add up to
/// `amount`, always.
pub fn largest_remainder(amount: Fen, holders: &[(String, u64)]) -> Vec<(String, Fen)> {
    let total: u128 = holders.iter().map(|(_, s)| u128::from(*s)).sum();
    if total == 0 || amount <= 0 {
        return holders.iter().map(|(h, _)| (h.clone(), 0)).collect();
    }
    let amount_u = amount as u128;
    let mut parts: Vec<(usize, Fen, u128)> = holders
        .iter()
        .enumerate()
        .map(|(i, (_, s))| {
            let exact = amount_u * u128::from(*s);
            (i, (exact / total) as Fen, exact % total)
        })
        .collect();
    let given: Fen = parts.iter().map(|p| p.1).sum();
    let mut left = amount - given;
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
        .map(|(i, fen, _)| (holders[i].0.clone(), fen))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_yuan("1234.50"), Ok(123_450));
        assert_eq!(parse_yuan("7"), Ok(700));
        assert!(parse_yuan("0.001").is_err());
        assert!(parse_yuan("-1").is_err());
        assert_eq!(yuan(123_450), "1234.50");
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
        let got: Vec<Fen> = largest_remainder(10_000, &h(&[1, 1, 1]))
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(got, [3334, 3333, 3333]);
        // 10.00 over 1:2:3:4 → 1.00, 2.00, 3.00, 4.00.
        let got: Vec<Fen> = largest_remainder(1000, &h(&[1, 2, 3, 4]))
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(got, [100, 200, 300, 400]);
        // 1.00 over 3:3:1 → exact 42.857…, 42.857…, 14.285… → 43, 43, 14.
        let got: Vec<Fen> = largest_remainder(100, &h(&[3, 3, 1]))
            .into_iter()
            .map(|p| p.1)
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
            let amount = (next() % 100_000_000) as Fen;
            let parts = largest_remainder(amount, &holders);
            let total_shares: u64 = holders.iter().map(|h| h.1).sum();
            let sum: Fen = parts.iter().map(|p| p.1).sum();
            assert_eq!(sum, if total_shares == 0 { 0 } else { amount });
            // Nobody is more than one fen from their exact part.
            for ((_, s), (_, got)) in holders.iter().zip(&parts) {
                if total_shares > 0 {
                    let exact = amount as f64 * *s as f64 / total_shares as f64;
                    assert!((*got as f64 - exact).abs() < 1.0 + 1e-6);
                }
            }
        }
    }
}
