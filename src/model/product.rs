//! A product line of a payment, and exact cart totals.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{Error, FieldError};
use crate::json::{ObjectWriter, ToJson};
use crate::model::view::Value;
use crate::money::Money;
use crate::text::text;
use crate::validate::{self, Checker, FieldRule, Rule, TextKind};

/// Longest product name, in characters.
pub const MAX_PRODUCT_NAME: usize = 200;
/// Longest product id, in characters.
pub const MAX_PRODUCT_ID: usize = 100;
/// Longest product type, in characters.
pub const MAX_PRODUCT_TYPE: usize = 50;

/// The rule table of a product line (the input's and `cartTotal`'s), in the documented
/// field order.
const LINE: &[FieldRule] = &[
    FieldRule { name: "product_name", rule: Rule::Text(MAX_PRODUCT_NAME, TextKind::Free, true), kinds: 1 },
    FieldRule { name: "product_price", rule: Rule::Price, kinds: 1 },
    FieldRule { name: "product_amount", rule: Rule::Whole(1, validate::MAX_PRODUCT_AMOUNT), kinds: 1 },
    FieldRule { name: "product_id", rule: Rule::Text(MAX_PRODUCT_ID, TextKind::Free, true), kinds: 1 },
    FieldRule { name: "product_type", rule: Rule::Text(MAX_PRODUCT_TYPE, TextKind::Free, true), kinds: 1 },
];

/// One validated product line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    pub price: Money,
    pub amount: u64,
    pub id: String,
    pub kind: String,
}

impl Product {
    /// `price × amount`, exact, in units of 10^-8 (prices have at most 8 decimals).
    pub fn line_total_units(&self) -> Option<u128> {
        self.price.to_units(validate::MAX_PRICE_FRACTION_DIGITS)?.checked_mul(u128::from(self.amount))
    }
}

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

/// A product line as sent: the documented field order, the price as a JSON number.
impl ToJson for Product {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("product_name", &self.name)
            .field("product_price", &self.price.to_f64())
            .field("product_amount", &self.amount)
            .field("product_id", &self.id)
            .field("product_type", &self.kind)
            .end();
    }
}

/// Read and check the `products` array; errors name `products[i].field`.
pub fn read_products(ch: &mut Checker, v: Option<&Value<'_>>, field: &str) -> Option<Vec<Product>> {
    let items = match v {
        None | Some(Value::Null) => {
            ch.fail(field, "is required");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            ch.fail(field, text!("must be an array of product lines (got ", other.type_name(), ")"));
            return None;
        }
    };
    if items.is_empty() {
        ch.fail(field, "must hold at least one product line");
        return None;
    }
    if items.len() > validate::MAX_PRODUCTS {
        ch.fail(field, text!("must hold at most ", validate::MAX_PRODUCTS, " product lines (got ", items.len(), ")"));
        return None;
    }
    let before = ch.errors.len();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            ch.fail(&text!(field, '[', i, ']'), text!("must be an object (got ", item.type_name(), ")"));
            continue;
        };
        // Fields are checked under their bare names and given the line's path only if they
        // fail: valid lines (the hot path) build no path strings.
        let line_start = ch.errors.len();
        let mut f = validate::read_fields(ch, obj, LINE, 1, None);
        for e in ch.errors.iter_mut().skip(line_start) {
            e.field = text!(field, '[', i, "].", e.field);
        }
        let line = (
            f.text("product_name"),
            f.money("product_price"),
            f.whole("product_amount"),
            f.text("product_id"),
            f.text("product_type"),
        );
        if let (Some(name), Some(price), Some(amount), Some(id), Some(kind)) = line {
            out.push(Product { name, price, amount, id, kind });
        }
    }
    (ch.errors.len() == before).then_some(out)
}

/// The exact total of all lines. Within the product rules this cannot overflow (see
/// [`Total`]); `None` would mean it did.
pub fn total(products: &[Product]) -> Option<Total> {
    products.iter().try_fold(Total(0), |acc, p| Some(Total(acc.0.checked_add(p.line_total_units()?)?)))
}

/// `cartTotal(products)`: check a products array given as JSON text and return its exact
/// total as a plain decimal string.
pub fn cart_total_json(products_json: &str) -> Result<String, Error> {
    let mut ch = Checker::default();
    let value = crate::model::parse_input_json(&mut ch, products_json, "products");
    let products = value.as_ref().and_then(|v| read_products(&mut ch, Some(v), "products"));
    match products.and_then(|p| total(&p)) {
        Some(t) if ch.is_ok() => Ok(t.to_plain_string()),
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
