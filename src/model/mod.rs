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

/// The first error met while reading a response (see [`Reader`]).
#[derive(Default)]
pub(crate) struct FirstError(core::cell::Cell<Option<Error>>);

/// Reads documented fields out of a response object, turning a missing or mistyped field
/// into a `decode` error that names it (`payment_detail.destination_amount`).
///
/// Every method returns a value (empty when the field is wrong) and records the first error
/// in a [`FirstError`] shared with the child readers; [`Reader::finish`] returns it. So a
/// response is read field after field without an early return at each one: the error is the
/// same as stopping at the first, and the code has no drop path per field (which made the
/// readers several KB of wasm each).
pub(crate) struct Reader<'r> {
    obj: &'r Obj<'r>,
    path: String,
    first_error: &'r FirstError,
}

impl<'r> Reader<'r> {
    pub fn new(obj: &'r Obj<'r>, first_error: &'r FirstError) -> Self {
        Reader { obj, path: String::new(), first_error }
    }

    /// A reader of a nested object, reporting fields as `key.field`.
    pub fn child(&self, obj: &'r Obj<'r>, key: &str) -> Reader<'r> {
        Reader { obj, path: self.path_of(key), first_error: self.first_error }
    }

    /// `value`, or the first error recorded while reading it.
    pub fn finish<T>(&self, value: T) -> Result<T, Error> {
        match self.first_error.0.take() {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// Record `e` unless an earlier error was recorded.
    #[cold]
    #[inline(never)]
    pub fn fail(&self, e: Error) {
        let earlier = self.first_error.0.take();
        self.first_error.0.set(Some(earlier.unwrap_or(e)));
    }

    /// The full path of a field of this object.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    #[cold]
    #[inline(never)]
    fn wrong(&self, key: &str, got: Option<&Value<'_>>, what: &str) {
        let got = view::type_of(got);
        self.fail(Error::decode(format!("response field `{}` must be {what} (got {got})", self.path_of(key))));
    }

    /// A required string.
    #[inline(never)]
    pub fn string(&self, key: &str) -> String {
        match self.obj.get(key) {
            Some(Value::Str(s)) => s.to_string(),
            other => {
                self.wrong(key, other, "a string");
                String::new()
            }
        }
    }

    /// An optional string (`null` or absent gives `None`).
    #[inline(never)]
    pub fn opt_string(&self, key: &str) -> Option<String> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Str(s)) => Some(s.to_string()),
            other => {
                self.wrong(key, other, "a string or null");
                None
            }
        }
    }

    /// A required amount: a JSON number or numeric string, returned as an exact decimal
    /// string keeping every digit sent.
    #[inline(never)]
    pub fn amount(&self, key: &str) -> String {
        match self.obj.get(key) {
            None | Some(Value::Null) => {
                self.wrong(key, self.obj.get(key), "a decimal number");
                String::new()
            }
            _ => self.opt_amount(key).unwrap_or_default(),
        }
    }

    #[inline(never)]
    pub fn opt_amount(&self, key: &str) -> Option<String> {
        let field = self.obj.get(key);
        let raw: &str = match field {
            None | Some(Value::Null) => return None,
            Some(Value::Number(n)) => n,
            Some(Value::Str(s)) => s,
            other => {
                self.wrong(key, other, "a decimal number");
                return None;
            }
        };
        match money::decimal_text(raw) {
            Ok(text) => Some(text),
            Err(_) => {
                self.wrong(key, field, "a decimal number");
                None
            }
        }
    }

    /// An optional date: a string, or a `{"$date": string | number}` object (as Coinbar's
    /// reports send them), as a string.
    #[inline(never)]
    pub fn opt_date(&self, key: &str) -> Option<String> {
        let field = self.obj.get(key);
        match field {
            None | Some(Value::Null) => return None,
            Some(Value::Str(s)) => return Some(s.to_string()),
            Some(Value::Object(o)) => match o.get("$date") {
                Some(Value::Str(s)) => return Some(s.to_string()),
                // The number's text, with a lowercase exponent mark (`1E5` → `1e5`), as the
                // serde_json reader before this one gave it (found by fuzzing).
                Some(Value::Number(n)) => return Some(n.replace('E', "e")),
                _ => {}
            },
            _ => {}
        }
        self.wrong(key, field, "a date string or {\"$date\": …}");
        None
    }

    #[inline(never)]
    pub fn opt_object(&self, key: &str) -> Option<&'r Obj<'r>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            other => {
                self.wrong(key, other, "an object");
                None
            }
        }
    }

    #[inline(never)]
    pub fn opt_array(&self, key: &str) -> Option<&'r [Value<'r>]> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items),
            other => {
                self.wrong(key, other, "an array");
                None
            }
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
