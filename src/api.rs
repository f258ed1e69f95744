//! Client configuration, endpoints, and prepared requests (method, URL, signed headers,
//! body). No I/O: the JS shell sends what this builds, so a Rust server could too.

use crate::error::Error;
use crate::validate;
use serde::Serialize;
use serde_json::{Map, Value};

/// Coinbar's published sandbox.
pub const SANDBOX_BASE_URL: &str = "https://sandbox.coinbar.io/coinbar/api/v2";
/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Longest allowed timeout (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// Default number of retries after the first attempt (as stripe-node).
pub const DEFAULT_MAX_RETRIES: u32 = 1;
pub const MAX_RETRIES: u32 = 10;

/// Coinbar environments. Only the sandbox has a published host; production needs `baseUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Sandbox,
    Production,
}

/// A checked client configuration. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub service_client_id: String,
    pub environment: Environment,
    /// Base URL without a trailing slash, e.g. `https://sandbox.coinbar.io/coinbar/api/v2`.
    pub base_url: String,
    pub timeout_ms: u32,
    pub max_retries: u32,
}

/// Options that the JS shell handles itself but that may appear in the options object.
const JS_ONLY_OPTIONS: &[&str] = &["fetch"];
const OPTIONS: &[&str] = &["serviceClientId", "environment", "baseUrl", "timeoutMs", "maxRetries"];
/// Options one call may override.
const CALL_OPTIONS: &[&str] = &["timeoutMs", "maxRetries"];

impl Config {
    /// Read the options object (as JSON text, **without** `secretKey`, which the shell
    /// passes separately as bytes). Messages name option keys, never values.
    pub fn from_options_json(text: &str) -> Result<Config, Error> {
        let value: Value = serde_json::from_str(text).map_err(|_| Error::config("options: must be an object"))?;
        let Value::Object(opts) = value else { return Err(Error::config("options: must be an object")) };
        for key in opts.keys() {
            if JS_ONLY_OPTIONS.contains(&key.as_str()) {
                return Err(Error::config(format!("{key}: must be a function")));
            }
            if key == "secretKey" {
                return Err(Error::config("secretKey: must be a non-empty string"));
            }
            if !OPTIONS.contains(&key.as_str()) {
                return Err(Error::config(format!(
                    "{key}: is not a known option (known: {}, secretKey, fetch)",
                    OPTIONS.join(", ")
                )));
            }
        }
        let service_client_id = match opts.get("serviceClientId") {
            Some(Value::String(s)) => check_client_id(s)?,
            None | Some(Value::Null) => return Err(Error::config("serviceClientId: is required")),
            Some(_) => return Err(Error::config("serviceClientId: must be a string")),
        };
        let environment = match opt_str(&opts, "environment")? {
            None | Some("sandbox") => Environment::Sandbox,
            Some("production") => Environment::Production,
            Some(_) => return Err(Error::config("environment: must be 'sandbox' or 'production'")),
        };
        let base_url = match (opt_str(&opts, "baseUrl")?, environment) {
            (Some(url), _) => check_base_url(url)?,
            (None, Environment::Sandbox) => SANDBOX_BASE_URL.to_string(),
            (None, Environment::Production) => {
                return Err(Error::config(
                    "baseUrl: is required for environment 'production' (Coinbar publishes no production host; \
                     set baseUrl or COINBAR_BASE_URL to the one Coinbar gave you)",
                ))
            }
        };
        let timeout_ms = opt_int(&opts, "timeoutMs", 1, MAX_TIMEOUT_MS)?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let max_retries = opt_int(&opts, "maxRetries", 0, MAX_RETRIES)?.unwrap_or(DEFAULT_MAX_RETRIES);
        Ok(Config { service_client_id, environment, base_url, timeout_ms, max_retries })
    }

    /// Per-call overrides `{ timeoutMs?, maxRetries? }` (JSON text; the shell handles
    /// `signal` itself), checked by the same rules as the client options. Returns the
    /// effective `(timeout_ms, max_retries)` for the call.
    pub fn call_limits(&self, options_json: &str) -> Result<(u32, u32), Error> {
        let value: Value =
            serde_json::from_str(options_json).map_err(|_| Error::config("call options: must be an object"))?;
        let Value::Object(opts) = value else { return Err(Error::config("call options: must be an object")) };
        if let Some(key) = opts.keys().find(|k| !CALL_OPTIONS.contains(&k.as_str())) {
            return Err(Error::config(format!(
                "{key}: is not a per-call option (known: signal, {})",
                CALL_OPTIONS.join(", ")
            )));
        }
        let timeout_ms = opt_int(&opts, "timeoutMs", 1, MAX_TIMEOUT_MS)?.unwrap_or(self.timeout_ms);
        let max_retries = opt_int(&opts, "maxRetries", 0, MAX_RETRIES)?.unwrap_or(self.max_retries);
        Ok((timeout_ms, max_retries))
    }

    /// The full URL of an API path such as `/pay/gateway/initiate`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

fn opt_str<'a>(opts: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Error> {
    match opts.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::config(format!("{key}: must be a string"))),
    }
}

fn opt_int(opts: &Map<String, Value>, key: &str, min: u32, max: u32) -> Result<Option<u32>, Error> {
    match opts.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_str().parse::<u32>() {
            Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
            _ => Err(Error::config(format!("{key}: must be a whole number from {min} to {max}"))),
        },
        Some(_) => Err(Error::config(format!("{key}: must be a number"))),
    }
}

/// The client id travels in a header, the body and URLs: visible ASCII, no spaces.
fn check_client_id(s: &str) -> Result<String, Error> {
    if s.is_empty() {
        return Err(Error::config("serviceClientId: is required"));
    }
    if s.len() > 100 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::config(
            "serviceClientId: must be up to 100 visible ASCII characters (it is sent in a header)",
        ));
    }
    Ok(s.to_string())
}

/// A base URL: `https://host[:port][/path]`, or plain `http://` to a loopback host only (a
/// local sandbox), because signed requests must not cross a network in clear text. No
/// query, fragment or credentials. Hand-checked: the `url` crate would add its IDNA tables
/// to every build for these few rules.
fn check_base_url(url: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::config(format!("baseUrl: {why}"));
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("must start with https://"))?;
    if !(scheme == "https" || scheme == "http") {
        return Err(bad("must start with https://"));
    }
    if url.bytes().any(|b| !b.is_ascii_graphic()) || url.contains(['?', '#', '@', '\\']) {
        return Err(bad("must be a plain URL without spaces, query, fragment or credentials"));
    }
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(bad("must use https:// (plain http:// is only allowed to localhost / 127.0.0.1)"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A loopback host, parsed rather than matched by prefix (`127.0.0.1.nip.io` and
/// `localhost.evil.com` are public names): `localhost`, a literal IPv4 address in
/// 127.0.0.0/8, or the IPv6 literal `::1` (given in brackets in the URL).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<core::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<core::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// The headers of a signed call, in the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headers {
    #[serde(rename = "CBPAY-API-KEY")]
    pub api_key: String,
    #[serde(rename = "SIGNATURE")]
    pub signature: String,
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
    #[serde(rename = "source", skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
}

/// A request ready to send: the bytes signed are exactly `body` (or, for a GET, the query
/// string of `url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Headers,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl PreparedRequest {
    /// A signed POST of `body` (already the exact JSON text).
    pub fn post(config: &Config, path: &str, body: String, signature: String) -> PreparedRequest {
        PreparedRequest {
            method: "POST",
            url: config.url(path),
            headers: Headers {
                api_key: config.service_client_id.clone(),
                signature,
                content_type: "application/json",
                source: Some("web"),
            },
            body: Some(body),
        }
    }

    /// The wire form handed to JS.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl PreparedRequest {
    /// A signed GET. The signature covers the query string without `?` (empty when there is
    /// none): our reading of Coinbar's "serialized query string" for GET calls.
    pub fn get(config: &Config, path: &str, query: &str, signature: String) -> PreparedRequest {
        let url = if query.is_empty() { config.url(path) } else { format!("{}?{query}", config.url(path)) };
        PreparedRequest {
            method: "GET",
            url,
            headers: Headers {
                api_key: config.service_client_id.clone(),
                signature,
                content_type: "application/json",
                source: None,
            },
            body: None,
        }
    }
}

/// Endpoint paths, relative to the base URL.
pub mod paths {
    pub const INITIATE: &str = "/pay/gateway/initiate";
    pub const REQUEST: &str = "/pay/gateway/request";
    pub const QUOTES: &str = "/pay/gateway/quotes";

    /// Ids are checked URL-safe (`A-Z a-z 0-9 . _ : -`) before they get here.
    pub fn status(payment_request_id: &str) -> String {
        format!("/pay/gateway/payment/{payment_request_id}/status")
    }

    /// Note `paymentgateway`, not `pay/gateway` (as documented).
    pub fn report(payment_request_id: &str) -> String {
        format!("/paymentgateway/reports/{payment_request_id}")
    }
}

/// Characters left as they are in query values: RFC 3986 unreserved, as
/// `encodeURIComponent` minus `!'()*`.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encode one query value.
pub fn encode_query_value(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, QUERY_VALUE).to_string()
}

/// The hosted payment page for a request token: `<origin of the base URL>/paymentgateway/pay`
/// with `requestToken`, `serviceClientId` and `timestamp`, every value URL-encoded (tokens
/// are base64 and may hold `+ / =`).
pub fn gateway_url(config: &Config, request_token: &str, timestamp_ms: u64) -> Result<String, Error> {
    if request_token.is_empty() || request_token.len() > 4096 {
        return Err(Error::validation(
            "gateway request",
            vec![crate::error::FieldError::new("requestToken", "must be a non-empty token of at most 4096 characters")],
        ));
    }
    Ok(format!(
        "{}/paymentgateway/pay?requestToken={}&serviceClientId={}&timestamp={timestamp_ms}",
        origin(&config.base_url),
        encode_query_value(request_token),
        encode_query_value(&config.service_client_id),
    ))
}

/// `scheme://authority` of a checked base URL.
fn origin(base_url: &str) -> &str {
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    match base_url.get(after_scheme..).and_then(|rest| rest.find('/')) {
        Some(slash) => base_url.get(..after_scheme + slash).unwrap_or(base_url),
        None => base_url,
    }
}

/// Check a payment id given to a GET call (it becomes a path segment).
pub fn check_payment_request_id(id: &str) -> Result<(), Error> {
    validate::check_text(id, crate::model::initiate::MAX_ID, validate::TextKind::UrlSafeId).map_err(|message| {
        Error::validation("payment_request_id", vec![crate::error::FieldError::new("payment_request_id", message)])
    })
}

/// Check a fiat code and build the quotes query string.
pub fn quotes_query(conversion_fiat: &str) -> Result<String, Error> {
    validate::check_text(conversion_fiat, 10, validate::TextKind::Code).map_err(|message| {
        Error::validation("quotes request", vec![crate::error::FieldError::new("conversion_fiat", message)])
    })?;
    Ok(format!("conversion_fiat={}", encode_query_value(conversion_fiat)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn cfg(json: &str) -> Result<Config, Error> {
        Config::from_options_json(json)
    }

    #[test]
    fn sandbox_is_the_default() {
        let c = cfg(r#"{"serviceClientId":"id-1"}"#).unwrap();
        assert_eq!(c.base_url, SANDBOX_BASE_URL);
        assert_eq!(c.environment, Environment::Sandbox);
        assert_eq!((c.timeout_ms, c.max_retries), (30_000, 1));
        assert_eq!(c.url(paths::INITIATE), "https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/initiate");
    }

    #[test]
    fn production_needs_an_explicit_base_url() {
        let e = cfg(r#"{"serviceClientId":"id","environment":"production"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.message.contains("baseUrl: is required for environment 'production'"));
        let c = cfg(r#"{"serviceClientId":"id","environment":"production","baseUrl":"https://pay.example.com/api/"}"#)
            .unwrap();
        assert_eq!(c.base_url, "https://pay.example.com/api");
    }

    #[test]
    fn base_url_rules() {
        for ok in [
            "http://127.0.0.1:8790/coinbar/api/v2",
            "http://localhost:1/x",
            "http://[::1]:80",
            "https://a.example",
            "http://127.255.0.9/x",
            "http://LOCALHOST/x",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://127.attacker.example/api",
            "http://127.0.0.1.nip.io/x",
            "http://localhost.evil.com/x",
            "http://127.0.0.1:8790@evil.example/x",
            "http://127.1/x",
            "http://0x7f.0.0.1/x",
            "http://[::2]/x",
            "http://[::ffff:127.0.0.1]/x",
            "ftp://a",
            "http://example.com",
            "https://",
            "https://a.example?x=1",
            "https://u:p@a.example",
            "sandbox.coinbar.io",
            "https://a b",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn per_call_limits_override_the_client_and_follow_the_same_rules() {
        let c = cfg(r#"{"serviceClientId":"id","timeoutMs":5000,"maxRetries":2}"#).unwrap();
        assert_eq!(c.call_limits("{}").unwrap(), (5000, 2));
        assert_eq!(c.call_limits(r#"{"timeoutMs":10,"maxRetries":0}"#).unwrap(), (10, 0));
        assert!(c.call_limits(r#"{"timeoutMs":0}"#).unwrap_err().message.starts_with("timeoutMs:"));
        assert!(c.call_limits(r#"{"maxRetries":11}"#).unwrap_err().message.starts_with("maxRetries:"));
        assert!(c
            .call_limits(r#"{"timeout":1}"#)
            .unwrap_err()
            .message
            .starts_with("timeout: is not a per-call option"));
        assert_eq!(c.call_limits("[]").unwrap_err().kind, ErrorKind::Config);
    }

    #[test]
    fn option_errors_name_the_key_never_the_value() {
        let e = cfg(r#"{"serviceClientId":"id","timeout":"s3cr3t-value"}"#).unwrap_err();
        assert!(e.message.starts_with("timeout: is not a known option"));
        assert!(!e.message.contains("s3cr3t"));
        assert!(cfg(r#"{"serviceClientId":"id","timeoutMs":0}"#).is_err());
        assert!(cfg(r#"{"serviceClientId":"id","timeoutMs":1.5}"#).is_err());
        assert!(cfg(r#"{"serviceClientId":"","timeoutMs":100}"#).is_err());
        assert!(cfg(r#"{"serviceClientId":"has space"}"#).is_err());
        assert!(cfg(r#"{"serviceClientId":"id","environment":"prod"}"#).is_err());
        assert!(cfg(r#"{"serviceClientId":"id","fetch":"x"}"#).unwrap_err().message.contains("must be a function"));
        assert!(cfg("[]").is_err());
    }

    #[test]
    fn gateway_url_encodes_every_value_and_uses_the_origin() {
        let c = cfg(r#"{"serviceClientId":"id 1&x"}"#);
        assert!(c.is_err(), "client ids are visible ASCII without spaces");
        let c = cfg(r#"{"serviceClientId":"c0ffee&=?"}"#).unwrap();
        assert_eq!(
            gateway_url(&c, "WlpZ+ab/c==", 1715430961064).unwrap(),
            "https://sandbox.coinbar.io/paymentgateway/pay?requestToken=WlpZ%2Bab%2Fc%3D%3D&serviceClientId=c0ffee%26%3D%3F&timestamp=1715430961064"
        );
        let local = cfg(r#"{"serviceClientId":"id","baseUrl":"http://127.0.0.1:8790/coinbar/api/v2"}"#).unwrap();
        assert!(gateway_url(&local, "t", 1).unwrap().starts_with("http://127.0.0.1:8790/paymentgateway/pay?"));
        assert_eq!(gateway_url(&local, "", 1).unwrap_err().errors[0].field, "requestToken");
    }

    #[test]
    fn get_requests_sign_the_query_string() {
        let c = cfg(r#"{"serviceClientId":"id"}"#).unwrap();
        let q = quotes_query("EUR").unwrap();
        let p = PreparedRequest::get(&c, paths::QUOTES, &q, "sig".into());
        assert_eq!(p.url, "https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/quotes?conversion_fiat=EUR");
        assert_eq!(
            p.to_json(),
            r#"{"method":"GET","url":"https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/quotes?conversion_fiat=EUR","headers":{"CBPAY-API-KEY":"id","SIGNATURE":"sig","Content-Type":"application/json"}}"#
        );
        assert!(quotes_query("eur").is_err());
        assert!(check_payment_request_id("a/../b").is_err());
        assert_eq!(paths::report("o-1"), "/paymentgateway/reports/o-1");
    }

    #[test]
    fn prepared_post_has_the_documented_headers_in_order() {
        let c = cfg(r#"{"serviceClientId":"id"}"#).unwrap();
        let p = PreparedRequest::post(&c, paths::INITIATE, "{}".into(), "ab".into());
        assert_eq!(
            p.to_json(),
            r#"{"method":"POST","url":"https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/initiate","headers":{"CBPAY-API-KEY":"id","SIGNATURE":"ab","Content-Type":"application/json","source":"web"},"body":"{}"}"#
        );
    }
}
