//! When to retry a call, after how long, and — for the two payment-creating POSTs — what a
//! failure says about whether Coinbar acted on the request. The JS shell asks after each
//! attempt; it owns the clock and the overall deadline (the call's timeout covers all attempts).
//!
//! Coinbar's docs never say that a repeated `payment_request_id` returns the original
//! payment, so the SDK assumes a Coinbar that creates a new payment for every POST it
//! processes. A POST is therefore sent again only when it provably was not processed:
//! - the connection was never made, so no byte of the request left the machine (refused,
//!   DNS, certificate refused in the TLS handshake, connect timeout: [`is_connect_failure`]);
//! - Coinbar answered 429 (its rate limit refuses the call before acting on it).
//!
//! Everything else after the request may have been written (a reset, a truncated answer, a
//! timeout, any 5xx) is an *unknown outcome*: a payment may exist. 503 is deliberately among
//! them: it is usually a proxy saying "no backend", but proxies also answer 503 when a
//! backend took the request and then failed or timed out, and nothing in the answer tells
//! the two apart. GETs only read, so they are retried on every transient failure.

#[allow(unused_imports)]
use crate::prelude::*;

/// What an attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No connection was ever made: the request was not written (see [`is_connect_failure`]).
    NotSent,
    /// The connection failed or broke after it was made (no complete HTTP answer).
    Network,
    /// An HTTP answer with this status.
    Status(u16),
}

/// The HTTP method of the call, which decides what is safe to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads only: always safe to repeat.
    Get,
    /// Creates a payment: repeated only when provably not processed.
    Post,
}

/// What a failed POST tells the merchant about the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processed {
    /// Coinbar did not act on this request: no payment was created by it.
    No,
    /// Coinbar may have created the payment: ask it (payment status) before any new attempt.
    Unknown,
}

impl Processed {
    /// The wire name JS sees as `CoinbarError.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Processed::No => "not_processed",
            Processed::Unknown => "unknown",
        }
    }
}

/// First retry waits about this long; each further one doubles it...
pub const BASE_DELAY_MS: u32 = 300;
/// ...up to this.
pub const MAX_DELAY_MS: u32 = 5_000;
/// A `Retry-After` longer than this is not waited for: the error is returned instead.
pub const MAX_RETRY_AFTER_MS: u32 = 60_000;

/// Error codes (Node/undici `cause.code`, Bun's `code`) that exist only before any byte of
/// the request is written: the name did not resolve, the connection was not made, or the TLS
/// handshake refused the server's certificate (the client writes application data only after
/// the handshake completed). Anything not listed — a reset, "other side closed", any other
/// `ERR_SSL_*` / `ERR_TLS_*` (OpenSSL raises e.g. `ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC`
/// for a corrupted record of the *answer*, after the request was written), a runtime whose
/// errors carry no code — counts as possibly written. The reason for each code:
/// docs/retries.md, "Which network errors mean not sent".
const CONNECT_FAILURES: &[&str] = &[
    // DNS: no address, so no connection.
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_NONAME",
    "EAI_FAIL",
    // connect(2) failed.
    "ECONNREFUSED",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "EADDRNOTAVAIL",
    // undici's connect timeout: the socket never connected.
    "UND_ERR_CONNECT_TIMEOUT",
    // Bun's names for the same.
    "ConnectionRefused",
    "FailedToOpenSocket",
    // The TLS handshake did not complete: certificate verification and host name check,
    // and Node's handshake timeout.
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "CERT_UNTRUSTED",
    "CERT_REVOKED",
    "CERT_SIGNATURE_FAILURE",
    "HOSTNAME_MISMATCH",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_TLS_HANDSHAKE_TIMEOUT",
];

/// Whether a network error code means the request never left: it is one of
/// [`CONNECT_FAILURES`], exactly (no prefix rule: see there).
pub fn is_connect_failure(code: &str) -> bool {
    // `black_box`: with the list opaque LLVM keeps one loop instead of unrolling ~25 inlined
    // string compares (1.4 KB of wasm at opt-level 3) on a path taken once per failed call.
    core::hint::black_box(CONNECT_FAILURES).contains(&code)
}

/// A network failure classified by its error code.
pub fn network_outcome(code: Option<&str>) -> Outcome {
    if code.is_some_and(is_connect_failure) {
        Outcome::NotSent
    } else {
        Outcome::Network
    }
}

/// Whether an outcome is worth another attempt. GET: no connection, a broken connection, 429
/// and 5xx. POST: only what provably was not processed (no connection, 429).
pub fn is_retryable(method: Method, outcome: Outcome) -> bool {
    match (method, outcome) {
        (_, Outcome::NotSent) | (_, Outcome::Status(429)) => true,
        (Method::Get, Outcome::Network) => true,
        (Method::Get, Outcome::Status(s)) => (500..=599).contains(&s),
        (Method::Post, _) => false,
    }
}

/// What a POST that ended with `outcome` (and, for an answer, the SDK error `error_code` it
/// became: `http`, `api`, `decode`; or `timeout`) says about the payment. Only an answer that
/// refuses the call (4xx, or 2xx with `result` other than success) or a request never sent is
/// "not processed"; a 5xx, a broken connection, a timeout or a 2xx answer the SDK cannot read
/// may hide a created payment.
pub fn post_processed(outcome: Outcome, error_code: &str) -> Processed {
    if error_code == "timeout" {
        return Processed::Unknown;
    }
    match outcome {
        Outcome::NotSent => Processed::No,
        Outcome::Network => Processed::Unknown,
        Outcome::Status(s) if (400..=499).contains(&s) => Processed::No,
        Outcome::Status(s) if (200..=299).contains(&s) && error_code == "api" => Processed::No,
        Outcome::Status(_) => Processed::Unknown,
    }
}

/// The delay before retry number `retries_done + 1`, or `None` when no retry should be made.
/// `retry_after` is the raw `Retry-After` header (delta-seconds; an HTTP-date is ignored and
/// backoff used). `jitter` in `[0, 1)` spreads clients apart (equal jitter: half fixed, half
/// random).
pub fn delay_ms(
    method: Method,
    retries_done: u32,
    max_retries: u32,
    outcome: Outcome,
    retry_after: Option<&str>,
    jitter: f64,
) -> Option<u32> {
    if retries_done >= max_retries || !is_retryable(method, outcome) {
        return None;
    }
    let backoff = BASE_DELAY_MS.saturating_mul(1u32 << retries_done.min(16)).min(MAX_DELAY_MS);
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
    let jittered = (f64::from(backoff) * (0.5 + jitter / 2.0)) as u32;
    match retry_after.map(str::trim).and_then(|h| h.parse::<u32>().ok()) {
        Some(secs) => {
            let wanted = secs.saturating_mul(1000);
            (wanted <= MAX_RETRY_AFTER_MS).then_some(wanted.max(jittered))
        }
        None => Some(jittered),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Method::{Get, Post};

    #[test]
    fn gets_retry_every_transient_failure() {
        for o in [
            Outcome::NotSent,
            Outcome::Network,
            Outcome::Status(429),
            Outcome::Status(500),
            Outcome::Status(502),
            Outcome::Status(503),
            Outcome::Status(504),
        ] {
            assert!(delay_ms(Get, 0, 1, o, None, 0.0).is_some(), "{o:?}");
        }
        for s in [200, 400, 401, 404, 409] {
            assert_eq!(delay_ms(Get, 0, 1, Outcome::Status(s), None, 0.0), None, "{s}");
        }
    }

    #[test]
    fn posts_retry_only_what_was_provably_not_processed() {
        assert!(delay_ms(Post, 0, 1, Outcome::NotSent, None, 0.0).is_some());
        assert!(delay_ms(Post, 0, 1, Outcome::Status(429), None, 0.0).is_some());
        for o in [
            Outcome::Network,
            Outcome::Status(500),
            Outcome::Status(502),
            Outcome::Status(503),
            Outcome::Status(504),
            Outcome::Status(400),
            Outcome::Status(200),
        ] {
            assert_eq!(delay_ms(Post, 0, 5, o, None, 0.0), None, "{o:?}");
        }
    }

    #[test]
    fn connect_failures_are_told_from_broken_connections() {
        for code in [
            "ECONNREFUSED",
            "ENOTFOUND",
            "UND_ERR_CONNECT_TIMEOUT",
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "ConnectionRefused",
        ] {
            assert_eq!(network_outcome(Some(code)), Outcome::NotSent, "{code}");
        }
        for code in [Some("ECONNRESET"), Some("UND_ERR_SOCKET"), Some("EPIPE"), Some("ETIMEDOUT"), Some(""), None] {
            assert_eq!(network_outcome(code), Outcome::Network, "{code:?}");
        }
        // OpenSSL raises these after the request was written too (a corrupted record of the
        // answer, an alert mid-connection): possibly sent, never "not sent".
        for code in [
            "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            "ERR_SSL_WRONG_VERSION_NUMBER",
            "ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC",
            "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR",
            "ERR_SSL_BAD_DECRYPT",
            "ERR_TLS_INVALID_STATE",
            "ERR_TLS_RENEGOTIATION_DISABLED",
            "ERR_SSL_UNEXPECTED_EOF_WHILE_READING",
            "ECONNREFUSEDX",
            "econnrefused",
        ] {
            assert_eq!(network_outcome(Some(code)), Outcome::Network, "{code}");
        }
        for code in CONNECT_FAILURES {
            assert_eq!(network_outcome(Some(code)), Outcome::NotSent, "{code}");
        }
    }

    #[test]
    fn what_a_failed_post_says_about_the_payment() {
        use Processed::{No, Unknown};
        let cases = [
            (Outcome::NotSent, "network", No),
            (Outcome::Network, "network", Unknown),
            (Outcome::Status(429), "http", No),
            (Outcome::Status(400), "http", No),
            (Outcome::Status(409), "http", No),
            (Outcome::Status(500), "http", Unknown),
            (Outcome::Status(503), "http", Unknown),
            (Outcome::Status(504), "http", Unknown),
            (Outcome::Status(200), "api", No),
            (Outcome::Status(200), "decode", Unknown),
            (Outcome::Status(302), "http", Unknown),
            (Outcome::NotSent, "timeout", Unknown),
            (Outcome::Status(429), "timeout", Unknown),
        ];
        for (o, code, want) in cases {
            assert_eq!(post_processed(o, code), want, "{o:?} {code}");
        }
        assert_eq!((No.as_str(), Unknown.as_str()), ("not_processed", "unknown"));
    }

    #[test]
    fn stops_after_max_retries() {
        assert!(delay_ms(Get, 1, 2, Outcome::Network, None, 0.0).is_some());
        assert_eq!(delay_ms(Get, 2, 2, Outcome::Network, None, 0.0), None);
        assert_eq!(delay_ms(Get, 0, 0, Outcome::Network, None, 0.0), None);
    }

    #[test]
    fn exponential_backoff_with_equal_jitter_and_a_cap() {
        assert_eq!(delay_ms(Get, 0, 9, Outcome::Network, None, 0.0), Some(150));
        assert_eq!(delay_ms(Get, 0, 9, Outcome::Network, None, 0.999_999), Some(299));
        assert_eq!(delay_ms(Get, 1, 9, Outcome::Network, None, 0.0), Some(300));
        assert_eq!(delay_ms(Get, 2, 9, Outcome::Network, None, 0.0), Some(600));
        assert_eq!(delay_ms(Get, 8, 9, Outcome::Network, None, 0.0), Some(2500));
        assert_eq!(delay_ms(Get, 8, 9, Outcome::Network, None, f64::NAN), Some(2500));
    }

    #[test]
    fn honours_retry_after_seconds() {
        assert_eq!(delay_ms(Post, 0, 1, Outcome::Status(429), Some("2"), 0.0), Some(2000));
        assert_eq!(delay_ms(Get, 0, 1, Outcome::Status(503), Some(" 0 "), 0.0), Some(150));
        assert_eq!(delay_ms(Get, 0, 1, Outcome::Status(429), Some("3600"), 0.0), None, "too long: give up");
        assert_eq!(delay_ms(Get, 0, 1, Outcome::Status(429), Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0), Some(150));
    }
}
