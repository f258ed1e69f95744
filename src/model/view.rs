//! A borrowed view of a parsed response: the one shape [`super::Reader`] reads, whichever
//! of the two parsers produced it.
//!
//! - The **full parser** builds a `serde_json::Value` tree (owned strings, every number's
//!   text kept by `arbitrary_precision`). It handles any valid JSON and gives the error
//!   messages.
//! - The **fast parser** (feature `fast-parse`, server build) indexes the top-level object as
//!   `key → raw value text` borrowed from the body, and reads nested values only when a field
//!   is asked for: no allocation per string or number. It is used only for bodies where it
//!   provably reads the same values as the full parser (see [`fast_object`]); anything else
//!   goes to the full parser, so results never depend on which one ran.

use serde_json::{Map, Value};

#[cfg(feature = "fast-parse")]
use serde_json::value::RawValue;
#[cfg(feature = "fast-parse")]
use std::borrow::Cow;
#[cfg(feature = "fast-parse")]
use std::collections::BTreeMap;

/// An object's `key → raw value` index (duplicate keys: the last wins, as in `Value`).
#[cfg(feature = "fast-parse")]
pub(crate) type RawMap<'a> = BTreeMap<&'a str, &'a RawValue>;

/// One JSON object, from either parser.
#[derive(Clone)]
pub(crate) enum Obj<'a> {
    /// `{}`: for an absent object that is read as empty.
    Empty,
    Value(&'a Map<String, Value>),
    #[cfg(feature = "fast-parse")]
    Raw(Cow<'a, RawMap<'a>>),
}

/// One JSON value (or its absence), from either parser. Strings and numbers borrow the text:
/// a number is the exact text sent.
pub(crate) enum Field<'a> {
    Absent,
    Null,
    Bool(bool),
    Number(&'a str),
    Str(&'a str),
    Object(Obj<'a>),
    Array(Vec<Field<'a>>),
    /// A nested value the fast parser could not read again. Unreachable for bodies that pass
    /// [`fast_object`]'s checks; kept so that an impossible case is a `decode` error, not a
    /// panic.
    #[cfg(feature = "fast-parse")]
    Unreadable,
}

impl<'a> Field<'a> {
    /// The JSON type, for error messages (`got string`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Field::Absent => "nothing",
            Field::Null => "null",
            Field::Bool(_) => "boolean",
            Field::Number(_) => "number",
            Field::Str(_) => "string",
            Field::Object(_) => "object",
            Field::Array(_) => "array",
            #[cfg(feature = "fast-parse")]
            Field::Unreadable => "unreadable JSON",
        }
    }

    fn of_value(v: &'a Value) -> Field<'a> {
        match v {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => Field::Number(n.as_str()),
            Value::String(s) => Field::Str(s),
            Value::Array(items) => Field::Array(items.iter().map(Field::of_value).collect()),
            Value::Object(o) => Field::Object(Obj::Value(o)),
        }
    }

    /// Classify raw value text by its first byte (serde_json checked its syntax when it
    /// indexed the enclosing object).
    #[cfg(feature = "fast-parse")]
    fn of_raw(raw: &'a RawValue) -> Field<'a> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'n') => Field::Null,
            Some(b't') => Field::Bool(true),
            Some(b'f') => Field::Bool(false),
            // No backslash anywhere in the body (checked), so the text between the quotes is
            // the string itself.
            Some(b'"') => text.get(1..text.len() - 1).map_or(Field::Unreadable, Field::Str),
            Some(b'{') => serde_json::from_str::<RawMap<'a>>(text)
                .map_or(Field::Unreadable, |m| Field::Object(Obj::Raw(Cow::Owned(m)))),
            Some(b'[') => serde_json::from_str::<Vec<&'a RawValue>>(text)
                .map_or(Field::Unreadable, |items| Field::Array(items.into_iter().map(Field::of_raw).collect())),
            Some(_) => Field::Number(text),
            None => Field::Unreadable,
        }
    }
}

impl<'a> Obj<'a> {
    pub fn get(&self, key: &str) -> Field<'a> {
        match self {
            Obj::Empty => Field::Absent,
            Obj::Value(m) => m.get(key).map_or(Field::Absent, Field::of_value),
            #[cfg(feature = "fast-parse")]
            Obj::Raw(m) => m.get(key).map_or(Field::Absent, |raw| Field::of_raw(raw)),
        }
    }

    /// A non-empty string field (for error texts).
    pub fn non_empty_str(&self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            Field::Str(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// A parsed response body that [`Obj`] views borrow from.
#[derive(Debug)]
pub(crate) enum Doc<'a> {
    Value(Map<String, Value>),
    #[cfg(feature = "fast-parse")]
    Raw(RawMap<'a>),
    /// Without the fast parser there is no raw form (this variant cannot be built).
    #[cfg(not(feature = "fast-parse"))]
    #[allow(dead_code)]
    Unused(core::convert::Infallible, core::marker::PhantomData<&'a str>),
}

impl<'a> Doc<'a> {
    pub fn view(&self) -> Obj<'_> {
        match self {
            Doc::Value(m) => Obj::Value(m),
            #[cfg(feature = "fast-parse")]
            Doc::Raw(m) => Obj::Raw(Cow::Borrowed(m)),
            #[cfg(not(feature = "fast-parse"))]
            Doc::Unused(never, _) => match *never {},
        }
    }
}

/// Nesting a body may have and still be read by the fast parser: the full parser stops at
/// 128 levels, the fast one has no limit, so a body is left to the full parser unless its
/// count of `{` and `[` bytes (an upper bound on its depth) is below that.
#[cfg(feature = "fast-parse")]
const FAST_MAX_OPENINGS: usize = 127;

/// Index a response body that is a JSON object for the fast reader, or `None` to leave it to
/// the full parser. Only bodies with no backslash at all qualify: the fast parser skips
/// fields nobody reads without decoding their escapes (so it would let a lone surrogate
/// pass where the full parser refuses the body), and with no escapes every string can be
/// borrowed as it stands. Coinbar's answers contain no escapes in practice.
#[cfg(feature = "fast-parse")]
pub(crate) fn fast_object(body: &str) -> Option<RawMap<'_>> {
    let bytes = body.as_bytes();
    if bytes.contains(&b'\\') || bytes.iter().filter(|&&b| b == b'{' || b == b'[').count() > FAST_MAX_OPENINGS {
        return None;
    }
    serde_json::from_str::<RawMap<'_>>(body).ok()
}

#[cfg(all(test, feature = "fast-parse"))]
mod tests {
    use super::*;
    use crate::model::status;

    #[test]
    fn fast_reader_takes_only_bodies_it_reads_like_the_full_parser() {
        assert!(fast_object(r#"{"a":1,"b":[{"c":"d"}]}"#).is_some());
        // Escapes (a lone surrogate would pass unseen in a skipped field), non-objects and
        // bodies that might nest past the full parser's limit go to the full parser.
        assert!(fast_object(r#"{"a":"\ud800"}"#).is_none());
        assert!(fast_object(r#"{"a":"x\/y"}"#).is_none());
        assert!(fast_object("[1]").is_none());
        assert!(fast_object(&format!(r#"{{"a":{}{}}}"#, "[".repeat(130), "]".repeat(130))).is_none());
    }

    #[test]
    fn both_readers_give_the_same_answers_and_errors() {
        let ok = r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"pending","status":"SUCCESS",
            "payment_detail":{"destination_amount":1e-7,"coin_change":"19913.425","total_price":8.99},"creation_time":{"$date":1715430961064}}"#;
        let bad = [
            r#"{"payment_id_coinbar":1,"payment_request_id_client":"o","status":"SUCCESS"}"#,
            r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"SUCCESS","payment_detail":[]}"#,
            r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"SUCCESS","payment_detail":{"total_price":"n/a"}}"#,
            r#"{"payment_id_coinbar":"p","payment_request_id_client":"o","status":"SUCCESS","creation_time":{"$date":true}}"#,
            r#"{"result":false,"error":"Bad Request","reason":"email"}"#,
        ];
        for body in std::iter::once(ok).chain(bad) {
            assert!(fast_object(body).is_some(), "{body}");
            let fast = status::parse_response(200, body);
            // The same body with a harmless escape goes through the full parser.
            let full = status::parse_response(200, &body.replacen("\"o\"", "\"\\u006f\"", 1));
            assert_eq!(fast, full, "{body}");
        }
        let p = status::parse_response(200, ok).unwrap();
        assert_eq!(p.status.as_str(), "SUCCESS", "duplicate keys: the last wins, as in serde_json");
        assert_eq!(p.payment_detail.destination_amount.as_deref(), Some("0.0000001"));
        assert_eq!(p.creation_time.as_deref(), Some("1715430961064"));
    }
}
