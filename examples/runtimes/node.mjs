// Node 18+ (ESM): node node.mjs
// Needs COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY and COINBAR_BASE_URL (or COINBAR_ENV).
import { CoinbarPay, cartTotal } from 'coinbar-pay';

const cbpay = CoinbarPay.fromEnv(); // reads process.env
const products = [{ product_name: 'Coffee', product_price: '2.50', product_amount: 2, product_id: 'coffee', product_type: 'general' }];

const payment = await cbpay.initiate({
  payment_request_id: `order-${Date.now()}`, // your own id, unique per payment
  input_coin: 'EUR',
  products,
  email: 'jane@example.com',
  user_id: 'customer-42',
  destination_coin: 'BTC',
});
console.log(`${cartTotal(products)} EUR = ${payment.destination_amount} BTC: ${payment.payment_string}`);
cbpay.free();
