//! Target `money`: parsing, exact arithmetic, digit counts and number formatting of
//! `Money`, against the exact decimal reference.

use super::*;

pub fn money_ref(m: &Money) -> Dec {
    parse_plain_ref(&m.to_plain_string()).expect("to_plain_string is a plain decimal")
}

/// Whether `Money` must be able to read this number text exactly: modest as written.
pub fn comfortably_representable(s: &str) -> bool {
    let Some(t) = number_text(s) else { return false };
    let Some(NumRef::Exact(d)) = parse_number_ref(s) else { return false };
    t.mantissa_digits.len() <= 28 && (0..=28).contains(&t.written_scale) && d.representable()
}

pub fn check_parse_plain(s: &str) {
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

pub fn check_parse_json_number(s: &str) {
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

pub fn check_decimal_text(s: &str) {
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

/// A decimal that `Money` holds, from the fuzzer's bytes.
pub fn gen_dec(src: &mut Src<'_>) -> Dec {
    let b = src.byte();
    let mag = src.u128_96() >> (b % 4 * 24); // small magnitudes too
    let scale = u32::from(src.byte()) % 29;
    Dec::from_u128(mag, b & 0x80 != 0, scale)
}

pub fn money_of(d: &Dec) -> Money {
    let text = if d.neg { format!("-{}", plain_at_scale(d)) } else { plain_at_scale(d) };
    let m = Money::parse_plain(&text).unwrap_or_else(|e| panic!("parse_plain({text}) failed: {e:?}"));
    assert_eq!(m.to_plain_string(), d.plain(), "parse_plain({text})");
    m
}

/// The unsigned value written at its own scale (trailing zeros kept).
pub fn plain_at_scale(d: &Dec) -> String {
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

pub fn check_arithmetic(src: &mut Src<'_>) {
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
    // places (or 28 significant digits for huge quotients) of the exact quotient.
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
pub fn gen_price(src: &mut Src<'_>) -> Dec {
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

pub fn check_price_formatting(src: &mut Src<'_>) {
    let d = gen_price(src);
    let m = money_of(&d);
    let checked = validate::check_price(m);
    let fits_rules = d.fraction_digits() <= 8 && d.integer_digits() <= 12 && d.significant_digits() <= 15;
    assert_eq!(checked.is_ok(), fits_rules, "check_price({}) = {checked:?}", d.plain());
    if fits_rules {
        // The number sent has exactly the price's digits.
        assert_eq!(m.to_js_number_string(), d.es_string(), "price {} is not sent with its own digits", d.plain());
        assert_eq!(to_js_json(&m.to_f64()), d.es_string());
        // What the body holds: written from the digits, without the f64.
        let mut written = String::new();
        m.write_price_json(&mut written);
        assert_eq!(written, d.es_string(), "price {} is written with other digits", d.plain());
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
