//! Target `cart_total`.

use super::*;

/// `cartTotal`: on generated carts the total is the exact sum (never refused within the
/// product limits); on arbitrary text it never panics and agrees with `products_errors`.
pub fn cart_total(data: &[u8]) {
    let mut src = Src::new(data);
    if src.byte() % 4 == 0 {
        let text = String::from_utf8_lossy(src.rest());
        let total = cart_total_json(&text);
        let errors = products_errors(&text);
        match &total {
            Ok(t) => {
                assert!(errors.is_empty());
                let d = parse_plain_ref(t).expect("total is plain");
                assert!(!d.neg);
            }
            Err(e) => assert_eq!(e.errors, errors),
        }
        return;
    }
    let n = if src.chance(1, 100) { 1000 } else { 1 + src.below(8) };
    let mut items = Vec::new();
    let mut want = Dec::zero();
    let mut all_valid = true;
    let mut first: Option<(J, Dec, u64)> = None;
    for i in 0..n {
        let (json, price, amount) = match (&first, i > 8) {
            (Some(f), true) => f.clone(),
            _ => {
                let p = gen_price_field(&mut src);
                let a = gen_amount_field(&mut src);
                let valid = !p.broken && !a.broken;
                if !valid {
                    all_valid = false;
                }
                let fields = vec![
                    ("product_name".to_string(), J::s("p")),
                    ("product_price".to_string(), p.json.clone().unwrap_or(J::Null)),
                    ("product_amount".to_string(), a.json.clone().unwrap_or(J::Null)),
                    ("product_id".to_string(), J::s("i")),
                    ("product_type".to_string(), J::s("t")),
                ];
                if p.json.is_none() || a.json.is_none() {
                    all_valid = false;
                }
                let line = (J::Obj(fields), p.value.unwrap_or_else(Dec::zero), a.value.unwrap_or(0));
                if first.is_none() {
                    first = Some(line.clone());
                }
                line
            }
        };
        want = want.add(&price.mul(&Dec::from_u128(amount as u128, false, 0)));
        items.push(json);
    }
    let text = J::Arr(items).text();
    match cart_total_json(&text) {
        Ok(t) => {
            assert!(all_valid, "cartTotal accepted a cart with a broken line: {text}");
            assert_eq!(t, want.plain(), "cartTotal is not the exact sum");
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Validation);
            assert!(!all_valid, "cartTotal refused a valid cart: {:?}", e.errors);
        }
    }
    // An informative conversion of the total at a generated rate never panics.
    let rate = gen_price(&mut src);
    let _ = convert_amount(&want.plain(), &rate.plain(), u32::from(src.byte()) % 32);
}
