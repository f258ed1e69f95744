//! Message and URL text built without `core::fmt`: `text!("got ", n, " bytes")` appends each
//! piece in turn (strings as they are, whole numbers in decimal).
//!
//! Hand-written because `format!` pulls core's formatting machinery into the `.wasm`
//! (`fmt::write`, `Formatter::pad`/`pad_integral`, the integer `Display` impls and an
//! argument table per call site): about 3 KB gzip of a module whose every message is plain
//! words and whole numbers. `Display` stays implemented for the Rust API; the core's own
//! messages never go through it.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::write_u64;

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
