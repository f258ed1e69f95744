#![no_main]
// The property is `cart_total` in fuzz/checks/cart_total.rs (shared with tests/fuzz_regressions.rs).
#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cart_total(data));
