//! The server-side client: configuration plus the secret key's signer. Builds signed
//! requests; sending them is the caller's job (the JS shell uses `fetch`).

use crate::api::{paths, Config, PreparedRequest};
use crate::error::Error;
use crate::model::initiate::{self, PaymentKind};
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
        let input = initiate::parse_input(input_json, PaymentKind::Initiate, Some(&self.config.service_client_id))?;
        let body = input.body(&self.config.service_client_id, now_ms)?;
        Ok(self.signed_post(paths::INITIATE, body))
    }

    fn signed_post(&self, path: &str, body: String) -> PreparedRequest {
        let signature = self.signer.sign_hex(body.as_bytes());
        PreparedRequest::post(&self.config, path, body, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_initiate_signs_exactly_the_body_it_carries() {
        let config =
            Config::from_options_json(r#"{"serviceClientId":"cid","baseUrl":"http://127.0.0.1:8790/coinbar/api/v2"}"#)
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
}
