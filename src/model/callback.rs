//! The backend callback Coinbar POSTs when a payment ends: verification of its client id
//! and signature over the raw bytes, and the typed event.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "signer")]
use super::object::tokens::TokenOut;
use super::object::{object, read, Declared, Decoded, JsonOut};
use super::status::{Payment, PaymentStatus};
use crate::error::{Error, ErrorKind};
use crate::json::read::{self as view, Surrogates, Value};
use crate::text::text;

object! {
    /// A customer as callbacks and reports carry it.
    pub struct Customer in CUSTOMER {
        external_user_id: opt Str,
        name: opt Str,
        surname: opt Str,
        email: opt Str,
        /// Sent by Coinbar in reports (and kept if a callback carries it); absent otherwise.
        post_balance: omit Amount,
    }
}

object! {
    /// A product line as Coinbar echoes it back.
    pub struct ProductEcho in PRODUCT_ECHO {
        product_name: opt Str,
        product_price: opt Amount,
        product_amount: opt Amount,
        product_id: opt Str,
        product_type: opt Str,
    }
}

object! {
    /// A verified backend callback.
    pub struct CallbackEvent in CALLBACK {
        /// Written flat: the event's members are the payment's, then these.
        payment: flat Payment,
        customer: opt Object(Customer),
        products: opt List(ProductEcho),
    }
    /// `payment_id_coinbar/STATUS`: the same event delivered twice has the same key.
    + idempotency_key: String = "string",
}

/// Largest callback body accepted.
pub const MAX_CALLBACK_BYTES: usize = 1 << 20;

fn signature_error(message: &str) -> Error {
    Error::new(ErrorKind::Signature, message)
}

/// Check the headers of a callback: the client id must be ours and the signature must be
/// 64 hex characters; `verify` does the constant-time HMAC comparison over the raw bytes.
pub fn verify(
    body: &[u8],
    client_id_header: Option<&str>,
    signature_header: Option<&str>,
    expected_client_id: &str,
    verify: impl FnOnce(&[u8], &str) -> bool,
) -> Result<CallbackEvent, Error> {
    check_headers(body, client_id_header, signature_header, expected_client_id, verify)?;
    parse_event(body)
}

/// [`verify`], with the event as the JSON handed to JS (the members of [`CallbackEvent`]).
pub fn verify_json(
    body: &[u8],
    client_id_header: Option<&str>,
    signature_header: Option<&str>,
    expected_client_id: &str,
    verify: impl FnOnce(&[u8], &str) -> bool,
) -> Result<String, Error> {
    check_headers(body, client_id_header, signature_header, expected_client_id, verify)?;
    let doc = callback_doc(body)?;
    event_json(&doc, body.len(), None)
}

/// The event of a verified callback as JSON (read straight into it: no `Decoded`, no `String`
/// per field; the output is about the body's size, so one allocation holds it), with `key`,
/// or the key computed once the fields read.
fn event_json(doc: &view::Obj<'_>, body_len: usize, key: Option<String>) -> Result<String, Error> {
    let mut out = JsonOut::new(body_len + 128, false);
    out.walk(doc, CALLBACK)?;
    // The rules first, then the payment id: the first error is `parse_event`'s (found by
    // fuzzing: `{}` was refused for its empty id, not for its missing one).
    let key = match key {
        Some(key) => key,
        None => event_key(doc)?,
    };
    out.member("idempotency_key", &key);
    Ok(out.finish())
}

/// The idempotency key of a callback body that reads by its table.
fn event_key(doc: &view::Obj<'_>) -> Result<String, Error> {
    let (id, status) = event_id(doc)?;
    Ok(idempotency_key(id, &PaymentStatus::parse(status)))
}

/// [`verify`], with the event as the shell reads it: tokens ([`TokenOut`]: the values in
/// declaration order, which `pkg/src/objects.js` builds the event from), or the JSON of
/// [`verify_json`] when a text cannot be a token.
#[cfg(feature = "signer")]
pub fn verify_tokens(
    body: &[u8],
    client_id_header: Option<&str>,
    signature_header: Option<&str>,
    expected_client_id: &str,
    verify: impl FnOnce(&[u8], &str) -> bool,
) -> Result<String, Error> {
    check_headers(body, client_id_header, signature_header, expected_client_id, verify)?;
    let doc = callback_doc(body)?;
    let mut out = TokenOut::new(body.len());
    out.walk(&doc, CALLBACK)?;
    let key = event_key(&doc)?;
    out.extra(&key);
    match out.finish() {
        Some(tokens) => Ok(tokens),
        None => event_json(&doc, body.len(), Some(key)),
    }
}

/// The event's idempotency key: the same event delivered twice has the same key, and no two
/// different (payment, status) pairs share one. `payment_id_coinbar` with `%` and `/` escaped
/// (`%25`, `%2F`: an id without them is kept as it is), then `/`, then the status: the first
/// `/` always ends the id, so `p/SUCCESS` + `X` and `p` + `SUCCESS/X` cannot meet. A
/// documented status is its canonical name; any other is trimmed and ASCII-uppercased, so
/// `REFUNDED` and ` refunded` are one event, as documented statuses are matched without
/// regard to case (docs/callbacks.md).
fn idempotency_key(payment_id_coinbar: &str, status: &PaymentStatus) -> String {
    let mut key = String::with_capacity(payment_id_coinbar.len() + 12);
    for c in payment_id_coinbar.chars() {
        match c {
            '%' => key.push_str("%25"),
            '/' => key.push_str("%2F"),
            c => key.push(c),
        }
    }
    key.push('/');
    match status {
        PaymentStatus::Unknown(raw) => key.extend(raw.trim().chars().map(|c| c.to_ascii_uppercase())),
        known => key.push_str(known.as_str()),
    }
    key
}

fn check_headers(
    body: &[u8],
    client_id_header: Option<&str>,
    signature_header: Option<&str>,
    expected_client_id: &str,
    verify: impl FnOnce(&[u8], &str) -> bool,
) -> Result<(), Error> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(signature_error("callback refused: body larger than 1 MiB"));
    }
    let Some(client_id) = client_id_header else {
        return Err(signature_error("callback refused: no CBPAY-API-KEY header"));
    };
    if client_id != expected_client_id {
        return Err(signature_error("callback refused: CBPAY-API-KEY is not this client's service client id"));
    }
    let Some(signature) = signature_header else {
        return Err(signature_error("callback refused: no SIGNATURE header"));
    };
    if !verify(body, signature) {
        return Err(signature_error("callback refused: SIGNATURE does not match the body"));
    }
    Ok(())
}

/// Read a (verified) callback body.
pub fn parse_event(body: &[u8]) -> Result<CallbackEvent, Error> {
    let doc = callback_doc(body)?;
    let g = read(&doc, CALLBACK)?;
    event_id(&doc)?;
    Ok(CallbackEvent::from_read(g))
}

/// After the event was read by its table: its payment id (not empty) and status as sent.
fn event_id<'d>(doc: &'d view::Obj<'_>) -> Result<(&'d str, &'d str), Error> {
    let text = |name| doc.get(name).and_then(Value::as_str).unwrap_or("");
    let id = text("payment_id_coinbar");
    // The payment the event is about: every event without one would share one key.
    if id.is_empty() {
        return Err(Error::decode("callback body: payment_id_coinbar: must not be empty"));
    }
    Ok((id, text("status")))
}

impl CallbackEvent {
    /// The typed event, its idempotency key computed.
    fn from_read(d: Decoded) -> CallbackEvent {
        let mut event = CallbackEvent::from_decoded(d);
        event.idempotency_key = idempotency_key(&event.payment.payment_id_coinbar, &event.payment.status);
        event
    }
}

/// Parse a callback body (UTF-8 JSON, an object).
fn callback_doc(body: &[u8]) -> Result<view::Obj<'_>, Error> {
    let text = core::str::from_utf8(body).map_err(|e| {
        Error::decode(text!("callback body is not valid JSON (not UTF-8 at byte ", e.valid_up_to(), ")"))
    })?;
    match view::parse(text, Surrogates::Refuse) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(other) => Err(Error::decode(text!("callback body must be a JSON object (got ", other.type_name(), ")"))),
        Err(e) => Err(Error::decode(text!("callback body is not valid JSON (", e.message(), ")"))),
    }
}

#[cfg(all(test, feature = "signer"))]
mod tests {
    use super::*;
    use crate::model::status::PaymentStatus;
    use crate::sign::Signer;

    const BODY: &str = r#"{"result":"success","payment_id_coinbar":"p-1","payment_request_id_client":"order-1","service_client_id":"cid","status":"success","payment_detail":{"destination_coin":"BTC","trade_pair":"BTC/EUR","destination_amount":0.00045145423250897323,"coin_change":19913.425,"total_price":8.99},"input_coin":"EUR","creation_time":"2022-05-11T12:16:01.064Z","update_time":"2022-05-11T12:30:35.059Z","status_descr":null,"customer":{"external_user_id":"u","name":"Jane","surname":"Doe","email":"jane@example.com"},"products":[{"product_name":"Tea","product_price":8.99,"product_amount":1,"product_id":"t","product_type":"general"}]}"#;

    fn check(body: &[u8], id: Option<&str>, sig: Option<&str>) -> Result<CallbackEvent, Error> {
        let signer = Signer::new(b"secret").unwrap();
        verify(body, id, sig, "cid", |b, s| signer.verify_hex(b, s))
    }

    #[test]
    fn a_signed_callback_verifies_into_a_typed_event() {
        let sig = Signer::new(b"secret").unwrap().sign_hex(BODY.as_bytes());
        let e = check(BODY.as_bytes(), Some("cid"), Some(&sig)).unwrap();
        assert_eq!(e.payment.status, PaymentStatus::Success);
        assert!(e.payment.status.is_paid());
        assert_eq!(e.idempotency_key, "p-1/SUCCESS");
        assert_eq!(e.payment.payment_detail.destination_amount.as_deref(), Some("0.00045145423250897323"));
        assert_eq!(e.customer.unwrap().email.as_deref(), Some("jane@example.com"));
        assert_eq!(e.products[0].product_price.as_deref(), Some("8.99"));
    }

    #[test]
    fn tampering_and_missing_headers_are_signature_errors() {
        let sig = Signer::new(b"secret").unwrap().sign_hex(BODY.as_bytes());
        let mut tampered = BODY.as_bytes().to_vec();
        tampered[20] ^= 1;
        let mut bad_sig = sig.clone().into_bytes();
        bad_sig[0] = if bad_sig[0] == b'0' { b'1' } else { b'0' };
        let bad_sig = String::from_utf8(bad_sig).unwrap();
        let upper = sig.to_uppercase();
        let spaced = format!(" {sig}");
        let cases: [(&[u8], Option<&str>, Option<&str>); 7] = [
            (&tampered, Some("cid"), Some(&sig)),
            (BODY.as_bytes(), Some("cid"), Some(&bad_sig)),
            (BODY.as_bytes(), Some("cid"), Some(&upper)),
            (BODY.as_bytes(), Some("cid"), Some(&spaced)),
            (BODY.as_bytes(), Some("other"), Some(&sig)),
            (BODY.as_bytes(), None, Some(&sig)),
            (BODY.as_bytes(), Some("cid"), None),
        ];
        for (body, id, s) in cases {
            assert_eq!(check(body, id, s).unwrap_err().kind, ErrorKind::Signature);
        }
        let huge = vec![b' '; MAX_CALLBACK_BYTES + 1];
        assert_eq!(check(&huge, Some("cid"), Some(&sig)).unwrap_err().kind, ErrorKind::Signature);
    }

    #[test]
    fn signed_but_malformed_bodies_are_decode_errors() {
        let signer = Signer::new(b"secret").unwrap();
        for body in ["[]", "not json", r#"{"status":"SUCCESS"}"#] {
            let sig = signer.sign_hex(body.as_bytes());
            assert_eq!(check(body.as_bytes(), Some("cid"), Some(&sig)).unwrap_err().kind, ErrorKind::Decode, "{body}");
        }
    }

    fn event_of(id: &str, status: &str) -> Result<CallbackEvent, Error> {
        let body = BODY
            .replace(r#""payment_id_coinbar":"p-1""#, &format!("\"payment_id_coinbar\":{}", json_string(id)))
            .replace(r#""status":"success""#, &format!("\"status\":{}", json_string(status)));
        let sig = Signer::new(b"secret").unwrap().sign_hex(body.as_bytes());
        check(body.as_bytes(), Some("cid"), Some(&sig))
    }

    fn json_string(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn every_path_gives_the_first_broken_rule() {
        for body in ["{}", r#"{"status":"SUCCESS"}"#, r#"{"payment_id_coinbar":""}"#] {
            let parsed = parse_event(body.as_bytes()).unwrap_err();
            let json = verify_json(body.as_bytes(), Some("cid"), Some("s"), "cid", |_, _| true).unwrap_err();
            let tokens = verify_tokens(body.as_bytes(), Some("cid"), Some("s"), "cid", |_, _| true).unwrap_err();
            assert_eq!((&json.message, &tokens.message), (&parsed.message, &parsed.message), "{body}");
        }
    }

    #[test]
    fn an_empty_payment_id_is_refused() {
        let e = event_of("", "SUCCESS").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert!(e.message.contains("payment_id_coinbar"), "{}", e.message);
        assert!(event_of(" ", "SUCCESS").is_ok(), "a non-empty id is an id");
    }

    #[test]
    fn no_two_events_share_a_key() {
        let key = |id: &str, status: &str| event_of(id, status).unwrap().idempotency_key;
        assert_eq!(key("p-1", "success"), "p-1/SUCCESS", "ids without % or / keep the old key");
        // `p/SUCCESS` + `X` and `p` + `SUCCESS/X` met at `p/SUCCESS/X` before.
        assert_ne!(key("p/SUCCESS", "X"), key("p", "SUCCESS/X"));
        assert_eq!(key("p/SUCCESS", "X"), "p%2FSUCCESS/X");
        assert_eq!(key("p", "SUCCESS/X"), "p/SUCCESS/X");
        assert_ne!(key("p%2F", "X"), key("p/", "X"));
        let pairs = [
            ("p", "X"),
            ("p/", "X"),
            ("p%2F", "X"),
            ("p%", "X"),
            ("p%25", "X"),
            ("p", "/X"),
            ("p/", "/X"),
            ("p", "X/"),
            ("a/b", "c/d"),
            ("a", "b/c/d"),
            ("a/b/c", "d"),
        ];
        let mut keys: Vec<String> = pairs.iter().map(|(i, s)| key(i, s)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), pairs.len(), "{keys:?}");
    }

    #[test]
    fn an_undocumented_status_is_one_event_whatever_its_case() {
        let key = |status: &str| event_of("p-1", status).unwrap().idempotency_key;
        assert_eq!(key("REFUNDED"), "p-1/REFUNDED");
        assert_eq!(key("refunded"), "p-1/REFUNDED");
        assert_eq!(key(" Refunded "), "p-1/REFUNDED");
        assert_eq!(key("cancelled"), key("CANCELED"), "documented statuses: canonical names");
        // The event itself keeps the status as sent.
        assert_eq!(event_of("p-1", "refunded").unwrap().payment.status, PaymentStatus::Unknown("refunded".into()));
    }
}
