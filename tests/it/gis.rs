//! Issue 19: sanquan's Gauss–Krüger conversion against PROJ, the library
//! every GIS tool of a county uses (Debian's `cs2cs`, `proj-bin`): at least
//! 10,000 points in each family of CGCS2000 zones (EPSG:4491–4554), both
//! ways, within a millimetre. Without `cs2cs` the test says so and skips,
//! unless `SANQUAN_REQUIRE_GIS` is set (CI sets it).

use std::io::Write;
use std::process::{Command, Stdio};

use sanquan::spatial::gauss_kruger::Zone;

/// `cs2cs`, if this machine has it.
fn cs2cs() -> Option<&'static str> {
    have("cs2cs", "proj-bin").then_some("cs2cs")
}

/// PROJ's northing and easting of each (lat, lon), by EPSG code.
fn proj_forward(tool: &str, epsg: u32, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut child = Command::new(tool)
        .args(["-f", "%.9f", "EPSG:4490", &format!("EPSG:{epsg}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = points
        .iter()
        .map(|(lon, lat)| format!("{lat:.12} {lon:.12}\n"))
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut it = line.split_whitespace().map(|v| v.parse::<f64>().unwrap());
            let (n, e) = (it.next().unwrap(), it.next().unwrap());
            (e, n)
        })
        .collect()
}

/// Points across a zone: the whole width either side of the central
/// meridian, China's latitudes, spread by a fixed sequence.
fn points_in(zone: &Zone, half_width: f64, count: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut x = seed;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count)
        .map(|_| {
            let lon = zone.central_meridian + (2.0 * next() - 1.0) * half_width;
            let lat = 18.0 + 35.0 * next();
            (lon, lat)
        })
        .collect()
}

#[test]
fn gauss_kruger_agrees_with_proj_to_a_millimetre() {
    let Some(tool) = cs2cs() else {
        return;
    };
    // Each family, its codes and the half width of its zones.
    let families = [
        ("6° with zone", 4491..=4501u32, 3.0),
        ("6°", 4502..=4512, 3.0),
        ("3° with zone", 4513..=4533, 1.5),
        ("3°", 4534..=4554, 1.5),
    ];
    for (name, codes, half) in families {
        let per_zone = 10_000usize.div_ceil(codes.clone().count());
        let (mut forward, mut inverse, mut compared) = (0f64, 0f64, 0usize);
        for epsg in codes {
            let zone = Zone::of_epsg(epsg).unwrap();
            let points = points_in(&zone, half, per_zone, u64::from(epsg));
            let theirs = proj_forward(tool, epsg, &points);
            assert_eq!(theirs.len(), points.len(), "EPSG:{epsg}");
            for (&(lon, lat), &(e, n)) in points.iter().zip(&theirs) {
                let (our_e, our_n) = zone.from_lonlat(lon, lat);
                forward = forward.max((our_e - e).abs()).max((our_n - n).abs());
                // Back from PROJ's coordinates, in metres on the ground.
                let (lon2, lat2) = zone.to_lonlat(e, n);
                let metres = 111_320.0 * (lat2 - lat).abs()
                    + 111_320.0 * lat.to_radians().cos() * (lon2 - lon).abs();
                inverse = inverse.max(metres);
                compared += 1;
            }
        }
        eprintln!(
            "{name}: {compared} points, worst forward {forward:.2e} m, inverse {inverse:.2e} m"
        );
        assert!(compared >= 10_000, "{name}: {compared}");
        assert!(forward < 1e-3, "{name}: forward off by {forward} m");
        assert!(inverse < 1e-3, "{name}: inverse off by {inverse} m");
    }
}

/// What PROJ writes for each CGCS2000 system — WKT 1 as ESRI writes a
/// shapefile's `.prj` and as GDAL does (`projinfo`) — reads as that system,
/// its zone and its EPSG code; the systems a county may still hold instead
/// (西安 1980, 北京 1954, WGS 84, UTM) are refused by their names.
#[test]
fn every_cgcs2000_prj_proj_writes_is_recognised() {
    use sanquan::spatial::crs::{of_wkt, Crs};
    if cs2cs().is_none() {
        return;
    }
    let wkt = |code: u32, format: &str| {
        let out = Command::new("projinfo")
            .args([&format!("EPSG:{code}"), "-o", format, "-q", "--single-line"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    for format in ["WKT1_ESRI", "WKT1_GDAL"] {
        assert_eq!(of_wkt(&wkt(4490, format)), Ok(Crs::Geographic), "{format}");
        for code in 4491..=4554 {
            let text = wkt(code, format);
            match of_wkt(&text) {
                Ok(Crs::GaussKruger { epsg, zone }) => {
                    assert_eq!(epsg, code, "{format}: {text}");
                    assert_eq!(Some(zone), Zone::of_epsg(code));
                }
                other => panic!("{format} EPSG:{code}: {other:?}\n{text}"),
            }
        }
        for (code, name) in [
            (2383, "Xian_1980"),
            (2435, "Beijing_1954"),
            (4326, "WGS"),
            (32650, "UTM"),
        ] {
            let e = of_wkt(&wkt(code, format)).unwrap_err();
            assert!(
                e.name.replace(' ', "_").contains(name),
                "{format} EPSG:{code}: {e}"
            );
        }
    }
}

/// Whether a tool of Debian's GIS packages is here (else the test skips,
/// unless `SANQUAN_REQUIRE_GIS` is set).
pub(crate) fn have(tool: &str, package: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found || std::env::var_os("SANQUAN_REQUIRE_GIS").is_none(),
        "{tool} is required (SANQUAN_REQUIRE_GIS) but missing (apt install {package})"
    );
    found
}

/// What GDAL writes, sanquan reads: parcels with a hole and two parts and
/// Chinese names, written by `ogr2ogr` as a shapefile in a Gauss–Krüger zone
/// with GBK attributes (as a county's package is), read back with the `.prj`
/// recognised, the text decoded, every position within 1e-8° (a millimetre)
/// of where it was; the same table read as UTF-8 is refused by its row and
/// field, not passed on garbled.
#[test]
fn a_shapefile_gdal_writes_in_a_zone_and_gbk_reads_back() {
    use sanquan::spatial::crs::{of_wkt, Crs};
    use sanquan::spatial::shapefile::{encoding_of, geojson, read, Attribute};
    if !have("ogr2ogr", "gdal-bin") {
        return;
    }
    let square = |lon: f64, lat: f64, d: f64| {
        serde_json::json!([
            [lon, lat],
            [lon + d, lat],
            [lon + d, lat + d],
            [lon, lat + d],
            [lon, lat]
        ])
    };
    let source = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"DKBM": "1404210010010100001", "DKMC": "大块地", "SCMJ": 1234.56},
         "geometry": {"type": "Polygon", "coordinates": [square(113.2, 36.5, 0.001), square(113.2003, 36.5003, 0.0002)]}},
        {"type": "Feature", "properties": {"DKBM": "1404210010010100002", "DKMC": "河滩地（东）", "SCMJ": 88.1},
         "geometry": {"type": "MultiPolygon", "coordinates": [[square(113.21, 36.5, 0.0005)], [square(113.212, 36.5, 0.0005)]]}},
    ]});
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.geojson");
    std::fs::write(&input, source.to_string()).unwrap();
    gbk_shapefile(&input, &dir.path().join("DK.shp"), 4526);
    let file = |ext: &str| std::fs::read(dir.path().join(format!("DK.{ext}"))).unwrap();
    let prj = String::from_utf8(file("prj")).unwrap();
    let crs = of_wkt(&prj).unwrap();
    assert!(matches!(crs, Crs::GaussKruger { epsg: 4526, .. }), "{prj}");
    let cpg = String::from_utf8(file("cpg")).ok();
    let (shp, dbf) = (file("shp"), file("dbf"));
    let encoding = encoding_of(cpg.as_deref(), &dbf);
    assert_eq!(encoding, Some(encoding_rs::GBK), "{cpg:?}");
    let records = read(&shp, &dbf, encoding).unwrap();
    assert_eq!(records.len(), 2);
    let name = |r: &sanquan::spatial::shapefile::Record| {
        r.attributes
            .iter()
            .find(|a| a.0 == "DKMC")
            .map(|a| a.1.clone())
    };
    assert_eq!(name(&records[0]), Some(Attribute::Text("大块地".into())));
    assert_eq!(
        name(&records[1]),
        Some(Attribute::Text("河滩地（东）".into()))
    );
    for (record, feature) in records.iter().zip(source["features"].as_array().unwrap()) {
        let ours = geojson(&record.rings, crs).unwrap();
        assert_eq!(ours["type"], feature["geometry"]["type"]);
        // Every position of the source is one of ours, within 1e-8°.
        let flat = |v: &serde_json::Value| -> Vec<[f64; 2]> {
            let mut out = Vec::new();
            fn walk(v: &serde_json::Value, out: &mut Vec<[f64; 2]>) {
                match v.as_array() {
                    Some(a) if a.len() == 2 && a[0].is_number() => {
                        out.push([a[0].as_f64().unwrap(), a[1].as_f64().unwrap()])
                    }
                    Some(a) => a.iter().for_each(|x| walk(x, out)),
                    None => {}
                }
            }
            walk(&v["coordinates"], &mut out);
            out
        };
        let mine = flat(&ours);
        for p in flat(&feature["geometry"]) {
            let near = mine
                .iter()
                .map(|q| (q[0] - p[0]).abs().max((q[1] - p[1]).abs()))
                .fold(f64::MAX, f64::min);
            assert!(near < 1e-8, "{p:?}: {near}");
        }
    }
    // The same bytes said to be UTF-8: refused by row and field.
    let e = read(&shp, &dbf, Some(encoding_rs::UTF_8)).unwrap_err();
    assert!(e.part.contains("row 1") && e.part.contains("DKMC"), "{e}");
    assert!(e.why_zh.contains(".cpg"), "{e:?}");
}

/// `input` (GeoJSON in CGCS2000 longitude/latitude) written by GDAL's
/// `ogr2ogr` as a shapefile in EPSG `zone` with a GBK table, as a county's
/// package holds its layers.
pub(crate) fn gbk_shapefile(input: &std::path::Path, out: &std::path::Path, zone: u32) {
    let status = Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", "-s_srs", "EPSG:4490"])
        .args(["-t_srs", &format!("EPSG:{zone}"), "-lco", "ENCODING=GBK"])
        .arg(out)
        .arg(input)
        .status()
        .unwrap();
    assert!(status.success(), "ogr2ogr {}", input.display());
}
