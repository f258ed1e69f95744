//! The ops of the key-free dispatcher (`call`): validation, totals, conversions, reading
//! Coinbar's answers, status facts, gateway URLs, retry decisions.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "signer")]
use super::decimal;
use super::{http_status, ms, ops, Answer, Args};
use crate::api::{self, Config};
#[cfg(not(feature = "signer"))]
use crate::error::{Error, ErrorKind};
use crate::json::to_js_json;
use crate::model::initiate::{self, PaymentKind};
use crate::model::status::{PaymentStatus, StatusInfo};
use crate::model::{product, quotes, report, status};
use crate::retry::Method;

ops! {
    /// The operations of `call` (no key needed).
    enum Op(none: (), a: Args) in OPS;

    /// Every broken rule of an initiate input (its JSON text), as `[{field, message}]`.
    ValidateInitiate = 1, fn(input: data) -> json {
        Ok(to_js_json(&initiate::validation_errors(input, PaymentKind::Initiate)))
    }
    /// Every broken rule of a Request New Payment input, as `[{field, message}]`.
    ValidateRequest = 2, fn(input: data) -> json {
        Ok(to_js_json(&initiate::validation_errors(input, PaymentKind::Request)))
    }
    /// The exact total of a products array (its JSON text), as a plain decimal string.
    CartTotal = 3, fn(products: data) -> text {
        product::cart_total_json(products)
    }
    /// `amount` converted at `rate`, rounded to `decimals` (informative only).
    ConvertAmount = 4, fn(amount: data, rate: s1, decimals: n1) -> text {
        product::convert_amount(amount, rate.unwrap_or(""), decimals.map_or(u32::MAX, |n| n as u32))
    }
    /// Coinbar's answer to initiate (HTTP `status`, `body`), read and checked.
    ParseInitiateResponse = 5, fn(body: data, status: n1) -> json {
        initiate::response_json(http_status(status), body)
    }
    /// Coinbar's answer to the status call, read and checked.
    ParseStatusResponse = 6, fn(body: data, status: n1) -> json {
        status::response_json(http_status(status), body)
    }
    /// Coinbar's answer to the quotes call, read and checked.
    ParseQuotesResponse = 7, fn(body: data, status: n1) -> json {
        quotes::response_json(http_status(status), body)
    }
    /// Coinbar's answer to the report call, read and checked.
    ParseReportResponse = 8, fn(body: data, status: n1) -> json {
        report::response_json(http_status(status), body)
    }
    /// What a status string means: `{status, known, is_final, is_paid}` (case-insensitive).
    StatusInfo = 9, fn(status: data) -> json {
        Ok(to_js_json(&StatusInfo::from(&PaymentStatus::parse(status))))
    }
    /// The hosted gateway URL for a request token, from the key-free settings.
    GatewayUrl = 10, fn(request_token: data, service_client_id: s1, environment: s2, base_url: s3, timestamp: n1) -> text {
        let config = Config::new(&api::Settings { service_client_id, environment, base_url, ..api::Settings::default() })?;
        api::gateway_url(&config, request_token, ms(timestamp))
    }
    /// Delay in ms before the next attempt of a POST, or -1 for no retry. `status` 0 is a
    /// network failure, whose error code (if the runtime gave one) is `network_code`; `jitter`
    /// is in [0, 1). Server build only (the browser build sends nothing).
    RetryDelayPost = 11, fn(network_code: s1, retry_after: s2, retries_done: n1, max_retries: n2, status: n3, jitter: n4) -> number {
        retry_delay(Method::Post, network_code, retry_after, retries_done, max_retries, status, jitter)
    }
    /// The same for a GET.
    RetryDelayGet = 12, fn(network_code: s1, retry_after: s2, retries_done: n1, max_retries: n2, status: n3, jitter: n4) -> number {
        retry_delay(Method::Get, network_code, retry_after, retries_done, max_retries, status, jitter)
    }
    /// What a failed POST says about the payment: `not_processed` or `unknown`, from the last
    /// attempt's `status` (0: network failure with `network_code`) and the error's `code`.
    PostOutcome = 13, fn(network_code: s1, code: s2, status: n1) -> text {
        post_outcome(http_status(status), network_code, code)
    }
}

#[cfg(feature = "signer")]
fn retry_delay(
    method: Method,
    network_code: Option<&str>,
    retry_after: Option<&str>,
    retries_done: Option<f64>,
    max_retries: Option<f64>,
    status: Option<f64>,
    jitter: Option<f64>,
) -> Answer {
    let count = |n: Option<f64>| n.map_or(0, |n| n as u32);
    let outcome = outcome(http_status(status), network_code);
    Ok(
        match crate::retry::delay_ms(
            method,
            count(retries_done),
            count(max_retries),
            outcome,
            retry_after,
            jitter.unwrap_or(0.0),
        ) {
            Some(delay) => decimal(u64::from(delay)),
            None => String::from("-1"),
        },
    )
}

#[cfg(feature = "signer")]
fn post_outcome(status: u16, network_code: Option<&str>, code: Option<&str>) -> Answer {
    let outcome = outcome(status, network_code);
    Ok(crate::retry::post_processed(outcome, code.unwrap_or("")).as_str().to_string())
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
fn retry_delay(
    _: Method,
    _: Option<&str>,
    _: Option<&str>,
    _: Option<f64>,
    _: Option<f64>,
    _: Option<f64>,
    _: Option<f64>,
) -> Answer {
    not_in_browser()
}

#[cfg(not(feature = "signer"))]
fn post_outcome(_: u16, _: Option<&str>, _: Option<&str>) -> Answer {
    not_in_browser()
}

/// The retry ops in the browser build, which sends nothing (a build's enum cannot leave out
/// variants: the codes are shared with the one generated JS module).
#[cfg(not(feature = "signer"))]
fn not_in_browser() -> Answer {
    Err(Error::new(ErrorKind::Config, "not in the browser build"))
}
