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
