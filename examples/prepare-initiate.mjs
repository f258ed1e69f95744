// The smallest useful coinbar-pay program: prepare (validate, serialize, sign) an initiate
// call and print it. Nothing is sent. Credentials come from COINBAR_* variables if set.
import { CoinbarPay, cartTotal } from 'coinbar-pay';

const cbpay = process.env.COINBAR_SERVICE_CLIENT_ID
  ? CoinbarPay.fromEnv()
  : new CoinbarPay({
      serviceClientId: 'c0ffee00-0000-4000-8000-000000000001',
      secretKey: 'sandbox-secret-do-not-use-in-production',
      baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2',
    });

const products = [
  { product_name: 'Espresso beans 1 kg', product_price: '24.90', product_amount: 1, product_id: 'beans-1kg', product_type: 'general' },
  { product_name: 'Café crème ☕', product_price: 1.99, product_amount: 3, product_id: 'creme', product_type: 'general' },
];

const prepared = cbpay.prepareInitiate({
  payment_request_id: `order-${Date.now()}`,
  input_coin: 'EUR',
  products,
  email: 'jane@example.com',
  name: 'Jane',
  surname: 'Doe',
  user_id: 'customer-42',
  destination_coin: 'BTC',
});

console.log(`cart total: EUR ${cartTotal(products)}`);
console.log(`${prepared.method} ${prepared.url}`);
for (const [name, value] of Object.entries(prepared.headers)) console.log(`${name}: ${value}`);
console.log();
console.log(prepared.body);
cbpay.free();
