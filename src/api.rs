//! Client configuration, endpoints, and prepared requests (method, URL, signed headers,
//! body). No I/O: the JS shell sends what this builds, so a Rust server could too.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Error;
use crate::json::{ObjectWriter, ToJson};
use crate::text::text;
use crate::validate;

/// Coinbar's published sandbox.
pub const SANDBOX_BASE_URL: &str = "https://sandbox.coinbar.io/coinbar/api/v2";
/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Longest allowed timeout (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// Default number of retries after the first attempt (as stripe-node).
pub const DEFAULT_MAX_RETRIES: u32 = 1;
pub const MAX_RETRIES: u32 = 10;

/// Coinbar environments. Only the sandbox has a published host; production needs a base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Production,
}

/// A checked client configuration. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub service_client_id: String,
    pub environment: Environment,
    /// Base URL without a trailing slash, e.g. `https://sandbox.coinbar.io/coinbar/api/v2`.
    pub base_url: String,
    pub timeout_ms: u32,
    pub max_retries: u32,
}

/// The client settings as given (each `None` when not set). Numbers come as the doubles a
/// JS caller has; the rules (whole, in range) are checked here. The shell reads its options
/// object, under its own names, into this.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings<'a> {
    pub service_client_id: Option<&'a str>,
    pub environment: Option<&'a str>,
    pub base_url: Option<&'a str>,
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
}

/// The names of the settings, as config errors carry them ([`Error::setting`]).
pub mod setting {
    pub const SERVICE_CLIENT_ID: &str = "service_client_id";
    pub const ENVIRONMENT: &str = "environment";
    pub const BASE_URL: &str = "base_url";
    pub const TIMEOUT_MS: &str = "timeout_ms";
    pub const MAX_RETRIES: &str = "max_retries";
}

impl Config {
    /// Check the settings. Errors name the setting ([`Error::setting`]), never its value.
    pub fn new(s: &Settings<'_>) -> Result<Config, Error> {
        let service_client_id = check_client_id(s.service_client_id.unwrap_or(""))?;
        let environment = match s.environment {
            None | Some("sandbox") => Environment::Sandbox,
            Some("production") => Environment::Production,
            Some(_) => return Err(Error::setting(setting::ENVIRONMENT, "must be 'sandbox' or 'production'")),
        };
        let base_url = match (s.base_url, environment) {
            (Some(url), _) => check_base_url(url)?,
            (None, Environment::Sandbox) => SANDBOX_BASE_URL.to_string(),
            (None, Environment::Production) => {
                return Err(Error::setting(
                    setting::BASE_URL,
                    "is required for environment 'production' (Coinbar publishes no production host; \
                     use the one Coinbar gave you)",
                ))
            }
        };
        let timeout_ms = whole(s.timeout_ms, setting::TIMEOUT_MS, 1, MAX_TIMEOUT_MS)?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let max_retries = whole(s.max_retries, setting::MAX_RETRIES, 0, MAX_RETRIES)?.unwrap_or(DEFAULT_MAX_RETRIES);
        Ok(Config { service_client_id, environment, base_url, timeout_ms, max_retries })
    }

    /// One call's `(timeout_ms, max_retries)`: the client's, overridden by the call's own
    /// settings, checked by the same rules.
    pub fn call_limits(&self, timeout_ms: Option<f64>, max_retries: Option<f64>) -> Result<(u32, u32), Error> {
        Ok((
            whole(timeout_ms, setting::TIMEOUT_MS, 1, MAX_TIMEOUT_MS)?.unwrap_or(self.timeout_ms),
            whole(max_retries, setting::MAX_RETRIES, 0, MAX_RETRIES)?.unwrap_or(self.max_retries),
        ))
    }

    /// The full URL of an API path such as `/pay/gateway/initiate`.
    pub fn url(&self, path: &str) -> String {
        text!(self.base_url, path)
    }
}

/// Which call an answer is to: what the advice of its errors depends on ([`Config::explain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Initiate,
    Request,
    Status,
    Report,
    Quotes,
}

/// The path every API path sits under in Coinbar's base URLs.
const API_PATH: &str = "/coinbar/api/v2";

impl Config {
    /// An error of one of this client's calls, with what to check added to the message when
    /// the cause is most likely this client's configuration: credentials refused (401/403, any
    /// call), or nothing at a payment-creating path (404 of initiate / request: a base URL
    /// that is not the API address). A 404 of the status and report calls is left as it is:
    /// it means "no such payment" (`findPayment` relies on it). Names settings and variables,
    /// never the key.
    pub fn explain(&self, call: Call, mut e: Error) -> Error {
        if e.kind != crate::error::ErrorKind::Http {
            return e;
        }
        let environment = match self.environment {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        };
        match (e.status, call) {
            (Some(401 | 403), _) => e.message.push_str(&text!(
                ". Coinbar refused this client's credentials: check the secret key and the service \
                 client id (COINBAR_SECRET_KEY, COINBAR_SERVICE_CLIENT_ID): they must be the pair Coinbar issued \
                 for the environment this client talks to: ",
                environment,
                ", base URL ",
                self.base_url,
                " (COINBAR_ENV / COINBAR_BASE_URL). Sandbox credentials do not work in production, nor the reverse"
            )),
            (Some(404), Call::Initiate | Call::Request) => {
                e.message.push_str(&text!(
                    ". Nothing answers this call under the base URL ",
                    self.base_url,
                    ": check the base URL (COINBAR_BASE_URL): it must be the API address Coinbar gave you, with its path, \
                     e.g. https://sandbox.coinbar.io",
                    API_PATH
                ));
                if !self.base_url.ends_with(API_PATH) {
                    e.message.push_str(&text!(" (this one does not end in ", API_PATH, ")"));
                }
            }
            _ => {}
        }
        e
    }
}

/// A whole number from `min` to `max`, when given.
fn whole(value: Option<f64>, name: &'static str, min: u32, max: u32) -> Result<Option<u32>, Error> {
    match value {
        None => Ok(None),
        // Whole: the value survives the round trip through u32 (`fract` needs std).
        Some(v) if v >= f64::from(min) && v <= f64::from(max) && f64::from(v as u32) == v => Ok(Some(v as u32)),
        Some(_) => Err(Error::setting(name, text!("must be a whole number from ", min, " to ", max))),
    }
}

/// The client id travels in a header, the body and URLs: visible ASCII, no spaces.
fn check_client_id(s: &str) -> Result<String, Error> {
    if s.is_empty() {
        return Err(Error::setting(setting::SERVICE_CLIENT_ID, "is required"));
    }
    if s.len() > 100 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::setting(
            setting::SERVICE_CLIENT_ID,
            "must be up to 100 visible ASCII characters (it is sent in a header)",
        ));
    }
    Ok(s.to_string())
}

/// What a base URL may start with (the one message for a missing scheme, another scheme, and
/// plain http:// to a host that is not this machine).
const SCHEME_RULE: &str = "must start with https:// (plain http:// is accepted only for a loopback host: localhost, \
                           127.x.x.x or [::1]), e.g. https://sandbox.coinbar.io/coinbar/api/v2 or \
                           http://127.0.0.1:8790/coinbar/api/v2";

/// A base URL: `https://host[:port][/path]`, or plain `http://` to a loopback host only (a
/// local sandbox), because signed requests must not cross a network in clear text. No
/// query, fragment or credentials. Hand-checked: the `url` crate would add its IDNA tables
/// to every build for these few rules.
fn check_base_url(url: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::setting(setting::BASE_URL, why);
    let (scheme, rest) = split_scheme(url).ok_or_else(|| bad(SCHEME_RULE))?;
    if !(scheme == "https" || scheme == "http") {
        return Err(bad(SCHEME_RULE));
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
        return Err(bad(SCHEME_RULE));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A loopback host, parsed rather than matched by prefix (`127.0.0.1.nip.io` and
/// `localhost.evil.com` are public names): `localhost`, a dotted-quad IPv4 address in
/// 127.0.0.0/8 (four decimal parts 0–255 without leading zeros, as `Ipv4Addr` parses them),
/// or the IPv6 loopback written `::1` (in brackets in the URL; its longer spellings such as
/// `0:0:0:0:0:0:0:1` are refused).
///
/// Hand-parsed rather than with `core::net`: its IPv4 and IPv6 parsers were 3.5 KB of wasm
/// for this one check. `loopback_matches_core_net` tests the IPv4 part against `Ipv4Addr`.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "::1" || is_loopback_ipv4(host)
}

fn is_loopback_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for (i, part) in host.split('.').enumerate() {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let value = part.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        if (part.len() > 1 && part.starts_with('0')) || value > 255 || (i == 0 && value != 127) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// The headers of a signed call, in the documented order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    pub api_key: String,
    pub signature: String,
    pub content_type: &'static str,
    pub source: Option<&'static str>,
}

/// A request ready to send: the bytes signed are exactly `body` (or, for a GET, the query
/// string of `url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Headers,
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
        crate::json::to_js_json(self)
    }
}

impl PreparedRequest {
    /// A signed GET. The signature covers the query string without `?` (empty when there is
    /// none): our reading of Coinbar's "serialized query string" for GET calls.
    pub fn get(config: &Config, path: &str, query: &str, signature: String) -> PreparedRequest {
        let url = if query.is_empty() { config.url(path) } else { text!(config.url(path), '?', query) };
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

impl ToJson for Config {
    fn write_json(&self, out: &mut String) {
        let environment = match self.environment {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        };
        ObjectWriter::new(out)
            .field("service_client_id", &self.service_client_id)
            .field("environment", environment)
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .end();
    }
}

impl ToJson for Headers {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("CBPAY-API-KEY", &self.api_key)
            .field("SIGNATURE", &self.signature)
            .field("Content-Type", self.content_type)
            .some("source", self.source)
            .end();
    }
}

impl ToJson for PreparedRequest {
    fn write_json(&self, out: &mut String) {
        ObjectWriter::new(out)
            .field("method", self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .some("body", self.body.as_ref())
            .end();
    }
}

/// Endpoint paths, relative to the base URL.
pub mod paths {
    use crate::prelude::*;

    pub const INITIATE: &str = "/pay/gateway/initiate";
    pub const REQUEST: &str = "/pay/gateway/request";
    pub const QUOTES: &str = "/pay/gateway/quotes";

    /// Ids are checked URL-safe (`A-Z a-z 0-9 . _ : -`) before they get here.
    pub fn status(payment_request_id: &str) -> String {
        crate::text::text!("/pay/gateway/payment/", payment_request_id, "/status")
    }

    /// Note `paymentgateway`, not `pay/gateway` (as documented).
    pub fn report(payment_request_id: &str) -> String {
        crate::text::text!("/paymentgateway/reports/", payment_request_id)
    }
}

/// Percent-encode one query value: every byte of its UTF-8 but the RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`, as `encodeURIComponent` minus `!'()*`) becomes `%XX`,
/// upper-case hex. By hand: `percent_encoding` carried a 768-byte `%00`…`%FF` table and its
/// iterator (~0.3 KB gzip of wasm); `encode_matches_percent_encoding` in the tests compares.
pub fn encode_query_value(v: &str) -> String {
    let hex = |nibble: u8| char::from(b"0123456789ABCDEF".get(usize::from(nibble & 15)).copied().unwrap_or(b'0'));
    let mut out = String::with_capacity(v.len());
    for &b in v.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b));
        }
    }
    out
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
    Ok(text!(
        origin(&config.base_url),
        "/paymentgateway/pay?requestToken=",
        encode_query_value(request_token),
        "&serviceClientId=",
        encode_query_value(&config.service_client_id),
        "&timestamp=",
        timestamp_ms,
    ))
}

/// `(scheme, rest)` of `scheme://rest`. A byte search rather than `split_once("://")`: the
/// core's only substring search, whose two-way searcher cost ~2.6 KB of wasm.
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let at = url.as_bytes().windows(3).position(|w| w == b"://")?;
    Some((url.get(..at)?, url.get(at + 3..)?))
}

/// `scheme://authority` of a checked base URL.
fn origin(base_url: &str) -> &str {
    let after_scheme = split_scheme(base_url).map_or(0, |(scheme, _)| scheme.len() + 3);
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
    Ok(text!("conversion_fiat=", encode_query_value(conversion_fiat)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn id(service_client_id: &str) -> Settings<'_> {
        Settings { service_client_id: Some(service_client_id), ..Settings::default() }
    }

    #[test]
    fn sandbox_is_the_default() {
        let c = Config::new(&id("id-1")).unwrap();
        assert_eq!(c.base_url, SANDBOX_BASE_URL);
        assert_eq!(c.environment, Environment::Sandbox);
        assert_eq!((c.timeout_ms, c.max_retries), (30_000, 1));
        assert_eq!(c.url(paths::INITIATE), "https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/initiate");
    }

    #[test]
    fn production_needs_an_explicit_base_url() {
        let e = Config::new(&Settings { environment: Some("production"), ..id("id") }).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert_eq!(e.setting, Some(setting::BASE_URL));
        assert!(e.message.starts_with("is required for environment 'production'"));
        assert!(e.to_string().starts_with("base_url: is required"));
        let c = Config::new(&Settings {
            environment: Some("production"),
            base_url: Some("https://pay.example.com/api/"),
            ..id("id")
        })
        .unwrap();
        assert_eq!(c.base_url, "https://pay.example.com/api");
    }

    #[test]
    fn loopback_matches_core_net() {
        let core_net = |h: &str| h.parse::<core::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
        let mut hosts: Vec<String> = [
            "127.0.0.1",
            "127.255.255.255",
            "127.0.0.01",
            "0127.0.0.1",
            "127.0.0.256",
            "127.0.0",
            "127.0.0.1.",
            ".127.0.0.1",
            "127..0.1",
            "127.0.0.1.1",
            "128.0.0.1",
            "126.0.0.1",
            "1.2.3.4",
            "127.00.0.1",
            "127.0.0.+1",
            "127.0.0.1 ",
            "",
            "127",
            "127.0.0.-1",
            "127.0.0.1000",
            "127.0.0.999",
            "127.0.0.0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for a in [0u32, 1, 9, 10, 99, 100, 127, 199, 200, 249, 250, 255, 256, 999] {
            hosts.push(format!("127.{a}.0.{a}"));
            hosts.push(format!("{a}.0.0.1"));
            hosts.push(format!("127.0.{a:03}.1"));
        }
        for h in &hosts {
            assert_eq!(is_loopback_ipv4(h), core_net(h), "{h:?}");
        }
        assert!(is_loopback("::1") && is_loopback("LocalHost"));
        assert!(!is_loopback("::2") && !is_loopback("0:0:0:0:0:0:0:1") && !is_loopback("::ffff:127.0.0.1"));
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
            assert_eq!(check_base_url(bad).unwrap_err().setting, Some(setting::BASE_URL), "{bad}");
        }
    }

    #[test]
    fn base_url_errors_say_what_is_accepted() {
        for bad in ["sandbox.coinbar.io/coinbar/api/v2", "ftp://a.example", "http://example.com/x"] {
            assert_eq!(
                check_base_url(bad).unwrap_err().message,
                "must start with https:// (plain http:// is accepted only for a loopback host: localhost, 127.x.x.x or \
                 [::1]), e.g. https://sandbox.coinbar.io/coinbar/api/v2 or http://127.0.0.1:8790/coinbar/api/v2",
                "{bad}"
            );
        }
    }

    #[test]
    fn refused_credentials_and_a_404_at_a_payment_path_point_at_the_fix() {
        let http = |status: u16| {
            let mut e = Error::new(ErrorKind::Http, text!("Coinbar answered HTTP ", status, ": Unauthorized"));
            e.status = Some(status);
            e
        };
        let local = Config::new(&Settings { base_url: Some("http://127.0.0.1:8790"), ..id("id") }).unwrap();
        for status in [401, 403] {
            for call in [Call::Initiate, Call::Status, Call::Quotes] {
                assert_eq!(
                    local.explain(call, http(status)).message,
                    format!(
                        "Coinbar answered HTTP {status}: Unauthorized. Coinbar refused this client's credentials: check \
                         the secret key and the service client id (COINBAR_SECRET_KEY, COINBAR_SERVICE_CLIENT_ID): they \
                         must be the pair Coinbar issued for the environment this client talks to: sandbox, base URL \
                         http://127.0.0.1:8790 (COINBAR_ENV / COINBAR_BASE_URL). Sandbox credentials do not work in \
                         production, nor the reverse"
                    )
                );
            }
        }
        let m = local.explain(Call::Request, http(404)).message;
        assert!(m.ends_with("under the base URL http://127.0.0.1:8790: check the base URL (COINBAR_BASE_URL): it must be the API address Coinbar gave you, with its path, e.g. https://sandbox.coinbar.io/coinbar/api/v2 (this one does not end in /coinbar/api/v2)"), "{m}");
        let sandbox = Config::new(&id("id")).unwrap();
        assert!(sandbox
            .explain(Call::Initiate, http(404))
            .message
            .ends_with("e.g. https://sandbox.coinbar.io/coinbar/api/v2"));
        // The 404 of a status or report call means "no such payment": left as it is.
        for call in [Call::Status, Call::Report] {
            assert_eq!(local.explain(call, http(404)).message, "Coinbar answered HTTP 404: Unauthorized");
        }
        for other in [Error::decode("x"), {
            let mut e = Error::decode("x");
            e.status = Some(401);
            e
        }] {
            assert_eq!(local.explain(Call::Initiate, other.clone()), other, "only http errors");
        }
        assert_eq!(local.explain(Call::Initiate, http(500)).message, "Coinbar answered HTTP 500: Unauthorized");
    }

    #[test]
    fn per_call_limits_override_the_client_and_follow_the_same_rules() {
        let c = Config::new(&Settings { timeout_ms: Some(5000.0), max_retries: Some(2.0), ..id("id") }).unwrap();
        assert_eq!(c.call_limits(None, None).unwrap(), (5000, 2));
        assert_eq!(c.call_limits(Some(10.0), Some(0.0)).unwrap(), (10, 0));
        assert_eq!(c.call_limits(Some(0.0), None).unwrap_err().setting, Some(setting::TIMEOUT_MS));
        assert_eq!(c.call_limits(None, Some(11.0)).unwrap_err().setting, Some(setting::MAX_RETRIES));
        assert_eq!(c.call_limits(Some(f64::NAN), None).unwrap_err().kind, ErrorKind::Config);
    }

    #[test]
    fn setting_errors_name_the_setting_never_the_value() {
        for (settings, name) in [
            (Settings { timeout_ms: Some(0.0), ..id("id") }, setting::TIMEOUT_MS),
            (Settings { timeout_ms: Some(1.5), ..id("id") }, setting::TIMEOUT_MS),
            (Settings { timeout_ms: Some(f64::INFINITY), ..id("id") }, setting::TIMEOUT_MS),
            (Settings { max_retries: Some(-1.0), ..id("id") }, setting::MAX_RETRIES),
            (id(""), setting::SERVICE_CLIENT_ID),
            (Settings::default(), setting::SERVICE_CLIENT_ID),
            (id("has space"), setting::SERVICE_CLIENT_ID),
            (Settings { environment: Some("s3cr3t-prod"), ..id("id") }, setting::ENVIRONMENT),
        ] {
            let e = Config::new(&settings).unwrap_err();
            assert_eq!((e.kind, e.setting), (ErrorKind::Config, Some(name)));
            assert!(!e.message.contains("s3cr3t"));
        }
    }

    #[test]
    fn encode_matches_percent_encoding() {
        // The crate this replaced, with the same set: every byte value, and non-ASCII text.
        const QUERY_VALUE: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        let mut samples: Vec<String> = (0u32..=0x7f).filter_map(char::from_u32).map(String::from).collect();
        samples.extend(["a+b/c=d", "é ö 抹茶ラテ 🍵", "!'()*~-._", "", "%41%zz"].map(String::from));
        samples.push((1u32..0x800).filter_map(char::from_u32).collect());
        for v in samples {
            let want: String = percent_encoding::utf8_percent_encode(&v, QUERY_VALUE).collect();
            assert_eq!(encode_query_value(&v), want, "{v:?}");
        }
    }

    #[test]
    fn gateway_url_encodes_every_value_and_uses_the_origin() {
        let c = Config::new(&id("id 1&x"));
        assert!(c.is_err(), "client ids are visible ASCII without spaces");
        let c = Config::new(&id("c0ffee&=?")).unwrap();
        assert_eq!(
            gateway_url(&c, "WlpZ+ab/c==", 1715430961064).unwrap(),
            "https://sandbox.coinbar.io/paymentgateway/pay?requestToken=WlpZ%2Bab%2Fc%3D%3D&serviceClientId=c0ffee%26%3D%3F&timestamp=1715430961064"
        );
        let local =
            Config::new(&Settings { base_url: Some("http://127.0.0.1:8790/coinbar/api/v2"), ..id("id") }).unwrap();
        assert!(gateway_url(&local, "t", 1).unwrap().starts_with("http://127.0.0.1:8790/paymentgateway/pay?"));
        assert_eq!(gateway_url(&local, "", 1).unwrap_err().errors[0].field, "requestToken");
    }

    #[test]
    fn get_requests_sign_the_query_string() {
        let c = Config::new(&id("id")).unwrap();
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
        let c = Config::new(&id("id")).unwrap();
        let p = PreparedRequest::post(&c, paths::INITIATE, "{}".into(), "ab".into());
        assert_eq!(
            p.to_json(),
            r#"{"method":"POST","url":"https://sandbox.coinbar.io/coinbar/api/v2/pay/gateway/initiate","headers":{"CBPAY-API-KEY":"id","SIGNATURE":"ab","Content-Type":"application/json","source":"web"},"body":"{}"}"#
        );
    }
}
