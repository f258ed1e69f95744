//! When to retry a call, and after how long. The JS shell asks after each failed attempt;
//! it owns the clock and the overall deadline (`timeoutMs` covers all attempts together).

/// What an attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The connection failed or broke (no complete HTTP answer).
    Network,
    /// An HTTP answer with this status.
    Status(u16),
}

/// First retry waits about this long; each further one doubles it...
pub const BASE_DELAY_MS: u32 = 300;
/// ...up to this.
pub const MAX_DELAY_MS: u32 = 5_000;
/// A `Retry-After` longer than this is not waited for: the error is returned instead.
pub const MAX_RETRY_AFTER_MS: u32 = 60_000;

/// Whether an outcome is worth another attempt: network failures, 429 and 5xx. Every call
/// of the SDK is safe to repeat: GETs read, and the two payment-creating POSTs resend the
/// identical signed body with the same `payment_request_id`, which Coinbar (and the local
/// sandbox) answer with the original payment instead of creating a second one.
pub fn is_retryable(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Network => true,
        Outcome::Status(s) => s == 429 || (500..=599).contains(&s),
    }
}

/// The delay before retry number `retries_done + 1`, or `None` when no retry should be made.
/// `retry_after` is the raw `Retry-After` header (delta-seconds; an HTTP-date is ignored and
/// backoff used). `jitter` in `[0, 1)` spreads clients apart (equal jitter: half fixed, half
/// random).
pub fn delay_ms(
    retries_done: u32,
    max_retries: u32,
    outcome: Outcome,
    retry_after: Option<&str>,
    jitter: f64,
) -> Option<u32> {
    if retries_done >= max_retries || !is_retryable(outcome) {
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

    #[test]
    fn retries_network_429_and_5xx_only() {
        for o in
            [Outcome::Network, Outcome::Status(429), Outcome::Status(500), Outcome::Status(502), Outcome::Status(503)]
        {
            assert!(delay_ms(0, 1, o, None, 0.0).is_some(), "{o:?}");
        }
        for s in [200, 400, 401, 404, 409] {
            assert_eq!(delay_ms(0, 1, Outcome::Status(s), None, 0.0), None, "{s}");
        }
    }

    #[test]
    fn stops_after_max_retries() {
        assert!(delay_ms(1, 2, Outcome::Network, None, 0.0).is_some());
        assert_eq!(delay_ms(2, 2, Outcome::Network, None, 0.0), None);
        assert_eq!(delay_ms(0, 0, Outcome::Network, None, 0.0), None);
    }

    #[test]
    fn exponential_backoff_with_equal_jitter_and_a_cap() {
        assert_eq!(delay_ms(0, 9, Outcome::Network, None, 0.0), Some(150));
        assert_eq!(delay_ms(0, 9, Outcome::Network, None, 0.999_999), Some(299));
        assert_eq!(delay_ms(1, 9, Outcome::Network, None, 0.0), Some(300));
        assert_eq!(delay_ms(2, 9, Outcome::Network, None, 0.0), Some(600));
        assert_eq!(delay_ms(8, 9, Outcome::Network, None, 0.0), Some(2500));
        assert_eq!(delay_ms(8, 9, Outcome::Network, None, f64::NAN), Some(2500));
    }

    #[test]
    fn honours_retry_after_seconds() {
        assert_eq!(delay_ms(0, 1, Outcome::Status(429), Some("2"), 0.0), Some(2000));
        assert_eq!(delay_ms(0, 1, Outcome::Status(503), Some(" 0 "), 0.0), Some(150));
        assert_eq!(delay_ms(0, 1, Outcome::Status(429), Some("3600"), 0.0), None, "too long: give up");
        assert_eq!(delay_ms(0, 1, Outcome::Status(429), Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0), Some(150));
    }
}
