#![no_main]
// The property is `surrogates` in fuzz/checks/surrogates.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::surrogates(data));
