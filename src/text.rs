//! Message and URL text built without `core::fmt`: `text!("got ", n, " bytes")` appends each
//! piece in turn (strings as they are, whole numbers in decimal), and the decimal writers of
//! whole numbers it uses (also the JSON writer's, for integers).
//!
//! Hand-written because `format!` pulls core's formatting machinery into the `.wasm`
//! (`fmt::write`, `Formatter::pad`/`pad_integral`, the integer `Display` impls and an
//! argument table per call site): about 3 KB gzip of a module whose every message is plain
//! words and whole numbers. `Display` stays implemented for the Rust API; the core's own
//! messages never go through it.

#[allow(unused_imports)]
use crate::prelude::*;

/// Append a whole number in decimal.
#[inline(never)]
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &b in buf.get(i..).unwrap_or(&[]) {
        out.push(char::from(b));
    }
}

/// Append a `u128` in decimal: the `u64` loop for up to 19 digits at a time. Not
/// `to_string`: core's 128-bit formatter is ~1.6 KB of wasm for this one use (amounts).
pub fn write_u128(out: &mut String, n: u128) {
    const TEN_POW_19: u128 = 10_000_000_000_000_000_000;
    if let Ok(small) = u64::try_from(n) {
        return write_u64(out, small);
    }
    write_u128(out, n / TEN_POW_19); // at most two levels: u128::MAX < 10^39
    let mut low = u64::try_from(n % TEN_POW_19).unwrap_or(0);
    let mut digits = [b'0'; 19];
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (low % 10) as u8;
        low /= 10;
    }
    out.extend(digits.iter().map(|&b| char::from(b)));
}

/// One piece of a [`text!`].
pub trait Piece {
    fn put(&self, out: &mut String);
}

impl Piece for str {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Piece for u64 {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        write_u64(out, *self);
    }
}

impl Piece for u32 {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl Piece for u16 {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl Piece for usize {
    #[inline(never)]
    fn put(&self, out: &mut String) {
        write_u64(out, *self as u64);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    #[inline]
    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

/// The pieces, appended in order into a new `String`.
macro_rules! text {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = $crate::prelude::String::with_capacity(64);
        $( $crate::text::Piece::put(&$piece, &mut out); )+
        out
    }};
}
pub(crate) use text;

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_in_order() {
        let s = String::from("x");
        assert_eq!(
            text!("a", 1u16, '-', 42u32, s, &"b", usize::MAX, u64::MAX),
            format!("a1-42xb{}{}", usize::MAX, u64::MAX)
        );
        assert_eq!(text!(0u64), "0");
    }
}
