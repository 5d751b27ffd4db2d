//! The deterministic generator of synthetic counties: collectives (villages'
//! groups) with boundaries, and parcels laid out as a jittered grid whose
//! neighbours share corners (so they touch and never overlap), with NY/T 2539
//! attributes. The same seed always gives the same county, byte for byte:
//! `geodata/demo-county.geojson` is its demo output, and benchmarks ask it
//! for a million parcels without anything being committed.

use std::io::Write;

use serde_json::{json, Value};

/// SplitMix64: small, fast, and stable across versions of everything.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, weighted: &'a [(T, u32)]) -> &'a T {
        let total: u32 = weighted.iter().map(|(_, w)| w).sum();
        let mut x = (self.next() % u64::from(total)) as u32;
        for (item, w) in weighted {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &weighted[0].0
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub county: String,
    pub parcels: u64,
    /// Parcels per collective (at most 99,999: the 5-digit sequence of P1).
    pub per_collective: u64,
    pub seed: u64,
}

impl Plan {
    /// The demo county: one township, two villages, 800 parcels.
    pub fn demo() -> Plan {
        Plan {
            county: "140421".into(),
            parcels: 800,
            per_collective: 400,
            seed: 20261122,
        }
    }

    /// A benchmark county of `parcels` parcels, 2,500 to a collective.
    pub fn synthetic(parcels: u64) -> Plan {
        Plan {
            county: "140421".into(),
            parcels,
            per_collective: 2500,
            seed: 7,
        }
    }

    pub fn collectives(&self) -> u64 {
        self.parcels.div_ceil(self.per_collective).max(1)
    }

    /// The code of collective `k`: township and village numbered from 001,
    /// 100 villages to a township, group 01.
    pub fn collective_code(&self, k: u64) -> String {
        format!("{}{:03}{:03}01", self.county, k / 100 + 1, k % 100 + 1)
    }
}

/// Cell of the parcel grid: about 30 m east–west and 60 m north–south at 36°N.
const CELL_LON: f64 = 0.000_333;
const CELL_LAT: f64 = 0.000_540;
/// Margin between the outer parcels and the village boundary, in cells.
const MARGIN: f64 = 1.5;

const NAMES: &[&str] = &[
    "东洼地",
    "西坡地",
    "南河滩",
    "北岭地",
    "大块地",
    "后沟地",
    "前场地",
    "柿树坡",
    "石门地",
    "庙后地",
    "井台地",
    "长条地",
];

/// Writes the county as a GeoJSON FeatureCollection: the collectives first
/// (FBFBM, FBFMC, boundary), then their parcels (DKBM, DKMC, DKLB, TDYT, DLDJ,
/// SFJBNT, SCMJ). One feature a line, so a million parcels stream.
pub fn write_county(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "{{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (i, f) in features(plan).enumerate() {
        if i > 0 {
            writeln!(out, ",")?;
        }
        write!(out, "{f}")?;
    }
    writeln!(out, "\n]}}")
}

/// The county's features one by one: collectives, then parcels.
pub fn features(plan: &Plan) -> impl Iterator<Item = Value> + '_ {
    let n = plan.collectives();
    let collectives = (0..n).map(move |k| {
        let (cols, rows) = grid(plan, k);
        let (lon0, lat0) = origin(k);
        let ring = boundary(lon0, lat0, cols, rows, plan.seed ^ k);
        json!({"type": "Feature",
               "properties": {"FBFBM": plan.collective_code(k), "FBFMC": format!("第{}村第一组", k + 1)},
               "geometry": {"type": "Polygon", "coordinates": [ring]}})
    });
    collectives.chain((0..n).flat_map(move |k| parcels_of(plan, k)))
}

/// Parcels in collective `k`, and the grid they fill.
fn grid(plan: &Plan, k: u64) -> (u64, u64) {
    let count = (plan.parcels - k * plan.per_collective).min(plan.per_collective);
    let cols = (count as f64).sqrt().ceil().max(1.0) as u64;
    (cols, count.div_ceil(cols))
}

/// Collectives sit side by side, 20 to a row.
fn origin(k: u64) -> (f64, f64) {
    let block_lon = 60.0 * CELL_LON * 1.2;
    let block_lat = 60.0 * CELL_LAT * 1.2;
    (
        113.0 + (k % 20) as f64 * block_lon,
        36.0 + (k / 20) as f64 * block_lat,
    )
}

/// The village boundary: the grid's extent and a margin, with a few
/// outward bumps so it is not a plain rectangle.
fn boundary(lon0: f64, lat0: f64, cols: u64, rows: u64, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = Rng(seed);
    let (w, s) = (lon0 - MARGIN * CELL_LON, lat0 - MARGIN * CELL_LAT);
    let (e, n) = (
        lon0 + (cols as f64 + MARGIN) * CELL_LON,
        lat0 + (rows as f64 + MARGIN) * CELL_LAT,
    );
    let bump = |rng: &mut Rng| 0.3 + rng.unit() * 0.9;
    let r = |x: f64| (x * 1e7).round() / 1e7;
    let mut ring = vec![[r(w), r(s)]];
    ring.push([r((w + e) / 2.0), r(s - bump(&mut rng) * CELL_LAT)]);
    ring.push([r(e), r(s)]);
    ring.push([r(e + bump(&mut rng) * CELL_LON), r((s + n) / 2.0)]);
    ring.push([r(e), r(n)]);
    ring.push([r((w + e) / 2.0), r(n + bump(&mut rng) * CELL_LAT)]);
    ring.push([r(w), r(n)]);
    ring.push([r(w - bump(&mut rng) * CELL_LON), r((s + n) / 2.0)]);
    ring.push([r(w), r(s)]);
    ring
}

/// The grid corner (i, j) of collective `k`: shared by the four parcels
/// around it, jittered up to 15% of a cell (inner corners only).
fn corner(plan: &Plan, k: u64, i: u64, j: u64, cols: u64, rows: u64) -> [f64; 2] {
    let (lon0, lat0) = origin(k);
    let mut rng = Rng(plan.seed ^ (k << 40) ^ (i << 20) ^ j);
    let inner = i > 0 && j > 0 && i < cols && j < rows;
    let (dx, dy) = if inner {
        ((rng.unit() - 0.5) * 0.3, (rng.unit() - 0.5) * 0.3)
    } else {
        (0.0, 0.0)
    };
    let r = |x: f64| (x * 1e8).round() / 1e8;
    [
        r(lon0 + (i as f64 + dx) * CELL_LON),
        r(lat0 + (j as f64 + dy) * CELL_LAT),
    ]
}

fn parcels_of(plan: &Plan, k: u64) -> impl Iterator<Item = Value> + '_ {
    let (cols, rows) = grid(plan, k);
    let count = (plan.parcels - k * plan.per_collective).min(plan.per_collective);
    let code = plan.collective_code(k);
    (0..count).map(move |s| {
        let (i, j) = (s % cols, s / cols);
        let c = |a, b| corner(plan, k, a, b, cols, rows);
        let ring = vec![c(i, j), c(i + 1, j), c(i + 1, j + 1), c(i, j + 1), c(i, j)];
        let mut rng = Rng(plan.seed.wrapping_mul(31) ^ (k << 32) ^ s);
        let class = *rng.pick(&[("10", 90), ("21", 4), ("22", 3), ("23", 2), ("99", 1)]);
        let land_use = *rng.pick(&[("1", 85), ("2", 8), ("3", 4), ("4", 2), ("5", 1)]);
        let grade = format!("{:02}", 1 + rng.pick(&[(2u64, 10), (3, 20), (4, 25), (5, 20), (6, 15), (7, 10)]));
        let basic = if rng.unit() < 0.7 { "1" } else { "2" };
        // The surveyed area: within 0.2 % of the geodesic area, except one
        // survey in fifty, off by 3 to 6 %, as old surveys are.
        let geometry = json!({"type": "Polygon", "coordinates": [ring]});
        let area = crate::spatial::footprint(&geometry, "geometry").expect("a valid cell").area.as_m2_f64();
        let off = if rng.unit() < 0.02 {
            (0.03 + rng.unit() * 0.03) * if rng.unit() < 0.5 { -1.0 } else { 1.0 }
        } else {
            (rng.unit() - 0.5) * 0.004
        };
        let declared = area * (1.0 + off);
        json!({"type": "Feature",
               "properties": {
                   "DKBM": format!("{code}{:05}", s + 1),
                   "DKMC": format!("{}{}号", NAMES[(rng.next() % NAMES.len() as u64) as usize], s % 40 + 1),
                   "DKLB": class, "TDYT": land_use, "DLDJ": grade, "SFJBNT": basic,
                   "SCMJ": format!("{declared:.2}")},
               "geometry": geometry})
    })
}

/// A demo household: its persons (with relation to the head), the parcels
/// it is to contract, and the plot of its homestead.
#[derive(Clone)]
pub struct DemoHousehold {
    pub code: String,
    pub persons: Vec<(crate::model::person::PersonRecord, &'static str)>,
    pub parcels: Vec<String>,
    pub homestead: Value,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "桂兰", "志强", "海燕", "小明", "丽", "伟", "芳", "军", "敏", "静", "磊", "洋",
    "艳", "勇", "杰", "娟", "涛", "超",
];

/// A synthetic resident ID number (GB 11643) of the demo county: valid
/// check character, unique within the demo.
fn id_number(
    rng: &mut Rng,
    year: u64,
    male: bool,
    seen: &mut std::collections::HashSet<String>,
) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    loop {
        let (month, day) = (rng.next() % 12 + 1, rng.next() % 28 + 1);
        let mut seq = rng.next() % 500 * 2;
        if male {
            seq += 1;
        }
        let body = format!("140421{year:04}{month:02}{day:02}{seq:03}");
        let sum: u32 = body
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let id = format!("{body}{}", CHECK[(sum % 11) as usize] as char);
        if seen.insert(id.clone()) {
            return id;
        }
    }
}

/// The demo's households: `per_collective` in each collective of `plan`,
/// with 1 to 6 persons, the collective's agricultural parcels shared out,
/// and a homestead plot in the village's southern margin.
pub fn households(plan: &Plan, per_collective: u64) -> Vec<DemoHousehold> {
    use base64::Engine;
    let mut rng = Rng(plan.seed ^ 0x486f_7573_6568_6f6c);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for k in 0..plan.collectives() {
        let collective = plan.collective_code(k);
        let land: Vec<String> = parcels_of(plan, k)
            .filter(|f| f["properties"]["TDYT"] != "5")
            .map(|f| f["properties"]["DKBM"].as_str().expect("DKBM").to_owned())
            .collect();
        let (lon0, lat0) = origin(k);
        for h in 0..per_collective {
            let surname = SURNAMES[(rng.next() % SURNAMES.len() as u64) as usize];
            let mut person =
                |rng: &mut Rng, year: u64, male: bool, relation: &'static str, surname: &str| {
                    let salt: Vec<u8> = (0..16).map(|_| rng.next() as u8).collect();
                    let given = GIVEN[(rng.next() % GIVEN.len() as u64) as usize];
                    let record = crate::model::person::PersonRecord {
                        salt: base64::engine::general_purpose::STANDARD.encode(salt),
                        name: format!("{surname}{given}"),
                        id_number: id_number(rng, year, male, &mut seen),
                        phone: None,
                    };
                    (record, relation)
                };
            let head_year = 1945 + rng.next() % 40;
            let mut persons = vec![person(&mut rng, head_year, true, "02", surname)];
            if rng.unit() < 0.85 {
                let other = SURNAMES[(rng.next() % SURNAMES.len() as u64) as usize];
                let year = head_year + rng.next() % 5;
                persons.push(person(&mut rng, year, false, "10", other));
            }
            for _ in 0..rng.next() % 4 {
                let son = rng.unit() < 0.5;
                let year = (head_year + 22 + rng.next() % 15).min(2020);
                persons.push(person(
                    &mut rng,
                    year,
                    son,
                    if son { "20" } else { "30" },
                    surname,
                ));
            }
            let share = |i: u64| (land.len() as u64 * i / per_collective) as usize;
            let parcels = land[share(h)..share(h + 1)].to_vec();
            let (row, col) = (h / 40, h % 40);
            let (lon, lat) = (
                lon0 + col as f64 * 0.000_165,
                lat0 - 0.000_25 - row as f64 * 0.000_3,
            );
            let r = |x: f64| (x * 1e8).round() / 1e8;
            let plot = [
                [lon, lat],
                [lon + 0.000_11, lat],
                [lon + 0.000_11, lat + 0.0001],
                [lon, lat + 0.0001],
                [lon, lat],
            ]
            .map(|[a, b]| [r(a), r(b)]);
            out.push(DemoHousehold {
                code: format!("{collective}{:04}", h + 1),
                persons,
                parcels,
                homestead: json!({"type": "Polygon", "coordinates": [plot]}),
            });
        }
    }
    out
}

/// The county as a NY/T 2539 package (`sanquan generate --package`): the
/// groups' boundaries and the parcels as shapefiles in the Gauss–Krüger
/// zone `epsg`, and the ownership tables — FBF, CBF with its members in
/// CBF_JTCY (about one household to six parcels), CBHT and CBDKXX (each
/// household's contract over its share of the farmland, 2018–2047), CBJYQZ
/// (a certificate for each) — as GBK `.dbf` files.
pub fn write_package(
    plan: &Plan,
    dir: &std::path::Path,
    epsg: u32,
) -> Result<Vec<std::path::PathBuf>, super::CliError> {
    use crate::registry::package::Contents;
    use crate::spatial::shapefile::Attribute;
    let crs = crate::spatial::crs::Crs::of_epsg(epsg).ok_or_else(|| {
        super::CliError::Usage(format!(
            "EPSG:{epsg} is not CGCS2000 (4490) or one of its Gauss–Krüger zones (4491–4554)"
        ))
    })?;
    let t = |s: &str| Attribute::Text(s.to_owned());
    let mut contents = Contents::default();
    let per_collective = (plan.per_collective / 6).max(1);
    let households = households(plan, per_collective);
    let holder: std::collections::HashMap<&str, &str> = households
        .iter()
        .flat_map(|h| {
            h.parcels
                .iter()
                .map(move |p| (p.as_str(), h.persons[0].0.name.as_str()))
        })
        .collect();
    let mut boxes = Vec::new();
    let mut names = Vec::new();
    for f in features(plan) {
        let p = &f["properties"];
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
        if p.get("FBFBM").is_some() {
            contents
                .collectives
                .push((text("FBFBM"), text("FBFMC"), f["geometry"].clone()));
            continue;
        }
        let declared: rust_decimal::Decimal = text("SCMJ").parse().unwrap_or_default();
        let mu = (declared * rust_decimal::Decimal::new(15, 4)).round_dp(2);
        let row = vec![
            t(&text("DKBM")),
            t(&text("DKMC")),
            t(&text("DKLB")),
            t(&text("TDYT")),
            t(&text("DLDJ")),
            t(&text("SFJBNT")),
            Attribute::Number(text("SCMJ")),
            Attribute::Number(mu.to_string()),
            Attribute::Null,
            Attribute::Null,
            Attribute::Null,
            Attribute::Null,
        ];
        let ring = crate::registry::package::polygons_of(&f["geometry"]);
        let b =
            crate::spatial::shapefile::bbox(ring.iter().flatten().flatten()).unwrap_or([0.0; 4]);
        boxes.push((text("DKBM"), b));
        names.push(text("DKMC"));
        contents.parcels.push((row, f["geometry"].clone()));
    }
    // 四至 as a surveyor writes them: the neighbouring holder's name, the
    // neighbouring parcel's where no one holds it, a road at the edge.
    let by_code: std::collections::HashMap<&str, usize> = boxes
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.as_str(), i))
        .collect();
    for (i, n) in crate::spatial::all_neighbours(&boxes)
        .into_iter()
        .enumerate()
    {
        // East, south, west, north into DKDZ, DKNZ, DKXZ, DKBZ.
        for (side, column) in n.sides().into_iter().zip([8, 10, 9, 11]) {
            let word = match side {
                Some(code) => holder
                    .get(code)
                    .map(|h| (*h).to_owned())
                    .unwrap_or_else(|| names[by_code[code]].clone()),
                None => "道路".to_owned(),
            };
            contents.parcels[i].0[column] = t(&word);
        }
    }
    for h in households {
        let collective = crate::model::codes::collective_of(&h.code).to_owned();
        let head = &h.persons[0].0;
        contents.households.push(vec![
            t(&h.code),
            t("1"),
            t(&head.name),
            t("1"),
            t(&head.id_number),
            Attribute::Number(h.persons.len().to_string()),
        ]);
        for (person, relation) in &h.persons {
            contents.members.push(vec![
                t(&h.code),
                t(&person.name),
                t("1"),
                t(&person.id_number),
                t(relation),
                t("1"),
            ]);
        }
        if h.parcels.is_empty() {
            continue;
        }
        let contract = format!("{}J", h.code);
        contents.contracts.push(vec![
            t(&contract),
            t(&collective),
            t(&h.code),
            t("110"),
            Attribute::Date("20180101".into()),
            Attribute::Date("20471231".into()),
            Attribute::Number(h.parcels.len().to_string()),
        ]);
        for parcel in &h.parcels {
            contents.contract_parcels.push(vec![
                t(parcel),
                t(&collective),
                t(&h.code),
                t(&contract),
                t(&contract),
            ]);
        }
        contents.certificates.push(vec![
            t(&contract),
            t(&format!("{}人民政府", plan.county)),
            Attribute::Date("20190630".into()),
        ]);
    }
    contents
        .write(dir, &plan.county, 2019, crs)
        .map_err(|e| super::CliError::Usage(format!("{e} — {}", e.why_zh)))
}

/// A comb-shaped ring of `teeth` teeth (four positions each, ~7 cm wide) in
/// the south of the demo's first village; with `crossed`, its closing edge
/// runs back through every tooth, so it meets itself `teeth` times. The
/// hostile geometry of the benchmarks and tests: the worst shape for a
/// validator that tests pairs of edges.
pub fn comb(teeth: usize, crossed: bool) -> serde_json::Value {
    let (x0, y0, w, h) = (113.0001, 36.0001, 0.000_000_8, 0.0002);
    let mut ring = vec![[x0, y0]];
    for i in 0..teeth {
        let x = x0 + i as f64 * 2.0 * w;
        ring.extend([
            [x + w, y0],
            [x + w, y0 + h],
            [x + 2.0 * w, y0 + h],
            [x + 2.0 * w, y0],
        ]);
    }
    ring.push([x0 + teeth as f64 * 2.0 * w + w, y0 - 0.00005]);
    ring.push(if crossed {
        [x0 - w, y0 + h / 2.0]
    } else {
        [x0, y0 - 0.00005]
    });
    ring.push([x0, y0]);
    serde_json::json!({"type": "Polygon", "coordinates": [ring]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_county_is_what_geodata_holds() {
        let mut out = Vec::new();
        write_county(&Plan::demo(), &mut out).unwrap();
        let committed = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/geodata/demo-county.geojson"
        ))
        .unwrap();
        assert!(out == committed, "geodata/demo-county.geojson is not what the generator makes: run `sanquan generate --demo --out geodata/demo-county.geojson`");
    }

    #[test]
    fn generated_parcels_are_valid_and_tile_without_overlap() {
        let plan = Plan {
            county: "140421".into(),
            parcels: 230,
            per_collective: 100,
            seed: 1,
        };
        let mut out = Vec::new();
        write_county(&plan, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), 3 + 230);
        let mut index = crate::spatial::ParcelIndex::new();
        use crate::model::Land;
        for f in features {
            let fp = crate::spatial::footprint(&f["geometry"], "g").unwrap();
            if let Some(code) = f["properties"]["DKBM"].as_str() {
                assert!(
                    index
                        .collisions(&fp, crate::model::Area::ZERO)
                        .iter()
                        .all(|c| c.overlap.0 < 100),
                    "{code}"
                );
                assert_eq!(
                    index.outside(crate::model::codes::collective_of(code), &fp),
                    crate::model::Area::ZERO,
                    "{code}"
                );
                index.add_parcel(code, fp.shape.clone());
            } else {
                index.add_boundary(
                    f["properties"]["FBFBM"].as_str().unwrap().to_owned(),
                    fp.shape.clone(),
                );
            }
        }
        assert_eq!(index.len(), 230);
    }
}
