//! Target `callback`: signature verification and the callback reader.

use super::*;

pub fn check_event(e: &callback::CallbackEvent, body: &[u8]) {
    let v: Value = serde_json::from_slice(body).expect("a parsed callback is JSON");
    check_payment(&e.payment, &v);
    // The reference key: `%` and `/` of the id escaped, an undocumented status trimmed and
    // upper-cased (a documented one is already canonical upper case).
    let id = e.payment.payment_id_coinbar.replace('%', "%25").replace('/', "%2F");
    let status = e.payment.status.as_str();
    let status = if e.payment.status.is_known() { status.to_string() } else { status.trim().to_ascii_uppercase() };
    assert_eq!(e.idempotency_key, format!("{id}/{status}"));
    check_customer(e.customer.as_ref(), v.get("customer"));
    check_products_echo(&e.products, v.get("products"));
    let mut want = payment_members(&e.payment);
    want.insert("customer".into(), e.customer.as_ref().map_or(Value::Null, customer_json));
    want.insert("products".into(), Value::Array(e.products.iter().map(product_echo_json).collect()));
    want.insert("idempotency_key".into(), Value::String(e.idempotency_key.clone()));
    // The wasm path: verify (here with a check that always passes) and write the event.
    check_json(callback::verify_json(body, Some("cid"), Some("sig"), "cid", |_, _| true), &Value::Object(want));
}

/// Callback verification: the right signature over the exact bytes (and the right client
/// id) is the only thing that verifies; a verified body reads exactly as `parse_event`
/// reads it; nothing panics.
pub fn callback(data: &[u8]) {
    let mut src = Src::new(data);
    let mode = src.byte();
    let flip_at = usize::from(src.byte());
    let body = src.rest();

    #[cfg(not(feature = "signer"))]
    let _ = (mode, flip_at);
    let parsed = callback::parse_event(body);
    match &parsed {
        Ok(e) => check_event(e, body),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Decode);
            check_same_error(callback::verify_json(body, Some("cid"), Some("sig"), "cid", |_, _| true), e);
        }
    }

    #[cfg(feature = "signer")]
    {
        let client = test_client();
        let sig = client.signer().sign_hex(body);
        assert_eq!(sig.len(), 64);
        assert!(sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));

        // The genuine delivery reads exactly like parse_event.
        let genuine = client.verify_callback(body, Some(CLIENT_ID), Some(&sig));
        match (&genuine, &parsed) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("verify {a:?} but parse_event {b:?}"),
        }

        let refused = |r: Result<callback::CallbackEvent, Error>, what: &str| match r {
            Err(e) => assert_eq!(e.kind, ErrorKind::Signature, "{what}"),
            Ok(_) => panic!("{what} verified"),
        };
        // Tampering with one bit of the body.
        if !body.is_empty() {
            let mut tampered = body.to_vec();
            let i = flip_at % tampered.len();
            tampered[i] ^= 1 << (mode % 8);
            refused(client.verify_callback(&tampered, Some(CLIENT_ID), Some(&sig)), "a tampered body");
        }
        // Every other header.
        let i = flip_at % 64;
        let mut one_off = sig.clone().into_bytes();
        one_off[i] = if one_off[i] == b'0' { b'1' } else { b'0' };
        let one_off = String::from_utf8(one_off).expect("hex");
        let upper = sig.to_ascii_uppercase();
        let spaced = format!(" {sig}");
        let extended = format!("{sig}0");
        let variants: [(&str, Option<&str>, Option<&str>); 8] = [
            ("one digit changed", Some(CLIENT_ID), Some(&one_off)),
            ("truncated", Some(CLIENT_ID), Some(&sig[..63])),
            ("spaced", Some(CLIENT_ID), Some(&spaced)),
            ("extended", Some(CLIENT_ID), Some(&extended)),
            ("wrong client", Some("beef0000-0000-4000-8000-000000000002"), Some(&sig)),
            ("no client", None, Some(&sig)),
            ("no signature", Some(CLIENT_ID), None),
            ("empty signature", Some(CLIENT_ID), Some("")),
        ];
        for (what, id, s) in variants {
            refused(client.verify_callback(body, id, s), what);
        }
        if upper != sig {
            refused(client.verify_callback(body, Some(CLIENT_ID), Some(&upper)), "upper-case signature");
        }
        // An arbitrary signature text verifies iff it is exactly the signature.
        let guess = String::from_utf8_lossy(body.get(..body.len().min(64 + (mode as usize % 3))).unwrap_or(&[]));
        assert_eq!(client.signer().verify_hex(body, &guess), guess == sig);
        assert_eq!(client.verify_callback(body, Some(CLIENT_ID), Some(&guess)).is_ok(), guess == sig && parsed.is_ok());
    }
}
