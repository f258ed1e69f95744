//! Conversion quotes (`GET /pay/gateway/quotes?conversion_fiat=EUR`). Informative only: the
//! rate is fixed when a payment is created.

#[allow(unused_imports)]
use crate::prelude::*;

use super::object::{object, read, read_json, Declared};
use super::response_object;
use crate::error::Error;

object! {
    /// One coin's informative rate.
    pub struct Quote in QUOTE {
        code: req Str,
        name: empty Str,
        conversion_fiat: req Str,
        /// Units of `conversion_fiat` per coin.
        conversion_rate: req Amount,
    }
}

object! {
    /// The quotes answer: `data`, a list of quotes (the JSON handed to JS is the list).
    pub struct Quotes in QUOTES {
        data: req List(Quote),
    }
}

/// Coinbar's answer to the quotes call as the JSON handed to JS: the array of [`Quote`]s.
pub fn response_json(status: u16, body: &str) -> Result<String, Error> {
    let doc = response_object(status, body, true)?;
    // The answer is the table's one member, `data` (required: always written): its array, cut
    // out of `{"data":…}`. Written by the walk, not from a `Decoded`, so that the browser
    // build, which reads no other answer into one, links no `Decoded` (~0.5 KB gzip).
    let mut json = read_json(&doc, QUOTES, false, body.len())?;
    json.pop(); // `}`
    json.replace_range(..r#"{"data":"#.len(), "");
    Ok(json)
}

/// Read Coinbar's answer to the quotes call.
pub fn parse_response(status: u16, body: &str) -> Result<Vec<Quote>, Error> {
    let doc = response_object(status, body, true)?;
    Ok(Quotes::from_decoded(read(&doc, QUOTES)?).data)
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
    fn the_json_handed_to_js_is_the_list() {
        let body = r#"{"result":true,"data":[{"code":"BTC","conversion_fiat":"EUR","conversion_rate":1e-7}]}"#;
        let want = r#"[{"code":"BTC","name":"","conversion_fiat":"EUR","conversion_rate":"0.0000001"}]"#;
        assert_eq!(response_json(200, body).unwrap(), want);
        assert_eq!(response_json(200, r#"{"result":true,"data":[]}"#).unwrap(), "[]");
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
