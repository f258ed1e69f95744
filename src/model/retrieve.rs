//! `retrievePayment`: what initiate returned, for a payment that exists, in the same shape. Built
//! from the report (`GET /paymentgateway/reports/{id}`), which carries the payment string, and,
//! only when the report lacks one of the other fields, the status call, which carries them too.
//! The address and memo are read out of the payment string ([`super::payment_uri`]).
//!
//! `request_token` is `null`: Coinbar returns it only when the payment is created.

#[allow(unused_imports)]
use crate::prelude::*;

use super::report::REPORT;
use super::status::{PaymentStatus, PAYMENT};
use super::{payment_uri, read, response_object, Got};
use crate::error::{truncate_chars, Error, MAX_BODY_IN_ERROR};
use crate::json::ObjectWriter;
use crate::text::text;

/// The fields of initiate's answer found in the report and, failing that, in the status answer:
/// `(name in the result, report's payment_detail field, status's payment_detail field)`; an
/// empty detail name means the top level of the answer.
const FIELDS: [(&str, &str, &str); 5] = [
    ("payment_id_coinbar", "", ""),
    ("payment_total_price", "total_price", "total_price"),
    ("trade_pair", "pair", "trade_pair"),
    ("destination_coin_change", "coin_price", "coin_change"),
    ("destination_amount", "amount_crypto", "destination_amount"),
];

/// A field by its rule: top level (`detail` empty) or inside `payment_detail`.
fn field<'g>(answer: Option<&'g Got>, detail: &str, top: &str) -> Option<&'g str> {
    let answer = answer?;
    if detail.is_empty() {
        return answer.get(top);
    }
    answer.child("payment_detail")?.get(detail)
}

/// The payment in initiate's shape, as the JSON handed to JS, from the report's answer
/// (HTTP status and body) and, when given, the status call's. `Ok(None)`: the report lacks a
/// field the status call has; ask again with its answer.
pub fn retrieved_json(
    report_status: u16,
    report_body: &str,
    status: Option<(u16, &str)>,
) -> Result<Option<String>, Error> {
    let report = read(&response_object(report_status, report_body, false)?, REPORT)?;
    let decode = |message: String| {
        let mut e = Error::decode(message);
        e.status = Some(report_status);
        e.body = Some(truncate_chars(report_body, MAX_BODY_IN_ERROR));
        e
    };
    let payment_string = field(Some(&report), "payment_string", "").ok_or_else(|| {
        decode(String::from(match field(Some(&report), "coin", "") {
            None => {
                "the report of this payment has no payment string: no coin is chosen yet (a requestPayment \
                     payment before the customer picked one on Coinbar's page), so there is nothing to pay to yet"
            }
            Some(_) => {
                "report field `payment_detail.payment_string` is absent: Coinbar's report gives no payment \
                        string to show again"
            }
        }))
    })?;
    let target = payment_uri::parse(payment_string).ok_or_else(|| {
        decode(text!(
            "report field `payment_detail.payment_string` is not a payment URI with an address (got \"",
            truncate_chars(payment_string, 200),
            "\")"
        ))
    })?;
    let status = match status {
        Some((code, body)) => Some(read(&response_object(code, body, false)?, PAYMENT)?),
        None => None,
    };
    let mut values = [None; 5];
    for (slot, (name, in_report, in_status)) in values.iter_mut().zip(FIELDS) {
        *slot = field(Some(&report), in_report, name).or_else(|| field(status.as_ref(), in_status, name));
        if slot.is_none() {
            return match status {
                None => Ok(None),
                Some(_) => Err(decode(text!("neither the report nor the status of this payment has `", name, "`"))),
            };
        }
    }
    let coin = field(Some(&report), "coin", "")
        .or_else(|| field(status.as_ref(), "destination_coin", ""))
        .or_else(|| values[2].and_then(|pair| pair.split('/').next()).filter(|c| !c.is_empty()));
    let payment_status = PaymentStatus::parse(report.get("status").unwrap_or(""));
    let mut out = String::with_capacity(512);
    let mut w = ObjectWriter::new(&mut out);
    w.field("result", "success").field("request_token", &None::<bool>);
    for (value, (name, _, _)) in values.iter().zip(FIELDS).take(3) {
        w.field(name, value.unwrap_or(""));
    }
    w.field("payment_string", payment_string);
    for (value, (name, _, _)) in values.iter().zip(FIELDS).skip(3) {
        w.field(name, value.unwrap_or(""));
    }
    w.field("destination_address", &target.address)
        .field("destination_memo", &target.memo)
        .field("destination_coin", &coin)
        .field("status", payment_status.as_str())
        .field("is_final", &payment_status.is_final())
        .field("is_paid", &payment_status.is_paid());
    w.end();
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const XRP_REPORT: &str = r#"{"payment_id_coinbar":"p-1","payment_request_id_client":"o-1","status":"CREATED",
      "payment_detail":{"transaction_id":null,"type":"payment","coin":"XRP","pair":"XRP/EUR","amount_crypto":8.149779,
        "coin_price":0.48713,"total_price":3.97,"payment_string":"xrp:rDsbeomae4FXwgQTJp9Rs64Qg9vDiTCdBv?amount=8.149779&dt=1234567"},
      "creation_time":{"$date":"2024-05-11T12:00:00Z"}}"#;

    const STATUS: &str = r#"{"payment_id_coinbar":"p-1","payment_request_id_client":"o-1","status":"PENDING",
      "payment_detail":{"destination_coin":"XRP","trade_pair":"XRP/EUR","destination_amount":8.149779,"coin_change":0.48713,"total_price":3.97}}"#;

    #[test]
    fn the_report_alone_gives_initiates_fields_with_address_and_tag() {
        assert_eq!(
            retrieved_json(200, XRP_REPORT, None).unwrap().unwrap(),
            r#"{"result":"success","request_token":null,"payment_id_coinbar":"p-1","payment_total_price":"3.97","trade_pair":"XRP/EUR","payment_string":"xrp:rDsbeomae4FXwgQTJp9Rs64Qg9vDiTCdBv?amount=8.149779&dt=1234567","destination_coin_change":"0.48713","destination_amount":"8.149779","destination_address":"rDsbeomae4FXwgQTJp9Rs64Qg9vDiTCdBv","destination_memo":"1234567","destination_coin":"XRP","status":"CREATED","is_final":false,"is_paid":false}"#
        );
    }

    #[test]
    fn a_report_without_amounts_asks_for_the_status_call_and_uses_it() {
        let thin = r#"{"status":"success","payment_detail":{"payment_string":"bitcoin:bc1qabc?amount=0.0001"}}"#;
        assert_eq!(retrieved_json(200, thin, None).unwrap(), None, "the status call is needed");
        let status = STATUS.replace("XRP", "BTC");
        let got = retrieved_json(200, thin, Some((200, &status))).unwrap().unwrap();
        assert!(
            got.contains(r#""payment_id_coinbar":"p-1","payment_total_price":"3.97","trade_pair":"BTC/EUR","#),
            "{got}"
        );
        assert!(got.contains(r#""destination_address":"bc1qabc","destination_memo":null,"destination_coin":"BTC","status":"SUCCESS","is_final":true,"is_paid":true}"#), "{got}");
        let e = retrieved_json(
            200,
            thin,
            Some((200, r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"CREATED"}"#)),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.message, "neither the report nor the status of this payment has `payment_total_price`");
    }

    #[test]
    fn no_payment_string_or_an_unreadable_one_is_a_decode_error() {
        let e = retrieved_json(200, r#"{"status":"CREATED","payment_detail":{"coin":null}}"#, None).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Decode, Some(200)));
        assert!(e.message.contains("no coin is chosen yet"), "{}", e.message);
        let e = retrieved_json(200, r#"{"status":"CREATED","payment_detail":{"coin":"BTC"}}"#, None).unwrap_err();
        assert!(e.message.contains("`payment_detail.payment_string` is absent"), "{}", e.message);
        let e = retrieved_json(200, &XRP_REPORT.replace("xrp:rDsbeomae4FXwgQTJp9Rs64Qg9vDiTCdBv", "xrp:"), None)
            .unwrap_err();
        assert!(
            e.message.starts_with("report field `payment_detail.payment_string` is not a payment URI"),
            "{}",
            e.message
        );
    }

    #[test]
    fn errors_of_either_answer_are_theirs() {
        let e = retrieved_json(404, r#"{"result":false,"error":"Not Found"}"#, None).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, Some(404)));
        let e = retrieved_json(
            200,
            r#"{"status":"x","payment_detail":{"payment_string":"bitcoin:a"}}"#,
            Some((500, "oops")),
        )
        .unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, Some(500)));
    }

    #[test]
    fn the_coin_falls_back_to_the_trade_pair() {
        let r = XRP_REPORT.replace(r#""coin":"XRP","#, "");
        assert!(retrieved_json(200, &r, None).unwrap().unwrap().contains(r#""destination_coin":"XRP","#));
    }
}
