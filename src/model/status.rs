//! Payment statuses and the payment status object (`GET /pay/gateway/payment/{id}/status`),
//! which is also the core of the backend callback.

#[allow(unused_imports)]
use crate::prelude::*;

use super::object::{object, read, read_json, Declared};
use super::response_object;
use crate::error::Error;
use crate::json::{ObjectWriter, ToJson};

/// A payment status. Parsed case-insensitively; a status this SDK does not know is kept as
/// the raw string Coinbar sent, never an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Created, nothing paid yet.
    Created,
    /// A transaction was seen; waiting for network confirmation.
    Pending,
    /// Paid: fulfil the order.
    Success,
    /// Failed (`status_descr` e.g. `Timeout`, or a refunded partial payment).
    Failed,
    /// Canceled (`status_descr` e.g. `Canceled by client request`).
    Canceled,
    /// Not a documented status: the raw text as sent.
    Unknown(String),
}

impl PaymentStatus {
    pub fn parse(s: &str) -> PaymentStatus {
        // Upper-cased into a buffer on the stack rather than a `String`: every answer and
        // callback reads a status. The longest documented name has 9 letters.
        let t = s.trim().as_bytes();
        let mut upper = [0u8; 9];
        for (u, b) in upper.iter_mut().zip(t) {
            *u = b.to_ascii_uppercase();
        }
        // Coinbar spells it CANCELED; accept the British spelling too. Looked up in a table
        // rather than matched: the match was ~0.4 KB more of the browser build's wasm.
        const NAMES: [&[u8]; 6] = [b"CREATED", b"PENDING", b"SUCCESS", b"FAILED", b"CANCELED", b"CANCELLED"];
        let name = upper.get(..t.len());
        match NAMES.iter().position(|n| name == Some(*n)) {
            Some(0) => PaymentStatus::Created,
            Some(1) => PaymentStatus::Pending,
            Some(2) => PaymentStatus::Success,
            Some(3) => PaymentStatus::Failed,
            Some(4 | 5) => PaymentStatus::Canceled,
            _ => PaymentStatus::Unknown(s.to_string()),
        }
    }

    /// The documented wire string, or the raw text of an unknown status.
    pub fn as_str(&self) -> &str {
        match self {
            PaymentStatus::Created => "CREATED",
            PaymentStatus::Pending => "PENDING",
            PaymentStatus::Success => "SUCCESS",
            PaymentStatus::Failed => "FAILED",
            PaymentStatus::Canceled => "CANCELED",
            PaymentStatus::Unknown(raw) => raw,
        }
    }

    /// Whether the payment can no longer change (paid, failed or canceled).
    pub fn is_final(&self) -> bool {
        matches!(self, PaymentStatus::Success | PaymentStatus::Failed | PaymentStatus::Canceled)
    }

    /// Whether the order should be fulfilled.
    pub fn is_paid(&self) -> bool {
        matches!(self, PaymentStatus::Success)
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, PaymentStatus::Unknown(_))
    }
}

impl ToJson for PaymentStatus {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

/// What JS's `statusInfo(status)` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    pub status: PaymentStatus,
    pub known: bool,
    pub is_final: bool,
    pub is_paid: bool,
}

impl From<&PaymentStatus> for StatusInfo {
    fn from(s: &PaymentStatus) -> Self {
        StatusInfo { status: s.clone(), known: s.is_known(), is_final: s.is_final(), is_paid: s.is_paid() }
    }
}

impl ToJson for StatusInfo {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("status", &self.status)
            .field("known", &self.known)
            .field("is_final", &self.is_final)
            .field("is_paid", &self.is_paid)
            .end();
    }
}

object! {
    /// Coin details of a payment (null until a coin is chosen on the hosted page).
    pub struct PaymentDetail in PAYMENT_DETAIL {
        destination_coin: opt Str,
        trade_pair: opt Str,
        destination_amount: opt Amount,
        coin_change: opt Amount,
        total_price: opt Amount,
    }
}

object! {
    /// A payment as the status call returns it (also the core of a callback).
    pub struct Payment in PAYMENT {
        payment_id_coinbar: req Str,
        payment_request_id_client: req Str,
        service_client_id: opt Str,
        /// The documented status in canonical upper case, or the raw text of an unknown one.
        status: req Status,
        status_descr: opt Str,
        input_coin: opt Str,
        payment_detail: empty Object(PaymentDetail),
        creation_time: opt Date,
        update_time: opt Date,
    }
}

/// Coinbar's answer to the status call as the JSON handed to JS (the fields of
/// [`Payment`], `payment_detail` always an object).
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, false)?;
    read_json(&doc, PAYMENT, false, body.len())
}

/// Read Coinbar's answer to the status call.
pub fn parse_response(status: u16, body: &str) -> Result<Payment, Error> {
    let doc = response_object(status, body, false)?;
    read(&doc, PAYMENT).map(Payment::from_decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const DOC: &str = r#"{ "payment_id_coinbar": "p-1", "payment_request_id_client": "order-1", "service_client_id": "cid",
      "status": "FAILED",
      "payment_detail": { "destination_coin": "BTC", "trade_pair": "BTC/EUR",
        "destination_amount": 0.00045145423250897323, "coin_change": 19913.425, "total_price": 8.99 },
      "input_coin": "EUR", "creation_time": "2022-05-11T12:16:01.064Z",
      "update_time": "2022-05-11T12:30:35.059Z", "status_descr": "Timeout" }"#;

    #[test]
    fn documented_status_parses_exactly() {
        let p = parse_response(200, DOC).unwrap();
        assert_eq!(p.status, PaymentStatus::Failed);
        assert!(p.status.is_final() && !p.status.is_paid());
        assert_eq!(p.status_descr.as_deref(), Some("Timeout"));
        assert_eq!(p.payment_detail.destination_amount.as_deref(), Some("0.00045145423250897323"));
        assert_eq!(p.payment_detail.coin_change.as_deref(), Some("19913.425"));
        assert_eq!(p.creation_time.as_deref(), Some("2022-05-11T12:16:01.064Z"));
    }

    #[test]
    fn statuses_are_case_insensitive_and_unknown_ones_kept() {
        assert_eq!(PaymentStatus::parse("success"), PaymentStatus::Success);
        assert_eq!(PaymentStatus::parse("Canceled"), PaymentStatus::Canceled);
        assert_eq!(PaymentStatus::parse("CANCELLED"), PaymentStatus::Canceled);
        assert_eq!(PaymentStatus::parse("REFUNDED"), PaymentStatus::Unknown("REFUNDED".into()));
        let body = DOC.replace("\"FAILED\"", "\"partially_paid\"");
        let p = parse_response(200, &body).unwrap();
        assert_eq!(p.status.as_str(), "partially_paid");
        assert!(!p.status.is_final());
        assert_eq!(
            crate::json::to_js_json(&StatusInfo::from(&p.status)),
            r#"{"status":"partially_paid","known":false,"is_final":false,"is_paid":false}"#
        );
    }

    #[test]
    fn not_found_and_bad_shapes() {
        let e = parse_response(404, r#"{"result":false,"error":"Not Found"}"#).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, Some(404)));
        let e = parse_response(200, r#"{"status":"SUCCESS"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert!(e.message.contains("payment_id_coinbar"));
        let e = parse_response(200, &DOC.replace("19913.425", "\"n/a\"")).unwrap_err();
        assert!(e.message.contains("payment_detail.coin_change"), "{}", e.message);
    }
}
