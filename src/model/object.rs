//! A Coinbar object (an answer, a callback, or one of their nested objects): its declaration
//! (`object!`: the Rust struct, the rule table and, checked by `cargo test`, the TypeScript
//! interface in `pkg/types/index.d.ts`, all from one list of fields), reading it by its rule
//! table ([`read`]: every field checked, the first broken rule a `decode` error naming the
//! field's path) and writing what was read as the JSON handed to JS ([`answer_json`]).

#[allow(unused_imports)]
use crate::prelude::*;

use super::status::PaymentStatus;
use crate::error::Error;
use crate::json::read::{self as view, Obj, Value};
use crate::json::{ObjectWriter, ToJson};
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
                        w.field(f.name, &Decoded::empty(t));
                    }
                    (Absent::Empty, Shape::List(_)) => {
                        w.field(f.name, &[] as &[Decoded]);
                    }
                    (Absent::Empty, _) => {
                        w.field(f.name, "");
                    }
                },
            }
        }
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
        let mut w = ObjectWriter::new(out);
        self.write_members(&mut w);
        w.end();
    }
}

/// An answer read by `table`, as the JSON handed to JS: `{"result":"success", …}` when
/// `result` (the calls whose answers carry one), then the table's fields.
pub fn answer_json(g: &Decoded, result: bool, extra: Option<(&str, &str)>) -> String {
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
            crate::text::write_u64(out, i as u64);
            out.push(']');
        }
    }
}

/// Read a Coinbar answer (or one of its objects) by its rule table. Every field of the table
/// is checked in table order; the first broken rule is the `decode` error, naming the field
/// by its full path (`payment_detail.coin_change`).
pub fn read(obj: &Obj<'_>, table: &'static [Field]) -> Result<Decoded, Error> {
    let mut first = None;
    let root = Path { parent: None, key: "", index: None };
    let got = read_object(obj, table, &root, &mut first);
    match first {
        Some(e) => Err(e),
        None => Ok(got),
    }
}

/// The one loop behind [`read`]: every response, the callback and their nested objects.
fn read_object(obj: &Obj<'_>, table: &'static [Field], at: &Path<'_>, first: &mut Option<Error>) -> Decoded {
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
    Decoded { table, values }
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
