//! The API objects: one file per object, plus the shared pieces for reading merchant input
//! (JSON text from JS) and Coinbar responses.

#[allow(unused_imports)]
use crate::prelude::*;

pub mod callback;
pub mod initiate;
mod input;
pub mod payment_uri;
pub mod product;
pub mod quotes;
pub mod report;
pub mod retrieve;
pub mod status;
pub mod view;

use crate::error::{truncate_chars, Error, ErrorKind, MAX_BODY_IN_ERROR};
use crate::json::{ObjectWriter, ToJson};
use crate::money;
use crate::text::text;
use status::PaymentStatus;
use view::{Obj, Surrogates, Value};

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

/// What one field of a Coinbar answer must hold: the shape part of a response rule table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// A string.
    Str,
    /// A payment status (a string): written in its canonical spelling ([`PaymentStatus`]),
    /// followed by the derived `is_final` and `is_paid`.
    Status,
    /// An amount: a JSON number or numeric string, kept as an exact decimal string with
    /// every digit sent (`1e-7` is expanded to `0.0000001`).
    Amount,
    /// A date: a string, or a `{"$date": string | number}` object (as Coinbar's reports send
    /// them), kept as a string.
    Date,
    /// An object, read by its own table.
    Object(&'static [Field]),
    /// An array of objects, each read by the table.
    List(&'static [Field]),
    /// The fields of another table, read from this same object (a callback is a payment's
    /// status fields plus customer and products).
    Flat(&'static [Field]),
}

/// What the JSON handed to JS holds for an optional field that was absent or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Absent {
    /// `null`.
    Null,
    /// Nothing: the member is left out.
    Omit,
    /// An empty value: `""` for text, the object with every member absent, `[]`.
    Empty,
}

/// One field of a response rule table: its name (on the wire and in the JSON handed to JS,
/// in table order), its shape, whether it must be present (an optional field may be absent
/// or `null`), and what is written when it is not.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
    pub absent: Absent,
}

/// A field that must be present.
pub(crate) const fn req(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: true, absent: Absent::Null }
}

/// A field that may be absent or `null` (written as `null` then; a list as `[]`).
pub(crate) const fn opt(name: &'static str, shape: Shape) -> Field {
    let absent = if matches!(shape, Shape::List(_)) { Absent::Empty } else { Absent::Null };
    Field { name, shape, required: false, absent }
}

impl Field {
    /// Write `absent` instead of `null` when the field is absent.
    pub(crate) const fn or(self, absent: Absent) -> Field {
        Field { absent, ..self }
    }
}

impl Shape {
    /// What the shape expects, for the error message.
    fn expected(self, required: bool) -> &'static str {
        match self {
            Shape::Str | Shape::Status if required => "a string",
            Shape::Str | Shape::Status => "a string or null",
            Shape::Amount => "a decimal number",
            Shape::Date => "a date string or {\"$date\": …}",
            Shape::Object(_) | Shape::Flat(_) => "an object",
            Shape::List(_) => "an array",
        }
    }
}

/// A field's value once read by its rule.
enum Val {
    Absent,
    Text(String),
    Object(Got),
    List(Vec<Got>),
}

/// An object read by its rule table: the value of each field, taken in table order. Each
/// taker names the field it expects; in debug builds (tests, fuzzing) a taker out of table
/// order panics, in release the name costs nothing (no lookup by name in the shipped core).
pub(crate) struct Got {
    table: &'static [Field],
    values: Vec<Val>,
    next: usize,
}

impl Got {
    /// An object with none of the table's fields.
    pub fn empty(table: &'static [Field]) -> Got {
        Got { table, values: Vec::new(), next: 0 }
    }

    #[inline(never)]
    fn take(&mut self, name: &str) -> Val {
        let i = self.next;
        self.next += 1;
        debug_assert_eq!(self.table.get(i).map(|f| f.name), Some(name), "taken out of table order");
        match self.values.get_mut(i) {
            Some(v) => core::mem::replace(v, Val::Absent),
            None => Val::Absent,
        }
    }

    /// A string, amount or date field (`None` when absent or `null`).
    #[inline(never)]
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.take(name) {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A required text field (the table's rule guarantees it is there once read).
    #[inline(never)]
    pub fn string(&mut self, name: &str) -> String {
        self.text(name).unwrap_or_default()
    }

    /// An object or flattened field.
    #[inline(never)]
    pub fn object(&mut self, name: &str) -> Option<Got> {
        match self.take(name) {
            Val::Object(g) => Some(g),
            _ => None,
        }
    }

    /// A text field by name, without taking it (also from a flattened table).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.table.iter().zip(&self.values).find_map(|(f, v)| match (f.shape, v) {
            (_, Val::Text(s)) if f.name == name => Some(s.as_str()),
            (Shape::Flat(_), Val::Object(g)) => g.get(name),
            _ => None,
        })
    }

    /// An object field by name, without taking it.
    pub fn child(&self, name: &str) -> Option<&Got> {
        self.table.iter().zip(&self.values).find_map(|(f, v)| match v {
            Val::Object(g) if f.name == name => Some(g),
            _ => None,
        })
    }

    /// Write every field of the table as a member of `w`, in table order (a flattened table's
    /// fields in its place).
    pub fn write_members(&self, w: &mut ObjectWriter<'_>) {
        for (i, f) in self.table.iter().enumerate() {
            match (f.shape, self.values.get(i).unwrap_or(&Val::Absent)) {
                (Shape::Flat(_), Val::Object(g)) => g.write_members(w),
                (Shape::Status, Val::Text(s)) => {
                    let status = PaymentStatus::parse(s);
                    w.field(f.name, status.as_str())
                        .field("is_final", &status.is_final())
                        .field("is_paid", &status.is_paid());
                }
                (_, Val::Text(s)) => {
                    w.field(f.name, s.as_str());
                }
                (_, Val::Object(g)) => {
                    w.field(f.name, g);
                }
                (_, Val::List(items)) => {
                    w.field(f.name, items.as_slice());
                }
                (shape, Val::Absent) => match (f.absent, shape) {
                    (Absent::Null, _) => {
                        w.field(f.name, &None::<bool>);
                    }
                    (Absent::Omit, _) => {}
                    (Absent::Empty, Shape::Object(t) | Shape::Flat(t)) => {
                        w.field(f.name, &Got::empty(t));
                    }
                    (Absent::Empty, Shape::List(_)) => {
                        w.field(f.name, &[] as &[Got]);
                    }
                    (Absent::Empty, _) => {
                        w.field(f.name, "");
                    }
                },
            }
        }
    }

    /// An array field (empty when absent).
    #[inline(never)]
    pub fn list(&mut self, name: &str) -> Vec<Got> {
        match self.take(name) {
            Val::List(items) => items,
            _ => Vec::new(),
        }
    }
}

impl ToJson for Got {
    fn write_json(&self, out: &mut String) {
        let mut w = ObjectWriter::new(out);
        self.write_members(&mut w);
        w.end();
    }
}

/// An answer read by `table`, as the JSON handed to JS: `{"result":"success", …}` when
/// `result` (the calls whose answers carry one), then the table's fields.
pub(crate) fn answer_json(g: &Got, result: bool, extra: Option<(&str, &str)>) -> String {
    let mut out = String::with_capacity(512);
    let mut w = ObjectWriter::new(&mut out);
    if result {
        w.field("result", "success");
    }
    g.write_members(&mut w);
    if let Some((name, value)) = extra {
        w.field(name, value);
    }
    w.end();
    out
}

/// Where a field sits in the answer, rendered only for an error message
/// (`products[0].product_price`): building it costs no allocation while reading.
#[derive(Clone, Copy)]
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    key: &'p str,
    index: Option<usize>,
}

impl Path<'_> {
    fn render(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.render(out);
        }
        if !self.key.is_empty() {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(self.key);
        }
        if let Some(i) = self.index {
            out.push('[');
            crate::json::write_u64(out, i as u64);
            out.push(']');
        }
    }
}

/// Read a Coinbar answer (or one of its objects) by its rule table. Every field of the table
/// is checked in table order; the first broken rule is the `decode` error, naming the field
/// by its full path (`payment_detail.coin_change`).
pub(crate) fn read(obj: &Obj<'_>, table: &'static [Field]) -> Result<Got, Error> {
    let mut first = None;
    let root = Path { parent: None, key: "", index: None };
    let got = read_object(obj, table, &root, &mut first);
    match first {
        Some(e) => Err(e),
        None => Ok(got),
    }
}

/// The one loop behind [`read`]: every response, the callback and their nested objects.
fn read_object(obj: &Obj<'_>, table: &'static [Field], at: &Path<'_>, first: &mut Option<Error>) -> Got {
    let mut values = Vec::with_capacity(table.len());
    for f in table {
        let here = Path { parent: Some(at), key: f.name, index: None };
        let v = obj.get(f.name);
        let val = match (f.shape, v) {
            (Shape::Flat(t), _) => Some(Val::Object(read_object(obj, t, at, first))),
            (_, None | Some(Value::Null)) if !f.required => Some(Val::Absent),
            (Shape::Str | Shape::Status, Some(Value::Str(s))) => Some(Val::Text(s.to_string())),
            (Shape::Amount, Some(Value::Number(s))) => money::decimal_text(s).ok().map(Val::Text),
            (Shape::Amount, Some(Value::Str(s))) => money::decimal_text(s).ok().map(Val::Text),
            (Shape::Date, Some(Value::Str(s))) => Some(Val::Text(s.to_string())),
            (Shape::Date, Some(Value::Object(o))) => match o.get("$date") {
                Some(Value::Str(s)) => Some(Val::Text(s.to_string())),
                // The number's text, with a lowercase exponent mark (`1E5` → `1e5`), as the
                // serde_json reader before this one gave it (found by fuzzing).
                Some(Value::Number(n)) => Some(Val::Text(n.replace('E', "e"))),
                _ => None,
            },
            (Shape::Object(t), Some(Value::Object(o))) => Some(Val::Object(read_object(o, t, &here, first))),
            (Shape::List(t), Some(Value::Array(items))) => {
                let mut list = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let slot = Path { index: Some(i), ..here };
                    match item {
                        Value::Object(o) => list.push(read_object(o, t, &slot, first)),
                        other => {
                            wrong(first, &slot, Some(other), "an object");
                            break;
                        }
                    }
                }
                Some(Val::List(list))
            }
            _ => None,
        };
        values.push(val.unwrap_or_else(|| {
            wrong(first, &here, v, f.shape.expected(f.required));
            Val::Absent
        }));
    }
    Got { table, values, next: 0 }
}

/// Record a wrongly typed field, unless an earlier error was recorded.
#[cold]
#[inline(never)]
fn wrong(first: &mut Option<Error>, at: &Path<'_>, got: Option<&Value<'_>>, expected: &str) {
    if first.is_some() {
        return;
    }
    let mut path = String::new();
    at.render(&mut path);
    let got = view::type_of(got);
    *first = Some(Error::decode(text!("response field `", path, "` must be ", expected, " (got ", got, ")")));
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
