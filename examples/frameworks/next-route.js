// Next.js App Router route handler: app/api/coinbar/callback/route.js (Node.js runtime, or
// add `export const runtime = 'edge'`: the same code). Env vars: COINBAR_SERVICE_CLIENT_ID,
// COINBAR_SECRET_KEY, COINBAR_BASE_URL | COINBAR_ENV.
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';
import { fulfil } from '../../../../lib/store.js';

let cbpay; // created on the first request: `next build` loads this file without the env vars
const store = memoryStore();

export async function POST(request) {
  cbpay ??= CoinbarPay.fromEnv(process.env);
  try {
    // The raw bytes (not request.json()): the signature covers exactly what Coinbar sent.
    const { status, outcome } = await cbpay.handleCallback(await request.arrayBuffer(), request.headers, { store, handler: fulfil });
    return Response.json({ outcome }, { status });
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return new Response(null, { status: 401 }); // not from Coinbar
    // Your handler failed, or the route is set up wrong (code 'config'): log, 500, Coinbar retries.
    console.error('coinbar callback not processed:', e);
    return Response.json({ error: 'callback not processed' }, { status: 500 });
  }
}
