//! The single pass over merchant input (a payment input, `cartTotal`'s products): the JSON
//! text is read once, member by member ([`Scanner`], the grammar of `view.rs` without its
//! tree), each field is checked by its rule table as it is read, and what passes is written
//! straight into the body that is signed. The table's order is the body's order, whatever
//! the order of the input's keys: a field's value is kept as read (a borrowed slice of the
//! text) until its object ends, then checked and written in table order.
//!
//! The error list is what a tree reader would give: on text that is not JSON only the
//! syntax error; otherwise first the unknown keys (distinct, sorted), then every field's
//! broken rules in table order. A repeated key's last value counts, as with `JSON.parse`.
//! Why one pass: reading a tree, walking it and writing the body again was most of
//! `prepareInitiate`'s time (docs/design.md, "prepare").

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::borrow::Cow;

use crate::json::read::{ParseError, Scanner, Surrogates, Value};
use crate::json::{write_str, ObjectWriter, ToJson};
use crate::text::text;
use crate::text::write_u64;
use crate::validate::{self, CheckedValue, Checker, FieldRule, Json, Rule};

/// Read one merchant document of at most [`validate::MAX_INPUT_BYTES`] with `read`, which
/// must consume exactly one value. Unpaired surrogate escapes read as U+FFFF, which the text
/// rules refuse naming the field. A document that is too large or not JSON is recorded
/// against `field` and gives `None`.
pub(crate) fn read_document<'a, T>(
    ch: &mut Checker,
    text: &'a str,
    field: &str,
    read: impl FnOnce(&mut Scanner<'a>) -> Result<T, ParseError>,
) -> Option<T> {
    if text.len() > validate::MAX_INPUT_BYTES {
        ch.fail(field, text!("is too large (", text.len(), " bytes of JSON; at most ", validate::MAX_INPUT_BYTES, ")"));
        return None;
    }
    let mut sc = Scanner::new(text, Surrogates::Mark);
    match read(&mut sc).and_then(|t| sc.end().map(|()| t)) {
        Ok(t) => Some(t),
        Err(ParseError::TooDeep) => {
            ch.fail(field, "is nested too deeply");
            None
        }
        Err(e) => {
            ch.fail(field, text!("is not valid JSON (", e.message(), ")"));
            None
        }
    }
}

/// The next value as a rule sees it. Scalars are read in place; an array or object where a
/// scalar belongs is read as a throwaway tree (an error path) for its type. Not inlined:
/// each caller's copy cost ~0.6 KB of wasm (docs/design.md, "prepare").
#[inline(never)]
pub(crate) fn scalar<'a>(sc: &mut Scanner<'a>) -> Result<Json<'a>, ParseError> {
    Ok(match sc.next_byte() {
        Some(b'"') => Json::Str(sc.string()?),
        Some(b'-' | b'0'..=b'9') => Json::Number(sc.number()?),
        _ => match sc.value()? {
            Value::Null => Json::Null,
            Value::Bool(_) => Json::Bool,
            Value::Number(n) => Json::Number(n),
            Value::Str(s) => Json::Str(s),
            Value::Array(_) => Json::Array,
            Value::Object(_) => Json::Object,
        },
    })
}

/// Whether the pass writes the body: only in builds that sign it (feature `signer`). The
/// browser build only checks (validation, `cartTotal`), and leaves the body writing out.
pub(crate) const WRITES_BODY: bool = cfg!(feature = "signer");

/// What the writer fills in rather than takes from the input.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fill<'c> {
    /// The body's `service_client_id` (the configuration's), and what one in the input must
    /// equal when given.
    pub client_id: Option<&'c str>,
    /// The timestamp of an input without one.
    pub now_ms: u64,
}

/// The members of one object as read for its table: each field's last value, by its index
/// in the table, and the keys that are not fields of the kind read, distinct and sorted.
pub(crate) struct Members<'a> {
    table: &'static [FieldRule],
    kind: u8,
    /// The text the members were read from.
    text: &'a str,
    /// Each field's value, by table index, with where its member (`"key":value`) lies in
    /// `text` when it was written with no whitespace and the key with no escape. A `Vec`
    /// rather than an array: its drop is one loop (an array's, unrolled, was ~0.9 KB of
    /// wasm).
    pub values: Vec<Option<(Json<'a>, Option<Span>)>>,
    pub unknown: Vec<Cow<'a, str>>,
}

/// Reads the value of a [`Rule::Lines`] member (it streams the array).
pub(crate) type ReadLines<'r, 'a> = &'r mut dyn FnMut(&mut Scanner<'a>) -> Result<Json<'a>, ParseError>;

/// Checks what was read for a [`Rule::Lines`] member (`None`: absent) and writes the array
/// into the body (after its key).
pub(crate) type WriteLines<'r> = &'r mut dyn FnMut(&mut Checker, Option<&Json<'_>>, &str, &mut String);

/// A member's place in the input: from its key's opening quote to the end of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl<'a> Members<'a> {
    /// For an object of `table`, read as `kind`.
    pub fn new(table: &'static [FieldRule], kind: u8) -> Self {
        let mut values = Vec::new();
        values.resize_with(table.len(), || None);
        Members { table, kind, text: "", values, unknown: Vec::new() }
    }

    pub fn clear(&mut self) {
        self.values.iter_mut().for_each(|v| *v = None);
        self.unknown.clear();
    }

    /// Read the members of the object [`Scanner::open`] just entered. A field whose rule
    /// is [`Rule::Lines`] is read by `lines`; every other field's value is kept as a
    /// [`Json`] scalar, and an unknown key's value is skipped. `lines` is `dyn`: one copy of
    /// this loop serves both tables (a generic one cost ~3 KB of wasm).
    pub fn read(&mut self, sc: &mut Scanner<'a>, lines: ReadLines<'_, 'a>) -> Result<(), ParseError> {
        let (table, kind) = (self.table, self.kind);
        self.text = sc.text();
        let is = |i: usize, k: &str| table.get(i).is_some_and(|f| f.kinds & kind != 0 && same(f.name, k));
        // Inputs mostly list their keys in table order (`JSON.stringify` of an object literal
        // written from the docs): the field after the last one found is expected first, and
        // its `"name":` matched in place without reading the key as a string.
        let mut next = 0;
        let mut more = sc.first_member();
        while more {
            let start = sc.pos();
            let expected = table.get(next).filter(|f| f.kinds & kind != 0).map(|f| f.name);
            let (at, key) = match expected {
                // Only where the body is written (speed); the browser build keeps the smaller path.
                Some(name) if WRITES_BODY && sc.eat_key(name) => (Some(next), None),
                _ => {
                    let k = sc.key()?;
                    ((0..table.len()).find(|&i| is(i, &k)), Some(k))
                }
            };
            let field = at.and_then(|i| Some((table.get(i)?, self.values.get_mut(i)?, i)));
            match (field, key) {
                (Some((f, slot, i)), key) => {
                    // The member as it stands: `"key":value` with no escape in the key (its
                    // text is its name) and no whitespace.
                    let colon = sc.pos();
                    let key_as_read = match key {
                        None => true,
                        Some(Cow::Borrowed(k)) => colon == start + k.len() + 3,
                        Some(Cow::Owned(_)) => false,
                    };
                    let first = sc.next_byte();
                    let plain = WRITES_BODY && key_as_read && sc.pos() == colon;
                    // Strings and numbers read here rather than through `scalar`: one result
                    // fewer passed through memory for every member.
                    let value = match first {
                        _ if matches!(f.rule, Rule::Lines) => lines(sc)?,
                        _ if !WRITES_BODY => scalar(sc)?, // the browser build: smaller
                        Some(b'"') => Json::Str(sc.string()?),
                        Some(b'-' | b'0'..=b'9') => Json::Number(sc.number()?),
                        _ => scalar(sc)?,
                    };
                    *slot = Some((value, plain.then(|| Span { start, end: sc.pos() })));
                    next = i + 1;
                }
                (None, Some(k)) => {
                    sc.value()?;
                    // Insertion into a sorted list: unknown keys are few (usually none), and
                    // `sort` would add ~9 KB of wasm.
                    if let Err(at) = self.unknown.binary_search(&k) {
                        self.unknown.insert(at, k);
                    }
                }
                (None, None) => sc.value().map(drop)?, // not reached: a key matched in place is a field
            }
            more = sc.next_member()?;
        }
        Ok(())
    }

    /// Check the members by their table, and write each field that passes into `w`, in table
    /// order: first an error for each unknown key, then each field's broken rules. A field's
    /// checked value lands in `checked` (by table index); `service_client_id` is written as
    /// [`Fill::client_id`], a missing timestamp as [`Fill::now_ms`], and a [`Rule::Lines`]
    /// field by `lines`. One function for the payment input and its product lines (not
    /// inlined: it is the one copy).
    #[inline(never)]
    pub fn check_and_write<'s>(
        &'s self,
        ch: &mut Checker,
        w: &mut ObjectWriter<'_>,
        fill: Fill<'_>,
        checked: &mut [Option<CheckedValue<'s>>],
        lines: WriteLines<'_>,
    ) {
        validate::unknown_fields(ch, &self.unknown, self.table, self.kind);
        // Members whose body text is their input text, not yet copied: in `self.text`, from
        // the first one's key to the last one's value. Why: consecutive such members (all of
        // a line whose keys come in table order) are copied in one piece, not written key by
        // key and value by value; each copy into wasm memory has a fixed cost (`memory.copy`
        // is a call out of wasm in V8) that dominated writing these short members.
        let mut run: Option<Span> = None;
        let flush = |run: &mut Option<Span>, w: &mut ObjectWriter<'_>| {
            if let Some(r) = run.take().filter(|_| WRITES_BODY) {
                w.raw_members(self.text.get(r.start..r.end).unwrap_or(""));
            }
        };
        for ((f, read), c) in self.table.iter().zip(&self.values).zip(checked.iter_mut()) {
            let (v, span) = match read {
                Some((v, span)) => (Some(v), *span),
                None => (None, None),
            };
            if f.kinds & self.kind == 0 {
                continue;
            }
            match f.rule {
                Rule::Lines => {
                    flush(&mut run, w);
                    lines(ch, v, f.name, w.key(f.name));
                }
                Rule::ClientId(_) => {
                    validate::check(ch, f.rule, v, f.name, fill.client_id);
                    flush(&mut run, w);
                    w.field(f.name, fill.client_id.unwrap_or(""));
                }
                rule => {
                    *c = match (rule, v) {
                        // The common case, valid text, checked here directly (the full rule,
                        // with its messages, runs only when this fails).
                        (Rule::Text(max, kind, _), Some(Json::Str(s)))
                            if validate::check_text(s, max, kind).is_ok() =>
                        {
                            Some(CheckedValue::Text(s))
                        }
                        _ => validate::check(ch, rule, v, f.name, fill.client_id),
                    };
                    if !WRITES_BODY {
                        continue;
                    }
                    let as_read = match (v, &c) {
                        (Some(v), Some(value)) if written_as_read(v, value) => span,
                        _ => None,
                    };
                    match (as_read, &mut run) {
                        // The next member of the input: the run grows over the comma.
                        (Some(s), Some(r))
                            if r.end + 1 == s.start && self.text.as_bytes().get(r.end) == Some(&b',') =>
                        {
                            r.end = s.end;
                        }
                        (Some(s), _) => {
                            flush(&mut run, w);
                            run = Some(s);
                        }
                        (None, _) => {
                            flush(&mut run, w);
                            match c {
                                Some(value) => {
                                    w.field(f.name, value);
                                }
                                None if matches!(rule, Rule::Timestamp) => {
                                    w.field(f.name, &fill.now_ms);
                                }
                                None => {}
                            }
                        }
                    }
                }
            }
        }
        flush(&mut run, w);
    }
}

/// Whether `value`, checked from `v`, is written exactly as `v` was read: a string with no
/// escape (so none to write either), a whole number in plain digits, or a price whose JSON
/// number text is already ECMAScript's (`2.5`, not `2.50`, `25e-1` or `"2.5"`).
fn written_as_read(v: &Json<'_>, value: &CheckedValue<'_>) -> bool {
    match (v, value) {
        (Json::Str(Cow::Borrowed(_)), CheckedValue::Text(_)) => true,
        (Json::Number(n), CheckedValue::Whole(_)) => n.bytes().all(|b| b.is_ascii_digit()),
        (Json::Number(n), CheckedValue::Money(_)) => is_es_price_text(n),
        _ => false,
    }
}

/// Whether the text of a JSON number that passed the price rules (non-negative, below 10^12,
/// at most 15 significant digits) is what `Money::write_price_json` writes for it: plain
/// digits, no trailing zero after a point, and not below 10^-6 (which ECMAScript writes
/// with an exponent). JSON numbers have no leading zeros.
fn is_es_price_text(n: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match n.bytes().position(|b| b == b'.') {
        None => digits(n),
        Some(point) => match (n.get(..point), n.get(point + 1..)) {
            (Some(int), Some(frac)) => {
                digits(int)
                    && digits(frac)
                    && !frac.ends_with('0')
                    && (int != "0" || frac.bytes().take_while(|&b| b == b'0').count() < 6)
            }
            _ => false,
        },
    }
}

/// `a == b` for a key and a field name (see [`crate::json::same_bytes`]).
fn same(a: &str, b: &str) -> bool {
    crate::json::same_bytes(a.as_bytes(), b.as_bytes())
}

/// A checked value as `JSON.stringify` prints it: text as a string, an amount as the nearest
/// JSON number (exact: prices have at most 15 significant digits; `Money::write_price_json`),
/// a whole number.
impl ToJson for CheckedValue<'_> {
    fn write_json(&self, out: &mut String) {
        match self {
            CheckedValue::Text(s) => write_str(out, s),
            CheckedValue::Money(m) => m.write_price_json(out),
            CheckedValue::Whole(n) => write_u64(out, *n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(text: &str) -> (Option<Json<'_>>, Vec<String>) {
        let mut ch = Checker::default();
        let v = read_document(&mut ch, text, "input", scalar);
        (v, ch.errors.into_iter().map(|e| e.message).collect())
    }

    #[test]
    fn input_json_problems_are_reported_on_the_field() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(read_one(&deep).1, ["is nested too deeply"]);
        let huge = format!("\"{}\"", "x".repeat(validate::MAX_INPUT_BYTES));
        assert!(read_one(&huge).1[0].starts_with("is too large"));
        assert_eq!(read_one("[1,]").1, ["is not valid JSON (expected a value at byte 3)"]);
        assert_eq!(read_one(" \"a\" x").1, ["is not valid JSON (trailing characters at byte 5)"]);
        assert_eq!(read_one(r#""\ud800""#).0, Some(Json::Str(Cow::Borrowed("\u{ffff}"))));
        assert_eq!(read_one(r#" {"a":[1]} "#).0, Some(Json::Object));
        assert_eq!(read_one("-0.5e3").0, Some(Json::Number("-0.5e3")));
    }

    #[test]
    fn members_keep_the_last_value_and_sort_unknown_keys() {
        const T: &[FieldRule] = &[
            FieldRule { name: "a", rule: Rule::Price, kinds: 1 },
            FieldRule { name: "b", rule: Rule::Price, kinds: 2 },
        ];
        let text = r#"{"z":{"x":[]},"a":1,"b":2,"a":"3","y":null,"z":0}"#;
        let mut ch = Checker::default();
        let mut m = Members::new(T, 1);
        read_document(&mut ch, text, "input", |sc| {
            sc.next_byte();
            sc.open()?;
            m.read(sc, &mut scalar)
        })
        .unwrap();
        assert!(ch.is_ok());
        assert_eq!(m.values[0].as_ref().map(|(v, _)| v), Some(&Json::Str(Cow::Borrowed("3"))));
        assert_eq!(m.values[1], None, "b is not a field of kind 1");
        assert_eq!(m.unknown, ["b", "y", "z"]);
    }
}
