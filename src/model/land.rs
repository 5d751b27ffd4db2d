//! Land: collectives' boundaries and parcels (地块), their attributes (C7) and
//! the spatial facts the rules need. The facts come from [`Land`], which the
//! `spatial` module implements; the rules only ask.

use std::sync::Arc;

use super::units::Area;

/// A validated, oriented geometry with its geodesic area (prepared by
/// `spatial` before the writer, in parallel).
#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    pub area: Area,
    /// min lon, min lat, max lon, max lat.
    pub bbox: [f64; 4],
    /// The positions given, as the body had them (bounded by the county's
    /// `max_vertices` for parcels and homesteads).
    pub vertices: usize,
    pub shape: Arc<geo_types::MultiPolygon<f64>>,
}

/// An active parcel a new geometry overlaps, and by how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub parcel: String,
    pub overlap: Area,
}

/// The spatial registry as the rules see it: active parcels and collectives'
/// boundaries. Kept in step with the state through [`Land::apply`].
pub trait Land: Send {
    /// Active parcels that `fp` overlaps by more than `tolerance`.
    fn collisions(&self, fp: &Footprint, tolerance: Area) -> Vec<Collision>;
    /// How much of `fp` lies outside the boundary of `collective`.
    fn outside(&self, collective: &str, fp: &Footprint) -> Area;
    /// The geodesic area two geometries share.
    fn overlap(&self, a: &Footprint, b: &Footprint) -> Area;
    /// The parcels named as the 四至 of active parcel `parcel` (its nearest
    /// neighbour east, south, west and north).
    fn sizhi(&self, parcel: &str) -> Sizhi;
    fn apply(&mut self, change: &super::Change);
}

/// 四至: the nearest active parcel to the east, south, west and north, in
/// that order (`SIZHI_SIDES`).
pub type Sizhi = [Option<String>; 4];

/// The sides of a [`Sizhi`], as a document names them.
pub const SIZHI_SIDES: [&str; 4] = ["东", "南", "西", "北"];

/// 地块类别 (C7).
pub const PARCEL_CLASSES: &[&str] = &["10", "21", "22", "23", "99"];
/// 土地用途 (C7): crops, forestry, livestock, fishery, non-agricultural.
pub const LAND_USES: &[&str] = &["1", "2", "3", "4", "5"];

/// A declared area (SCMJ) that differs from the computed one by more than
/// this share is worth a warning, not a refusal.
pub fn declared_area_differs(declared: Area, computed: Area) -> bool {
    let diff = (declared.0 - computed.0).unsigned_abs() as u128;
    diff * 100 > computed.0.unsigned_abs() as u128
}

/// No parcels and no boundaries: for rules that need no geometry, and tests.
pub struct NoLand;

impl Land for NoLand {
    fn collisions(&self, _: &Footprint, _: Area) -> Vec<Collision> {
        Vec::new()
    }
    fn outside(&self, _: &str, _: &Footprint) -> Area {
        Area::ZERO
    }
    fn overlap(&self, _: &Footprint, _: &Footprint) -> Area {
        Area::ZERO
    }
    fn sizhi(&self, _: &str) -> Sizhi {
        Sizhi::default()
    }
    fn apply(&mut self, _: &super::Change) {}
}

/// A normalised geometry as GeoJSON text: a Polygon where `single` and it
/// has one part, else a MultiPolygon (RFC 7946 ring orientation as given).
/// Written straight into the text — the writer makes one per parcel it
/// stores — with each number as serde_json writes it.
pub fn to_geojson(shape: &geo_types::MultiPolygon<f64>, single: bool) -> String {
    let positions: usize = shape
        .0
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    let mut out = String::with_capacity(64 + positions * 40);
    let mut numbers = ryu::Buffer::new();
    let mut number = |out: &mut String, x: f64| {
        out.push_str(if x.is_finite() {
            numbers.format_finite(x)
        } else {
            "null"
        })
    };
    let mut polygon = |out: &mut String, p: &geo_types::Polygon<f64>| {
        out.push('[');
        for (i, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            out.push_str(if i == 0 { "[" } else { ",[" });
            for (j, c) in ring.0.iter().enumerate() {
                out.push_str(if j == 0 { "[" } else { ",[" });
                number(out, c.x);
                out.push(',');
                number(out, c.y);
                out.push(']');
            }
            out.push(']');
        }
        out.push(']');
    };
    out.push_str("{\"coordinates\":");
    let kind = if single && shape.0.len() == 1 {
        polygon(&mut out, &shape.0[0]);
        "Polygon"
    } else {
        out.push('[');
        for (i, p) in shape.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            polygon(&mut out, p);
        }
        out.push(']');
        "MultiPolygon"
    };
    out.push_str(",\"type\":\"");
    out.push_str(kind);
    out.push_str("\"}");
    out
}

/// C2: the terms (in whole years) a land use (土地用途) allows a land
/// contract, and the rule in words; `None` for land that is not contracted
/// (non-agricultural).
pub fn contract_terms(land_use: &str) -> Option<(std::ops::RangeInclusive<u32>, &'static str)> {
    match land_use {
        "1" | "4" => Some((30..=30, "arable land: 30 years")),
        "3" => Some((30..=50, "grassland: 30 to 50 years")),
        "2" => Some((30..=70, "forest land: 30 to 70 years")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::to_geojson;
    use geo_types::{LineString, MultiPolygon, Polygon};

    /// The text is what serde_json makes of the same geometry, number for
    /// number, for one part and for several with holes.
    #[test]
    fn geojson_text_is_serde_jsons() {
        let ring = |pts: &[(f64, f64)]| LineString::from(pts.to_vec());
        let square = Polygon::new(
            ring(&[
                (113.0, 36.1875),
                (113.10475, 36.1875),
                (113.10475, 36.18804),
                (113.0, 36.1875),
            ]),
            vec![ring(&[
                (113.01, 36.18751),
                (113.02, 36.18751),
                (113.02, 36.187511),
                (113.01, 36.18751),
            ])],
        );
        let other = Polygon::new(
            ring(&[(1e-7, -0.5), (2.5, 0.1), (2.0, 3.0), (1e-7, -0.5)]),
            vec![],
        );
        let rings = |p: &Polygon| -> Vec<Vec<[f64; 2]>> {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                .collect()
        };
        let one = MultiPolygon(vec![square.clone()]);
        assert_eq!(
            to_geojson(&one, true),
            serde_json::json!({"type": "Polygon", "coordinates": rings(&square)}).to_string()
        );
        let two = MultiPolygon(vec![square.clone(), other.clone()]);
        for single in [true, false] {
            assert_eq!(
                to_geojson(&two, single),
                serde_json::json!({"type": "MultiPolygon", "coordinates": [rings(&square), rings(&other)]}).to_string()
            );
        }
        assert!(to_geojson(&one, false).ends_with(",\"type\":\"MultiPolygon\"}"));
    }
}
