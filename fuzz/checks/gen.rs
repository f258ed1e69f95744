//! Generated JSON documents, as a JS program hands them over (strings as UTF-16 code
//! units: lone surrogates possible), and generators of input fields that know which rule
//! each choice breaks.

use super::*;

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

pub const CHAR_RANGES: &[(u32, u32)] = &[
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
pub fn gen_char(src: &mut Src<'_>) -> char {
    let (lo, hi) = CHAR_RANGES[src.below(CHAR_RANGES.len())];
    let span = (hi - lo + 1) as usize;
    let c = lo + src.below(span) as u32;
    char::from_u32(c).filter(|&c| c != '\u{FFFF}').unwrap_or('x')
}

pub fn gen_free_text(src: &mut Src<'_>, max_chars: usize) -> String {
    let n = if src.chance(1, 16) { max_chars } else { 1 + src.below(max_chars.min(12)) };
    (0..n).map(|_| gen_char(src)).collect()
}

pub const ID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";

pub fn gen_id(src: &mut Src<'_>, max_chars: usize) -> String {
    let n = if src.chance(1, 16) { max_chars } else { 1 + src.below(max_chars.min(16)) };
    (0..n).map(|_| char::from(ID_CHARS[src.below(ID_CHARS.len())])).collect()
}

pub fn gen_code(src: &mut Src<'_>) -> String {
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

pub fn gen_alnum(src: &mut Src<'_>, max: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..1 + src.below(max)).map(|_| char::from(A[src.below(A.len())])).collect()
}

pub fn gen_email(src: &mut Src<'_>) -> String {
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

pub const BAD_EMAILS: &[&str] = &[
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
pub struct Gen<T> {
    pub json: Option<J>,
    pub value: Option<T>,
    pub broken: bool,
}

pub fn ok<T>(json: J, value: T) -> Gen<T> {
    Gen { json: Some(json), value: Some(value), broken: false }
}

pub fn absent<T>(broken: bool) -> Gen<T> {
    Gen { json: None, value: None, broken }
}

pub fn bad<T>(json: J) -> Gen<T> {
    Gen { json: Some(json), value: None, broken: true }
}

pub fn lone_surrogate_text(src: &mut Src<'_>) -> J {
    let mut units: Vec<u16> = "ab".encode_utf16().collect();
    let lone = if src.chance(1, 2) { 0xD800 + src.below(0x400) as u16 } else { 0xDC00 + src.below(0x400) as u16 };
    units.insert(src.below(3), lone);
    J::Str(units)
}

/// Not a number and not a numeric string.
pub fn non_number(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Bool(true),
        1 => J::Bool(false),
        2 => J::Arr(vec![J::Num(String::from("1"))]),
        _ => J::Obj(vec![]),
    }
}

pub fn wrong_type(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Num(String::from("5")),
        1 => J::Bool(true),
        2 => J::Arr(vec![J::s("x")]),
        _ => J::Obj(vec![]),
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Free,
    Id,
    Code,
    Email,
}

/// A text field: valid most of the time, otherwise one way of breaking it.
pub fn gen_text_field(src: &mut Src<'_>, required: bool, max: usize, kind: Kind) -> Gen<String> {
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
pub fn gen_price_field(src: &mut Src<'_>) -> Gen<Dec> {
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

pub fn gen_amount_field(src: &mut Src<'_>) -> Gen<u64> {
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

pub fn gen_timestamp_field(src: &mut Src<'_>) -> Gen<Option<u64>> {
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

pub struct GenLine {
    pub json: J,
    pub value: Option<LineValue>,
    pub errors: Vec<String>,
}

pub fn non_object(src: &mut Src<'_>) -> J {
    match src.below(4) {
        0 => J::Num(String::from("5")),
        1 => J::Bool(true),
        2 => J::Null,
        _ => J::Arr(vec![]),
    }
}

pub fn gen_line(src: &mut Src<'_>, path: &str) -> GenLine {
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
/// or a refusal exactly when the sum does not fit a 96-bit decimal at the larger of the two
/// (normalized) scales. `None` when refused.
pub fn total_model<'a>(lines: impl Iterator<Item = (&'a Dec, u64)>) -> Option<Dec> {
    let mut acc = Dec::zero();
    for (price, amount) in lines {
        let line = price.mul(&Dec::from_u128(u128::from(amount), false, 0)).normalized();
        // Totals are exact u128 sums: within the product rules they never overflow.
        acc = acc.normalized().add(&line);
    }
    Some(acc)
}

/// The products array: JSON, the valid lines (when all are), and the expected errors.
pub struct GenProducts {
    pub json: Option<J>,
    pub lines: Option<Vec<LineValue>>,
    pub errors: Vec<String>,
}

pub fn gen_products(src: &mut Src<'_>) -> GenProducts {
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
