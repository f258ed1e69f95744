//! Target `json_writer`: the crate's writer against the `JSON.stringify` reference.

use super::*;

#[derive(Debug, PartialEq)]
pub struct Record {
    pub s: String,
    pub f: f64,
    pub n: u64,
    pub o: Option<String>,
    pub v: Vec<f64>,
}

/// Written with the crate's object writer; the expected text is built from the references.
impl coinbar_pay::json::ToJson for Record {
    fn write_json(&self, out: &mut String) {
        coinbar_pay::json::ObjectWriter::new(out)
            .field("s", &self.s)
            .field("f", &self.f)
            .field("n", &self.n)
            .some("o", self.o.as_ref())
            .field("v", &self.v)
            .end();
    }
}

/// The string, float and struct properties of the writer for one value.
pub fn check_js_string(s: &str) {
    let out = to_js_json(s);
    assert_eq!(out, js_quote(s), "to_js_json(string) differs from JSON.stringify");
    let back: String = serde_json::from_str(&out).expect("writer output parses");
    assert_eq!(back, s, "string round trip");
}

/// Note: the round trip reads the number text with Rust's correctly rounded `str::parse`.
/// serde_json's own `f64` parsing is not correctly rounded without its `float_roundtrip`
/// feature (`1.535232324934417e-125` reads back one ulp off); the crate never reads floats
/// with it (its own reader keeps number texts, which `Money` reads exactly).
pub fn check_js_number(x: f64) {
    let out = to_js_json(&x);
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
pub fn json_f64(v: &Value) -> Option<f64> {
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
            let out = to_js_json(&n);
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
            let out = to_js_json(&recs);
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
