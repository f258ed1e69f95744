//! The API objects: one file per object, plus the shared pieces for reading merchant input
//! (JSON text from JS) and Coinbar responses.

pub mod callback;
pub mod initiate;
pub mod product;
pub mod quotes;
pub mod report;
pub mod status;
pub mod view;

use crate::error::{truncate_chars, Error, ErrorKind, MAX_BODY_IN_ERROR};
use crate::money;
use crate::validate::{self, Checker};
use view::{Obj, ParseError, Surrogates, Value};

/// Parse merchant input given as JSON text (what `JSON.stringify` made of the JS value).
/// Problems are recorded against `field`.
pub(crate) fn parse_input_json<'a>(ch: &mut Checker, text: &'a str, field: &str) -> Option<Value<'a>> {
    if text.len() > validate::MAX_INPUT_BYTES {
        ch.fail(field, format!("is too large ({} bytes of JSON; at most {})", text.len(), validate::MAX_INPUT_BYTES));
        return None;
    }
    match view::parse(text, Surrogates::Mark) {
        Ok(v) => Some(v),
        Err(ParseError::TooDeep) => {
            ch.fail(field, "is nested too deeply");
            None
        }
        Err(e) => {
            ch.fail(field, format!("is not valid JSON ({e})"));
            None
        }
    }
}

/// Take the body of a Coinbar response: a non-2xx status is an `http` error, a body that is
/// not JSON or not an object is a `decode` error, and `result` other than success (the
/// string `"success"` in payment calls, `true` in quotes) is an `api` error. Status and
/// report answers have no `result` in the docs: there it is checked only when present.
pub(crate) fn response_object(status: u16, body: &str, result_required: bool) -> Result<Obj<'_>, Error> {
    let with_body = |mut e: Error| {
        e.status = Some(status);
        e.body = Some(truncate_chars(body, MAX_BODY_IN_ERROR));
        e
    };
    let parsed = view::parse(body, Surrogates::Refuse);
    if !(200..300).contains(&status) {
        let api_error = match &parsed {
            Ok(Value::Object(obj)) => api_error_text(obj),
            _ => None,
        };
        let detail = api_error.clone().unwrap_or_else(|| truncate_chars(body.trim(), 200));
        let mut e = with_body(Error::new(ErrorKind::Http, format!("Coinbar answered HTTP {status}: {detail}")));
        e.api_error = api_error;
        return Err(e);
    }
    let obj = match parsed {
        Ok(Value::Object(obj)) => obj,
        Ok(other) => {
            return Err(with_body(Error::decode(format!("response must be a JSON object (got {})", other.type_name()))))
        }
        Err(e) => return Err(with_body(Error::decode(format!("response is not valid JSON ({e})")))),
    };
    check_result(&obj, result_required).map_err(with_body)?;
    Ok(obj)
}

/// The `result` rule of [`response_object`] (the caller adds status and body to the error).
fn check_result(obj: &Obj<'_>, result_required: bool) -> Result<(), Error> {
    let ok = match obj.get("result") {
        Some(Value::Str(s)) => s.eq_ignore_ascii_case("success"),
        Some(Value::Bool(b)) => *b,
        None if result_required => return Err(Error::decode("response has no `result` field")),
        None => true,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let api_error = api_error_text(obj);
    let text = api_error.clone().unwrap_or_else(|| String::from("no error text"));
    let mut e = Error::new(ErrorKind::Api, format!("Coinbar refused the request: {text}"));
    e.api_error = api_error;
    Err(e)
}

/// Coinbar's error text: `error`, plus `reason` or `message` when present.
fn api_error_text(obj: &Obj<'_>) -> Option<String> {
    let main = obj.non_empty_str("error").or_else(|| obj.non_empty_str("message"))?;
    Some(match obj.non_empty_str("reason").filter(|r| *r != main) {
        Some(reason) => format!("{main} ({reason})"),
        None => main.to_string(),
    })
}

/// Reads documented fields out of a response object, turning a missing or mistyped field
/// into a `decode` error that names it (`payment_detail.destination_amount`).
pub(crate) struct Reader<'r> {
    obj: &'r Obj<'r>,
    path: String,
}

impl<'r> Reader<'r> {
    pub fn new(obj: &'r Obj<'r>) -> Self {
        Reader { obj, path: String::new() }
    }

    /// A reader of a nested object, reporting fields as `key.field`.
    pub fn child<'b>(&self, obj: &'b Obj<'b>, key: &str) -> Reader<'b> {
        Reader { obj, path: self.path_of(key) }
    }

    /// The full path of a field of this object.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn wrong(&self, key: &str, got: Option<&Value<'_>>, what: &str) -> Error {
        Error::decode(format!("response field `{}` must be {what} (got {})", self.path_of(key), view::type_of(got)))
    }

    /// A required string.
    pub fn string(&self, key: &str) -> Result<String, Error> {
        match self.obj.get(key) {
            Some(Value::Str(s)) => Ok(s.to_string()),
            other => Err(self.wrong(key, other, "a string")),
        }
    }

    /// An optional string (`null` or absent gives `None`).
    pub fn opt_string(&self, key: &str) -> Result<Option<String>, Error> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.to_string())),
            other => Err(self.wrong(key, other, "a string or null")),
        }
    }

    /// A required amount: a JSON number or numeric string, returned as an exact decimal
    /// string keeping every digit sent.
    pub fn amount(&self, key: &str) -> Result<String, Error> {
        match self.opt_amount(key)? {
            Some(a) => Ok(a),
            None => Err(self.wrong(key, self.obj.get(key), "a decimal number")),
        }
    }

    pub fn opt_amount(&self, key: &str) -> Result<Option<String>, Error> {
        let field = self.obj.get(key);
        let raw: &str = match field {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n,
            Some(Value::Str(s)) => s,
            other => return Err(self.wrong(key, other, "a decimal number")),
        };
        money::decimal_text(raw).map(Some).map_err(|_| self.wrong(key, field, "a decimal number"))
    }

    /// An optional date: a string, or a `{"$date": string | number}` object (as Coinbar's
    /// reports send them), as a string.
    pub fn opt_date(&self, key: &str) -> Result<Option<String>, Error> {
        const WHAT: &str = "a date string or {\"$date\": …}";
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.to_string())),
            Some(Value::Object(o)) => match o.get("$date") {
                Some(Value::Str(s)) => Ok(Some(s.to_string())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                _ => Err(self.wrong(key, self.obj.get(key), WHAT)),
            },
            other => Err(self.wrong(key, other, WHAT)),
        }
    }

    pub fn opt_object(&self, key: &str) -> Result<Option<&'r Obj<'r>>, Error> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            other => Err(self.wrong(key, other, "an object")),
        }
    }

    pub fn opt_array(&self, key: &str) -> Result<Option<&'r [Value<'r>]>, Error> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            other => Err(self.wrong(key, other, "an array")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_keep_status_body_and_coinbar_text() {
        let e = response_object(429, r#"{"result":false,"error":"Api RATE exceeded"}"#, true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Http);
        assert_eq!(e.status, Some(429));
        assert_eq!(e.api_error.as_deref(), Some("Api RATE exceeded"));
        assert_eq!(e.message, "Coinbar answered HTTP 429: Api RATE exceeded");
        let e = response_object(502, "<html>Bad gateway</html>", true).unwrap_err();
        assert_eq!(e.body.as_deref(), Some("<html>Bad gateway</html>"));
        assert_eq!(e.api_error, None);
    }

    #[test]
    fn result_other_than_success_is_an_api_error() {
        let e = response_object(200, r#"{"result":"error","error":"Bad Request","reason":"email"}"#, true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Api);
        assert_eq!(e.api_error.as_deref(), Some("Bad Request (email)"));
        assert_eq!(response_object(200, r#"{"result":false}"#, true).unwrap_err().kind, ErrorKind::Api);
        assert!(response_object(200, r#"{"result":true}"#, true).is_ok());
        assert!(response_object(200, r#"{"status":"SUCCESS"}"#, false).is_ok(), "status answers carry no result");
        assert!(response_object(200, r#"{"result":"SUCCESS"}"#, true).is_ok());
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        for body in ["", "{", "[]", "\"success\"", r#"{"no_result":1}"#, "<html></html>"] {
            assert_eq!(response_object(200, body, true).unwrap_err().kind, ErrorKind::Decode, "{body}");
        }
    }

    #[test]
    fn input_json_problems_are_reported_on_the_field() {
        let mut ch = Checker::default();
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_input_json(&mut ch, &deep, "input").is_none());
        assert_eq!(ch.errors[0].message, "is nested too deeply");
        let mut ch = Checker::default();
        let huge = format!("\"{}\"", "x".repeat(validate::MAX_INPUT_BYTES));
        assert!(parse_input_json(&mut ch, &huge, "input").is_none());
        assert!(ch.errors[0].message.starts_with("is too large"));
    }
}
