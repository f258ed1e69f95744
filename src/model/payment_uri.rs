//! The address and memo inside a payment string: the coin URI Coinbar returns for the QR code
//! (`payment_string` of initiate, `payment_detail.payment_string` of the report).
//!
//! The forms read (those Coinbar's docs show, and those the local sandbox builds from them):
//!
//! | coin | form | address | memo |
//! |---|---|---|---|
//! | BTC | BIP21 `bitcoin:ADDR?amount=…` | `ADDR` | — |
//! | ETH | EIP-681 `ethereum:[pay-]ADDR[@chain]?value=…` | `ADDR` | — |
//! | ERC-20 (USDT) | EIP-681 `ethereum:CONTRACT[@chain]/transfer?address=ADDR&uint256=…` | the `address` parameter (the recipient, not the contract) | — |
//! | XRP | `xrp:ADDR?amount=…&dt=TAG` (also `ripple:`) | `ADDR` | the destination tag `dt` (or `tag`) |
//! | XDB | `xdb:ADDR?amount=…&memo=MEMO` | `ADDR` | `memo` |
//! | Stellar-style | SEP-7 `web+stellar:pay?destination=ADDR&memo=MEMO` | the `destination` parameter | `memo` |
//!
//! Parameter values are percent-decoded. The parser is total: any text gives an answer or
//! `None` (fuzzed by `fuzz/fuzz_targets/payment_uri.rs`), and it searches by characters only
//! (no substring search: see `api::split_scheme`).

#[allow(unused_imports)]
use crate::prelude::*;

/// What a payment string says about where to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTarget {
    /// The address the customer pays to: non-empty, visible ASCII.
    pub address: String,
    /// The memo / destination tag, when the string carries a non-empty one.
    pub memo: Option<String>,
}

/// The memo parameters, in order of preference: XRP's destination tag, then a memo.
const MEMO_PARAMS: [&str; 4] = ["dt", "tag", "memo", "destination_tag"];

/// Read a payment string; `None` when it is not a URI with an address.
pub fn parse(uri: &str) -> Option<PaymentTarget> {
    let (scheme, rest) = uri.trim().split_once(':')?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
        return None;
    }
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (target, query) = rest.split_once('?').unwrap_or((rest, ""));
    let param = |name: &str| -> Option<String> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode(v))
            .filter(|v| !v.is_empty())
    };
    let ethereum = scheme.eq_ignore_ascii_case("ethereum");
    // EIP-681: `[pay-]ADDRESS[@chain_id][/function]`.
    let target = if ethereum { target.strip_prefix("pay-").unwrap_or(target) } else { target };
    let (target, function) = match target.split_once('/') {
        Some((t, f)) => (t, Some(f)),
        None => (target, None),
    };
    let target = if ethereum { target.split('@').next().unwrap_or("") } else { target };
    let address = match function {
        // A token transfer: the recipient is a parameter; the path names the token contract.
        Some(_) if ethereum => param("address")?,
        _ => param("destination").unwrap_or_else(|| decode(target)),
    };
    if address.is_empty() || !address.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let memo = MEMO_PARAMS.iter().find_map(|name| param(name));
    Some(PaymentTarget { address, memo })
}

/// A percent-decoded value (`%` and two hex digits; any other `%` kept); the text as written
/// when the decoded bytes are not UTF-8. By hand: `percent_encoding`'s decoder was ~0.9 KB of
/// wasm for this.
#[inline(never)]
fn decode(v: &str) -> String {
    let mut out = Vec::with_capacity(v.len());
    let mut bytes = v.bytes();
    while let Some(b) = bytes.next() {
        let hex = |b: Option<u8>| char::from(b.unwrap_or(b'x')).to_digit(16);
        let mut ahead = bytes.clone();
        match (b, hex(ahead.next()), hex(ahead.next())) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                bytes = ahead;
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(uri: &str) -> (String, Option<String>) {
        let t = parse(uri).unwrap_or_else(|| panic!("{uri}"));
        (t.address, t.memo)
    }

    #[test]
    fn bitcoin_bip21() {
        assert_eq!(
            target("bitcoin:bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh?amount=0.00045145423250897323"),
            ("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into(), None)
        );
        assert_eq!(
            target("BITCOIN:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT".into(), None)
        );
        assert_eq!(target("bitcoin:addr?amount=1&label=Shop%20order&message=x").1, None, "label is no memo");
    }

    #[test]
    fn ether_eip681() {
        let a = "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984";
        assert_eq!(target(&format!("ethereum:{a}?value=2014000000000000000")), (a.into(), None));
        assert_eq!(target(&format!("ethereum:pay-{a}@1?value=1e18")), (a.into(), None));
    }

    #[test]
    fn erc20_transfer_pays_the_address_parameter_not_the_contract() {
        let to = "0x8e23ee67d1332ad560396262c48ffbb01f93d052";
        let uri = format!("ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7/transfer?address={to}&uint256=4340000");
        assert_eq!(target(&uri), (to.into(), None));
        let uri = format!("ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7@1/transfer?uint256=1&address={to}");
        assert_eq!(target(&uri), (to.into(), None));
        assert_eq!(
            parse("ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7/transfer?uint256=1"),
            None,
            "no recipient"
        );
    }

    #[test]
    fn xrp_destination_tag() {
        assert_eq!(
            target("xrp:rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY?amount=8.214&dt=3405691582"),
            ("rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY".into(), Some("3405691582".into()))
        );
        assert_eq!(target("ripple:rAddr?dt=7").1.as_deref(), Some("7"));
        assert_eq!(target("xrp:rAddr?amount=1&dt=").1, None, "an empty tag is none");
    }

    #[test]
    fn xdb_memo_and_sep7() {
        let g = "GAQKOJU5S3K4LC6CFJTLY2NFWGYK2G3Q3K3WZJMD2LE7MIEBTD5PFV5P";
        assert_eq!(target(&format!("xdb:{g}?amount=31.7&memo=1234567")), (g.into(), Some("1234567".into())));
        assert_eq!(
            target(&format!("web+stellar:pay?destination={g}&amount=1&memo=order%2042&memo_type=MEMO_TEXT")),
            (g.into(), Some("order 42".into()))
        );
    }

    #[test]
    fn not_a_payment_uri() {
        for bad in ["", "address-only", ":x", "bit coin:x", "bitcoin:", "bitcoin:?amount=1", "bitcoin:a b", "é:x"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(target("xdb:%41BC").0, "ABC", "percent-decoded");
        assert_eq!(target("xdb:A?memo=%FF").1.as_deref(), Some("%FF"), "not UTF-8: as written");
        assert_eq!(target("xdb:A?memo=%e2%82%ac%2").1.as_deref(), Some("€%2"), "a % without two hex digits is kept");
        assert_eq!(target("xdb:A?memo=%%41").1.as_deref(), Some("%A"));
    }
}
