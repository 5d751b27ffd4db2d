//! JCS (RFC 8785) over I-JSON (L1): canonical bytes parse back to a value
//! whose canonical bytes are the same — the property whose failure let one
//! number make the log unverifiable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::model::entry::check_ijson;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if check_ijson(&value, false).is_err() {
        return;
    }
    let Ok(first) = serde_json_canonicalizer::to_vec(&value) else {
        return;
    };
    let back: serde_json::Value =
        serde_json::from_slice(&first).expect("canonical bytes are JSON");
    let second = serde_json_canonicalizer::to_vec(&back).expect("canonicalises again");
    assert_eq!(first, second, "JCS is idempotent on I-JSON");
});
