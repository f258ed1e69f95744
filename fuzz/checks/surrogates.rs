//! Target `surrogates`: lone UTF-16 surrogates in merchant input.

use super::*;

/// The input reader ([`Surrogates::Mark`]) on `JSON.stringify` output of any JS string
/// (lone surrogates included) reads the string with U+FFFF for each lone surrogate, in keys
/// and values; the response reader refuses exactly the texts that hold one. On arbitrary
/// text neither panics, and both accept exactly what serde_json accepts.
pub fn surrogates(data: &[u8]) {
    use coinbar_pay::json::read::{parse, Surrogates, Value as V};
    let mut src = Src::new(data);
    match src.byte() % 3 {
        0 | 1 => {
            let rest = src.rest();
            let units: Vec<u16> = rest.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            let text = js_quote_units(&units);
            let expected = marked_string(&units);
            let lone = expected.contains('\u{FFFF}') && String::from_utf16(&units).is_err();
            if data.first().copied().unwrap_or(0) % 3 == 1 {
                let wrapped = format!("{{\"k\\ud800\":[{text},\"\\\\ud800\",{text}]}}");
                let Ok(V::Object(o)) = parse(&wrapped, Surrogates::Mark) else { panic!("marked document parses") };
                let Some(V::Array(arr)) = o.get("k\u{FFFF}") else { panic!("array under the marked key") };
                assert_eq!(arr[0].as_str(), Some(expected.as_str()));
                assert_eq!(arr[1].as_str(), Some("\\ud800"), "an escaped backslash is not an escape");
                assert_eq!(arr[2].as_str(), Some(expected.as_str()));
                assert!(parse(&wrapped, Surrogates::Refuse).is_err(), "a lone surrogate key is refused");
            } else {
                let v = parse(&text, Surrogates::Mark).expect("JSON.stringify output parses");
                assert_eq!(v.as_str(), Some(expected.as_str()));
                match parse(&text, Surrogates::Refuse) {
                    Ok(v) => {
                        assert!(!lone, "a lone surrogate was accepted");
                        assert_eq!(v.as_str(), Some(expected.as_str()));
                    }
                    Err(_) => assert!(lone, "a well-formed string was refused"),
                }
            }
        }
        _ => {
            let text = String::from_utf8_lossy(src.rest());
            let serde_ok = serde_json::from_str::<Value>(&text).is_ok();
            assert_eq!(parse(&text, Surrogates::Refuse).is_ok(), serde_ok, "acceptance differs from serde_json");
            if serde_ok {
                assert!(parse(&text, Surrogates::Mark).is_ok(), "marking refused valid JSON");
            }
        }
    }
}
