//! One error type for the whole SDK, with a `kind` that JS sees as `CoinbarError.code`.
//!
//! No error ever carries the secret key: the key never reaches code that builds messages,
//! and messages about configuration name option keys, never option values.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::{ObjectWriter, ToJson};
use crate::text::text;

/// What went wrong, as a stable machine-readable code (`CoinbarError.code` in JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input broke a field rule; nothing was sent. `errors` lists every problem.
    Validation,
    /// The client configuration is unusable (missing id or key, bad base URL...).
    Config,
    /// The request could not be sent or the connection broke.
    Network,
    /// No complete answer within the configured timeout.
    Timeout,
    /// Coinbar answered with a non-2xx HTTP status.
    Http,
    /// Coinbar answered 2xx but with `result` other than success.
    Api,
    /// Coinbar's answer is not the documented shape.
    Decode,
    /// A callback's client id or signature did not verify.
    Signature,
}

impl ErrorKind {
    /// The code as JS sees it (`validation`, `decode`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Config => "config",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Http => "http",
            ErrorKind::Api => "api",
            ErrorKind::Decode => "decode",
            ErrorKind::Signature => "signature",
        }
    }
}

/// One broken rule: a field path such as `products[1].product_price`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

impl ToJson for FieldError {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out).field("field", &self.field).field("message", &self.message).end();
    }
}

/// An SDK error. Serialized (see [`Error::to_json`]) to cross into JS, where it becomes a
/// `CoinbarError` with the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// Every broken field rule (validation errors only).
    pub errors: Vec<FieldError>,
    /// HTTP status (http errors; also api errors that came with a status).
    pub status: Option<u16>,
    /// Response body text as received, cut to [`MAX_BODY_IN_ERROR`] characters.
    pub body: Option<String>,
    /// Coinbar's own error text (`error` / `message` / `reason` of the response), if any.
    pub api_error: Option<String>,
    /// The client setting a config error is about (`base_url`...); its message then reads
    /// after the setting's name, which the shell spells its own way.
    pub setting: Option<&'static str>,
}

/// How much of a response body an error keeps.
pub const MAX_BODY_IN_ERROR: usize = 4096;

// The constructors are cold and never inlined: errors are the rare path, and inlined copies
// made the functions that can fail larger to compile on first call (cold start, docs/design.md).
impl Error {
    #[cold]
    #[inline(never)]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            errors: Vec::new(),
            status: None,
            body: None,
            api_error: None,
            setting: None,
        }
    }

    /// A config error about one client setting; `message` reads after its name ("is required").
    #[cold]
    #[inline(never)]
    pub fn setting(setting: &'static str, message: impl Into<String>) -> Self {
        Error { setting: Some(setting), ..Error::new(ErrorKind::Config, message) }
    }

    #[cold]
    #[inline(never)]
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    #[cold]
    #[inline(never)]
    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// A validation error listing `errors`; the message summarizes the first ones.
    pub fn validation(what: &str, errors: Vec<FieldError>) -> Self {
        let mut message = text!("Invalid ", what, ": ");
        for (i, e) in errors.iter().take(3).enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            message.push_str(&e.field);
            message.push_str(": ");
            message.push_str(&e.message);
        }
        if errors.len() > 3 {
            message.push_str(&text!(" (and ", errors.len() - 3, " more)"));
        }
        Error { errors, ..Error::new(ErrorKind::Validation, message) }
    }

    /// The wire form handed to JS: `{"code": ..., "message": ..., ...}` (`errors`,
    /// `status`, `body`, `apiError` and `setting` only when present).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut w = ObjectWriter::new(&mut out);
        w.field("code", self.kind.as_str()).field("message", &self.message);
        if !self.errors.is_empty() {
            w.field("errors", &self.errors);
        }
        w.some("status", self.status.as_ref())
            .some("body", self.body.as_ref())
            .some("apiError", self.api_error.as_ref())
            .some("setting", self.setting);
        w.end();
        out
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.setting {
            Some(setting) => write!(f, "{setting}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl core::error::Error for Error {}

/// Cut `s` to at most `max` characters (on a char boundary).
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_lists_first_three_and_counts_the_rest() {
        let errs = (0..5).map(|i| FieldError::new(format!("f{i}"), "bad")).collect();
        let e = Error::validation("initiate input", errs);
        assert_eq!(e.message, "Invalid initiate input: f0: bad; f1: bad; f2: bad (and 2 more)");
        assert_eq!(e.errors.len(), 5);
    }

    #[test]
    fn wire_form_has_code_and_omits_empty_parts() {
        let e = Error::config("options: must be an object");
        assert_eq!(e.to_json(), r#"{"code":"config","message":"options: must be an object"}"#);
        let e = Error::setting("base_url", "is required");
        assert_eq!(e.to_json(), r#"{"code":"config","message":"is required","setting":"base_url"}"#);
        assert_eq!(e.to_string(), "base_url: is required");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }
}
