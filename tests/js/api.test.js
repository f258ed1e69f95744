// The whole SDK surface against the local sandbox (www/sandbox), which verifies every
// signature with node:crypto: every endpoint, callbacks, and every fault kind.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CoinbarPay, CoinbarError, statusInfo, gatewayUrl } from 'coinbar-pay';
import { startSandbox } from '../../www/sandbox/server.js';
import { baseInput } from './helpers.js';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
let sandbox;
let receiver;
const received = []; // callbacks as the merchant's handler saw them
const processed = new Set(); // the merchant's idempotency store

before(async () => {
  // The merchant's backend callback endpoint, verifying with the SDK.
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      try {
        const { event, duplicate } = await sdk().handleCallback(raw, req.headers, {
          seen: (key) => processed.has(key) || (processed.add(key), false),
        });
        received.push({ raw, headers: req.headers, event, duplicate });
        res.writeHead(200).end('ok');
      } catch (e) {
        received.push({ raw, headers: req.headers, error: e });
        res.writeHead(e.code === 'signature' ? 401 : 400).end(e.code);
      }
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  sandbox = await startSandbox({
    clients: [{ ...CLIENT, callbackUrl: `http://127.0.0.1:${receiver.address().port}/callback` }],
    callbackRetry: { attempts: 6, baseDelayMs: 20, timeoutMs: 2000 },
  });
});
after(async () => {
  await sandbox.close();
  receiver.closeAllConnections();
  receiver.close();
});
beforeEach(() => sandbox.reset());

const sdk = (opts = {}) => new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl, timeoutMs: 5000, ...opts });
let seq = 0;
const order = (overrides = {}) => ({ ...baseInput(), payment_request_id: `order-${++seq}-${Date.now()}`, timestamp: Date.now(), ...overrides });
const control = (path, body) =>
  fetch(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then(async (r) => {
    assert.ok(r.ok, `control ${path}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  });
const fault = (kind, extra = {}) => control('faults', { kind, ...extra });
const created = (id) => sandbox.payments.createdCount(id);
const until = async (check, ms = 3000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached in time');
};

test('initiate: signed, accepted, exact amounts that match the sandbox record', async () => {
  const input = order({ destination_coin: 'XRP' });
  const p = await sdk().initiate(input);
  const record = sandbox.payments.get(input.payment_request_id);
  assert.equal(created(input.payment_request_id), 1);
  assert.equal(p.payment_total_price, '3.97');
  assert.equal(p.payment_id_coinbar, record.status.payment_id_coinbar);
  assert.equal(p.destination_amount, String(record.status.payment_detail.destination_amount));
  const digits = p.destination_amount.replace('.', '').replace(/^0+/, '');
  assert.ok(digits.length >= 18, `more digits than a double holds, all kept: ${p.destination_amount}`);
  assert.notEqual(String(Number(p.destination_amount)), p.destination_amount, 'a JS number would have lost digits');
  assert.equal(p.trade_pair, 'XRP/EUR');
  assert.ok(p.destination_memo, 'XRP payments carry a memo');
  assert.ok(p.payment_string.startsWith('xrp:'));
});

test('initiate twice with the same payment_request_id gives the same payment (sandbox duplicate rule)', async () => {
  const input = order();
  const a = await sdk().initiate(input);
  const b = await sdk().initiate(input);
  assert.equal(a.payment_id_coinbar, b.payment_id_coinbar);
  assert.equal(created(input.payment_request_id), 1);
});

test('requestPayment: token with + / =, a gateway URL that opens the hosted page', async () => {
  const { destination_coin, ...input } = order();
  const r = await sdk().requestPayment(input);
  assert.match(r.request_token, /[+/=]/);
  const url = new URL(r.gateway_url);
  assert.equal(url.origin, sandbox.url);
  assert.equal(url.pathname, '/paymentgateway/pay');
  assert.equal(url.searchParams.get('requestToken'), r.request_token, 'decodes back to the exact token');
  assert.equal(url.searchParams.get('serviceClientId'), CLIENT.id);
  assert.equal(url.searchParams.get('timestamp'), String(input.timestamp));
  const page = await fetch(r.gateway_url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Pay/);
  assert.equal(sdk().gatewayUrl(r.request_token, input.timestamp), r.gateway_url);
  assert.equal(gatewayUrl({ serviceClientId: CLIENT.id, baseUrl: sandbox.baseUrl }, r.request_token, input.timestamp), r.gateway_url);
  void destination_coin;
});

test('paymentStatus through the life cycle, and report', async () => {
  const input = order();
  await sdk().initiate(input);
  let s = await sdk().paymentStatus(input.payment_request_id);
  assert.equal(s.status, 'CREATED');
  assert.equal(s.is_final, false);
  assert.equal(s.payment_detail.total_price, '3.97');
  await control(`payments/${input.payment_request_id}/pay`);
  s = await sdk().paymentStatus(input.payment_request_id);
  assert.equal(s.status, 'SUCCESS');
  assert.ok(s.is_paid && s.is_final);
  const r = await sdk().report(input.payment_request_id);
  assert.equal(r.status, 'SUCCESS');
  assert.equal(r.customer.email, input.email);
  assert.equal(r.products.length, 2);
  assert.equal(r.payment_detail.total_price, '3.97');
  assert.ok(r.payment_detail.transaction_id);
  const e = await sdk().paymentStatus('no-such-order').catch((x) => x);
  assert.ok(e instanceof CoinbarError);
  assert.equal(e.code, 'http');
  assert.equal(e.status, 404);
});

test('canceled and expired payments', async () => {
  const a = order();
  const b = order();
  await sdk().initiate(a);
  await sdk().initiate(b);
  await control(`payments/${a.payment_request_id}/cancel`);
  await control(`payments/${b.payment_request_id}/expire`);
  const sa = await sdk().paymentStatus(a.payment_request_id);
  const sb = await sdk().paymentStatus(b.payment_request_id);
  assert.deepEqual([sa.status, sa.is_final, sa.is_paid], ['CANCELED', true, false]);
  assert.deepEqual([sb.status, sb.status_descr], ['FAILED', 'Timeout']);
});

test('quotes in EUR and GBP with exact rates', async () => {
  const eur = await sdk().quotes();
  const gbp = await sdk().quotes('GBP');
  assert.ok(eur.length >= 5);
  assert.ok(eur.every((q) => q.conversion_fiat === 'EUR' && /^\d+(\.\d+)?$/.test(q.conversion_rate)));
  assert.ok(gbp.every((q) => q.conversion_fiat === 'GBP'));
  assert.equal(eur.find((q) => q.code === 'BTC').conversion_rate, '52372.33459748911');
  await assert.rejects(sdk().quotes('eur'), (e) => e.code === 'validation' && e.errors[0].field === 'conversion_fiat');
});

test('the signed callback verifies, and a second delivery is recognised as a duplicate', async () => {
  received.length = 0;
  processed.clear();
  const input = order();
  const p = await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/pay`);
  await until(() => received.some((r) => r.event?.status === 'SUCCESS'));
  const first = received.find((r) => r.event?.status === 'SUCCESS');
  assert.equal(first.duplicate, false);
  assert.equal(first.event.payment_id_coinbar, p.payment_id_coinbar);
  assert.equal(first.event.payment_request_id_client, input.payment_request_id);
  assert.equal(first.event.idempotency_key, `${p.payment_id_coinbar}/SUCCESS`);
  assert.equal(first.event.payment_detail.destination_amount, p.destination_amount);
  // Replay the same delivery: verified again, but de-duplicated.
  const replay = await sdk().handleCallback(first.raw, first.headers, { seen: (k) => processed.has(k) || (processed.add(k), false) });
  assert.equal(replay.duplicate, true);
});

test('tampered callbacks are refused with code signature', async () => {
  received.length = 0;
  const input = order();
  await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/cancel`);
  await until(() => received.some((r) => r.event));
  const { raw, headers } = received.find((r) => r.event);
  const c = sdk();
  const flipped = Buffer.from(raw);
  flipped[10] ^= 0x01;
  const sig = headers.signature;
  const otherSig = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
  const cases = {
    'body with one byte changed': [flipped, headers],
    'signature with one digit changed': [raw, { ...headers, signature: otherSig }],
    'signature in upper case': [raw, { ...headers, signature: sig.toUpperCase() }],
    'signature with whitespace': [raw, { ...headers, signature: ` ${sig}` }],
    'wrong client id': [raw, { ...headers, 'cbpay-api-key': 'beef0000-0000-4000-8000-000000000002' }],
    'missing signature': [raw, { 'cbpay-api-key': headers['cbpay-api-key'] }],
    'missing client id': [raw, { signature: sig }],
  };
  for (const [name, [body, h]] of Object.entries(cases)) {
    assert.throws(() => c.verifyCallback(body, h), (e) => e instanceof CoinbarError && e.code === 'signature', name);
  }
  // A route set up wrong is told so, with the fix (code config, not a forged callback).
  const setupErrors = {
    'an already-parsed body (express.json())': [JSON.parse(raw), /already parsed .*express\.raw\(\{ type: 'application\/json' \}\)/],
    'no body at all (express.raw() without the type)': [undefined, /body is undefined: nothing read the request body \(express\.raw\(\) without \{ type: 'application\/json' \}/],
    'an empty body where content-length says otherwise': [Buffer.alloc(0), /body is empty, but the request's content-length is \d+/],
  };
  for (const [name, [body, message]] of Object.entries(setupErrors)) {
    assert.throws(() => c.verifyCallback(body, headers), (e) => e instanceof CoinbarError && e.code === 'config' && message.test(e.message), name);
  }
  assert.throws(() => c.verifyCallback(Buffer.alloc(0), { ...headers, 'content-length': '0' }), (e) => e.code === 'signature', 'an empty body sent as such');
  assert.equal(c.verifyCallback(raw.toString('utf8'), new Headers(headers)).status, 'CANCELED', 'string body + Headers object verify');
  // A huge body is refused before any parsing, whatever its signature.
  const huge = Buffer.alloc(10 * 1024 * 1024, 0x20);
  const t0 = performance.now();
  assert.throws(() => c.verifyCallback(huge, { ...headers, signature: c.sign(huge) }), (e) => e.code === 'signature' && /larger than 1 MiB/.test(e.message));
  assert.ok(performance.now() - t0 < 1000);
});

test('status helpers', () => {
  assert.deepEqual(statusInfo('success'), { status: 'SUCCESS', known: true, is_final: true, is_paid: true });
  assert.deepEqual(statusInfo('Pending'), { status: 'PENDING', known: true, is_final: false, is_paid: false });
  assert.deepEqual(statusInfo('REFUNDED'), { status: 'REFUNDED', known: false, is_final: false, is_paid: false });
});

test('sign() is the HMAC of the bytes given', async () => {
  const { createHmac } = await import('node:crypto');
  const c = sdk();
  assert.equal(c.sign('abc'), createHmac('sha256', CLIENT.secret).update('abc').digest('hex'));
  // Strings are signed as their UTF-8 bytes, lone surrogates as U+FFFD (what TextEncoder and
  // Buffer.from make of them).
  for (const text of ['Käsebrötchen 抹茶ラテ 🍵', 'lone \ud800 surrogate', '\udfff', 'é'.repeat(5000), '🍵'.repeat(9000), 'x'.repeat(20000)]) {
    assert.equal(c.sign(text), createHmac('sha256', CLIENT.secret).update(Buffer.from(text, 'utf8')).digest('hex'), text.slice(0, 20));
    assert.equal(c.sign(text), c.sign(new TextEncoder().encode(text)));
  }
  assert.equal(c.sign(new Uint8Array([0, 255])), createHmac('sha256', CLIENT.secret).update(Buffer.from([0, 255])).digest('hex'));
  assert.throws(() => c.sign(42), (e) => e.code === 'validation');
});

// The fault matrix: [fault, client options, expectation]. Each row runs one initiate and
// then checks the outcome, the time bound and the number of payments the sandbox made.
const MATRIX = [
  ['latency 300 ms', { kind: 'latency', delayMs: 300 }, {}, { ok: true, created: 1, minMs: 300 }],
  ['500 once', { kind: '500' }, {}, { ok: true, created: 1 }],
  ['502 once', { kind: '502' }, {}, { ok: true, created: 1 }],
  ['503 once', { kind: '503' }, {}, { ok: true, created: 1 }],
  ['500 twice, maxRetries 1', { kind: '500', count: 2 }, {}, { code: 'http', status: 500, created: 0 }],
  ['503 with maxRetries 0', { kind: '503' }, { maxRetries: 0 }, { code: 'http', status: 503, created: 0 }],
  ['429 + Retry-After 1', { kind: '429', retryAfter: 1 }, {}, { ok: true, created: 1, minMs: 1000 }],
  ['429 twice', { kind: '429', count: 2, retryAfter: 0 }, {}, { code: 'http', status: 429, created: 0, apiError: 'Api RATE exceeded' }],
  ['connection reset once', { kind: 'reset' }, {}, { ok: true, created: 1 }],
  ['connection reset twice', { kind: 'reset', count: 2 }, {}, { code: 'network', created: 0 }],
  ['truncated body once', { kind: 'truncated' }, {}, { ok: true, created: 1 }],
  ['malformed JSON', { kind: 'malformed' }, {}, { code: 'decode', created: 0 }],
  ['wrong content type (HTML 200)', { kind: 'wrong-content-type' }, {}, { code: 'decode', created: 0 }],
  ['response that never ends', { kind: 'hang' }, { timeoutMs: 400 }, { code: 'timeout', created: 0, maxMs: 500 }],
  ['latency beyond the timeout', { kind: 'latency', delayMs: 2000 }, { timeoutMs: 300 }, { code: 'timeout', maxMs: 400 }],
  ['lost response after commit, retried', { kind: 'reset-after-commit' }, {}, { ok: true, created: 1, sameAsRecord: true }],
  ['lost response after commit, maxRetries 0', { kind: 'reset-after-commit' }, { maxRetries: 0 }, { code: 'network', created: 1 }],
];

test('fault matrix: each fault ends in success or the documented error, in bounded time, never a duplicate', async () => {
  const rows = [];
  for (const [name, spec, opts, want] of MATRIX) {
    await control('faults', { path: '/pay/gateway/initiate', ...spec });
    const input = order();
    const t0 = performance.now();
    const outcome = await sdk(opts).initiate(input).then((v) => ({ v }), (e) => ({ e }));
    const ms = performance.now() - t0;
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    const n = created(input.payment_request_id);
    const seen = outcome.e ? `${outcome.e.code}${outcome.e.status ? ` ${outcome.e.status}` : ''}` : 'success';
    rows.push({ fault: name, outcome: seen, ms: Math.round(ms), payments: n });
    if (want.ok) assert.ok(!outcome.e, `${name}: ${outcome.e}`);
    else {
      assert.ok(outcome.e instanceof CoinbarError, `${name}: expected an error`);
      assert.equal(outcome.e.code, want.code, name);
      if (want.status) assert.equal(outcome.e.status, want.status, name);
      if (want.apiError) assert.equal(outcome.e.apiError, want.apiError, name);
    }
    if (want.created !== undefined) assert.equal(n, want.created, `${name}: payments created`);
    assert.ok(n <= 1, `${name}: never more than one payment per id`);
    if (want.minMs) assert.ok(ms >= want.minMs - 5, `${name}: ${ms} ms`);
    if (want.maxMs) assert.ok(ms <= want.maxMs, `${name}: ${ms} ms, bound ${want.maxMs}`);
    assert.ok(ms < 5000, `${name}: bounded (${ms} ms)`);
    if (want.sameAsRecord) assert.equal(outcome.v.payment_id_coinbar, sandbox.payments.get(input.payment_request_id).status.payment_id_coinbar);
    if (name === 'lost response after commit, maxRetries 0') {
      // The merchant retries by hand with the same input: the original payment comes back.
      const again = await sdk().initiate(input);
      assert.equal(again.payment_id_coinbar, sandbox.payments.get(input.payment_request_id).status.payment_id_coinbar);
      assert.equal(created(input.payment_request_id), 1);
    }
  }
  console.log('\nfault matrix (initiate through the SDK, default maxRetries 1):');
  console.table(rows);
});

test('GET calls retry too: status through a 503 then answers', async () => {
  const input = order();
  await sdk().initiate(input);
  await control('faults', { kind: '503', path: '/status' });
  const s = await sdk().paymentStatus(input.payment_request_id);
  assert.equal(s.status, 'CREATED');
});

test('rate limit: Api RATE exceeded surfaces as http 429', async () => {
  sandbox.configure({ rateLimitPerDay: 2 });
  try {
    await sdk().quotes();
    await sdk().quotes();
    const e = await sdk({ maxRetries: 0 }).quotes().catch((x) => x);
    assert.equal(e.code, 'http');
    assert.equal(e.status, 429);
    assert.equal(e.apiError, 'Api RATE exceeded');
  } finally {
    sandbox.reset();
  }
});
