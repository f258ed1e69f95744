//! The payment report (`GET /paymentgateway/reports/{payment_request_id}`): the status
//! fields plus customer, products, transaction details and market data. Dates may come as
//! strings or as `{"$date": …}` objects; both become strings. Everything but the payment
//! identity and status is optional: Coinbar fills fields in as the payment progresses.

#[allow(unused_imports)]
use crate::prelude::*;

use super::callback::{Customer, ProductEcho, CUSTOMER, PRODUCT_ECHO};
use super::status::PaymentStatus;
use super::{answer_json, opt, read, req, response_object, Field, Got, Shape::*};
use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDetail {
    pub transaction_id: Option<String>,
    /// `type` on the wire.
    pub kind: Option<String>,
    pub wallet_origin: Option<String>,
    pub coin: Option<String>,
    pub pair: Option<String>,
    pub amount_crypto: Option<String>,
    pub timestamp: Option<String>,
    pub coin_price: Option<String>,
    pub total_price: Option<String>,
    pub transaction_timeout_date: Option<String>,
    pub payment_string: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketData {
    pub current_change: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub payment_id_coinbar: Option<String>,
    pub payment_request_id_client: Option<String>,
    pub service_client_id: Option<String>,
    pub status: PaymentStatus,
    pub is_final: bool,
    pub is_paid: bool,
    pub status_descr: Option<String>,
    pub input_coin: Option<String>,
    pub customer: Option<Customer>,
    pub products: Vec<ProductEcho>,
    pub payment_detail: Option<ReportDetail>,
    pub urlcallback: Option<String>,
    pub market_data: Option<MarketData>,
    pub creation_time: Option<String>,
    pub update_time: Option<String>,
}

/// The rule table of the report's `payment_detail` (the transaction, not the status
/// answer's coin details).
const REPORT_DETAIL: &[Field] = &[
    opt("transaction_id", Str),
    opt("type", Str),
    opt("wallet_origin", Str),
    opt("coin", Str),
    opt("pair", Str),
    opt("amount_crypto", Amount),
    opt("timestamp", Date),
    opt("coin_price", Amount),
    opt("total_price", Amount),
    opt("transaction_timeout_date", Date),
    opt("payment_string", Str),
];

const MARKET_DATA: &[Field] = &[opt("current_change", Amount)];

/// The rule table of the report: only the status is required.
pub(crate) const REPORT: &[Field] = &[
    opt("payment_id_coinbar", Str),
    opt("payment_request_id_client", Str),
    opt("service_client_id", Str),
    req("status", Status),
    opt("status_descr", Str),
    opt("input_coin", Str),
    opt("customer", Object(CUSTOMER)),
    opt("products", List(PRODUCT_ECHO)),
    opt("payment_detail", Object(REPORT_DETAIL)),
    opt("urlcallback", Str),
    opt("market_data", Object(MARKET_DATA)),
    opt("creation_time", Date),
    opt("update_time", Date),
];

impl ReportDetail {
    fn from_got(mut d: Got) -> ReportDetail {
        ReportDetail {
            transaction_id: d.text("transaction_id"),
            kind: d.text("type"),
            wallet_origin: d.text("wallet_origin"),
            coin: d.text("coin"),
            pair: d.text("pair"),
            amount_crypto: d.text("amount_crypto"),
            timestamp: d.text("timestamp"),
            coin_price: d.text("coin_price"),
            total_price: d.text("total_price"),
            transaction_timeout_date: d.text("transaction_timeout_date"),
            payment_string: d.text("payment_string"),
        }
    }
}

/// Coinbar's answer to the report call as the JSON handed to JS (the fields of [`Report`]).
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, false)?;
    Ok(answer_json(&read(&doc, REPORT)?, false, None))
}

/// Read Coinbar's answer to the report call.
pub fn parse_response(status: u16, body: &str) -> Result<Report, Error> {
    let doc = response_object(status, body, false)?;
    let mut g = read(&doc, REPORT)?;
    let payment_id_coinbar = g.text("payment_id_coinbar");
    let payment_request_id_client = g.text("payment_request_id_client");
    let service_client_id = g.text("service_client_id");
    let payment_status = PaymentStatus::parse(&g.string("status"));
    Ok(Report {
        payment_id_coinbar,
        payment_request_id_client,
        service_client_id,
        is_final: payment_status.is_final(),
        is_paid: payment_status.is_paid(),
        status: payment_status,
        status_descr: g.text("status_descr"),
        input_coin: g.text("input_coin"),
        customer: g.object("customer").map(Customer::from_got),
        products: g.list("products").into_iter().map(ProductEcho::from_got).collect(),
        payment_detail: g.object("payment_detail").map(ReportDetail::from_got),
        urlcallback: g.text("urlcallback"),
        market_data: g.object("market_data").map(|mut m| MarketData { current_change: m.text("current_change") }),
        creation_time: g.text("creation_time"),
        update_time: g.text("update_time"),
    })
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
        assert!(r.is_paid);
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
