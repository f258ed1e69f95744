//! Execute Payment External Platform (`POST /pay/gateway/initiate`): the merchant's input,
//! the exact body that is signed and sent, and the response.
//!
//! Request New Payment (`POST /pay/gateway/request`) takes the same body without
//! `destination_coin` (plus the obsolete optional `urlcallback`), so both are built here.

#[allow(unused_imports)]
use crate::prelude::*;

use super::input::{read_document, scalar, Fill, Members};
use super::object::{object, read, read_json, Declared, Decoded, Success};
use super::product::{Lines, Total};
use super::response_object;
use crate::error::{Error, FieldError};
use crate::json::ObjectWriter;
use crate::text::text;
use crate::validate::{self, CheckedValue, Checker, FieldRule, Presence, Rule, TextKind};

/// Longest `payment_request_id` / `user_id`, in characters.
pub const MAX_ID: usize = 100;
/// Longest `name` / `surname`, in characters.
pub const MAX_NAME: usize = 100;
/// Longest e-mail address (RFC 5321).
pub const MAX_EMAIL: usize = 254;
/// Longest `urlcallback`.
pub const MAX_URL: usize = 2048;
/// Longest `input_coin` / `destination_coin` (a currency or coin code).
pub const MAX_COIN: usize = validate::MAX_CODE_LEN;

/// Which payment call the input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    /// `POST /pay/gateway/initiate`: the merchant picks the coin (`destination_coin`).
    Initiate,
    /// `POST /pay/gateway/request`: the customer picks the coin on Coinbar's page.
    Request,
}

impl PaymentKind {
    #[cfg(feature = "signer")]
    fn input_name(self) -> &'static str {
        match self {
            PaymentKind::Initiate => "initiate input",
            PaymentKind::Request => "request input",
        }
    }

    /// This kind's bit in the `kinds` of [`INPUT`].
    fn bit(self) -> u8 {
        match self {
            PaymentKind::Initiate => INITIATE,
            PaymentKind::Request => REQUEST,
        }
    }
}

const INITIATE: u8 = 1;
const REQUEST: u8 = 2;
const BOTH: u8 = INITIATE | REQUEST;

use Presence::{Optional, Required};

/// The rule table of both payment inputs, in the documented field order (which is also the
/// order of the body and of the error list). Request New Payment has no `destination_coin`
/// and may carry the obsolete `urlcallback`.
const INPUT: &[FieldRule] = &[
    FieldRule { name: "service_client_id", rule: Rule::ClientId(MAX_ID), kinds: BOTH },
    FieldRule { name: "payment_request_id", rule: Rule::Text(MAX_ID, TextKind::UrlSafeId, Required), kinds: BOTH },
    FieldRule { name: "input_coin", rule: Rule::Text(MAX_COIN, TextKind::Code, Required), kinds: BOTH },
    FieldRule { name: "products", rule: Rule::Lines, kinds: BOTH },
    FieldRule { name: "email", rule: Rule::Text(MAX_EMAIL, TextKind::Email, Required), kinds: BOTH },
    FieldRule { name: "surname", rule: Rule::Text(MAX_NAME, TextKind::Free, Optional), kinds: BOTH },
    FieldRule { name: "name", rule: Rule::Text(MAX_NAME, TextKind::Free, Optional), kinds: BOTH },
    FieldRule { name: "user_id", rule: Rule::Text(MAX_ID, TextKind::Free, Required), kinds: BOTH },
    FieldRule { name: "timestamp", rule: Rule::Timestamp, kinds: BOTH },
    FieldRule { name: "destination_coin", rule: Rule::Text(MAX_COIN, TextKind::Code, Required), kinds: INITIATE },
    FieldRule { name: "urlcallback", rule: Rule::Url(MAX_URL), kinds: REQUEST },
];

/// A payment input read, checked and written in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedBody {
    /// The exact JSON text to sign and send: what `JSON.stringify` prints for the request
    /// object, fields in the documented order.
    pub body: String,
    /// The timestamp the body carries: the input's own, or the `now_ms` given.
    pub timestamp: u64,
    /// The exact cart total.
    pub total: Total,
}

/// Check an input given as JSON text and write its body. `client_id` is the body's
/// `service_client_id` (the client configuration's) and, when given, what a
/// `service_client_id` inside the input must equal (it is best left out of the input);
/// `now_ms` is the timestamp of an input without one. Only in builds that sign (see
/// [`super::input::WRITES_BODY`]).
#[cfg(feature = "signer")]
pub fn prepare(text: &str, kind: PaymentKind, client_id: Option<&str>, now_ms: u64) -> Result<PreparedBody, Error> {
    let mut ch = Checker::default();
    match read_input(&mut ch, text, kind, client_id, now_ms) {
        Some(prepared) if ch.is_ok() => Ok(prepared),
        _ => Err(Error::validation(kind.input_name(), ch.errors)),
    }
}

/// `validateInitiate`: every broken rule of an input, or an empty list.
pub fn validation_errors(text: &str, kind: PaymentKind) -> Vec<FieldError> {
    let mut ch = Checker::default();
    read_input(&mut ch, text, kind, None, 0);
    ch.errors
}

/// Read an input by the [`INPUT`] table and write its body: every broken rule is recorded in
/// `ch` (see `input.rs` for the order).
fn read_input(
    ch: &mut Checker,
    text: &str,
    kind: PaymentKind,
    client_id: Option<&str>,
    now_ms: u64,
) -> Option<PreparedBody> {
    let mut members = Members::new(INPUT, kind.bit());
    let mut lines = Lines::new(text.len());
    let not_an_object = read_document(ch, text, "input", |sc| {
        if sc.next_byte() != Some(b'{') {
            return scalar(sc).map(Some);
        }
        sc.open()?;
        members.read(sc, &mut |sc| lines.read(sc, "products"))?;
        Ok(None)
    })?;
    if let Some(v) = not_an_object {
        ch.fail("input", text!("must be an object (got ", v.type_name(), ")"));
        return None;
    }
    let mut body = String::with_capacity(text.len() + 96);
    let mut w = ObjectWriter::new(&mut body);
    let mut checked: [Option<CheckedValue<'_>>; INPUT.len()] = Default::default();
    let mut total = None;
    let fill = Fill { client_id, now_ms };
    members.check_and_write(ch, &mut w, fill, &mut checked, &mut |ch, v, name, out| {
        total = lines.check(ch, v, name);
        out.push('[');
        out.push_str(&lines.json);
        out.push(']');
    });
    w.end();
    let timestamp = match INPUT.iter().zip(&checked).find(|(f, _)| matches!(f.rule, Rule::Timestamp)) {
        Some((_, Some(CheckedValue::Whole(n)))) => *n,
        _ => now_ms,
    };
    let total = match total? {
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
    Some(PreparedBody { body, timestamp, total })
}

object! {
    /// Coinbar's answer to initiate: what the customer pays and where. Amounts are exact
    /// decimal strings with every digit Coinbar sent.
    pub struct InitiateResponse in INITIATE_RESPONSE {
        request_token: req Str,
        payment_id_coinbar: req Str,
        /// Total in `input_coin`.
        payment_total_price: req Amount,
        /// e.g. `"BTC/EUR"`.
        trade_pair: req Str,
        /// Coin URI to show as a QR code (e.g. BIP21 `bitcoin:ADDR?amount=…`).
        payment_string: req Str,
        /// Rate used: units of `input_coin` per coin.
        destination_coin_change: req Amount,
        /// Amount of the coin to pay.
        destination_amount: req Amount,
        destination_address: req Str,
        /// Memo / destination tag for memo chains (XRP, XDB); null when Coinbar sends none.
        destination_memo: opt Str,
    }
    /// Always `success` (any other `result` is an `api` error).
    + result: Success = "'success'",
}

/// Coinbar's answer to initiate as the JSON handed to JS (the fields of
/// [`InitiateResponse`]).
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, true)?;
    read_json(&doc, INITIATE_RESPONSE, true, body.len())
}

/// Read Coinbar's answer to initiate (HTTP status and body text as received).
pub fn parse_response(status: u16, body: &str) -> Result<InitiateResponse, Error> {
    let doc = response_object(status, body, true)?;
    read(&doc, INITIATE_RESPONSE).map(InitiateResponse::from_decoded)
}

object! {
    /// Answer of Request New Payment: the token that opens Coinbar's hosted page.
    pub struct RequestResponse in REQUEST_RESPONSE {
        request_token: req Str,
        payment_id_coinbar: opt Str,
    }
    /// Always `success` (any other `result` is an `api` error).
    + result: Success = "'success'",
    /// Coinbar's hosted payment page for this token: redirect the customer here.
    + gateway_url: String = "string",
}

/// Read Coinbar's answer to Request New Payment by its table.
pub(crate) fn read_request_response(status: u16, body: &str) -> Result<Decoded, Error> {
    read(&response_object(status, body, true)?, REQUEST_RESPONSE)
}

/// Read Coinbar's answer to Request New Payment (`gateway_url` empty: the client fills it in).
pub fn parse_request_response(status: u16, body: &str) -> Result<RequestResponse, Error> {
    read_request_response(status, body).map(RequestResponse::from_decoded)
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
    #[cfg(feature = "signer")] // the body is written only where it is signed
    fn documented_example_body_is_in_field_order_and_compact() {
        let input = prepare(DOC_INPUT, PaymentKind::Initiate, Some("cid"), 0).unwrap();
        assert_eq!(input.total.to_plain_string(), "3.97");
        assert_eq!(
            input.body,
            r#"{"service_client_id":"cid","payment_request_id":"order-1","input_coin":"EUR","products":[{"product_name":"Product 1","product_price":1.99,"product_amount":1,"product_id":"id1","product_type":"general"},{"product_name":"Product 2","product_price":0.99,"product_amount":2,"product_id":"id2","product_type":"general"}],"email":"jane@example.com","surname":"Doe","name":"Jane","user_id":"u-1","timestamp":1715430961064,"destination_coin":"BTC"}"#
        );
    }

    /// Members copied as they stand (compact, keys in table order) and members written from
    /// their values (whitespace, escapes, other key orders, other number forms) give the
    /// same body.
    #[test]
    #[cfg(feature = "signer")] // the body is written only where it is signed
    fn members_copied_as_read_and_written_from_values_give_the_same_body() {
        let line = |name: &str, price: &str, amount: &str| {
            format!(
                r#"{{"product_name":{name},"product_price":{price},"product_amount":{amount},"product_id":"i","product_type":"t"}}"#
            )
        };
        let body = |products: &[String], rest: &str| {
            let text = format!(
                r#"{{"payment_request_id":"o","input_coin":"EUR","products":[{}],{rest}}}"#,
                products.join(",")
            );
            prepare(&text, PaymentKind::Initiate, Some("c"), 1_700_000_000_123).map(|p| p.body)
        };
        let rest = r#""email":"a@b.co","surname":"S","name":"N","user_id":"u","timestamp":1715430961064,"destination_coin":"ETH""#;
        let compact = body(
            &[line(r#""Café""#, "2.5", "3"), line(r#""x""#, "0.0000015", "1"), line(r#""y""#, "0.0000001", "1")],
            rest,
        )
        .unwrap();
        for (products, rest) in [
            (
                vec![
                    line(r#""Caf\u00e9""#, "2.50", "\"3\""),
                    line(r#""x""#, "1.5e-6", "1"),
                    line(r#""y""#, "1e-7", "1"),
                ],
                rest.to_string(),
            ),
            (
                vec![
                    line(r#""Café""#, r#""2.5""#, "3"),
                    line(r#""x""#, r#""0.0000015""#, "1.0"),
                    line(r#""y""#, r#""0.0000001""#, "1"),
                ],
                rest.replace("\"surname\":\"S\",\"name\":\"N\"", "\"name\":\"N\",\"surname\":\"S\""),
            ),
            (
                vec![
                    line(r#" "Café" "#, "2.5", "3 "),
                    line(r#""x""#, "0.0000015", "1"),
                    line(r#""y""#, "0.0000001", "1"),
                ],
                rest.replace(":", " : ").replace(",", " , "),
            ),
        ] {
            assert_eq!(body(&products, &rest).unwrap(), compact, "{products:?} {rest}");
        }
        assert_eq!(
            compact,
            r#"{"service_client_id":"c","payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"Café","product_price":2.5,"product_amount":3,"product_id":"i","product_type":"t"},{"product_name":"x","product_price":0.0000015,"product_amount":1,"product_id":"i","product_type":"t"},{"product_name":"y","product_price":1e-7,"product_amount":1,"product_id":"i","product_type":"t"}],"email":"a@b.co","surname":"S","name":"N","user_id":"u","timestamp":1715430961064,"destination_coin":"ETH"}"#
        );
    }

    #[test]
    #[cfg(feature = "signer")] // the body is written only where it is signed
    fn missing_timestamp_uses_now_and_optional_names_are_omitted() {
        let text = r#"{"payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"p","product_price":"2.50","product_amount":"1","product_id":"i","product_type":"t"}],"email":"a@b.co","user_id":"u","destination_coin":"ETH","name":null}"#;
        let body = prepare(text, PaymentKind::Initiate, Some("c"), 1_700_000_000_123).unwrap().body;
        assert_eq!(
            body,
            r#"{"service_client_id":"c","payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"p","product_price":2.5,"product_amount":1,"product_id":"i","product_type":"t"}],"email":"a@b.co","user_id":"u","timestamp":1700000000123,"destination_coin":"ETH"}"#
        );
    }

    #[test]
    #[cfg(feature = "signer")] // the body is written only where it is signed
    fn request_kind_has_no_destination_coin_and_may_carry_urlcallback() {
        let text = DOC_INPUT.replace(r#","destination_coin":"BTC""#, r#","urlcallback":"https://shop.example/cb""#);
        let body = prepare(&text, PaymentKind::Request, Some("c"), 0).unwrap().body;
        assert!(body.ends_with(r#""timestamp":1715430961064,"urlcallback":"https://shop.example/cb"}"#), "{body}");
        let errs = validation_errors(DOC_INPUT, PaymentKind::Request);
        assert_eq!(errs[0].field, "destination_coin");
    }

    #[test]
    #[cfg(feature = "signer")] // the body is written only where it is signed
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
            let errs = prepare(text, PaymentKind::Initiate, Some("cid"), 0).unwrap_err();
            assert_eq!(errs.kind, ErrorKind::Validation);
            assert!(errs.errors.iter().any(|e| e.field == *field), "{text}: {:?}", errs.errors);
        }
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
