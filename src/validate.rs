//! Field rules. Each reader takes one JSON value as the input reader saw it ([`Json`]),
//! checks it and returns the checked value, or records a [`FieldError`] naming the field and
//! returns `None`, so one pass over an input reports every problem at once.
//!
//! These are the only copies of the rules: the server build, the browser build (cart and
//! form validation on the demo page) and every runtime use them through WebAssembly. This
//! module names no model and no reader: the single pass that applies the tables
//! (`model/input.rs`) depends on it, never the other way round.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::borrow::Cow;

use crate::error::FieldError;
use crate::json::LONE_SURROGATE_MARK;
use crate::money::{Money, MoneyError};
use crate::text::text;

/// Largest input document accepted, in bytes of JSON text.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Most product lines in one payment.
pub const MAX_PRODUCTS: usize = 1000;
/// Largest quantity of one product line.
pub const MAX_PRODUCT_AMOUNT: u64 = 1_000_000_000;
/// Prices: at most this many digits after the point...
pub const MAX_PRICE_FRACTION_DIGITS: u32 = 8;
/// ...at most this many significant digits (so the JSON number is exactly the price)...
pub const MAX_PRICE_SIGNIFICANT_DIGITS: u32 = 15;
/// ...and at most this many digits before the point (below one trillion).
pub const MAX_PRICE_INTEGER_DIGITS: u32 = 12;
/// Timestamps are milliseconds since the epoch: from 2001-09-09 up to year 2286. Anything
/// smaller is almost surely seconds, not milliseconds.
pub const MIN_TIMESTAMP_MS: u64 = 1_000_000_000_000;
pub const MAX_TIMESTAMP_MS: u64 = 9_999_999_999_999;
/// The smallest number [`timestamp_ms`] takes for a timestamp in seconds (2001-09-09) and
/// explains as such, up to `MIN_TIMESTAMP_MS / 100`.
pub const MIN_TIMESTAMP_SECONDS: u64 = 1_000_000_000;
/// Shortest and longest currency or coin code ([`TextKind::Code`]).
pub const MIN_CODE_LEN: usize = 2;
pub const MAX_CODE_LEN: usize = 10;

/// One JSON value as a rule sees it: scalars with their text (a number's exact digits, a
/// string's decoded content), arrays and objects only by their type (no rule reads into them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json<'a> {
    Null,
    Bool,
    Number(&'a str),
    Str(Cow<'a, str>),
    Array,
    Object,
}

impl Json<'_> {
    /// The JSON type, for error messages (`got string`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool => "boolean",
            Json::Number(_) => "number",
            Json::Str(_) => "string",
            Json::Array => "array",
            Json::Object => "object",
        }
    }
}

/// Whether a field must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
}

/// Collects every broken rule of one input.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What a text field may contain, beyond being non-empty valid Unicode of bounded length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Any Unicode text (names, product ids): escaped byte-exactly when sent.
    Free,
    /// An identifier that goes into URL paths: `A-Z a-z 0-9 . _ : -`.
    UrlSafeId,
    /// A currency or coin code: `EUR`, `BTC`, `USDT` (2–10 upper-case letters or digits).
    Code,
    /// An e-mail address.
    Email,
}

/// Read a text field. `null` counts as absent.
pub fn text<'v>(
    ch: &mut Checker,
    v: Option<&'v Json<'_>>,
    field: &str,
    presence: Presence,
    max_chars: usize,
    kind: TextKind,
) -> Option<&'v str> {
    let s = match v {
        None | Some(Json::Null) => {
            if presence == Presence::Required {
                ch.fail(field, "is required");
            }
            return None;
        }
        Some(Json::Str(s)) => s,
        Some(other) => {
            ch.fail(field, text!("must be a string (got ", other.type_name(), ")"));
            return None;
        }
    };
    match check_text(s, max_chars, kind) {
        Ok(()) => Some(s),
        Err(msg) => {
            ch.fail(field, msg);
            None
        }
    }
}

/// The rules of [`text`] for a string already in hand.
pub fn check_text(s: &str, max_chars: usize, kind: TextKind) -> Result<(), String> {
    if s.is_empty() {
        return Err(String::from("must not be empty"));
    }
    // ASCII text (most) holds no U+FFFF and has as many characters as bytes. Otherwise one
    // pass over the bytes counts the characters (UTF-8 lead bytes; core's `chars().count()`
    // is ~1 KB of wasm) and looks for U+FFFF's encoding, EF BF BF (decoding characters,
    // or `contains(char)` with core's two-way searcher, ~3 KB of wasm, cost more).
    let (chars, marked) = if s.is_ascii() { (s.len(), false) } else { count_chars(s.as_bytes()) };
    if marked {
        return Err(String::from("is not valid Unicode text (it contains an unpaired UTF-16 surrogate or U+FFFF)"));
    }
    if chars > max_chars {
        return Err(text!("must be at most ", max_chars, " characters (got ", chars, ")"));
    }
    match kind {
        TextKind::Free => Ok(()),
        TextKind::UrlSafeId => {
            if s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')) {
                Ok(())
            } else {
                Err(String::from("may only contain letters A-Z a-z, digits and . _ : - (it is used in URLs)"))
            }
        }
        TextKind::Code => {
            let b = s.as_bytes();
            let ok = (MIN_CODE_LEN..=MAX_CODE_LEN).contains(&b.len())
                && b.first().is_some_and(u8::is_ascii_uppercase)
                && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if ok {
                Ok(())
            } else {
                Err(String::from("must be an upper-case currency or coin code such as EUR or BTC"))
            }
        }
        TextKind::Email => check_email(s),
    }
}

/// The characters of UTF-8 text (its lead bytes), and whether it holds U+FFFF
/// ([`LONE_SURROGATE_MARK`], encoded EF BF BF). A byte loop: eight bytes at a time measured
/// no faster on these short texts, for ~0.4 KB gzip.
fn count_chars(bytes: &[u8]) -> (usize, bool) {
    const MARK: [u8; 3] = [0xEF, 0xBF, 0xBF];
    const _: () = assert!(LONE_SURROGATE_MARK as u32 == 0xFFFF);
    let mut chars = 0;
    let mut marked = false;
    for (i, &b) in bytes.iter().enumerate() {
        chars += usize::from(b & 0xC0 != 0x80);
        marked |= b == 0xEF && bytes.get(i..i + 3) == Some(&MARK[..]);
    }
    (chars, marked)
}

/// An e-mail address a payment provider can reach: a dot-atom local part (RFC 5322 `atext`,
/// UTF-8 allowed as in RFC 6531) of at most 64 bytes, `@`, and a domain of at most 254 bytes
/// with at least two labels, each 1–63 bytes of `atext` that starts and ends with a letter or
/// digit. No spaces, controls, quoted local parts, comments or address literals.
///
/// Hand-written rather than the `email_address` crate: with the restrictions above (which this
/// SDK applied on top of the crate) what remains of its grammar is these few lines, and the
/// crate cost 3.7 KB of the gzipped module (its display-name, quoted-string and literal
/// parsers, and core's string-slicing panic messages). The fuzz target `email` checks this
/// function against the crate on every input (`fuzz/checks/email.rs`).
fn check_email(s: &str) -> Result<(), String> {
    if is_email(s) {
        Ok(())
    } else {
        Err(String::from("must be an e-mail address such as name@example.com"))
    }
}

/// The rule of [`check_email`].
pub fn is_email(s: &str) -> bool {
    // RFC 5322 atext, plus non-ASCII characters (RFC 6531) other than spaces and controls.
    let atext = |c: char| match c.is_ascii() {
        true => c.is_ascii_alphanumeric() || u8::try_from(c).is_ok_and(|b| b"!#$%&'*+-/=?^_`{|}~".contains(&b)),
        false => !c.is_whitespace() && !c.is_control(),
    };
    let atom = |a: &str| !a.is_empty() && a.chars().all(atext);
    let label = |l: &str| {
        l.len() <= 63
            && atom(l)
            && l.chars().next().is_some_and(char::is_alphanumeric)
            && l.chars().next_back().is_some_and(char::is_alphanumeric)
    };
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    local.len() <= 64
        && local.split('.').all(atom)
        && domain.len() <= 254
        && domain.contains('.')
        && domain.split('.').all(label)
}

/// A JSON scalar as text: the raw digits of a number, or a string's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar<'a> {
    Number(&'a str),
    Str(&'a str),
}

/// The price rules on a scalar (shared by [`price`] and the fast path for valid input).
pub fn price_of(s: Scalar<'_>) -> Result<Money, String> {
    let parsed = match s {
        Scalar::Number(n) => Money::parse_json_number(n),
        Scalar::Str(t) => Money::parse_plain(t),
    };
    parsed.map_err(money_message).and_then(check_price)
}

/// A whole number in `min..=max` written as plain digits (a JSON number or a string), or
/// `None` for anything else (which [`integer`] then examines and explains).
pub fn plain_whole(s: Scalar<'_>, min: u64, max: u64) -> Option<u64> {
    let (Scalar::Number(d) | Scalar::Str(d)) = s;
    if d.is_empty() || d.len() > 19 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    d.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}

/// Read a price: a JSON number or a plain decimal string, non-negative, at most 8 decimal
/// places, 15 significant digits and 12 integer digits.
pub fn price(ch: &mut Checker, v: Option<&Json<'_>>, field: &str) -> Option<Money> {
    let parsed = match v {
        None => {
            ch.fail(field, "is required");
            return None;
        }
        Some(Json::Null) => {
            ch.fail(field, "must be a finite number or a decimal string (got null, NaN or Infinity)");
            return None;
        }
        Some(Json::Number(n)) => price_of(Scalar::Number(n)),
        Some(Json::Str(s)) => price_of(Scalar::Str(s)),
        Some(other) => {
            ch.fail(field, text!("must be a number or a decimal string (got ", other.type_name(), ")"));
            return None;
        }
    };
    match parsed {
        Ok(m) => Some(m),
        Err(msg) => {
            ch.fail(field, msg);
            None
        }
    }
}

fn money_message(e: MoneyError) -> String {
    match e {
        MoneyError::Syntax => {
            String::from("must be a decimal number such as 12.50 (digits, one optional point, no exponent)")
        }
        MoneyError::TooPrecise => String::from("has too many digits to be an exact amount"),
    }
}

/// The price rules for a parsed amount.
pub fn check_price(m: Money) -> Result<Money, String> {
    if m.is_negative() {
        return Err(String::from("must not be negative"));
    }
    if m.fraction_digits() > MAX_PRICE_FRACTION_DIGITS {
        return Err(text!("has more than ", MAX_PRICE_FRACTION_DIGITS, " decimal places"));
    }
    if m.integer_digits() > MAX_PRICE_INTEGER_DIGITS {
        return Err(String::from("must be less than 1000000000000"));
    }
    if m.significant_digits() > MAX_PRICE_SIGNIFICANT_DIGITS {
        return Err(text!(
            "has more than ",
            MAX_PRICE_SIGNIFICANT_DIGITS,
            " significant digits, so it cannot be sent as an exact JSON number"
        ));
    }
    Ok(m)
}

/// Read a whole number in `min..=max`: a JSON number or a string of digits.
pub fn integer(
    ch: &mut Checker,
    v: Option<&Json<'_>>,
    field: &str,
    presence: Presence,
    min: u64,
    max: u64,
) -> Option<u64> {
    let range = || text!("must be a whole number from ", min, " to ", max);
    // The common case, plain digits in range, needs no decimal arithmetic.
    let scalar = match v {
        Some(Json::Number(n)) => Some(Scalar::Number(n)),
        Some(Json::Str(s)) => Some(Scalar::Str(s)),
        _ => None,
    };
    if let Some(n) = scalar.and_then(|s| plain_whole(s, min, max)) {
        return Some(n);
    }
    let m = match v {
        None => {
            if presence == Presence::Required {
                ch.fail(field, "is required");
            }
            return None;
        }
        Some(Json::Null) => {
            ch.fail(field, "must be a finite whole number (got null, NaN or Infinity)");
            return None;
        }
        Some(Json::Number(n)) => Money::parse_json_number(n),
        Some(Json::Str(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Money::parse_plain(s),
        Some(Json::Str(_)) => {
            ch.fail(field, text!(range(), " (a string of digits is accepted too)"));
            return None;
        }
        Some(other) => {
            ch.fail(field, text!("must be a whole number (got ", other.type_name(), ")"));
            return None;
        }
    };
    let whole = m.ok().filter(|m| m.fraction_digits() == 0 && !m.is_negative());
    let n = whole.and_then(|m| m.to_plain_string().parse::<u64>().ok());
    match n {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            ch.fail(field, range());
            None
        }
    }
}

/// Read a timestamp in milliseconds since the epoch.
pub fn timestamp_ms(ch: &mut Checker, v: Option<&Json<'_>>, field: &str) -> Option<u64> {
    if let Some(Json::Number(n)) = v {
        // A seconds timestamp is the classic mistake: say so.
        if let Ok(secs) = n.parse::<u64>() {
            if (MIN_TIMESTAMP_SECONDS..MIN_TIMESTAMP_MS / 100).contains(&secs) {
                ch.fail(field, "must be milliseconds since the epoch (this looks like seconds: multiply by 1000)");
                return None;
            }
        }
    }
    integer(ch, v, field, Presence::Optional, MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS)
}

/// How one field of an object is read and checked: one entry of a rule table.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A text field: most characters, what it may contain, whether it is required.
    Text(usize, TextKind, Presence),
    /// Optional text that, when given, must equal the client's service client id.
    ClientId(usize),
    /// An optional `http(s)://` URL of at most this many characters.
    Url(usize),
    /// A price ([`price`]).
    Price,
    /// A required whole number in `min..=max` ([`integer`]).
    Whole(u64, u64),
    /// An optional timestamp in milliseconds ([`timestamp_ms`]).
    Timestamp,
    /// A required array of 1 to [`MAX_PRODUCTS`] objects, each read by its own table; the
    /// reader reads it while it streams the array, so [`check`] never sees it.
    Lines,
}

/// One field of a rule table: its name, its rule, and the kinds of object that have it (a
/// bit mask: the initiate and request inputs share one table).
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    pub name: &'static str,
    pub rule: Rule,
    pub kinds: u8,
}

/// A field's value once it passed its rule: text borrowed from the input, an exact amount
/// or a whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckedValue<'v> {
    Text(&'v str),
    Money(Money),
    Whole(u64),
}

/// Check one value by one rule. Every broken rule is recorded in `ch` (under `field`);
/// `None` when the value broke one or is an absent optional field.
pub fn check<'v>(
    ch: &mut Checker,
    rule: Rule,
    v: Option<&'v Json<'_>>,
    field: &str,
    client_id: Option<&str>,
) -> Option<CheckedValue<'v>> {
    match rule {
        Rule::Text(max, kind, presence) => text(ch, v, field, presence, max, kind).map(CheckedValue::Text),
        Rule::ClientId(max) => {
            let given = text(ch, v, field, Presence::Optional, max, TextKind::Free);
            if given.is_some_and(|g| client_id.is_some_and(|id| id != g)) {
                ch.fail(field, "differs from the client's service client id; leave it out of the input");
            }
            given.map(CheckedValue::Text)
        }
        Rule::Url(max) => {
            let url = text(ch, v, field, Presence::Optional, max, TextKind::Free);
            if url.is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
                ch.fail(field, "must be an http(s) URL");
            }
            url.map(CheckedValue::Text)
        }
        Rule::Price => price(ch, v, field).map(CheckedValue::Money),
        Rule::Whole(min, max) => integer(ch, v, field, Presence::Required, min, max).map(CheckedValue::Whole),
        Rule::Timestamp => timestamp_ms(ch, v, field).map(CheckedValue::Whole),
        Rule::Lines => None,
    }
}

/// The error for each key of an object that is not a field of this `kind` in `table`:
/// `unknown` holds those keys, distinct and sorted.
pub fn unknown_fields(ch: &mut Checker, unknown: &[Cow<'_, str>], table: &[FieldRule], kind: u8) {
    for key in unknown {
        let mut message = String::from("is not a known field (expected one of: ");
        for (i, f) in table.iter().filter(|f| f.kinds & kind != 0).enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push_str(f.name);
        }
        message.push(')');
        ch.fail(key, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value the reader hands the rules for one JSON text (the cases hold no escapes).
    fn j(text: &str) -> Json<'_> {
        match text.as_bytes().first() {
            Some(b'"') => Json::Str(Cow::Borrowed(&text[1..text.len() - 1])),
            Some(b'n') => Json::Null,
            Some(b't' | b'f') => Json::Bool,
            Some(b'[') => Json::Array,
            Some(b'{') => Json::Object,
            _ => Json::Number(text),
        }
    }

    fn one(f: impl FnOnce(&mut Checker)) -> Vec<String> {
        let mut ch = Checker::default();
        f(&mut ch);
        ch.errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
    }

    #[test]
    fn codes() {
        for ok in ["EUR", "BTC", "USDT", "XDB", "USDC2"] {
            assert!(check_text(ok, 10, TextKind::Code).is_ok(), "{ok}");
        }
        for bad in ["eur", "E", "EURO-X", "1BTC", "BTC ", "ABCDEFGHIJK", "ÉUR"] {
            assert!(check_text(bad, 10, TextKind::Code).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@example.com", "first.last+tag@sub.example.co.uk", "x_y@ex-ample.io"] {
            assert!(check_text(ok, 254, TextKind::Email).is_ok(), "{ok}");
        }
        for bad in [
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
        ] {
            assert!(check_text(bad, 254, TextKind::Email).is_err(), "{bad}");
        }
    }

    /// `count_chars` against `chars().count()` and a search for U+FFFF, with each kind of
    /// character (1 to 4 bytes, U+FFFF, U+FFFE, U+EFFF) at every offset of the 8-byte words.
    #[test]
    fn characters_are_counted_and_u_ffff_found_at_any_offset() {
        for c in ['a', 'é', '€', '\u{ffff}', '\u{fffe}', '\u{efff}', '\u{f0000}', '😀'] {
            for before in 0..20 {
                for after in 0..12 {
                    let s = format!("{}{c}{}", "x".repeat(before), "ü".repeat(after));
                    let expected = (s.chars().count(), s.chars().any(|ch| ch == '\u{ffff}'));
                    assert_eq!(count_chars(s.as_bytes()), expected, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn url_safe_ids_and_lengths() {
        assert!(check_text("order-2024_05:17.a", 100, TextKind::UrlSafeId).is_ok());
        assert!(check_text("order/1", 100, TextKind::UrlSafeId).is_err());
        assert!(check_text("order 1", 100, TextKind::UrlSafeId).is_err());
        assert!(check_text("#1", 100, TextKind::UrlSafeId).is_err());
        assert_eq!(check_text("ééé", 2, TextKind::Free).unwrap_err(), "must be at most 2 characters (got 3)");
        assert_eq!(check_text("", 2, TextKind::Free).unwrap_err(), "must not be empty");
        assert!(check_text("a\u{ffff}", 9, TextKind::Free).unwrap_err().contains("surrogate"));
        assert!(
            check_text("tab\there\u{0}", 20, TextKind::Free).is_ok(),
            "free text may hold controls; they are escaped"
        );
    }

    #[test]
    fn prices() {
        let p = |v: Json<'_>| {
            one(|ch| {
                price(ch, Some(&v), "p");
            })
        };
        assert!(p(j(r#"1.99"#)).is_empty());
        assert!(p(j(r#""2.50""#)).is_empty());
        assert!(p(j(r#"0"#)).is_empty());
        assert!(p(j(r#""999999999999.99""#)).is_empty());
        assert_eq!(p(j(r#"-1"#)), ["p: must not be negative"]);
        assert_eq!(p(j(r#""1.123456789""#)), ["p: has more than 8 decimal places"]);
        assert_eq!(p(j(r#"0.30000000000000004"#)), ["p: has more than 8 decimal places"]);
        assert_eq!(p(j(r#""1000000000000""#)), ["p: must be less than 1000000000000"]);
        assert!(p(j(r#""123456789012.1234""#))[0].contains("significant digits"));
        assert!(p(j(r#""abc""#))[0].contains("decimal number"));
        assert!(p(j(r#""1e3""#))[0].contains("no exponent"));
        assert!(p(j(r#"true"#))[0].contains("got boolean"));
        assert!(p(j("null"))[0].contains("NaN"));
        assert_eq!(
            one(|ch| {
                price(ch, None, "p");
            }),
            ["p: is required"]
        );
    }

    #[test]
    fn integers() {
        let q = |v: Json<'_>| {
            one(|ch| {
                integer(ch, Some(&v), "q", Presence::Required, 1, MAX_PRODUCT_AMOUNT);
            })
        };
        assert!(q(j(r#"1"#)).is_empty());
        assert!(q(j(r#""42""#)).is_empty());
        for bad in [
            j(r#"0"#),
            j(r#"-1"#),
            j(r#"1.5"#),
            j(r#"1e10"#),
            j(r#"9007199254740993"#),
            j(r#""1.0""#),
            j(r#""""#),
            j(r#"[1]"#),
        ] {
            assert_eq!(q(bad.clone()).len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn timestamps() {
        let t = |v: Json<'_>| {
            one(|ch| {
                timestamp_ms(ch, Some(&v), "timestamp");
            })
        };
        assert!(t(j(r#"1700000000000"#)).is_empty());
        assert!(t(j(r#"1700000000"#))[0].contains("looks like seconds"));
        assert!(t(j(r#"1700000000000.5"#))[0].contains("whole number"));
        assert!(t(j(r#"99999999999999"#))[0].contains("whole number from"));
    }
}
