//! The WebAssembly bindings: the two exported dispatchers of [`crate::ops`] and the
//! client's constructor, value conversion only.
//!
//! Every export returns one value, a `JsValue`: the result string, or the error's JSON wire
//! form after a NUL character (no result starts with one: they are JSON, hex, decimal, URLs or
//! empty), which the shell throws as a `CoinbarError`; the client's constructor returns the
//! client object or such a string. Not `Result<String, JsValue>`: that crosses as several
//! return values, and V8 (Node 20) compiles a JS-to-wasm wrapper with TurboFan for each
//! exported signature with several results when the module is compiled (~0.8 ms each), while
//! single-result signatures share its generic wrapper (docs/design.md, "Two exports, chosen
//! by op code").

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Error;
use crate::ops::{self, Answer, Args};
use wasm_bindgen::prelude::*;

/// An error as it crosses: a NUL, then its JSON wire form (see the module comment).
fn throw(e: Error) -> JsValue {
    let text = e.to_json();
    let mut out = String::with_capacity(text.len() + 1);
    out.push('\0');
    out.push_str(&text);
    JsValue::from_str(&out)
}

/// What crosses back to JS: the result string, or the marked error.
fn cross(r: Answer) -> JsValue {
    match r {
        Ok(s) => JsValue::from_str(&s),
        Err(e) => throw(e),
    }
}

/// Run op `op` of [`ops::Op`] (pkg/src/ops.js is the only caller; see there what each reads).
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
    cross(ops::dispatch(ops::OPS, op, &mut (), &Args { data, s1, s2, s3, n1, n2, n3, n4 }))
}

#[cfg(feature = "signer")]
mod signer {
    use super::*;
    use crate::api::{self, Config};
    use crate::client::Client;
    use crate::ops::{ClientArgs, ClientState, CLIENT_OPS};
    use zeroize::Zeroizing;

    /// The secret-holding client. The key arrives as bytes owned by Rust and is zeroized as
    /// soon as the keyed HMAC state exists; the state is zeroized by `free()`.
    #[wasm_bindgen]
    pub struct SigningClient(ClientState);

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
            Ok(client) => JsValue::from(SigningClient(ClientState { client, stream: None })),
            Err(e) => throw(e),
        }
    }

    #[wasm_bindgen]
    impl SigningClient {
        /// Run op `op` of `ClientOp` (pkg/src/ops.js is the only caller).
        pub fn call(
            &mut self,
            op: u32,
            data: &[u8],
            s1: Option<String>,
            s2: Option<String>,
            n1: Option<f64>,
            n2: Option<f64>,
        ) -> JsValue {
            cross(ops::dispatch(CLIENT_OPS, op, &mut self.0, &ClientArgs { data, s1, s2, n1, n2 }))
        }
    }
}
