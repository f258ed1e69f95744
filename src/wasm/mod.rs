//! WebAssembly bindings: value conversion only. Two exported dispatchers instead of one
//! export per operation: [`call`] for the functions that need no key and
//! `SigningClient::call` for the client's, each chosen by an op code ([`Op`], `ClientOp`;
//! wasm-bindgen exports both enums to the glue, so the JS shell names the codes from the
//! one definition here). Every operation takes its main text (or, for the client, bytes:
//! UTF-8 the shell encoded) as `data`, plus optional strings and numbers, and returns a
//! string (JSON text, a plain string, or a number in decimal). wasm-bindgen writes a
//! conversion shim per export (~14 KB for the ~30 exports there were).
//!
//! Every export returns one value, a `JsValue`: the result string, or the error's JSON
//! wire form after a NUL character (no result starts with one: they are JSON, hex, decimal,
//! URLs or empty), which the shell throws as a `CoinbarError`; the client's constructor
//! returns the client object or such a string. Not `Result<String, JsValue>`: that crosses
//! as several return values, and V8 (Node 20) compiles a JS-to-wasm wrapper with TurboFan
//! for each exported signature with several results when the module is compiled (~0.8 ms
//! each), while single-result signatures share its generic wrapper at no compile cost.
//!
//! Each op is its own function, called through a table of function pointers rather than a
//! `match`: wasm-opt inlines every function that has a single caller, so a `match` became
//! one function of ~20 KB holding every op, which V8 (lazy compilation) compiled whole on
//! the first call of any op (+3.5 ms cold start). Through the table each op stays a function
//! of its own, compiled on its first call (docs/design.md, "Two exports, chosen by op code").
//! No rule or format lives here.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::api::{self, Config};
use crate::error::Error;
use crate::json::to_js_json;
use crate::model::initiate::{self, PaymentKind};
use crate::model::status::{PaymentStatus, StatusInfo};
use crate::model::{product, quotes, report, status};
use wasm_bindgen::prelude::*;

/// An error as it crosses: a NUL, then its JSON wire form (see the module comment).
fn throw(e: Error) -> JsValue {
    failure(&e.to_json())
}

fn failure(text: &str) -> JsValue {
    let mut out = String::with_capacity(text.len() + 1);
    out.push('\0');
    out.push_str(text);
    JsValue::from_str(&out)
}

/// What crosses back to JS: the result string, or the marked error.
fn cross(r: Answer) -> JsValue {
    match r {
        Ok(s) => JsValue::from_str(&s),
        Err(e) => e,
    }
}

/// A JS time in ms (a double) as whole milliseconds; non-finite, negative or absent gives 0.
fn ms(t: Option<f64>) -> u64 {
    match t {
        Some(t) if t.is_finite() && t > 0.0 => t as u64,
        _ => 0,
    }
}

/// An HTTP status given as a JS number (0 when absent: no HTTP answer).
fn http_status(n: Option<f64>) -> u16 {
    n.map_or(0, |n| n as u16)
}

/// `n` in decimal.
fn decimal(n: u64) -> String {
    let mut out = String::new();
    crate::json::write_u64(&mut out, n);
    out
}

/// One op's result: its string, or the thrown error.
type Answer = Result<String, JsValue>;

/// The entry of an op table for a code no op has (the enums make it unreachable from JS).
fn no_such_op() -> JsValue {
    failure("unknown op code")
}

// What each op reads is in plain comments: doc comments (of the enum and its variants)
// are copied into the JS glue. The dispatchers take the code as a `u32`, not as the enum:
// wasm-bindgen's enum conversion throws a JS exception out of the middle of the call (past
// Rust's clean-up) on a code no variant has. Codes start at 1: a misspelt `Op.X` in JS is
// `undefined`, which crosses as 0, which no op has. The order is that of `OPS`.
/// The operations of `call` (no key needed).
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Op {
    // `data` an initiate input's JSON text: every broken rule, a JSON array of `{field, message}`.
    ValidateInitiate = 1,
    // The same for a Request New Payment input.
    ValidateRequest = 2,
    // `data` a products array's JSON text: the exact total, a plain decimal string.
    CartTotal = 3,
    // `data` an amount, `s1` a rate, `n1` decimals: informative conversion, rounded.
    ConvertAmount = 4,
    // `n1` the HTTP status, `data` the body: Coinbar's answer to initiate as JSON text.
    ParseInitiateResponse = 5,
    // The same for the status call.
    ParseStatusResponse = 6,
    // The same for the quotes call.
    ParseQuotesResponse = 7,
    // The same for the report call.
    ParseReportResponse = 8,
    // `data` a status string: `{status, known, is_final, is_paid}` (case-insensitive).
    StatusInfo = 9,
    // `data` a request token, `s1..s3` service client id, environment, base URL, `n1` the
    // timestamp: the hosted gateway URL.
    GatewayUrl = 10,
    // The largest input text accepted, in decimal, so the shell can refuse before copying.
    MaxInputBytes = 11,
    // Delay in ms before the next attempt of a POST, or -1 for no retry: `n1` retries done,
    // `n2` max retries, `n3` the HTTP status (0: a network failure, whose error code, if the
    // runtime gave one, is `s1`), `s2` the Retry-After header, `n4` jitter in [0, 1). Only
    // the server client sends requests: the browser build refuses this op and the next two
    // (wasm-bindgen enums cannot leave out variants by feature).
    RetryDelayPost = 12,
    // The same for a GET.
    RetryDelayGet = 13,
    // `n1` the status, `s1` the network code as above, `s2` the code of the error the call
    // ends with: `not_processed` or `unknown`, what a failed POST says about the payment.
    PostOutcome = 14,
}

/// The arguments of one [`call`]. (`n2`..`n4` are read only by the server build's retry ops.)
#[cfg_attr(not(feature = "signer"), allow(dead_code))]
struct Args<'a> {
    data: &'a str,
    s1: Option<String>,
    s2: Option<String>,
    s3: Option<String>,
    n1: Option<f64>,
    n2: Option<f64>,
    n3: Option<f64>,
    n4: Option<f64>,
}

/// The ops of [`Op`], in its order (code 1 first). Every op is reached through the public
/// API the JS tests call, so an entry out of order fails them.
const OPS: [fn(&Args) -> Answer; 14] = [
    // ValidateInitiate
    |a| Ok(to_js_json(&initiate::validation_errors(a.data, PaymentKind::Initiate))),
    // ValidateRequest
    |a| Ok(to_js_json(&initiate::validation_errors(a.data, PaymentKind::Request))),
    // CartTotal
    |a| product::cart_total_json(a.data).map_err(throw),
    // ConvertAmount
    |a| {
        let decimals = a.n1.map_or(u32::MAX, |n| n as u32);
        product::convert_amount(a.data, a.s1.as_deref().unwrap_or(""), decimals).map_err(throw)
    },
    // ParseInitiateResponse
    |a| initiate::response_json(http_status(a.n1), a.data).map_err(throw),
    // ParseStatusResponse
    |a| status::response_json(http_status(a.n1), a.data).map_err(throw),
    // ParseQuotesResponse
    |a| quotes::response_json(http_status(a.n1), a.data).map_err(throw),
    // ParseReportResponse
    |a| report::response_json(http_status(a.n1), a.data).map_err(throw),
    // StatusInfo
    |a| Ok(to_js_json(&StatusInfo::from(&PaymentStatus::parse(a.data)))),
    // GatewayUrl
    |a| {
        let config = Config::new(&api::Settings {
            service_client_id: a.s1.as_deref(),
            environment: a.s2.as_deref(),
            base_url: a.s3.as_deref(),
            ..api::Settings::default()
        })
        .map_err(throw)?;
        api::gateway_url(&config, a.data, ms(a.n1)).map_err(throw)
    },
    // MaxInputBytes
    |_| Ok(decimal(crate::validate::MAX_INPUT_BYTES as u64)),
    // RetryDelayPost
    |a| retry_delay(crate::retry::Method::Post, a),
    // RetryDelayGet
    |a| retry_delay(crate::retry::Method::Get, a),
    // PostOutcome
    post_outcome,
];

// One entry per variant of `Op`.
const _: () = assert!(OPS.len() == Op::PostOutcome as usize);

#[cfg(feature = "signer")]
fn retry_delay(method: crate::retry::Method, a: &Args) -> Answer {
    let count = |n: Option<f64>| n.map_or(0, |n| n as u32);
    let outcome = outcome(http_status(a.n3), a.s1.as_deref());
    Ok(match crate::retry::delay_ms(method, count(a.n1), count(a.n2), outcome, a.s2.as_deref(), a.n4.unwrap_or(0.0)) {
        Some(delay) => decimal(u64::from(delay)),
        None => String::from("-1"),
    })
}

#[cfg(feature = "signer")]
fn post_outcome(a: &Args) -> Answer {
    let outcome = outcome(http_status(a.n1), a.s1.as_deref());
    Ok(crate::retry::post_processed(outcome, a.s2.as_deref().unwrap_or("")).as_str().to_string())
}

/// What a failed attempt was: an HTTP status, or (status 0) a network failure with this code.
#[cfg(feature = "signer")]
fn outcome(status: u16, network_code: Option<&str>) -> crate::retry::Outcome {
    if status == 0 {
        crate::retry::network_outcome(network_code)
    } else {
        crate::retry::Outcome::Status(status)
    }
}

#[cfg(not(feature = "signer"))]
fn retry_delay(_: crate::retry::Method, a: &Args) -> Answer {
    post_outcome(a)
}

#[cfg(not(feature = "signer"))]
fn post_outcome(_: &Args) -> Answer {
    Err(failure("not in the browser build"))
}

/// Run one operation of [`Op`] (which says what each reads from the arguments).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn call(
    op: u32,
    data: &str,
    s1: Option<String>,
    s2: Option<String>,
    s3: Option<String>,
    n1: Option<f64>,
    n2: Option<f64>,
    n3: Option<f64>,
    n4: Option<f64>,
) -> JsValue {
    match OPS.get(op.wrapping_sub(1) as usize) {
        Some(f) => cross(f(&Args { data, s1, s2, s3, n1, n2, n3, n4 })),
        None => no_such_op(),
    }
}

#[cfg(feature = "signer")]
mod signer {
    use super::*;
    use crate::api::Call;
    use crate::client::Client;
    use crate::error::FieldError;
    #[allow(unused_imports)]
    use crate::prelude::*;
    use zeroize::Zeroizing;

    /// `data` as text: the shell hands over UTF-8 it encoded with `TextEncoder`.
    fn text(data: &[u8]) -> Result<&str, JsValue> {
        core::str::from_utf8(data)
            .map_err(|_| throw(Error::validation("input", vec![FieldError::new("input", "is not UTF-8 text")])))
    }

    // Comments as for `Op`; the order is that of `CLIENT_OPS`.
    /// The operations of `SigningClient.call`.
    #[wasm_bindgen]
    #[derive(Clone, Copy)]
    pub enum ClientOp {
        // `n1`, `n2` a call's own timeout and retries (or absent): `[timeout_ms, max_retries]`
        // of the call, the client's overridden by the call's, as JSON.
        CallLimits = 1,
        // The checked configuration (no secret) as JSON text.
        ConfigJson = 2,
        // `data` an initiate input's JSON text, `n1` now in ms: validate, serialize and
        // sign; returns the 64-character signature followed by the body. The hot path: the
        // shell merges it into `InitiateTemplate` (fetched once), with no JSON wrapping.
        SignInitiate = 3,
        // The initiate request without signature and body, as JSON text.
        InitiateTemplate = 4,
        // `data` a Request New Payment input, `n1` now: `{"timestamp":…,"request":{…}}`,
        // the timestamp the body carries (for `FinishRequest`'s gateway URL) and the request.
        PrepareRequest = 5,
        // `n1` the HTTP status, `data` the body, `n2` the request's timestamp: the answer to
        // Request New Payment with the gateway URL added.
        FinishRequest = 6,
        // `data` a payment_request_id: the signed status request.
        PrepareStatus = 7,
        // `data` a payment_request_id: the signed report request.
        PrepareReport = 8,
        // `data` a conversion fiat: the signed quotes request.
        PrepareQuotes = 9,
        // `data` a request token, `n1` the timestamp: the hosted gateway URL.
        GatewayUrl = 10,
        // `data` a callback's raw body, `s1` its client id header, `s2` its signature
        // header: verify (constant time) and return the event.
        VerifyCallback = 11,
        // `data` bytes: lowercase hex HMAC-SHA256.
        Sign = 12,
        // Start signing a large input given in chunks (`SignUpdate`, then `SignEnd`), so that
        // wasm memory never holds more than one chunk. Drops any unfinished one.
        SignBegin = 13,
        // `data` the next chunk.
        SignUpdate = 14,
        // The signature of every chunk since `SignBegin` (of nothing, without one).
        SignEnd = 15,
        // `n1` the HTTP status, `data` the body, `n2` the `Op` code of the reader
        // (`ParseInitiateResponse`, `ParseStatusResponse`, `ParseReportResponse`,
        // `ParseQuotesResponse`): the answer to one of this client's calls, as that op reads
        // it, with errors that say what to check in this client's configuration.
        ReadAnswer = 16,
        // `data` the report's body, `n1` its status; `s1` the status call's body and `n2` its
        // status once asked: `retrievePayment`'s payment in initiate's shape, or the empty
        // string when the report lacks a field and the status call is needed.
        RetrievePayment = 17,
    }

    /// The secret-holding client. The key arrives as bytes owned by Rust and is zeroized
    /// as soon as the keyed HMAC state exists; the state is zeroized by `free()`.
    #[wasm_bindgen]
    pub struct SigningClient {
        inner: Client,
        /// A `sign` of a large input in progress (see `ClientOp::SignBegin`).
        stream: Option<crate::sign::SignStream>,
    }

    /// The arguments of one `SigningClient::call`.
    struct ClientArgs<'a> {
        data: &'a [u8],
        s1: Option<String>,
        s2: Option<String>,
        n1: Option<f64>,
        n2: Option<f64>,
    }

    type ClientFn = fn(&mut SigningClient, &ClientArgs) -> Answer;

    /// The ops of [`ClientOp`], in its order (code 1 first; see `OPS`).
    const CLIENT_OPS: [ClientFn; 17] = [
        // CallLimits
        |c, a| {
            let (timeout_ms, max_retries) = c.inner.config().call_limits(a.n1, a.n2).map_err(throw)?;
            Ok(to_js_json(&[timeout_ms, max_retries][..]))
        },
        // ConfigJson
        |c, _| Ok(to_js_json(c.inner.config())),
        // SignInitiate
        |c, a| {
            let (signature, body) = c.inner.sign_initiate(text(a.data)?, ms(a.n1)).map_err(throw)?;
            Ok(signature + &body)
        },
        // InitiateTemplate
        |c, _| Ok(c.inner.post_template(crate::api::paths::INITIATE).to_json()),
        // PrepareRequest
        |c, a| {
            let (request, timestamp) = c.inner.prepare_request_at(text(a.data)?, ms(a.n1)).map_err(throw)?;
            Ok(crate::text::text!(r#"{"timestamp":"#, timestamp, r#","request":"#, request.to_json(), '}'))
        },
        // FinishRequest
        |c, a| c.inner.finish_request_json(http_status(a.n1), text(a.data)?, ms(a.n2)).map_err(throw),
        // PrepareStatus
        |c, a| Ok(c.inner.prepare_status(text(a.data)?).map_err(throw)?.to_json()),
        // PrepareReport
        |c, a| Ok(c.inner.prepare_report(text(a.data)?).map_err(throw)?.to_json()),
        // PrepareQuotes
        |c, a| Ok(c.inner.prepare_quotes(text(a.data)?).map_err(throw)?.to_json()),
        // GatewayUrl
        |c, a| c.inner.gateway_url(text(a.data)?, ms(a.n1)).map_err(throw),
        // VerifyCallback
        |c, a| c.inner.verify_callback_json(a.data, a.s1.as_deref(), a.s2.as_deref()).map_err(throw),
        // Sign
        |c, a| Ok(c.inner.signer().sign_hex(a.data)),
        // SignBegin
        |c, _| {
            c.stream = Some(c.inner.signer().stream());
            Ok(String::new())
        },
        // SignUpdate
        |c, a| {
            if let Some(stream) = c.stream.as_mut() {
                stream.update(a.data);
            }
            Ok(String::new())
        },
        // SignEnd
        |c, _| {
            Ok(match c.stream.take() {
                Some(stream) => stream.finish_hex(),
                None => c.inner.signer().stream().finish_hex(),
            })
        },
        // ReadAnswer
        |c, a| {
            let call = match a.n2.map_or(0, |n| n as u32) {
                n if n == Op::ParseInitiateResponse as u32 => Call::Initiate,
                n if n == Op::ParseStatusResponse as u32 => Call::Status,
                n if n == Op::ParseReportResponse as u32 => Call::Report,
                n if n == Op::ParseQuotesResponse as u32 => Call::Quotes,
                _ => return Err(no_such_op()),
            };
            c.inner.answer_json(call, http_status(a.n1), text(a.data)?).map_err(throw)
        },
        // RetrievePayment
        |c, a| {
            let status = a.s1.as_deref().map(|body| (http_status(a.n2), body));
            Ok(c.inner.retrieved_json((http_status(a.n1), text(a.data)?), status).map_err(throw)?.unwrap_or_default())
        },
    ];

    /// A client from the settings (each `undefined` when not set; see `api::Settings`) and
    /// the key: the `SigningClient` object, or the marked error string.
    #[wasm_bindgen]
    pub fn signing_client(
        service_client_id: Option<String>,
        environment: Option<String>,
        base_url: Option<String>,
        timeout_ms: Option<f64>,
        max_retries: Option<f64>,
        secret_key: Vec<u8>,
    ) -> JsValue {
        let secret = Zeroizing::new(secret_key);
        let settings = api::Settings {
            service_client_id: service_client_id.as_deref(),
            environment: environment.as_deref(),
            base_url: base_url.as_deref(),
            timeout_ms,
            max_retries,
        };
        match Config::new(&settings).and_then(|config| Client::new(config, &secret)) {
            Ok(inner) => JsValue::from(SigningClient { inner, stream: None }),
            Err(e) => throw(e),
        }
    }

    // One entry per variant of `ClientOp`.
    const _: () = assert!(CLIENT_OPS.len() == ClientOp::RetrievePayment as usize);

    #[wasm_bindgen]
    impl SigningClient {
        /// Run one client operation (see `ClientOp` for what each reads).
        pub fn call(
            &mut self,
            op: u32,
            data: &[u8],
            s1: Option<String>,
            s2: Option<String>,
            n1: Option<f64>,
            n2: Option<f64>,
        ) -> JsValue {
            match CLIENT_OPS.get(op.wrapping_sub(1) as usize) {
                Some(f) => cross(f(self, &ClientArgs { data, s1, s2, n1, n2 })),
                None => no_such_op(),
            }
        }
    }
}
