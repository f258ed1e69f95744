#![no_main]
// The property is `response_report` in fuzz/checks/responses.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::response_report(data));
