//! Target `payment_uri`: the payment-string parser and `retrievePayment`'s builder.

use super::*;
use coinbar_pay::model::{payment_uri, retrieve};

/// The forms the sandbox builds (www/sandbox/coins.js `paymentString`): `(coin, uri)` for an
/// address, a memo and an amount text.
fn built_uri(coin: usize, address: &str, memo: &str, amount: &str) -> String {
    match coin {
        0 => format!("bitcoin:{address}?amount={amount}"),
        1 => format!("ethereum:{address}?value={amount}"),
        2 => format!("ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7/transfer?address={address}&uint256={amount}"),
        3 => format!("xrp:{address}?amount={amount}&dt={memo}"),
        _ => format!("xdb:{address}?amount={amount}&memo={memo}"),
    }
}

/// Mode byte: even, the rest is any text read as a payment string (and as the payment string
/// of a report); odd, choices that build one of the sandbox's forms, whose address and memo
/// must come back exactly. Either way the rest is also a report answer (`status_and_body`) for
/// the builder, with and without a status answer. Nothing may panic.
pub fn payment_uri(data: &[u8]) {
    let mut src = Src::new(data);
    let mode = src.byte();
    let rest = src.data.get(src.pos.min(src.data.len())..).unwrap_or(&[]);
    if mode % 2 == 0 {
        let text = String::from_utf8_lossy(rest).into_owned();
        check_uri(&text, None);
    } else {
        let coin = src.below(5);
        const ADDRESS: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        let len = 1 + src.below(60);
        let address: String = (0..len).map(|_| char::from(ADDRESS[src.below(ADDRESS.len())])).collect();
        let memo = src.u64().to_string();
        let amount = format!("{}.{}", src.byte(), src.byte());
        let uri = built_uri(coin, &address, &memo, &amount);
        let memo = if coin >= 3 { Some(memo) } else { None };
        check_uri(&uri, Some((&address, memo.as_deref())));
    }
    let (status, body) = status_and_body(rest);
    for answer in [None, Some((status, body.as_str()))] {
        match retrieve::retrieved_json(status, &body, answer) {
            Ok(Some(json)) => {
                let v: Value = serde_json::from_str(&json).expect("retrieved payment is JSON");
                let ps = v["payment_string"].as_str().expect("payment_string");
                let t = payment_uri::parse(ps).expect("a payment string that parsed");
                assert_eq!(v["destination_address"].as_str(), Some(t.address.as_str()));
            }
            Ok(None) => assert!(answer.is_none(), "the status answer was given"),
            Err(e) => check_response_error(&e, status, &body),
        }
    }
}

/// `uri` parses (when `want` is given: to exactly that address and memo); a report carrying it
/// gives the same address and memo, in initiate's shape.
fn check_uri(uri: &str, want: Option<(&str, Option<&str>)>) {
    let parsed = payment_uri::parse(uri);
    if let Some(t) = &parsed {
        assert!(!t.address.is_empty() && t.address.bytes().all(|b| b.is_ascii_graphic()), "{t:?}");
        assert!(t.memo.as_deref().is_none_or(|m| !m.is_empty()));
    }
    if let Some((address, memo)) = want {
        let t = parsed.as_ref().unwrap_or_else(|| panic!("{uri} did not parse"));
        assert_eq!((t.address.as_str(), t.memo.as_deref()), (address, memo), "{uri}");
    }
    let report = json!({"payment_id_coinbar": "p", "status": "PENDING", "payment_detail": {
        "coin": "BTC", "pair": "BTC/EUR", "amount_crypto": "0.1", "coin_price": 2, "total_price": "0.2", "payment_string": uri }});
    match retrieve::retrieved_json(200, &report.to_string(), None) {
        Ok(Some(json)) => {
            let t = parsed.expect("built only from a payment string that parses");
            let v: Value = serde_json::from_str(&json).expect("retrieved payment is JSON");
            assert_eq!(v["payment_string"].as_str(), Some(uri));
            assert_eq!(v["destination_address"].as_str(), Some(t.address.as_str()));
            assert_eq!(v["destination_memo"].as_str(), t.memo.as_deref());
            assert_eq!((v["destination_amount"].as_str(), v["request_token"].is_null()), (Some("0.1"), true));
        }
        Ok(None) => panic!("every field is in the report"),
        Err(e) => {
            assert!(parsed.is_none(), "{uri}: {e:?}");
            assert_eq!(e.kind, ErrorKind::Decode);
        }
    }
}
