//! `pkg/src/objects.js`, generated from the `object!` declarations: for each object the core
//! hands to JS as tokens ([`super::tokens`]), a function that builds it from them, assigning
//! each member in declaration order (the JSON form's member order), so the object is the one
//! `JSON.parse` of the JSON form gives. `cargo test` fails when the file drifts;
//! `UPDATE_GENERATED=1 cargo test --lib object::js` rewrites it.

use std::fmt::Write as _;

use super::ts::{ObjectSpec, OBJECTS};
use super::{tokens, Absent, Shape};

/// The objects that cross as tokens (and every object they nest).
const ROOTS: &[&str] = &["CallbackEvent"];

const HEADER: &str = "\
// GENERATED from the `object!` declarations in src/model/*.rs by `cargo test`
// (src/model/object/js.rs); do not edit. Change a declaration there, then
// `UPDATE_GENERATED=1 cargo test --lib object::js`.
//
// The core hands some objects to JS as tokens rather than JSON (src/model/object/tokens.rs:
// each value in declaration order, NUL after each, after a \\u0002 mark): splitting them and
// assigning each member takes a fraction of `JSON.parse`. Each `read…` function builds the
// object with its members in the JSON form's order; it takes the JSON form too (the core
// sends it when a text cannot be a token).

/** The token of an absent field. */
const NULL = '\\u0001';
/** The tokens being read, and the next one's index (one object is read at a time). */
let v = [];
let i = 0;
/** Whether the answer is tokens (else it is JSON). */
const isTokens = (text) => text.charCodeAt(0) === 2;

/** The next token: a text, or null for an absent field (the `NULL` token). */
function next() {
  const t = v[i++];
  return t === NULL ? null : t;
}

/** A list's items (after its `[`): each an `o` and the item's tokens, until `]`. */
function list(fill) {
  const items = [];
  while (v[i++] === 'o') items.push(fill({}));
  return items;
}
";

fn spec(name: &str) -> &'static ObjectSpec {
    OBJECTS.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("{name} is not in OBJECTS"))
}

/// The declared objects `name` nests (flattened, member or list), depth first, `name` last.
fn reachable(name: &str, out: &mut Vec<&'static str>) {
    let s = spec(name);
    for f in s.fields {
        let nested = if f.presence == "flat" { Some(f.shape) } else { f.of };
        if let Some(of) = nested {
            reachable(of, out);
        }
    }
    if !out.contains(&s.name) {
        out.push(s.name);
    }
}

/// One object's filler: `function fillName(o) { … return o; }`, reading its fields' tokens.
fn filler(out: &mut String, s: &ObjectSpec) {
    writeln!(out, "\nfunction fill{}(o) {{", s.name).unwrap();
    assert_eq!(s.fields.len(), s.table.len(), "{}: spec and table differ", s.name);
    for (f, rule) in s.fields.iter().zip(s.table) {
        let key = rule.name;
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{}.{key}: not a plain name", s.name);
        // What an absent field becomes: the JSON form's `null`, nothing (left out), or (for an
        // empty-when-absent field) what the core wrote out in full, read like a present one.
        let nested = |read: &str| match rule.absent {
            Absent::Null => format!("o.{key} = next() === null ? null : {read};"),
            Absent::Omit => format!("if (next() !== null) o.{key} = {read};"),
            Absent::Empty => format!("next();\n  o.{key} = {read};"),
        };
        let line = match rule.shape {
            Shape::Flat(_) => format!("fill{}(o);", f.shape),
            Shape::Str | Shape::Date | Shape::Amount => match rule.absent {
                Absent::Omit => format!("const {key} = next();\n  if ({key} !== null) o.{key} = {key};"),
                Absent::Null | Absent::Empty => format!("o.{key} = next();"),
            },
            Shape::Status => {
                // The tokens of an empty-when-absent status would be one `""` and no flags,
                // which this reader would misread; no declaration has one.
                assert!(rule.absent != Absent::Empty, "{}.{key}: a status cannot be `empty`", s.name);
                let flags = "o.is_final = next() === '1';\n    o.is_paid = next() === '1';";
                match rule.absent {
                    Absent::Omit => format!(
                        "const {key} = next();\n  if ({key} !== null) {{\n    o.{key} = {key};\n    {flags}\n  }}"
                    ),
                    _ => format!("o.{key} = next();\n  if (o.{key} !== null) {{\n    {flags}\n  }}"),
                }
            }
            Shape::Object(_) => nested(&format!("fill{}({{}})", f.of.expect("an object field names its type"))),
            Shape::List(_) => nested(&format!("list(fill{})", f.of.expect("a list field names its type"))),
        };
        writeln!(out, "  {line}").unwrap();
    }
    writeln!(out, "  return o;\n}}").unwrap();
}

pub fn render() -> String {
    let mut out = String::from(HEADER);
    let mut names = Vec::new();
    for root in ROOTS {
        reachable(root, &mut names);
    }
    for name in &names {
        filler(&mut out, spec(name));
    }
    for root in ROOTS {
        let s = spec(root);
        writeln!(out, "\n/**\n * A `{root}` from the core's answer (tokens or JSON).\n * @param {{string}} text\n */")
            .unwrap();
        writeln!(out, "export function read{root}(text) {{").unwrap();
        writeln!(out, "  if (!isTokens(text)) return JSON.parse(text);").unwrap();
        writeln!(out, "  v = text.slice(1).split('\\0');\n  i = 0;\n  const o = fill{root}({{}});").unwrap();
        for (name, _, _) in s.extras {
            writeln!(out, "  o.{name} = v[i++];").unwrap();
        }
        writeln!(out, "  v = [];\n  return o;\n}}").unwrap();
    }
    out
}

#[test]
fn objects_js_is_generated_from_the_declarations() {
    // The tokens' marks, as the JS above spells them.
    assert_eq!((tokens::MARK, tokens::END, tokens::NULL), ('\u{2}', '\0', "\u{1}"));
    crate::generated::check("pkg/src/objects.js", &render(), "UPDATE_GENERATED=1 cargo test --lib object::js");
}
