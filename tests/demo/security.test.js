// The demo's security findings (issue 13 §5), one test each; every one of them failed on the
// demo as it was before the fix (noted per test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSandbox } from '../../www/sandbox/server.js';
import { startDemo } from '../../www/serve.js';
import { openSqlite } from '../../www/sqlite.js';
import worker, { newOrderId } from '../../www/app/worker.js';
import { startWorker } from '../e2e/workerd.js';
import { CART, CLIENT, checkout, coinbarEnv, tmpDb } from './helpers.js';

const demoWith = (sandboxOptions = {}, extra = {}) => startDemo({ port: 0, sandboxPort: 0, env: {}, db: tmpDb('sec'), reconcileIntervalMs: 0, sandboxOptions, ...extra });

/** A raw HTTP request (absolute-form targets and any Host allowed). */
function raw(url, { method = 'GET', path, headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test("quotes cannot spend the shop's Coinbar quota: 1,010 GET /api/quotes in a burst, then checkout still works (before: 502 Api RATE exceeded)", async () => {
  const demo = await demoWith({ rateLimitPerDay: 1000 });
  try {
    const t0 = Date.now();
    let ok = 0;
    for (let i = 0; i < 1010; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, 1010 - i) }, () => fetch(`${demo.url}/api/quotes`).then((r) => r.status)));
      ok += batch.filter((s) => s === 200).length;
    }
    const ms = Date.now() - t0;
    assert.equal(ok, 1010, 'every quote request answered from the cache');
    const calls = demo.sandbox.stats().requests['GET /pay/gateway/quotes'];
    assert.equal(calls, 1, 'one Coinbar call for the burst');
    const c = await checkout(demo.url);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    console.log(`quotes burst: 1,010 requests in ${ms} ms -> ${calls} Coinbar quotes call; checkout afterwards ${c.status}`);
    // An unknown fiat is refused, not a new cache key.
    assert.equal((await fetch(`${demo.url}/api/quotes?fiat=XYZ`)).status, 400);
  } finally {
    await demo.close();
  }
});

test('checkout is rate-limited per client address (before: unlimited); the guard and its daily caps: guard.test.js', async () => {
  const demo = await demoWith({}, { env: { CLIENT_CHECKOUTS_PER_MINUTE: '3' } });
  try {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await checkout(demo.url)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    // A client cannot pick its own address: the adapter sets it from the socket.
    assert.equal((await checkout(demo.url, CART, { 'cf-connecting-ip': '203.0.113.9' })).status, 429);
  } finally {
    await demo.close();
  }
});

test('request bodies are capped before reading: 413 (before: a 300 MiB POST was buffered whole)', async () => {
  const demo = await demoWith();
  try {
    // Declared too large: refused before a byte of the body is read.
    const declared = await new Promise((resolve, reject) => {
      const u = new URL(demo.url);
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/coinbar/callback', headers: { 'content-type': 'application/json', 'content-length': String(300 * 1024 * 1024) }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.write('{"a":');
    });
    assert.equal(declared, 413);

    // Streamed without a length: cut off once over the cap, memory stays flat.
    const before = process.memoryUsage().rss;
    const streamed = await new Promise((resolve) => {
      const u = new URL(demo.url);
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/coinbar/callback', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', () => resolve('reset'));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 64) {
          sent += 1;
          if (!req.write(chunk)) return req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(streamed, 413);
    const grewMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grewMiB < 48, `memory grew ${grewMiB.toFixed(1)} MiB for a 64 MiB body`);

    // The handler's own per-route caps (what applies under workerd too): checkout takes 16 KiB.
    const big = JSON.stringify({ ...CART, pad: 'x'.repeat(20 * 1024) });
    const r = await fetch(`${demo.url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(r.status, 413);
  } finally {
    await demo.close();
  }
});

test('the same body caps in workerd', async () => {
  const sb = await startSandbox({});
  const w = await startWorker(coinbarEnv(sb));
  try {
    const r = await fetch(`${w.url}/api/coinbar/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(70 * 1024) });
    assert.equal(r.status, 413);
    const s = await fetch(`${w.url}/api/orders/x/simulate`, { method: 'POST', body: 'x'.repeat(4096) });
    assert.equal(s.status, 413);
  } finally {
    await w.dispose();
    await sb.close();
  }
});

test('the gateway return URL comes from the configured public origin, not the request target (before: http://evil.example/result.html was signed)', async () => {
  const demo = await demoWith();
  try {
    // No web callback URL configured in the sandbox: the payment's urlcallback is what the shop sent.
    demo.sandbox.configure({ clients: [{ id: CLIENT.id, webCallbackUrl: null }] });
    const body = JSON.stringify({ ...CART, mode: 'gateway' });
    const r = await raw(demo.url, {
      method: 'POST',
      path: 'http://evil.example/api/checkout',
      headers: { host: 'evil.example', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      body,
    });
    assert.equal(r.status, 201, r.text);
    const prid = JSON.parse(r.text).payment_request_id;
    // Coinbar's report of the payment carries the urlcallback the shop signed.
    const { CoinbarPay } = await import('coinbar-pay');
    const report = await CoinbarPay.fromEnv(demo.handlerEnv).report(prid);
    assert.equal(report.urlcallback, `${demo.url}/result.html`);
  } finally {
    await demo.close();
  }
});

test('a payment_string that is not a coin URI never becomes a link (before: javascript: went into href)', async () => {
  // A Coinbar that answers with a hostile payment_string.
  const evil = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          result: 'success',
          request_token: 't',
          payment_id_coinbar: 'p-1',
          payment_total_price: 45.79,
          trade_pair: 'BTC/EUR',
          payment_string: 'javascript:alert(document.domain)',
          destination_coin_change: 50000,
          destination_amount: 0.001,
          destination_address: 'a',
          destination_memo: '',
        }),
      );
    });
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const store = await openSqlite(tmpDb('evil'));
  const env = { COINBAR_SERVICE_CLIENT_ID: CLIENT.id, COINBAR_SECRET_KEY: CLIENT.secret, COINBAR_BASE_URL: `http://127.0.0.1:${evil.address().port}`, DB: store.db };
  try {
    const r = await worker.fetch(new Request('http://shop.test/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CART) }), env);
    const order = await r.json();
    assert.equal(r.status, 201, JSON.stringify(order));
    assert.equal(order.wallet_link, null);
    for (const ok of ['bitcoin:bc1q?amount=1', 'ethereum:0xabc?value=1', 'xrp:r1?amount=1&dt=2', 'xdb:G1?amount=1&memo=3']) {
      const { walletLink } = await import('../../www/app/worker.js');
      assert.equal(walletLink(ok), ok);
    }
    const { walletLink } = await import('../../www/app/worker.js');
    for (const bad of ['JavaScript:alert(1)', 'data:text/html,x', 'https://evil.example', 'bitcoin:"onmouseover=x']) assert.equal(walletLink(bad), null, bad);
  } finally {
    store.close();
    await new Promise((r) => evil.close(r));
  }
});

test('pages carry CSP with frame-ancestors, nosniff and Referrer-Policy; API answers too (before: none)', async () => {
  const demo = await demoWith();
  try {
    for (const path of ['/', '/result.html']) {
      const r = await fetch(demo.url + path);
      assert.equal(r.status, 200);
      const csp = r.headers.get('content-security-policy');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    }
    const api = await fetch(`${demo.url}/api/config`);
    assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
    assert.match(api.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  } finally {
    await demo.close();
  }
});

test('the static server decodes the path before its allow-list; malformed encoding is 400 (before: client%2ejs served, 500)', async () => {
  const demo = await demoWith();
  try {
    const get = (path) => raw(demo.url, { path });
    assert.equal((await get('/pkg/src/client%2ejs')).status, 404);
    assert.equal((await get('/pkg/src/client.js')).status, 404);
    assert.equal((await get('/pkg/src/%6eode.js')).status, 404);
    assert.equal((await get('/%E0%A4%A')).status, 400);
    assert.equal((await get('/pkg/src/browser.js')).status, 200, 'the browser entry is still served');
    assert.equal((await get('/pkg/src/..%2f..%2fpackage.json')).status, 404);
  } finally {
    await demo.close();
  }
});

test('the sandbox control endpoints refuse cross-site and non-JSON requests (before: a text/plain POST re-pointed callbackUrl)', async () => {
  const sb = await startSandbox({ controlToken: 'tok-123' });
  try {
    const post = (headers, body) => raw(sb.url, { method: 'POST', path: '/__sandbox/config', headers: { 'content-length': Buffer.byteLength(body), ...headers }, body });
    const attack = JSON.stringify({ clients: [{ id: CLIENT.id, callbackUrl: 'http://evil.example/steal' }] });
    // What a web page can send without a preflight: text/plain, with its Origin.
    assert.equal((await post({ 'content-type': 'text/plain', origin: 'http://evil.example' }, attack)).status, 403);
    assert.equal((await post({ 'content-type': 'text/plain' }, attack)).status, 415);
    assert.equal((await post({ 'content-type': 'application/json', origin: 'http://evil.example' }, attack)).status, 403);
    assert.equal(sb.stats && JSON.parse((await raw(sb.url, { path: '/__sandbox/config' })).text).clients[0].callbackUrl, null, 'not re-pointed');
    // Loopback pages and programs (no Origin) with JSON, or the token, still work.
    const ok = JSON.stringify({ rateLimitPerDay: 999 });
    assert.equal((await post({ 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' }, ok)).status, 200);
    assert.equal((await post({ 'content-type': 'application/json' }, ok)).status, 200);
    assert.equal((await post({ 'content-type': 'application/json', origin: 'https://ci.example', 'x-sandbox-token': 'tok-123' }, ok)).status, 200);
  } finally {
    await sb.close();
  }
});

test('order ids carry at least 96 random bits (before: 48)', async () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newOrderId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) {
    const m = /^order-([A-Za-z0-9_-]+)$/.exec(id);
    assert.ok(m, id);
    const bits = m[1].length * 6;
    assert.ok(bits >= 96, `${id}: ${bits} bits`);
  }
  // And the ids the API hands out have that shape.
  const demo = await demoWith();
  try {
    const { body } = await checkout(demo.url);
    assert.match(body.id, /^order-[A-Za-z0-9_-]{22}$/);
  } finally {
    await demo.close();
  }
});
