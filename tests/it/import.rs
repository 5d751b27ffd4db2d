//! `sanquan import` on the demo county: the report, warnings, refusals that
//! write nothing, and a re-run that registers only what is missing.

use serde_json::Value;

use crate::common::{entries, ok, sanquan};

#[test]
fn import_reports_and_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    // The demo directory holds the keys; its land goes in again below.
    ok(&sanquan(&["demo", "--data-dir", d, "--load-only"]));
    let demo = entries(d);
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo-import.json")).unwrap())
            .unwrap();
    assert_eq!(first["accepted"].as_array().unwrap().len(), 802);
    assert!(first["rejected"].as_array().unwrap().is_empty());
    let warnings = first["warnings"].as_array().unwrap();
    assert!(
        !warnings.is_empty()
            && warnings
                .iter()
                .all(|w| w["warning"] == "declared_area_differs")
    );

    // A file with the same county again, plus three bad features.
    let mut county: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo-county.geojson")).unwrap())
            .unwrap();
    let features = county["features"].as_array_mut().unwrap();
    let mut overlap = features[2].clone();
    overlap["properties"]["DKBM"] = "1404210010010100801".into();
    let mut bow = features[3].clone();
    bow["properties"]["DKBM"] = "1404210010010100802".into();
    bow["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[113.0, 36.0], [113.001, 36.001], [113.001, 36.0], [113.0, 36.001], [113.0, 36.0]]]});
    let mut foreign = features[4].clone();
    foreign["properties"]["DKBM"] = "1404210010990100001".into();
    // A parcel in the village's margin that names its holding household.
    let mut held = features[5].clone();
    held["properties"]["DKBM"] = "1404210010010100900".into();
    held["properties"]["CBFBM"] = "140421001001010001".into();
    held["properties"]["TDYT"] = "1".into();
    held["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[112.9996, 36.0001], [112.9998, 36.0001], [112.9998, 36.0003], [112.9996, 36.0003], [112.9996, 36.0001]]]});
    // And one that names a household nobody registered.
    let mut stray = held.clone();
    stray["properties"]["DKBM"] = "1404210010010100901".into();
    stray["properties"]["CBFBM"] = "140421001001010999".into();
    stray["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[112.9996, 36.0004], [112.9998, 36.0004], [112.9998, 36.0006], [112.9996, 36.0006], [112.9996, 36.0004]]]});
    features.extend([overlap, bow, foreign, held, stray]);
    let file = tmp.path().join("again.geojson");
    std::fs::write(&file, county.to_string()).unwrap();
    let keys = dir.join("keys");
    let report = tmp.path().join("report.json");
    let out = ok(&sanquan(&[
        "import",
        "--data-dir",
        d,
        "--key",
        keys.join("county.key").to_str().unwrap(),
        "--key",
        keys.join("demo/collective-14042100100101.key")
            .to_str()
            .unwrap(),
        "--key",
        keys.join("demo/collective-14042100100201.key")
            .to_str()
            .unwrap(),
        "--report",
        report.to_str().unwrap(),
        file.to_str().unwrap(),
    ]));
    assert!(
        out.contains("2 accepted, 802 already registered, 3 rejected"),
        "{out}"
    );
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rejected: Vec<(u64, &str, &str)> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["index"].as_u64().unwrap(),
                x["code"].as_str().unwrap(),
                x["error"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (802, "1404210010010100801", "parcel_overlap"),
            (803, "1404210010010100802", "self_intersection"),
            (804, "1404210010990100001", "no_key"),
        ]
    );
    assert!(r["rejected"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("1404210010010100001"));
    // The household's contract now covers the parcel it holds (extended);
    // the parcel of an unregistered household is registered, with a warning.
    assert_eq!(r["contracts"], serde_json::json!(["140421001001010001J"]));
    let warnings = r["warnings"].as_array().unwrap();
    let about = |code: &str, warning: &str| {
        warnings
            .iter()
            .any(|w| w["code"] == code && w["warning"] == warning)
    };
    assert!(
        about("1404210010010100901", "household_not_registered"),
        "{warnings:?}"
    );
    // Its SCMJ was copied from another parcel, so that differs too.
    assert!(
        about("1404210010010100900", "declared_area_differs"),
        "{warnings:?}"
    );
    assert_eq!(entries(d), demo + 3);
    let title: Value = serde_json::from_str(&ok(&sanquan(&[
        "query",
        "--data-dir",
        d,
        "title",
        "1404210010010100900",
    ])))
    .unwrap();
    assert_eq!(title["holder"], "140421001001010001");
    // A second run finds everything done.
    let again = ok(&sanquan(&[
        "import",
        "--data-dir",
        d,
        "--key",
        keys.join("demo/collective-14042100100101.key")
            .to_str()
            .unwrap(),
        "--key",
        keys.join("county.key").to_str().unwrap(),
        "--key",
        keys.join("demo/collective-14042100100201.key")
            .to_str()
            .unwrap(),
        file.to_str().unwrap(),
    ]));
    assert!(
        again.contains("0 accepted, 804 already registered"),
        "{again}"
    );
    assert_eq!(entries(d), demo + 3);
}

#[test]
fn the_demo_county_has_its_people_and_their_rights() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&sanquan(&[
        "demo",
        "--data-dir",
        dir.to_str().unwrap(),
        "--load-only",
    ]));
    let db = sanquan::store::Db::open(dir.join("sanquan.db").to_str().unwrap(), "140421").unwrap();
    let state =
        sanquan::store::queries::load_state(&mut db.dedicated().unwrap(), "140421").unwrap();
    assert_eq!(state.collectives.len(), 2);
    assert_eq!(state.parcels.len(), 800);
    assert_eq!(state.households.len(), 150);
    let persons: usize = state.households.values().map(|h| h.members.len()).sum();
    assert!(persons > 300, "{persons}");
    assert_eq!(state.memberships.len(), persons);
    assert_eq!(state.homesteads.len(), 150);
    assert!(state
        .homesteads
        .values()
        .all(|h| h.area.as_m2_f64() < 125.0));
    // Every agricultural parcel is under a contract; non-agricultural land is not.
    let agricultural = state.parcels.values().filter(|p| p.land_use != "5").count();
    assert_eq!(state.contract_of.len(), agricultural);
    assert_eq!(state.quantified.len(), 2);
    assert_eq!(state.certificates.len(), state.contracts.len());
    let shares: u64 = state.holdings.values().sum();
    assert_eq!(shares as usize, persons);
    // Personal data is in the private table only.
    let records =
        sanquan::store::queries::load_persons(&mut db.dedicated().unwrap(), "140421", None)
            .unwrap();
    assert_eq!(records.len(), persons);
}

/// Issue 19 (1): a parcel layer as a county's package delivers it — a
/// shapefile in a Gauss–Krüger zone with a GBK table, written here by GDAL's
/// `ogr2ogr` — imports in one command: the names intact, each area within
/// 0.01 % of the same parcel measured from its longitude and latitude.
#[test]
fn a_shapefile_in_a_zone_with_a_gbk_table_imports() {
    let have = crate::gis::have("ogr2ogr", "gdal-bin");
    if !have {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    ok(&sanquan(&["demo", "--data-dir", d, "--load-only"]));
    // Two new parcels in the first village's margin.
    let square = |lon: f64, lat: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.0002], [lon, lat + 0.0002], [lon, lat]]]});
    let parcels = [
        (
            "1404210010010100950",
            "西坡地（上）",
            square(112.9996, 36.0001),
        ),
        (
            "1404210010010100951",
            "西坡地（下）",
            square(112.9996, 36.0004),
        ),
    ];
    let source = serde_json::json!({"type": "FeatureCollection", "features": parcels.iter().map(|(code, name, g)| serde_json::json!({
        "type": "Feature",
        "properties": {"DKBM": code, "DKMC": name, "DKLB": "10", "TDYT": "1", "DLDJ": "05", "SFJBNT": "2"},
        "geometry": g,
    })).collect::<Vec<_>>()});
    let input = tmp.path().join("dk.geojson");
    std::fs::write(&input, source.to_string()).unwrap();
    let shp = tmp.path().join("西坡地块.shp");
    crate::gis::gbk_shapefile(&input, &shp, 4526);
    let keys = dir.join("keys");
    let out = ok(&sanquan(&[
        "import",
        "--data-dir",
        d,
        "--key",
        keys.join("demo/collective-14042100100101.key")
            .to_str()
            .unwrap(),
        shp.to_str().unwrap(),
    ]));
    assert!(out.contains("2 accepted"), "{out}");
    let _server = crate::cli::serve_with(&dir, &[]);
    let url = crate::cli::server_url(&dir);
    for (code, name, g) in &parcels {
        let p: Value = ureq::get(&format!("{url}/api/v1/parcels/{code}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        assert_eq!(p["properties"]["DKMC"], serde_json::json!(name));
        let ours: f64 = p["properties"]["area_m2"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let from_lonlat = sanquan::spatial::footprint(g, "geometry").unwrap().area;
        let expected = from_lonlat.0 as f64 / 100.0;
        assert!(
            ((ours - expected) / expected).abs() < 1e-4,
            "{code}: {ours} m² against {expected} m²"
        );
    }
}
