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
    fn sizhi(&self, parcel: &str) -> Vec<String>;
    fn apply(&mut self, change: &super::Change);
}

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
    fn sizhi(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn apply(&mut self, _: &super::Change) {}
}

fn rings_json(p: &geo_types::Polygon<f64>) -> serde_json::Value {
    let ring = |l: &geo_types::LineString<f64>| {
        serde_json::Value::from(
            l.0.iter()
                .map(|c| serde_json::Value::from(vec![c.x, c.y]))
                .collect::<Vec<_>>(),
        )
    };
    serde_json::Value::from(
        std::iter::once(ring(p.exterior()))
            .chain(p.interiors().iter().map(ring))
            .collect::<Vec<_>>(),
    )
}

/// A normalised geometry as GeoJSON text: a Polygon where `single` and it
/// has one part, else a MultiPolygon (RFC 7946 ring orientation as given).
pub fn to_geojson(shape: &geo_types::MultiPolygon<f64>, single: bool) -> String {
    let value = if single && shape.0.len() == 1 {
        serde_json::json!({"type": "Polygon", "coordinates": rings_json(&shape.0[0])})
    } else {
        serde_json::json!({"type": "MultiPolygon", "coordinates": shape.0.iter().map(rings_json).collect::<Vec<_>>()})
    };
    value.to_string()
}

