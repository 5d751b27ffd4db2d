//! GeoJSON validation: any geometry a collective may send is measured or
//! refused with a reason, never a panic, and a footprint's area is never
//! negative.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(fp) = sanquan::spatial::footprint(&value, "geometry") {
        assert!(fp.area.0 >= 0);
    }
});
