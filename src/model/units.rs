//! Exact units: areas in hundredths of a square metre, shown in m² and 亩.

use rust_decimal::Decimal;

/// 1 亩 = 10000/15 m².
const M2_PER_MU_NUM: i64 = 10_000;
const M2_PER_MU_DEN: i64 = 15;

/// An area, exact to 0.01 m² (the unit it is stored in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Area(pub i64);

impl Area {
    pub const ZERO: Area = Area(0);

    /// From square metres as computed (geodesic area), rounded to 0.01 m².
    pub fn from_m2(m2: f64) -> Area {
        Area((m2 * 100.0).round() as i64)
    }

    /// Parses a plain decimal string of square metres ("2668.40"; see
    /// [`plain_hundredths`]).
    pub fn parse_m2(text: &str) -> Result<Area, super::refusal::Why> {
        plain_hundredths(text).map(Area)
    }

    pub fn m2(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// In 亩, rounded to 4 decimal places.
    pub fn mu(self) -> Decimal {
        let mut mu = (Decimal::new(self.0, 2) * Decimal::from(M2_PER_MU_DEN)
            / Decimal::from(M2_PER_MU_NUM))
        .round_dp(4);
        mu.rescale(4);
        mu
    }

    pub fn as_m2_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Parses an amount or area written as a plain decimal string — digits, at
/// most one point and at most two places after it, at most 15 digits before
/// it, no sign, exponent, spaces or leading zeros — into hundredths (fen,
/// 0.01 m²). "1e9", "+5", "-1", "1.", ".5", "007" and "1.234" are refused:
/// what was signed is read one way only.
pub fn plain_hundredths(text: &str) -> Result<i64, super::refusal::Why> {
    let (whole, part) = match text.split_once('.') {
        Some((w, p)) => (w, Some(p)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || part.is_some_and(|p| !digits(p)) {
        return Err((
            "must be a plain decimal number such as 1234.50 (digits, one point, no sign or exponent)",
            "须为 1234.50 这样的普通十进制数（只含数字和一个小数点，不带正负号或指数）",
        ));
    }
    if whole.len() > 1 && whole.starts_with('0') {
        return Err(("must have no leading zeros", "不得有前导零"));
    }
    if whole.len() > 15 {
        return Err(("has too many digits", "位数过多"));
    }
    let part = part.unwrap_or("");
    if part.len() > 2 {
        return Err(("has at most 2 decimal places", "至多两位小数"));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| ("has too many digits", "位数过多"))?;
    let hundredths: i64 = format!("{part:0<2}")
        .parse()
        .map_err(|_| ("is not a number", "不是数字"))?;
    Ok(whole * 100 + hundredths)
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} m²", self.m2())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_exact() {
        assert_eq!(Area::parse_m2("2668.40"), Ok(Area(266_840)));
        assert_eq!(Area::parse_m2("2668.4"), Ok(Area(266_840)));
        assert_eq!(Area::parse_m2("12"), Ok(Area(1200)));
        assert!(Area::parse_m2("1.234").is_err());
        assert!(Area::parse_m2("-1").is_err());
        assert!(Area::parse_m2("abc").is_err());
        for bad in [
            "1e3",
            "1E3",
            "+5",
            "-0",
            " 1",
            "1 ",
            "1.",
            ".5",
            "007",
            "0x10",
            "1_000",
            "١٢",
            "NaN",
            "inf",
            "",
            "1.2.3",
            "9999999999999999",
        ] {
            assert!(Area::parse_m2(bad).is_err(), "{bad}");
        }
        assert_eq!(Area::parse_m2("0"), Ok(Area(0)));
        assert_eq!(Area::parse_m2("0.05"), Ok(Area(5)));
        assert_eq!(
            Area::parse_m2("999999999999999.99"),
            Ok(Area(99_999_999_999_999_999))
        );
        assert_eq!(Area(266_840).m2().to_string(), "2668.40");
        // 666.67 m² is one mu to the fourth place.
        assert_eq!(Area(66_667).mu().to_string(), "1.0000");
        assert_eq!(Area(1_000_000).mu().to_string(), "15.0000");
        assert_eq!(Area::from_m2(0.004), Area(0));
        assert_eq!(Area::from_m2(12.345), Area(1235));
    }
}
