//! The byte-exact `JSON.stringify`-compatible writer used for every signed body.
//!
//! Coinbar verifies `HMAC(secret, JSON.stringify(body))`, so the bytes we sign and send must
//! be exactly what `JSON.stringify` prints for the same object. `serde_json`'s compact
//! serializer already matches it for strings (only `"`, `\` and U+0000–U+001F escaped; `\b
//! \f \n \r \t` short forms; other controls as lowercase `\u00xx`; `/`, U+2028 and
//! non-ASCII left as they are) and for integers. It differs for floats (`2.0`, `1e21`), so
//! [`JsFormatter`] prints floats with `ryu-js`, the ECMAScript `Number::toString` algorithm.

use serde::Serialize;
use std::borrow::Cow;
use std::io;

/// `serde_json` compact formatting with ECMAScript float formatting.
pub struct JsFormatter;

impl serde_json::ser::Formatter for JsFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let mut buf = ryu_js::Buffer::new();
        writer.write_all(buf.format(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        let mut buf = ryu_js::Buffer::new();
        writer.write_all(buf.format(value).as_bytes())
    }
}

/// Serialize `value` exactly as `JSON.stringify` would print the equivalent JS object
/// (fields in declaration order, compact).
pub fn to_js_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, JsFormatter);
    value.serialize(&mut ser)?;
    // serde_json writes valid UTF-8 only; the lossy conversion never substitutes anything.
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Stands in for an unpaired UTF-16 surrogate found in input text (see
/// [`mark_lone_surrogates`]). U+FFFF is a Unicode noncharacter; the validator refuses any
/// string that contains it, naming the field.
pub const LONE_SURROGATE_MARK: char = '\u{FFFF}';

/// JS strings may hold unpaired surrogates, which `JSON.stringify` writes as `\udXXX`
/// escapes. They are not Unicode text, cannot be sent as UTF-8, and `serde_json` refuses
/// the whole document when it meets one, so the error could not say which field holds it.
/// This pass rewrites each unpaired surrogate escape to `\uffff` (a noncharacter) so that
/// parsing succeeds and validation reports the exact field. Hand-written because no JSON
/// library offers a lossy-surrogate mode that keeps the position.
pub fn mark_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2; // some other escape: `\\`, `\"`, `\n`...
            continue;
        }
        let Some(unit) = hex4(bytes, i + 2) else {
            i += 2;
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => {
                let paired = bytes.get(i + 6) == Some(&b'\\')
                    && bytes.get(i + 7) == Some(&b'u')
                    && hex4(bytes, i + 8).is_some_and(|lo| (0xDC00..=0xDFFF).contains(&lo));
                if paired {
                    i += 12;
                    continue;
                }
                true
            }
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(text.get(copied..i).unwrap_or(""));
            buf.push_str("\\uffff");
            copied = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(text.get(copied..).unwrap_or(""));
            Cow::Owned(buf)
        }
    }
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let s = core::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    u16::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample<'a> {
        s: &'a str,
        f: f64,
        i: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        absent: Option<&'a str>,
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
            assert_eq!(to_js_json(input).unwrap(), expected);
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
        ];
        for (v, expected) in cases {
            assert_eq!(to_js_json(&v).unwrap(), expected, "{v:e}");
        }
    }

    #[test]
    fn struct_is_compact_in_field_order_and_skips_absent() {
        let s = Sample { s: "x", f: 1.5, i: 1_700_000_000_000, absent: None };
        assert_eq!(to_js_json(&s).unwrap(), r#"{"s":"x","f":1.5,"i":1700000000000}"#);
    }

    #[test]
    fn lone_surrogates_are_marked_and_pairs_kept() {
        assert!(matches!(mark_lone_surrogates(r#"{"a":"ok"}"#), Cow::Borrowed(_)));
        assert_eq!(mark_lone_surrogates(r#""\ud800""#), r#""\uffff""#);
        assert_eq!(mark_lone_surrogates(r#""x\udc00y""#), r#""x\uffffy""#);
        assert_eq!(mark_lone_surrogates(r#""\uD83D\uDE00""#), r#""\uD83D\uDE00""#);
        assert_eq!(mark_lone_surrogates(r#""\ud800\ud800\udc00""#), r#""\uffff\ud800\udc00""#);
        assert_eq!(mark_lone_surrogates(r#""\\ud800""#), r#""\\ud800""#, "escaped backslash, not an escape");
        assert_eq!(mark_lone_surrogates(r#""\ud80"#), r#""\ud80"#, "truncated escape left for the parser");
        let parsed: String = serde_json::from_str(&mark_lone_surrogates(r#""a\udfffb""#)).unwrap();
        assert_eq!(parsed, "a\u{ffff}b");
    }
}
