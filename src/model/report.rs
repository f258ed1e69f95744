//! The payment report (`GET /paymentgateway/reports/{payment_request_id}`): the status
//! fields plus customer, products, transaction details and market data. Dates may come as
//! strings or as `{"$date": …}` objects; both become strings. Everything but the payment
//! identity and status is optional: Coinbar fills fields in as the payment progresses.

#[allow(unused_imports)]
use crate::prelude::*;

use super::callback::{Customer, ProductEcho};
use super::object::{object, read, read_json, Declared};
use super::response_object;
use crate::error::Error;

object! {
    /// Transaction details of a report.
    pub struct ReportDetail in REPORT_DETAIL {
        transaction_id: opt Str,
        kind as "type": opt Str,
        wallet_origin: opt Str,
        coin: opt Str,
        pair: opt Str,
        amount_crypto: opt Amount,
        timestamp: opt Date,
        coin_price: opt Amount,
        total_price: opt Amount,
        transaction_timeout_date: opt Date,
        payment_string: opt Str,
    }
}

object! {
    /// Market data of a report.
    pub struct MarketData in MARKET_DATA {
        current_change: opt Amount,
    }
}

object! {
    /// The full report of a payment. Dates are strings (Coinbar's `{"$date": …}` objects
    /// unwrapped). Only the status is required: Coinbar fills fields in as the payment
    /// progresses.
    pub struct Report in REPORT {
        payment_id_coinbar: opt Str,
        payment_request_id_client: opt Str,
        service_client_id: opt Str,
        status: req Status,
        status_descr: opt Str,
        input_coin: opt Str,
        customer: opt Object(Customer),
        products: opt List(ProductEcho),
        payment_detail: opt Object(ReportDetail),
        urlcallback: opt Str,
        market_data: opt Object(MarketData),
        creation_time: opt Date,
        update_time: opt Date,
    }
}

/// Coinbar's answer to the report call as the JSON handed to JS (the fields of [`Report`]).
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, false)?;
    read_json(&doc, REPORT, false, body.len())
}

/// Read Coinbar's answer to the report call.
pub fn parse_response(status: u16, body: &str) -> Result<Report, Error> {
    let doc = response_object(status, body, false)?;
    read(&doc, REPORT).map(Report::from_decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_with_mongo_dates_and_string_balance() {
        let body = r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"SUCCESS","status_descr":null,
          "customer":{"external_user_id":"u","name":"J","surname":"D","email":"j@example.com","post_balance":"12.50"},
          "products":[{"product_name":"Tea","product_price":3.5,"product_amount":2,"product_id":"t","product_type":"g"}],
          "payment_detail":{"transaction_id":"tx","type":"payment","wallet_origin":"w","coin":"BTC","pair":"BTC/EUR",
            "amount_crypto":0.00013364453000000001,"timestamp":{"$date":"2024-05-11T12:16:01.064Z"},"coin_price":52372.33459748911,
            "total_price":7,"transaction_timeout_date":{"$date":1715430961064},"payment_string":"bitcoin:x?amount=1"},
          "urlcallback":null,"market_data":{"current_change":52372.33459748911},"creation_time":{"$date":"2024-05-11T12:00:00Z"}}"#;
        let r = parse_response(200, body).unwrap();
        assert!(r.status.is_paid());
        let d = r.payment_detail.unwrap();
        assert_eq!(d.amount_crypto.as_deref(), Some("0.00013364453000000001"));
        assert_eq!(d.timestamp.as_deref(), Some("2024-05-11T12:16:01.064Z"));
        assert_eq!(d.transaction_timeout_date.as_deref(), Some("1715430961064"));
        assert_eq!(r.customer.unwrap().post_balance.as_deref(), Some("12.50"));
        assert_eq!(r.products[0].product_amount.as_deref(), Some("2"));
        assert_eq!(r.creation_time.as_deref(), Some("2024-05-11T12:00:00Z"));
        assert_eq!(r.market_data.unwrap().current_change.as_deref(), Some("52372.33459748911"));
    }
}
