// What every browser bundle runs, in Chromium: the browser build (no signer), loaded with the
// explicit ready step instead of top-level await. Results go to window.__check.
import { cartTotal, init, statusInfo, validateInitiate } from 'coinbar-pay';

let early;
try {
  cartTotal([]);
  early = 'no error';
} catch (e) {
  early = `${e.code}: ${e.message}`;
}

init()
  .then(() => {
    window.__check = {
      early,
      total: cartTotal([
        { product_name: 'Coffee', product_price: '2.50', product_amount: 2, product_id: 'c', product_type: 'general' },
        { product_name: 'Tea', product_price: 0.1, product_amount: 3, product_id: 't', product_type: 'general' },
      ]),
      errors: validateInitiate({ payment_request_id: 'order-1' }).map((e) => e.field),
      paid: statusInfo('success').is_paid,
    };
  })
  .catch((e) => {
    window.__check = { error: String(e?.stack || e) };
  });
