//! A Coinbar object read by its rule table, handed to JS as tokens instead of JSON: each value
//! the walk keeps, in table order, followed by a NUL, after a `\u{2}` marker. The shell builds
//! the object from them with a function generated from the same declaration
//! (`pkg/src/objects.js`, rendered by [`super::js`]), so no rule lives in JS: the tokens are
//! the values this side decided, and the order is the declaration's.
//!
//! Why: for a ~1 KB callback event, `JSON.parse` of the JSON form takes ~7 µs in Node, splitting
//! the tokens and assigning them ~2 µs (bench/README.md, "Tokens instead of JSON"). The core
//! also writes less: no keys, no escapes.
//!
//! The tokens, for each field of the table:
//! - text, date, amount: the value (an amount as its exact decimal text);
//! - status: the status (canonical when documented), then `1`/`0` for `is_final` and `is_paid`;
//! - an object: `o`, then its fields; a list: `[`, then `o` and the fields of each item, then `]`;
//! - a flattened table: its fields, in place;
//! - absent (optional): [`NULL`]; a field whose absent value is the empty one gets it written
//!   out (`""`, `[` `]`, or `o` and each member absent).
//!
//! A text that holds a NUL or is exactly [`NULL`] cannot be a token: the answer then crosses
//! as JSON instead (the shell's builder takes either), so any text Coinbar sends reads the same.

#[allow(unused_imports)]
use crate::prelude::*;

use super::{walk, Absent, Field, Nest, Path, Shape, Sink};
use crate::error::Error;
use crate::json::read::Obj;
use crate::model::status::PaymentStatus;
use crate::money;

/// The first character of a token answer (a JSON answer starts with `{`; an error with NUL).
pub const MARK: char = '\u{2}';
/// Ends each token.
pub const END: char = '\0';
/// The token of an absent field.
pub const NULL: &str = "\u{1}";

/// The [`Sink`] that writes tokens.
pub(crate) struct TokenOut {
    out: String,
    /// No text so far is a NUL-holding or [`NULL`]-equal string (else: answer as JSON).
    clean: bool,
}

impl TokenOut {
    pub(crate) fn new(capacity: usize) -> TokenOut {
        let mut out = String::with_capacity(capacity);
        out.push(MARK);
        TokenOut { out, clean: true }
    }

    /// The fields of `obj` read by `table` (the first broken rule is the error).
    pub(crate) fn walk(&mut self, obj: &Obj<'_>, table: &'static [Field]) -> Result<(), Error> {
        walk(obj, table, &Path::ROOT, self)
    }

    /// A text the SDK adds after the fields (an `object!` extra, e.g. `idempotency_key`).
    pub(crate) fn extra(&mut self, value: &str) {
        self.text_token(value);
    }

    /// The tokens, or `None` when a text could not be one (answer as JSON then).
    pub(crate) fn finish(self) -> Option<String> {
        self.clean.then_some(self.out)
    }

    fn token(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push(END);
    }

    fn text_token(&mut self, s: &str) {
        if s == NULL || s.as_bytes().contains(&0) {
            self.clean = false;
        }
        self.token(s);
    }

    fn flag(&mut self, b: bool) {
        self.token(if b { "1" } else { "0" });
    }
}

impl Sink for TokenOut {
    fn text(&mut self, _: &Field, s: &str, _: bool) {
        self.text_token(s);
    }
    fn status(&mut self, _: &Field, s: &str, _: bool) {
        let status = PaymentStatus::parse(s);
        match status {
            PaymentStatus::Unknown(_) => self.text_token(s),
            ref known => self.token(known.as_str()),
        }
        self.flag(status.is_final());
        self.flag(status.is_paid());
    }
    fn amount(&mut self, _: &Field, raw: &str) -> bool {
        // A decimal is digits, `-` and `.`: always a token.
        let ok = money::push_decimal_text(&mut self.out, raw).is_ok();
        self.out.push(END);
        ok
    }
    fn absent(&mut self, f: &Field) {
        match (f.absent, f.shape) {
            (Absent::Null | Absent::Omit, _) => self.token(NULL),
            (Absent::Empty, Shape::Object(t) | Shape::Flat(t)) => self.empty_object(f.name, t),
            (Absent::Empty, Shape::List(_)) => {
                self.open_list(f.name);
                self.close_list();
            }
            (Absent::Empty, _) => self.token(""),
        }
    }
    fn open(&mut self, at: Nest, _: &'static [Field]) {
        if !matches!(at, Nest::Flat) {
            self.token("o");
        }
    }
    fn close(&mut self, _: Nest) {}
    fn open_list(&mut self, _: &'static str) {
        self.token("[");
    }
    fn close_list(&mut self) {
        self.token("]");
    }
}
