// What every server bundle runs: the package's WebAssembly module loaded the way the
// toolchain bundled it, one signature, one total, one validation. The runner compares the
// signature with node:crypto's HMAC.
import { CoinbarPay, cartTotal, init, validateInitiate } from 'coinbar-pay';

export const SECRET = 'bundler-check-secret';
export const BODY = '{"payment_request_id":"order-1","amount":"1.99"}';

export async function check(entry) {
  await init();
  const cbpay = new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
  try {
    return {
      entry,
      signature: cbpay.sign(BODY),
      total: cartTotal([
        { product_name: 'Coffee', product_price: '2.50', product_amount: 2, product_id: 'c', product_type: 'general' },
        { product_name: 'Tea', product_price: 0.1, product_amount: 3, product_id: 't', product_type: 'general' },
      ]),
      errors: validateInitiate({ payment_request_id: 'order-1' }).map((e) => e.field),
    };
  } finally {
    cbpay.free();
  }
}
