//! The server-side client: configuration plus the secret key's signer. Builds signed
//! requests; sending them is the caller's job (the JS shell uses `fetch`).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::api::{self, paths, Call, Config, PreparedRequest};
use crate::error::Error;
use crate::model::callback::{self, CallbackEvent};
use crate::model::initiate::{self, PaymentKind, RequestResponse};
use crate::sign::Signer;

/// A configured CoinbarPay client holding the signing key.
#[derive(Debug)]
pub struct Client {
    config: Config,
    /// Boxed so that moving the client moves a pointer, never a copy of the key state.
    signer: Box<Signer>,
}

impl Client {
    pub fn new(config: Config, secret_key: &[u8]) -> Result<Client, Error> {
        Ok(Client { signer: Signer::new_boxed(secret_key)?, config })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Validate an initiate input (JSON text), serialize it byte-exactly and sign it.
    /// `now_ms` is used when the input has no `timestamp`.
    pub fn prepare_initiate(&self, input_json: &str, now_ms: u64) -> Result<PreparedRequest, Error> {
        let (signature, body) = self.sign_initiate(input_json, now_ms)?;
        Ok(PreparedRequest::post(&self.config, paths::INITIATE, body, signature))
    }

    /// The hot path of [`Client::prepare_initiate`]: just `(signature, body)`. The rest of
    /// the prepared request (method, URL, headers) is the same for every call; see
    /// [`Client::post_template`].
    pub fn sign_initiate(&self, input_json: &str, now_ms: u64) -> Result<(String, String), Error> {
        let id = Some(self.config.service_client_id.as_str());
        let body = initiate::prepare(input_json, PaymentKind::Initiate, id, now_ms)?.body;
        Ok((self.signer.sign_hex(body.as_bytes()), body))
    }

    /// The prepared POST to `path` without signature and body, for callers that fill those
    /// in from [`Client::sign_initiate`].
    pub fn post_template(&self, path: &str) -> PreparedRequest {
        let mut p = PreparedRequest::post(&self.config, path, String::new(), String::new());
        p.body = None;
        p
    }

    /// Validate, serialize and sign a Request New Payment input (no `destination_coin`;
    /// optional `urlcallback`).
    pub fn prepare_request(&self, input_json: &str, now_ms: u64) -> Result<PreparedRequest, Error> {
        self.prepare_request_at(input_json, now_ms).map(|(request, _)| request)
    }

    /// [`Client::prepare_request`], with the timestamp the body carries (the input's own, or
    /// `now_ms`): [`Client::finish_request`] needs it for the gateway URL.
    pub fn prepare_request_at(&self, input_json: &str, now_ms: u64) -> Result<(PreparedRequest, u64), Error> {
        let id = Some(self.config.service_client_id.as_str());
        let prepared = initiate::prepare(input_json, PaymentKind::Request, id, now_ms)?;
        Ok((self.signed_post(paths::REQUEST, prepared.body), prepared.timestamp))
    }

    /// Read the answer to Request New Payment and add the gateway URL for its token.
    /// `timestamp_ms` is the timestamp the request was sent with.
    pub fn finish_request(&self, status: u16, body: &str, timestamp_ms: u64) -> Result<RequestResponse, Error> {
        let mut response = initiate::parse_request_response(status, body)?;
        response.gateway_url = api::gateway_url(&self.config, &response.request_token, timestamp_ms)?;
        Ok(response)
    }

    /// [`Client::finish_request`], as the JSON handed to JS.
    pub fn finish_request_json(&self, status: u16, body: &str, timestamp_ms: u64) -> Result<String, Error> {
        let g = initiate::read_request_response(status, body).map_err(|e| self.config.explain(Call::Request, e))?;
        let url = api::gateway_url(&self.config, g.get("request_token").unwrap_or(""), timestamp_ms)?;
        Ok(crate::model::object::answer_json(&g, true, Some(("gateway_url", &url))))
    }

    /// Coinbar's answer to one of this client's calls as the JSON handed to JS (initiate,
    /// status, report or quotes; Request New Payment is [`Client::finish_request_json`]). Its
    /// errors say what to check when this client's configuration is the likely cause
    /// ([`Config::explain`]).
    pub fn answer_json(&self, call: Call, status: u16, body: &str) -> Result<String, Error> {
        use crate::model::{quotes, report, status as payment_status};
        let answer = match call {
            Call::Initiate => initiate::response_json(status, body),
            Call::Status => payment_status::response_json(status, body),
            Call::Report => report::response_json(status, body),
            Call::Quotes => quotes::response_json(status, body),
            Call::Request => {
                initiate::read_request_response(status, body).map(|g| crate::model::object::answer_json(&g, true, None))
            }
        };
        answer.map_err(|e| self.config.explain(call, e))
    }

    /// `retrievePayment`: the payment in initiate's shape from the report's answer and, when
    /// given, the status call's ([`crate::model::retrieve`]); `Ok(None)` when the report lacks
    /// a field and the status call is needed.
    pub fn retrieved_json(&self, report: (u16, &str), status: Option<(u16, &str)>) -> Result<Option<String>, Error> {
        // The advice of a status and a report answer is the same (none for their 404).
        crate::model::retrieve::retrieved_json(report.0, report.1, status)
            .map_err(|e| self.config.explain(Call::Report, e))
    }

    /// `GET /pay/gateway/payment/{id}/status`, signed.
    pub fn prepare_status(&self, payment_request_id: &str) -> Result<PreparedRequest, Error> {
        api::check_payment_request_id(payment_request_id)?;
        Ok(self.signed_get(&paths::status(payment_request_id), ""))
    }

    /// `GET /paymentgateway/reports/{id}`, signed.
    pub fn prepare_report(&self, payment_request_id: &str) -> Result<PreparedRequest, Error> {
        api::check_payment_request_id(payment_request_id)?;
        Ok(self.signed_get(&paths::report(payment_request_id), ""))
    }

    /// `GET /pay/gateway/quotes?conversion_fiat=…`, signed.
    pub fn prepare_quotes(&self, conversion_fiat: &str) -> Result<PreparedRequest, Error> {
        let query = api::quotes_query(conversion_fiat)?;
        Ok(self.signed_get(paths::QUOTES, &query))
    }

    /// The hosted payment page URL for a request token.
    pub fn gateway_url(&self, request_token: &str, timestamp_ms: u64) -> Result<String, Error> {
        api::gateway_url(&self.config, request_token, timestamp_ms)
    }

    /// Verify a backend callback (client id header, and the signature over the raw body in
    /// constant time) and read it.
    pub fn verify_callback(
        &self,
        body: &[u8],
        client_id: Option<&str>,
        signature: Option<&str>,
    ) -> Result<CallbackEvent, Error> {
        callback::verify(body, client_id, signature, &self.config.service_client_id, |b, s| {
            self.signer.verify_hex(b, s)
        })
    }

    /// [`Client::verify_callback`], with the event as the JSON handed to JS.
    pub fn verify_callback_json(
        &self,
        body: &[u8],
        client_id: Option<&str>,
        signature: Option<&str>,
    ) -> Result<String, Error> {
        callback::verify_json(body, client_id, signature, &self.config.service_client_id, |b, s| {
            self.signer.verify_hex(b, s)
        })
    }

    /// [`Client::verify_callback`], with the event as the shell reads it (tokens, or JSON when
    /// a text cannot be a token: [`callback::verify_tokens`]).
    pub fn verify_callback_tokens(
        &self,
        body: &[u8],
        client_id: Option<&str>,
        signature: Option<&str>,
    ) -> Result<String, Error> {
        callback::verify_tokens(body, client_id, signature, &self.config.service_client_id, |b, s| {
            self.signer.verify_hex(b, s)
        })
    }

    fn signed_post(&self, path: &str, body: String) -> PreparedRequest {
        let signature = self.signer.sign_hex(body.as_bytes());
        PreparedRequest::post(&self.config, path, body, signature)
    }

    fn signed_get(&self, path: &str, query: &str) -> PreparedRequest {
        let signature = self.signer.sign_hex(query.as_bytes());
        PreparedRequest::get(&self.config, path, query, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Settings;

    #[test]
    fn prepared_initiate_signs_exactly_the_body_it_carries() {
        let config = Config::new(&Settings {
            service_client_id: Some("cid"),
            base_url: Some("http://127.0.0.1:8790/coinbar/api/v2"),
            ..Settings::default()
        })
        .unwrap();
        let client = Client::new(config, b"secret").unwrap();
        let input = r#"{"payment_request_id":"o-1","input_coin":"EUR","products":[{"product_name":"Tea","product_price":"3.50","product_amount":2,"product_id":"t","product_type":"general"}],"email":"a@example.com","user_id":"u","destination_coin":"BTC"}"#;
        let p = client.prepare_initiate(input, 1_700_000_000_000).unwrap();
        let body = p.body.clone().unwrap();
        assert_eq!(p.url, "http://127.0.0.1:8790/coinbar/api/v2/pay/gateway/initiate");
        assert_eq!(p.headers.signature, Signer::new(b"secret").unwrap().sign_hex(body.as_bytes()));
        assert!(body.contains(r#""product_price":3.5,"#));
        assert!(format!("{client:?}").contains("[redacted]"));
        assert!(!format!("{client:?}").contains("secret\""));
    }

    #[test]
    fn template_plus_signed_body_is_the_prepared_request() {
        let config = Config::new(&Settings { service_client_id: Some("cid"), ..Settings::default() }).unwrap();
        let client = Client::new(config, b"secret").unwrap();
        let input = r#"{"payment_request_id":"o","input_coin":"EUR","products":[{"product_name":"T","product_price":1,"product_amount":1,"product_id":"t","product_type":"g"}],"email":"a@example.com","user_id":"u","destination_coin":"BTC","timestamp":1700000000000}"#;
        let (signature, body) = client.sign_initiate(input, 0).unwrap();
        let mut assembled = client.post_template(paths::INITIATE);
        assembled.headers.signature = signature;
        assembled.body = Some(body);
        assert_eq!(assembled, client.prepare_initiate(input, 0).unwrap());
    }

    #[test]
    fn get_calls_sign_their_query_string_and_check_ids() {
        let config = Config::new(&Settings { service_client_id: Some("cid"), ..Settings::default() }).unwrap();
        let client = Client::new(config, b"secret").unwrap();
        let signer = Signer::new(b"secret").unwrap();
        let q = client.prepare_quotes("GBP").unwrap();
        assert_eq!(q.headers.signature, signer.sign_hex(b"conversion_fiat=GBP"));
        let s = client.prepare_status("order-1").unwrap();
        assert!(s.url.ends_with("/pay/gateway/payment/order-1/status"));
        assert_eq!(s.headers.signature, signer.sign_hex(b""));
        assert_eq!(s.body, None);
        assert!(client.prepare_report("order-1").unwrap().url.ends_with("/paymentgateway/reports/order-1"));
        assert_eq!(client.prepare_status("../x").unwrap_err().errors[0].field, "payment_request_id");
    }

    #[test]
    fn answers_to_the_clients_calls_carry_the_advice_of_its_configuration() {
        let config = Config::new(&Settings { service_client_id: Some("cid"), ..Settings::default() }).unwrap();
        let client = Client::new(config, b"s3cr3t-key").unwrap();
        let unauthorized = r#"{"result":false,"error":"Unauthorized","reason":"SIGNATURE does not match"}"#;
        for call in [Call::Initiate, Call::Request, Call::Status, Call::Report, Call::Quotes] {
            let e = client.answer_json(call, 401, unauthorized).unwrap_err();
            assert!(e.message.starts_with("Coinbar answered HTTP 401: Unauthorized (SIGNATURE does not match). Coinbar refused this client's credentials: check the secret key and the service client id (COINBAR_SECRET_KEY, COINBAR_SERVICE_CLIENT_ID)"), "{call:?}: {}", e.message);
            assert!(e.message.contains("sandbox, base URL https://sandbox.coinbar.io/coinbar/api/v2"));
            assert!(!e.message.contains("s3cr3t"), "never the key");
        }
        let e = client.finish_request_json(404, "Not Found", 1).unwrap_err();
        assert!(e.message.contains("check the base URL"), "{}", e.message);
        let e = client.answer_json(Call::Status, 404, r#"{"result":false,"error":"Not Found"}"#).unwrap_err();
        assert_eq!(e.message, "Coinbar answered HTTP 404: Not Found");
        assert_eq!(client.retrieved_json((404, "{}"), None).unwrap_err().message, "Coinbar answered HTTP 404: {}");
        let thin = r#"{"status":"CREATED","payment_detail":{"payment_string":"bitcoin:a"}}"#;
        let e = client.retrieved_json((200, thin), Some((403, "Forbidden"))).unwrap_err();
        assert!(e.message.contains("refused this client's credentials"), "{}", e.message);
    }
}
