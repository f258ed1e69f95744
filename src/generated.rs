//! The check behind the files `cargo test` generates from the Rust declarations
//! (`pkg/src/ops.js`, `pkg/src/objects.js`): the file must be what the declarations give;
//! with `UPDATE_GENERATED` set it is rewritten instead.

/// Compare the file at `path` (from the crate root) with `want`, or rewrite it when
/// `UPDATE_GENERATED` is set; `how` is the command that rewrites it, for the failure message.
pub fn check(path: &str, want: &str, how: &str) {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "{path} drifted from the declarations it is generated from: run `{how}`");
}
