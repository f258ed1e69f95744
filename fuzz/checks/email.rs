//! Target `email`: the SDK's e-mail rule (`validate::is_email`, hand-written for size)
//! against the `email_address` crate it replaced, on every input.

use super::*;

/// The rule as it was: no whitespace, control or `"` anywhere, a domain with a dot that does
/// not start or end with one and is not an address literal, and `email_address`'s
/// `is_valid`. The SDK must accept exactly these.
pub fn email_reference(s: &str) -> bool {
    if s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"') {
        return false;
    }
    let Some((_, domain)) = s.rsplit_once('@') else { return false };
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.starts_with('[') {
        return false;
    }
    email_address::EmailAddress::is_valid(s)
}

/// The input as text (lossy), and each line of it, through both rules.
pub fn email(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for s in std::iter::once(text.as_ref()).chain(text.lines()) {
        assert_eq!(validate::is_email(s), email_reference(s), "is_email({s:?})");
        let checked = validate::check_text(s, 254, validate::TextKind::Email);
        if checked.is_ok() {
            assert!(email_reference(s) && s.chars().count() <= 254, "accepted {s:?}");
        }
    }
}
