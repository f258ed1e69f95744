//! The `JSON.stringify` reference: ECMAScript `Number::toString` from Rust's own shortest
//! digits, and string quoting from UTF-16 code units. Checked against V8 by
//! tests/fuzz_regressions.rs (`fuzz/node/json_stringify.json`).

use super::*;

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

pub fn push_escaped(c: char, out: &mut String) {
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
