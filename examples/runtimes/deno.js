// Deno 2: deno run --allow-net --allow-env deno.js
// (in a project whose package.json lists coinbar-pay, installed in node_modules; or after
// `deno add npm:coinbar-pay`). The .wasm is a source-phase import: no --allow-read needed.
import { CoinbarPay, cartTotal } from 'coinbar-pay';

const cbpay = CoinbarPay.fromEnv(Deno.env.toObject());
const products = [{ product_name: 'Coffee', product_price: '2.50', product_amount: 2, product_id: 'coffee', product_type: 'general' }];

const payment = await cbpay.initiate({
  payment_request_id: `order-${Date.now()}`,
  input_coin: 'EUR',
  products,
  email: 'jane@example.com',
  user_id: 'customer-42',
  destination_coin: 'BTC',
});
console.log(`${cartTotal(products)} EUR = ${payment.destination_amount} BTC: ${payment.payment_string}`);
cbpay.free();
