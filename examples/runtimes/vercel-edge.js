// Vercel Edge Function (e.g. api/coinbar.js; set the COINBAR_* environment variables in the
// project). Vercel bundles coinbar-pay under the `edge-light` condition and binds the .wasm
// as a compiled module (Edge forbids compiling wasm at run time; this needs no such thing).
//   POST /api/coinbar            {"orderId": "...", "email": "..."} -> what the customer pays
//   POST /api/coinbar/callback   Coinbar's signed backend callback -> 200, or 401
import { CoinbarPay, CoinbarError } from 'coinbar-pay';

export const config = { runtime: 'edge' };

export default async function handler(request) {
  const cbpay = CoinbarPay.fromEnv(process.env);
  try {
    if (request.method !== 'POST') return new Response('method not allowed', { status: 405 });
    if (new URL(request.url).pathname.endsWith('/callback')) {
      const event = cbpay.verifyCallback(await request.arrayBuffer(), request.headers); // the raw bytes
      // if (event.is_paid) fulfil(event.payment_request_id_client), once per event.idempotency_key
      return Response.json({ received: event.idempotency_key, paid: event.is_paid });
    }
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
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return new Response('not from Coinbar', { status: 401 });
    if (e instanceof CoinbarError && e.code === 'validation') return Response.json(e.errors, { status: 400 });
    // Anything else (code 'config': a route set up wrong; a network or Coinbar error): log, 500.
    console.error('coinbar-pay:', e);
    return Response.json({ error: 'try again later' }, { status: 500 });
  } finally {
    cbpay.free();
  }
}
