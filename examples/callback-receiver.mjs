// A merchant's callback endpoint in a few lines (docs/develop-locally.md): Node's http module,
// the same (req, res) shape as an Express route. Try it with the CLI:
//
//   node examples/callback-receiver.mjs            # http://127.0.0.1:3000/coinbar/callback
//   npx coinbar-pay trigger SUCCESS --order order-1001 --forward-to http://127.0.0.1:3000/coinbar/callback --times 2
//
// Credentials: COINBAR_SERVICE_CLIENT_ID / COINBAR_SECRET_KEY, or the local sandbox's demo client.
// With Express: app.post('/coinbar/callback', express.raw({ type: 'application/json' }), …) and
// `req.body` (a Buffer) in place of readRaw(req).
import http from 'node:http';
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';

const cbpay = new CoinbarPay({
  serviceClientId: process.env.COINBAR_SERVICE_CLIENT_ID ?? 'c0ffee00-0000-4000-8000-000000000001',
  secretKey: process.env.COINBAR_SECRET_KEY ?? 'sandbox-secret-do-not-use-in-production',
  baseUrl: process.env.COINBAR_BASE_URL ?? 'http://127.0.0.1:8790/coinbar/api/v2',
});

// Orders and processed callbacks: in your database (docs/callbacks.md has the SQL store).
const orders = new Map(); // payment_request_id -> status
const RANK = { CREATED: 0, PENDING: 1, SUCCESS: 2, FAILED: 2, CANCELED: 2 };
const store = memoryStore(); // processed callbacks, in this process (several instances: the SQL store)

// The effect, idempotent and forward-only: a late PENDING never undoes a SUCCESS, and an order
// is fulfilled once, when it becomes paid (even if two events say so).
async function applyPayment(event) {
  const id = event.payment_request_id_client;
  const current = orders.get(id) ?? 'CREATED';
  const moved = (RANK[event.status] ?? -1) > RANK[current];
  if (moved) orders.set(id, event.status);
  console.log(`${event.status} for ${id}: order ${moved ? `${current} -> ${event.status}` : `stays ${current}`}${moved && event.is_paid ? ', fulfil it' : ''}`);
}

async function readRaw(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function coinbarCallback(req, res) {
  try {
    const { outcome, status } = await cbpay.handleCallback(await readRaw(req), req.headers, { store, handler: applyPayment });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ outcome }));
  } catch (e) {
    const refused = e instanceof CoinbarError && e.code === 'signature';
    if (!refused) console.error(e);
    res.writeHead(refused ? 401 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: refused ? 'signature' : 'retry later' }));
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/coinbar/callback') return coinbarCallback(req, res);
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`callback endpoint: http://127.0.0.1:${server.address().port}/coinbar/callback`);
});
