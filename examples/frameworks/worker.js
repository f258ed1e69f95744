// Cloudflare Worker (wrangler deploy; secrets with `wrangler secret put COINBAR_SECRET_KEY`).
// The store here is per isolate: on Workers use D1 (docs/callbacks.md has the SQL store).
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';
import { fulfil, paidOrders } from './store.js';

const store = memoryStore();

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' && pathname === '/paid') return Response.json(paidOrders);
    if (request.method !== 'POST' || pathname !== '/coinbar/callback') return new Response('not found', { status: 404 });
    const cbpay = CoinbarPay.fromEnv(env);
    try {
      // The raw bytes (not request.json()): the signature covers exactly what Coinbar sent.
      const { status, outcome } = await cbpay.handleCallback(await request.arrayBuffer(), request.headers, { store, handler: fulfil });
      return Response.json({ outcome }, { status });
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'signature') return new Response(null, { status: 401 }); // not from Coinbar
      // Your handler failed, or the route is set up wrong (code 'config'): log, 500, Coinbar retries.
      console.error('coinbar callback not processed:', e);
      return Response.json({ error: 'callback not processed' }, { status: 500 });
    } finally {
      cbpay.free();
    }
  },
};
