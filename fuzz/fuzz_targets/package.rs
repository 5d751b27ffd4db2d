//! A survey package (issue 19): any bytes read as a `.zip` of one, as a
//! shapefile and as a `.dbf` table are read, converted or refused by file,
//! row and field — never a panic, never a loop. A package's layers come
//! from strangers' uploads on the clerk's page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::registry::package::{Package, UPLOAD};
use sanquan::spatial::shapefile::{Reader, Table};

fuzz_target!(|data: &[u8]| {
    if let Ok(package) = Package::of_zip(data, UPLOAD) {
        for code in ["DK", "ZJQY", "CJQY"] {
            if let Ok(Some(layer)) = package.layer(code) {
                for f in layer.features().take(10_000) {
                    let _ = f;
                }
            }
        }
        let _ = package.tables();
    }
    // The same bytes as a layer's .shp and .dbf, and as a table alone.
    let half = data.len() / 2;
    if let Ok(reader) = Reader::new(&data[..half], &data[half..], None) {
        for r in reader.take(10_000) {
            let _ = r;
        }
    }
    if let Ok(table) = Table::new(data, None) {
        for r in table.take(10_000) {
            let _ = r;
        }
    }
});
