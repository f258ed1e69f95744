//! A Coinbar object (an answer, a callback, or one of their nested objects): its declaration
//! (`object!`: the Rust struct, the rule table and, checked by `cargo test`, the TypeScript
//! interface in `pkg/types/index.d.ts`, all from one list of fields), reading it by its rule
//! table ([`read`]: every field checked, the first broken rule a `decode` error naming the
//! field's path) and writing what was read as the JSON handed to JS ([`answer_json`]).

#[allow(unused_imports)]
use crate::prelude::*;

use super::status::PaymentStatus;
use crate::error::Error;
use alloc::borrow::Cow;

use crate::json::read::{self as view, Obj, Value};
use crate::json::{write_str, ToJson};
use crate::money;
use crate::text::text;

/// What one field of a Coinbar answer must hold: the shape part of a response rule table.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
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
pub enum Absent {
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
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
    pub absent: Absent,
}

/// A field that must be present.
pub const fn req(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: true, absent: Absent::Null }
}

/// A field that may be absent or `null` (written as `null` then; a list as `[]`).
pub const fn opt(name: &'static str, shape: Shape) -> Field {
    let absent = if matches!(shape, Shape::List(_)) { Absent::Empty } else { Absent::Null };
    Field { name, shape, required: false, absent }
}

impl Field {
    /// Write `absent` instead of `null` when the field is absent.
    pub const fn or(self, absent: Absent) -> Field {
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
pub enum Val {
    Absent,
    Text(String),
    Object(Decoded),
    List(Vec<Decoded>),
}

/// A Coinbar object decoded by its rule table: the value of each field, in table order.
pub struct Decoded {
    pub(crate) table: &'static [Field],
    pub(crate) values: Vec<Val>,
}

impl Decoded {
    /// An object with none of the table's fields.
    pub fn empty(table: &'static [Field]) -> Decoded {
        Decoded { table, values: Vec::new() }
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
    pub fn child(&self, name: &str) -> Option<&Decoded> {
        self.table.iter().zip(&self.values).find_map(|(f, v)| match v {
            Val::Object(g) if f.name == name => Some(g),
            _ => None,
        })
    }

    /// The values, in table order (the generated `from_decoded` takes them one by one).
    pub fn into_values(self) -> alloc::vec::IntoIter<Val> {
        self.values.into_iter()
    }

    /// A list field by name (empty when absent), taken out of the object.
    pub fn take_list(&mut self, name: &str) -> Vec<Decoded> {
        let at = self.table.iter().position(|f| f.name == name);
        match at.and_then(|i| self.values.get_mut(i)).map(|v| core::mem::replace(v, Val::Absent)) {
            Some(Val::List(items)) => items,
            _ => Vec::new(),
        }
    }
}

impl ToJson for Decoded {
    fn write_json(&self, out: &mut String) {
        // The writer owns its `String`: lend it `out` (a move, no copy) and take it back.
        let mut w = JsonOut { out: core::mem::take(out), first: true };
        w.out.push('{');
        w.replay(self);
        *out = w.finish();
    }
}

/// An answer read by `table`, as the JSON handed to JS: `{"result":"success", …}` when
/// `result` (the calls whose answers carry one), then the table's fields.
pub fn answer_json(g: &Decoded, result: bool, extra: Option<(&str, &str)>) -> String {
    let mut w = JsonOut::new(512, result);
    w.replay(g);
    if let Some((name, value)) = extra {
        w.member(name, value);
    }
    w.finish()
}

/// What [`read`] reads, written straight into the JSON handed to JS as [`answer_json`] would
/// write it (no [`Decoded`]); `size_hint`: the answer's length in bytes.
pub fn read_json(obj: &Obj<'_>, table: &'static [Field], result: bool, size_hint: usize) -> Result<String, Error> {
    let mut w = JsonOut::new(size_hint, result);
    w.walk(obj, table)?;
    Ok(w.finish())
}

/// Where [`read`] puts what passes each rule: [`Build`] keeps it as a [`Decoded`] (the typed
/// Rust layer), [`JsonOut`] writes it straight into the JSON handed to JS. The walk alone
/// decides what each shape accepts; a sink only keeps or writes what it is handed.
pub(crate) trait Sink {
    /// A string or date field as read; `plain`: `s` needs no JSON escape.
    fn text(&mut self, f: &Field, s: &str, plain: bool);
    /// A status field as sent; `plain` as for [`Sink::text`].
    fn status(&mut self, f: &Field, s: &str, plain: bool);
    /// An amount field: the text of a number or of a numeric string. `false` (and nothing
    /// kept) when it is not a decimal [`money::decimal_text`] accepts.
    fn amount(&mut self, f: &Field, raw: &str) -> bool;
    /// An optional field that is absent or `null`.
    fn absent(&mut self, f: &Field);
    /// The members of an object read by `table` follow, until [`Sink::close`].
    fn open(&mut self, at: Nest, table: &'static [Field]);
    fn close(&mut self, at: Nest);
    /// A list field's items follow (each an [`Nest::Item`] object), until [`Sink::close_list`].
    fn open_list(&mut self, name: &'static str);
    fn close_list(&mut self);
    /// An absent field whose absent value is the empty object: the object named `name` with
    /// every member of `table` absent (what the JSON form and the tokens both write).
    fn empty_object(&mut self, name: &'static str, table: &'static [Field]) {
        self.open(Nest::Member(name), table);
        for g in table {
            self.absent(g);
        }
        self.close(Nest::Member(name));
    }
}

/// Where an object being read sits.
#[derive(Clone, Copy)]
pub(crate) enum Nest {
    /// The value of the field so named.
    Member(&'static str),
    /// A flattened table: its fields are the enclosing object's members.
    Flat,
    /// An item of the list being read.
    Item,
}

/// Whether a string as read needs no JSON escape: a borrowed string is the text between the
/// quotes as it stands (`Scanner::string` borrows only when there is no escape, and refuses
/// control characters), so it holds no `"`, `\` or control character.
#[allow(clippy::ptr_arg)] // the `Cow` itself is the point: borrowed or owned
fn plain(s: &Cow<'_, str>) -> bool {
    matches!(s, Cow::Borrowed(_))
}

/// The one walk behind [`read`] and [`read_json`]: every response, the callback and their
/// nested objects. Every field of `table` is checked in table order and handed to `sink`;
/// the first broken rule is the error.
/// `dyn`: one copy of the walk for both sinks (a copy per sink cost ~0.9 KB gzip of wasm).
fn walk(obj: &Obj<'_>, table: &'static [Field], at: &Path<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    for f in table {
        let here = Path { parent: Some(at), key: f.name, index: None };
        // A flattened table is no member: no lookup (a scan of every member) for it.
        let v = if matches!(f.shape, Shape::Flat(_)) { None } else { obj.get(f.name) };
        let ok = match (f.shape, v) {
            (Shape::Flat(t), _) => {
                sink.open(Nest::Flat, t);
                walk(obj, t, at, sink)?;
                sink.close(Nest::Flat);
                true
            }
            (_, None | Some(Value::Null)) if !f.required => {
                sink.absent(f);
                true
            }
            (Shape::Str | Shape::Date, Some(Value::Str(s))) => {
                sink.text(f, s, plain(s));
                true
            }
            (Shape::Status, Some(Value::Str(s))) => {
                sink.status(f, s, plain(s));
                true
            }
            (Shape::Amount, Some(Value::Number(s))) => sink.amount(f, s),
            (Shape::Amount, Some(Value::Str(s))) => sink.amount(f, s),
            (Shape::Date, Some(Value::Object(o))) => match o.get("$date") {
                Some(Value::Str(s)) => {
                    sink.text(f, s, plain(s));
                    true
                }
                // The number's text, with a lowercase exponent mark (`1E5` → `1e5`), as the
                // serde_json reader before this one gave it (found by fuzzing).
                Some(Value::Number(n)) => {
                    sink.text(f, &n.replace('E', "e"), true);
                    true
                }
                _ => false,
            },
            (Shape::Object(t), Some(Value::Object(o))) => {
                sink.open(Nest::Member(f.name), t);
                walk(o, t, &here, sink)?;
                sink.close(Nest::Member(f.name));
                true
            }
            (Shape::List(t), Some(Value::Array(items))) => {
                sink.open_list(f.name);
                for (i, item) in items.iter().enumerate() {
                    let slot = Path { index: Some(i), ..here };
                    let Value::Object(o) = item else { return Err(wrong(&slot, Some(item), "an object")) };
                    sink.open(Nest::Item, t);
                    walk(o, t, &slot, sink)?;
                    sink.close(Nest::Item);
                }
                sink.close_list();
                true
            }
            _ => false,
        };
        if !ok {
            return Err(wrong(&here, v, f.shape.expected(f.required)));
        }
    }
    Ok(())
}

/// The [`Sink`] of the typed layer: a [`Decoded`] per object, a `String` per text field.
struct Build {
    /// The objects and lists being read, innermost last.
    frames: Vec<Frame>,
}

enum Frame {
    Object(&'static [Field], Vec<Val>),
    List(Vec<Decoded>),
}

impl Build {
    fn put(&mut self, v: Val) {
        if let Some(Frame::Object(_, values)) = self.frames.last_mut() {
            values.push(v);
        }
    }
}

impl Sink for Build {
    fn text(&mut self, _: &Field, s: &str, _: bool) {
        self.put(Val::Text(s.to_string()));
    }
    fn status(&mut self, _: &Field, s: &str, _: bool) {
        self.put(Val::Text(s.to_string()));
    }
    fn amount(&mut self, _: &Field, raw: &str) -> bool {
        match money::decimal_text(raw) {
            Ok(s) => {
                self.put(Val::Text(s));
                true
            }
            Err(_) => false,
        }
    }
    fn absent(&mut self, _: &Field) {
        self.put(Val::Absent);
    }
    fn open(&mut self, _: Nest, table: &'static [Field]) {
        self.frames.push(Frame::Object(table, Vec::with_capacity(table.len())));
    }
    fn close(&mut self, _: Nest) {
        let Some(Frame::Object(table, values)) = self.frames.pop() else { return };
        let d = Decoded { table, values };
        match self.frames.last_mut() {
            Some(Frame::List(items)) => items.push(d),
            _ => self.put(Val::Object(d)),
        }
    }
    fn open_list(&mut self, _: &'static str) {
        self.frames.push(Frame::List(Vec::new()));
    }
    fn close_list(&mut self) {
        if let Some(Frame::List(items)) = self.frames.pop() {
            self.put(Val::List(items));
        }
    }
}

/// The [`Sink`] that writes the JSON handed to JS, byte for byte what `JSON.stringify`
/// prints: members in table order; a status followed by `is_final` and `is_paid`; an absent
/// field as its [`Absent`] says.
pub(crate) struct JsonOut {
    out: String,
    /// No member written yet in the innermost object or list.
    first: bool,
}

impl JsonOut {
    /// An object, with `"result":"success"` first when `result`.
    pub(crate) fn new(capacity: usize, result: bool) -> JsonOut {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        let mut w = JsonOut { out, first: true };
        if result {
            w.member("result", "success");
        }
        w
    }

    /// The members of `obj` read by `table` (the first broken rule is the error).
    pub(crate) fn walk(&mut self, obj: &Obj<'_>, table: &'static [Field]) -> Result<(), Error> {
        walk(obj, table, &Path::ROOT, self)
    }

    /// A string member.
    pub(crate) fn member(&mut self, name: &str, value: &str) {
        self.key(name);
        write_str(&mut self.out, value);
    }

    /// The object, closed.
    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }

    fn key(&mut self, name: &str) {
        self.out.push_str(if self.first { "\"" } else { ",\"" });
        self.first = false;
        self.out.push_str(name);
        self.out.push_str("\":");
    }

    fn string(&mut self, s: &str, plain: bool) {
        if plain {
            // Nothing to escape (see `plain`): one copy instead of `write_str`'s byte loop.
            self.out.push('"');
            self.out.push_str(s);
            self.out.push('"');
        } else {
            write_str(&mut self.out, s);
        }
    }

    fn bool(&mut self, name: &str, b: bool) {
        self.key(name);
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// Write what [`read`] read (its texts as kept: escaped again).
    fn replay(&mut self, d: &Decoded) {
        for (i, f) in d.table.iter().enumerate() {
            match (f.shape, d.values.get(i).unwrap_or(&Val::Absent)) {
                (Shape::Flat(t), Val::Object(g)) => {
                    self.open(Nest::Flat, t);
                    self.replay(g);
                    self.close(Nest::Flat);
                }
                (Shape::Status, Val::Text(s)) => self.status(f, s, false),
                (_, Val::Text(s)) => self.text(f, s, false),
                (_, Val::Object(g)) => {
                    self.open(Nest::Member(f.name), g.table);
                    self.replay(g);
                    self.close(Nest::Member(f.name));
                }
                (_, Val::List(items)) => {
                    self.open_list(f.name);
                    for g in items {
                        self.open(Nest::Item, g.table);
                        self.replay(g);
                        self.close(Nest::Item);
                    }
                    self.close_list();
                }
                (_, Val::Absent) => self.absent(f),
            }
        }
    }
}

impl Sink for JsonOut {
    fn text(&mut self, f: &Field, s: &str, plain: bool) {
        self.key(f.name);
        self.string(s, plain);
    }
    fn status(&mut self, f: &Field, s: &str, plain: bool) {
        let status = PaymentStatus::parse(s);
        self.key(f.name);
        match status {
            PaymentStatus::Unknown(_) => self.string(s, plain),
            ref known => self.string(known.as_str(), true),
        }
        self.bool("is_final", status.is_final());
        self.bool("is_paid", status.is_paid());
    }
    fn amount(&mut self, f: &Field, raw: &str) -> bool {
        self.key(f.name);
        // A decimal is digits, `-` and `.`: nothing to escape.
        self.out.push('"');
        let ok = money::push_decimal_text(&mut self.out, raw).is_ok();
        self.out.push('"');
        ok
    }
    fn absent(&mut self, f: &Field) {
        match (f.absent, f.shape) {
            (Absent::Omit, _) => {}
            (Absent::Null, _) => {
                self.key(f.name);
                self.out.push_str("null");
            }
            (Absent::Empty, Shape::Object(t) | Shape::Flat(t)) => self.empty_object(f.name, t),
            (Absent::Empty, Shape::List(_)) => {
                self.key(f.name);
                self.out.push_str("[]");
            }
            (Absent::Empty, _) => {
                self.key(f.name);
                self.out.push_str("\"\"");
            }
        }
    }
    fn open(&mut self, at: Nest, _: &'static [Field]) {
        match at {
            Nest::Flat => return,
            Nest::Member(name) => self.key(name),
            Nest::Item if !self.first => self.out.push(','),
            Nest::Item => {}
        }
        self.out.push('{');
        self.first = true;
    }
    fn close(&mut self, at: Nest) {
        if !matches!(at, Nest::Flat) {
            self.out.push('}');
            self.first = false;
        }
    }
    fn open_list(&mut self, name: &'static str) {
        self.key(name);
        self.out.push('[');
        self.first = true;
    }
    fn close_list(&mut self) {
        self.out.push(']');
        self.first = false;
    }
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
    const ROOT: Path<'static> = Path { parent: None, key: "", index: None };

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
            crate::text::write_u64(out, i as u64);
            out.push(']');
        }
    }
}

/// Read a Coinbar answer (or one of its objects) by its rule table. Every field of the table
/// is checked in table order; the first broken rule is the `decode` error, naming the field
/// by its full path (`payment_detail.coin_change`).
pub fn read(obj: &Obj<'_>, table: &'static [Field]) -> Result<Decoded, Error> {
    let mut b = Build { frames: Vec::with_capacity(4) };
    b.open(Nest::Flat, table);
    walk(obj, table, &Path::ROOT, &mut b)?;
    match b.frames.pop() {
        Some(Frame::Object(table, values)) => Ok(Decoded { table, values }),
        _ => Ok(Decoded::empty(table)),
    }
}

/// The error of a wrongly typed field.
#[cold]
#[inline(never)]
fn wrong(at: &Path<'_>, got: Option<&Value<'_>>, expected: &str) -> Error {
    let mut path = String::new();
    at.render(&mut path);
    let got = view::type_of(got);
    Error::decode(text!("response field `", path, "` must be ", expected, " (got ", got, ")"))
}

/// The `result` member of the answers that carry one: always `"success"` once read (any other
/// is an `api` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Success;

/// A type declared by `object!`: its rule table, and the typed value from what it read.
pub trait Declared: Sized {
    /// The rule table: one entry per declared field, in declaration order.
    const TABLE: &'static [Field];
    /// The typed value of what [`read`] read by [`Declared::TABLE`] (its values in table order:
    /// the declaration made both, so each value is the field's).
    fn from_decoded(d: Decoded) -> Self;
}

/// A declared field's value, from its [`Val`], by the field's presence and shape (see
/// `object!`). Public for the macro only.
pub mod take {
    #[allow(unused_imports)]
    use crate::prelude::*;

    use super::{Declared, Decoded, Val};
    use crate::model::status::PaymentStatus;

    pub fn text(v: Val) -> Option<String> {
        match v {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn string(v: Val) -> String {
        text(v).unwrap_or_default()
    }
    pub fn status(v: Val) -> PaymentStatus {
        PaymentStatus::parse(&string(v))
    }
    pub fn object<T: Declared>(v: Val) -> Option<T> {
        match v {
            Val::Object(d) => Some(T::from_decoded(d)),
            _ => None,
        }
    }
    pub fn object_or_empty<T: Declared>(v: Val) -> T {
        object(v).unwrap_or_else(|| T::from_decoded(Decoded::empty(T::TABLE)))
    }
    pub fn list<T: Declared>(v: Val) -> Vec<T> {
        match v {
            Val::List(items) => items.into_iter().map(T::from_decoded).collect(),
            _ => Vec::new(),
        }
    }
}

/// Declare a Coinbar object once:
///
/// ```text
/// object! {
///     /// The struct's doc (also the TypeScript interface's).
///     pub struct ReportDetail in REPORT_DETAIL {
///         /// A field's doc (also in TypeScript).
///         transaction_id: opt Str,
///         kind as "type": opt Str,
///         customer: opt Object(Customer),
///     }
///     /// Members the SDK adds (not read from Coinbar): in the struct (default until set) and
///     /// in TypeScript (the type after `=`), not in the rule table.
///     + idempotency_key: String = "string",
/// }
/// ```
///
/// Presence: `req` (must be there), `opt` (absent or `null` → `null`; a list → `[]`), `omit`
/// (absent → left out of the JSON), `empty` (absent → the empty value: `""`, an object with
/// every member absent), `none` (always `null` in what the SDK writes). Shapes: `Str`, `Amount`, `Date`, `Status` (with `is_final`,
/// `is_paid` after it in the JSON), `Object(T)`, `List(T)`, and `flat T` (T's fields read from
/// this same object). The generated `from_decoded` takes the values in declaration order,
/// which is the table's by construction.
macro_rules! object {
    (
        $(#[doc = $doc:literal])*
        pub struct $Name:ident in $TABLE:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $field:ident $(as $wire:literal)? : $presence:ident $shape:ident $(($Of:ident))?
            ),* $(,)?
        }
        $(
            $(#[doc = $edoc:literal])*
            + $extra:ident : $ety:ty = $ets:literal
        ),* $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $Name {
            $( $(#[doc = $fdoc])* pub $field: $crate::model::object::field_type!($presence $shape $($Of)?), )*
            $( $(#[doc = $edoc])* pub $extra: $ety, )*
        }

        #[doc = concat!("The rule table of [`", stringify!($Name), "`].")]
        pub(crate) const $TABLE: &[$crate::model::object::Field] = &[
            $( $crate::model::object::field_rule!($crate::model::object::wire!($field $($wire)?), $presence $shape $($Of)?), )*
        ];

        impl $crate::model::object::Declared for $Name {
            const TABLE: &'static [$crate::model::object::Field] = $TABLE;
            fn from_decoded(d: $crate::model::object::Decoded) -> Self {
                let mut values = d.into_values();
                #[allow(unused_mut)]
                let mut next = move || values.next().unwrap_or($crate::model::object::Val::Absent);
                $Name {
                    $( $field: $crate::model::object::field_take!(next(), $presence $shape $($Of)?), )*
                    $( $extra: Default::default(), )*
                }
            }
        }

        #[cfg(test)]
        impl $crate::model::object::ts::Spec for $Name {
            const SPEC: $crate::model::object::ts::ObjectSpec = $crate::model::object::ts::ObjectSpec {
                name: stringify!($Name),
                table: $TABLE,
                doc: &[$($doc),*],
                fields: &[$($crate::model::object::ts::FieldSpec {
                    name: $crate::model::object::wire!($field $($wire)?),
                    doc: &[$($fdoc),*],
                    presence: stringify!($presence),
                    shape: stringify!($shape),
                    of: $crate::model::object::of!($($Of)?),
                },)*],
                extras: &[$(($crate::model::object::wire!($extra), &[$($edoc),*], $ets),)*],
            };
        }
    };
}
pub(crate) use object;

/// The wire name of a declared field: its own, or the one after `as`.
macro_rules! wire {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $wire:literal) => {
        $wire
    };
}
pub(crate) use wire;

/// The nested type's name, for the TypeScript spec.
#[cfg(test)]
macro_rules! of {
    () => {
        None
    };
    ($Of:ident) => {
        Some(stringify!($Of))
    };
}
#[cfg(test)]
pub(crate) use of;

/// The Rust type of a declared field.
macro_rules! field_type {
    (req Status) => { $crate::model::status::PaymentStatus };
    (req $text:ident) => { String };
    (empty $text:ident) => { String };
    (opt $text:ident) => { Option<String> };
    (none $text:ident) => { Option<String> };
    (omit $text:ident) => { Option<String> };
    (req Object $T:ident) => { $T };
    (empty Object $T:ident) => { $T };
    (opt Object $T:ident) => { Option<$T> };
    ($presence:ident List $T:ident) => { Vec<$T> };
    (flat $T:ident) => { $T };
}
pub(crate) use field_type;

/// A declared field's value, from `v`.
macro_rules! field_take {
    ($v:expr, req Status) => {
        $crate::model::object::take::status($v)
    };
    ($v:expr, req $text:ident) => {
        $crate::model::object::take::string($v)
    };
    ($v:expr, empty $text:ident) => {
        $crate::model::object::take::string($v)
    };
    ($v:expr, opt $text:ident) => {
        $crate::model::object::take::text($v)
    };
    ($v:expr, omit $text:ident) => {
        $crate::model::object::take::text($v)
    };
    ($v:expr, none $text:ident) => {
        $crate::model::object::take::text($v)
    };
    ($v:expr, req Object $T:ident) => {
        $crate::model::object::take::object_or_empty::<$T>($v)
    };
    ($v:expr, empty Object $T:ident) => {
        $crate::model::object::take::object_or_empty::<$T>($v)
    };
    ($v:expr, opt Object $T:ident) => {
        $crate::model::object::take::object::<$T>($v)
    };
    ($v:expr, $presence:ident List $T:ident) => {
        $crate::model::object::take::list::<$T>($v)
    };
    ($v:expr, flat $T:ident) => {
        $crate::model::object::take::object_or_empty::<$T>($v)
    };
}
pub(crate) use field_take;

/// A declared field's rule-table entry.
macro_rules! field_rule {
    ($name:expr, flat $T:ident) => {
        $crate::model::object::Field {
            name: $name,
            shape: $crate::model::object::Shape::Flat(<$T as $crate::model::object::Declared>::TABLE),
            required: false,
            absent: $crate::model::object::Absent::Empty,
        }
    };
    ($name:expr, $presence:ident $shape:ident $T:ident) => {
        $crate::model::object::presence(
            $name,
            $crate::model::object::Shape::$shape(<$T as $crate::model::object::Declared>::TABLE),
            $crate::model::object::Presence::$presence,
        )
    };
    ($name:expr, $presence:ident $shape:ident) => {
        $crate::model::object::presence(
            $name,
            $crate::model::object::Shape::$shape,
            $crate::model::object::Presence::$presence,
        )
    };
}
pub(crate) use field_rule;

/// How a declared field may be absent (the `req`/`opt`/`omit`/`empty` of `object!`).
#[allow(non_camel_case_types)]
pub enum Presence {
    /// Must be present.
    req,
    /// May be absent or `null`: written as `null` (a list as `[]`).
    opt,
    /// May be absent: left out of the JSON then.
    omit,
    /// May be absent: written as the empty value then.
    empty,
    /// Always absent in what the SDK writes (`null`): a member kept for the shape's sake.
    none,
}

/// A field's rule from its declared presence.
pub const fn presence(name: &'static str, shape: Shape, presence: Presence) -> Field {
    match presence {
        Presence::req => req(name, shape),
        Presence::opt => opt(name, shape),
        Presence::omit => opt(name, shape).or(Absent::Omit),
        Presence::empty => opt(name, shape).or(Absent::Empty),
        Presence::none => opt(name, shape),
    }
}

/// The TypeScript side of the declarations: `pkg/types/index.d.ts` holds, between two marker
/// lines, the interfaces rendered here; `cargo test` fails when they differ.
#[cfg(test)]
pub mod ts;

#[cfg(all(test, feature = "signer"))]
mod js;
/// Objects handed to JS as tokens (the callback event), and their JS builders.
#[cfg(feature = "signer")]
pub(crate) mod tokens;
