//! GeoJSON to a validated, oriented [`Footprint`] with its geodesic area.

use std::sync::Arc;

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::orient::{Direction, Orient};
use geo::{BooleanOps, Coord, GeodesicArea, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::GeometryError;
use crate::model::{Area, Footprint};

/// Validates a GeoJSON Polygon or MultiPolygon found at `field`, and measures it.
pub fn footprint(geometry: &Value, field: &str) -> Result<Footprint, GeometryError> {
    let bad = |path: String, reason| GeometryError::BadGeoJson { path, reason };
    let kind = geometry.get("type").and_then(Value::as_str);
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| bad(format!("{field}.coordinates"), "missing"))?;
    let path = format!("{field}.coordinates");
    let (polygons, single) = match kind {
        Some("Polygon") => (vec![polygon(coords, &path)?], true),
        Some("MultiPolygon") => {
            let parts = coords
                .as_array()
                .ok_or_else(|| bad(path.clone(), "must be an array"))?;
            if parts.is_empty() {
                return Err(bad(path, "a MultiPolygon needs at least one polygon"));
            }
            let polygons = parts
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            (polygons, false)
        }
        _ => {
            return Err(bad(
                format!("{field}.type"),
                "must be Polygon or MultiPolygon",
            ))
        }
    };
    if !single {
        check_parts_disjoint(&polygons, &path)?;
    }
    let shape = MultiPolygon(polygons);
    let area = Area::from_m2(shape.geodesic_area_unsigned());
    if area == Area::ZERO {
        return Err(GeometryError::ZeroArea { path });
    }
    let bbox = bbox_of(&shape);
    let geojson = to_geojson(&shape, single);
    Ok(Footprint {
        area,
        bbox,
        shape: Arc::new(shape),
        geojson,
    })
}

fn polygon(v: &Value, path: &str) -> Result<Polygon, GeometryError> {
    let rings = v.as_array().ok_or_else(|| GeometryError::BadGeoJson {
        path: path.to_owned(),
        reason: "a polygon is an array of rings",
    })?;
    if rings.is_empty() {
        return Err(GeometryError::BadGeoJson {
            path: path.to_owned(),
            reason: "a polygon needs its outer ring",
        });
    }
    let mut parsed = Vec::with_capacity(rings.len());
    for (i, r) in rings.iter().enumerate() {
        parsed.push(ring(r, &format!("{path}[{i}]"))?);
    }
    let shell = parsed.remove(0);
    for (i, hole) in parsed.iter().enumerate() {
        if !hole_inside(&shell, hole) {
            return Err(GeometryError::HoleOutsideShell {
                path: format!("{path}[{}]", i + 1),
            });
        }
    }
    let mut p = Polygon::new(shell, parsed);
    // RFC 7946: exterior rings counter-clockwise, holes clockwise.
    p = p.orient(Direction::Default);
    if Area::from_m2(p.geodesic_area_unsigned()) == Area::ZERO {
        return Err(GeometryError::ZeroArea {
            path: path.to_owned(),
        });
    }
    Ok(p)
}

fn position(v: &Value, path: String) -> Result<Coord, GeometryError> {
    let a =
        v.as_array()
            .filter(|a| (2..=3).contains(&a.len()))
            .ok_or(GeometryError::BadGeoJson {
                path: path.clone(),
                reason: "a position is [longitude, latitude]",
            })?;
    let (Some(x), Some(y)) = (a[0].as_f64(), a[1].as_f64()) else {
        return Err(GeometryError::BadGeoJson {
            path,
            reason: "a position holds numbers",
        });
    };
    if !x.is_finite()
        || !y.is_finite()
        || !(-180.0..=180.0).contains(&x)
        || !(-90.0..=90.0).contains(&y)
    {
        return Err(GeometryError::OutOfRange { path });
    }
    Ok(Coord { x, y })
}

fn ring(v: &Value, path: &str) -> Result<LineString, GeometryError> {
    let positions = v.as_array().ok_or_else(|| GeometryError::BadGeoJson {
        path: path.to_owned(),
        reason: "a ring is an array of positions",
    })?;
    let mut coords = Vec::with_capacity(positions.len());
    for (i, p) in positions.iter().enumerate() {
        coords.push(position(p, format!("{path}[{i}]"))?);
    }
    if coords.len() < 4 {
        return Err(GeometryError::RingTooShort {
            path: path.to_owned(),
        });
    }
    if coords.first() != coords.last() {
        return Err(GeometryError::RingNotClosed {
            path: path.to_owned(),
        });
    }
    // Repeated consecutive positions carry nothing; positions in errors still
    // count as given.
    let mut kept: Vec<(usize, Coord)> = Vec::with_capacity(coords.len());
    for (i, c) in coords.iter().enumerate() {
        if kept.last().map(|(_, k)| k) != Some(c) {
            kept.push((i, *c));
        }
    }
    if kept.len() < 4 {
        return Err(GeometryError::RingTooShort {
            path: path.to_owned(),
        });
    }
    if let Some((a, b)) = self_intersection(&kept) {
        return Err(GeometryError::SelfIntersection {
            path: path.to_owned(),
            first: a,
            second: b,
        });
    }
    Ok(LineString(kept.into_iter().map(|(_, c)| c).collect()))
}

fn orient(a: Coord, b: Coord, c: Coord) -> Orientation {
    RobustKernel::orient2d(a, b, c)
}

fn on_segment(a: Coord, b: Coord, p: Coord) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Whether segments ab and cd share any point.
pub(super) fn segments_touch(a: Coord, b: Coord, c: Coord, d: Coord) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    use Orientation::Collinear as C;
    (o1 != o2 && o3 != o4)
        || (o1 == C && on_segment(a, b, c))
        || (o2 == C && on_segment(a, b, d))
        || (o3 == C && on_segment(c, d, a))
        || (o4 == C && on_segment(c, d, b))
}

/// The first pair of ring positions whose segments meet where they should
/// not: non-adjacent segments that touch, or adjacent ones that fold back.
fn self_intersection(ring: &[(usize, Coord)]) -> Option<(usize, usize)> {
    let n = ring.len() - 1; // segments; the last position repeats the first
    let seg = |i: usize| (ring[i].1, ring[i + 1].1);
    for i in 0..n {
        let (a, b) = seg(i);
        // A spike: the next segment runs back along this one.
        let (_, c) = seg((i + 1) % n);
        if orient(a, b, c) == Orientation::Collinear {
            let back = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0.0;
            if back {
                return Some((ring[i].0, ring[(i + 2) % n].0));
            }
        }
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            let (c, d) = seg(j);
            if a.x.max(b.x) < c.x.min(d.x)
                || c.x.max(d.x) < a.x.min(b.x)
                || a.y.max(b.y) < c.y.min(d.y)
                || c.y.max(d.y) < a.y.min(b.y)
            {
                continue;
            }
            if segments_touch(a, b, c, d) {
                return Some((ring[i].0, ring[j].0));
            }
        }
    }
    None
}

/// A hole is inside its shell if no edges cross and one of its positions
/// lies inside the shell.
fn hole_inside(shell: &LineString, hole: &LineString) -> bool {
    for s in shell.lines() {
        for h in hole.lines() {
            let o1 = orient(s.start, s.end, h.start);
            let o2 = orient(s.start, s.end, h.end);
            let o3 = orient(h.start, h.end, s.start);
            let o4 = orient(h.start, h.end, s.end);
            use Orientation::Collinear as C;
            if o1 != o2 && o3 != o4 && [o1, o2, o3, o4].iter().all(|o| *o != C) {
                return false;
            }
        }
    }
    let shell_polygon = Polygon::new(shell.clone(), vec![]);
    hole.0.iter().any(|c| {
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        shell_polygon.coordinate_position(c) == CoordPos::Inside
    })
}

fn check_parts_disjoint(polygons: &[Polygon], path: &str) -> Result<(), GeometryError> {
    let boxes: Vec<[f64; 4]> = polygons
        .iter()
        .map(|p| bbox_of(&MultiPolygon(vec![p.clone()])))
        .collect();
    for i in 0..polygons.len() {
        for j in i + 1..polygons.len() {
            let (a, b) = (boxes[i], boxes[j]);
            if a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1] {
                continue;
            }
            let overlap = polygons[i].intersection(&polygons[j]);
            if Area::from_m2(overlap.geodesic_area_unsigned()) > Area::ZERO {
                return Err(GeometryError::PartsOverlap {
                    path: format!("{path}[{j}]"),
                });
            }
        }
    }
    Ok(())
}

pub(super) fn bbox_of(shape: &MultiPolygon) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in &shape.0 {
        for c in &p.exterior().0 {
            b[0] = b[0].min(c.x);
            b[1] = b[1].min(c.y);
            b[2] = b[2].max(c.x);
            b[3] = b[3].max(c.y);
        }
    }
    b
}

fn rings_json(p: &Polygon) -> Value {
    let ring = |l: &LineString| {
        Value::from(
            l.0.iter()
                .map(|c| Value::from(vec![c.x, c.y]))
                .collect::<Vec<_>>(),
        )
    };
    Value::from(
        std::iter::once(ring(p.exterior()))
            .chain(p.interiors().iter().map(ring))
            .collect::<Vec<_>>(),
    )
}

/// The normalised geometry as GeoJSON text.
pub fn to_geojson(shape: &MultiPolygon, single: bool) -> String {
    let value = if single && shape.0.len() == 1 {
        serde_json::json!({"type": "Polygon", "coordinates": rings_json(&shape.0[0])})
    } else {
        serde_json::json!({"type": "MultiPolygon", "coordinates": shape.0.iter().map(rings_json).collect::<Vec<_>>()})
    };
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Refusal;
    use serde_json::json;

    fn err(g: Value) -> (String, String) {
        let e = footprint(&g, "geometry").unwrap_err();
        (e.code().to_owned(), e.path().to_owned())
    }

    /// About 49.9 m × 60 m at latitude 36.19°.
    fn square() -> Value {
        json!({"type": "Polygon", "coordinates": [[[113.1042, 36.1875], [113.10475, 36.1875], [113.10475, 36.18804], [113.1042, 36.18804], [113.1042, 36.1875]]]})
    }

    #[test]
    fn measures_geodesic_area_in_m2_and_mu() {
        let fp = footprint(&square(), "geometry").unwrap();
        // Independent check: the planar area on the ellipsoid's local radii.
        let lat = 36.18777f64.to_radians();
        let (a, e2) = (6_378_137.0f64, 0.006_694_380_022_900_787f64);
        let w = (1.0 - e2 * lat.sin().powi(2)).sqrt();
        let (m, n) = (a * (1.0 - e2) / w.powi(3), a / w);
        let expected = (0.00055f64.to_radians() * n * lat.cos()) * (0.00054f64.to_radians() * m);
        let got = fp.area.as_m2_f64();
        assert!((got - expected).abs() < 0.05, "{got} vs {expected}");
        assert_eq!(fp.bbox, [113.1042, 36.1875, 113.10475, 36.18804]);
        assert!(fp
            .geojson
            .starts_with("{\"coordinates\":[[[113.1042,36.1875],[113.10475,36.1875]"));
    }

    #[test]
    fn normalises_ring_orientation() {
        // Given clockwise: the exterior comes back counter-clockwise.
        let cw = json!({"type": "Polygon", "coordinates": [[[113.1042, 36.1875], [113.1042, 36.18804], [113.10475, 36.18804], [113.10475, 36.1875], [113.1042, 36.1875]]]});
        let a = footprint(&cw, "g").unwrap();
        let b = footprint(&square(), "g").unwrap();
        assert_eq!(a.area, b.area);
        use geo::winding_order::Winding;
        assert!(a.shape.0[0].exterior().is_ccw());
    }

    #[test]
    fn refuses_bad_geometry_naming_the_part() {
        let p = |ring: Value| json!({"type": "Polygon", "coordinates": [ring]});
        assert_eq!(
            err(json!({"type": "Point", "coordinates": [1, 2]})),
            ("bad_geojson".into(), "geometry.type".into())
        );
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [113.2, 36.1],
                [113.2, 36.2],
                [113.1, 36.25]
            ]))),
            ("ring_not_closed".into(), "geometry.coordinates[0]".into())
        );
        assert_eq!(
            err(p(json!([[113.1, 36.1], [113.2, 36.1], [113.1, 36.1]]))),
            ("ring_too_short".into(), "geometry.coordinates[0]".into())
        );
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [113.2, 36.1],
                [113.2, 36.1],
                [113.1, 36.1]
            ]))),
            ("ring_too_short".into(), "geometry.coordinates[0]".into())
        );
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [213.2, 36.1],
                [113.2, 36.2],
                [113.1, 36.1]
            ]))),
            (
                "coordinate_out_of_range".into(),
                "geometry.coordinates[0][1]".into()
            )
        );
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                ["a", 36.1],
                [113.2, 36.2],
                [113.1, 36.1]
            ]))),
            ("bad_geojson".into(), "geometry.coordinates[0][1]".into())
        );
        // A bow tie.
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [113.2, 36.2],
                [113.2, 36.1],
                [113.1, 36.2],
                [113.1, 36.1]
            ]))),
            ("self_intersection".into(), "geometry.coordinates[0]".into())
        );
        // A spike that runs back along its own edge.
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [113.2, 36.1],
                [113.15, 36.1],
                [113.15, 36.2],
                [113.1, 36.1]
            ])))
            .0,
            "self_intersection"
        );
        // All positions on one line.
        assert_eq!(
            err(p(json!([
                [113.1, 36.1],
                [113.2, 36.1],
                [113.3, 36.1],
                [113.1, 36.1]
            ])))
            .0,
            "self_intersection"
        );
        // A hole outside its shell.
        let holed = json!({"type": "Polygon", "coordinates": [
            [[113.1, 36.1], [113.2, 36.1], [113.2, 36.2], [113.1, 36.2], [113.1, 36.1]],
            [[113.3, 36.3], [113.4, 36.3], [113.4, 36.4], [113.3, 36.3]]]});
        assert_eq!(
            err(holed),
            (
                "hole_outside_shell".into(),
                "geometry.coordinates[1]".into()
            )
        );
        // A hole inside is fine, and its area is taken out.
        let with_hole = json!({"type": "Polygon", "coordinates": [
            [[113.1, 36.1], [113.2, 36.1], [113.2, 36.2], [113.1, 36.2], [113.1, 36.1]],
            [[113.12, 36.12], [113.18, 36.12], [113.18, 36.18], [113.12, 36.18], [113.12, 36.12]]]});
        let whole = footprint(
            &p(json!([
                [113.1, 36.1],
                [113.2, 36.1],
                [113.2, 36.2],
                [113.1, 36.2],
                [113.1, 36.1]
            ])),
            "g",
        )
        .unwrap();
        assert!(footprint(&with_hole, "g").unwrap().area < whole.area);
        // Overlapping parts of a MultiPolygon.
        let multi = json!({"type": "MultiPolygon", "coordinates": [
            [[[113.1, 36.1], [113.2, 36.1], [113.2, 36.2], [113.1, 36.2], [113.1, 36.1]]],
            [[[113.15, 36.15], [113.25, 36.15], [113.25, 36.25], [113.15, 36.25], [113.15, 36.15]]]]});
        assert_eq!(
            err(multi),
            ("parts_overlap".into(), "geometry.coordinates[1]".into())
        );
    }
}
