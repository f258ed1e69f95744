//! Conversion quotes (`GET /pay/gateway/quotes?conversion_fiat=EUR`). Informative only: the
//! rate is fixed when a payment is created.

#[allow(unused_imports)]
use crate::prelude::*;

use super::{opt, read, req, response_object, Absent, Field, Shape::*};
use crate::error::Error;
use crate::json::to_js_json;

/// One coin's rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub code: String,
    pub name: String,
    pub conversion_fiat: String,
    /// Units of `conversion_fiat` per coin, exact as sent.
    pub conversion_rate: String,
}

/// The rule table of one quote.
const QUOTE: &[Field] = &[
    req("code", Str),
    opt("name", Str).or(Absent::Empty),
    req("conversion_fiat", Str),
    req("conversion_rate", Amount),
];

/// The rule table of the quotes answer: `data`, a list of quotes.
const QUOTES: &[Field] = &[req("data", List(QUOTE))];

/// Coinbar's answer to the quotes call as the JSON handed to JS: the array of [`Quote`]s.
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, true)?;
    Ok(to_js_json(&read(&doc, QUOTES)?.list("data")))
}

/// Read Coinbar's answer to the quotes call.
pub fn parse_response(status: u16, body: &str) -> Result<Vec<Quote>, Error> {
    let doc = response_object(status, body, true)?;
    let quotes = read(&doc, QUOTES)?.list("data");
    Ok(quotes
        .into_iter()
        .map(|mut q| Quote {
            code: q.string("code"),
            name: q.text("name").unwrap_or_default(),
            conversion_fiat: q.string("conversion_fiat"),
            conversion_rate: q.string("conversion_rate"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn documented_quotes_parse_with_exact_rates() {
        let body = r#"{ "result": true, "data": [ { "code": "BTC", "name": "Bitcoin", "conversion_fiat": "EUR", "conversion_rate": 52372.33459748911 },
                       { "code": "XRP", "name": "XRP", "conversion_fiat": "EUR", "conversion_rate": 0.48713 } ] }"#;
        let q = parse_response(200, body).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].conversion_rate, "52372.33459748911");
        assert_eq!(q[1].code, "XRP");
    }

    #[test]
    fn errors() {
        let e = parse_response(200, r#"{"result":false,"error":"Api RATE exceeded"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Api);
        let e = parse_response(200, r#"{"result":true,"data":[{"code":"BTC"}]}"#).unwrap_err();
        assert!(e.message.contains("data[0].conversion_fiat"), "{}", e.message);
        assert_eq!(parse_response(200, r#"{"result":true}"#).unwrap_err().kind, ErrorKind::Decode);
    }
}
