//! Targets `response_initiate`, `response_status`, `response_quotes`, `response_report`:
//! the four response readers against serde_json's reading of the same body.

use super::*;

pub const STATUSES: &[u16] = &[200, 201, 204, 299, 300, 302, 400, 401, 404, 409, 429, 500, 502, 503, 0, 199, 999];

/// HTTP status and body text from the fuzzer's bytes: the first byte picks the status (most
/// bytes mean 200), the rest is the body.
pub fn status_and_body(data: &[u8]) -> (u16, String) {
    let mut src = Src::new(data);
    let b = src.byte();
    let status = if b < 0xE0 { 200 } else { STATUSES[usize::from(b - 0xE0) % STATUSES.len()] };
    (status, String::from_utf8_lossy(src.rest()).into_owned())
}

/// An amount the SDK returned, checked against the raw JSON value it came from: absent or
/// null gives `None`; a plain decimal is returned unchanged; an exponent form is expanded to
/// exactly its value.
pub fn check_amount(out: Option<&str>, raw: Option<&Value>, what: &str) {
    let raw_text = match raw {
        None | Some(Value::Null) => {
            assert_eq!(out, None, "{what}: absent amount answered");
            return;
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => panic!("{what}: parser accepted {other} as an amount"),
    };
    let out = out.unwrap_or_else(|| panic!("{what}: present amount {raw_text} lost"));
    if is_plain_syntax(&raw_text) {
        assert_eq!(out, raw_text, "{what}: a plain decimal must be kept as sent");
    } else {
        assert!(is_plain_syntax(out), "{what}: {out} is not a plain decimal");
        match parse_number_ref(&raw_text) {
            Some(NumRef::Exact(d)) => assert_eq!(out, d.plain(), "{what}: {raw_text} expanded wrongly"),
            other => panic!("{what}: {raw_text:?} (reference {other:?}) accepted as {out}"),
        }
    }
}

pub fn check_opt_string(out: Option<&str>, raw: Option<&Value>, what: &str) {
    match raw {
        None | Some(Value::Null) => assert_eq!(out, None, "{what}"),
        Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
        Some(other) => panic!("{what}: parser accepted {other} as a string"),
    }
}

pub fn check_date(out: Option<&str>, raw: Option<&Value>, what: &str) {
    match raw {
        None | Some(Value::Null) => assert_eq!(out, None, "{what}"),
        Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
        Some(Value::Object(o)) => match o.get("$date") {
            Some(Value::String(s)) => assert_eq!(out, Some(s.as_str()), "{what}"),
            // The number's text as sent, exponent mark in lower case. serde_json (with
            // `arbitrary_precision`) prints `e+` where the text had an unsigned exponent
            // (`171543e0961065` → `171543e+0961065`, found by fuzzing): compare without it.
            Some(Value::Number(n)) => {
                let unsigned_exp = |t: &str| t.to_ascii_lowercase().replace("e+", "e");
                assert_eq!(out.map(unsigned_exp), Some(unsigned_exp(&n.to_string())), "{what}");
            }
            other => panic!("{what}: accepted date object {other:?}"),
        },
        Some(other) => panic!("{what}: parser accepted {other} as a date"),
    }
}

/// The error side of every response parser: the kind follows from the status and body, the
/// error serializes, and the body it keeps is bounded.
pub fn check_response_error(e: &Error, status: u16, body: &str) {
    let ok_status = (200..300).contains(&status);
    if !ok_status {
        assert_eq!(e.kind, ErrorKind::Http, "status {status} must be an http error");
        assert_eq!(e.status, Some(status));
    } else {
        assert!(matches!(e.kind, ErrorKind::Decode | ErrorKind::Api), "2xx answered {:?}", e.kind);
        if e.kind == ErrorKind::Api {
            let v: Value = serde_json::from_str(body).expect("an api error comes from a JSON object");
            assert!(v.is_object());
        }
    }
    if let Some(b) = &e.body {
        assert!(b.chars().count() <= coinbar_pay::error::MAX_BODY_IN_ERROR);
        assert!(body.starts_with(b.as_str()), "error body is a prefix of the body");
    }
    let wire: Value = serde_json::from_str(&e.to_json()).expect("error wire form is JSON");
    assert!(wire["code"].is_string() && wire["message"].is_string());
}

pub fn result_ok(obj: &Value, required: bool) -> bool {
    match obj.get("result") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("success"),
        Some(Value::Bool(b)) => *b,
        None => !required,
        Some(_) => false,
    }
}

/// The body a successful parse came from: 2xx, a JSON object with a successful `result`.
pub fn success_body(status: u16, body: &str, result_required: bool) -> Value {
    assert!((200..300).contains(&status), "a {status} answer parsed as success");
    let v: Value = serde_json::from_str(body).expect("a parsed answer is JSON");
    assert!(v.is_object());
    assert!(result_ok(&v, result_required), "`result` is not success");
    v
}

/// Initiate and Request New Payment answers: parsed only from 2xx JSON objects with
/// `result` success; every amount keeps its digits; strings as sent.
pub fn response_initiate(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match initiate::parse_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, true);
            for (key, got) in [
                ("request_token", &r.request_token),
                ("payment_id_coinbar", &r.payment_id_coinbar),
                ("trade_pair", &r.trade_pair),
                ("payment_string", &r.payment_string),
                ("destination_address", &r.destination_address),
            ] {
                assert_eq!(v[key].as_str(), Some(got.as_str()), "{key}");
            }
            check_amount(Some(&r.payment_total_price), v.get("payment_total_price"), "payment_total_price");
            check_amount(Some(&r.destination_coin_change), v.get("destination_coin_change"), "destination_coin_change");
            check_amount(Some(&r.destination_amount), v.get("destination_amount"), "destination_amount");
            check_opt_string(r.destination_memo.as_deref(), v.get("destination_memo"), "destination_memo");
            let d = |s: &str| json!(s);
            let want = json!({"result": "success", "request_token": r.request_token, "payment_id_coinbar": r.payment_id_coinbar,
                "payment_total_price": d(&r.payment_total_price), "trade_pair": r.trade_pair, "payment_string": r.payment_string,
                "destination_coin_change": r.destination_coin_change, "destination_amount": r.destination_amount,
                "destination_address": r.destination_address, "destination_memo": r.destination_memo});
            check_json(initiate::response_json(status, &body), &want);
        }
        Err(e) => {
            check_response_error(&e, status, &body);
            check_same_error(initiate::response_json(status, &body), &e);
        }
    }
    match initiate::parse_request_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, true);
            assert_eq!(v["request_token"].as_str(), Some(r.request_token.as_str()));
            check_opt_string(r.payment_id_coinbar.as_deref(), v.get("payment_id_coinbar"), "payment_id_coinbar");
            #[cfg(feature = "signer")]
            {
                let client = test_client();
                match client.finish_request(status, &body, NOW_MS) {
                    Ok(done) => {
                        let url = done.gateway_url;
                        assert!(url.starts_with("http://127.0.0.1:8790/paymentgateway/pay?requestToken="));
                        assert!(!url.contains(' ') && !url.contains('+'), "query values are encoded");
                    }
                    Err(e) => {
                        assert_eq!(e.kind, ErrorKind::Validation, "only the token length can refuse");
                        assert!(r.request_token.is_empty() || r.request_token.len() > 4096);
                    }
                }
            }
        }
        Err(e) => check_response_error(&e, status, &body),
    }
}

pub fn check_payment(p: &status::Payment, v: &Value) {
    let status_text = v["status"].as_str().expect("status is a string");
    assert_eq!(p.status, status::PaymentStatus::parse(status_text));
    if p.status.is_known() {
        assert!(p.status.as_str().eq_ignore_ascii_case(status_text.trim()) || p.status.as_str() == "CANCELED");
    } else {
        assert_eq!(p.status.as_str(), status_text, "unknown status kept as sent");
    }
    assert!(!p.status.is_paid() || p.status.is_final(), "paid means final");
    assert_eq!(v["payment_id_coinbar"].as_str(), Some(p.payment_id_coinbar.as_str()));
    assert_eq!(v["payment_request_id_client"].as_str(), Some(p.payment_request_id_client.as_str()));
    check_opt_string(p.service_client_id.as_deref(), v.get("service_client_id"), "service_client_id");
    check_opt_string(p.status_descr.as_deref(), v.get("status_descr"), "status_descr");
    check_opt_string(p.input_coin.as_deref(), v.get("input_coin"), "input_coin");
    check_date(p.creation_time.as_deref(), v.get("creation_time"), "creation_time");
    check_date(p.update_time.as_deref(), v.get("update_time"), "update_time");
    let d = v.get("payment_detail").filter(|d| !d.is_null());
    let get = |k: &str| d.and_then(|d| d.get(k));
    check_opt_string(p.payment_detail.destination_coin.as_deref(), get("destination_coin"), "destination_coin");
    check_opt_string(p.payment_detail.trade_pair.as_deref(), get("trade_pair"), "trade_pair");
    check_amount(p.payment_detail.destination_amount.as_deref(), get("destination_amount"), "destination_amount");
    check_amount(p.payment_detail.coin_change.as_deref(), get("coin_change"), "coin_change");
    check_amount(p.payment_detail.total_price.as_deref(), get("total_price"), "total_price");
}

/// Status answers: as initiate, plus statuses case-insensitive, unknown ones kept, `is_paid`
/// implies `is_final`.
pub fn response_status(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match status::parse_response(status, &body) {
        Ok(p) => {
            let v = success_body(status, &body, false);
            check_payment(&p, &v);
            check_json(status::response_json(status, &body), &Value::Object(payment_members(&p)));
        }
        Err(e) => {
            check_response_error(&e, status, &body);
            check_same_error(status::response_json(status, &body), &e);
        }
    }
}

/// Quotes: one quote per `data` item, rates exact.
pub fn response_quotes(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match quotes::parse_response(status, &body) {
        Ok(list) => {
            let v = success_body(status, &body, true);
            let items = v["data"].as_array().expect("data array");
            assert_eq!(items.len(), list.len());
            for (q, item) in list.iter().zip(items) {
                assert_eq!(item["code"].as_str(), Some(q.code.as_str()));
                assert_eq!(item["conversion_fiat"].as_str(), Some(q.conversion_fiat.as_str()));
                assert_eq!(item.get("name").and_then(Value::as_str).unwrap_or(""), q.name);
                check_amount(Some(&q.conversion_rate), item.get("conversion_rate"), "conversion_rate");
            }
            let want: Vec<Value> = list
                .iter()
                .map(|q| json!({"code": q.code, "name": q.name, "conversion_fiat": q.conversion_fiat, "conversion_rate": q.conversion_rate}))
                .collect();
            check_json(quotes::response_json(status, &body), &Value::Array(want));
        }
        Err(e) => {
            check_response_error(&e, status, &body);
            check_same_error(quotes::response_json(status, &body), &e);
        }
    }
}

pub fn check_products_echo(out: &[callback::ProductEcho], raw: Option<&Value>) {
    let items: &[Value] = match raw {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(other) => panic!("products accepted as {other}"),
    };
    assert_eq!(out.len(), items.len());
    for (p, item) in out.iter().zip(items) {
        check_opt_string(p.product_name.as_deref(), item.get("product_name"), "product_name");
        check_amount(p.product_price.as_deref(), item.get("product_price"), "product_price");
        check_amount(p.product_amount.as_deref(), item.get("product_amount"), "product_amount");
        check_opt_string(p.product_id.as_deref(), item.get("product_id"), "product_id");
        check_opt_string(p.product_type.as_deref(), item.get("product_type"), "product_type");
    }
}

pub fn check_customer(out: Option<&callback::Customer>, raw: Option<&Value>) {
    match (out, raw.filter(|r| !r.is_null())) {
        (None, None) => {}
        (Some(c), Some(r)) => {
            check_opt_string(c.external_user_id.as_deref(), r.get("external_user_id"), "external_user_id");
            check_opt_string(c.email.as_deref(), r.get("email"), "email");
            check_amount(c.post_balance.as_deref(), r.get("post_balance"), "post_balance");
        }
        (c, r) => panic!("customer {c:?} from {r:?}"),
    }
}

/// Reports: every optional part as sent, dates unwrapped from `{"$date"}`, amounts exact.
pub fn response_report(data: &[u8]) {
    let (status, body) = status_and_body(data);
    match report::parse_response(status, &body) {
        Ok(r) => {
            let v = success_body(status, &body, false);
            assert_eq!(r.status, status::PaymentStatus::parse(v["status"].as_str().expect("status")));
            assert!(!r.status.is_paid() || r.status.is_final());
            check_opt_string(r.payment_id_coinbar.as_deref(), v.get("payment_id_coinbar"), "payment_id_coinbar");
            check_opt_string(r.urlcallback.as_deref(), v.get("urlcallback"), "urlcallback");
            check_date(r.creation_time.as_deref(), v.get("creation_time"), "creation_time");
            check_customer(r.customer.as_ref(), v.get("customer"));
            check_products_echo(&r.products, v.get("products"));
            match (&r.payment_detail, v.get("payment_detail").filter(|d| !d.is_null())) {
                (None, None) => {}
                (Some(d), Some(raw)) => {
                    check_amount(d.amount_crypto.as_deref(), raw.get("amount_crypto"), "amount_crypto");
                    check_amount(d.coin_price.as_deref(), raw.get("coin_price"), "coin_price");
                    check_amount(d.total_price.as_deref(), raw.get("total_price"), "total_price");
                    check_date(d.timestamp.as_deref(), raw.get("timestamp"), "timestamp");
                    check_date(
                        d.transaction_timeout_date.as_deref(),
                        raw.get("transaction_timeout_date"),
                        "transaction_timeout_date",
                    );
                }
                (d, raw) => panic!("payment_detail {d:?} from {raw:?}"),
            }
            let md = v.get("market_data").filter(|m| !m.is_null());
            assert_eq!(r.market_data.is_some(), md.is_some());
            if let (Some(m), Some(raw)) = (&r.market_data, md) {
                check_amount(m.current_change.as_deref(), raw.get("current_change"), "current_change");
            }
            let detail = r.payment_detail.as_ref().map(|d| {
                json!({"transaction_id": d.transaction_id, "type": d.kind, "wallet_origin": d.wallet_origin, "coin": d.coin,
                    "pair": d.pair, "amount_crypto": d.amount_crypto, "timestamp": d.timestamp, "coin_price": d.coin_price,
                    "total_price": d.total_price, "transaction_timeout_date": d.transaction_timeout_date,
                    "payment_string": d.payment_string})
            });
            let want = json!({"payment_id_coinbar": r.payment_id_coinbar, "payment_request_id_client": r.payment_request_id_client,
                "service_client_id": r.service_client_id, "status": r.status.as_str(), "is_final": r.status.is_final(), "is_paid": r.status.is_paid(),
                "status_descr": r.status_descr, "input_coin": r.input_coin, "customer": r.customer.as_ref().map(customer_json),
                "products": r.products.iter().map(product_echo_json).collect::<Vec<_>>(), "payment_detail": detail,
                "urlcallback": r.urlcallback, "market_data": r.market_data.as_ref().map(|m| json!({"current_change": m.current_change})),
                "creation_time": r.creation_time, "update_time": r.update_time});
            check_json(report::response_json(status, &body), &want);
        }
        Err(e) => {
            check_response_error(&e, status, &body);
            check_same_error(report::response_json(status, &body), &e);
        }
    }
}

// The JSON handed to JS (what the wasm calls return), as this oracle expects it from the
// typed answer read from the same body: every member present, `null` when absent, except a
// customer's `post_balance`, left out when absent; `payment_detail` of a payment always an
// object; lists `[]` when absent; the status canonical with `is_final` / `is_paid` after it.

/// The JSON of a payment (status answer; the first members of a callback event).
pub fn payment_members(p: &status::Payment) -> serde_json::Map<String, Value> {
    let d = &p.payment_detail;
    let v = json!({"payment_id_coinbar": p.payment_id_coinbar, "payment_request_id_client": p.payment_request_id_client,
        "service_client_id": p.service_client_id, "status": p.status.as_str(), "is_final": p.status.is_final(), "is_paid": p.status.is_paid(),
        "status_descr": p.status_descr, "input_coin": p.input_coin,
        "payment_detail": {"destination_coin": d.destination_coin, "trade_pair": d.trade_pair,
            "destination_amount": d.destination_amount, "coin_change": d.coin_change, "total_price": d.total_price},
        "creation_time": p.creation_time, "update_time": p.update_time});
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

pub fn customer_json(c: &callback::Customer) -> Value {
    let mut v = json!({"external_user_id": c.external_user_id, "name": c.name, "surname": c.surname, "email": c.email});
    if let (Some(b), Value::Object(m)) = (&c.post_balance, &mut v) {
        m.insert("post_balance".into(), json!(b));
    }
    v
}

pub fn product_echo_json(p: &callback::ProductEcho) -> Value {
    json!({"product_name": p.product_name, "product_price": p.product_price, "product_amount": p.product_amount,
        "product_id": p.product_id, "product_type": p.product_type})
}

/// The JSON a wasm call returned equals `want` (member order aside).
pub fn check_json(got: Result<String, Error>, want: &Value) {
    let text = got.unwrap_or_else(|e| panic!("the typed reader accepted what the JSON reader refused: {e}"));
    let got: Value = serde_json::from_str(&text).expect("writes JSON for JS");
    assert_eq!(&got, want, "JSON for JS differs from the typed answer");
}

/// The JSON reader refuses what the typed reader refused, with the same error.
pub fn check_same_error(got: Result<String, Error>, e: &Error) {
    match got {
        Ok(text) => panic!("the JSON reader accepted what the typed reader refused ({e}): {text}"),
        Err(got) => assert_eq!(got.to_json(), e.to_json()),
    }
}
