//! The backend callback Coinbar POSTs when a payment ends: verification of its client id
//! and signature over the raw bytes, and the typed event.

use super::status::{read_payment, Payment};
use super::{Doc, Field, Reader};
use crate::error::{Error, ErrorKind};
use crate::validate;
use serde::Serialize;
use serde_json::Value;

/// The customer as a callback or report carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub external_user_id: Option<String>,
    pub name: Option<String>,
    pub surname: Option<String>,
    pub email: Option<String>,
    /// Reports only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_balance: Option<String>,
}

/// A product line as Coinbar echoes it back (price as an exact decimal string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductEcho {
    pub product_name: Option<String>,
    pub product_price: Option<String>,
    pub product_amount: Option<String>,
    pub product_id: Option<String>,
    pub product_type: Option<String>,
}

/// A verified callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackEvent {
    #[serde(flatten)]
    pub payment: Payment,
    pub customer: Option<Customer>,
    pub products: Vec<ProductEcho>,
    /// `payment_id_coinbar` + `/` + status: the same event delivered twice has the same key.
    pub idempotency_key: String,
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
    parse_event(body)
}

/// Read a (verified) callback body.
pub fn parse_event(body: &[u8]) -> Result<CallbackEvent, Error> {
    let doc = callback_doc(body)?;
    let payment = read_payment(doc.view())?;
    let r = Reader::new(doc.view());
    let customer = r.opt_object("customer")?.map(|c| read_customer(&r.child(c, "customer"))).transpose()?;
    let products = r.opt_array("products")?.map(|items| read_products(&r, items)).transpose()?.unwrap_or_default();
    let idempotency_key = format!("{}/{}", payment.payment_id_coinbar, payment.status.as_str());
    Ok(CallbackEvent { payment, customer, products, idempotency_key })
}

/// Parse a callback body: the fast reader when it reads the body exactly as the full parser
/// would (see `view::fast_object`), else the full parser, which also words the errors.
fn callback_doc(body: &[u8]) -> Result<Doc<'_>, Error> {
    #[cfg(feature = "fast-parse")]
    if let Some(map) = std::str::from_utf8(body).ok().and_then(super::view::fast_object) {
        return Ok(Doc::Raw(map));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(Doc::Value(obj)),
        Ok(other) => {
            Err(Error::decode(format!("callback body must be a JSON object (got {})", validate::type_name(&other))))
        }
        Err(e) => Err(Error::decode(format!("callback body is not valid JSON ({e})"))),
    }
}

pub(crate) fn read_customer(c: &Reader<'_>) -> Result<Customer, Error> {
    Ok(Customer {
        external_user_id: c.opt_string("external_user_id")?,
        name: c.opt_string("name")?,
        surname: c.opt_string("surname")?,
        email: c.opt_string("email")?,
        post_balance: c.opt_amount("post_balance")?,
    })
}

pub(crate) fn read_products(r: &Reader<'_>, items: Vec<Field<'_>>) -> Result<Vec<ProductEcho>, Error> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("products[{i}]");
            let Field::Object(obj) = item else {
                return Err(Error::decode(format!("response field `{}` must be an object", r.path_of(&path))));
            };
            let p = r.child(obj, &path);
            Ok(ProductEcho {
                product_name: p.opt_string("product_name")?,
                product_price: p.opt_amount("product_price")?,
                product_amount: p.opt_amount("product_amount")?,
                product_id: p.opt_string("product_id")?,
                product_type: p.opt_string("product_type")?,
            })
        })
        .collect()
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
        assert!(e.payment.is_paid);
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
}
