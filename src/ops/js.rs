//! `pkg/src/ops.js`, generated from the op declarations ([`super::call`], [`super::client`]):
//! the only JS module that calls the two dispatchers, with one JSDoc'd function per op.
//! `cargo test` fails when the file differs from what the declarations give;
//! `UPDATE_GENERATED=1 cargo test --lib ops::js` rewrites it.

use std::fmt::Write as _;

/// One op as declared (built by `ops!`).
pub struct OpSpec {
    pub name: &'static str,
    pub code: u32,
    pub doc: &'static [&'static str],
    /// `(argument name, slot)`.
    pub args: &'static [(&'static str, &'static str)],
    /// `text`, `json` or `number`.
    pub returns: &'static str,
}

const HEADER: &str = "\
// GENERATED from the op declarations in src/ops/call.rs and src/ops/client.rs by `cargo test`
// (src/ops/js.rs); do not edit. Change an op there, then `UPDATE_GENERATED=1 cargo test --lib ops::js`.
//
// The only caller of the core's two dispatchers (src/wasm.rs): `glue.call` for the key-free
// ops and `SigningClient#call` for the client's, one function (or ClientCore method) per op.
// Each returns the op's string, its JSON parsed, or its number; a core error is thrown as a
// CoinbarError (answerOf), and so is anything the glue throws (call).
import { answerOf, call, toCoinbarError } from './error.js';
import { glue } from './glue.js';
";

/// The builders of the objects some ops return as tokens (`pkg/src/objects.js`).
fn object_imports(out: &mut String) {
    let mut names: Vec<&str> = super::call::SPEC
        .iter()
        .chain(super::client::SPEC)
        .map(|op| op.returns)
        .filter(|r| r.starts_with(char::is_uppercase))
        .collect();
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        let list: Vec<String> = names.iter().map(|n| format!("read{n}")).collect();
        writeln!(out, "import {{ {} }} from './objects.js';", list.join(", ")).unwrap();
    }
}

const AFTER_IMPORTS: &str = "
const NO_BYTES = new Uint8Array(0);
";

/// `snake_case` → `camelCase`; `PascalCase` → `pascalCase`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for (i, c) in name.chars().enumerate() {
        if c == '_' {
            upper = true;
        } else if i == 0 {
            out.push(c.to_ascii_lowercase());
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The JSDoc block of an op, indented by `indent`.
fn jsdoc(out: &mut String, op: &OpSpec, data_type: &str, indent: &str) {
    writeln!(out, "{indent}/**").unwrap();
    for line in op.doc {
        let mut line = line.strip_prefix(' ').unwrap_or(line).to_string();
        for (name, _) in op.args {
            line = line.replace(&format!("`{name}`"), &format!("`{}`", camel(name)));
        }
        writeln!(out, "{indent} * {line}").unwrap();
    }
    for (name, slot) in op.args {
        let (ty, optional) = match slot.as_bytes()[0] {
            b'd' => (data_type, false),
            b's' => ("string", true),
            _ => ("number", true),
        };
        let name = camel(name);
        let name = if optional { format!("[{name}]") } else { name };
        writeln!(out, "{indent} * @param {{{ty}}} {name}").unwrap();
    }
    // No @returns: the wrapper's body gives it (string, number, or the parsed JSON).
    assert!(
        matches!(op.returns, "text" | "number" | "json") || op.returns.starts_with(char::is_uppercase),
        "op {}: unknown return kind {}",
        op.name,
        op.returns
    );
    writeln!(out, "{indent} */").unwrap();
}

/// The argument list of the dispatcher call: the code, then each slot in order (`data` given
/// as `empty` when the op reads none), trailing unused slots left out.
fn slots(op: &OpSpec, order: &[&str], empty: &str) -> String {
    let mut parts: Vec<String> = order
        .iter()
        .map(|slot| match op.args.iter().find(|(_, s)| s == slot) {
            Some((name, _)) => camel(name),
            None if *slot == "data" => empty.to_string(),
            None => "undefined".to_string(),
        })
        .collect();
    while parts.last().is_some_and(|p| p == "undefined") {
        parts.pop();
    }
    let mut out = op.code.to_string();
    for p in parts {
        out.push_str(", ");
        out.push_str(&p);
    }
    out
}

fn params(op: &OpSpec, order: &[&str]) -> String {
    // Parameters in slot order, so that the data argument comes first.
    let mut names = Vec::new();
    for slot in order {
        if let Some((name, _)) = op.args.iter().find(|(_, s)| s == slot) {
            names.push(camel(name));
        }
    }
    names.join(", ")
}

/// The dispatcher call of an op, with its result handed on by its return kind.
fn result(op: &OpSpec, dispatch: &str) -> String {
    let raw = format!("call(() => answerOf({dispatch}))");
    match op.returns {
        "json" => format!("JSON.parse({raw})"),
        "number" => format!("Number({raw})"),
        "text" => raw,
        // A declared object, which crosses as tokens (src/model/object/tokens.rs).
        object => format!("read{object}({raw})"),
    }
}

/// `export const NAME = Object.freeze({ A: 1, B: 2, … });`, wrapped at ~100 columns.
fn codes(out: &mut String, name: &str, what: &str, ops: &[OpSpec]) {
    writeln!(out, "\n/** The codes of {what}. */\nexport const {name} = Object.freeze({{").unwrap();
    let mut line = String::new();
    for op in ops {
        let entry = format!("{}: {},", op.name, op.code);
        if !line.is_empty() && line.len() + entry.len() > 100 {
            writeln!(out, " {line}").unwrap();
            line.clear();
        }
        line.push(' ');
        line.push_str(&entry);
    }
    writeln!(out, " {line}\n}});").unwrap();
}

pub fn render() -> String {
    let mut out = String::from(HEADER);
    object_imports(&mut out);
    out.push_str(AFTER_IMPORTS);
    const CALL: &[&str] = &["data", "s1", "s2", "s3", "n1", "n2", "n3", "n4"];
    const CLIENT: &[&str] = &["data", "s1", "s2", "n1", "n2"];

    // A constant of the core, written here instead of asked for at import: a call into the
    // module at import time costs its first-call setup (~0.7 ms of cold start, bench/README.md).
    writeln!(
        out,
        "\n/** The largest input text the core accepts, in bytes (`validate::MAX_INPUT_BYTES`): the shell\n * refuses a larger one before copying it into wasm memory. */\nexport const MAX_INPUT_BYTES = {};",
        crate::validate::MAX_INPUT_BYTES
    )
    .unwrap();

    codes(&mut out, "Op", "the key-free ops (`Op` in src/ops/call.rs)", super::call::SPEC);

    for op in super::call::SPEC {
        out.push('\n');
        jsdoc(&mut out, op, "string", "");
        let dispatch = format!("glue.call({})", slots(op, CALL, "''"));
        writeln!(
            out,
            "export function {}({}) {{ return {}; }}",
            camel(op.name),
            params(op, CALL),
            result(op, &dispatch)
        )
        .unwrap();
    }

    codes(&mut out, "ClientOp", "the client's ops (`ClientOp` in src/ops/client.rs)", super::client::SPEC);

    out.push_str(
        "
/**
 * The client ops over one `SigningClient` of the server glue (the object holding the key;
 * `ClientOp` in src/ops/client.rs).
 */
export class ClientCore {
  #client;

  /**
   * A client from the core's settings (in `api::Settings` order, each `undefined` when not
   * set: common.js `settingsOf` makes them) and the key bytes (copied into wasm memory, where
   * the core zeroizes them once the keyed HMAC state exists).
   * @param {Array<string | number | undefined>} settings
   * @param {Uint8Array} key
   */
  constructor(settings, key) {
    const made = call(() => glue.signing_client(...settings, key));
    if (typeof made === 'string') throw toCoinbarError(made.slice(1));
    this.#client = made;
  }

  /** Zeroize and release the key state (the object is unusable after). */
  free() {
    this.#client.free();
  }
",
    );
    for op in super::client::SPEC {
        out.push('\n');
        jsdoc(&mut out, op, "Uint8Array", "  ");
        let dispatch = format!("this.#client.call({})", slots(op, CLIENT, "NO_BYTES"));
        writeln!(out, "  {}({}) {{ return {}; }}", camel(op.name), params(op, CLIENT), result(op, &dispatch)).unwrap();
    }
    out.push_str("}\n");
    out
}

#[test]
fn ops_js_is_generated_from_the_declarations() {
    crate::generated::check("pkg/src/ops.js", &render(), "UPDATE_GENERATED=1 cargo test --lib ops::js");
}

#[test]
fn every_op_has_a_doc_line_and_named_arguments_in_known_slots() {
    let all = super::call::SPEC.iter().map(|op| (op, &["data", "s1", "s2", "s3", "n1", "n2", "n3", "n4"][..]));
    let all = all.chain(super::client::SPEC.iter().map(|op| (op, &["data", "s1", "s2", "n1", "n2"][..])));
    for (op, order) in all {
        assert!(!op.doc.is_empty(), "{} has no doc line", op.name);
        for (i, (name, slot)) in op.args.iter().enumerate() {
            assert!(order.contains(slot), "{}: slot {slot} is not a slot of its dispatcher", op.name);
            assert!(!op.args[..i].iter().any(|(n, s)| n == name || s == slot), "{}: {name} or {slot} twice", op.name);
        }
    }
}
