//! # coinbar-pay
//!
//! The core of the CoinbarPay SDK: build, validate, serialize byte-exactly and sign
//! CoinbarPay requests, compute exact cart totals, and read Coinbar's responses. No I/O:
//! the JS shell (over [`ops`] and the wasm bindings in `wasm`) or any Rust server sends the
//! prepared requests.
//!
//! | module | concern |
//! |---|---|
//! | [`money`] | exact decimal amounts, JS-compatible number formatting |
//! | [`json`] | JSON in and out: the reader (`json::read`) and the `JSON.stringify`-compatible writer (`json::write`) |
//! | [`validate`] | field rules (naming no model), reported as `{field, message}` lists |
//! | [`model`] | one file per API object (declared once: `model::object`): input, bodies, answers |
//! | `sign` | HMAC-SHA256 signer, zeroized on drop (feature `signer`) |
//! | [`api`] | configuration, endpoints, prepared requests, gateway URLs |
//! | [`retry`] | which failures to retry, and the backoff |
//! | `client` | configuration + signer: signed requests (feature `signer`) |
//! | [`ops`] | the operations the JS shell calls, each declared once |
//! | `wasm` | the wasm-bindgen exports: two dispatchers over [`ops`] |
//! | [`text`] | message text without `core::fmt` (`text!`), decimal integers |
//! | [`error`] | the one error type |
//!
//! ```
//! # #[cfg(feature = "signer")] {
//! use coinbar_pay::{api::{Config, Settings}, client::Client};
//! let config = Config::new(&Settings { service_client_id: Some("my-client-id"), ..Settings::default() }).unwrap();
//! let client = Client::new(config, b"my-secret").unwrap();
//! let prepared = client.prepare_initiate(r#"{
//!   "payment_request_id": "order-1", "input_coin": "EUR", "email": "jane@example.com",
//!   "user_id": "u-1", "destination_coin": "BTC", "timestamp": 1715430961064,
//!   "products": [{"product_name": "Tea", "product_price": "3.50", "product_amount": 2,
//!                 "product_id": "tea", "product_type": "general"}]
//! }"#, 0).unwrap();
//! assert_eq!(prepared.headers.signature.len(), 64);
//! assert!(prepared.body.unwrap().contains(r#""product_price":3.5,"#));
//! # }
//! ```
// The wasm builds have no `std`: only `core` and `alloc`, and the panic handler below. std's
// panic machinery (its hook, payload formatting and with them core::fmt) was ~1.5 KB of each
// gzipped module; a panic cannot happen by design (clippy denies the panicking forms) and
// would trap either way. Native builds (tests, benches, fuzzing, Rust users) keep std.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo
    )
)]

extern crate alloc;

/// What the std prelude gives, from `alloc`, for the `no_std` wasm builds (each module takes
/// what it uses; not every build uses every name).
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

/// A panic in the wasm builds traps (`unreachable`), as `panic = "abort"` did with std.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

pub mod api;
#[cfg(feature = "signer")]
pub mod client;
pub mod error;
#[cfg(all(test, feature = "signer"))]
mod generated;
pub mod json;
pub mod model;
pub mod money;
pub mod ops;
pub mod retry;
#[cfg(feature = "signer")]
pub mod sign;
pub mod text;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, FieldError};

/// The wasm heap: talc instead of the default dlmalloc (server .wasm −2.5 KB gzip; see
/// bench/README.md). Single-threaded wasm only, which is every runtime the package runs in.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
pub use money::Money;
