//! JSON in and out of the core, each in its own file:
//!
//! | module | concern |
//! |---|---|
//! | [`read`] | the reader: a borrowed tree for Coinbar's answers and callbacks ([`read::parse`]), and the streaming `read::Scanner` the single-pass prepare reads merchant input with |
//! | [`ascii`] | JSON handed to JS for `JSON.parse`, with non-ASCII escaped (a faster decode in the shell; server build) |
//! | [`write`] | the byte-exact `JSON.stringify`-compatible writer of every signed body and every result handed to JS |
//!
//! Why hand-written rather than serde_json: docs/design.md, "One JSON reader, table-driven,
//! and no serde in the shipped core".

#[cfg(feature = "signer")]
pub mod ascii;
pub mod read;
pub mod write;

pub use write::*;

/// The index of the first byte at or after `at` that a JSON string cannot hold as it stands
/// (`"`, `\` or a control byte below 0x20), or `bytes.len()`. The reader's strings and the
/// writer's escaping both stop only there, and most strings hold none of them.
///
/// Why eight bytes at a time (SWAR on a `u64`): this is the inner loop of reading and of
/// writing every string (prepare's profile: ~10% in these two loops byte by byte). For each
/// byte `b`, `b - k` borrows (sets the high bit while `b`'s own is clear) exactly when
/// `b < k`: `x - 0x20…` flags the controls, `(x ^ 0x22…) - 0x01…` the quotes and
/// `(x ^ 0x5c…) - 0x01…` the backslashes. A borrow only runs upwards, so the lowest flag
/// is exact, which is the one taken.
#[inline]
pub(crate) fn plain_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The builds that sign only: the browser build favours size and keeps the byte loop.
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>).filter(|_| cfg!(feature = "signer")) {
        let x = u64::from_le_bytes(*chunk);
        let controls = x.wrapping_sub(ONES * 0x20);
        let quotes = (x ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
        let backslashes = (x ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
        let found = (controls | quotes | backslashes) & !x & HIGH;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

/// `a == b` for short byte strings (keys, field names), inline and eight bytes at a time:
/// `==` on slices calls `memcmp`, a byte loop behind a call in wasm.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let (mut a, mut b) = (a, b);
    if a.len() != b.len() {
        return false;
    }
    while let (Some((x, rest_a)), Some((y, rest_b))) = (a.split_first_chunk::<8>(), b.split_first_chunk::<8>()) {
        if u64::from_le_bytes(*x) != u64::from_le_bytes(*y) {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    /// [`super::plain_end`] against the byte-by-byte rule, at every start and length.
    #[test]
    fn plain_end_finds_the_first_byte_a_string_cannot_hold() {
        let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
        let mut text: Vec<u8> = Vec::new();
        for i in 0..600u32 {
            // Every byte value, in a spread of positions (and runs of plain bytes).
            text.push(if i % 7 == 0 { (i * 37 % 256) as u8 } else { b'a' + (i % 26) as u8 });
        }
        text.extend([0x7f, 0x80, 0xff, 0xa0, 0x9f, 0x20, 0x1f, 0x21, 0x23, 0x5b, 0x5d, 0x5c, 0x22, 0x00]);
        for start in 0..text.len() {
            for end in start..text.len().min(start + 40) {
                let bytes = &text[..end];
                let expected = (start..end).find(|&i| special(bytes[i])).unwrap_or(end);
                assert_eq!(super::plain_end(bytes, start), expected, "{start}..{end}");
            }
        }
    }
}
