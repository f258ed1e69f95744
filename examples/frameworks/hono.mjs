// Hono (here on Node with @hono/node-server; the route is the same on Workers, Deno, Bun).
//   PORT=3000 node hono.mjs   (COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL | COINBAR_ENV)
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';
import { fulfil, paidOrders } from './store.js';

const cbpay = CoinbarPay.fromEnv();
const store = memoryStore();
const app = new Hono();

app.post('/coinbar/callback', async (c) => {
  try {
    // The raw bytes (not c.req.json()): the signature covers exactly what Coinbar sent.
    const { status, outcome } = await cbpay.handleCallback(await c.req.arrayBuffer(), c.req.raw.headers, { store, handler: fulfil });
    return c.json({ outcome }, status);
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return c.body(null, 401); // not from Coinbar
    // Your handler failed, or the route is set up wrong (code 'config'): log, 500, Coinbar retries.
    console.error('coinbar callback not processed:', e);
    return c.json({ error: 'callback not processed' }, 500);
  }
});
app.get('/paid', (c) => c.json(paidOrders));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST ?? '0.0.0.0' }, (info) => {
  console.log(`listening on http://${process.env.HOST ?? 'localhost'}:${info.port}`);
});
