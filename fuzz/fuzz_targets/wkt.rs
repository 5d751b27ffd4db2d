//! A shapefile's `.prj` (issue 19): any text a survey package holds is
//! recognised as a CGCS2000 system or refused with its name, never a panic;
//! a zone recognised converts its own false origin back and forth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::spatial::crs::{of_wkt, Crs};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Crs::GaussKruger { zone, .. }) = of_wkt(text) {
        let (lon, lat) = zone.to_lonlat(zone.false_easting, 0.0);
        assert!((lon - zone.central_meridian).abs() < 1e-9 && lat.abs() < 1e-9);
    }
});
