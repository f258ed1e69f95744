//! The product lines of a payment, read and written as they stream by, and exact cart totals.

#[allow(unused_imports)]
use crate::prelude::*;

use super::input::{read_document, scalar, Fill, Members};
use crate::error::{Error, FieldError};
use crate::json::read::{ParseError, Scanner};
use crate::json::ObjectWriter;
use crate::money::Money;
use crate::text::text;
use crate::validate::{self, CheckedValue, Checker, FieldRule, Json, Presence, Rule, TextKind};

/// Longest product name, in characters.
pub const MAX_PRODUCT_NAME: usize = 200;
/// Longest product id, in characters.
pub const MAX_PRODUCT_ID: usize = 100;
/// Longest product type, in characters.
pub const MAX_PRODUCT_TYPE: usize = 50;

/// The one kind of product line (the `kinds` bit of [`LINE`]).
const LINE_KIND: u8 = 1;

/// The rule table of a product line (the input's and `cartTotal`'s), in the documented
/// field order, which is the order of the line in the body.
const LINE: &[FieldRule] = &[
    FieldRule {
        name: "product_name",
        rule: Rule::Text(MAX_PRODUCT_NAME, TextKind::Free, Presence::Required),
        kinds: LINE_KIND,
    },
    FieldRule { name: "product_price", rule: Rule::Price, kinds: LINE_KIND },
    FieldRule { name: "product_amount", rule: Rule::Whole(1, validate::MAX_PRODUCT_AMOUNT), kinds: LINE_KIND },
    FieldRule {
        name: "product_id",
        rule: Rule::Text(MAX_PRODUCT_ID, TextKind::Free, Presence::Required),
        kinds: LINE_KIND,
    },
    FieldRule {
        name: "product_type",
        rule: Rule::Text(MAX_PRODUCT_TYPE, TextKind::Free, Presence::Required),
        kinds: LINE_KIND,
    },
];

/// An exact cart total, as a whole number of 10^-8 units. A `u128` holds the largest total
/// the product rules allow (a price below 10^12 with 8 decimals is below 10^20 units, × a
/// quantity up to 10^9 × at most 1000 lines < 10^33 < 3.4 × 10^38).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Total(u128);

impl Total {
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// Plain decimal text without trailing zeros (`3.97`, `25`).
    pub fn to_plain_string(&self) -> String {
        let mut out = String::with_capacity(48);
        crate::money::write_plain_decimal(&mut out, self.0, validate::MAX_PRICE_FRACTION_DIGITS);
        out
    }
}

/// The product lines of one `products` array as it was read: the valid lines written as
/// sent (the documented field order, the price as a JSON number), their exact total, and the
/// errors of the broken lines, each under its path (`products[1].product_price`).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// The valid lines, comma-separated, without the brackets.
    pub json: String,
    count: usize,
    errors: Checker,
    /// `None` once a sum overflowed (impossible within the rules; see [`Total`]).
    total: Option<u128>,
}

impl Lines {
    /// `capacity`: bytes to reserve for the lines written (the input's length is plenty).
    pub fn new(capacity: usize) -> Self {
        Lines { json: String::with_capacity(capacity), total: Some(0), ..Lines::default() }
    }

    /// Read the value of a `products` member: an array is read line by line, each line
    /// checked and written as soon as it ends (the result is then [`Json::Array`]); anything
    /// else is read as a scalar for [`Lines::check`] to explain. A repeated `products` key
    /// starts over, so the last one counts.
    pub fn read<'a>(&mut self, sc: &mut Scanner<'a>, field: &str) -> Result<Json<'a>, ParseError> {
        if sc.next_byte() != Some(b'[') {
            return scalar(sc);
        }
        sc.open()?;
        self.json.clear();
        *self = Lines { json: core::mem::take(&mut self.json), ..Lines::new(0) };
        let mut members = Members::new(LINE, LINE_KIND);
        let mut more = sc.first_item();
        while more {
            let i = self.count;
            self.count += 1;
            if sc.next_byte() == Some(b'{') {
                sc.open()?;
                members.clear();
                members.read(sc, &mut scalar)?;
                // Past the limit only the count is reported; the lines are read for syntax.
                if self.count <= validate::MAX_PRODUCTS {
                    self.line(&members, field, i);
                }
            } else {
                let v = scalar(sc)?;
                self.errors.fail(&text!(field, '[', i, ']'), text!("must be an object (got ", v.type_name(), ")"));
            }
            more = sc.next_item()?;
        }
        Ok(Json::Array)
    }

    /// Check one line by [`LINE`]; write it and add it to the total when it passes.
    fn line(&mut self, members: &Members<'_>, field: &str, i: usize) {
        let start = self.errors.errors.len();
        let mark = self.json.len();
        if i > 0 {
            self.json.push(',');
        }
        let mut checked: [Option<CheckedValue<'_>>; LINE.len()] = Default::default();
        let mut w = ObjectWriter::new(&mut self.json);
        members.check_and_write(&mut self.errors, &mut w, Fill::default(), &mut checked, &mut |_, _, _, _| {});
        w.end();
        // Fields are checked under their bare names and given the line's path only if they
        // fail: valid lines (the hot path) build no path strings.
        if self.errors.errors.len() > start {
            for e in self.errors.errors.iter_mut().skip(start) {
                e.field = text!(field, '[', i, "].", e.field);
            }
            self.json.truncate(mark);
            return;
        }
        if let [_, Some(CheckedValue::Money(price)), Some(CheckedValue::Whole(amount)), ..] = checked {
            self.total = self.total.and_then(|t| t.checked_add(line_total_units(price, amount)?));
        }
    }

    /// The rule of the `products` field on what [`Lines::read`] gave for it (`None`: no such
    /// member): its errors go to `ch`; `Some(total)` when every line passed.
    pub fn check(&mut self, ch: &mut Checker, v: Option<&Json<'_>>, field: &str) -> Option<Option<Total>> {
        match v {
            None | Some(Json::Null) => ch.fail(field, "is required"),
            Some(Json::Array) if self.count == 0 => ch.fail(field, "must hold at least one product line"),
            Some(Json::Array) if self.count > validate::MAX_PRODUCTS => ch.fail(
                field,
                text!("must hold at most ", validate::MAX_PRODUCTS, " product lines (got ", self.count, ")"),
            ),
            Some(Json::Array) if !self.errors.is_ok() => ch.errors.append(&mut self.errors.errors),
            Some(Json::Array) => return Some(self.total.map(Total)),
            Some(other) => ch.fail(field, text!("must be an array of product lines (got ", other.type_name(), ")")),
        }
        None
    }
}

/// `price × amount`, exact, in units of 10^-8 (prices have at most 8 decimals).
fn line_total_units(price: Money, amount: u64) -> Option<u128> {
    let units = price.to_units(validate::MAX_PRICE_FRACTION_DIGITS)?;
    // In `u64` when the product fits (most lines): `u128` products are software routines in wasm.
    match u64::try_from(units).ok().and_then(|u| u.checked_mul(amount)) {
        Some(small) => Some(u128::from(small)),
        None => units.checked_mul(u128::from(amount)),
    }
}

/// `cartTotal(products)`: check a products array given as JSON text and return its exact
/// total as a plain decimal string.
pub fn cart_total_json(products_json: &str) -> Result<String, Error> {
    let mut ch = Checker::default();
    let mut lines = Lines::new(0);
    let read = read_document(&mut ch, products_json, "products", |sc| lines.read(sc, "products"));
    let total = read.and_then(|v| lines.check(&mut ch, Some(&v), "products"));
    match total {
        Some(Some(t)) if ch.is_ok() => Ok(t.to_plain_string()),
        _ => {
            if ch.is_ok() {
                ch.fail("products", "total is too large to compute exactly");
            }
            Err(Error::validation("products", ch.errors))
        }
    }
}

/// `convertAmount(amount, rate, decimals)`: an informative conversion of a fiat amount into
/// a coin at a quoted rate (fiat per coin), rounded to `decimals` places.
pub fn convert_amount(amount: &str, rate: &str, decimals: u32) -> Result<String, Error> {
    let mut ch = Checker::default();
    let a = Money::parse_plain(amount).ok().filter(|m| !m.is_negative());
    if a.is_none() {
        ch.fail("amount", "must be a non-negative plain decimal string");
    }
    let r = Money::parse_plain(rate).ok().filter(|m| !m.is_negative() && !m.is_zero());
    if r.is_none() {
        ch.fail("rate", "must be a positive plain decimal string");
    }
    if decimals > 28 {
        ch.fail("decimals", "must be from 0 to 28");
    }
    match (a, r) {
        (Some(a), Some(r)) if ch.is_ok() => match a.checked_div_rounded(r, decimals) {
            Some(v) => Ok(v.to_plain_string()),
            None => Err(Error::validation("conversion", vec![FieldError::new("amount", "is too large to convert")])),
        },
        _ => Err(Error::validation("conversion", ch.errors)),
    }
}

/// Field errors of a products array, as `validateInitiate` reports them.
pub fn products_errors(products_json: &str) -> Vec<FieldError> {
    match cart_total_json(products_json) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_print_as_plain_decimals() {
        for (units, text) in [
            (0u128, "0"),
            (1, "0.00000001"),
            (150_000_000, "1.5"),
            (10_000_000_000, "100"),
            (12_345_678_901, "123.45678901"),
            (10u128.pow(33), "10000000000000000000000000"),
        ] {
            assert_eq!(Total(units).to_plain_string(), text);
        }
    }

    #[test]
    fn documented_example_totals_exactly() {
        let json = r#"[{"product_name":"Product 1","product_price":1.99,"product_amount":1,"product_id":"id1","product_type":"general"},
                       {"product_name":"Product 2","product_price":0.99,"product_amount":2,"product_id":"id2","product_type":"general"}]"#;
        assert_eq!(cart_total_json(json).unwrap(), "3.97");
    }

    #[test]
    fn string_prices_and_quantities_total_exactly() {
        let json = r#"[{"product_name":"a","product_price":"0.10","product_amount":"3","product_id":"1","product_type":"g"},
                       {"product_name":"b","product_price":"0.2","product_amount":1,"product_id":"2","product_type":"g"}]"#;
        assert_eq!(cart_total_json(json).unwrap(), "0.5");
    }

    #[test]
    fn largest_allowed_cart_is_still_exact() {
        let line = r#"{"product_name":"x","product_price":"999999999999.999","product_amount":1000000000,"product_id":"1","product_type":"g"}"#;
        let json = format!("[{}]", vec![line; 1000].join(","));
        assert_eq!(cart_total_json(&json).unwrap(), "999999999999999000000000");
        // Found by fuzzing: more digits than a 96-bit decimal's 28 (21 before the point, 8 after).
        let json = r#"[{"product_name":"a","product_price":"999999999999","product_amount":1000000000,"product_id":"1","product_type":"g"},
                       {"product_name":"b","product_price":"0.00000001","product_amount":1,"product_id":"2","product_type":"g"}]"#;
        assert_eq!(cart_total_json(json).unwrap(), "999999999999000000000.00000001");
        let max = r#"{"product_name":"x","product_price":"999999999999.99999999","product_amount":1000000000,"product_id":"1","product_type":"g"}"#;
        let json = format!("[{}]", vec![max; 1000].join(","));
        assert!(cart_total_json(&json).is_err(), "20 significant digits break the 15-digit price rule first");
    }

    #[test]
    fn conversion_at_a_quoted_rate() {
        assert_eq!(convert_amount("3.97", "52372.33459748911", 8).unwrap(), "0.0000758");
        assert_eq!(convert_amount("100", "0.92137", 2).unwrap(), "108.53");
        let e = convert_amount("-1", "0", 40).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount", "rate", "decimals"]);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_path() {
        let json = r#"[{"product_name":"","product_price":-1,"product_amount":0,"product_id":"x","product_type":"g","extra":1}, 5]"#;
        let fields: Vec<String> = products_errors(json).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "products[0].extra",
                "products[0].product_name",
                "products[0].product_price",
                "products[0].product_amount",
                "products[1]",
            ]
        );
        assert_eq!(products_errors("[]")[0].message, "must hold at least one product line");
        assert!(products_errors(r#"{"a":1}"#)[0].message.contains("got object"));
    }
}
