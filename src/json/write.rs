//! The byte-exact `JSON.stringify`-compatible writer: every signed body and every result
//! handed to JS is written with it.
//!
//! Coinbar verifies `HMAC(secret, JSON.stringify(body))`, so the bytes we sign and send must
//! be exactly what `JSON.stringify` prints for the same object:
//! - strings: only `"`, `\` and U+0000–U+001F escaped; `\b \f \n \r \t` short forms; other
//!   controls as lowercase `\u00xx`; `/`, U+2028 and non-ASCII left as they are;
//! - numbers: ECMAScript `Number::toString` (`ryu-js` for an `f64`; a price is written from
//!   its exact digits by `Money::write_price_json`): `2`, `2.5`, `1e-7`, `1e+21`;
//! - objects compact, members in the order written.
//!
//! Hand-written (about 100 lines) because this is all the core writes, and serde_json with
//! serde's derive code cost most of the `.wasm` (see bench/README.md); its compact output
//! is the same for strings and integers, so the fuzz oracle still checks against it.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::text::write_u64;

/// A value that writes itself as `JSON.stringify` would.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// `JSON.stringify(value)`.
pub fn to_js_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::with_capacity(256);
    value.write_json(&mut out);
    out
}

/// Append `s` as a JSON string literal: the runs that need no escape in one copy each
/// (usually the whole string).
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut run = 0;
    loop {
        let end = super::plain_end(bytes, run);
        out.push_str(s.get(run..end).unwrap_or(""));
        let Some(&b) = bytes.get(end) else { break };
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
        } else {
            out.push_str(short);
        }
        run = end + 1;
    }
    out.push('"');
}

/// Writes the members of one object: `{"a":1,"b":"x"}`.
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjectWriter { out, first: true }
    }

    /// The key and colon of the next member; `key` is a plain ASCII name (not escaped).
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// Members already written as JSON (`"a":1,"b":"x"`), copied as they stand.
    pub fn raw_members(&mut self, members: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str(members);
    }

    pub fn field<T: ToJson + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        value.write_json(self.key(key));
        self
    }

    /// A member written only when present (`undefined` members are left out by
    /// `JSON.stringify`).
    pub fn some<T: ToJson + ?Sized>(&mut self, key: &str, value: Option<&T>) -> &mut Self {
        if let Some(v) = value {
            self.field(key, v);
        }
        self
    }

    pub fn end(&mut self) {
        self.out.push('}');
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, *self);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl ToJson for u16 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl ToJson for f64 {
    /// ECMAScript `Number::toString` (`null` for NaN and infinities, as `JSON.stringify`).
    fn write_json(&self, out: &mut String) {
        if self.is_finite() {
            out.push_str(ryu_js::Buffer::new().format_finite(*self));
        } else {
            out.push_str("null");
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    /// `null` when absent (use [`ObjectWriter::some`] to leave a member out instead).
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

/// Stands in for an unpaired UTF-16 surrogate found in input text (see
/// [`crate::json::read::Surrogates::Mark`]). U+FFFF is a Unicode noncharacter; the
/// validator refuses any string that contains it, naming the field.
pub const LONE_SURROGATE_MARK: char = '\u{FFFF}';

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u128_digits_match_to_string() {
        let mut n: u128 = 1;
        let mut cases = vec![0, 9, 10, u128::from(u64::MAX), u128::from(u64::MAX) + 1, (1 << 96) - 1, u128::MAX];
        while let Some(next) = n.checked_mul(7) {
            cases.extend([n, n - 1, n + 1]);
            n = next;
        }
        for c in cases {
            let mut out = String::from("x");
            crate::text::write_u128(&mut out, c);
            assert_eq!(out, format!("x{c}"));
        }
    }

    struct Sample<'a> {
        s: &'a str,
        f: f64,
        i: u64,
        absent: Option<&'a str>,
    }

    impl ToJson for Sample<'_> {
        fn write_json(&self, out: &mut String) {
            ObjectWriter::new(out)
                .field("s", self.s)
                .field("f", &self.f)
                .field("i", &self.i)
                .some("absent", self.absent)
                .end();
        }
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        // Expected values are what V8's JSON.stringify prints for the same strings.
        let cases = [
            ("plain", r#""plain""#),
            ("quote\" back\\slash", r#""quote\" back\\slash""#),
            ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#),
            ("\u{0}\u{1}\u{1f}\u{7f}", "\"\\u0000\\u0001\\u001f\u{7f}\""),
            ("</script><!--", r#""</script><!--""#),
            ("é漢字🎉\u{2028}\u{2029}", "\"é漢字🎉\u{2028}\u{2029}\""),
            ("a/b", r#""a/b""#),
        ];
        for (input, expected) in cases {
            assert_eq!(to_js_json(input), expected);
        }
    }

    #[test]
    fn numbers_print_like_ecmascript() {
        let cases = [
            (2.0, "2"),
            (2.5, "2.5"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (-0.0, "0"),
            (123456789012345680000.0, "123456789012345680000"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "null"),
        ];
        for (v, expected) in cases {
            assert_eq!(to_js_json(&v), expected, "{v:e}");
        }
        for n in [0u64, 7, 10, 1_700_000_000_000, u64::MAX] {
            assert_eq!(to_js_json(&n), n.to_string());
        }
    }

    #[test]
    fn objects_are_compact_in_field_order_and_skip_absent() {
        let s = Sample { s: "x", f: 1.5, i: 1_700_000_000_000, absent: None };
        assert_eq!(to_js_json(&s), r#"{"s":"x","f":1.5,"i":1700000000000}"#);
        let s = Sample { absent: Some("y"), ..s };
        assert_eq!(to_js_json(&[&s][..]), r#"[{"s":"x","f":1.5,"i":1700000000000,"absent":"y"}]"#);
    }
}
