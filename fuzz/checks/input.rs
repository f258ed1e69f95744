//! Targets `initiate_gen` (a model of the input validator) and `initiate_text` (the input
//! reader on arbitrary text).

use super::*;
use coinbar_pay::validate::Rule;

/// The initiate input model: build an input field by field, predict the exact set of fields
/// the validator reports, and for a valid input the exact values kept, the exact body
/// bytes (JSON.stringify of the documented request object) and a signature over them.
#[cfg(not(feature = "signer"))]
pub fn initiate_gen(_: &[u8]) {}

/// (Only where bodies are written: builds with the signer.)
#[cfg(feature = "signer")]
pub fn initiate_gen(data: &[u8]) {
    let mut src = Src::new(data);
    let kind = if src.chance(1, 4) { PaymentKind::Request } else { PaymentKind::Initiate };
    let mut expected_errors: BTreeSet<String> = BTreeSet::new();
    let mut fields: Vec<(String, J)> = Vec::new();
    fn put(fields: &mut Vec<(String, J)>, errs: &mut BTreeSet<String>, key: &str, json: Option<J>, broken: bool) {
        if let Some(j) = json {
            fields.push((key.to_string(), j));
        }
        if broken {
            errs.insert(key.to_string());
        }
    }

    let sci = match src.below(12) {
        0 => ok(J::s(CLIENT_ID), CLIENT_ID.to_string()),
        1 => bad(J::s("beef0000-0000-4000-8000-000000000002")),
        2 => bad(J::s("")),
        3 => bad(wrong_type(&mut src)),
        _ => absent(false),
    };
    put(&mut fields, &mut expected_errors, "service_client_id", sci.json, sci.broken);
    let pri = gen_text_field(&mut src, true, 100, Kind::Id);
    put(&mut fields, &mut expected_errors, "payment_request_id", pri.json, pri.broken);
    let input_coin = gen_text_field(&mut src, true, 10, Kind::Code);
    put(&mut fields, &mut expected_errors, "input_coin", input_coin.json, input_coin.broken);
    let products = gen_products(&mut src);
    if let Some(j) = products.json.clone() {
        fields.push(("products".into(), j));
    }
    expected_errors.extend(products.errors.iter().cloned());
    let email = gen_text_field(&mut src, true, 254, Kind::Email);
    put(&mut fields, &mut expected_errors, "email", email.json, email.broken);
    let surname = gen_text_field(&mut src, false, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "surname", surname.json, surname.broken);
    let name = gen_text_field(&mut src, false, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "name", name.json, name.broken);
    let user_id = gen_text_field(&mut src, true, 100, Kind::Free);
    put(&mut fields, &mut expected_errors, "user_id", user_id.json, user_id.broken);
    let timestamp = gen_timestamp_field(&mut src);
    put(&mut fields, &mut expected_errors, "timestamp", timestamp.json, timestamp.broken);
    let destination_coin = gen_text_field(&mut src, kind == PaymentKind::Initiate, 10, Kind::Code);
    let urlcallback = match src.below(8) {
        0 => {
            let u = format!("https://shop.example/{}", gen_id(&mut src, 20));
            ok(J::s(&u), u)
        }
        1 => ok(J::s("http://127.0.0.1:3000/cb"), String::from("http://127.0.0.1:3000/cb")),
        2 => bad(J::s("ftp://shop.example/cb")),
        3 => bad(J::s("")),
        _ => absent(false),
    };
    match kind {
        PaymentKind::Initiate => {
            put(&mut fields, &mut expected_errors, "destination_coin", destination_coin.json, destination_coin.broken);
            // urlcallback is not an initiate field: present means an unknown-field error.
            let present = urlcallback.json.is_some();
            put(&mut fields, &mut expected_errors, "urlcallback", urlcallback.json.clone(), present);
        }
        PaymentKind::Request => {
            let present = destination_coin.json.is_some();
            put(&mut fields, &mut expected_errors, "destination_coin", destination_coin.json.clone(), present);
            put(&mut fields, &mut expected_errors, "urlcallback", urlcallback.json.clone(), urlcallback.broken);
        }
    }
    if src.chance(1, 20) {
        let key = ["destinaton_coin", "Email", "", "amount", "products "][src.below(5)];
        fields.push((key.to_string(), J::Num("1".into())));
        expected_errors.insert(key.to_string());
    }
    if src.chance(1, 4) {
        let n = fields.len();
        fields.rotate_left(src.below(n.max(1)));
    }
    let doc = J::Obj(fields);
    let text = doc.text();

    let got = initiate::prepare(&text, kind, Some(CLIENT_ID), NOW_MS);
    let got_fields: BTreeSet<String> = match &got {
        Ok(_) => BTreeSet::new(),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Validation, "{text}");
            e.errors.iter().map(|f| f.field.clone()).collect()
        }
    };
    assert_eq!(got_fields, expected_errors, "fields reported for {kind:?} input {text}");
    let Ok(prepared) = got else { return };

    // Valid: the body is JSON.stringify of the documented request object made of the
    // model's values (every value kept exactly, prices as ECMAScript prints them), in the
    // documented field order, whatever the order of the input's keys.
    let lines = products.lines.expect("valid products");
    let value = |v: &Option<String>| v.clone().expect("a valid field has its value");
    let timestamp_kept = timestamp.value.expect("valid timestamp");
    assert_eq!(prepared.timestamp, timestamp_kept.unwrap_or(NOW_MS), "timestamp sent");
    let total = total_model(lines.iter().map(|(_, p, a, _, _)| (p, *a))).expect("a valid cart has a total");
    assert_eq!(prepared.total.to_plain_string(), total.plain(), "exact cart total");
    let mut want = format!(
        "{{\"service_client_id\":{},\"payment_request_id\":{},\"input_coin\":{},\"products\":[",
        js_quote(CLIENT_ID),
        js_quote(&value(&pri.value)),
        js_quote(&value(&input_coin.value))
    );
    for (i, (n, price, amount, id, k)) in lines.iter().enumerate() {
        if i > 0 {
            want.push(',');
        }
        want.push_str(&format!(
            "{{\"product_name\":{},\"product_price\":{},\"product_amount\":{amount},\"product_id\":{},\"product_type\":{}}}",
            js_quote(n),
            price.es_string(),
            js_quote(id),
            js_quote(k)
        ));
    }
    want.push_str(&format!("],\"email\":{}", js_quote(&value(&email.value))));
    if let Some(s) = &surname.value {
        want.push_str(&format!(",\"surname\":{}", js_quote(s)));
    }
    if let Some(s) = &name.value {
        want.push_str(&format!(",\"name\":{}", js_quote(s)));
    }
    want.push_str(&format!(",\"user_id\":{},\"timestamp\":{}", js_quote(&value(&user_id.value)), prepared.timestamp));
    match kind {
        PaymentKind::Initiate => {
            let coin = destination_coin.value.expect("valid coin");
            want.push_str(&format!(",\"destination_coin\":{}", js_quote(&coin)));
        }
        PaymentKind::Request => {
            if let Some(u) = &urlcallback.value {
                want.push_str(&format!(",\"urlcallback\":{}", js_quote(u)));
            }
        }
    }
    want.push('}');
    let body = prepared.body;
    assert_eq!(body, want, "body is not JSON.stringify of the request object");
    check_body_round_trip(&body, kind);

    #[cfg(feature = "signer")]
    {
        let client = test_client();
        let prepared = match kind {
            PaymentKind::Initiate => client.prepare_initiate(&text, NOW_MS),
            PaymentKind::Request => client.prepare_request(&text, NOW_MS),
        }
        .expect("a valid input prepares");
        assert_eq!(prepared.body.as_deref(), Some(body.as_str()), "prepared body");
        assert!(client.signer().verify_hex(body.as_bytes(), &prepared.headers.signature));
        assert_eq!(prepared.headers.api_key, CLIENT_ID);
    }
}

/// The client the checks sign and verify with (made once per thread: fuzzing calls the
/// checks millions of times).
#[cfg(feature = "signer")]
pub fn test_client() -> std::rc::Rc<coinbar_pay::client::Client> {
    thread_local! {
        static CLIENT: std::rc::Rc<coinbar_pay::client::Client> = {
            let config = coinbar_pay::api::Config::new(&coinbar_pay::api::Settings {
                service_client_id: Some(CLIENT_ID),
                base_url: Some("http://127.0.0.1:8790/coinbar/api/v2"),
                ..Default::default()
            })
            .expect("config");
            std::rc::Rc::new(coinbar_pay::client::Client::new(config, SECRET).expect("client"))
        };
    }
    CLIENT.with(std::rc::Rc::clone)
}

/// The body as serde_json reads it back, for the round trip.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyMirror {
    pub service_client_id: String,
    pub payment_request_id: String,
    pub input_coin: String,
    pub products: Vec<ProductMirror>,
    pub email: String,
    pub surname: Option<String>,
    pub name: Option<String>,
    pub user_id: String,
    pub timestamp: u64,
    pub destination_coin: Option<String>,
    pub urlcallback: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductMirror {
    pub product_name: String,
    pub product_price: f64,
    pub product_amount: u64,
    pub product_id: String,
    pub product_type: String,
}

/// `JSON.stringify` of the documented request object with the mirror's values, from the
/// references ([`js_quote`], [`es_number`]).
fn reference_body(m: &BodyMirror) -> String {
    let mut out = format!(
        "{{\"service_client_id\":{},\"payment_request_id\":{},\"input_coin\":{},\"products\":[",
        js_quote(&m.service_client_id),
        js_quote(&m.payment_request_id),
        js_quote(&m.input_coin)
    );
    for (i, p) in m.products.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"product_name\":{},\"product_price\":{},\"product_amount\":{},\"product_id\":{},\"product_type\":{}}}",
            js_quote(&p.product_name),
            es_number(p.product_price),
            es_number(p.product_amount as f64),
            js_quote(&p.product_id),
            js_quote(&p.product_type)
        ));
    }
    out.push_str(&format!("],\"email\":{}", js_quote(&m.email)));
    for (k, v) in [("surname", &m.surname), ("name", &m.name)] {
        if let Some(v) = v {
            out.push_str(&format!(",\"{k}\":{}", js_quote(v)));
        }
    }
    out.push_str(&format!(",\"user_id\":{},\"timestamp\":{}", js_quote(&m.user_id), es_number(m.timestamp as f64)));
    for (k, v) in [("destination_coin", &m.destination_coin), ("urlcallback", &m.urlcallback)] {
        if let Some(v) = v {
            out.push_str(&format!(",\"{k}\":{}", js_quote(v)));
        }
    }
    out.push('}');
    out
}

/// A body parses back (serde_json) into the documented fields, and is exactly what
/// `JSON.stringify` (the references) prints for them; its prices read as exact decimals are
/// the prices' own digits.
pub fn check_body_round_trip(body: &str, kind: PaymentKind) {
    let mirror: BodyMirror = serde_json::from_str(body).expect("the body parses back");
    assert_eq!(mirror.destination_coin.is_some(), kind == PaymentKind::Initiate);
    assert_eq!(reference_body(&mirror), body, "the body differs from JSON.stringify of its values");
    let v: Value = serde_json::from_str(body).expect("the body parses back");
    for p in v["products"].as_array().expect("products") {
        let raw = p["product_price"].to_string();
        let m = Money::parse_json_number(&raw).expect("price text is a number");
        assert_eq!(m.to_js_number_string(), raw, "price text is ECMAScript's");
    }
}

/// The single pass (read, check, write) on arbitrary text: no panic; in every build the
/// errors are exactly those of the serde_json-based reference reader ([`reference_prepare`]);
/// where bodies are written (the signer), see [`check_prepared`].
pub fn initiate_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for kind in [PaymentKind::Initiate, PaymentKind::Request] {
        let errors = initiate::validation_errors(&text, kind);
        match reference_prepare(&text, kind) {
            Some(Ok(_)) => assert!(errors.is_empty(), "reference accepts, crate reports {errors:?} for {text}"),
            Some(Err(want)) => assert_eq!(errors, want, "errors differ from the reference's for {text}"),
            None => {
                assert_eq!(errors.len(), 1, "serde_json refuses the text, so must the crate: {errors:?}");
                assert_eq!(errors[0].field, "input");
            }
        }
        #[cfg(feature = "signer")]
        check_prepared(&text, kind, &errors);
    }
}

/// The two kinds, `validation_errors` and a configured client agree; a valid input's body
/// reads back (serde_json) into the documented fields and is byte for byte what the
/// references print for them, and the reference's body; its products give the same total
/// through `cartTotal`.
#[cfg(feature = "signer")]
fn check_prepared(text: &str, kind: PaymentKind, errors: &[coinbar_pay::FieldError]) {
    let parsed = initiate::prepare(text, kind, None, NOW_MS);
    match &parsed {
        Ok(p) => {
            assert!(errors.is_empty());
            assert!(!p.total.is_zero(), "a valid cart totals more than 0 (a Total is unsigned)");
            check_body_round_trip(&p.body, kind);
            let doc: Value = serde_json::from_str(&p.body).expect("the body is JSON");
            assert_eq!(doc["timestamp"].as_u64(), Some(p.timestamp), "the timestamp returned is the one sent");
            // The products of the body as sent (not of `text`: a repeated key's earlier
            // value is ignored, as JSON.parse does, so `text` may hold a lone surrogate
            // serde_json refuses; found by fuzzing, input in fuzz/regressions/).
            let products_json = serde_json::to_string(&doc["products"]).expect("products");
            // cartTotal of the same lines agrees.
            assert_eq!(cart_total_json(&products_json).ok(), Some(p.total.to_plain_string()));
            if let Some(Ok(body)) = reference_prepare(text, kind) {
                assert_eq!(p.body, body, "body differs from the reference's for {text}");
            }
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Validation);
            assert!(!e.errors.is_empty(), "a validation error lists its fields");
            assert_eq!(e.errors, errors);
        }
    }
    let with_id = initiate::prepare(text, kind, Some(CLIENT_ID), NOW_MS);
    match (&parsed, &with_id) {
        (Err(_), with_id) => assert!(with_id.is_err(), "a client id can only add errors"),
        (Ok(p), Ok(w)) => {
            let id = format!("{{\"service_client_id\":{}", js_quote(CLIENT_ID));
            assert_eq!(w.body, p.body.replacen("{\"service_client_id\":\"\"", &id, 1), "only the id differs");
        }
        (Ok(_), Err(_)) => {}
    }
    if let Ok(w) = &with_id {
        let client = test_client();
        let prepared = match kind {
            PaymentKind::Initiate => client.prepare_initiate(text, NOW_MS),
            PaymentKind::Request => client.prepare_request(text, NOW_MS),
        }
        .expect("prepares");
        let body = prepared.body.expect("POST body");
        assert_eq!(body, w.body);
        assert!(client.signer().verify_hex(body.as_bytes(), &prepared.headers.signature));
    }
}

/// The documented fields of a payment input: name, rule, and whether initiate / request
/// have it. Written out here (not the crate's table) as the spec the reference reads by.
fn reference_table() -> Vec<(&'static str, Rule, bool, bool)> {
    use validate::Presence::{Optional, Required};
    use validate::TextKind::{Code, Email, Free, UrlSafeId};
    vec![
        ("service_client_id", Rule::ClientId(100), true, true),
        ("payment_request_id", Rule::Text(100, UrlSafeId, Required), true, true),
        ("input_coin", Rule::Text(10, Code, Required), true, true),
        ("products", Rule::Lines, true, true),
        ("email", Rule::Text(254, Email, Required), true, true),
        ("surname", Rule::Text(100, Free, Optional), true, true),
        ("name", Rule::Text(100, Free, Optional), true, true),
        ("user_id", Rule::Text(100, Free, Required), true, true),
        ("timestamp", Rule::Timestamp, true, true),
        ("destination_coin", Rule::Text(10, Code, Required), true, false),
        ("urlcallback", Rule::Url(2048), false, true),
    ]
}

const REFERENCE_LINE: [(&str, Rule); 5] = [
    ("product_name", Rule::Text(200, validate::TextKind::Free, validate::Presence::Required)),
    ("product_price", Rule::Price),
    ("product_amount", Rule::Whole(1, 1_000_000_000)),
    ("product_id", Rule::Text(100, validate::TextKind::Free, validate::Presence::Required)),
    ("product_type", Rule::Text(50, validate::TextKind::Free, validate::Presence::Required)),
];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A serde_json value as the rules take it.
fn rule_json(v: &Value) -> validate::Json<'_> {
    use validate::Json;
    match v {
        Value::Null => Json::Null,
        Value::Bool(_) => Json::Bool,
        Value::Number(n) => Json::Number(n.as_str()),
        Value::String(s) => Json::Str(std::borrow::Cow::Borrowed(s)),
        Value::Array(_) => Json::Array,
        Value::Object(_) => Json::Object,
    }
}

fn unknown_key_errors(ch: &mut validate::Checker, obj: &serde_json::Map<String, Value>, names: &[&str]) {
    // serde_json's map iterates its keys sorted (byte order), each once.
    for key in obj.keys().filter(|k| !names.contains(&k.as_str())) {
        ch.fail(key, format!("is not a known field (expected one of: {})", names.join(", ")));
    }
}

/// The reference: `text` read by serde_json into a tree (a repeated key's last value wins,
/// as `JSON.parse`), walked field by field in the documented order with the crate's value
/// rules (`validate::check`, checked on their own by `initiate_gen`'s model and the unit
/// tests), and the body written by the references ([`js_quote`], [`es_number`]). Unpaired
/// surrogate escapes, which serde_json refuses, read as U+FFFF as the crate documents
/// ([`mark_lone_surrogates`]). `None` when serde_json cannot read the text.
pub fn reference_prepare(text: &str, kind: PaymentKind) -> Option<Result<String, Vec<coinbar_pay::FieldError>>> {
    use validate::CheckedValue;
    let doc: Value = serde_json::from_str(&mark_lone_surrogates(text)).ok()?;
    let mut ch = validate::Checker::default();
    let Value::Object(obj) = &doc else {
        ch.fail("input", format!("must be an object (got {})", type_name(&doc)));
        return Some(Err(ch.errors));
    };
    let table: Vec<_> =
        reference_table().into_iter().filter(|f| if kind == PaymentKind::Initiate { f.2 } else { f.3 }).collect();
    let names: Vec<&str> = table.iter().map(|f| f.0).collect();
    unknown_key_errors(&mut ch, obj, &names);
    let mut body = format!("{{\"service_client_id\":{}", js_quote(""));
    let mut lines_ok: Option<Vec<RefLine>> = None;
    for (name, rule, _, _) in &table {
        let v = obj.get(*name);
        let json = v.map(rule_json);
        match rule {
            Rule::ClientId(_) => {
                validate::check(&mut ch, *rule, json.as_ref(), name, None);
            }
            Rule::Lines => {
                lines_ok = reference_lines(&mut ch, v);
                body.push_str(",\"products\":[");
                for (i, (n, price, amount, id, k, _)) in lines_ok.iter().flatten().enumerate() {
                    body.push_str(&format!(
                        "{}{{\"product_name\":{},\"product_price\":{},\"product_amount\":{amount},\"product_id\":{},\"product_type\":{}}}",
                        if i > 0 { "," } else { "" },
                        js_quote(n),
                        es_number(*price),
                        js_quote(id),
                        js_quote(k)
                    ));
                }
                body.push(']');
            }
            _ => match validate::check(&mut ch, *rule, json.as_ref(), name, None) {
                Some(CheckedValue::Text(s)) => body.push_str(&format!(",\"{name}\":{}", js_quote(s))),
                Some(CheckedValue::Whole(n)) => body.push_str(&format!(",\"{name}\":{n}")),
                Some(CheckedValue::Money(_)) => unreachable!("no price at the top level"),
                None if matches!(rule, Rule::Timestamp) => body.push_str(&format!(",\"{name}\":{NOW_MS}")),
                None => {}
            },
        }
    }
    body.push('}');
    let Some(lines) = lines_ok else { return Some(Err(ch.errors)) };
    match lines.iter().try_fold(0u128, |acc, l| acc.checked_add(l.5)) {
        Some(0) => ch.fail("products", "total must be greater than 0"),
        None => ch.fail("products", "total is too large to compute exactly"),
        Some(_) => {}
    }
    Some(if ch.errors.is_empty() { Ok(body) } else { Err(ch.errors) })
}

/// A valid line as the reference keeps it: name, price as the nearest double, amount, id,
/// type, and the line total in 10^-8 units.
type RefLine = (String, f64, u64, String, String, u128);

/// The `products` rule on a serde_json value: every valid line (name, price as the nearest
/// double, amount, id, type, line total in 10^-8 units), or `None` with the errors recorded.
fn reference_lines(ch: &mut validate::Checker, v: Option<&Value>) -> Option<Vec<RefLine>> {
    use validate::CheckedValue;
    let items = match v {
        None | Some(Value::Null) => {
            ch.fail("products", "is required");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            ch.fail("products", format!("must be an array of product lines (got {})", type_name(other)));
            return None;
        }
    };
    if items.is_empty() {
        ch.fail("products", "must hold at least one product line");
        return None;
    }
    if items.len() > 1000 {
        ch.fail("products", format!("must hold at most 1000 product lines (got {})", items.len()));
        return None;
    }
    let before = ch.errors.len();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(line) = item else {
            ch.fail(&format!("products[{i}]"), format!("must be an object (got {})", type_name(item)));
            continue;
        };
        let mut line_ch = validate::Checker::default();
        unknown_key_errors(&mut line_ch, line, &REFERENCE_LINE.map(|f| f.0));
        let checked: Vec<_> = REFERENCE_LINE
            .iter()
            .map(|(name, rule)| {
                let json = line.get(*name).map(rule_json);
                validate::check(&mut line_ch, *rule, json.as_ref(), name, None).map(|c| match c {
                    CheckedValue::Text(s) => (Some(s.to_string()), None, None),
                    CheckedValue::Money(m) => (None, Some(m), None),
                    CheckedValue::Whole(n) => (None, None, Some(n)),
                })
            })
            .collect();
        for mut e in line_ch.errors {
            e.field = format!("products[{i}].{}", e.field);
            ch.errors.push(e);
        }
        if let [Some((Some(n), ..)), Some((_, Some(price), _)), Some((.., Some(amount))), Some((Some(id), ..)), Some((Some(k), ..))] =
            &checked[..]
        {
            let plain = price.to_plain_string();
            let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
            let units: u128 = format!("{whole}{fraction:0<8}").parse().expect("at most 8 decimals");
            let line_total = units.checked_mul(u128::from(*amount)).expect("within the rules");
            out.push((
                n.clone(),
                plain.parse::<f64>().expect("a price is a number"),
                *amount,
                id.clone(),
                k.clone(),
                line_total,
            ));
        }
    }
    (ch.errors.len() == before).then_some(out)
}

/// `text` with each unpaired UTF-16 surrogate escape inside a string (`\ud800` not followed
/// by a low one, a lone `\udc00`) replaced by `\uffff`.
pub fn mark_lone_surrogates(text: &str) -> String {
    let b = text.as_bytes();
    let hex4 = |at: usize| b.get(at..at + 4).and_then(|h| u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
    let (mut out, mut run, mut i, mut in_string) = (String::with_capacity(text.len()), 0, 0, false);
    while i < b.len() {
        match (in_string, b[i]) {
            (_, b'"') => in_string = !in_string,
            (true, b'\\') if b.get(i + 1) == Some(&b'u') => {
                let unit = hex4(i + 2);
                let paired = matches!(unit, Some(0xD800..=0xDBFF))
                    && b.get(i + 6..i + 8) == Some(b"\\u")
                    && matches!(hex4(i + 8), Some(0xDC00..=0xDFFF));
                if paired {
                    i += 12;
                    continue;
                }
                if let Some(0xD800..=0xDFFF) = unit {
                    out.push_str(&text[run..i]);
                    out.push_str("\\uffff");
                    i += 6;
                    run = i;
                    continue;
                }
                i += 2;
                continue;
            }
            (true, b'\\') if b.get(i + 1).is_some_and(u8::is_ascii) => {
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[run..]);
    out
}
