//! The ops of the key-holding dispatcher (`SigningClient.call`): signed requests, the
//! client's readings of Coinbar's answers, callback verification, raw signatures.

#[allow(unused_imports)]
use crate::prelude::*;

use super::{http_status, ms, ops, ClientArgs};
use crate::api::Call;
use crate::client::Client;
use crate::error::{Error, ErrorKind, FieldError};
use crate::json::to_js_json;
use crate::sign::SignStream;
use crate::text::text;

/// What one `SigningClient` holds: the client (configuration and the keyed HMAC state,
/// zeroized on drop) and a `sign` of a large input in progress ([`ClientOp::SignBegin`]).
pub struct ClientState {
    pub client: Client,
    pub stream: Option<SignStream>,
}

/// `data` as text: the shell hands over UTF-8 it encoded with `TextEncoder`.
fn text(data: &[u8]) -> Result<&str, Error> {
    core::str::from_utf8(data)
        .map_err(|_| Error::validation("input", vec![FieldError::new("input", "is not UTF-8 text")]))
}

ops! {
    /// The operations of `SigningClient.call`.
    enum ClientOp(c: ClientState, a: ClientArgs) in CLIENT_OPS;

    /// `[timeout_ms, max_retries]` of one call: the client's, overridden by the call's own.
    CallLimits = 1, fn(timeout_ms: n1, max_retries: n2) -> json {
        let (timeout_ms, max_retries) = c.client.config().call_limits(timeout_ms, max_retries)?;
        Ok(to_js_json(&[timeout_ms, max_retries][..]))
    }
    /// The checked configuration (no secret).
    ConfigJson = 2, fn() -> json {
        Ok(to_js_json(c.client.config()))
    }
    /// Validate, serialize and sign an initiate input (UTF-8 JSON); `now` fills a missing
    /// timestamp. Returns the 64-character signature followed by the body: the hot path, merged
    /// by the shell into `InitiateTemplate` (fetched once), with no JSON wrapping.
    SignInitiate = 3, fn(input: data, now: n1) -> text {
        let (signature, body) = c.client.sign_initiate(text(input)?, ms(now))?;
        Ok(signature + &body)
    }
    /// The initiate request without signature and body.
    InitiateTemplate = 4, fn() -> json {
        Ok(c.client.post_template(crate::api::paths::INITIATE).to_json())
    }
    /// A signed Request New Payment: `{timestamp, request}`, with the timestamp the body
    /// carries (for `FinishRequest`'s gateway URL).
    PrepareRequest = 5, fn(input: data, now: n1) -> json {
        let (request, timestamp) = c.client.prepare_request_at(text(input)?, ms(now))?;
        Ok(text!(r#"{"timestamp":"#, timestamp, r#","request":"#, request.to_json(), '}'))
    }
    /// The answer to Request New Payment, with the gateway URL for the request's `timestamp`.
    FinishRequest = 6, fn(body: data, status: n1, timestamp: n2) -> json {
        c.client.finish_request_json(http_status(status), text(body)?, ms(timestamp))
    }
    /// The signed status request of a payment.
    PrepareStatus = 7, fn(payment_request_id: data) -> json {
        Ok(c.client.prepare_status(text(payment_request_id)?)?.to_json())
    }
    /// The signed report request of a payment.
    PrepareReport = 8, fn(payment_request_id: data) -> json {
        Ok(c.client.prepare_report(text(payment_request_id)?)?.to_json())
    }
    /// The signed quotes request for a conversion fiat.
    PrepareQuotes = 9, fn(conversion_fiat: data) -> json {
        Ok(c.client.prepare_quotes(text(conversion_fiat)?)?.to_json())
    }
    /// The hosted gateway URL for a request token and the request's timestamp.
    GatewayUrl = 10, fn(request_token: data, timestamp: n1) -> text {
        c.client.gateway_url(text(request_token)?, ms(timestamp))
    }
    /// Verify a callback's raw body against its client id and signature headers (constant
    /// time) and return the event.
    VerifyCallback = 11, fn(body: data, client_id: s1, signature: s2) -> CallbackEvent {
        c.client.verify_callback_tokens(body, client_id, signature)
    }
    /// Lowercase hex HMAC-SHA256 of the bytes.
    Sign = 12, fn(bytes: data) -> text {
        Ok(c.client.signer().sign_hex(bytes))
    }
    /// Start signing a large input given in chunks (`SignUpdate`, then `SignEnd`), so that
    /// wasm memory never holds more than one chunk. Drops any unfinished one.
    SignBegin = 13, fn() -> text {
        c.stream = Some(c.client.signer().stream());
        Ok(String::new())
    }
    /// The next chunk of a `SignBegin`.
    SignUpdate = 14, fn(chunk: data) -> text {
        if let Some(stream) = c.stream.as_mut() {
            stream.update(chunk);
        }
        Ok(String::new())
    }
    /// The signature of every chunk since `SignBegin` (of nothing, without one).
    SignEnd = 15, fn() -> text {
        Ok(match c.stream.take() {
            Some(stream) => stream.finish_hex(),
            None => c.client.signer().stream().finish_hex(),
        })
    }
    /// The answer to one of this client's calls, read by the `Op` code `reader`
    /// (`ParseInitiateResponse`, `ParseStatusResponse`, `ParseReportResponse`,
    /// `ParseQuotesResponse`), with errors that say what to check in this configuration.
    ReadAnswer = 16, fn(body: data, status: n1, reader: n2) -> json {
        use super::Op;
        let call = match reader.map_or(0, |n| n as u32) {
            n if n == Op::ParseInitiateResponse as u32 => Call::Initiate,
            n if n == Op::ParseStatusResponse as u32 => Call::Status,
            n if n == Op::ParseReportResponse as u32 => Call::Report,
            n if n == Op::ParseQuotesResponse as u32 => Call::Quotes,
            _ => return Err(Error::new(ErrorKind::Config, "unknown op code")),
        };
        c.client.answer_json(call, http_status(status), text(body)?)
    }
    /// `retrievePayment`'s payment in initiate's shape, from the report's `report_body` and
    /// `report_status` (and, once asked, the status call's `status_body` and `status_status`);
    /// the empty string when the report lacks a field and the status call is needed.
    RetrievePayment = 17, fn(report_body: data, status_body: s1, report_status: n1, status_status: n2) -> text {
        let status = status_body.map(|body| (http_status(status_status), body));
        Ok(c.client.retrieved_json((http_status(report_status), text(report_body)?), status)?.unwrap_or_default())
    }
}
