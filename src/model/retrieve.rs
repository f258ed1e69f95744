//! `retrievePayment`: what initiate returned, for a payment that exists, in the same shape. Built
//! from the report (`GET /paymentgateway/reports/{id}`), which carries the payment string, and,
//! only when the report lacks one of the other fields, the status call, which carries them too.
//! The address and memo are read out of the payment string ([`super::payment_uri`]).
//!
//! `request_token` is `null`: Coinbar returns it only when the payment is created.

#[allow(unused_imports)]
use crate::prelude::*;

use super::object::{answer_json, object, read, Decoded, Field, Success, Val};
use super::report::REPORT;
use super::status::PAYMENT;
use super::{payment_uri, response_object};
use crate::error::{truncate_chars, Error, MAX_BODY_IN_ERROR};
use crate::text::text;

/// The fields of initiate's answer found in the report and, failing that, in the status answer:
/// `(report's payment_detail field, status's payment_detail field)`; empty names mean the top
/// level of the answer, under the result's name. In the order of [`RETRIEVED`], from its 2nd
/// field to `destination_amount`.
const FROM: [(&str, &str); 6] = [
    ("", ""),
    ("total_price", "total_price"),
    ("pair", "trade_pair"),
    // Found in the report before this loop (the status call has none).
    ("payment_string", "payment_string"),
    ("coin_price", "coin_change"),
    ("amount_crypto", "destination_amount"),
];

object! {
    /// `retrievePayment`: what `initiate` returned, for a payment that exists (the resume path
    /// after an `outcome: 'unknown'`), built from Coinbar's report (address and memo read out
    /// of the payment string by the core) and, only when the report lacks a field, the status
    /// call.
    // Written by the rule tables' writer (`answer_json`), never read from Coinbar.
    pub struct RetrievedPayment in RETRIEVED {
        /// Coinbar returns the request token only when the payment is created: always null.
        request_token: none Str,
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
        /// Memo / destination tag from the payment string (XRP `dt`, XDB `memo`); null when it has none (initiate may have said `""`).
        destination_memo: opt Str,
        /// e.g. `"BTC"` (the report's coin, else the first half of `trade_pair`).
        destination_coin: opt Str,
        /// The payment's status now: do not show a payment string again once `is_final`.
        status: req Status,
    }
    /// Always `success`.
    + result: Success = "'success'",
}

/// An answer (without `result`) read by its table.
#[inline(never)]
fn answer(status: u16, body: &str, table: &'static [Field]) -> Result<Decoded, Error> {
    read(&response_object(status, body, false)?, table)
}

/// A `decode` error about the report answer, which it carries.
#[cold]
#[inline(never)]
fn decode_error(message: String, status: u16, body: &str) -> Error {
    let mut e = Error::decode(message);
    e.status = Some(status);
    e.body = Some(truncate_chars(body, MAX_BODY_IN_ERROR));
    e
}

/// A field by its rule: top level (`detail` empty: `top`) or inside `payment_detail`.
#[inline(never)]
fn field<'g>(answer: Option<&'g Decoded>, detail: &str, top: &str) -> Option<&'g str> {
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
    let report = answer(report_status, report_body, REPORT)?;
    let decode = |message: String| decode_error(message, report_status, report_body);
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
        Some((code, body)) => Some(answer(code, body, PAYMENT)?),
        None => None,
    };
    let mut values = Vec::with_capacity(RETRIEVED.len());
    values.push(Val::Absent); // request_token: given only at creation
    for (f, (in_report, in_status)) in RETRIEVED.iter().skip(1).zip(FROM) {
        match field(Some(&report), in_report, f.name).or_else(|| field(status.as_ref(), in_status, f.name)) {
            Some(v) => values.push(Val::Text(v.to_string())),
            None if status.is_none() => return Ok(None),
            None => return Err(decode(text!("neither the report nor the status of this payment has `", f.name, "`"))),
        }
    }
    let coin = field(Some(&report), "coin", "")
        .or_else(|| field(status.as_ref(), "destination_coin", ""))
        .or_else(|| field(Some(&report), "pair", "").and_then(|pair| pair.split('/').next()).filter(|c| !c.is_empty()))
        .map(str::to_string);
    let text_or_absent = |v: Option<String>| v.map_or(Val::Absent, Val::Text);
    values.push(Val::Text(target.address));
    values.push(text_or_absent(target.memo));
    values.push(text_or_absent(coin));
    values.push(text_or_absent(report.get("status").map(str::to_string)));
    Ok(Some(answer_json(&Decoded { table: RETRIEVED, values }, true, None)))
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
