//! Conversion quotes (`GET /pay/gateway/quotes?conversion_fiat=EUR`). Informative only: the
//! rate is fixed when a payment is created.

use super::view::Value;
use super::{response_object, FirstError, Reader};
use crate::error::Error;
use crate::json::{ObjectWriter, ToJson};

/// One coin's rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub code: String,
    pub name: String,
    pub conversion_fiat: String,
    /// Units of `conversion_fiat` per coin, exact as sent.
    pub conversion_rate: String,
}

impl ToJson for Quote {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("code", &self.code)
            .field("name", &self.name)
            .field("conversion_fiat", &self.conversion_fiat)
            .field("conversion_rate", &self.conversion_rate)
            .end();
    }
}

/// Read Coinbar's answer to the quotes call.
pub fn parse_response(status: u16, body: &str) -> Result<Vec<Quote>, Error> {
    let doc = response_object(status, body, true)?;
    let first_error = FirstError::default();
    let r = Reader::new(&doc, &first_error);
    let Some(items) = r.opt_array("data") else {
        r.fail(Error::decode("response field `data` must be an array (got nothing)"));
        return r.finish(Vec::new());
    };
    let mut quotes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("data[{i}]");
        let Value::Object(o) = item else {
            r.fail(Error::decode(format!("response field `{path}` must be an object (got {})", item.type_name())));
            break;
        };
        let q = r.child(o, &path);
        quotes.push(Quote {
            code: q.string("code"),
            name: q.opt_string("name").unwrap_or_default(),
            conversion_fiat: q.string("conversion_fiat"),
            conversion_rate: q.amount("conversion_rate"),
        });
    }
    r.finish(quotes)
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
