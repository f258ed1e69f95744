// Cloudflare Worker (wrangler deploy; set the secrets with `wrangler secret put`).
// wrangler bundles coinbar-pay under the `workerd` condition: the .wasm is uploaded as a
// compiled module, nothing is fetched or compiled at run time.
//   POST /pay        {"orderId": "...", "email": "..."} -> what the customer pays
//   POST /callback   Coinbar's signed backend callback -> 200, or 401 if not from Coinbar
import { CoinbarPay, CoinbarError } from 'coinbar-pay';

export default {
  async fetch(request, env) {
    const cbpay = CoinbarPay.fromEnv(env); // COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL | COINBAR_ENV
    try {
      const { pathname } = new URL(request.url);
      if (request.method === 'POST' && pathname === '/callback') {
        const event = cbpay.verifyCallback(await request.arrayBuffer(), request.headers); // the raw bytes
        // if (event.is_paid) fulfil(event.payment_request_id_client), once per event.idempotency_key
        return Response.json({ received: event.idempotency_key, paid: event.is_paid });
      }
      if (request.method === 'POST' && pathname === '/pay') {
        const { orderId, email } = await request.json();
        const payment = await cbpay.initiate({
          payment_request_id: orderId,
          input_coin: 'EUR',
          products: [{ product_name: 'Coffee', product_price: '2.50', product_amount: 2, product_id: 'coffee', product_type: 'general' }],
          email,
          user_id: email,
          destination_coin: 'BTC',
        });
        return Response.json({ pay: payment.destination_amount, uri: payment.payment_string });
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'signature') return new Response('not from Coinbar', { status: 401 });
      if (e instanceof CoinbarError && e.code === 'validation') return Response.json(e.errors, { status: 400 });
      // Anything else (code 'config': a route set up wrong; a network or Coinbar error): log, 500.
      console.error('coinbar-pay:', e);
      return Response.json({ error: 'try again later' }, { status: 500 });
    } finally {
      cbpay.free();
    }
  },
};
