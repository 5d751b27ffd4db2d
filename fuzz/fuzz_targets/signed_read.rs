//! The signed-read header (`Authorization: Sanquan …`): any header is
//! verified or refused with a reason before any key is looked up, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::ledger::read_auth::verify_read;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let now = chrono::DateTime::from_timestamp(1_796_198_400, 0).expect("a time");
    let _ = verify_read(header, "GET", "/api/v1/households/140421001001010001", now);
    let _ = verify_read(&format!("Sanquan {header}"), "GET", "/", now);
});
