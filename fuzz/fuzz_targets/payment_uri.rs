#![no_main]
// The property is `payment_uri` in fuzz/checks/payment_uri.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::payment_uri(data));
