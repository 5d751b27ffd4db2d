//! The coordinate system a survey layer names in its `.prj` (WKT 1, as
//! ESRI and GDAL write it): CGCS2000 longitude and latitude, or one of its
//! Gauss–Krüger zones (EPSG:4491–4554), recognised by what the WKT says —
//! its authority code where it has one, else its datum, projection and
//! parameters. Anything else is refused by its own name (a 西安 1980 or
//! 北京 1954 survey, UTM, a local grid): converting it needs parameters a
//! county must supply, which sanquan does not guess. No I/O.

use super::gauss_kruger::Zone;

/// A coordinate system sanquan reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crs {
    /// CGCS2000 longitude and latitude (EPSG:4490).
    Geographic,
    /// A CGCS2000 Gauss–Krüger zone, with the EPSG code it is written as.
    GaussKruger { epsg: u32, zone: Zone },
}

impl Crs {
    /// Longitude and latitude (degrees) of a position in this system.
    pub fn to_lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Crs::Geographic => (x, y),
            Crs::GaussKruger { zone, .. } => zone.to_lonlat(x, y),
        }
    }

    /// A position in this system of a longitude and latitude (degrees).
    pub fn from_lonlat(&self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Geographic => (lon, lat),
            Crs::GaussKruger { zone, .. } => zone.from_lonlat(lon, lat),
        }
    }

    /// The system of an EPSG code: 4490, or a Gauss–Krüger zone 4491–4554.
    pub fn of_epsg(code: u32) -> Option<Crs> {
        match code {
            4490 => Some(Crs::Geographic),
            _ => Zone::of_epsg(code).map(|zone| Crs::GaussKruger { epsg: code, zone }),
        }
    }

    pub fn epsg(&self) -> u32 {
        match self {
            Crs::Geographic => 4490,
            Crs::GaussKruger { epsg, .. } => *epsg,
        }
    }

    /// The WKT 1 a `.prj` carries, as GDAL writes it, with the EPSG code.
    pub fn wkt(&self) -> String {
        let geogcs = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]"#;
        match self {
            Crs::Geographic => geogcs.to_owned(),
            Crs::GaussKruger { epsg, zone } => {
                let three = (4513..=4554).contains(epsg);
                let name = match (three, zone.false_easting > 500_000.0) {
                    (true, true) => format!(
                        "3-degree Gauss-Kruger zone {}",
                        (zone.false_easting / 1e6) as u32
                    ),
                    (true, false) => format!("3-degree Gauss-Kruger CM {}E", zone.central_meridian),
                    (false, true) => format!(
                        "6-degree Gauss-Kruger zone {}",
                        (zone.false_easting / 1e6) as u32
                    ),
                    (false, false) => {
                        format!("6-degree Gauss-Kruger CM {}E", zone.central_meridian)
                    }
                };
                format!(
                    r#"PROJCS["CGCS2000 / {name}",{geogcs},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",1],PARAMETER["false_easting",{}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","{epsg}"]]"#,
                    zone.central_meridian, zone.false_easting
                )
            }
        }
    }
}

/// Why a `.prj` is not read: its name as written, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the coordinate system `{name}` is not one sanquan reads: {why}")]
pub struct UnknownCrs {
    pub name: String,
    pub why: &'static str,
    pub why_zh: &'static str,
}

impl UnknownCrs {
    pub fn message_zh(&self) -> String {
        format!("坐标系“{}”无法读取：{}", self.name, self.why_zh)
    }
}

/// The largest `.prj` read, and the deepest nesting: a WKT is a few hundred
/// bytes; anything past these is not one.
const MAX_WKT: usize = 64 * 1024;
const MAX_DEPTH: usize = 16;

/// One node of a WKT: `KEYWORD["text", 1.0, CHILD[…], …]`.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
    Node(Node),
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    keyword: String,
    values: Vec<Value>,
}

impl Node {
    fn name(&self) -> &str {
        match self.values.first() {
            Some(Value::Text(t)) => t,
            _ => "",
        }
    }

    fn children(&self) -> impl Iterator<Item = &Node> {
        self.values.iter().filter_map(|v| match v {
            Value::Node(n) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.children()
            .find(|n| keywords.iter().any(|k| n.keyword.eq_ignore_ascii_case(k)))
    }

    fn number(&self, i: usize) -> Option<f64> {
        match self.values.get(i) {
            Some(Value::Number(x)) => Some(*x),
            _ => None,
        }
    }

    /// The EPSG code of its `AUTHORITY["EPSG","…"]` or `ID["EPSG",…]`.
    fn epsg(&self) -> Option<u32> {
        let a = self.child(&["AUTHORITY", "ID"])?;
        if !a.name().eq_ignore_ascii_case("EPSG") {
            return None;
        }
        match a.values.get(1)? {
            Value::Text(t) => t.trim().parse().ok(),
            Value::Number(x) => Some(*x as u32),
            Value::Node(_) => None,
        }
    }

    /// A `PARAMETER[name, value]` by any of its names, case and spacing aside.
    fn parameter(&self, names: &[&str]) -> Option<f64> {
        let plain = |s: &str| s.to_ascii_lowercase().replace([' ', '_'], "");
        self.children()
            .filter(|n| n.keyword.eq_ignore_ascii_case("PARAMETER"))
            .find(|n| names.iter().any(|k| plain(n.name()) == plain(k)))
            .and_then(|n| n.number(1))
    }
}

/// A small recursive-descent reader of WKT 1, bounded in size and depth.
struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.at += 1;
        }
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.at += 1;
        }
        let keyword = std::str::from_utf8(&self.text[start..self.at])
            .ok()?
            .to_owned();
        self.skip_space();
        let close = match self.text.get(self.at)? {
            b'[' => b']',
            b'(' => b')',
            _ => return None,
        };
        self.at += 1;
        let mut values = Vec::new();
        loop {
            self.skip_space();
            match *self.text.get(self.at)? {
                b if b == close => {
                    self.at += 1;
                    break;
                }
                b',' => self.at += 1,
                b'"' => {
                    self.at += 1;
                    // A quote inside a text is written twice.
                    let mut text = Vec::new();
                    loop {
                        match *self.text.get(self.at)? {
                            b'"' if self.text.get(self.at + 1) == Some(&b'"') => {
                                text.push(b'"');
                                self.at += 2;
                            }
                            b'"' => break,
                            b => {
                                text.push(b);
                                self.at += 1;
                            }
                        }
                    }
                    self.at += 1;
                    values.push(Value::Text(String::from_utf8(text).ok()?));
                }
                b if b == b'-' || b == b'+' || b == b'.' || b.is_ascii_digit() => {
                    let start = self.at;
                    while self.text.get(self.at).is_some_and(|b| {
                        b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                    }) {
                        self.at += 1;
                    }
                    let n = std::str::from_utf8(&self.text[start..self.at]).ok()?;
                    values.push(Value::Number(n.parse().ok()?));
                }
                _ => values.push(Value::Node(self.node(depth + 1)?)),
            }
        }
        Some(Node { keyword, values })
    }
}

fn parse(wkt: &str) -> Option<Node> {
    if wkt.len() > MAX_WKT {
        return None;
    }
    let mut r = Reader {
        text: wkt.trim_start_matches('\u{feff}').as_bytes(),
        at: 0,
    };
    let node = r.node(0)?;
    r.skip_space();
    (r.at == r.text.len()).then_some(node)
}

/// The ellipsoid's semi-major axis and inverse flattening, as the datum's
/// `SPHEROID` (or `ELLIPSOID`) gives them.
fn spheroid(geog: &Node) -> Option<(f64, f64)> {
    let datum = geog.child(&["DATUM"])?;
    let s = datum.child(&["SPHEROID", "ELLIPSOID"])?;
    Some((s.number(1)?, s.number(2)?))
}

/// Whether the datum is CGCS2000, by its ellipsoid; or what else it is.
fn cgcs2000(geog: &Node) -> Result<(), (&'static str, &'static str)> {
    match spheroid(geog) {
        Some((a, rf)) if a == 6_378_137.0 && (rf - 298.257_222_101).abs() < 1e-6 => Ok(()),
        Some((6_378_245.0, _)) => Err((
            "a Krassowsky ellipsoid (北京 1954): convert it to CGCS2000 first",
            "克拉索夫斯基椭球（北京 1954）：请先转换为 CGCS2000",
        )),
        Some((6_378_140.0, _)) => Err((
            "an IAG 1975 ellipsoid (西安 1980): convert it to CGCS2000 first",
            "IAG 1975 椭球（西安 1980）：请先转换为 CGCS2000",
        )),
        Some((a, rf)) if a == 6_378_137.0 && (rf - 298.257_223_563).abs() < 1e-6 => Err((
            "the WGS 84 datum: a survey is delivered in CGCS2000",
            "WGS 84 基准：确权成果应为 CGCS2000",
        )),
        _ => Err(("an ellipsoid that is not CGCS2000's", "椭球不是 CGCS2000")),
    }
}

/// The coordinate system a `.prj`'s WKT names.
pub fn of_wkt(wkt: &str) -> Result<Crs, UnknownCrs> {
    let root = parse(wkt).ok_or_else(|| UnknownCrs {
        name: wkt.chars().take(60).collect(),
        why: "it is not well-formed WKT",
        why_zh: "不是格式正确的 WKT",
    })?;
    let refuse = |why: (&'static str, &'static str)| UnknownCrs {
        name: root.name().to_owned(),
        why: why.0,
        why_zh: why.1,
    };
    match root.keyword.to_ascii_uppercase().as_str() {
        "GEOGCS" => {
            cgcs2000(&root).map_err(refuse)?;
            return Ok(Crs::Geographic);
        }
        "PROJCS" => {}
        _ => {
            return Err(refuse((
                "it is neither WKT 1's GEOGCS nor its PROJCS",
                "既不是 WKT 1 的地理坐标系（GEOGCS），也不是投影坐标系（PROJCS）",
            )))
        }
    }
    let geog = root
        .child(&["GEOGCS"])
        .ok_or_else(|| refuse(("it names no geographic system", "未写明地理坐标系")))?;
    cgcs2000(geog).map_err(refuse)?;
    let projection = root
        .child(&["PROJECTION"])
        .map(Node::name)
        .unwrap_or_default();
    if !["Transverse_Mercator", "Gauss_Kruger"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(projection))
    {
        return Err(refuse((
            "its projection is not Gauss–Krüger (transverse Mercator)",
            "投影不是高斯–克吕格（横轴墨卡托）",
        )));
    }
    let unit = root
        .child(&["UNIT"])
        .and_then(|u| u.number(1))
        .unwrap_or(1.0);
    let p = |names: &[&str], default: f64| root.parameter(names).unwrap_or(default);
    let meridian = p(&["central_meridian", "longitude_of_center"], f64::NAN);
    let easting = p(&["false_easting"], f64::NAN);
    let standard = p(&["scale_factor"], 1.0) == 1.0
        && p(&["latitude_of_origin"], 0.0) == 0.0
        && p(&["false_northing"], 0.0) == 0.0
        && unit == 1.0;
    // The zone its parameters make, under the code its authority or name
    // gives (a 6° and a 3° zone without prefix may share their parameters).
    let candidates = (4491..=4554u32)
        .filter_map(|c| Zone::of_epsg(c).map(|z| (c, z)))
        .filter(|(_, z)| z.central_meridian == meridian && z.false_easting == easting)
        .collect::<Vec<_>>();
    if !standard || candidates.is_empty() {
        return Err(refuse((
            "its parameters are no CGCS2000 Gauss–Krüger zone's (scale 1, no false northing, \
             a central meridian of 75°E–135°E, a false easting of 500 km with or without the zone)",
            "参数不是 CGCS2000 高斯–克吕格分带的（比例 1、无北移、中央经线 75°E–135°E、东移 500 千米，带号可有可无）",
        )));
    }
    let named = root
        .epsg()
        .filter(|c| candidates.iter().any(|(k, _)| k == c));
    // ESRI and EPSG name a 3° zone so ("…3_Degree_GK…", "3-degree
    // Gauss-Kruger"); a 6° zone's name says no degree.
    let name = root.name().to_ascii_lowercase();
    let three = name.contains("3_degree") || name.contains("3-degree");
    let (epsg, zone) = match named {
        Some(c) => *candidates.iter().find(|(k, _)| *k == c).expect("filtered"),
        None => *candidates
            .iter()
            .find(|(k, _)| three == (*k >= 4513))
            .unwrap_or(&candidates[0]),
    };
    Ok(Crs::GaussKruger { epsg, zone })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_system_written_reads_back_as_itself() {
        for code in std::iter::once(4490).chain(4491..=4554) {
            let crs = super::Crs::of_epsg(code).unwrap();
            assert_eq!(super::of_wkt(&crs.wkt()), Ok(crs), "EPSG:{code}");
            assert_eq!(crs.epsg(), code);
        }
        assert_eq!(super::Crs::of_epsg(4326), None);
    }

    use super::*;

    #[test]
    fn reads_an_esri_prj() {
        let wkt = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_38",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",38500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        match of_wkt(wkt) {
            Ok(Crs::GaussKruger { epsg, .. }) => assert_eq!(epsg, 4526),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_by_name_and_never_panics() {
        let xian = r#"PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        let e = of_wkt(xian).unwrap_err();
        assert_eq!(e.name, "Xian_1980_3_Degree_GK_CM_114E");
        assert!(e.message_zh().contains("西安 1980"), "{}", e.message_zh());
        for bad in [
            "",
            "PROJCS[",
            "PROJCS[\"x\"",
            "[[[[",
            "GEOGCS[\"a\",DATUM[]]",
            &"A[".repeat(100),
        ] {
            assert!(of_wkt(bad).is_err(), "{bad}");
        }
    }
}
