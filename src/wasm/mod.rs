//! WebAssembly bindings: value conversion only. Inputs cross as JSON text (what
//! `JSON.stringify` made of the JS value) or bytes; results cross as JSON text or strings;
//! errors are thrown as the JSON wire form of [`Error`], which the JS shell turns into a
//! `CoinbarError`. No rule or format lives here.

use crate::error::Error;
use crate::model::initiate::{self, PaymentKind};
use crate::model::product;
use wasm_bindgen::prelude::*;

fn throw(e: Error) -> JsValue {
    JsValue::from_str(&e.to_json())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, JsValue> {
    serde_json::to_string(v).map_err(|e| throw(Error::decode(format!("internal: {e}"))))
}

/// Every broken rule of an initiate input, as a JSON array of `{field, message}`.
#[wasm_bindgen]
pub fn validate_initiate(input_json: &str) -> String {
    serde_json::to_string(&initiate::validation_errors(input_json, PaymentKind::Initiate)).unwrap_or_default()
}

/// The exact total of a products array, as a plain decimal string.
#[wasm_bindgen]
pub fn cart_total(products_json: &str) -> Result<String, JsValue> {
    product::cart_total_json(products_json).map_err(throw)
}

/// Read Coinbar's answer to initiate; returns the typed response as JSON text.
#[wasm_bindgen]
pub fn parse_initiate_response(status: u16, body: &str) -> Result<String, JsValue> {
    to_json(&initiate::parse_response(status, body).map_err(throw)?)
}

/// Largest input JSON text accepted, so the shell can refuse before copying it in.
#[wasm_bindgen]
pub fn max_input_bytes() -> usize {
    crate::validate::MAX_INPUT_BYTES
}

#[cfg(feature = "signer")]
mod signer {
    use super::*;
    use crate::api::Config;
    use crate::client::Client;
    use zeroize::Zeroizing;

    /// The secret-holding client. The key arrives as bytes owned by Rust and is zeroized
    /// as soon as the keyed HMAC state exists; the state is zeroized by `free()`.
    #[wasm_bindgen]
    pub struct SigningClient {
        inner: Client,
    }

    #[wasm_bindgen]
    impl SigningClient {
        #[wasm_bindgen(constructor)]
        pub fn new(options_json: &str, secret_key: Vec<u8>) -> Result<SigningClient, JsValue> {
            let secret = Zeroizing::new(secret_key);
            let config = Config::from_options_json(options_json).map_err(throw)?;
            let inner = Client::new(config, &secret).map_err(throw)?;
            Ok(SigningClient { inner })
        }

        /// The checked configuration (no secret) as JSON text.
        pub fn config_json(&self) -> Result<String, JsValue> {
            to_json(self.inner.config())
        }

        /// Validate, serialize and sign an initiate input; returns the prepared request as
        /// JSON text.
        pub fn prepare_initiate(&self, input_json: &str, now_ms: f64) -> Result<String, JsValue> {
            let now = if now_ms.is_finite() && now_ms > 0.0 { now_ms as u64 } else { 0 };
            Ok(self.inner.prepare_initiate(input_json, now).map_err(throw)?.to_json())
        }

        /// Lowercase hex HMAC-SHA256 of `data`.
        pub fn sign(&self, data: &[u8]) -> String {
            self.inner.signer().sign_hex(data)
        }
    }
}
