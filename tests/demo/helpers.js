// Shared by the demo backend tests (tests/demo/*.test.js) and the chaos run (tests/demo/chaos.mjs).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const tmpDb = (name = 'demo') => join(mkdtempSync(join(tmpdir(), `coinbar-${name}-`)), 'demo.sqlite');

/** The handler environment for a Coinbar (sandbox) at `sb`. */
export const coinbarEnv = (sb, extra = {}) => ({
  COINBAR_SERVICE_CLIENT_ID: CLIENT.id,
  COINBAR_SECRET_KEY: CLIENT.secret,
  COINBAR_BASE_URL: sb.baseUrl,
  COINBAR_SANDBOX_CONTROL_URL: sb.url,
  ...extra,
});

/** A free TCP port on 127.0.0.1 (bound to port 0 and released), for a server that must come back on the same port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start `node www/serve.js` as a child process (so that it can be killed with SIGKILL). */
export async function startDemoProcess({ port, db, env }) {
  const proc = spawn(process.execPath, ['www/serve.js', '--port', String(port), '--db', db], {
    cwd: root,
    env: { PATH: process.env.PATH, RECONCILE_INTERVAL_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => proc.once('exit', r));
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 20000);
    const check = () => {
      if (out.includes('coinbar-pay demo shop:')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`demo exited (${code}):\n${out}`));
    });
  }).catch((e) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    output: () => out,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export const CART = {
  items: [
    { product_id: 'cups', quantity: 1 },
    { product_id: 'beans-ethiopia', quantity: 2 },
  ],
  customer: { email: 'jane@example.com' },
  coin: 'BTC',
};

export async function checkout(url, body = CART, headers = {}) {
  const r = await fetch(`${url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}

export async function getOrder(url, id) {
  const r = await fetch(`${url}/api/orders/${id}`);
  return r.ok ? r.json() : null;
}

/** Signed callback headers for `body` (the sandbox's way: HMAC-SHA256 of the raw bytes, node:crypto). */
export const signedHeaders = (body) => ({
  'content-type': 'application/json',
  'CBPAY-API-KEY': CLIENT.id,
  SIGNATURE: createHmac('sha256', CLIENT.secret).update(body).digest('hex'),
});

/** POST a raw callback body with its signature headers. */
export async function postCallback(url, body, headers = signedHeaders(body)) {
  const r = await fetch(`${url}/api/coinbar/callback`, { method: 'POST', headers, body });
  return { status: r.status, body: await r.json().catch(() => null), retryAfter: r.headers.get('retry-after') };
}

/** Wait until `fn()` is truthy (polling), or fail with `what`. */
export async function until(fn, what, { timeoutMs = 15000, everyMs = 50 } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** An HTTP sink that records callback deliveries (body + headers) and answers 200. */
export async function callbackSink() {
  const { createServer: http } = await import('node:http');
  const got = [];
  const server = http((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/cb`, got, close: () => new Promise((r) => server.close(r)) };
}

/**
 * A JSON request from a given loopback source address (127.0.0.x): the Node adapter takes the
 * client address from the socket, so this is how a test plays many clients. Resolves { status, body }.
 */
export function requestFrom(localAddress, url, { method = 'GET', body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress, agent, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = null;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A signed Coinbar callback body for a payment (what Coinbar POSTs), with the given status and update_time. */
export function callbackBody({ prid, pid, status, updateTime = new Date().toISOString(), descr = null }) {
  return JSON.stringify({
    result: 'success',
    payment_id_coinbar: pid,
    payment_request_id_client: prid,
    service_client_id: CLIENT.id,
    status,
    payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: 0.001, coin_change: 50000, total_price: 45.79 },
    input_coin: 'EUR',
    creation_time: '2026-05-04T09:39:00Z',
    update_time: updateTime,
    status_descr: descr,
    customer: { external_user_id: 'u', name: 'Jane', surname: 'Doe', email: 'jane@example.com' },
    products: [],
  });
}
