//! CGCS2000 Gauss–Krüger (高斯–克吕格) coordinates ↔ longitude and latitude:
//! the projected coordinates a county's 确权 survey is delivered in (NY/T
//! 2539), EPSG:4491–4554 — 6° and 3° zones, with the zone number in front
//! of the easting or without. The transverse Mercator of Krüger's series in
//! the third flattening to the sixth order (Karney 2011, "Transverse
//! Mercator with an accuracy of a few nanometers"), and the conformal
//! latitude by its series in the same n: within a zone far under a
//! millimetre of PROJ's `tmerc`, with a handful of transcendental calls a
//! point and no iteration; no I/O, no allocation.

/// The CGCS2000 ellipsoid (GB/T 2260's coordinates, C8): semi-major axis in
/// metres and flattening.
const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_222_101;

/// A zone: its central meridian (degrees east) and false easting (metres;
/// 500 km, with the zone number's millions in front where the CRS writes
/// it). Scale 1 on the central meridian, no false northing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zone {
    pub central_meridian: f64,
    pub false_easting: f64,
}

/// The series' constants, from the flattening alone.
struct Series {
    /// The rectifying radius over (1 + n): A of Karney's (14).
    radius: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
    /// From the conformal latitude χ to the geographic: φ = χ + Σ cⱼ sin 2jχ.
    chi_to_phi: [f64; 6],
    /// And back: χ = φ + Σ dⱼ sin 2jφ.
    phi_to_chi: [f64; 6],
}

fn series() -> Series {
    let n = F / (2.0 - F);
    let n2 = n * n;
    let n3 = n2 * n;
    let n4 = n3 * n;
    let n5 = n4 * n;
    let n6 = n5 * n;
    Series {
        radius: A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0),
        alpha: [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0 - 127.0 * n5 / 288.0
                + 7891.0 * n6 / 37800.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0 + 281.0 * n5 / 630.0
                - 1_983_433.0 * n6 / 1_935_360.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0
                + 15061.0 * n5 / 26880.0
                + 167_603.0 * n6 / 181_440.0,
            49561.0 * n4 / 161_280.0 - 179.0 * n5 / 168.0 + 6_601_661.0 * n6 / 7_257_600.0,
            34729.0 * n5 / 80640.0 - 3_418_889.0 * n6 / 1_995_840.0,
            212_378_941.0 * n6 / 319_334_400.0,
        ],
        chi_to_phi: [
            2.0 * n - 2.0 * n2 / 3.0 - 2.0 * n3 + 116.0 * n4 / 45.0 + 26.0 * n5 / 45.0
                - 2854.0 * n6 / 675.0,
            7.0 * n2 / 3.0 - 8.0 * n3 / 5.0 - 227.0 * n4 / 45.0
                + 2704.0 * n5 / 315.0
                + 2323.0 * n6 / 945.0,
            56.0 * n3 / 15.0 - 136.0 * n4 / 35.0 - 1262.0 * n5 / 105.0 + 73814.0 * n6 / 2835.0,
            4279.0 * n4 / 630.0 - 332.0 * n5 / 35.0 - 399_572.0 * n6 / 14175.0,
            4174.0 * n5 / 315.0 - 144_838.0 * n6 / 6237.0,
            601_676.0 * n6 / 22275.0,
        ],
        phi_to_chi: [
            -2.0 * n + 2.0 * n2 / 3.0 + 4.0 * n3 / 3.0 - 82.0 * n4 / 45.0
                + 32.0 * n5 / 45.0
                + 4642.0 * n6 / 4725.0,
            5.0 * n2 / 3.0 - 16.0 * n3 / 15.0 - 13.0 * n4 / 9.0 + 904.0 * n5 / 315.0
                - 1522.0 * n6 / 945.0,
            -26.0 * n3 / 15.0 + 34.0 * n4 / 21.0 + 8.0 * n5 / 5.0 - 12686.0 * n6 / 2835.0,
            1237.0 * n4 / 630.0 - 12.0 * n5 / 5.0 - 24832.0 * n6 / 14175.0,
            -734.0 * n5 / 315.0 + 109_598.0 * n6 / 31185.0,
            444_337.0 * n6 / 155_925.0,
        ],
        beta: [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0 - 81.0 * n5 / 512.0
                + 96199.0 * n6 / 604_800.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0 + 46.0 * n5 / 105.0
                - 1_118_711.0 * n6 / 3_870_720.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0 - 209.0 * n5 / 4480.0 + 5569.0 * n6 / 90720.0,
            4397.0 * n4 / 161_280.0 - 11.0 * n5 / 504.0 - 830_251.0 * n6 / 7_257_600.0,
            4583.0 * n5 / 161_280.0 - 108_847.0 * n6 / 3_991_680.0,
            20_648_693.0 * n6 / 638_668_800.0,
        ],
    }
}

fn constants() -> &'static Series {
    static SERIES: std::sync::OnceLock<Series> = std::sync::OnceLock::new();
    SERIES.get_or_init(series)
}

impl Zone {
    /// The zone of a CGCS2000 Gauss–Krüger CRS by its EPSG code: 4491–4501
    /// (6°, zones 13–23, zone in the easting), 4502–4512 (6°, 75°E–135°E),
    /// 4513–4533 (3°, zones 25–45, zone in the easting), 4534–4554 (3°,
    /// 75°E–135°E); `None` for any other code.
    pub fn of_epsg(code: u32) -> Option<Zone> {
        let (meridian, prefix) = match code {
            4491..=4501 => {
                let zone = f64::from(code - 4491 + 13);
                (6.0 * zone - 3.0, Some(zone))
            }
            4502..=4512 => (75.0 + 6.0 * f64::from(code - 4502), None),
            4513..=4533 => {
                let zone = f64::from(code - 4513 + 25);
                (3.0 * zone, Some(zone))
            }
            4534..=4554 => (75.0 + 3.0 * f64::from(code - 4534), None),
            _ => return None,
        };
        Some(Zone {
            central_meridian: meridian,
            false_easting: prefix.map_or(0.0, |z| z * 1_000_000.0) + 500_000.0,
        })
    }

    /// Longitude and latitude (degrees) of an easting and northing (metres).
    pub fn to_lonlat(&self, easting: f64, northing: f64) -> (f64, f64) {
        let s = constants();
        let xi = northing / s.radius;
        let eta = (easting - self.false_easting) / s.radius;
        let (re, im) = sum_of_sines(&s.beta, xi, eta);
        let (xi1, eta1) = (xi - re, eta - im);
        let (sinh_eta, cos_xi) = (eta1.sinh(), xi1.cos());
        let tau1 = xi1.sin() / sinh_eta.hypot(cos_xi);
        let lambda = sinh_eta.atan2(cos_xi);
        let chi = tau1.atan();
        let phi = chi + sum_of_real_sines(&s.chi_to_phi, chi);
        (
            self.central_meridian + lambda.to_degrees(),
            phi.to_degrees(),
        )
    }

    /// Easting and northing (metres) of a longitude and latitude (degrees).
    pub fn from_lonlat(&self, lon: f64, lat: f64) -> (f64, f64) {
        let s = constants();
        let phi = lat.to_radians();
        let lambda = (lon - self.central_meridian).to_radians();
        let tau1 = (phi + sum_of_real_sines(&s.phi_to_chi, phi)).tan();
        let xi1 = tau1.atan2(lambda.cos());
        let eta1 = (lambda.sin() / tau1.hypot(lambda.cos())).asinh();
        let (re, im) = sum_of_sines(&s.alpha, xi1, eta1);
        let (xi, eta) = (xi1 + re, eta1 + im);
        (self.false_easting + s.radius * eta, s.radius * xi)
    }
}

/// Σ cⱼ sin(2j ζ) for ζ = ξ + iη, as (real, imaginary), by Clenshaw's
/// recurrence in complex numbers: four transcendental calls in place of
/// four for each term (Karney's (11)–(12)).
fn sum_of_sines(c: &[f64; 6], xi: f64, eta: f64) -> (f64, f64) {
    let (s2, c2) = (2.0 * xi).sin_cos();
    // sinh and cosh from one exponential (|2η| < 0.2 in any zone: the
    // difference loses nothing that matters beside the coefficients).
    let x = (2.0 * eta).exp();
    let (sh2, ch2) = ((x - x.recip()) / 2.0, (x + x.recip()) / 2.0);
    // a = 2 cos 2ζ
    let (ar, ai) = (2.0 * c2 * ch2, -2.0 * s2 * sh2);
    let (mut y1r, mut y1i) = (0.0, 0.0);
    let (mut y2r, mut y2i) = (0.0, 0.0);
    for &ck in c.iter().rev() {
        let yr = ar * y1r - ai * y1i - y2r + ck;
        let yi = ar * y1i + ai * y1r - y2i;
        (y2r, y2i) = (y1r, y1i);
        (y1r, y1i) = (yr, yi);
    }
    // The sum is y₁ · sin 2ζ.
    let (sr, si) = (s2 * ch2, c2 * sh2);
    (y1r * sr - y1i * si, y1r * si + y1i * sr)
}

/// Σ cⱼ sin(2j x), by Clenshaw's recurrence: one sine and cosine.
fn sum_of_real_sines(c: &[f64; 6], x: f64) -> f64 {
    let (s2, c2) = (2.0 * x).sin_cos();
    let a = 2.0 * c2;
    let (mut y1, mut y2) = (0.0, 0.0);
    for &ck in c.iter().rev() {
        (y2, y1) = (y1, a * y1 - y2 + ck);
    }
    y1 * s2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values PROJ 9 (`cs2cs EPSG:4490 EPSG:4516`, `EPSG:4546`) gives
    /// for 36.5°N 113.2°E, the demo county's latitude, to the micrometre.
    #[test]
    fn agrees_with_proj_at_a_point() {
        let prefixed = Zone::of_epsg(4516).unwrap();
        let (e, n) = prefixed.from_lonlat(113.2, 36.5);
        assert!((e - 31_146_247.316_397).abs() < 1e-5, "{e}");
        assert!((n - 4_463_360.785_822).abs() < 1e-5, "{n}");
        let plain = Zone::of_epsg(4546).unwrap();
        let (e, n) = plain.from_lonlat(113.2, 36.5);
        assert!((e - 697_114.710_823).abs() < 1e-5, "{e}");
        assert!((n - 4_043_276.138_093).abs() < 1e-5, "{n}");
        let (lon, lat) = plain.to_lonlat(697_114.710_823, 4_043_276.138_093);
        assert!(
            (lon - 113.2).abs() < 1e-10 && (lat - 36.5).abs() < 1e-10,
            "{lon} {lat}"
        );
    }

    /// Each EPSG family's zones: central meridians and false eastings.
    #[test]
    fn zones_by_epsg() {
        let z = |c| Zone::of_epsg(c).map(|z| (z.central_meridian, z.false_easting));
        assert_eq!(z(4491), Some((75.0, 13_500_000.0)));
        assert_eq!(z(4501), Some((135.0, 23_500_000.0)));
        assert_eq!(z(4502), Some((75.0, 500_000.0)));
        assert_eq!(z(4512), Some((135.0, 500_000.0)));
        assert_eq!(z(4513), Some((75.0, 25_500_000.0)));
        assert_eq!(z(4533), Some((135.0, 45_500_000.0)));
        assert_eq!(z(4534), Some((75.0, 500_000.0)));
        assert_eq!(z(4554), Some((135.0, 500_000.0)));
        assert_eq!(z(4490), None);
        assert_eq!(z(4555), None);
    }

    /// Forward then back returns the point, across a 6° zone's width and
    /// China's latitudes, to 1e-9° (0.1 mm).
    #[test]
    fn round_trips() {
        let zone = Zone::of_epsg(4502 + 6).unwrap();
        let mut worst: f64 = 0.0;
        for i in 0..=60 {
            for j in 0..=40 {
                let lon = zone.central_meridian - 3.0 + f64::from(i) * 0.1;
                let lat = 15.0 + f64::from(j);
                let (e, n) = zone.from_lonlat(lon, lat);
                let (lon2, lat2) = zone.to_lonlat(e, n);
                worst = worst.max((lon2 - lon).abs()).max((lat2 - lat).abs());
            }
        }
        assert!(worst < 1e-9, "{worst}");
    }
}
