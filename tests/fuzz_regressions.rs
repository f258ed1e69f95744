//! The fuzz targets' corpora and every past crash, replayed on stable `cargo test`.
//!
//! The properties live in `fuzz/checks/` (one module per target family, `fuzz/checks/mod.rs` lists them), included here with `#[path]`: the cargo-fuzz
//! targets (nightly, `make fuzz`) call the very same functions. This test runs every file of
//! `fuzz/corpus/<target>/` (seeds from `tests/vectors.json` and V8, plus minimized inputs
//! that fuzzing found interesting) and `fuzz/regressions/<target>/` (inputs that once made a
//! check fail, kept after the fix) through its target's check, and checks the
//! `JSON.stringify` references of `fuzz/checks/json_writer.rs` against V8's own output
//! (`fuzz/node/json_stringify.json`, made by `node scripts/fuzz-seed.mjs`).

#[path = "../fuzz/checks/mod.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

#[test]
fn fuzz_corpora_and_past_crashes_replay() {
    let root = fuzz_dir();
    let mut failures = Vec::new();
    let mut passed = 0usize;
    for (target, check) in checks::TARGETS {
        let mut counts = Vec::new();
        for kind in ["corpus", "regressions"] {
            let inputs = files(&root.join(kind).join(target));
            counts.push(inputs.len());
            for path in inputs {
                let data = std::fs::read(&path).expect("readable corpus file");
                match std::panic::catch_unwind(|| check(&data)) {
                    Ok(()) => passed += 1,
                    Err(_) => failures.push(path.strip_prefix(&root).unwrap_or(&path).display().to_string()),
                }
            }
        }
        println!("fuzz replay {target}: {} corpus, {} regressions", counts[0], counts[1]);
        assert!(counts[0] > 0, "fuzz/corpus/{target}/ is empty: run node scripts/fuzz-seed.mjs");
    }
    println!("fuzz replay: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "fuzz inputs failing their checks:\n{}", failures.join("\n"));
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for (target, _) in checks::TARGETS {
        let path = fuzz_dir().join("fuzz_targets").join(format!("{target}.rs"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        assert!(text.contains(&format!("checks::{target}(")), "{} does not call checks::{target}", path.display());
    }
}

/// V8's `JSON.stringify` output (fuzz/node/json_stringify.json) against the writer and the
/// references that the fuzz targets trust.
#[test]
fn v8_json_stringify_cases() {
    let text = std::fs::read_to_string(fuzz_dir().join("node/json_stringify.json"))
        .expect("fuzz/node/json_stringify.json (node scripts/fuzz-seed.mjs)");
    let cases: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let units = |v: &serde_json::Value| -> Vec<u16> {
        v.as_array().expect("units").iter().map(|u| u.as_u64().expect("unit") as u16).collect()
    };
    let mut n = 0;
    for case in cases["strings"].as_array().expect("strings") {
        let units = units(&case["units"]);
        let json = case["json"].as_str().expect("json");
        assert_eq!(checks::js_quote_units(&units), json, "reference escaper vs V8");
        let s = String::from_utf16(&units).expect("well-formed string cases");
        assert_eq!(coinbar_pay::json::to_js_json(&s), json, "writer vs V8: {s:?}");
        checks::check_js_string(&s);
        n += 1;
    }
    for case in cases["lone"].as_array().expect("lone") {
        let units = units(&case["units"]);
        let json = case["json"].as_str().expect("json");
        assert_eq!(checks::js_quote_units(&units), json, "reference escaper vs V8 (lone surrogates)");
        use coinbar_pay::json::read::{parse, Surrogates};
        let back = parse(json, Surrogates::Mark).expect("V8 output with lone surrogates parses, marked");
        assert_eq!(back.as_str(), Some(checks::marked_string(&units).as_str()));
        n += 1;
    }
    for case in cases["numbers"].as_array().expect("numbers") {
        let bits = u64::from_str_radix(case["bits"].as_str().expect("bits"), 16).expect("hex");
        let x = f64::from_bits(bits);
        let json = case["json"].as_str().expect("json");
        assert_eq!(checks::es_number(x), json, "reference number formatting vs V8 for {x:e}");
        assert_eq!(coinbar_pay::json::to_js_json(&x), json, "writer vs V8 for {x:e}");
        n += 1;
    }
    for case in cases["decimals"].as_array().expect("decimals") {
        // String(Number(text)) in V8 for prices within the rules: the price's own digits.
        let text = case["text"].as_str().expect("text");
        let json = case["json"].as_str().expect("json");
        let d = checks::parse_plain_ref(text).expect("plain");
        assert_eq!(d.es_string(), json, "reference decimal layout vs V8 for {text}");
        let m = coinbar_pay::money::Money::parse_plain(text).expect("parses");
        assert_eq!(m.to_js_number_string(), json, "Money::to_js_number_string vs V8 for {text}");
        n += 1;
    }
    println!("V8 JSON.stringify cases: {n} passed, 0 failed");
}

/// The references themselves, on values whose answers are known.
#[test]
fn references_agree_with_known_answers() {
    use checks::{es_number, exact_f64, parse_number_ref, parse_plain_ref, Dec, NumRef};
    assert_eq!(exact_f64(0.1).plain(), "0.1000000000000000055511151231257827021181583404541015625");
    assert_eq!(exact_f64(1e21).plain(), "1000000000000000000000");
    assert_eq!(es_number(2.528_816_223_144_531_3), "2.5288162231445312", "ties go to the even digit, as V8");
    assert_eq!(es_number(1e21), "1e+21");
    assert_eq!(es_number(-1.5e-7), "-1.5e-7");
    assert_eq!(es_number(123_456_789_012_345_680_000.0), "123456789012345680000");
    let d = |s: &str| parse_plain_ref(s).expect("plain");
    assert_eq!(d("1.99").add(&d("1.98")).plain(), "3.97");
    assert_eq!(d("0.1").sub(&d("0.30")).plain(), "-0.2");
    assert_eq!(d("-1.5").mul(&d("2.50")).plain(), "-3.75");
    assert_eq!(d("79228162514264337593543950335").add(&d("1")).plain(), "79228162514264337593543950336");
    assert!(!d("79228162514264337593543950336").representable());
    assert!(d("7.9228162514264337593543950335").representable());
    assert_eq!(parse_number_ref("2.4e-5"), Some(NumRef::Exact(d("0.000024"))));
    assert_eq!(parse_number_ref("1E+400"), Some(NumRef::Huge));
    assert_eq!(parse_number_ref("0e999999"), Some(NumRef::Exact(Dec::zero())));
    assert_eq!(parse_number_ref("+1e5"), None);
    assert_eq!(d("0.0000001").es_string(), "1e-7");
    assert_eq!(d("999999999999.99").es_string(), "999999999999.99");
}
