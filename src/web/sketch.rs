//! The 地块示意图 a certificate prints (issue 18): its parcels' outlines drawn
//! from their geometry, each numbered as in the certificate's table, north
//! up, in an SVG that prints at any size.

/// The outer rings of a GeoJSON Polygon or MultiPolygon, in degrees.
fn rings(geojson: &str) -> Vec<Vec<[f64; 2]>> {
    let v: serde_json::Value = serde_json::from_str(geojson).unwrap_or_default();
    let ring = |r: &serde_json::Value| -> Vec<[f64; 2]> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                    .collect()
            })
            .unwrap_or_default()
    };
    match v["type"].as_str() {
        Some("Polygon") => v["coordinates"].get(0).map(ring).into_iter().collect(),
        Some("MultiPolygon") => v["coordinates"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p.get(0)).map(ring).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The sketch of `parcels` (number, GeoJSON geometry) as SVG markup: the
/// outlines scaled to fit, on the local plane (east scaled by the cosine of
/// the latitude), each labelled by its number at its centre.
pub fn svg(parcels: &[(usize, String)]) -> String {
    let shapes: Vec<(usize, Vec<Vec<[f64; 2]>>)> =
        parcels.iter().map(|(n, g)| (*n, rings(g))).collect();
    let all: Vec<[f64; 2]> = shapes
        .iter()
        .flat_map(|(_, rs)| rs.iter().flatten().copied())
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for [x, y] in &all {
        (x0, y0, x1, y1) = (x0.min(*x), y0.min(*y), x1.max(*x), y1.max(*y));
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let (w, h) = (((x1 - x0) * k).max(1e-9), (y1 - y0).max(1e-9));
    let (width, height, margin) = (300.0, 200.0, 12.0);
    let scale = ((width - 2.0 * margin) / w).min((height - 2.0 * margin) / h);
    let at = |[x, y]: [f64; 2]| {
        (
            margin + (x - x0) * k * scale,
            height - margin - (y - y0) * scale,
        )
    };
    let mut out = format!(
        r##"<svg class="sketch" viewBox="0 0 {width} {height}" role="img" aria-label="地块示意图" xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="{height}" fill="#fff" stroke="#999"/><text x="{}" y="16" font-size="11" text-anchor="end">北 ↑</text>"##,
        width - 6.0
    );
    for (n, rs) in &shapes {
        let mut cx = 0.0;
        let mut cy = 0.0;
        let mut count = 0.0;
        for r in rs {
            let d: Vec<String> = r
                .iter()
                .map(|p| {
                    let (x, y) = at(*p);
                    cx += x;
                    cy += y;
                    count += 1.0;
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            out.push_str(&format!(
                r##"<polygon points="{}" fill="#e8f5e9" stroke="#2e7d32" stroke-width="1"/>"##,
                d.join(" ")
            ));
        }
        if count > 0.0 {
            out.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" dominant-baseline="middle">{n}</text>"#,
                cx / count,
                cy / count
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sketch_draws_every_parcel_numbered_and_nothing_without_geometry() {
        let square = |x: f64| {
            format!(
                r#"{{"type":"Polygon","coordinates":[[[{x},36.0],[{},36.0],[{},36.001],[{x},36.001],[{x},36.0]]]}}"#,
                x + 0.001,
                x + 0.001
            )
        };
        let s = svg(&[(1, square(113.0)), (2, square(113.001))]);
        assert_eq!(s.matches("<polygon").count(), 2);
        assert!(s.contains(">1</text>") && s.contains(">2</text>"));
        assert_eq!(svg(&[(1, "{}".to_owned())]), "");
    }
}
