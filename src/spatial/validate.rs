//! GeoJSON to a validated, oriented [`Footprint`] with its geodesic area.

use std::sync::Arc;

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::orient::{Direction, Orient};
use geo::{Coord, GeodesicArea, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::sweep::{first_meeting, Edge};
use super::GeometryError;
use crate::model::settings::MAX_VERTICES;
use crate::model::{Area, Footprint};

/// The most rings (shells and holes) one geometry may have.
pub const MAX_RINGS: usize = 1_000;

/// Validates a GeoJSON Polygon or MultiPolygon found at `field`, and measures
/// it. The work is bounded before it starts: positions beyond
/// [`MAX_VERTICES`] or rings beyond [`MAX_RINGS`] are refused unread, and
/// every test after that costs O(n log n) in the positions (one sweep for all
/// edges of all rings; see `sweep`).
pub fn footprint(geometry: &Value, field: &str) -> Result<Footprint, GeometryError> {
    let bad = |path: String, reason| GeometryError::BadGeoJson { path, reason };
    let kind = geometry.get("type").and_then(Value::as_str);
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| bad(format!("{field}.coordinates"), "missing"))?;
    let path = format!("{field}.coordinates");
    let parts: Vec<(&Value, String)> = match kind {
        Some("Polygon") => vec![(coords, path.clone())],
        Some("MultiPolygon") => {
            let parts = coords
                .as_array()
                .ok_or_else(|| bad(path.clone(), "must be an array"))?;
            if parts.is_empty() {
                return Err(bad(path, "a MultiPolygon needs at least one polygon"));
            }
            parts
                .iter()
                .enumerate()
                .map(|(i, p)| (p, format!("{path}[{i}]")))
                .collect()
        }
        _ => {
            return Err(bad(
                format!("{field}.type"),
                "must be Polygon or MultiPolygon",
            ))
        }
    };
    let (rings, positions) = parts.iter().fold((0usize, 0usize), |(r, n), (p, _)| {
        let rings = p.as_array().map(Vec::as_slice).unwrap_or_default();
        let n = n + rings
            .iter()
            .map(|r| r.as_array().map_or(0, Vec::len))
            .sum::<usize>();
        (r + rings.len(), n)
    });
    if positions > MAX_VERTICES as usize || rings > MAX_RINGS {
        return Err(GeometryError::TooManyVertices {
            path,
            positions,
            rings,
        });
    }
    let polygons = parts
        .iter()
        .map(|(p, path)| polygon_rings(p, path))
        .collect::<Result<Vec<_>, _>>()?;
    check_edges(&polygons)?;
    check_nesting(&polygons)?;
    let mut shapes = Vec::with_capacity(polygons.len());
    for (rings, path) in polygons {
        let mut rings = rings.into_iter().map(|r| r.line);
        let shell = rings.next().expect("a polygon has its shell");
        // RFC 7946: exterior rings counter-clockwise, holes clockwise.
        let p = Polygon::new(shell, rings.collect()).orient(Direction::Default);
        if Area::from_m2(p.geodesic_area_unsigned()) == Area::ZERO {
            return Err(GeometryError::ZeroArea { path });
        }
        shapes.push(p);
    }
    let shape = MultiPolygon(shapes);
    let area = Area::from_m2(shape.geodesic_area_unsigned());
    if area == Area::ZERO {
        return Err(GeometryError::ZeroArea { path });
    }
    let bbox = bbox_of(&shape);
    Ok(Footprint {
        area,
        bbox,
        vertices: positions,
        shape: Arc::new(shape),
    })
}

/// A ring as given: its positions without repeats, each with its index in
/// the body (for errors), and the path that names it.
struct Ring {
    line: LineString,
    at: Vec<usize>,
    path: String,
}

/// A polygon's rings, shell first, with the polygon's path.
type Rings = (Vec<Ring>, String);

fn polygon_rings(v: &Value, path: &str) -> Result<Rings, GeometryError> {
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
    let rings = rings
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{path}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rings, path.to_owned()))
}

/// No two edges of any rings share a point, except edges that follow each
/// other in one ring: a ring does not meet itself, a hole does not meet its
/// shell or another hole, and the polygons of a MultiPolygon do not meet.
fn check_edges(polygons: &[Rings]) -> Result<(), GeometryError> {
    let all: Vec<(&Ring, usize)> = polygons
        .iter()
        .enumerate()
        .flat_map(|(p, (rings, _))| rings.iter().map(move |r| (r, p)))
        .collect();
    let mut edges = Vec::new();
    for (r, (ring, _)) in all.iter().enumerate() {
        let c = &ring.line.0;
        let of = (c.len() - 1) as u32;
        for i in 0..c.len() - 1 {
            edges.push(Edge {
                from: c[i],
                to: c[i + 1],
                ring: r as u32,
                at: i as u32,
                of,
            });
        }
    }
    let Some((i, j)) = first_meeting(&edges) else {
        return Ok(());
    };
    let (a, b) = (&edges[i], &edges[j]);
    let ((ring_a, poly_a), (ring_b, poly_b)) = (all[a.ring as usize], all[b.ring as usize]);
    Err(if a.ring == b.ring {
        GeometryError::SelfIntersection {
            path: ring_a.path.clone(),
            first: ring_a.at[a.at as usize],
            second: ring_a.at[b.at as usize],
        }
    } else if poly_a == poly_b {
        GeometryError::HoleOutsideShell {
            path: ring_b.path.clone(),
        }
    } else {
        GeometryError::PartsOverlap {
            path: polygons[poly_b].1.clone(),
        }
    })
}

/// With no edges meeting, a ring lies wholly inside or wholly outside any
/// other, and one position tells which: each hole lies inside its shell and
/// outside the other holes, and no polygon lies inside another (but in one
/// of its holes).
fn check_nesting(polygons: &[Rings]) -> Result<(), GeometryError> {
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    let inside = |outer: &Ring, inner: &Ring| {
        let (o, i) = (ring_box(&outer.line), ring_box(&inner.line));
        o[0] <= i[0]
            && o[1] <= i[1]
            && o[2] >= i[2]
            && o[3] >= i[3]
            && Polygon::new(outer.line.clone(), vec![]).coordinate_position(&inner.line.0[0])
                == CoordPos::Inside
    };
    for (rings, _) in polygons {
        let shell = &rings[0];
        for (h, hole) in rings.iter().enumerate().skip(1) {
            let nested = rings[1..]
                .iter()
                .enumerate()
                .any(|(o, other)| o + 1 != h && inside(other, hole));
            if !inside(shell, hole) || nested {
                return Err(GeometryError::HoleOutsideShell {
                    path: hole.path.clone(),
                });
            }
        }
    }
    for (a, (rings_a, _)) in polygons.iter().enumerate() {
        for (b, (rings_b, path_b)) in polygons.iter().enumerate() {
            if a != b
                && inside(&rings_a[0], &rings_b[0])
                && !rings_a[1..].iter().any(|hole| inside(hole, &rings_b[0]))
            {
                return Err(GeometryError::PartsOverlap {
                    path: path_b.clone(),
                });
            }
        }
    }
    Ok(())
}

fn ring_box(line: &LineString) -> [f64; 4] {
    line.0.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
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

fn ring(v: &Value, path: &str) -> Result<Ring, GeometryError> {
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
    if let Some((a, b)) = spike(&kept) {
        return Err(GeometryError::SelfIntersection {
            path: path.to_owned(),
            first: a,
            second: b,
        });
    }
    Ok(Ring {
        at: kept.iter().map(|(i, _)| *i).collect(),
        line: LineString(kept.into_iter().map(|(_, c)| c).collect()),
        path: path.to_owned(),
    })
}

/// Adjacent edges that fold back along each other (a spike): the sweep does
/// not test edges that follow each other, so this does, in one pass.
fn spike(ring: &[(usize, Coord)]) -> Option<(usize, usize)> {
    let n = ring.len() - 1; // edges; the last position repeats the first
    (0..n).find_map(|i| {
        let (a, b, c) = (ring[i].1, ring[i + 1].1, ring[(i + 2) % n].1);
        let back = RobustKernel::orient2d(a, b, c) == Orientation::Collinear
            && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0.0;
        back.then(|| (ring[i].0, ring[(i + 2) % n].0))
    })
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
        assert!(crate::model::land::to_geojson(&fp.shape, true)
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
