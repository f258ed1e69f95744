//! The fuzzing properties of coinbar-pay, in one place.
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
//!   surrogates as lowercase `\udxxx`), the oracle for string escaping and for
//!   `mark_lone_surrogates`. Both are themselves checked against V8's `JSON.stringify` by the
//!   cases in `fuzz/node/json_stringify.json` (made by `scripts/fuzz-seed.mjs`);
//! - a model of the initiate validator: [`initiate_gen`] builds inputs field by field, knows
//!   which rule each choice breaks, and predicts the exact set of fields reported and, for a
//!   valid input, the exact body bytes.
#![allow(dead_code)]
#![allow(clippy::manual_range_contains)]

use coinbar_pay::error::{Error, ErrorKind};
use coinbar_pay::json::{mark_lone_surrogates, to_js_json};
use coinbar_pay::model::initiate::{self, PaymentKind};
use coinbar_pay::model::product::{cart_total_json, convert_amount, products_errors};
use coinbar_pay::model::{callback, quotes, report, status};
use coinbar_pay::money::{decimal_text, Money, MoneyError};
use coinbar_pay::validate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
    data: &'a [u8],
    pos: usize,
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

// ---------------------------------------------------------------------------------------
// Exact decimal reference
// ---------------------------------------------------------------------------------------

/// An exact decimal: `(-1)^neg × mag × 10^-scale`, `mag` as little-endian decimal digits
/// without high zeros (empty for zero). No width limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dec {
    pub neg: bool,
    pub mag: Vec<u8>,
    pub scale: u32,
}

/// `rust_decimal`'s largest mantissa, 2^96 − 1.
pub const DECIMAL_MAX_MANTISSA: &str = "79228162514264337593543950335";

fn trim_high(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

fn cmp_mag(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    trim_high(out)
}

/// `a − b` for `a ≥ b`.
fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &d) in a.iter().enumerate() {
        let mut s = d as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if s < 0 {
            s += 10;
            borrow = 1;
        }
        out.push(s as u8);
    }
    trim_high(out)
}

fn mul_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j] += u32::from(x) * u32::from(y);
        }
    }
    let mut out = Vec::with_capacity(acc.len() + 1);
    let mut carry = 0u32;
    for v in acc {
        let s = v + carry;
        out.push((s % 10) as u8);
        carry = s / 10;
    }
    while carry > 0 {
        out.push((carry % 10) as u8);
        carry /= 10;
    }
    trim_high(out)
}

/// `mag × factor` in place.
fn mul_small(mag: &mut Vec<u8>, factor: u64) {
    let mut carry = 0u64;
    for d in mag.iter_mut() {
        let v = u64::from(*d) * factor + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    while carry > 0 {
        mag.push((carry % 10) as u8);
        carry /= 10;
    }
}

fn digits_le(text: &str) -> Vec<u8> {
    trim_high(text.bytes().rev().map(|b| b - b'0').collect())
}

fn shift_up(mag: &[u8], by: u32) -> Vec<u8> {
    if mag.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0u8; by as usize];
    out.extend_from_slice(mag);
    out
}

impl Dec {
    pub fn zero() -> Dec {
        Dec { neg: false, mag: Vec::new(), scale: 0 }
    }

    pub fn from_parts(neg: bool, digits_be: &str, scale: u32) -> Dec {
        let mag = digits_le(digits_be);
        Dec { neg: neg && !mag.is_empty(), mag, scale }
    }

    pub fn from_u128(v: u128, neg: bool, scale: u32) -> Dec {
        Dec::from_parts(neg, &v.to_string(), scale)
    }

    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    /// Trailing fraction zeros removed.
    pub fn normalized(&self) -> Dec {
        let mut d = self.clone();
        while d.scale > 0 && d.mag.first() == Some(&0) {
            d.mag.remove(0);
            d.scale -= 1;
        }
        if d.mag.is_empty() {
            d.scale = 0;
            d.neg = false;
        }
        d
    }

    /// The mantissa at a scale at least `self.scale`.
    fn mag_at(&self, scale: u32) -> Vec<u8> {
        shift_up(&self.mag, scale - self.scale)
    }

    pub fn add(&self, o: &Dec) -> Dec {
        let scale = self.scale.max(o.scale);
        let (a, b) = (self.mag_at(scale), o.mag_at(scale));
        let (neg, mag) = if self.neg == o.neg {
            (self.neg, add_mag(&a, &b))
        } else if cmp_mag(&a, &b) != std::cmp::Ordering::Less {
            (self.neg, sub_mag(&a, &b))
        } else {
            (o.neg, sub_mag(&b, &a))
        };
        Dec { neg: neg && !mag.is_empty(), mag, scale }
    }

    pub fn neg(&self) -> Dec {
        Dec { neg: !self.neg && !self.is_zero(), ..self.clone() }
    }

    pub fn sub(&self, o: &Dec) -> Dec {
        self.add(&o.neg())
    }

    pub fn abs(&self) -> Dec {
        Dec { neg: false, ..self.clone() }
    }

    pub fn mul(&self, o: &Dec) -> Dec {
        let mag = mul_mag(&self.mag, &o.mag);
        Dec { neg: self.neg != o.neg && !mag.is_empty(), mag, scale: self.scale + o.scale }
    }

    /// `10^-places`.
    pub fn ulp(places: u32) -> Dec {
        Dec { neg: false, mag: vec![1], scale: places }
    }

    pub fn cmp_abs(&self, o: &Dec) -> std::cmp::Ordering {
        let scale = self.scale.max(o.scale);
        cmp_mag(&self.mag_at(scale), &o.mag_at(scale))
    }

    /// Big-endian digits of the mantissa ("0" for zero).
    pub fn digits(&self) -> String {
        if self.mag.is_empty() {
            return String::from("0");
        }
        self.mag.iter().rev().map(|d| char::from(b'0' + d)).collect()
    }

    /// What `Money::to_plain_string` prints: normalized, no exponent, `0` for zero.
    pub fn plain(&self) -> String {
        let n = self.normalized();
        if n.is_zero() {
            return String::from("0");
        }
        let digits = n.digits();
        let scale = n.scale as usize;
        let body = if scale == 0 {
            digits
        } else if digits.len() > scale {
            format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
        } else {
            format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
        };
        if n.neg {
            format!("-{body}")
        } else {
            body
        }
    }

    /// Whether `rust_decimal` holds this value unrounded at exactly this scale.
    pub fn fits_at_own_scale(&self) -> bool {
        self.scale <= 28 && cmp_mag(&self.mag, &digits_le(DECIMAL_MAX_MANTISSA)) != std::cmp::Ordering::Greater
    }

    /// Whether the value is representable by `rust_decimal` at all.
    pub fn representable(&self) -> bool {
        self.normalized().fits_at_own_scale()
    }

    /// Significant digits of the normalized value (`0` → 1), as `Money::significant_digits`.
    pub fn significant_digits(&self) -> u32 {
        (self.normalized().mag.len() as u32).max(1)
    }

    /// Digits after the point of the normalized value.
    pub fn fraction_digits(&self) -> u32 {
        self.normalized().scale
    }

    /// Digits before the point (`0.5` → 1).
    pub fn integer_digits(&self) -> u32 {
        let n = self.normalized();
        (n.mag.len() as u32).saturating_sub(n.scale).max(1)
    }

    /// ECMAScript's `String(x)` for this value, if it were a double holding exactly these
    /// digits.
    pub fn es_string(&self) -> String {
        let n = self.normalized();
        if n.is_zero() {
            return String::from("0");
        }
        let digits = n.digits();
        let k = digits.len() as i64;
        es_layout(n.neg, &digits, k - i64::from(n.scale))
    }
}

/// `-?[0-9]+(\.[0-9]+)?`, as `Money::parse_plain` accepts.
pub fn is_plain_syntax(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// A plain decimal's exact value.
pub fn parse_plain_ref(s: &str) -> Option<Dec> {
    if !is_plain_syntax(s) {
        return None;
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    Some(Dec::from_parts(neg, &format!("{int}{frac}"), frac.len() as u32))
}

/// The exact value of a number text with an optional exponent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumRef {
    Exact(Dec),
    /// Nonzero and at least 10^60 in magnitude: fits no decimal type here.
    Huge,
    /// Nonzero with more than 100,000 fraction digits: fits no decimal type here.
    Tiny,
}

/// How a number text is written: digits of the mantissa, and the scale it implies.
pub struct NumText {
    pub neg: bool,
    pub mantissa_digits: String,
    /// `fraction length − exponent`; the value is `mantissa × 10^-written_scale`.
    pub written_scale: i64,
}

/// `-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`: a JSON number, leading zeros allowed.
pub fn number_text(s: &str) -> Option<NumText> {
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if !is_plain_syntax(mant) {
        return None;
    }
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let trimmed = digits.trim_start_matches('0');
            let v: i64 = if trimmed.len() > 12 { 1_000_000_000_000 } else { trimmed.parse().unwrap_or(0) };
            if e.starts_with('-') {
                -v
            } else {
                v
            }
        }
    };
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, mant),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    Some(NumText { neg, mantissa_digits: format!("{int}{frac}"), written_scale: frac.len() as i64 - exp })
}

pub fn parse_number_ref(s: &str) -> Option<NumRef> {
    let t = number_text(s)?;
    let mag = digits_le(&t.mantissa_digits);
    if mag.is_empty() {
        return Some(NumRef::Exact(Dec::zero()));
    }
    let trailing = mag.iter().take_while(|&&d| d == 0).count() as i64;
    let significant = mag.len() as i64 - trailing;
    let scale = t.written_scale - trailing; // of the normalized value
    if significant - scale > 60 {
        return Some(NumRef::Huge);
    }
    if scale > 100_000 {
        return Some(NumRef::Tiny);
    }
    let core: Vec<u8> = mag[trailing as usize..].to_vec();
    Some(NumRef::Exact(if scale >= 0 {
        Dec { neg: t.neg, mag: core, scale: scale as u32 }
    } else {
        Dec { neg: t.neg, mag: shift_up(&core, (-scale) as u32), scale: 0 }
    }))
}

// ---------------------------------------------------------------------------------------
// JSON.stringify reference
// ---------------------------------------------------------------------------------------

/// ECMAScript `Number::toString` layout (ECMA-262 §6.1.6.1.20) of a positive value
/// `0.d1d2…dk × 10^n`, where `digits` are its shortest digits.
pub fn es_layout(neg: bool, digits: &str, n: i64) -> String {
    let k = digits.len() as i64;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        if k == 1 {
            format!("{digits}e{sign}{}", e.abs())
        } else {
            format!("{}.{}e{sign}{}", &digits[..1], &digits[1..], e.abs())
        }
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// `JSON.stringify(x)` for a double, per ECMA-262 `Number::toString`: the fewest digits `k`
/// that read back as `x`; among those of `k` digits, the one closest to `x`; on a tie, the
/// even one. Rust's `{:e}` (an implementation independent of `ryu-js`) gives the shortest
/// digits, but breaks ties upward (`2.52881622314453125` → `…13`, V8 `…12`), so its
/// neighbours are checked too, with the exact value of `x` as the judge. `null` for NaN and
/// infinities, `0` for both zeros.
pub fn es_number(x: f64) -> String {
    if !x.is_finite() {
        return String::from("null");
    }
    if x == 0.0 {
        return String::from("0");
    }
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i64;
    let n = exp + 1;
    // Candidates: the digits and their neighbours at the last place, that read back as x.
    let d = Dec::from_parts(false, &digits, 0);
    let one = Dec::from_parts(false, "1", 0);
    let mut found: Vec<Dec> = [d.sub(&one), d.clone(), d.add(&one)]
        .into_iter()
        .filter(|c| c.digits().len() as i64 == k)
        .filter(|c| format!("{}e{}", c.digits(), n - k).parse::<f64>() == Ok(x.abs()))
        .collect();
    if found.len() > 1 {
        let exact = exact_f64(x.abs());
        let value = |c: &Dec| -> Dec {
            let e = n - k;
            if e >= 0 {
                Dec { mag: shift_up(&c.mag, e as u32), ..c.clone() }
            } else {
                Dec { scale: (-e) as u32, ..c.clone() }
            }
        };
        found.sort_by(|a, b| {
            let (da, db) = (value(a).sub(&exact).abs(), value(b).sub(&exact).abs());
            da.cmp_abs(&db)
                .then_with(|| (a.mag.first().copied().unwrap_or(0) % 2).cmp(&(b.mag.first().copied().unwrap_or(0) % 2)))
        });
    }
    let best = found.first().map(Dec::digits).unwrap_or(digits);
    let best = best.trim_end_matches('0');
    es_layout(x < 0.0, if best.is_empty() { "0" } else { best }, n)
}

/// The exact decimal value of a positive finite double.
pub fn exact_f64(x: f64) -> Dec {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
    let mut mag = digits_le(&m.to_string());
    // m × 2^e, or m × 5^-e / 10^-e, by small factors (2^30, 5^13 fit a u32).
    let (base, step, count) = if e >= 0 { (2u64, 30u32, e as u32) } else { (5, 13, (-e) as u32) };
    let mut left = count;
    while left > 0 {
        let k = left.min(step);
        mul_small(&mut mag, base.pow(k));
        left -= k;
    }
    Dec { neg: false, mag, scale: if e >= 0 { 0 } else { (-e) as u32 } }
}

fn push_escaped(c: char, out: &mut String) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
    }
}

/// `JSON.stringify(s)` for a Rust string.
pub fn js_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(c, &mut out);
    }
    out.push('"');
    out
}

/// `JSON.stringify(s)` for a JS string given as UTF-16 code units: pairs are characters,
/// lone surrogates become lowercase `\udxxx` escapes (well-formed JSON.stringify, ES2019).
pub fn js_quote_units(units: &[u16]) -> String {
    let mut out = String::with_capacity(units.len() + 2);
    out.push('"');
    for r in char::decode_utf16(units.iter().copied()) {
        match r {
            Ok(c) => push_escaped(c, &mut out),
            Err(e) => out.push_str(&format!("\\u{:04x}", e.unpaired_surrogate())),
        }
    }
    out.push('"');
    out
}

/// The Rust string a JS string becomes after `mark_lone_surrogates`: each lone surrogate
/// replaced by U+FFFF.
pub fn marked_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied()).map(|r| r.unwrap_or('\u{FFFF}')).collect()
}

// ---------------------------------------------------------------------------------------
// json_writer: to_js_json against the JSON.stringify reference and a serde_json round trip
// ---------------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Record {
    s: String,
    f: f64,
    n: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<String>,
    v: Vec<f64>,
}

/// The string, float and struct properties of the writer for one value.
pub fn check_js_string(s: &str) {
    let out = to_js_json(s).expect("a string always serializes");
    assert_eq!(out, js_quote(s), "to_js_json(string) differs from JSON.stringify");
    let back: String = serde_json::from_str(&out).expect("writer output parses");
    assert_eq!(back, s, "string round trip");
}

/// Note: the round trip reads the number text with Rust's correctly rounded `str::parse`.
/// serde_json's own `f64` parsing is not correctly rounded without its `float_roundtrip`
/// feature (`1.535232324934417e-125` reads back one ulp off); the crate never reads floats
/// with it (`arbitrary_precision` keeps number texts, which `rust_decimal` reads exactly).
pub fn check_js_number(x: f64) {
    let out = to_js_json(&x).expect("a float always serializes");
    assert_eq!(out, es_number(x), "to_js_json({x:e}) differs from JSON.stringify");
    if x.is_finite() {
        let back: f64 = out.parse().expect("number text parses");
        assert!(back == x, "float round trip: {x:e} -> {out} -> {back:e}");
        let v: Value = serde_json::from_str(&out).expect("serde_json reads it");
        let text = v.to_string();
        assert!(v.is_number() && text == out, "serde_json reads {out} as {v}");
    }
}

/// A JSON number's value as Rust's correctly rounded parser reads its text.
fn json_f64(v: &Value) -> Option<f64> {
    v.as_number().and_then(|n| n.to_string().parse().ok())
}

/// Properties of `to_js_json`: strings escape exactly as `JSON.stringify`, floats print as
/// ECMAScript, integers as JS numbers, structs compact in field order; the output parses
/// back (serde_json) to the same value.
pub fn json_writer(data: &[u8]) {
    let mut src = Src::new(data);
    match src.byte() % 4 {
        0 => check_js_string(&String::from_utf8_lossy(src.rest())),
        1 => check_js_number(f64::from_bits(src.u64())),
        2 => {
            let n = src.u64() & ((1u64 << 53) - 1);
            let out = to_js_json(&n).expect("u64 serializes");
            assert_eq!(out, es_number(n as f64), "integer {n} printed unlike JSON.stringify");
        }
        _ => {
            let count = src.below(4);
            let mut recs = Vec::new();
            let mut expected = String::from("[");
            for i in 0..count {
                let len = src.below(12);
                let s: String = (0..len).map(|_| gen_char(&mut src)).collect();
                let f = f64::from_bits(src.u64());
                let n = src.u64() & ((1u64 << 53) - 1);
                let o: Option<String> =
                    if src.chance(1, 2) { Some((0..src.below(6)).map(|_| gen_char(&mut src)).collect()) } else { None };
                let v: Vec<f64> = (0..src.below(3)).map(|_| f64::from_bits(src.u64())).collect();
                if i > 0 {
                    expected.push(',');
                }
                expected.push_str(&format!(
                    "{{\"s\":{},\"f\":{},\"n\":{}",
                    js_quote(&s),
                    es_number(f),
                    es_number(n as f64)
                ));
                if let Some(o) = &o {
                    expected.push_str(&format!(",\"o\":{}", js_quote(o)));
                }
                let items: Vec<String> = v.iter().map(|&x| es_number(x)).collect();
                expected.push_str(&format!(",\"v\":[{}]}}", items.join(",")));
                recs.push(Record { s, f, n, o, v });
            }
            expected.push(']');
            let out = to_js_json(&recs).expect("records serialize");
            assert_eq!(out, expected, "struct output differs from JSON.stringify");
            let back: Vec<Value> = serde_json::from_str(&out).expect("writer output parses");
            assert_eq!(back.len(), recs.len());
            for (v, r) in back.iter().zip(&recs) {
                assert_eq!(v["s"].as_str(), Some(r.s.as_str()));
                if r.f.is_finite() {
                    assert!(json_f64(&v["f"]) == Some(r.f), "f round trip");
                } else {
                    assert!(v["f"].is_null(), "NaN and infinities are null");
                }
                let vs: Vec<Option<f64>> = v["v"].as_array().expect("v").iter().map(json_f64).collect();
                let want: Vec<Option<f64>> = r.v.iter().map(|&x| x.is_finite().then_some(x)).collect();
                assert!(vs.iter().zip(&want).all(|(a, b)| a == b) && vs.len() == want.len(), "v round trip");
                assert_eq!(v["n"].as_u64(), Some(r.n));
                assert_eq!(v.get("o").and_then(Value::as_str), r.o.as_deref());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// surrogates: mark_lone_surrogates
// ---------------------------------------------------------------------------------------

/// `mark_lone_surrogates` on `JSON.stringify` output of any JS string (lone surrogates
/// included) gives JSON that parses to the string with U+FFFF for each lone surrogate, and
/// never changes the length; on arbitrary text it never panics and leaves JSON that
/// already parses untouched.
pub fn surrogates(data: &[u8]) {
    let mut src = Src::new(data);
    match src.byte() % 3 {
        0 | 1 => {
            let rest = src.rest();
            let units: Vec<u16> = rest.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            let text = js_quote_units(&units);
            let wrapped = if data.first().copied().unwrap_or(0) % 3 == 1 {
                format!("{{\"k\\ud800\":[{text},\"\\\\ud800\",{text}]}}")
            } else {
                text.clone()
            };
            let marked = mark_lone_surrogates(&wrapped);
            assert_eq!(marked.len(), wrapped.len(), "marking changed the length");
            let expected = marked_string(&units);
            if wrapped.len() == text.len() {
                let back: String = serde_json::from_str(&marked).expect("marked JSON.stringify output parses");
                assert_eq!(back, expected);
            } else {
                let back: Value = serde_json::from_str(&marked).expect("marked JSON.stringify output parses");
                let arr = back["k\u{FFFF}"].as_array().expect("array under the marked key");
                assert_eq!(arr[0].as_str(), Some(expected.as_str()));
                assert_eq!(arr[1].as_str(), Some("\\ud800"), "an escaped backslash is not an escape");
                assert_eq!(arr[2].as_str(), Some(expected.as_str()));
            }
        }
        _ => {
            let text = String::from_utf8_lossy(src.rest());
            let marked = mark_lone_surrogates(&text);
            assert_eq!(marked.len(), text.len(), "marking changed the length");
            if serde_json::from_str::<Value>(&text).is_ok() {
                assert_eq!(marked, text, "valid JSON was changed");
            }
            // Idempotent: marking marked text changes nothing more.
            assert_eq!(mark_lone_surrogates(&marked), marked);
        }
    }
}

// ---------------------------------------------------------------------------------------
// money: parsing, exact arithmetic, digits, formatting
// ---------------------------------------------------------------------------------------

fn money_ref(m: &Money) -> Dec {
    parse_plain_ref(&m.to_plain_string()).expect("to_plain_string is a plain decimal")
}

/// Whether `rust_decimal` must be able to read this number text exactly: modest as written.
fn comfortably_representable(s: &str) -> bool {
    let Some(t) = number_text(s) else { return false };
    let Some(NumRef::Exact(d)) = parse_number_ref(s) else { return false };
    t.mantissa_digits.len() <= 28 && (0..=28).contains(&t.written_scale) && d.representable()
}

fn check_parse_plain(s: &str) {
    match Money::parse_plain(s) {
        Ok(m) => {
            let want = parse_plain_ref(s).expect("parse_plain accepted a non-plain text");
            assert_eq!(m.to_plain_string(), want.plain(), "parse_plain({s:?}) is not exact");
            assert_eq!(m.significant_digits(), want.significant_digits(), "significant digits of {s:?}");
            assert_eq!(m.fraction_digits(), want.fraction_digits(), "fraction digits of {s:?}");
            assert_eq!(m.integer_digits(), want.integer_digits(), "integer digits of {s:?}");
            assert_eq!(m.is_negative(), want.neg, "sign of {s:?}");
            assert_eq!(m.is_zero(), want.is_zero());
        }
        Err(MoneyError::Syntax) => assert!(!is_plain_syntax(s), "parse_plain refused plain {s:?} as syntax"),
        Err(MoneyError::TooPrecise) => {
            assert!(is_plain_syntax(s), "TooPrecise for a non-plain text {s:?}");
            assert!(!comfortably_representable(s), "parse_plain refused {s:?}, which fits exactly");
        }
    }
}

fn check_parse_json_number(s: &str) {
    let got = Money::parse_json_number(s);
    if let Ok(m) = &got {
        match parse_number_ref(s) {
            Some(NumRef::Exact(d)) => {
                assert_eq!(m.to_plain_string(), d.plain(), "parse_json_number({s:?}) is not exact")
            }
            other => panic!("parse_json_number accepted {s:?} (reference: {other:?}) as {m}"),
        }
    } else if comfortably_representable(s) {
        panic!("parse_json_number refused {s:?}, which fits exactly: {got:?}");
    }
}

fn check_decimal_text(s: &str) {
    match decimal_text(s) {
        Ok(out) => {
            if is_plain_syntax(s) {
                assert_eq!(out, s, "a plain decimal must be returned unchanged");
            } else {
                assert!(is_plain_syntax(&out), "decimal_text({s:?}) = {out:?} is not plain");
                match parse_number_ref(s) {
                    Some(NumRef::Exact(d)) => {
                        assert_eq!(out, d.plain(), "decimal_text({s:?}) lost or changed digits")
                    }
                    other => panic!("decimal_text accepted {s:?} (reference: {other:?}) as {out}"),
                }
            }
        }
        Err(_) => {
            assert!(!is_plain_syntax(s), "decimal_text refused a plain decimal");
            assert!(!comfortably_representable(s), "decimal_text refused {s:?}, which fits exactly");
        }
    }
}

/// A decimal that `rust_decimal` holds, from the fuzzer's bytes.
fn gen_dec(src: &mut Src<'_>) -> Dec {
    let b = src.byte();
    let mag = src.u128_96() >> (b % 4 * 24); // small magnitudes too
    let scale = u32::from(src.byte()) % 29;
    Dec::from_u128(mag, b & 0x80 != 0, scale)
}

fn money_of(d: &Dec) -> Money {
    let text = if d.neg { format!("-{}", plain_at_scale(d)) } else { plain_at_scale(d) };
    let m = Money::parse_plain(&text).unwrap_or_else(|e| panic!("parse_plain({text}) failed: {e:?}"));
    assert_eq!(m.to_plain_string(), d.plain(), "parse_plain({text})");
    m
}

/// The unsigned value written at its own scale (trailing zeros kept).
fn plain_at_scale(d: &Dec) -> String {
    let digits = d.digits();
    let scale = d.scale as usize;
    if scale == 0 {
        digits
    } else if digits.len() > scale {
        format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
    } else {
        format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
    }
}

fn check_arithmetic(src: &mut Src<'_>) {
    let (a, b) = (gen_dec(src), gen_dec(src));
    let (ma, mb) = (money_of(&a), money_of(&b));
    let (na, nb) = (a.normalized(), b.normalized());

    let sum = a.add(&b);
    match ma.checked_add(mb) {
        Some(r) => assert_eq!(r.to_plain_string(), sum.plain(), "{} + {} is not exact", a.plain(), b.plain()),
        None => assert!(
            !na.add(&nb).fits_at_own_scale(),
            "{} + {} = {} fits, but checked_add refused it",
            a.plain(),
            b.plain(),
            sum.plain()
        ),
    }

    let product = a.mul(&b);
    match ma.checked_mul(mb) {
        Some(r) => {
            assert_eq!(r.to_plain_string(), product.plain(), "{} × {} is not exact", a.plain(), b.plain())
        }
        None => assert!(
            !na.mul(&nb).fits_at_own_scale(),
            "{} × {} = {} fits, but checked_mul refused it",
            a.plain(),
            b.plain(),
            product.plain()
        ),
    }

    // Informative division: never panics; when it answers, it is within the requested
    // places (or rust_decimal's 28 digits for huge quotients) of the exact quotient.
    let places = u32::from(src.byte()) % 40;
    match ma.checked_div_rounded(mb, places) {
        Some(q) => {
            assert!(!b.is_zero(), "division by zero answered");
            let q = money_ref(&q);
            let err = q.mul(&b).sub(&a).abs();
            let bound = b.abs().mul(&Dec::ulp(places.min(28))).add(&a.abs().mul(&Dec::ulp(26)));
            assert!(
                err.cmp_abs(&bound) != std::cmp::Ordering::Greater,
                "{} / {} to {places} places = {} is off",
                a.plain(),
                b.plain(),
                q.plain()
            );
        }
        None => {
            let limit = b.abs().mul(&Dec::from_parts(false, &format!("1{}", "0".repeat(27)), 0));
            assert!(b.is_zero() || a.cmp_abs(&limit) != std::cmp::Ordering::Less, "division refused");
        }
    }
}

/// A price that the price rules accept: up to 12 integer digits, 8 fraction digits, 15
/// significant digits.
fn gen_price(src: &mut Src<'_>) -> Dec {
    let frac = src.below(9) as u32;
    let int = src.below(13) as u32;
    let max_sig = 15u32;
    let total = (int + frac).min(max_sig).max(1);
    let mut digits = String::new();
    for i in 0..total {
        let d = src.below(10) as u8;
        digits.push(char::from(b'0' + if i == 0 && total > frac { d.max(1) } else { d }));
    }
    Dec::from_parts(false, &digits, frac.min(total))
}

fn check_price_formatting(src: &mut Src<'_>) {
    let d = gen_price(src);
    let m = money_of(&d);
    let checked = validate::check_price(m);
    let fits_rules = d.fraction_digits() <= 8 && d.integer_digits() <= 12 && d.significant_digits() <= 15;
    assert_eq!(checked.is_ok(), fits_rules, "check_price({}) = {checked:?}", d.plain());
    if fits_rules {
        // The number sent has exactly the price's digits.
        assert_eq!(m.to_js_number_string(), d.es_string(), "price {} is not sent with its own digits", d.plain());
        assert_eq!(to_js_json(&m.to_f64()).expect("float"), d.es_string());
    }
}

/// Money: parsing (plain, JSON number, response amounts) is exact or refused; sums and
/// products are exact or refused, never rounded; digit counts are right; a price that
/// passes the rules is sent with exactly its digits.
pub fn money(data: &[u8]) {
    let mut src = Src::new(data);
    match src.byte() % 5 {
        0 => check_parse_plain(&String::from_utf8_lossy(src.rest())),
        1 => check_parse_json_number(&String::from_utf8_lossy(src.rest())),
        2 => check_decimal_text(&String::from_utf8_lossy(src.rest())),
        3 => check_arithmetic(&mut src),
        _ => check_price_formatting(&mut src),
    }
}

// ---------------------------------------------------------------------------------------
// Generated JSON documents (with JS strings: lone surrogates possible)
// ---------------------------------------------------------------------------------------

/// A JSON value as a JS program would hand it over: strings are UTF-16 code units, numbers
/// are their exact text.
#[derive(Clone, Debug)]
pub enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(Vec<u16>),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn s(text: &str) -> J {
        J::Str(text.encode_utf16().collect())
    }

    /// `JSON.stringify` of the value.
    pub fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(t) => out.push_str(t),
            J::Str(u) => out.push_str(&js_quote_units(u)),
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&js_quote(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

const CHAR_RANGES: &[(u32, u32)] = &[
    (0x61, 0x7a),
    (0x20, 0x7e),
    (0x00, 0x1f),
    (0x22, 0x22),
    (0x5c, 0x5c),
    (0x7f, 0xff),
    (0x2028, 0x2029),
    (0x4e00, 0x4fff),
    (0xe000, 0xe0ff),
    (0xfff0, 0xfffe),
    (0x1f300, 0x1f6ff),
    (0x10000, 0x10ffff),
];

/// Any Unicode scalar value but U+FFFF (the validator's mark), biased to the tricky ones.
fn gen_char(src: &mut Src<'_>) -> char {
    let (lo, hi) = CHAR_RANGES[src.below(CHAR_RANGES.len())];
    let span = (hi - lo + 1) as usize;
    let c = lo + src.below(span) as u32;
    char::from_u32(c).filter(|&c| c != '\u{FFFF}').unwrap_or('x')
}

fn gen_free_text(src: &mut Src<'_>, max_chars: usize) -> String {
    let n = if src.chance(1, 16) { max_chars } else { 1 + src.below(max_chars.min(12)) };
    (0..n).map(|_| gen_char(src)).collect()
}

const ID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";

fn gen_id(src: &mut Src<'_>, max_chars: usize) -> String {
    let n = if src.chance(1, 16) { max_chars } else { 1 + src.below(max_chars.min(16)) };
    (0..n).map(|_| char::from(ID_CHARS[src.below(ID_CHARS.len())])).collect()
}

fn gen_code(src: &mut Src<'_>) -> String {
    const COMMON: &[&str] = &["EUR", "BTC", "GBP", "ETH", "USDT", "XRP", "XDB"];
    if !src.chance(1, 4) {
        return COMMON[src.below(COMMON.len())].to_string();
    }
    let mut s = String::new();
    s.push(char::from(b'A' + src.below(26) as u8));
    for _ in 0..1 + src.below(9) {
        const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        s.push(char::from(TAIL[src.below(TAIL.len())]));
    }
    s
}

fn gen_alnum(src: &mut Src<'_>, max: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..1 + src.below(max)).map(|_| char::from(A[src.below(A.len())])).collect()
}

fn gen_email(src: &mut Src<'_>) -> String {
    const COMMON: &[&str] = &["jane@example.com", "first.last+tag@sub.example.co.uk", "x_y@ex-ample.io", "a@b.co"];
    if !src.chance(1, 2) {
        return COMMON[src.below(COMMON.len())].to_string();
    }
    let mut local = gen_alnum(src, 10);
    if src.chance(1, 3) {
        local = format!("{local}.{}", gen_alnum(src, 6));
    }
    let mut domain = gen_alnum(src, 10);
    if src.chance(1, 3) {
        domain = format!("{domain}.{}", gen_alnum(src, 8));
    }
    const TLD: &[&str] = &["com", "io", "co", "it", "museum"];
    format!("{local}@{domain}.{}", TLD[src.below(TLD.len())])
}

const BAD_EMAILS: &[&str] = &[
    "plain",
    "@example.com",
    "a@",
    "a@b",
    "a b@example.com",
    "a@example.com.",
    "a@@example.com",
    "\"q\"@example.com",
    "a@[127.0.0.1]",
    "a@.example.com",
    "a@example..com",
    ".a@example.com",
];

/// What a generated field is: the JSON to send, and the value the validator must keep (for
/// a valid choice) or `None` with the field expected in the errors.
struct Gen<T> {
    json: Option<J>,
    value: Option<T>,
    broken: bool,
}

fn ok<T>(json: J, value: T) -> Gen<T> {
    Gen { json: Some(json), value: Some(value), broken: false }
}

fn absent<T>(broken: bool) -> Gen<T> {
    Gen { json: None, value: None, broken }
}

fn bad<T>(json: J) -> Gen<T> {
    Gen { json: Some(json), value: None, broken: true }
}

fn lone_surrogate_text(src: &mut Src<'_>) -> J {
    let mut units: Vec<u16> = "ab".encode_utf16().collect();
    let lone = if src.chance(1, 2) { 0xD800 + src.below(0x400) as u16 } else { 0xDC00 + src.below(0x400) as u16 };
    units.insert(src.below(3), lone);
    J::Str(units)
}

/// Not a number and not a numeric string.
fn non_number(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Bool(true),
        1 => J::Bool(false),
        2 => J::Arr(vec![J::Num(String::from("1"))]),
        _ => J::Obj(vec![]),
    }
}

fn wrong_type(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Num(String::from("5")),
        1 => J::Bool(true),
        2 => J::Arr(vec![J::s("x")]),
        _ => J::Obj(vec![]),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Free,
    Id,
    Code,
    Email,
}

/// A text field: valid most of the time, otherwise one way of breaking it.
fn gen_text_field(src: &mut Src<'_>, required: bool, max: usize, kind: Kind) -> Gen<String> {
    let valid = |src: &mut Src<'_>| match kind {
        Kind::Free => gen_free_text(src, max),
        Kind::Id => gen_id(src, max),
        Kind::Code => gen_code(src),
        Kind::Email => gen_email(src),
    };
    match src.below(if required { 16 } else { 20 }) {
        0..=9 => {
            let v = valid(src);
            ok(J::s(&v), v)
        }
        10 => absent(required),
        11 => Gen { json: Some(J::Null), value: None, broken: required },
        12 => bad(J::s("")),
        13 => {
            let long: String = match kind {
                Kind::Free => (0..max + 1).map(|_| gen_char(src)).collect(),
                Kind::Code => String::from("ABCDEFGHIJK"),
                Kind::Id => "a".repeat(max + 1),
                Kind::Email => format!("{}@example.com", "a".repeat(max)),
            };
            bad(J::s(&long))
        }
        14 => bad(wrong_type(src)),
        15 => bad(lone_surrogate_text(src)),
        _ => match kind {
            // Kind-specific mistakes; for free text (optional fields) a valid value.
            Kind::Id => bad(J::s(["order/1", "a b", "#1", "é"][src.below(4)])),
            Kind::Code => bad(J::s(["eur", "E", "1BTC", "BTC ", "ÉUR", "EU-R"][src.below(6)])),
            Kind::Email => bad(J::s(BAD_EMAILS[src.below(BAD_EMAILS.len())])),
            Kind::Free => {
                let v = valid(src);
                ok(J::s(&v), v)
            }
        },
    }
}

/// A product price: the JSON to send and its exact value (`None` when it breaks a rule).
fn gen_price_field(src: &mut Src<'_>) -> Gen<Dec> {
    match src.below(24) {
        0..=7 => {
            // A number as JSON.stringify prints it.
            let d = gen_price(src);
            ok(J::Num(d.es_string()), d)
        }
        8..=11 => {
            // A plain decimal string, maybe with trailing or leading zeros.
            let d = gen_price(src);
            let mut t = plain_at_scale(&d);
            if src.chance(1, 3) {
                t = format!("{t}{}", if t.contains('.') { "0" } else { ".00" });
            }
            if src.chance(1, 8) {
                t = format!("0{t}");
            }
            ok(J::s(&t), d)
        }
        12 => {
            // Another client's number text: mantissa and exponent.
            let d = gen_price(src);
            let t = format!("{}e-{}", d.digits(), d.scale);
            ok(J::Num(t), d)
        }
        13 => ok(J::Num(String::from("-0")), Dec::zero()),
        14 => bad(J::Num(format!("-{}", gen_price(src).normalized().add(&Dec::ulp(2)).es_string()))),
        15 => bad(J::s(&format!("1.{}1", "0".repeat(8)))),
        16 => bad(J::Num(String::from("1000000000000"))),
        17 => bad(J::s("123456789012.1234")),
        18 => bad(J::Num(String::from("0.30000000000000004"))),
        19 => bad(J::s(["1e3", "abc", "", " 1", "1,5", ".5", "5.", "+1", "NaN"][src.below(9)])),
        20 => bad(J::Null),
        21 => absent(true),
        22 => bad(J::Num(["1e400", "1e-30", "1.5e-29", "9.999e-9"][src.below(4)].to_string())),
        _ => bad(non_number(src)),
    }
}

fn gen_amount_field(src: &mut Src<'_>) -> Gen<u64> {
    match src.below(20) {
        0..=7 => {
            let n = 1 + (src.u64() % if src.chance(1, 2) { 9 } else { 1_000_000_000 });
            ok(J::Num(n.to_string()), n)
        }
        8..=9 => {
            let n = 1 + (src.u64() % 1_000_000_000);
            ok(J::s(&n.to_string()), n)
        }
        10 => ok(J::Num(String::from("1e3")), 1000),
        11 => ok(J::Num(String::from("2.0")), 2),
        12 => ok(J::s("007"), 7),
        13 => ok(J::Num(String::from("1000000000")), 1_000_000_000),
        14 => bad(J::Num(["0", "1000000001", "-1", "1.5", "1e10", "9007199254740993"][src.below(6)].to_string())),
        15 => bad(J::s(["1.0", "", "+1", "-1", "1e3", " 1"][src.below(6)])),
        16 => bad(J::Null),
        17 => absent(true),
        _ => bad(non_number(src)),
    }
}

fn gen_timestamp_field(src: &mut Src<'_>) -> Gen<Option<u64>> {
    match src.below(16) {
        0..=4 => Gen { json: None, value: Some(None), broken: false },
        5..=9 => {
            let t = 1_000_000_000_000 + src.u64() % 9_000_000_000_000;
            ok(J::Num(t.to_string()), Some(t))
        }
        10 => {
            let t = 1_000_000_000_000 + src.u64() % 9_000_000_000_000;
            ok(J::s(&t.to_string()), Some(t))
        }
        11 => bad(J::Num((1_000_000_000 + src.u64() % 9_000_000_000).to_string())), // seconds
        12 => bad(J::Num(["999999999999", "10000000000000", "1715430961064.5", "-1715430961064"][src.below(4)].into())),
        13 => bad(J::Null),
        14 => bad(J::s("yesterday")),
        _ => bad(non_number(src)),
    }
}

/// A valid product line: name, price, amount, id, type.
type LineValue = (String, Dec, u64, String, String);

struct GenLine {
    json: J,
    value: Option<LineValue>,
    errors: Vec<String>,
}

fn non_object(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Num(String::from("5")),
        1 => J::Bool(true),
        2 => J::Null,
        _ => J::Arr(vec![]),
    }
}

fn gen_line(src: &mut Src<'_>, path: &str) -> GenLine {
    if src.chance(1, 40) {
        return GenLine { json: non_object(src), value: None, errors: vec![path.to_string()] };
    }
    let name = gen_text_field(src, true, 200, Kind::Free);
    let price = gen_price_field(src);
    let amount = gen_amount_field(src);
    let id = gen_text_field(src, true, 100, Kind::Free);
    let kind = gen_text_field(src, true, 50, Kind::Free);
    let mut errors = Vec::new();
    let mut fields: Vec<(String, J)> = Vec::new();
    let mut push = |key: &str, json: Option<J>, broken: bool| {
        if let Some(j) = json {
            fields.push((key.to_string(), j));
        }
        if broken {
            errors.push(format!("{path}.{key}"));
        }
    };
    push("product_name", name.json, name.broken);
    push("product_price", price.json, price.broken);
    push("product_amount", amount.json, amount.broken);
    push("product_id", id.json, id.broken);
    push("product_type", kind.json, kind.broken);
    if src.chance(1, 30) {
        fields.push(("product_qty".into(), J::Num("1".into())));
        errors.push(format!("{path}.product_qty"));
    }
    if src.chance(1, 4) {
        let n = fields.len();
        fields.rotate_left(src.below(n.max(1)));
    }
    let value = match (name.value, price.value, amount.value, id.value, kind.value) {
        (Some(n), Some(p), Some(a), Some(i), Some(k)) if errors.is_empty() => Some((n, p, a, i, k)),
        _ => None,
    };
    GenLine { json: J::Obj(fields), value, errors }
}

/// The cart total as `product::total` computes it: exact line totals summed with
/// `Money::checked_add`, whose contract (checked by the `money` target) is: the exact sum,
/// or a refusal exactly when the sum does not fit `rust_decimal` at the larger of the two
/// (normalized) scales. `None` when refused.
fn total_model<'a>(lines: impl Iterator<Item = (&'a Dec, u64)>) -> Option<Dec> {
    let mut acc = Dec::zero();
    for (price, amount) in lines {
        let line = price.mul(&Dec::from_u128(u128::from(amount), false, 0)).normalized();
        // Totals are exact u128 sums: within the product rules they never overflow.
        acc = acc.normalized().add(&line);
    }
    Some(acc)
}

/// The products array: JSON, the valid lines (when all are), and the expected errors.
struct GenProducts {
    json: Option<J>,
    lines: Option<Vec<LineValue>>,
    errors: Vec<String>,
}

fn gen_products(src: &mut Src<'_>) -> GenProducts {
    match src.below(40) {
        0 => GenProducts { json: Some(J::Arr(vec![])), lines: None, errors: vec!["products".into()] },
        1 => GenProducts { json: None, lines: None, errors: vec!["products".into()] },
        2 => GenProducts { json: Some(J::Null), lines: None, errors: vec!["products".into()] },
        3 => GenProducts { json: Some(J::s("x")), lines: None, errors: vec!["products".into()] },
        _ => {
            let n = 1 + src.below(4);
            let mut items = Vec::new();
            let mut lines = Vec::new();
            let mut errors = Vec::new();
            for i in 0..n {
                let line = gen_line(src, &format!("products[{i}]"));
                items.push(line.json);
                errors.extend(line.errors);
                if let Some(v) = line.value {
                    lines.push(v);
                }
            }
            let lines = if errors.is_empty() { Some(lines) } else { None };
            if let Some(lines) = &lines {
                let total = total_model(lines.iter().map(|(_, p, a, _, _)| (p, *a)));
                if total.is_none_or(|t| t.is_zero()) {
                    errors.push("products".into()); // a zero total
                }
            }
            GenProducts { json: Some(J::Arr(items)), lines, errors }
        }
    }
}

/// The initiate input model: build an input field by field, predict the exact set of fields
/// the validator reports, and for a valid input the exact values kept, the exact body
/// bytes (JSON.stringify of the documented request object) and a signature over them.
pub fn initiate_gen(data: &[u8]) {
    let mut src = Src::new(data);
    let kind = if src.chance(1, 4) { PaymentKind::Request } else { PaymentKind::Initiate };
    let mut expected_errors: BTreeSet<String> = BTreeSet::new();
    let mut fields: Vec<(String, J)> = Vec::new();
    fn put(fields: &mut Vec<(String, J)>, errs: &mut BTreeSet<String>, key: &str, json: Option<J>, broken: bool) {
        if let Some(j) = json {
            fields.push((key.to_string(), j));
        }
        if broken {
            errs.insert(key.to_string());
        }
    }

    let sci = match src.below(12) {
        0 => ok(J::s(CLIENT_ID), CLIENT_ID.to_string()),
        1 => bad(J::s("beef0000-0000-4000-8000-000000000002")),
        2 => bad(J::s("")),
        3 => bad(wrong_type(&mut src)),
        _ => absent(false),
    };
    put(&mut fields, &mut expected_errors, "service_client_id", sci.json, sci.broken);
    let pri = gen_text_field(&mut src, true, 100, Kind::Id);
    put(&mut fields, &mut expected_errors, "payment_request_id", pri.json, pri.broken);
    let input_coin = gen_text_field(&mut src, true, 10, Kind::Code);
    put(&mut fields, &mut expected_errors, "input_coin", input_coin.json, input_coin.broken);
    let products = gen_products(&mut src);
    if let Some(j) = products.json.clone() {
        fields.push(("products".into(), j));
    }
    expected_errors.extend(products.errors.iter().cloned());
    let email = gen_text_field(&mut src, true, 254, Kind::Email);
    put(&mut fields, &mut expected_errors, "email", email.json, email.broken);
    let surname = gen_text_field(&mut src, false, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "surname", surname.json, surname.broken);
    let name = gen_text_field(&mut src, false, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "name", name.json, name.broken);
    let user_id = gen_text_field(&mut src, true, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "user_id", user_id.json, user_id.broken);
    let timestamp = gen_timestamp_field(&mut src);
    put(&mut fields, &mut expected_errors, "timestamp", timestamp.json, timestamp.broken);
    let destination_coin = gen_text_field(&mut src, kind == PaymentKind::Initiate, 10, Kind::Code);
    let urlcallback = match src.below(8) {
        0 => {
            let u = format!("https://shop.example/{}", gen_id(&mut src, 20));
            ok(J::s(&u), u)
        }
        1 => ok(J::s("http://127.0.0.1:3000/cb"), String::from("http://127.0.0.1:3000/cb")),
        2 => bad(J::s("ftp://shop.example/cb")),
        3 => bad(J::s("")),
        _ => absent(false),
    };
    match kind {
        PaymentKind::Initiate => {
            put(&mut fields, &mut expected_errors, "destination_coin", destination_coin.json, destination_coin.broken);
            // urlcallback is not an initiate field: present means an unknown-field error.
            let present = urlcallback.json.is_some();
            put(&mut fields, &mut expected_errors, "urlcallback", urlcallback.json.clone(), present);
        }
        PaymentKind::Request => {
            let present = destination_coin.json.is_some();
            put(&mut fields, &mut expected_errors, "destination_coin", destination_coin.json.clone(), present);
            put(&mut fields, &mut expected_errors, "urlcallback", urlcallback.json.clone(), urlcallback.broken);
        }
    }
    if src.chance(1, 20) {
        let key = ["destinaton_coin", "Email", "", "amount", "products "][src.below(5)];
        fields.push((key.to_string(), J::Num("1".into())));
        expected_errors.insert(key.to_string());
    }
    if src.chance(1, 4) {
        let n = fields.len();
        fields.rotate_left(src.below(n.max(1)));
    }
    let doc = J::Obj(fields);
    let text = doc.text();

    let got = initiate::parse_input(&text, kind, Some(CLIENT_ID));
    let got_fields: BTreeSet<String> = match &got {
        Ok(_) => BTreeSet::new(),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Validation, "{text}");
            e.errors.iter().map(|f| f.field.clone()).collect()
        }
    };
    assert_eq!(got_fields, expected_errors, "fields reported for {kind:?} input {text}");
    let Ok(input) = got else { return };

    // Valid: every value kept exactly.
    let lines = products.lines.expect("valid products");
    assert_eq!(Some(&input.payment_request_id), pri.value.as_ref());
    assert_eq!(Some(&input.input_coin), input_coin.value.as_ref());
    assert_eq!(Some(&input.email), email.value.as_ref());
    assert_eq!(input.surname, surname.value);
    assert_eq!(input.name, name.value);
    assert_eq!(Some(&input.user_id), user_id.value.as_ref());
    assert_eq!(Some(input.timestamp), timestamp.value);
    assert_eq!(input.products.len(), lines.len());
    for (p, (n, price, amount, id, k)) in input.products.iter().zip(&lines) {
        assert_eq!((&p.name, &p.id, &p.kind, p.amount), (n, id, k, *amount));
        assert_eq!(p.price.to_plain_string(), price.plain(), "price kept exactly");
    }
    let total = total_model(lines.iter().map(|(_, p, a, _, _)| (p, *a))).expect("a valid cart has a total");
    assert_eq!(input.total.to_plain_string(), total.plain(), "exact cart total");

    // The body: JSON.stringify of the documented object, in the documented field order.
    let mut want = format!(
        "{{\"service_client_id\":{},\"payment_request_id\":{},\"input_coin\":{},\"products\":[",
        js_quote(CLIENT_ID),
        js_quote(&input.payment_request_id),
        js_quote(&input.input_coin)
    );
    for (i, (n, price, amount, id, k)) in lines.iter().enumerate() {
        if i > 0 {
            want.push(',');
        }
        want.push_str(&format!(
            "{{\"product_name\":{},\"product_price\":{},\"product_amount\":{amount},\"product_id\":{},\"product_type\":{}}}",
            js_quote(n),
            price.es_string(),
            js_quote(id),
            js_quote(k)
        ));
    }
    want.push_str(&format!("],\"email\":{}", js_quote(&input.email)));
    if let Some(s) = &input.surname {
        want.push_str(&format!(",\"surname\":{}", js_quote(s)));
    }
    if let Some(s) = &input.name {
        want.push_str(&format!(",\"name\":{}", js_quote(s)));
    }
    want.push_str(&format!(
        ",\"user_id\":{},\"timestamp\":{}",
        js_quote(&input.user_id),
        input.timestamp.unwrap_or(NOW_MS)
    ));
    match kind {
        PaymentKind::Initiate => {
            let coin = destination_coin.value.expect("valid coin");
            want.push_str(&format!(",\"destination_coin\":{}", js_quote(&coin)));
        }
        PaymentKind::Request => {
            if let Some(u) = &urlcallback.value {
                want.push_str(&format!(",\"urlcallback\":{}", js_quote(u)));
            }
        }
    }
    want.push('}');
    let body = input.body(CLIENT_ID, NOW_MS).expect("body");
    assert_eq!(body, want, "body is not JSON.stringify of the request object");
    check_body_round_trip(&body, kind);

    #[cfg(feature = "signer")]
    {
        let client = test_client();
        let prepared = match kind {
            PaymentKind::Initiate => client.prepare_initiate(&text, NOW_MS),
            PaymentKind::Request => client.prepare_request(&text, NOW_MS),
        }
        .expect("a valid input prepares");
        assert_eq!(prepared.body.as_deref(), Some(body.as_str()), "prepared body");
        assert!(client.signer().verify_hex(body.as_bytes(), &prepared.headers.signature));
        assert_eq!(prepared.headers.api_key, CLIENT_ID);
    }
}

/// The client the checks sign and verify with (made once per thread: fuzzing calls the
/// checks millions of times).
#[cfg(feature = "signer")]
fn test_client() -> std::rc::Rc<coinbar_pay::client::Client> {
    thread_local! {
        static CLIENT: std::rc::Rc<coinbar_pay::client::Client> = {
            let config = coinbar_pay::api::Config::new(&coinbar_pay::api::Settings {
                service_client_id: Some(CLIENT_ID),
                base_url: Some("http://127.0.0.1:8790/coinbar/api/v2"),
                ..Default::default()
            })
            .expect("config");
            std::rc::Rc::new(coinbar_pay::client::Client::new(config, SECRET).expect("client"))
        };
    }
    CLIENT.with(std::rc::Rc::clone)
}

/// The body as serde_json reads it back, for the round trip.
#[derive(Serialize, Deserialize)]
struct BodyMirror {
    service_client_id: String,
    payment_request_id: String,
    input_coin: String,
    products: Vec<ProductMirror>,
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    surname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    user_id: String,
    timestamp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_coin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    urlcallback: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ProductMirror {
    product_name: String,
    product_price: f64,
    product_amount: u64,
    product_id: String,
    product_type: String,
}

/// A body parses back (serde_json) into the same values, which re-serialize to the same
/// bytes; its prices read as exact decimals are the prices' own digits.
fn check_body_round_trip(body: &str, kind: PaymentKind) {
    let mirror: BodyMirror = serde_json::from_str(body).expect("the body parses back");
    assert_eq!(mirror.destination_coin.is_some(), kind == PaymentKind::Initiate);
    assert_eq!(to_js_json(&mirror).expect("mirror serializes"), body, "re-serialized body differs");
    let v: Value = serde_json::from_str(body).expect("the body parses back");
    for p in v["products"].as_array().expect("products") {
        let raw = p["product_price"].to_string();
        let m = Money::parse_json_number(&raw).expect("price text is a number");
        assert_eq!(m.to_js_number_string(), raw, "price text is ECMAScript's");
    }
}

/// The initiate input parser and validator on arbitrary text: no panic; the two kinds and
/// `validation_errors` agree; a valid input's body round-trips byte for byte.
pub fn initiate_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for kind in [PaymentKind::Initiate, PaymentKind::Request] {
        let parsed = initiate::parse_input(&text, kind, None);
        let errors = initiate::validation_errors(&text, kind);
        match &parsed {
            Ok(input) => {
                assert!(errors.is_empty());
                assert!(!input.total.is_zero(), "a valid cart totals more than 0 (a Total is unsigned)");
                let body = input.body(CLIENT_ID, NOW_MS).expect("body");
                check_body_round_trip(&body, kind);
                let doc: Value = serde_json::from_str(&mark_lone_surrogates(&text)).expect("a valid input is JSON");
                let products_json = serde_json::to_string(&doc["products"]).expect("products");
                // cartTotal of the same lines agrees.
                assert_eq!(cart_total_json(&products_json).ok(), Some(input.total.to_plain_string()));
            }
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::Validation);
                assert!(!e.errors.is_empty(), "a validation error lists its fields");
                assert_eq!(&errors, &e.errors);
            }
        }
        let with_id = initiate::parse_input(&text, kind, Some(CLIENT_ID));
        if parsed.is_err() {
            assert!(with_id.is_err(), "a client id can only add errors");
        }
        #[cfg(feature = "signer")]
        if let Ok(input) = &with_id {
            let client = test_client();
            let prepared = match kind {
                PaymentKind::Initiate => client.prepare_initiate(&text, NOW_MS),
                PaymentKind::Request => client.prepare_request(&text, NOW_MS),
            }
            .expect("prepares");
            let body = prepared.body.expect("POST body");
            assert_eq!(body, input.body(CLIENT_ID, NOW_MS).expect("body"));
            assert!(client.signer().verify_hex(body.as_bytes(), &prepared.headers.signature));
        }
    }
}

// ---------------------------------------------------------------------------------------
// cart_total
// ---------------------------------------------------------------------------------------

/// `cartTotal`: on generated carts the total is the exact sum (never refused within the
/// product limits); on arbitrary text it never panics and agrees with `products_errors`.
pub fn cart_total(data: &[u8]) {
    let mut src = Src::new(data);
    if src.byte() % 4 == 0 {
        let text = String::from_utf8_lossy(src.rest());
        let total = cart_total_json(&text);
        let errors = products_errors(&text);
        match &total {
            Ok(t) => {
                assert!(errors.is_empty());
                let d = parse_plain_ref(t).expect("total is plain");
                assert!(!d.neg);
            }
            Err(e) => assert_eq!(e.errors, errors),
        }
        return;
    }
    let n = if src.chance(1, 100) { 1000 } else { 1 + src.below(8) };
    let mut items = Vec::new();
    let mut want = Dec::zero();
    let mut all_valid = true;
    let mut first: Option<(J, Dec, u64)> = None;
    for i in 0..n {
        let (json, price, amount) = match (&first, i > 8) {
            (Some(f), true) => f.clone(),
            _ => {
                let p = gen_price_field(&mut src);
                let a = gen_amount_field(&mut src);
                let valid = !p.broken && !a.broken;
                if !valid {
                    all_valid = false;
                }
                let fields = vec![
                    ("product_name".to_string(), J::s("p")),
                    ("product_price".to_string(), p.json.clone().unwrap_or(J::Null)),
                    ("product_amount".to_string(), a.json.clone().unwrap_or(J::Null)),
                    ("product_id".to_string(), J::s("i")),
                    ("product_type".to_string(), J::s("t")),
                ];
                if p.json.is_none() || a.json.is_none() {
                    all_valid = false;
                }
                let line = (J::Obj(fields), p.value.unwrap_or_else(Dec::zero), a.value.unwrap_or(0));
                if first.is_none() {
                    first = Some(line.clone());
                }
                line
            }
        };
        want = want.add(&price.mul(&Dec::from_u128(amount as u128, false, 0)));
        items.push(json);
    }
    let text = J::Arr(items).text();
    match cart_total_json(&text) {
        Ok(t) => {
            assert!(all_valid, "cartTotal accepted a cart with a broken line: {text}");
            assert_eq!(t, want.plain(), "cartTotal is not the exact sum");
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Validation);
            assert!(!all_valid, "cartTotal refused a valid cart: {:?}", e.errors);
        }
    }
    // An informative conversion of the total at a generated rate never panics.
    let rate = gen_price(&mut src);
    let _ = convert_amount(&want.plain(), &rate.plain(), u32::from(src.byte()) % 32);
}

// ---------------------------------------------------------------------------------------
// Response parsers
// ---------------------------------------------------------------------------------------

const STATUSES: &[u16] = &[200, 201, 204, 299, 300, 302, 400, 401, 404, 409, 429, 500, 502, 503, 0, 199, 999];

/// HTTP status and body text from the fuzzer's bytes: the first byte picks the status (most
/// bytes mean 200), the rest is the body.
fn status_and_body(data: &[u8]) -> (u16, String) {
    let mut src = Src::new(data);
    let b = src.byte();
    let status = if b < 0xE0 { 200 } else { STATUSES[usize::from(b - 0xE0) % STATUSES.len()] };
    (status, String::from_utf8_lossy(src.rest()).into_owned())
}

/// An amount the SDK returned, checked against the raw JSON value it came from: absent or
/// null gives `None`; a plain decimal is returned unchanged; an exponent form is expanded to
/// exactly its value.
fn check_amount(out: Option<&str>, raw: Option<&Value>, what: &str) {
    let raw_text = match raw {
        None | Some(Value::Null) => {
            assert_eq!(out, None, "{what}: absent amount answered");
            return;
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => panic!("{what}: parser accepted {other} as an amount"),
    };
    let out = out.unwrap_or_else(|| panic!("{what}: present amount {raw_text} lost"));
    if is_plain_syntax(&raw_text) {
        assert_eq!(out, raw_text, "{what}: a plain decimal must be kept as sent");
    } else {
        assert!(is_plain_syntax(out), "{what}: {out} is not a plain decimal");
        match parse_number_ref(&raw_text) {
            Some(NumRef::Exact(d)) => assert_eq!(out, d.plain(), "{what}: {raw_text} expanded wrongly"),
            other => panic!("{what}: {raw_text:?} (reference {other:?}) accepted as {out}"),
        }
    }
}

fn check_opt_string(out: Option<&str>, raw: Option<&Value>, what: &str) {
    match raw {
        None | Some(Value::Null) => assert_eq!(out, None, "{what}"),
        Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
        Some(other) => panic!("{what}: parser accepted {other} as a string"),
    }
}

fn check_date(out: Option<&str>, raw: Option<&Value>, what: &str) {
    match raw {
        None | Some(Value::Null) => assert_eq!(out, None, "{what}"),
        Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
        Some(Value::Object(o)) => match o.get("$date") {
            Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
            Some(Value::Number(n)) => assert_eq!(out, Some(n.to_string().as_str()), "{what}"),
            other => panic!("{what}: accepted date object {other:?}"),
        },
        Some(other) => panic!("{what}: parser accepted {other} as a date"),
    }
}

/// The error side of every response parser: the kind follows from the status and body, the
/// error serializes, and the body it keeps is bounded.
fn check_response_error(e: &Error, status: u16, body: &str) {
    let ok_status = (200..300).contains(&status);
    if !ok_status {
        assert_eq!(e.kind, ErrorKind::Http, "status {status} must be an http error");
        assert_eq!(e.status, Some(status));
    } else {
        assert!(matches!(e.kind, ErrorKind::Decode | ErrorKind::Api), "2xx answered {:?}", e.kind);
        if e.kind == ErrorKind::Api {
            let v: Value = serde_json::from_str(body).expect("an api error comes from a JSON object");
            assert!(v.is_object());
        }
    }
    if let Some(b) = &e.body {
        assert!(b.chars().count() <= coinbar_pay::error::MAX_BODY_IN_ERROR);
        assert!(body.starts_with(b.as_str()), "error body is a prefix of the body");
    }
    let wire: Value = serde_json::from_str(&e.to_json()).expect("error wire form is JSON");
    assert!(wire["code"].is_string() && wire["message"].is_string());
}

fn result_ok(obj: &Value, required: bool) -> bool {
    match obj.get("result") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("success"),
        Some(Value::Bool(b)) => *b,
        None => !required,
        Some(_) => false,
    }
}

/// The body a successful parse came from: 2xx, a JSON object with a successful `result`.
fn success_body(status: u16, body: &str, result_required: bool) -> Value {
    assert!((200..300).contains(&status), "a {status} answer parsed as success");
    let v: Value = serde_json::from_str(body).expect("a parsed answer is JSON");
    assert!(v.is_object());
    assert!(result_ok(&v, result_required), "`result` is not success");
    v
}

/// Initiate and Request New Payment answers: parsed only from 2xx JSON objects with
/// `result` success; every amount keeps its digits; strings as sent.
pub fn response_initiate(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match initiate::parse_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, true);
            for (key, got) in [
                ("request_token", &r.request_token),
                ("payment_id_coinbar", &r.payment_id_coinbar),
                ("trade_pair", &r.trade_pair),
                ("payment_string", &r.payment_string),
                ("destination_address", &r.destination_address),
            ] {
                assert_eq!(v[key].as_str(), Some(got.as_str()), "{key}");
            }
            check_amount(Some(&r.payment_total_price), v.get("payment_total_price"), "payment_total_price");
            check_amount(Some(&r.destination_coin_change), v.get("destination_coin_change"), "destination_coin_change");
            check_amount(Some(&r.destination_amount), v.get("destination_amount"), "destination_amount");
            check_opt_string(r.destination_memo.as_deref(), v.get("destination_memo"), "destination_memo");
            serde_json::to_string(&r).expect("serializes for JS");
        }
        Err(e) => check_response_error(&e, status, &body),
    }
    match initiate::parse_request_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, true);
            assert_eq!(v["request_token"].as_str(), Some(r.request_token.as_str()));
            check_opt_string(r.payment_id_coinbar.as_deref(), v.get("payment_id_coinbar"), "payment_id_coinbar");
            #[cfg(feature = "signer")]
            {
                let client = test_client();
                match client.finish_request(status, &body, NOW_MS) {
                    Ok(done) => {
                        let url = done.gateway_url.expect("gateway url");
                        assert!(url.starts_with("http://127.0.0.1:8790/paymentgateway/pay?requestToken="));
                        assert!(!url.contains(' ') && !url.contains('+'), "query values are encoded");
                    }
                    Err(e) => {
                        assert_eq!(e.kind, ErrorKind::Validation, "only the token length can refuse");
                        assert!(r.request_token.is_empty() || r.request_token.len() > 4096);
                    }
                }
            }
        }
        Err(e) => check_response_error(&e, status, &body),
    }
}

fn check_payment(p: &status::Payment, v: &Value) {
    let status_text = v["status"].as_str().expect("status is a string");
    assert_eq!(p.status, status::PaymentStatus::parse(status_text));
    if p.status.is_known() {
        assert!(p.status.as_str().eq_ignore_ascii_case(status_text.trim()) || p.status.as_str() == "CANCELED");
    } else {
        assert_eq!(p.status.as_str(), status_text, "unknown status kept as sent");
    }
    assert_eq!(p.is_final, p.status.is_final());
    assert_eq!(p.is_paid, p.status.is_paid());
    assert!(!p.is_paid || p.is_final, "paid means final");
    assert_eq!(v["payment_id_coinbar"].as_str(), Some(p.payment_id_coinbar.as_str()));
    assert_eq!(v["payment_request_id_client"].as_str(), Some(p.payment_request_id_client.as_str()));
    check_opt_string(p.service_client_id.as_deref(), v.get("service_client_id"), "service_client_id");
    check_opt_string(p.status_descr.as_deref(), v.get("status_descr"), "status_descr");
    check_opt_string(p.input_coin.as_deref(), v.get("input_coin"), "input_coin");
    check_date(p.creation_time.as_deref(), v.get("creation_time"), "creation_time");
    check_date(p.update_time.as_deref(), v.get("update_time"), "update_time");
    let d = v.get("payment_detail").filter(|d| !d.is_null());
    let get = |k: &str| d.and_then(|d| d.get(k));
    check_opt_string(p.payment_detail.destination_coin.as_deref(), get("destination_coin"), "destination_coin");
    check_opt_string(p.payment_detail.trade_pair.as_deref(), get("trade_pair"), "trade_pair");
    check_amount(p.payment_detail.destination_amount.as_deref(), get("destination_amount"), "destination_amount");
    check_amount(p.payment_detail.coin_change.as_deref(), get("coin_change"), "coin_change");
    check_amount(p.payment_detail.total_price.as_deref(), get("total_price"), "total_price");
}

/// Status answers: as initiate, plus statuses case-insensitive, unknown ones kept, `is_paid`
/// implies `is_final`.
pub fn response_status(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match status::parse_response(status, &body) {
        Ok(p) => {
            let v = success_body(status, &body, false);
            check_payment(&p, &v);
            serde_json::to_string(&p).expect("serializes for JS");
        }
        Err(e) => check_response_error(&e, status, &body),
    }
}

/// Quotes: one quote per `data` item, rates exact.
pub fn response_quotes(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match quotes::parse_response(status, &body) {
        Ok(list) => {
            let v = success_body(status, &body, true);
            let items = v["data"].as_array().expect("data array");
            assert_eq!(items.len(), list.len());
            for (q, item) in list.iter().zip(items) {
                assert_eq!(item["code"].as_str(), Some(q.code.as_str()));
                assert_eq!(item["conversion_fiat"].as_str(), Some(q.conversion_fiat.as_str()));
                assert_eq!(item.get("name").and_then(Value::as_str).unwrap_or(""), q.name);
                check_amount(Some(&q.conversion_rate), item.get("conversion_rate"), "conversion_rate");
            }
            serde_json::to_string(&list).expect("serializes for JS");
        }
        Err(e) => check_response_error(&e, status, &body),
    }
}

fn check_products_echo(out: &[callback::ProductEcho], raw: Option<&Value>) {
    let items: &[Value] = match raw {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(other) => panic!("products accepted as {other}"),
    };
    assert_eq!(out.len(), items.len());
    for (p, item) in out.iter().zip(items) {
        check_opt_string(p.product_name.as_deref(), item.get("product_name"), "product_name");
        check_amount(p.product_price.as_deref(), item.get("product_price"), "product_price");
        check_amount(p.product_amount.as_deref(), item.get("product_amount"), "product_amount");
        check_opt_string(p.product_id.as_deref(), item.get("product_id"), "product_id");
        check_opt_string(p.product_type.as_deref(), item.get("product_type"), "product_type");
    }
}

fn check_customer(out: Option<&callback::Customer>, raw: Option<&Value>) {
    match (out, raw.filter(|r| !r.is_null())) {
        (None, None) => {}
        (Some(c), Some(r)) => {
            check_opt_string(c.external_user_id.as_deref(), r.get("external_user_id"), "external_user_id");
            check_opt_string(c.email.as_deref(), r.get("email"), "email");
            check_amount(c.post_balance.as_deref(), r.get("post_balance"), "post_balance");
        }
        (c, r) => panic!("customer {c:?} from {r:?}"),
    }
}

/// Reports: every optional part as sent, dates unwrapped from `{"$date"}`, amounts exact.
pub fn response_report(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match report::parse_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, false);
            assert_eq!(r.status, status::PaymentStatus::parse(v["status"].as_str().expect("status")));
            assert!(!r.is_paid || r.is_final);
            check_opt_string(r.payment_id_coinbar.as_deref(), v.get("payment_id_coinbar"), "payment_id_coinbar");
            check_opt_string(r.urlcallback.as_deref(), v.get("urlcallback"), "urlcallback");
            check_date(r.creation_time.as_deref(), v.get("creation_time"), "creation_time");
            check_customer(r.customer.as_ref(), v.get("customer"));
            check_products_echo(&r.products, v.get("products"));
            match (&r.payment_detail, v.get("payment_detail").filter(|d| !d.is_null())) {
                (None, None) => {}
                (Some(d), Some(raw)) => {
                    check_amount(d.amount_crypto.as_deref(), raw.get("amount_crypto"), "amount_crypto");
                    check_amount(d.coin_price.as_deref(), raw.get("coin_price"), "coin_price");
                    check_amount(d.total_price.as_deref(), raw.get("total_price"), "total_price");
                    check_date(d.timestamp.as_deref(), raw.get("timestamp"), "timestamp");
                    check_date(
                        d.transaction_timeout_date.as_deref(),
                        raw.get("transaction_timeout_date"),
                        "transaction_timeout_date",
                    );
                }
                (d, raw) => panic!("payment_detail {d:?} from {raw:?}"),
            }
            let md = v.get("market_data").filter(|m| !m.is_null());
            assert_eq!(r.market_data.is_some(), md.is_some());
            if let (Some(m), Some(raw)) = (&r.market_data, md) {
                check_amount(m.current_change.as_deref(), raw.get("current_change"), "current_change");
            }
            serde_json::to_string(&r).expect("serializes for JS");
        }
        Err(e) => check_response_error(&e, status, &body),
    }
}

// ---------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------

fn check_event(e: &callback::CallbackEvent, body: &[u8]) {
    let v: Value = serde_json::from_slice(body).expect("a parsed callback is JSON");
    check_payment(&e.payment, &v);
    assert_eq!(e.idempotency_key, format!("{}/{}", e.payment.payment_id_coinbar, e.payment.status.as_str()));
    check_customer(e.customer.as_ref(), v.get("customer"));
    check_products_echo(&e.products, v.get("products"));
    serde_json::to_string(e).expect("serializes for JS");
}

/// Callback verification: the right signature over the exact bytes (and the right client
/// id) is the only thing that verifies; a verified body reads exactly as `parse_event`
/// reads it; nothing panics.
pub fn callback(data: &[u8]) {
    let mut src = Src::new(data);
    let mode = src.byte();
    let flip_at = usize::from(src.byte());
    let body = src.rest();

    #[cfg(not(feature = "signer"))]
    let _ = (mode, flip_at);
    let parsed = callback::parse_event(body);
    match &parsed {
        Ok(e) => check_event(e, body),
        Err(e) => assert_eq!(e.kind, ErrorKind::Decode),
    }

    #[cfg(feature = "signer")]
    {
        let client = test_client();
        let sig = client.signer().sign_hex(body);
        assert_eq!(sig.len(), 64);
        assert!(sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));

        // The genuine delivery reads exactly like parse_event.
        let genuine = client.verify_callback(body, Some(CLIENT_ID), Some(&sig));
        match (&genuine, &parsed) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("verify {a:?} but parse_event {b:?}"),
        }

        let refused = |r: Result<callback::CallbackEvent, Error>, what: &str| match r {
            Err(e) => assert_eq!(e.kind, ErrorKind::Signature, "{what}"),
            Ok(_) => panic!("{what} verified"),
        };
        // Tampering with one bit of the body.
        if !body.is_empty() {
            let mut tampered = body.to_vec();
            let i = flip_at % tampered.len();
            tampered[i] ^= 1 << (mode % 8);
            refused(client.verify_callback(&tampered, Some(CLIENT_ID), Some(&sig)), "a tampered body");
        }
        // Every other header.
        let i = flip_at % 64;
        let mut one_off = sig.clone().into_bytes();
        one_off[i] = if one_off[i] == b'0' { b'1' } else { b'0' };
        let one_off = String::from_utf8(one_off).expect("hex");
        let upper = sig.to_ascii_uppercase();
        let spaced = format!(" {sig}");
        let extended = format!("{sig}0");
        let variants: [(&str, Option<&str>, Option<&str>); 8] = [
            ("one digit changed", Some(CLIENT_ID), Some(&one_off)),
            ("truncated", Some(CLIENT_ID), Some(&sig[..63])),
            ("spaced", Some(CLIENT_ID), Some(&spaced)),
            ("extended", Some(CLIENT_ID), Some(&extended)),
            ("wrong client", Some("beef0000-0000-4000-8000-000000000002"), Some(&sig)),
            ("no client", None, Some(&sig)),
            ("no signature", Some(CLIENT_ID), None),
            ("empty signature", Some(CLIENT_ID), Some("")),
        ];
        for (what, id, s) in variants {
            refused(client.verify_callback(body, id, s), what);
        }
        if upper != sig {
            refused(client.verify_callback(body, Some(CLIENT_ID), Some(&upper)), "upper-case signature");
        }
        // An arbitrary signature text verifies iff it is exactly the signature.
        let guess = String::from_utf8_lossy(body.get(..body.len().min(64 + (mode as usize % 3))).unwrap_or(&[]));
        assert_eq!(client.signer().verify_hex(body, &guess), guess == sig);
        assert_eq!(client.verify_callback(body, Some(CLIENT_ID), Some(&guess)).is_ok(), guess == sig && parsed.is_ok());
    }
}
