//! The TypeScript interfaces of the declared Coinbar objects, rendered from their declarations
//! and checked against `pkg/types/index.d.ts` (the part between the two marker lines);
//! `UPDATE_GENERATED=1 cargo test --lib object::ts` rewrites that part.

use std::fmt::Write as _;

/// One declared object, as [`super::object!`] records it for this renderer.
pub struct ObjectSpec {
    pub name: &'static str,
    /// Its rule table (what the walk reads and the sinks are handed, field by field).
    pub table: &'static [super::Field],
    pub doc: &'static [&'static str],
    pub fields: &'static [FieldSpec],
    /// Members the SDK adds: `(name, doc, TypeScript type)`.
    pub extras: &'static [(&'static str, &'static [&'static str], &'static str)],
}

/// One declared field.
pub struct FieldSpec {
    pub name: &'static str,
    pub doc: &'static [&'static str],
    pub presence: &'static str,
    pub shape: &'static str,
    pub of: Option<&'static str>,
}

/// A declared object's spec (implemented by [`super::object!`]).
pub trait Spec {
    const SPEC: ObjectSpec;
}

use crate::model::callback::{CallbackEvent, Customer, ProductEcho};
use crate::model::initiate::{InitiateResponse, RequestResponse};
use crate::model::quotes::Quote;
use crate::model::report::{MarketData, Report, ReportDetail};
use crate::model::retrieve::RetrievedPayment;
use crate::model::status::{Payment, PaymentDetail};

/// Every declared object, in the order of the generated part of index.d.ts.
pub(super) const OBJECTS: &[ObjectSpec] = &[
    InitiateResponse::SPEC,
    RequestResponse::SPEC,
    PaymentDetail::SPEC,
    Payment::SPEC,
    Customer::SPEC,
    ProductEcho::SPEC,
    CallbackEvent::SPEC,
    Quote::SPEC,
    ReportDetail::SPEC,
    MarketData::SPEC,
    Report::SPEC,
    RetrievedPayment::SPEC,
];

/// Rust struct names whose TypeScript interface is named otherwise (the published names).
const TS_NAME: &[(&str, &str)] = &[("InitiateResponse", "InitiatePayment"), ("RequestResponse", "RequestedPayment")];

fn ts_name(rust: &str) -> &str {
    TS_NAME.iter().find(|(r, _)| *r == rust).map_or(rust, |(_, t)| t)
}

const BEGIN: &str = "// BEGIN GENERATED: Coinbar objects (src/model/*.rs `object!` declarations; `cargo test` checks, UPDATE_GENERATED=1 cargo test --lib object::ts rewrites)\n";
const END: &str = "// END GENERATED: Coinbar objects\n";

fn doc(out: &mut String, lines: &[&str], indent: &str) {
    let lines: Vec<&str> = lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    match lines.as_slice() {
        [] => {}
        [one] => writeln!(out, "{indent}/** {one} */").unwrap(),
        many => {
            writeln!(out, "{indent}/**").unwrap();
            for l in many {
                writeln!(out, "{indent} * {l}").unwrap();
            }
            writeln!(out, "{indent} */").unwrap();
        }
    }
}

/// One interface.
fn interface(out: &mut String, spec: &ObjectSpec) {
    doc(out, spec.doc, "");
    let flat: Vec<&str> = spec.fields.iter().filter(|f| f.presence == "flat").map(|f| ts_name(f.shape)).collect();
    let extends = if flat.is_empty() { String::new() } else { format!(" extends {}", flat.join(", ")) };
    writeln!(out, "export interface {}{extends} {{", ts_name(spec.name)).unwrap();
    // `result` first, as in the JSON; the other members the SDK adds after Coinbar's.
    let (first, last): (Vec<_>, Vec<_>) = spec.extras.iter().partition(|(name, _, _)| *name == "result");
    for (name, lines, ty) in first {
        doc(out, lines, "  ");
        writeln!(out, "  {name}: {ty};").unwrap();
    }
    for f in spec.fields.iter().filter(|f| f.presence != "flat") {
        doc(out, f.doc, "  ");
        let base = match (f.shape, f.of) {
            ("Str" | "Date", _) => "string".to_string(),
            ("Amount", _) => "DecimalString".to_string(),
            ("Status", _) => "PaymentStatus".to_string(),
            ("Object", Some(of)) => ts_name(of).to_string(),
            ("List", Some(of)) => format!("{}[]", ts_name(of)),
            (shape, _) => panic!("{}.{}: no TypeScript type for shape {shape}", spec.name, f.name),
        };
        let member = match f.presence {
            "req" | "empty" => format!("{}: {base};", f.name),
            "opt" if f.shape == "List" => format!("{}: {base};", f.name),
            "opt" => format!("{}: {base} | null;", f.name),
            "omit" => format!("{}?: {base};", f.name),
            "none" => format!("{}: null;", f.name),
            other => panic!("{}.{}: unknown presence {other}", spec.name, f.name),
        };
        writeln!(out, "  {member}").unwrap();
        if f.shape == "Status" {
            writeln!(out, "  /** Paid, failed or canceled: it will not change any more. */\n  is_final: boolean;")
                .unwrap();
            writeln!(out, "  /** SUCCESS: fulfil the order. */\n  is_paid: boolean;").unwrap();
        }
    }
    for (name, lines, ty) in last {
        doc(out, lines, "  ");
        writeln!(out, "  {name}: {ty};").unwrap();
    }
    out.push_str("}\n");
}

/// The generated part of index.d.ts, marker lines included.
pub fn render() -> String {
    let mut out = String::from(BEGIN);
    for (i, spec) in OBJECTS.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        interface(&mut out, spec);
    }
    out.push_str(END);
    out
}

#[test]
fn index_d_ts_declares_each_coinbar_object_as_the_rust_declaration_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg/types/index.d.ts");
    let have = std::fs::read_to_string(path).unwrap();
    let (Some(begin), Some(end)) = (have.find(BEGIN), have.find(END)) else {
        panic!("pkg/types/index.d.ts has no generated part (the BEGIN/END GENERATED marker lines)");
    };
    let want = render();
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        let new = format!("{}{want}{}", &have[..begin], &have[end + END.len()..]);
        std::fs::write(path, new).unwrap();
        return;
    }
    let current = &have[begin..end + END.len()];
    // Field by field first, for a message that names what drifted.
    for (have_line, want_line) in current.lines().zip(want.lines()) {
        assert_eq!(have_line, want_line, "pkg/types/index.d.ts drifted from the Rust declarations: run `UPDATE_GENERATED=1 cargo test --lib object::ts`");
    }
    assert!(
        current == want,
        "pkg/types/index.d.ts drifted from the Rust declarations: run `UPDATE_GENERATED=1 cargo test --lib object::ts`"
    );
}

#[test]
fn every_nested_object_is_declared_too() {
    for spec in OBJECTS {
        for f in spec.fields {
            let nested = if f.presence == "flat" { Some(f.shape) } else { f.of };
            if let Some(of) = nested {
                assert!(OBJECTS.iter().any(|o| o.name == of), "{}.{}: {of} is not in OBJECTS", spec.name, f.name);
            }
        }
    }
}
