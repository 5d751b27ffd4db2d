//! Every entry body (L1): the first byte picks a kind, the rest is its body
//! as JSON. Nothing panics; a body that parses round-trips — parse, write,
//! parse — to the same body, and what it writes is I-JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::model::entry::check_ijson;
use sanquan::model::{Command, KINDS};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let kind = KINDS[usize::from(pick) % KINDS.len()];
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(rest) else {
        return;
    };
    if check_ijson(&body, false).is_err() {
        return;
    }
    if let Ok(cmd) = Command::parse(kind, &body) {
        let written = cmd.body();
        let again = Command::parse(kind, &written).expect("a parsed body parses again");
        assert_eq!(again.body(), written, "{kind}: the body round-trips");
    }
});
