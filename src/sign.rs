//! HMAC-SHA256 signing and constant-time verification with the merchant's secret key.
//!
//! The keyed HMAC state (the SHA-256 midstates after absorbing `key ⊕ ipad` and
//! `key ⊕ opad`) is computed once when the client is created and cloned for each message,
//! which saves two compressions per signature. The raw key is never stored; the states are
//! zeroized when the [`Signer`] is dropped (the `zeroize` features of `hmac`/`sha2`).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::Error;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The setting an unusable key is reported under ([`Error::setting`]).
const SECRET_KEY: &str = "secret_key";

/// Length of a signature in lowercase hex.
pub const SIGNATURE_HEX_LEN: usize = 64;

/// Signs with one secret key.
#[derive(Clone)]
pub struct Signer {
    keyed: HmacSha256,
}

impl Signer {
    /// Prepare the keyed state. An empty key is refused (`config` error).
    pub fn new(key: &[u8]) -> Result<Signer, Error> {
        if key.is_empty() {
            return Err(Error::setting(SECRET_KEY, "is required"));
        }
        let keyed =
            HmacSha256::new_from_slice(key).map_err(|_| Error::setting(SECRET_KEY, "cannot be used as an HMAC key"))?;
        Ok(Signer { keyed })
    }

    /// Prepare the keyed state on the heap, then wipe the stack the preparation used (the
    /// key block and state copies that moves leave behind). Only a pointer moves after this.
    pub fn new_boxed(key: &[u8]) -> Result<Box<Signer>, Error> {
        let signer = Self::new_boxed_inner(key);
        scrub_stack();
        signer
    }

    #[inline(never)]
    fn new_boxed_inner(key: &[u8]) -> Result<Box<Signer>, Error> {
        Signer::new(key).map(Box::new)
    }

    /// The raw 32-byte HMAC-SHA256 of `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 32] {
        let out = self.sign_inner(msg);
        scrub_stack();
        out
    }

    #[inline(never)]
    fn sign_inner(&self, msg: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(msg);
        finalize(mac)
    }

    /// An HMAC of a message given in pieces, for messages too large to hold in memory at
    /// once (the JS shell streams big inputs to `sign` in chunks, so wasm memory never grows
    /// with the input).
    pub fn stream(&self) -> SignStream {
        let stream = self.stream_inner();
        scrub_stack();
        stream
    }

    /// The copy of the keyed state in a frame below [`Signer::stream`]'s, which its
    /// `scrub_stack` overwrites (a scrub reaches only the frames below its caller).
    #[inline(never)]
    fn stream_inner(&self) -> SignStream {
        SignStream { mac: Box::new(self.keyed.clone()) }
    }

    /// `lowercase_hex(HMAC-SHA256(key, msg))`, the `SIGNATURE` header.
    pub fn sign_hex(&self, msg: &[u8]) -> String {
        let mut out = [0u8; SIGNATURE_HEX_LEN];
        let hex = base16ct::lower::encode_str(&self.sign(msg), &mut out).unwrap_or_default();
        hex.to_string()
    }

    /// Whether `signature` is exactly the lowercase hex HMAC of `msg`, compared in constant
    /// time. Upper-case hex or surrounding whitespace does not verify: Coinbar's recipe is
    /// Node's `digest('hex')`, which is lowercase.
    pub fn verify_hex(&self, msg: &[u8], signature: &str) -> bool {
        let expected = self.sign_hex(msg);
        // Lengths are public (always 64 for a real signature); the bytes are compared in
        // constant time.
        signature.len() == expected.len() && bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
    }
}

/// An HMAC in progress (see [`Signer::stream`]); its key-derived state is zeroized on drop.
pub struct SignStream {
    mac: Box<HmacSha256>,
}

impl SignStream {
    pub fn update(&mut self, chunk: &[u8]) {
        self.mac.update(chunk);
    }

    /// The lowercase hex HMAC of everything given to [`SignStream::update`].
    pub fn finish_hex(self) -> String {
        // Finalized from a copy made in a frame below this one (`digest`), which the
        // `scrub_stack` below overwrites, not by moving the state out of its Box: a move
        // leaves the heap bytes behind unzeroized, while dropping the Box zeroizes them.
        let digest = self.digest();
        drop(self);
        let mut out = [0u8; SIGNATURE_HEX_LEN];
        let hex = base16ct::lower::encode_str(&digest, &mut out).unwrap_or_default().to_string();
        scrub_stack();
        hex
    }
}

impl SignStream {
    #[inline(never)]
    fn digest(&self) -> [u8; 32] {
        finalize(HmacSha256::clone(&self.mac))
    }
}

impl core::fmt::Debug for SignStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SignStream { state: [redacted] }")
    }
}

/// The HMAC of what `mac` absorbed. One copy for [`Signer::sign`] and [`SignStream::finish_hex`]:
/// inlined into each, SHA-256's padding and the outer hash were ~1.5 KB of wasm twice.
#[inline(never)]
fn finalize(mac: HmacSha256) -> [u8; 32] {
    mac.finalize().into_bytes().into()
}

/// How much stack below the caller [`scrub_stack`] overwrites: more than the HMAC key
/// set-up and signing frames use (the keys test searches all of wasm memory to prove it).
const SCRUB_BYTES: usize = 8 * 1024;

/// Overwrite the stack area that the calls just made used, so no copy of key-derived state
/// survives there. Moves of the HMAC state (and the hash crates' key block) leave copies
/// that `zeroize` cannot reach; in WebAssembly that stack is plain linear memory, readable
/// by any JS holding the instance. Hand-written because no crate offers stack scrubbing
/// without `unsafe`; `black_box` keeps the zeroed buffer from being optimized away.
#[inline(never)]
pub fn scrub_stack() {
    let buf = [0u8; SCRUB_BYTES];
    core::hint::black_box(&buf);
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Signer { key: [redacted] }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn a_message_in_pieces_signs_like_the_whole() {
        let s = Signer::new(b"k").unwrap();
        let msg: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        for size in [1, 63, 64, 65, 4096] {
            let mut stream = s.stream();
            for chunk in msg.chunks(size) {
                stream.update(chunk);
            }
            assert_eq!(stream.finish_hex(), s.sign_hex(&msg), "chunks of {size}");
        }
        assert_eq!(s.stream().finish_hex(), s.sign_hex(b""));
    }

    /// RFC 4231 §4.2–4.8, HMAC-SHA-256 outputs (case 5 is truncated output, checked as a prefix).
    #[test]
    fn rfc4231_vectors() {
        let cases: [(&[u8], &[u8], [u8; 32]); 6] = [
            (&[0x0b; 20], b"Hi There", hex!("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")),
            (b"Jefe", b"what do ya want for nothing?", hex!("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")),
            (&[0xaa; 20], &[0xdd; 50], hex!("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")),
            (
                &hex!("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                &[0xcd; 50],
                hex!("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                hex!("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ),
            (
                &[0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
                hex!("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
            ),
        ];
        for (key, data, expected) in cases {
            let s = Signer::new(key).unwrap();
            assert_eq!(s.sign(data), expected);
            // Signing twice with the same prepared state gives the same answer.
            assert_eq!(s.sign(data), expected);
        }
        // Test case 5: output truncated to 128 bits.
        let s = Signer::new(&[0x0c; 20]).unwrap();
        assert_eq!(s.sign(b"Test With Truncation")[..16], hex!("a3b6167473100ee06e0c796c2955552b"));
    }

    #[test]
    fn hex_is_lowercase_and_verify_is_exact() {
        let s = Signer::new(b"Jefe").unwrap();
        let sig = s.sign_hex(b"what do ya want for nothing?");
        assert_eq!(sig, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(s.verify_hex(b"what do ya want for nothing?", &sig));
        assert!(!s.verify_hex(b"what do ya want for nothing!", &sig));
        assert!(!s.verify_hex(b"what do ya want for nothing?", &sig.to_uppercase()));
        assert!(!s.verify_hex(b"what do ya want for nothing?", &format!(" {sig}")));
        assert!(!s.verify_hex(b"what do ya want for nothing?", &sig[..63]));
        assert!(!s.verify_hex(b"what do ya want for nothing?", ""));
    }

    #[test]
    fn empty_key_is_a_config_error_and_debug_hides_the_key() {
        assert_eq!(Signer::new(b"").unwrap_err().kind, crate::error::ErrorKind::Config);
        assert_eq!(format!("{:?}", Signer::new(b"topsecret").unwrap()), "Signer { key: [redacted] }");
    }
}
