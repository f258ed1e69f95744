#![no_main]
// The property is `initiate_text` in fuzz/checks/input.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::initiate_text(data));
