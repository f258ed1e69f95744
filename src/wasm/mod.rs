//! WebAssembly bindings: value conversion only. Inputs cross as JSON text (what
//! `JSON.stringify` made of the JS value) or bytes; results cross as JSON text or strings;
//! errors are thrown as the JSON wire form of [`Error`], which the JS shell turns into a
//! `CoinbarError`. No rule or format lives here.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::api::{self, Config};
use crate::error::Error;
use crate::json::to_js_json;
use crate::model::initiate::{self, PaymentKind};
use crate::model::status::{PaymentStatus, StatusInfo};
use crate::model::{product, quotes, report, status};
#[cfg(feature = "signer")]
use crate::retry;
use wasm_bindgen::prelude::*;

fn throw(e: Error) -> JsValue {
    JsValue::from_str(&e.to_json())
}

/// Every broken rule of an initiate input, as a JSON array of `{field, message}`.
#[wasm_bindgen]
pub fn validate_initiate(input_json: &str) -> String {
    to_js_json(&initiate::validation_errors(input_json, PaymentKind::Initiate))
}

/// Every broken rule of a Request New Payment input, as a JSON array of `{field, message}`.
#[wasm_bindgen]
pub fn validate_request(input_json: &str) -> String {
    to_js_json(&initiate::validation_errors(input_json, PaymentKind::Request))
}

/// The exact total of a products array, as a plain decimal string.
#[wasm_bindgen]
pub fn cart_total(products_json: &str) -> Result<String, JsValue> {
    product::cart_total_json(products_json).map_err(throw)
}

/// Informative conversion of a fiat amount at a quoted rate, rounded to `decimals` places.
#[wasm_bindgen]
pub fn convert_amount(amount: &str, rate: &str, decimals: u32) -> Result<String, JsValue> {
    product::convert_amount(amount, rate, decimals).map_err(throw)
}

/// Read Coinbar's answer to initiate; returns the response as JSON text.
#[wasm_bindgen]
pub fn parse_initiate_response(status: u16, body: &str) -> Result<String, JsValue> {
    initiate::response_json(status, body).map_err(throw)
}

/// Read Coinbar's answer to the status call.
#[wasm_bindgen]
pub fn parse_status_response(status: u16, body: &str) -> Result<String, JsValue> {
    status::response_json(status, body).map_err(throw)
}

/// Read Coinbar's answer to the quotes call.
#[wasm_bindgen]
pub fn parse_quotes_response(status: u16, body: &str) -> Result<String, JsValue> {
    quotes::response_json(status, body).map_err(throw)
}

/// Read Coinbar's answer to the report call.
#[wasm_bindgen]
pub fn parse_report_response(status: u16, body: &str) -> Result<String, JsValue> {
    report::response_json(status, body).map_err(throw)
}

/// `{status, known, is_final, is_paid}` of a status string (case-insensitive).
#[wasm_bindgen]
pub fn status_info(status: &str) -> String {
    to_js_json(&StatusInfo::from(&PaymentStatus::parse(status)))
}

/// The hosted gateway URL from the client id and the base URL or environment.
#[wasm_bindgen]
pub fn gateway_url(
    service_client_id: Option<String>,
    environment: Option<String>,
    base_url: Option<String>,
    request_token: &str,
    timestamp_ms: f64,
) -> Result<String, JsValue> {
    let config = Config::new(&api::Settings {
        service_client_id: service_client_id.as_deref(),
        environment: environment.as_deref(),
        base_url: base_url.as_deref(),
        ..api::Settings::default()
    })
    .map_err(throw)?;
    api::gateway_url(&config, request_token, ms(timestamp_ms)).map_err(throw)
}

/// Delay in ms before the next attempt, or -1 for no retry. `status` 0 means a network
/// failure (no HTTP answer) whose error code, if the runtime gave one, is `network_code`.
/// Only the server client sends requests.
#[cfg(feature = "signer")]
#[wasm_bindgen]
pub fn retry_delay(
    is_post: bool,
    retries_done: u32,
    max_retries: u32,
    status: u16,
    network_code: Option<String>,
    retry_after: Option<String>,
    jitter: f64,
) -> i32 {
    let method = if is_post { retry::Method::Post } else { retry::Method::Get };
    retry::delay_ms(method, retries_done, max_retries, outcome(status, network_code), retry_after.as_deref(), jitter)
        .map_or(-1, |d| i32::try_from(d).unwrap_or(i32::MAX))
}

/// `not_processed` or `unknown`: what a failed POST says about the payment (see `retry`).
/// `error_code` is the code of the error the call ends with.
#[cfg(feature = "signer")]
#[wasm_bindgen]
pub fn post_outcome(status: u16, network_code: Option<String>, error_code: &str) -> String {
    retry::post_processed(outcome(status, network_code), error_code).as_str().to_string()
}

#[cfg(feature = "signer")]
fn outcome(status: u16, network_code: Option<String>) -> retry::Outcome {
    if status == 0 {
        retry::network_outcome(network_code.as_deref())
    } else {
        retry::Outcome::Status(status)
    }
}

/// A JS time in ms (a double) as whole milliseconds; non-finite or negative gives 0.
fn ms(t: f64) -> u64 {
    if t.is_finite() && t > 0.0 {
        t as u64
    } else {
        0
    }
}

/// Largest input JSON text accepted, so the shell can refuse before copying it in.
#[wasm_bindgen]
pub fn max_input_bytes() -> usize {
    crate::validate::MAX_INPUT_BYTES
}

#[cfg(feature = "signer")]
mod signer {
    use super::*;
    use crate::client::Client;
    use crate::error::FieldError;
    #[allow(unused_imports)]
    use crate::prelude::*;
    use zeroize::Zeroizing;

    /// The secret-holding client. The key arrives as bytes owned by Rust and is zeroized
    /// as soon as the keyed HMAC state exists; the state is zeroized by `free()`.
    #[wasm_bindgen]
    pub struct SigningClient {
        inner: Client,
        /// A `sign` of a large input in progress (see `sign_begin`).
        stream: Option<crate::sign::SignStream>,
    }

    #[wasm_bindgen]
    impl SigningClient {
        /// The settings (each `undefined` when not set; see `api::Settings`) and the key.
        #[wasm_bindgen(constructor)]
        pub fn new(
            service_client_id: Option<String>,
            environment: Option<String>,
            base_url: Option<String>,
            timeout_ms: Option<f64>,
            max_retries: Option<f64>,
            secret_key: Vec<u8>,
        ) -> Result<SigningClient, JsValue> {
            let secret = Zeroizing::new(secret_key);
            let config = Config::new(&api::Settings {
                service_client_id: service_client_id.as_deref(),
                environment: environment.as_deref(),
                base_url: base_url.as_deref(),
                timeout_ms,
                max_retries,
            })
            .map_err(throw)?;
            let inner = Client::new(config, &secret).map_err(throw)?;
            Ok(SigningClient { inner, stream: None })
        }

        /// `[timeout_ms, max_retries]` of one call: the client's, overridden by the call's own.
        pub fn call_limits(&self, timeout_ms: Option<f64>, max_retries: Option<f64>) -> Result<Vec<u32>, JsValue> {
            let (timeout_ms, max_retries) = self.inner.config().call_limits(timeout_ms, max_retries).map_err(throw)?;
            Ok(vec![timeout_ms, max_retries])
        }

        /// The checked configuration (no secret) as JSON text.
        pub fn config_json(&self) -> Result<String, JsValue> {
            Ok(to_js_json(self.inner.config()))
        }

        /// Validate, serialize and sign an initiate input (its JSON text as UTF-8 bytes);
        /// returns the 64-character signature followed by the body. The hot path: the shell
        /// merges it into `initiate_template()` (crossing the boundary once, with no JSON
        /// wrapping), and hands the text over as bytes it encoded with `encodeInto`, which
        /// is faster than the glue's string copy for mostly-ASCII text.
        pub fn sign_initiate(&self, input_json: &[u8], now_ms: f64) -> Result<String, JsValue> {
            let input = core::str::from_utf8(input_json).map_err(|_| {
                throw(Error::validation("initiate input", vec![FieldError::new("input", "is not UTF-8 text")]))
            })?;
            let (signature, body) = self.inner.sign_initiate(input, ms(now_ms)).map_err(throw)?;
            Ok(signature + &body)
        }

        /// The initiate request without signature and body, as JSON text (fetched once).
        pub fn initiate_template(&self) -> String {
            self.inner.post_template(crate::api::paths::INITIATE).to_json()
        }

        /// The same for Request New Payment, as `{"timestamp":…,"request":{…}}`: the timestamp
        /// the body carries (the input's, or `now_ms`), which `finish_request` needs for the
        /// gateway URL, so the shell need not read it back out of the body.
        pub fn prepare_request(&self, input_json: &str, now_ms: f64) -> Result<String, JsValue> {
            let (request, timestamp) = self.inner.prepare_request_at(input_json, ms(now_ms)).map_err(throw)?;
            Ok(crate::text::text!(r#"{"timestamp":"#, timestamp, r#","request":"#, request.to_json(), '}'))
        }

        /// Read the answer to Request New Payment, adding the gateway URL.
        pub fn finish_request(&self, status: u16, body: &str, timestamp_ms: f64) -> Result<String, JsValue> {
            self.inner.finish_request_json(status, body, ms(timestamp_ms)).map_err(throw)
        }

        pub fn prepare_status(&self, payment_request_id: &str) -> Result<String, JsValue> {
            Ok(self.inner.prepare_status(payment_request_id).map_err(throw)?.to_json())
        }

        pub fn prepare_report(&self, payment_request_id: &str) -> Result<String, JsValue> {
            Ok(self.inner.prepare_report(payment_request_id).map_err(throw)?.to_json())
        }

        pub fn prepare_quotes(&self, conversion_fiat: &str) -> Result<String, JsValue> {
            Ok(self.inner.prepare_quotes(conversion_fiat).map_err(throw)?.to_json())
        }

        pub fn gateway_url(&self, request_token: &str, timestamp_ms: f64) -> Result<String, JsValue> {
            self.inner.gateway_url(request_token, ms(timestamp_ms)).map_err(throw)
        }

        /// Verify a callback's headers and signature over the raw body; returns the event.
        pub fn verify_callback(
            &self,
            body: &[u8],
            client_id: Option<String>,
            signature: Option<String>,
        ) -> Result<String, JsValue> {
            self.inner.verify_callback_json(body, client_id.as_deref(), signature.as_deref()).map_err(throw)
        }

        /// Lowercase hex HMAC-SHA256 of `data`.
        pub fn sign(&self, data: &[u8]) -> String {
            self.inner.signer().sign_hex(data)
        }

        /// Start signing a large input given in chunks (`sign_update`, then `sign_end`), so
        /// that wasm memory never holds more than one chunk. Drops any unfinished one.
        pub fn sign_begin(&mut self) {
            self.stream = Some(self.inner.signer().stream());
        }

        pub fn sign_update(&mut self, chunk: &[u8]) {
            if let Some(stream) = self.stream.as_mut() {
                stream.update(chunk);
            }
        }

        /// The signature of every chunk since `sign_begin` (of nothing, without one).
        pub fn sign_end(&mut self) -> String {
            match self.stream.take() {
                Some(stream) => stream.finish_hex(),
                None => self.inner.signer().stream().finish_hex(),
            }
        }
    }
}
