#![no_main]
// The property is `json_writer` in fuzz/checks/json_writer.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::json_writer(data));
