// server-check.js for a CommonJS app (require), the same checks.
const { CoinbarPay, cartTotal, init, validateInitiate } = require('coinbar-pay');

const SECRET = 'bundler-check-secret';
const BODY = '{"payment_request_id":"order-1","amount":"1.99"}';

async function check(entry) {
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

module.exports = { check, SECRET, BODY };
