//! The fuzzing properties of coinbar-pay, one file per concern (`dec.rs` and `js.rs` are
//! the references; each target has its file).
//!
//! Every cargo-fuzz target in `fuzz/fuzz_targets/` is one line that calls a function here, and
//! the stable replay test `tests/fuzz_regressions.rs` includes this same file (with `#[path]`)
//! to run every checked-in corpus input and every past crash through the same functions. So a
//! property is written once and holds on nightly (fuzzing) and stable (`cargo test`) alike.
//!
//! A check panics when a property fails; returning normally means the input passed. Besides
//! "no panic", the checks compare the crate against independent references written here:
//!
//! - [`Dec`]: exact decimal arithmetic on digit vectors (no width limit), the oracle for
//!   `Money` parsing, sums and products, `decimal_text` and cart totals;
//! - [`es_layout`] / [`es_number`]: ECMAScript `Number::toString` from the shortest digits
//!   (Rust's own `{:e}`), the oracle for the float formatting of `to_js_json`;
//! - [`js_quote_units`]: `JSON.stringify` of a string given as UTF-16 code units (lone
//!   surrogates as lowercase `\udxxx`), the oracle for string escaping and for the
//!   reader's marking of lone surrogates in input. Both are themselves checked against V8's `JSON.stringify` by the
//!   cases in `fuzz/node/json_stringify.json` (made by `scripts/fuzz-seed.mjs`);
//! - a model of the initiate validator: [`initiate_gen`] builds inputs field by field, knows
//!   which rule each choice breaks, and predicts the exact set of fields reported and, for a
//!   valid input, the exact body bytes.
#![allow(dead_code)]
#![allow(clippy::manual_range_contains)]

mod callbacks;
mod cart_total;
mod dec;
mod email;
mod gen;
mod input;
mod js;
mod json_writer;
mod money;
mod payment_uri;
mod responses;
mod surrogates;

pub use callbacks::*;
pub use cart_total::*;
pub use dec::*;
pub use email::*;
pub use gen::*;
pub use input::*;
pub use js::*;
pub use json_writer::*;
pub use money::*;
pub use payment_uri::*;
pub use responses::*;
pub use surrogates::*;

use coinbar_pay::error::{Error, ErrorKind};
use coinbar_pay::json::to_js_json;
use coinbar_pay::model::initiate::{self, PaymentKind};
use coinbar_pay::model::product::{cart_total_json, convert_amount, products_errors};
use coinbar_pay::model::{callback, quotes, report, status};
use coinbar_pay::money::{decimal_text, Money, MoneyError};
use coinbar_pay::validate;
use serde_json::{json, Value};
#[cfg_attr(not(feature = "signer"), allow(unused_imports))] // only initiate_gen (signer builds) uses it
use std::collections::BTreeSet;

/// Every target: its name (a `fuzz/fuzz_targets/<name>.rs`, and the folders
/// `fuzz/corpus/<name>/` and `fuzz/regressions/<name>/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("initiate_text", initiate_text),
    ("initiate_gen", initiate_gen),
    ("json_writer", json_writer),
    ("surrogates", surrogates),
    ("money", money),
    ("cart_total", cart_total),
    ("response_initiate", response_initiate),
    ("response_status", response_status),
    ("response_quotes", response_quotes),
    ("response_report", response_report),
    ("callback", callback),
    ("email", email),
    ("payment_uri", payment_uri),
];

/// A property over one fuzz input: returns, or panics with what failed.
pub type Check = fn(&[u8]);

/// The client id the checks configure (the sandbox's demo client).
pub const CLIENT_ID: &str = "c0ffee00-0000-4000-8000-000000000001";
/// The secret the checks sign with.
pub const SECRET: &[u8] = b"sandbox-secret-do-not-use-in-production";
/// "Now" for inputs without a timestamp.
pub const NOW_MS: u64 = 1_715_430_961_064;

// ---------------------------------------------------------------------------------------
// Input bytes as a stream of choices
// ---------------------------------------------------------------------------------------

/// Reads choices from the fuzzer's bytes. Past the end every byte is 0, and choice 0 is
/// always the ordinary, valid one, so short inputs make valid documents.
pub struct Src<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Src<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Src { data, pos: 0 }
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b
    }

    /// A number in `0..n` (0 when `n` is 0 or 1).
    pub fn below(&mut self, n: usize) -> usize {
        match n {
            0 | 1 => 0,
            2..=256 => usize::from(self.byte()) % n,
            _ => (usize::from(self.byte()) | usize::from(self.byte()) << 8 | usize::from(self.byte()) << 16) % n,
        }
    }

    /// True with probability about `num / den`; false once the bytes run out.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        let b = self.below(den);
        b >= den - num
    }

    pub fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        for i in 0..8 {
            v |= u64::from(self.byte()) << (8 * i);
        }
        v
    }

    pub fn u128_96(&mut self) -> u128 {
        let mut v = 0u128;
        for i in 0..12 {
            v |= u128::from(self.byte()) << (8 * i);
        }
        v
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        let r = self.data.get(self.pos..).unwrap_or(&[]);
        self.pos = self.data.len();
        r
    }
}
