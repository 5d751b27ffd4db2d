//! Signed notes and checkpoints: any note opens or is refused, never a
//! panic; the text a signature covers parses or is refused, and a parsed
//! checkpoint writes back to text that parses to the same checkpoint.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sanquan::ledger::checkpoint::Checkpoint;
use sanquan::model::VerifierKey;

fn log_key() -> &'static VerifierKey {
    static KEY: OnceLock<VerifierKey> = OnceLock::new();
    KEY.get_or_init(|| {
        sanquan::ledger::keys::SignerKey::from_seed("sanquan/140421", [7; 32])
            .expect("a key")
            .verifier()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Checkpoint::open(text, log_key());
    if let Ok(cp) = Checkpoint::parse_text(text) {
        assert_eq!(Checkpoint::parse_text(&cp.text()).ok(), Some(cp));
    }
});
