//! The API objects: one file per object, plus the shared pieces for reading merchant input
//! (JSON text from JS) and Coinbar responses.

#[allow(unused_imports)]
use crate::prelude::*;

pub mod callback;
pub mod initiate;
mod input;
pub mod object;
pub mod payment_uri;
pub mod product;
pub mod quotes;
pub mod report;
pub mod retrieve;
pub mod status;

use crate::error::{truncate_chars, Error, ErrorKind, MAX_BODY_IN_ERROR};
use crate::json::read::{self as view, Obj, Surrogates, Value};
use crate::text::text;

/// Take the body of a Coinbar response: a non-2xx status is an `http` error, a body that is
/// not JSON or not an object is a `decode` error, and `result` other than success (the
/// string `"success"` in payment calls, `true` in quotes) is an `api` error. Status and
/// report answers have no `result` in the docs: there it is checked only when present.
pub(crate) fn response_object(status: u16, body: &str, result_required: bool) -> Result<Obj<'_>, Error> {
    let with_body = |mut e: Error| {
        e.status = Some(status);
        e.body = Some(truncate_chars(body, MAX_BODY_IN_ERROR));
        e
    };
    let parsed = view::parse(body, Surrogates::Refuse);
    if !(200..300).contains(&status) {
        let api_error = match &parsed {
            Ok(Value::Object(obj)) => api_error_text(obj),
            _ => None,
        };
        let message = match (&api_error, body.trim_start().starts_with('<')) {
            (Some(text), _) => text!("Coinbar answered HTTP ", status, ": ", text),
            // A proxy's or a web server's page, not Coinbar's JSON: its title, not the page.
            (None, true) => text!(
                "Coinbar answered HTTP ",
                status,
                " with an HTML page, not Coinbar's JSON (a proxy or web server in front of the API, or a wrong base URL): \"",
                html_excerpt(body),
                "\" (the page is in error.body)"
            ),
            (None, false) => text!("Coinbar answered HTTP ", status, ": ", truncate_chars(body.trim(), 200)),
        };
        let mut e = with_body(Error::new(ErrorKind::Http, message));
        e.api_error = api_error;
        return Err(e);
    }
    let obj = match parsed {
        Ok(Value::Object(obj)) => obj,
        Ok(other) => {
            return Err(with_body(Error::decode(text!("response must be a JSON object (got ", other.type_name(), ")"))))
        }
        Err(e) => return Err(with_body(Error::decode(text!("response is not valid JSON (", e.message(), ")")))),
    };
    check_result(&obj, result_required).map_err(with_body)?;
    Ok(obj)
}

/// What an error message quotes of an HTML page: its `<title>`, or else its text without
/// tags, whitespace collapsed; at most 200 characters. Split on `<` and `>` (ASCII, so every
/// piece is whole UTF-8); no substring search (see `api::split_scheme`).
#[inline(never)]
pub(crate) fn html_excerpt(page: &str) -> String {
    let mut text = String::new();
    let mut title = None; // where the title's text starts in `text`
    for (i, piece) in page.split('<').enumerate() {
        // Every piece but the first starts with a tag: `tag>text`.
        let (tag, after) = if i == 0 { ("", piece) } else { piece.split_once('>').unwrap_or((piece, "")) };
        let closing = tag.starts_with('/');
        let name = tag.trim_start_matches('/').split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        if name.eq_ignore_ascii_case("title") {
            match (closing, title) {
                (false, _) => title = Some(text.len()),
                (true, Some(start)) => {
                    let t = text.get(start..).unwrap_or("").trim();
                    if !t.is_empty() {
                        return cut(t);
                    }
                }
                _ => {}
            }
        }
        for c in core::iter::once(' ').chain(after.chars()) {
            let c = if c.is_ascii_whitespace() { ' ' } else { c };
            if !(c == ' ' && text.ends_with(' ')) {
                text.push(c);
            }
        }
        if title.is_none() && text.len() > 1000 {
            break;
        }
    }
    cut(text.trim())
}

/// `s` cut to 200 characters, with `…` when it was longer.
fn cut(s: &str) -> String {
    let mut out = truncate_chars(s, 200);
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The `result` rule of [`response_object`] (the caller adds status and body to the error).
fn check_result(obj: &Obj<'_>, result_required: bool) -> Result<(), Error> {
    let ok = match obj.get("result") {
        Some(Value::Str(s)) => s.eq_ignore_ascii_case("success"),
        Some(Value::Bool(b)) => *b,
        None if result_required => return Err(Error::decode("response has no `result` field")),
        None => true,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let api_error = api_error_text(obj);
    let text = api_error.clone().unwrap_or_else(|| String::from("no error text"));
    let mut e = Error::new(ErrorKind::Api, text!("Coinbar refused the request: ", text));
    e.api_error = api_error;
    Err(e)
}

/// Coinbar's error text: `error`, plus `reason` or `message` when present.
fn api_error_text(obj: &Obj<'_>) -> Option<String> {
    let main = obj.non_empty_str("error").or_else(|| obj.non_empty_str("message"))?;
    Some(match obj.non_empty_str("reason").filter(|r| *r != main) {
        Some(reason) => text!(main, " (", reason, ")"),
        None => main.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_errors_keep_status_body_and_coinbar_text() {
        let e = response_object(429, r#"{"result":false,"error":"Api RATE exceeded"}"#, true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Http);
        assert_eq!(e.status, Some(429));
        assert_eq!(e.api_error.as_deref(), Some("Api RATE exceeded"));
        assert_eq!(e.message, "Coinbar answered HTTP 429: Api RATE exceeded");
        let e = response_object(502, "<html>Bad gateway</html>", true).unwrap_err();
        assert_eq!(e.body.as_deref(), Some("<html>Bad gateway</html>"));
        assert_eq!(e.api_error, None);
    }

    #[test]
    fn an_html_page_is_quoted_by_its_title_and_kept_whole_in_the_body() {
        let page = format!(
            "<!DOCTYPE html>\n<html><head><style>body {{ color: red }}</style><title>503 Service Temporarily Unavailable</title>\
             <script>var x = '<b>';</script></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr>\
             <center>nginx</center>{}</body></html>",
            "<p>padding</p>".repeat(400)
        );
        let e = response_object(503, &page, true).unwrap_err();
        assert_eq!(
            e.message,
            "Coinbar answered HTTP 503 with an HTML page, not Coinbar's JSON (a proxy or web server in front of the API, \
             or a wrong base URL): \"503 Service Temporarily Unavailable\" (the page is in error.body)"
        );
        assert_eq!(e.body.as_deref().map(str::len), Some(MAX_BODY_IN_ERROR), "the body is kept, cut to 4096");
        assert_eq!(e.status, Some(503));
        // No title: the text without tags, at most 200 characters.
        assert_eq!(html_excerpt("<html><body><h1>Bad\n  gateway</h1><p>Try later</p>"), "Bad gateway Try later");
        assert_eq!(html_excerpt("<TITLE>  </TITLE><h1>x</h1>"), "x", "an empty title is skipped");
        let long = html_excerpt(&format!("<p>{}</p>", "é".repeat(300)));
        assert_eq!((long.chars().count(), long.ends_with('…')), (201, true));
        for odd in ["<", "<title", "<title>", "<<>>", "</title>x", "<script>", "a<b", "\u{0}<\u{e9}"] {
            let _ = html_excerpt(odd); // never panics
        }
        assert_eq!(html_excerpt("<title>T"), "T");
    }

    #[test]
    fn result_other_than_success_is_an_api_error() {
        let e = response_object(200, r#"{"result":"error","error":"Bad Request","reason":"email"}"#, true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Api);
        assert_eq!(e.api_error.as_deref(), Some("Bad Request (email)"));
        assert_eq!(response_object(200, r#"{"result":false}"#, true).unwrap_err().kind, ErrorKind::Api);
        assert!(response_object(200, r#"{"result":true}"#, true).is_ok());
        assert!(response_object(200, r#"{"status":"SUCCESS"}"#, false).is_ok(), "status answers carry no result");
        assert!(response_object(200, r#"{"result":"SUCCESS"}"#, true).is_ok());
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        for body in ["", "{", "[]", "\"success\"", r#"{"no_result":1}"#, "<html></html>"] {
            assert_eq!(response_object(200, body, true).unwrap_err().kind, ErrorKind::Decode, "{body}");
        }
    }

    /// The decode error of a report answer (the largest table: nested objects and a list).
    fn report_error(body: &str) -> String {
        report::parse_response(200, body).unwrap_err().message
    }

    #[test]
    fn rule_tables_name_the_broken_field_by_its_full_path() {
        let e =
            |field: &str, expected: &str, got: &str| format!("response field `{field}` must be {expected} (got {got})");
        assert_eq!(report_error(r#"{"payment_id_coinbar":"p"}"#), e("status", "a string", "nothing"));
        assert_eq!(
            report_error(r#"{"status":"SUCCESS","input_coin":7}"#),
            e("input_coin", "a string or null", "number")
        );
        assert_eq!(
            report_error(r#"{"status":"SUCCESS","products":[{"product_price":1},{"product_price":"n/a"}]}"#),
            e("products[1].product_price", "a decimal number", "string")
        );
        assert_eq!(
            report_error(r#"{"status":"SUCCESS","products":[{"product_price":1},"x",{"product_price":[]}]}"#),
            e("products[1]", "an object", "string"),
            "a list stops at its first item that is not an object"
        );
        assert_eq!(
            report_error(r#"{"status":"SUCCESS","market_data":{"current_change":true}}"#),
            e("market_data.current_change", "a decimal number", "boolean")
        );
        assert_eq!(
            report_error(r#"{"status":"SUCCESS","payment_detail":{"timestamp":{"$date":false}}}"#),
            e("payment_detail.timestamp", "a date string or {\"$date\": …}", "object")
        );
        assert_eq!(report_error(r#"{"status":"SUCCESS","customer":[]}"#), e("customer", "an object", "array"));
        // Several broken fields: the first in table order is reported.
        assert_eq!(
            report_error(r#"{"update_time":1,"status":"SUCCESS","service_client_id":2}"#),
            e("service_client_id", "a string or null", "number")
        );
        let q = quotes::parse_response(
            200,
            r#"{"result":true,"data":[{"code":"BTC","conversion_fiat":"EUR","conversion_rate":"1e3"},{"code":"ETH","conversion_fiat":"EUR"}]}"#,
        );
        assert_eq!(q.unwrap_err().message, e("data[1].conversion_rate", "a decimal number", "nothing"));
    }

    #[test]
    fn rule_tables_read_null_as_absent_and_keep_exact_amounts() {
        let r = report::parse_response(
            200,
            r#"{"status":"pending","input_coin":null,"customer":{"post_balance":"1E-7"},"products":[],"market_data":null,"creation_time":{"$date":1E5}}"#,
        )
        .unwrap();
        assert_eq!((r.input_coin, r.market_data), (None, None));
        assert_eq!(r.customer.and_then(|c| c.post_balance).as_deref(), Some("0.0000001"));
        assert!(r.products.is_empty());
        assert_eq!(r.creation_time.as_deref(), Some("1e5"));
        let q = quotes::parse_response(
            200,
            r#"{"result":true,"data":[{"code":"BTC","conversion_fiat":"EUR","conversion_rate":2.5e1}]}"#,
        );
        assert_eq!(q.unwrap()[0].conversion_rate, "25");
    }

    #[test]
    fn the_json_for_js_is_the_table_in_order_with_absent_rules() {
        let body = r#"{"status":"pending","service_client_id":"c","payment_request_id_client":"o-1","payment_id_coinbar":"p-1","payment_detail":null,"update_time":{"$date":"2022-05-11T12:30:35Z"},"extra":1}"#;
        assert_eq!(
            status::response_json(200, body).unwrap(),
            r#"{"payment_id_coinbar":"p-1","payment_request_id_client":"o-1","service_client_id":"c","status":"PENDING","is_final":false,"is_paid":false,"status_descr":null,"input_coin":null,"payment_detail":{"destination_coin":null,"trade_pair":null,"destination_amount":null,"coin_change":null,"total_price":null},"creation_time":null,"update_time":"2022-05-11T12:30:35Z"}"#
        );
        let body = r#"{"status":"Success","customer":{"name":"J","post_balance":"1.50"},"products":[{"product_price":2}],"market_data":{}}"#;
        assert_eq!(
            report::response_json(200, body).unwrap(),
            r#"{"payment_id_coinbar":null,"payment_request_id_client":null,"service_client_id":null,"status":"SUCCESS","is_final":true,"is_paid":true,"status_descr":null,"input_coin":null,"customer":{"external_user_id":null,"name":"J","surname":null,"email":null,"post_balance":"1.50"},"products":[{"product_name":null,"product_price":"2","product_amount":null,"product_id":null,"product_type":null}],"payment_detail":null,"urlcallback":null,"market_data":{"current_change":null},"creation_time":null,"update_time":null}"#
        );
        let body = r#"{"result":true,"data":[{"code":"BTC","conversion_fiat":"EUR","conversion_rate":1e-7}]}"#;
        assert_eq!(
            quotes::response_json(200, body).unwrap(),
            r#"[{"code":"BTC","name":"","conversion_fiat":"EUR","conversion_rate":"0.0000001"}]"#
        );
        let body =
            r#"{"status":"x","payment_id_coinbar":"p","payment_request_id_client":"o","customer":{"email":"a@b.c"}}"#;
        let event = callback::verify_json(body.as_bytes(), Some("c"), Some("s"), "c", |_, _| true).unwrap();
        assert!(event.ends_with(r#""customer":{"external_user_id":null,"name":null,"surname":null,"email":"a@b.c"},"products":[],"idempotency_key":"p/X"}"#), "{event}"); // an undocumented status is upper-cased in the key
        assert!(
            event.contains(r#""status":"x","is_final":false,"is_paid":false,"#),
            "an unknown status is kept as sent"
        );
    }
}
