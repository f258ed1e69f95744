#![no_main]
// The property is `callback` in fuzz/checks/callbacks.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::callback(data));
