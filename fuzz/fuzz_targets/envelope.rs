//! The envelope parser (L1): any bytes a client may POST. Nothing panics; an
//! envelope accepted re-serialises to bytes that parse to the same entry,
//! byte for byte (what is signed is what is stored is what is replayed);
//! a stored leaf parses or is refused, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::ledger::envelope::{Envelope, Record};

const ORIGIN: &str = "sanquan/140421";

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::parse(data, ORIGIN) {
        let again = Envelope::parse(&env.to_json(), ORIGIN).expect("an accepted envelope re-parses");
        assert_eq!(again.canonical_entry(), env.canonical_entry());
        assert_eq!(again.signing_input(), env.signing_input());
        let leaf = env.record(7, "2026-12-02T08:00:00Z");
        let record = Record::parse(&leaf, ORIGIN).expect("a leaf the log writes parses");
        let _ = record;
    }
    let _ = Record::parse(data, ORIGIN);
});
