//! The one JSON reader of the core: everything JSON that enters it is read here. Coinbar's
//! responses and callbacks are parsed into a borrowed tree ([`parse`]) and read from it by the
//! response rule tables ([`super::read`]); the merchant's payment inputs and `cartTotal`'s
//! products are read member by member with the same grammar through `Scanner`, with no
//! tree, by the single pass of `input.rs` that checks and writes each field as it goes.
//!
//! - Strings borrow the text when they hold no escape; escapes are decoded into an owned
//!   string. Numbers are the exact text sent (every digit of an amount is kept).
//! - Duplicate keys: the last one wins (as `JSON.parse`).
//! - Nesting: at most 127 levels, as serde_json (which this reader replaced; the fuzz
//!   oracles still parse with it and expect the same documents to be accepted).
//! - Unpaired UTF-16 surrogate escapes (`\ud800`): JS strings may hold them and
//!   `JSON.stringify` writes them as such escapes, but they are not Unicode text. Merchant
//!   input reads each as U+FFFF ([`Surrogates::Mark`]), which the validator refuses naming
//!   the field; Coinbar's answers with one are not valid JSON ([`Surrogates::Refuse`]).
//!
//! Hand-written because no small crate does all of this: serde_json costs tens of KB of
//! wasm (its `Value`, derive code and error formatting), and `serde-json-core` / `miniserde`
//! can neither keep number texts, nor borrow unescaped strings, nor mark lone surrogates.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::borrow::Cow;

/// One JSON value, borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// The number's exact text (`1e-7`, `0.00045145423250897323`).
    Number(&'a str),
    /// Borrowed: the text between the quotes as it stands, which then holds no escape, no
    /// quote and no control character (`Scanner::string`), so the answers' writer copies
    /// it without escaping (`model::object::JsonOut`).
    Str(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Obj<'a>),
}

/// A JSON object: its members in document order (duplicates kept; [`Obj::get`] takes the last).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj<'a> {
    members: Vec<(Cow<'a, str>, Value<'a>)>,
}

impl<'a> Value<'a> {
    /// The JSON type, for error messages (`got string`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The type name of a field that may be absent (`got nothing`).
pub fn type_of(v: Option<&Value<'_>>) -> &'static str {
    v.map_or("nothing", Value::type_name)
}

impl<'a> Obj<'a> {
    /// The value of `key` (the last one when the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        // `same_bytes`, not `==`: `==` on `str` calls `memcmp` (a call per member in wasm).
        self.members.iter().rev().find(|(k, _)| super::same_bytes(k.as_bytes(), key.as_bytes())).map(|(_, v)| v)
    }

    /// The distinct keys for which `keep` holds, sorted. An insertion sort: the keys kept are
    /// the few unknown ones of an input (usually none), and `sort` would add ~9 KB of wasm.
    pub fn keys_sorted(&self, keep: impl Fn(&str) -> bool) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in &self.members {
            let k = k.as_ref();
            if keep(k) {
                if let Err(at) = keys.binary_search(&k) {
                    keys.insert(at, k);
                }
            }
        }
        keys
    }

    /// A non-empty string member (for error texts).
    pub fn non_empty_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }
}

/// What to do with an unpaired surrogate escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surrogates {
    /// Read it as U+FFFF (merchant input: the validator then names the field).
    Mark,
    /// Refuse the document.
    Refuse,
}

/// Why a text is not a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nested deeper than 127 arrays and objects.
    TooDeep,
    /// Not JSON: what was wrong, and the byte offset.
    Syntax(&'static str, usize),
}

impl ParseError {
    /// What is wrong, for an error message (`expected ':' at byte 7`).
    pub fn message(&self) -> String {
        match self {
            ParseError::TooDeep => String::from("nested too deeply"),
            ParseError::Syntax(what, at) => crate::text::text!(*what, " at byte ", *at),
        }
    }
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Deepest nesting accepted (serde_json's limit: its 128th level is an error).
const MAX_DEPTH: usize = 127;

/// Parse one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str, surrogates: Surrogates) -> Result<Value<'_>, ParseError> {
    let mut p = Scanner::new(text, surrogates);
    let v = p.value()?;
    p.end()?;
    Ok(v)
}

/// A cursor over one JSON document: [`parse`] builds its tree with it, and a reader that
/// acts on each member as it comes uses it directly, through `open`, `first_key` /
/// `next_key`, `first_item` / `next_item`, `string`, `number` and `value` (which builds a
/// subtree, for values the reader only needs the type of). Both see the same grammar, the
/// same nesting limit and the same error at the same byte.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    surrogates: Surrogates,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str, surrogates: Surrogates) -> Self {
        Scanner { text, bytes: text.as_bytes(), at: 0, depth: 0, surrogates }
    }

    /// The offset of the next byte to read.
    pub(crate) fn pos(&self) -> usize {
        self.at
    }

    /// The whole text read.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// After the document: only whitespace may follow.
    pub(crate) fn end(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if self.at != self.bytes.len() {
            return Err(self.err("trailing characters"));
        }
        Ok(())
    }

    /// The first byte of the next value (after whitespace), without reading it.
    pub(crate) fn next_byte(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek()
    }

    /// Enter the array or object whose `[` or `{` [`Scanner::next_byte`] just returned.
    pub(crate) fn open(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        self.at += 1;
        Ok(())
    }

    /// Right after [`Scanner::open`] of an object: its first key (with the `:` read), or
    /// `None` for `{}`.
    pub(crate) fn first_key(&mut self) -> Result<Option<Cow<'a, str>>, ParseError> {
        if !self.first_member() {
            return Ok(None);
        }
        self.key().map(Some)
    }

    /// After a member's value: the next key, or `None` at the closing `}`.
    pub(crate) fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, ParseError> {
        if !self.next_member()? {
            return Ok(None);
        }
        self.key().map(Some)
    }

    /// Right after [`Scanner::open`] of an object: whether a member follows (else `{}`),
    /// with the next byte its key's (after whitespace). What [`Scanner::first_key`] reads,
    /// for a reader that first tries [`Scanner::eat_key`] (then [`Scanner::key`]).
    pub(crate) fn first_member(&mut self) -> bool {
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.close();
            return false;
        }
        true
    }

    /// After a member's value: whether another member follows (its key next, as for
    /// [`Scanner::first_member`]), or the object closed.
    pub(crate) fn next_member(&mut self) -> Result<bool, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                self.skip_ws();
                Ok(true)
            }
            Some(b'}') => {
                self.close();
                Ok(false)
            }
            _ => Err(self.err("expected `,` or `}`")),
        }
    }

    /// Where a key is next: read `"name":` if exactly that follows (the key `name` with no
    /// escape and no whitespace before its colon) and say so; else read nothing. `name` is a
    /// plain ASCII field name.
    pub(crate) fn eat_key(&mut self, name: &str) -> bool {
        let n = name.len();
        let here = self.bytes.get(self.at..).unwrap_or(&[]);
        let found = here.first() == Some(&b'"')
            && here.get(1..=n).is_some_and(|k| super::same_bytes(k, name.as_bytes()))
            && here.get(n + 1) == Some(&b'"')
            && here.get(n + 2) == Some(&b':'); // bytes, not a 2-byte slice `==` (a memcmp call)
        if found {
            self.at += n + 3;
        }
        found
    }

    /// Right after [`Scanner::open`] of an array: whether an item follows (else `[]`).
    pub(crate) fn first_item(&mut self) -> bool {
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.close();
            return false;
        }
        true
    }

    /// After an item: whether another follows, or the array closed.
    pub(crate) fn next_item(&mut self) -> Result<bool, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b']') => {
                self.close();
                Ok(false)
            }
            _ => Err(self.err("expected `,` or `]`")),
        }
    }

    fn close(&mut self) {
        self.at += 1;
        self.depth -= 1;
    }

    pub(crate) fn key(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a key"));
        }
        let key = self.string()?;
        self.skip_ws();
        self.eat(b':', "expected `:`")?;
        Ok(key)
    }

    fn err(&self, what: &'static str) -> ParseError {
        ParseError::Syntax(what, self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8, what: &'static str) -> Result<(), ParseError> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn literal(&mut self, word: &'static str, v: Value<'a>) -> Result<Value<'a>, ParseError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a value"))
        }
    }

    /// The next value as a tree.
    pub(crate) fn value(&mut self) -> Result<Value<'a>, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => self.string().map(Value::Str),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) => Err(self.err("expected a value")),
            None => Err(self.err("unexpected end")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Value<'a>, ParseError>) -> Result<Value<'a>, ParseError> {
        self.open()?; // `[` or `{`
        f(self)
    }

    fn array(&mut self) -> Result<Value<'a>, ParseError> {
        let mut items = Vec::new();
        let mut more = self.first_item();
        while more {
            items.push(self.value()?);
            more = self.next_item()?;
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value<'a>, ParseError> {
        // Room for a typical Coinbar object's members at once (growing from 4 reallocated
        // the callback's twice).
        let mut members = Vec::with_capacity(16);
        let mut key = self.first_key()?;
        while let Some(k) = key {
            let v = self.value()?;
            members.push((k, v));
            key = self.next_key()?;
        }
        Ok(Value::Object(Obj { members }))
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its text.
    pub(crate) fn number(&mut self) -> Result<&'a str, ParseError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.at += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.err("invalid number"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        self.text.get(start..self.at).ok_or(ParseError::Syntax("invalid number", start))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.bytes.get(at..at + 4)?;
        h.iter().try_fold(0u32, |acc, &b| Some(acc * 16 + char::from(b).to_digit(16)?))
    }

    /// A string starting at the opening quote. Not inlined: it is called from four places
    /// (~2 KB of wasm each).
    #[inline(never)]
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let start = self.at + 1;
        self.at = super::plain_end(self.bytes, start);
        // The common case: no escape, borrowed as it stands.
        if self.peek() == Some(b'"') {
            let s = self.text.get(start..self.at).ok_or(ParseError::Syntax("invalid string", start))?;
            self.at += 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::new();
        let mut run = start;
        loop {
            match self.peek() {
                Some(b'"') => {
                    out.push_str(self.text.get(run..self.at).unwrap_or(""));
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..self.at).unwrap_or(""));
                    self.escape(&mut out)?;
                    run = self.at;
                    self.at = super::plain_end(self.bytes, run);
                }
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    /// One escape sequence starting at the backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let c = match self.bytes.get(self.at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4(self.at + 2).ok_or(self.err("invalid \\u escape"))?;
                self.at += 6;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        let low = match (self.bytes.get(self.at..self.at + 2), self.hex4(self.at + 2)) {
                            (Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => Some(lo),
                            _ => None,
                        };
                        match low {
                            Some(lo) => {
                                self.at += 6;
                                char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (lo - 0xDC00))
                            }
                            None => None,
                        }
                    }
                    _ => char::from_u32(unit),
                };
                match (c, self.surrogates) {
                    (Some(c), _) => out.push(c),
                    (None, Surrogates::Mark) => out.push(crate::json::LONE_SURROGATE_MARK),
                    (None, Surrogates::Refuse) => return Err(self.err("unpaired surrogate escape")),
                }
                return Ok(());
            }
            _ => return Err(self.err("invalid escape")),
        };
        out.push(c);
        self.at += 2;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value<'_>, ParseError> {
        parse(s, Surrogates::Refuse)
    }

    #[test]
    fn reads_values_borrowing_plain_strings() {
        let v = p(r#" {"a":[1,-0.5e+3,true,false,null],"b":"x","c":{"d":"e\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}} "#)
            .unwrap();
        let Value::Object(o) = v else { panic!() };
        assert_eq!(
            o.get("a").unwrap(),
            &Value::Array(vec![
                Value::Number("1"),
                Value::Number("-0.5e+3"),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null
            ])
        );
        assert!(matches!(o.get("b"), Some(Value::Str(Cow::Borrowed("x")))));
        let Some(Value::Object(c)) = o.get("c") else { panic!() };
        assert_eq!(c.get("d").and_then(Value::as_str), Some("e\"\\/\u{8}\u{c}\n\r\té😀"));
    }

    #[test]
    fn last_duplicate_wins_and_keys_are_sorted_once() {
        let Value::Object(o) = p(r#"{"b":1,"a":2,"b":3}"#).unwrap() else { panic!() };
        assert_eq!(o.get("b"), Some(&Value::Number("3")));
        assert_eq!(o.keys_sorted(|_| true), ["a", "b"]);
        assert_eq!(o.keys_sorted(|k| k != "a"), ["b"]);
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\u{1}\"",
            "[1] x",
            "{'a':1}",
            "NaN",
            "\u{feff}{}",
            "[1 2]",
        ] {
            assert!(matches!(p(bad), Err(ParseError::Syntax(..))), "{bad:?}");
        }
    }

    #[test]
    fn lone_surrogates_are_marked_or_refused() {
        for (text, marked) in [
            (r#""\ud800""#, "\u{ffff}"),
            (r#""x\udc00y""#, "x\u{ffff}y"),
            (r#""\ud800\ud800\udc00""#, "\u{ffff}\u{10000}"),
            (r#""\ud800\u0041""#, "\u{ffff}A"),
            (r#""\\ud800""#, "\\ud800"),
        ] {
            assert_eq!(parse(text, Surrogates::Mark).unwrap().as_str(), Some(marked), "{text}");
            assert_eq!(p(text).is_ok(), !marked.contains('\u{ffff}'), "{text}");
        }
    }

    #[test]
    fn nesting_stops_at_serde_jsons_limit() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(p(&deep(127)).is_ok());
        assert_eq!(p(&deep(128)), Err(ParseError::TooDeep));
        assert_eq!(p(&deep(100_000)), Err(ParseError::TooDeep));
    }
}
