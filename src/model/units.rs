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

    /// Parses a decimal string of square metres ("2668.40"); at most 2 places.
    pub fn parse_m2(text: &str) -> Result<Area, &'static str> {
        let d: Decimal = text.parse().map_err(|_| "not a decimal number")?;
        if d.is_sign_negative() {
            return Err("an area cannot be negative");
        }
        if d.scale() > 2 && d.normalize().scale() > 2 {
            return Err("an area has at most 2 decimal places (0.01 m²)");
        }
        let centi = (d * Decimal::from(100)).normalize();
        i64::try_from(centi)
            .map(Area)
            .map_err(|_| "area out of range")
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
        assert_eq!(Area(266_840).m2().to_string(), "2668.40");
        // 666.67 m² is one mu to the fourth place.
        assert_eq!(Area(66_667).mu().to_string(), "1.0000");
        assert_eq!(Area(1_000_000).mu().to_string(), "15.0000");
        assert_eq!(Area::from_m2(0.004), Area(0));
        assert_eq!(Area::from_m2(12.345), Area(1235));
    }
}
