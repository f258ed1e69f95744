//! One error type for the whole SDK, with a `kind` that JS sees as `CoinbarError.code`.
//!
//! No error ever carries the secret key: the key never reaches code that builds messages,
//! and messages about configuration name option keys, never option values.

use serde::Serialize;

/// What went wrong, as a stable machine-readable code (`CoinbarError.code` in JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
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

/// One broken rule: a field path such as `products[1].product_price`, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// An SDK error. Serialized (see [`Error::to_json`]) to cross into JS, where it becomes a
/// `CoinbarError` with the same fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    #[serde(rename = "code")]
    pub kind: ErrorKind,
    pub message: String,
    /// Every broken field rule (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// HTTP status (http errors; also api errors that came with a status).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response body text as received, cut to [`MAX_BODY_IN_ERROR`] characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Coinbar's own error text (`error` / `message` / `reason` of the response), if any.
    #[serde(rename = "apiError", skip_serializing_if = "Option::is_none")]
    pub api_error: Option<String>,
    /// The client setting a config error is about (`base_url`...); its message then reads
    /// after the setting's name, which the shell spells its own way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<&'static str>,
}

/// How much of a response body an error keeps.
pub const MAX_BODY_IN_ERROR: usize = 4096;

impl Error {
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
    pub fn setting(setting: &'static str, message: impl Into<String>) -> Self {
        Error { setting: Some(setting), ..Error::new(ErrorKind::Config, message) }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    /// A validation error listing `errors`; the message summarizes the first ones.
    pub fn validation(what: &str, errors: Vec<FieldError>) -> Self {
        let mut message = format!("Invalid {what}: ");
        for (i, e) in errors.iter().take(3).enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            message.push_str(&e.field);
            message.push_str(": ");
            message.push_str(&e.message);
        }
        if errors.len() > 3 {
            message.push_str(&format!(" (and {} more)", errors.len() - 3));
        }
        Error { errors, ..Error::new(ErrorKind::Validation, message) }
    }

    /// The wire form handed to JS: `{"code": ..., "message": ..., ...}`.
    pub fn to_json(&self) -> String {
        // Serializing plain strings and numbers cannot fail; the fallback keeps this total.
        serde_json::to_string(self).unwrap_or_else(|_| {
            String::from(r#"{"code":"decode","message":"internal: error could not be serialized"}"#)
        })
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

impl std::error::Error for Error {}

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
