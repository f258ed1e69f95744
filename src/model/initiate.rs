//! Execute Payment External Platform (`POST /pay/gateway/initiate`): the merchant's input,
//! the exact body that is signed and sent, and the response.
//!
//! Request New Payment (`POST /pay/gateway/request`) takes the same body without
//! `destination_coin` (plus the obsolete optional `urlcallback`), so both are built here.

use super::product::{self, Product, ProductBody, Total};
use super::{parse_input_json, response_object, Reader};
use crate::error::{Error, FieldError};
use crate::json::to_js_json;
use crate::validate::{self, Checker, TextKind};
use serde::Serialize;
use serde_json::Value;
#[cfg(feature = "fast-parse")]
use std::borrow::Cow;

/// Longest `payment_request_id` / `user_id`, in characters.
pub const MAX_ID: usize = 100;
/// Longest `name` / `surname`, in characters.
pub const MAX_NAME: usize = 100;
/// Longest e-mail address (RFC 5321).
pub const MAX_EMAIL: usize = 254;
/// Longest `urlcallback`.
pub const MAX_URL: usize = 2048;

/// Which payment call the input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    /// `POST /pay/gateway/initiate`: the merchant picks the coin (`destination_coin`).
    Initiate,
    /// `POST /pay/gateway/request`: the customer picks the coin on Coinbar's page.
    Request,
}

impl PaymentKind {
    fn input_name(self) -> &'static str {
        match self {
            PaymentKind::Initiate => "initiate input",
            PaymentKind::Request => "request input",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            PaymentKind::Initiate => &[
                "service_client_id",
                "payment_request_id",
                "input_coin",
                "products",
                "email",
                "surname",
                "name",
                "user_id",
                "timestamp",
                "destination_coin",
            ],
            PaymentKind::Request => &[
                "service_client_id",
                "payment_request_id",
                "input_coin",
                "products",
                "email",
                "surname",
                "name",
                "user_id",
                "timestamp",
                "urlcallback",
            ],
        }
    }
}

/// A validated payment input. `timestamp` is `None` when the merchant left it to "now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub kind: PaymentKind,
    pub payment_request_id: String,
    pub input_coin: String,
    pub products: Vec<Product>,
    pub email: String,
    pub surname: Option<String>,
    pub name: Option<String>,
    pub user_id: String,
    pub timestamp: Option<u64>,
    pub destination_coin: Option<String>,
    pub urlcallback: Option<String>,
    /// The exact cart total.
    pub total: Total,
}

/// The body exactly as sent, in the documented field order.
#[derive(Serialize)]
struct Body<'a> {
    service_client_id: &'a str,
    payment_request_id: &'a str,
    input_coin: &'a str,
    products: Vec<ProductBody<'a>>,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    surname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    user_id: &'a str,
    timestamp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_coin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    urlcallback: Option<&'a str>,
}

/// Check an input given as JSON text. `client_id`, when known, is what a
/// `service_client_id` inside the input must equal (it normally comes from the client
/// configuration and is best left out of the input).
pub fn parse_input(text: &str, kind: PaymentKind, client_id: Option<&str>) -> Result<PaymentInput, Error> {
    #[cfg(feature = "fast-parse")]
    if let Some(input) = read_valid_input(text, kind, client_id) {
        return Ok(input);
    }
    let mut ch = Checker::default();
    let input = read_input(&mut ch, text, kind, client_id);
    match input {
        Some(input) if ch.is_ok() => Ok(input),
        _ => Err(Error::validation(kind.input_name(), ch.errors)),
    }
}

/// `validateInitiate`: every broken rule of an input, or an empty list.
pub fn validation_errors(text: &str, kind: PaymentKind) -> Vec<FieldError> {
    match parse_input(text, kind, None) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    }
}

/// The merchant's input as the fast path reads it: typed, borrowed, no unknown fields.
#[cfg(feature = "fast-parse")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct InputIn<'a> {
    #[serde(default)]
    service_client_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    payment_request_id: Cow<'a, str>,
    #[serde(borrow)]
    input_coin: Cow<'a, str>,
    #[serde(borrow)]
    products: Vec<product::LineIn<'a>>,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(default)]
    surname: Option<Cow<'a, str>>,
    #[serde(default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
    // `present` keeps "given as null" apart from "absent": the full reader refuses a null
    // timestamp and a field the payment kind does not have, even when null.
    #[serde(borrow, default, deserialize_with = "present")]
    timestamp: Option<Option<&'a serde_json::value::RawValue>>,
    #[serde(borrow, default, deserialize_with = "present")]
    destination_coin: Option<Option<Cow<'a, str>>>,
    #[serde(borrow, default, deserialize_with = "present")]
    urlcallback: Option<Option<Cow<'a, str>>>,
}

#[cfg(feature = "fast-parse")]
/// `Some(value)` for a field that is present (its value possibly `None` for null); the
/// field's `default` gives `None` when it is absent.
fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

// Each text field's rule (most characters, kind), written once for both readers.
const SERVICE_CLIENT_ID: (usize, TextKind) = (MAX_ID, TextKind::Free);
const PAYMENT_REQUEST_ID: (usize, TextKind) = (MAX_ID, TextKind::UrlSafeId);
const COIN: (usize, TextKind) = (10, TextKind::Code);
const EMAIL: (usize, TextKind) = (MAX_EMAIL, TextKind::Email);
const NAME: (usize, TextKind) = (MAX_NAME, TextKind::Free);
const USER_ID: (usize, TextKind) = (MAX_ID, TextKind::Free);
const URL: (usize, TextKind) = (MAX_URL, TextKind::Free);

fn check_urlcallback(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// The fast path: a valid input read without building a `serde_json::Value` tree, with
/// the same rule functions as [`read_input`]. Anything it does not accept (an error, or a
/// form it does not handle, such as escaped price strings) returns `None`, and the full
/// reader runs to accept it or explain what is wrong. It accepts only what the full reader
/// accepts, with the same values (tested on every valid input of the test suites).
#[cfg(feature = "fast-parse")]
fn read_valid_input(text: &str, kind: PaymentKind, client_id: Option<&str>) -> Option<PaymentInput> {
    if text.len() > validate::MAX_INPUT_BYTES {
        return None;
    }
    let i: InputIn<'_> = serde_json::from_str(text).ok()?;
    let ok = |s: &str, (max, k): (usize, TextKind)| validate::check_text(s, max, k).is_ok();
    let opt_ok = |s: &Option<Cow<'_, str>>, rule| s.as_deref().is_none_or(|s| ok(s, rule));
    let coin_rule = match kind {
        PaymentKind::Initiate => {
            i.destination_coin.as_ref().and_then(Option::as_deref).is_some_and(|c| ok(c, COIN))
                && i.urlcallback.is_none()
        }
        PaymentKind::Request => {
            i.destination_coin.is_none()
                && i.urlcallback.as_ref().and_then(Option::as_deref).is_none_or(|u| ok(u, URL) && check_urlcallback(u))
        }
    };
    let valid = coin_rule
        && i.service_client_id
            .as_deref()
            .is_none_or(|g| ok(g, SERVICE_CLIENT_ID) && client_id.is_none_or(|id| id == g))
        && ok(&i.payment_request_id, PAYMENT_REQUEST_ID)
        && ok(&i.input_coin, COIN)
        && ok(&i.email, EMAIL)
        && opt_ok(&i.surname, NAME)
        && opt_ok(&i.name, NAME)
        && ok(&i.user_id, USER_ID)
        && (1..=validate::MAX_PRODUCTS).contains(&i.products.len());
    if !valid {
        return None;
    }
    let timestamp = match i.timestamp {
        None => None,
        Some(None) => return None, // null: the full reader explains
        Some(Some(raw)) => Some(validate::plain_whole(
            validate::raw_scalar(raw).filter(|s| matches!(s, validate::Scalar::Number(_)))?,
            validate::MIN_TIMESTAMP_MS,
            validate::MAX_TIMESTAMP_MS,
        )?),
    };
    let products = i.products.into_iter().map(product::LineIn::valid).collect::<Option<Vec<_>>>()?;
    let total = product::total(&products).filter(|t| !t.is_zero())?;
    Some(PaymentInput {
        kind,
        payment_request_id: i.payment_request_id.into_owned(),
        input_coin: i.input_coin.into_owned(),
        products,
        email: i.email.into_owned(),
        surname: i.surname.map(Cow::into_owned),
        name: i.name.map(Cow::into_owned),
        user_id: i.user_id.into_owned(),
        timestamp,
        destination_coin: i.destination_coin.flatten().map(Cow::into_owned),
        urlcallback: i.urlcallback.flatten().map(Cow::into_owned),
        total,
    })
}

fn read_input(ch: &mut Checker, text: &str, kind: PaymentKind, client_id: Option<&str>) -> Option<PaymentInput> {
    let value = parse_input_json(ch, text, "input")?;
    let Value::Object(obj) = &value else {
        ch.fail("input", format!("must be an object (got {})", validate::type_name(&value)));
        return None;
    };
    validate::no_unknown_fields(ch, obj, "", kind.fields());
    let get = |k: &str| obj.get(k);

    if let Some(given) = validate::text(
        ch,
        get("service_client_id"),
        "service_client_id",
        false,
        SERVICE_CLIENT_ID.0,
        SERVICE_CLIENT_ID.1,
    ) {
        if client_id.is_some_and(|id| id != given) {
            ch.fail("service_client_id", "differs from the client's service client id; leave it out of the input");
        }
    }
    let payment_request_id = validate::text(
        ch,
        get("payment_request_id"),
        "payment_request_id",
        true,
        PAYMENT_REQUEST_ID.0,
        PAYMENT_REQUEST_ID.1,
    );
    let input_coin = validate::text(ch, get("input_coin"), "input_coin", true, COIN.0, COIN.1);
    let products = product::read_products(ch, get("products"), "products");
    let email = validate::text(ch, get("email"), "email", true, EMAIL.0, EMAIL.1);
    let surname = validate::text(ch, get("surname"), "surname", false, NAME.0, NAME.1);
    let name = validate::text(ch, get("name"), "name", false, NAME.0, NAME.1);
    let user_id = validate::text(ch, get("user_id"), "user_id", true, USER_ID.0, USER_ID.1);
    let timestamp = validate::timestamp_ms(ch, get("timestamp"), "timestamp");
    let destination_coin = match kind {
        PaymentKind::Initiate => validate::text(ch, get("destination_coin"), "destination_coin", true, COIN.0, COIN.1),
        PaymentKind::Request => None,
    };
    let urlcallback = match kind {
        PaymentKind::Request => {
            let url = validate::text(ch, get("urlcallback"), "urlcallback", false, URL.0, URL.1);
            if url.as_deref().is_some_and(|u| !check_urlcallback(u)) {
                ch.fail("urlcallback", "must be an http(s) URL");
            }
            url
        }
        PaymentKind::Initiate => None,
    };

    let products = products?;
    let total = match product::total(&products) {
        Some(t) if t.is_zero() => {
            ch.fail("products", "total must be greater than 0");
            return None;
        }
        Some(t) => t,
        None => {
            ch.fail("products", "total is too large to compute exactly");
            return None;
        }
    };
    Some(PaymentInput {
        kind,
        payment_request_id: payment_request_id?,
        input_coin: input_coin?,
        products,
        email: email?,
        surname,
        name,
        user_id: user_id?,
        timestamp,
        destination_coin,
        urlcallback,
        total,
    })
}

impl PaymentInput {
    /// The exact JSON text to sign and send: what `JSON.stringify` prints for the request
    /// object. `now_ms` fills in a missing timestamp.
    pub fn body(&self, service_client_id: &str, now_ms: u64) -> Result<String, Error> {
        let body = Body {
            service_client_id,
            payment_request_id: &self.payment_request_id,
            input_coin: &self.input_coin,
            products: self.products.iter().map(ProductBody::from).collect(),
            email: &self.email,
            surname: self.surname.as_deref(),
            name: self.name.as_deref(),
            user_id: &self.user_id,
            timestamp: self.timestamp.unwrap_or(now_ms),
            destination_coin: self.destination_coin.as_deref(),
            urlcallback: self.urlcallback.as_deref(),
        };
        to_js_json(&body).map_err(|e| Error::config(format!("body could not be serialized: {e}")))
    }
}

/// The answer to initiate: what the customer pays, where, and the payment string for the QR
/// code. Amounts are exact decimal strings with every digit Coinbar sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiateResponse {
    pub result: &'static str,
    pub request_token: String,
    pub payment_id_coinbar: String,
    pub payment_total_price: String,
    pub trade_pair: String,
    pub payment_string: String,
    pub destination_coin_change: String,
    pub destination_amount: String,
    pub destination_address: String,
    pub destination_memo: Option<String>,
}

/// Read Coinbar's answer to initiate (HTTP status and body text as received).
pub fn parse_response(status: u16, body: &str) -> Result<InitiateResponse, Error> {
    let doc = response_object(status, body, true)?;
    let r = Reader::new(doc.view());
    Ok(InitiateResponse {
        result: "success",
        request_token: r.string("request_token")?,
        payment_id_coinbar: r.string("payment_id_coinbar")?,
        payment_total_price: r.amount("payment_total_price")?,
        trade_pair: r.string("trade_pair")?,
        payment_string: r.string("payment_string")?,
        destination_coin_change: r.amount("destination_coin_change")?,
        destination_amount: r.amount("destination_amount")?,
        destination_address: r.string("destination_address")?,
        destination_memo: r.opt_string("destination_memo")?,
    })
}

/// The answer to Request New Payment: the token that opens Coinbar's hosted page, and
/// the ready gateway URL (filled in by the client, which knows the base URL and id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestResponse {
    pub result: &'static str,
    pub request_token: String,
    pub payment_id_coinbar: Option<String>,
    pub gateway_url: Option<String>,
}

/// Read Coinbar's answer to Request New Payment.
pub fn parse_request_response(status: u16, body: &str) -> Result<RequestResponse, Error> {
    let doc = response_object(status, body, true)?;
    let r = Reader::new(doc.view());
    Ok(RequestResponse {
        result: "success",
        request_token: r.string("request_token")?,
        payment_id_coinbar: r.opt_string("payment_id_coinbar")?,
        gateway_url: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const DOC_INPUT: &str = r#"{"payment_request_id":"order-1","input_coin":"EUR","products":[
        {"product_name":"Product 1","product_price":1.99,"product_amount":1,"product_id":"id1","product_type":"general"},
        {"product_name":"Product 2","product_price":0.99,"product_amount":2,"product_id":"id2","product_type":"general"}],
        "email":"jane@example.com","name":"Jane","surname":"Doe","user_id":"u-1","timestamp":1715430961064,"destination_coin":"BTC"}"#;

    #[test]
    fn documented_example_body_is_in_field_order_and_compact() {
        let input = parse_input(DOC_INPUT, PaymentKind::Initiate, Some("cid")).unwrap();
        assert_eq!(input.total.to_plain_string(), "3.97");
        assert_eq!(
            input.body("cid", 0).unwrap(),
            r#"{"service_client_id":"cid","payment_request_id":"order-1","input_coin":"EUR","products":[{"product_name":"Product 1","product_price":1.99,"product_amount":1,"product_id":"id1","product_type":"general"},{"product_name":"Product 2","product_price":0.99,"product_amount":2,"product_id":"id2","product_type":"general"}],"email":"jane@example.com","surname":"Doe","name":"Jane","user_id":"u-1","timestamp":1715430961064,"destination_coin":"BTC"}"#
        );
    }

    #[test]
    fn missing_timestamp_uses_now_and_optional_names_are_omitted() {
        let text = r#"{"payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"p","product_price":"2.50","product_amount":"1","product_id":"i","product_type":"t"}],"email":"a@b.co","user_id":"u","destination_coin":"ETH","name":null}"#;
        let body = parse_input(text, PaymentKind::Initiate, None).unwrap().body("c", 1_700_000_000_123).unwrap();
        assert_eq!(
            body,
            r#"{"service_client_id":"c","payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"p","product_price":2.5,"product_amount":1,"product_id":"i","product_type":"t"}],"email":"a@b.co","user_id":"u","timestamp":1700000000123,"destination_coin":"ETH"}"#
        );
    }

    #[test]
    fn request_kind_has_no_destination_coin_and_may_carry_urlcallback() {
        let text = DOC_INPUT.replace(r#","destination_coin":"BTC""#, r#","urlcallback":"https://shop.example/cb""#);
        let body = parse_input(&text, PaymentKind::Request, None).unwrap().body("c", 0).unwrap();
        assert!(body.ends_with(r#""timestamp":1715430961064,"urlcallback":"https://shop.example/cb"}"#), "{body}");
        let errs = validation_errors(DOC_INPUT, PaymentKind::Request);
        assert_eq!(errs[0].field, "destination_coin");
    }

    #[test]
    fn every_rule_names_its_field() {
        let cases: &[(&str, &str)] = &[
            (r#"[]"#, "input"),
            (r#"{}"#, "payment_request_id"),
            (r#"{"payment_request_id":""}"#, "payment_request_id"),
            (r#"{"payment_request_id":"a/b"}"#, "payment_request_id"),
            (r#"{"input_coin":"eur"}"#, "input_coin"),
            (r#"{"products":[]}"#, "products"),
            (r#"{"products":"x"}"#, "products"),
            (r#"{"email":"nope"}"#, "email"),
            (r#"{"name":""}"#, "name"),
            (r#"{"surname":5}"#, "surname"),
            (r#"{"timestamp":1.5}"#, "timestamp"),
            (r#"{"destination_coin":"btc"}"#, "destination_coin"),
            (r#"{"destinaton_coin":"BTC"}"#, "destinaton_coin"),
            (r#"{"service_client_id":"other"}"#, "service_client_id"),
        ];
        for (text, field) in cases {
            let errs = parse_input(text, PaymentKind::Initiate, Some("cid")).unwrap_err();
            assert_eq!(errs.kind, ErrorKind::Validation);
            assert!(errs.errors.iter().any(|e| e.field == *field), "{text}: {:?}", errs.errors);
        }
    }

    /// The full reader alone, for comparing with the fast path.
    #[cfg(feature = "fast-parse")]
    fn slow(text: &str, kind: PaymentKind, client_id: Option<&str>) -> Option<PaymentInput> {
        let mut ch = Checker::default();
        read_input(&mut ch, text, kind, client_id).filter(|_| ch.is_ok())
    }

    #[cfg(feature = "fast-parse")]
    #[test]
    fn fast_path_accepts_only_what_the_full_reader_accepts_with_the_same_values() {
        let request = DOC_INPUT.replace(r#","destination_coin":"BTC""#, r#","urlcallback":"https://shop.example/cb""#);
        let valid = [
            (DOC_INPUT.to_string(), PaymentKind::Initiate),
            (request.clone(), PaymentKind::Request),
            (
                DOC_INPUT.replace("1.99", r#""1.99""#).replace(r#""name":"Jane","#, r#""name":null,"#),
                PaymentKind::Initiate,
            ),
            (
                request.replace(r#""urlcallback":"https://shop.example/cb""#, r#""urlcallback":null"#),
                PaymentKind::Request,
            ),
        ];
        for (text, kind) in &valid {
            let fast = read_valid_input(text, *kind, Some("cid"));
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, slow(text, *kind, Some("cid")));
        }
        // Forms the fast path leaves to the full reader (which may accept or refuse them).
        let handed_over = [
            (DOC_INPUT.replace("1715430961064", "null"), PaymentKind::Initiate),
            (DOC_INPUT.replace("1715430961064", r#""1715430961064""#), PaymentKind::Initiate),
            (DOC_INPUT.replace(r#""destination_coin":"BTC""#, r#""destination_coin":null"#), PaymentKind::Initiate),
            (
                DOC_INPUT.replace(r#","destination_coin":"BTC""#, r#","destination_coin":"BTC","urlcallback":null"#),
                PaymentKind::Initiate,
            ),
            (request.replace(r#""urlcallback""#, r#""destination_coin":null,"urlcallback""#), PaymentKind::Request),
            (DOC_INPUT.replace(r#""product_price":1.99"#, r#""product_price":"1.9\u0039""#), PaymentKind::Initiate),
            (DOC_INPUT.replace("Jane", "Ja\\ud800ne"), PaymentKind::Initiate),
            (DOC_INPUT.replace(r#""user_id":"u-1","#, r#""user_id":"u-1","user_id":"u-2","#), PaymentKind::Initiate),
        ];
        for (text, kind) in &handed_over {
            assert_eq!(read_valid_input(text, *kind, Some("cid")), None, "{text}");
        }
        assert!(
            parse_input(&handed_over[1].0, PaymentKind::Initiate, None).is_ok(),
            "a digit-string timestamp is valid"
        );
        assert!(parse_input(&handed_over[0].0, PaymentKind::Initiate, None).is_err());
        let with_id = DOC_INPUT.replacen('{', r#"{"service_client_id":"cid","#, 1);
        assert!(read_valid_input(&with_id, PaymentKind::Initiate, Some("cid")).is_some());
        assert_eq!(read_valid_input(&with_id, PaymentKind::Initiate, Some("other")), None, "client id differs");
    }

    #[test]
    fn zero_total_is_refused() {
        let text = DOC_INPUT.replace("1.99", "0").replace("0.99", "0");
        let errs = validation_errors(&text, PaymentKind::Initiate);
        assert_eq!(errs, [FieldError::new("products", "total must be greater than 0")]);
    }

    #[test]
    fn documented_response_parses_with_exact_amounts() {
        let body = r#"{"result":"success","request_token":"WlpZSkE3d3ZKa2NSTTl0V+/=","payment_id_coinbar":"ca900413-1",
            "payment_total_price":1.2,"trade_pair":"BTC/EUR","payment_string":"bitcoin:addr?amount=0.00045145423250897323",
            "destination_coin_change":50000,"destination_amount":0.00045145423250897323,
            "destination_address":"address","destination_memo":"memo","extra":"ignored"}"#;
        let r = parse_response(200, body).unwrap();
        assert_eq!(r.destination_amount, "0.00045145423250897323");
        assert_eq!(r.payment_total_price, "1.2");
        assert_eq!(r.destination_coin_change, "50000");
        assert_eq!(r.destination_memo.as_deref(), Some("memo"));
    }

    #[test]
    fn response_missing_a_field_names_it() {
        let body = r#"{"result":"success","request_token":"t","payment_id_coinbar":"p","payment_total_price":"x"}"#;
        let e = parse_response(200, body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.message, "response field `payment_total_price` must be a decimal number (got string)");
    }
}
