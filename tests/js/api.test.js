// The whole SDK surface against the local sandbox (www/sandbox), which verifies every
// signature with node:crypto: every endpoint, callbacks, and every fault kind.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CoinbarPay, CoinbarError, statusInfo, gatewayUrl } from 'coinbar-pay';
import { startSandbox } from '../../www/sandbox/server.js';
import { baseInput, memoryCallbackStore } from './helpers.js';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
let sandbox;
let receiver;
const received = []; // callbacks as the merchant's handler saw them
const store = memoryCallbackStore(); // the merchant's callback store
const fulfilled = new Map(); // payment_request_id -> times the merchant fulfilled it
let failNextHandler = 0; // the merchant's handler throws this many more times

before(async () => {
  // The merchant's backend callback endpoint, verifying with the SDK.
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      try {
        const { event, outcome, status } = await sdk().handleCallback(raw, req.headers, {
          store,
          handler: async (event) => {
            if (failNextHandler > 0) {
              failNextHandler -= 1;
              throw new Error('fulfilment failed (database down)');
            }
            if (event.is_paid) fulfilled.set(event.payment_request_id_client, (fulfilled.get(event.payment_request_id_client) ?? 0) + 1);
          },
        });
        received.push({ raw, headers: req.headers, event, outcome });
        res.writeHead(status).end(outcome);
      } catch (e) {
        received.push({ raw, headers: req.headers, error: e });
        res.writeHead(e.code === 'signature' ? 401 : 500).end(e.code ?? 'error');
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
  assert.match(p.destination_amount, /^\d+\.\d{1,6}$/, 'XRP in whole drops (6 decimals), as the sandbox rounds it');
  assert.equal(p.trade_pair, 'XRP/EUR');
  assert.ok(p.destination_memo, 'XRP payments carry a memo');
  assert.ok(p.payment_string.startsWith('xrp:'));
});

test('initiate: an ETH amount with more digits than a double holds keeps every digit', async () => {
  const input = order({
    products: [{ product_name: 'Big order', product_price: 1999.99, product_amount: 1, product_id: 'big', product_type: 'general' }],
    destination_coin: 'ETH',
  });
  const p = await sdk().initiate(input);
  const record = sandbox.payments.get(input.payment_request_id);
  assert.equal(p.destination_amount, String(record.status.payment_detail.destination_amount));
  const digits = p.destination_amount.replace('.', '').replace(/^0+/, '');
  assert.ok(digits.length >= 18, `more digits than a double holds, all kept: ${p.destination_amount}`);
  assert.notEqual(String(Number(p.destination_amount)), p.destination_amount, 'a JS number would have lost digits');
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
  const e = await sdk()
    .paymentStatus('no-such-order')
    .catch((x) => x);
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

test('the signed callback verifies and is processed once; a second delivery is a duplicate', async () => {
  received.length = 0;
  const input = order();
  const p = await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/pay`);
  await until(() => received.some((r) => r.event?.status === 'SUCCESS'));
  const first = received.find((r) => r.event?.status === 'SUCCESS');
  assert.equal(first.outcome, 'processed');
  assert.equal(first.event.payment_id_coinbar, p.payment_id_coinbar);
  assert.equal(first.event.payment_request_id_client, input.payment_request_id);
  assert.equal(first.event.idempotency_key, `${p.payment_id_coinbar}/SUCCESS`);
  assert.equal(first.event.payment_detail.destination_amount, p.destination_amount);
  assert.equal(fulfilled.get(input.payment_request_id), 1);
  // Replay the same delivery: verified again, not processed again.
  const replay = await sdk().handleCallback(first.raw, first.headers, { store, handler: () => assert.fail('ran twice') });
  assert.deepEqual([replay.outcome, replay.status], ['duplicate', 200]);
  assert.equal(fulfilled.get(input.payment_request_id), 1);
});

test("a handler that fails on the first delivery runs again on Coinbar's retry: fulfilled exactly once", async () => {
  received.length = 0;
  failNextHandler = 1;
  const input = order();
  await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/pay`);
  await until(() => received.some((r) => r.outcome === 'processed' && r.event.payment_request_id_client === input.payment_request_id));
  const deliveries = received.filter((r) => r.raw.includes(input.payment_request_id));
  assert.equal(deliveries[0].error?.message, 'fulfilment failed (database down)', 'the first delivery failed and was answered 500');
  assert.equal(deliveries.at(-1).outcome, 'processed', 'the retry ran the handler again');
  assert.equal(fulfilled.get(input.payment_request_id), 1);
  assert.ok(
    store.calls.some(([op]) => op === 'release'),
    'the failed delivery released its claim',
  );
});

test('two concurrent deliveries of one event run the handler once; the other is told to come back (409)', async () => {
  received.length = 0;
  const input = order();
  await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/cancel`);
  await until(() => received.some((r) => r.event?.payment_request_id_client === input.payment_request_id));
  const { raw, headers } = received.find((r) => r.event?.payment_request_id_client === input.payment_request_id);
  const own = memoryCallbackStore();
  let runs = 0;
  const handler = async () => {
    runs += 1;
    await new Promise((r) => setTimeout(r, 50));
  };
  const [a, b] = await Promise.all([sdk().handleCallback(raw, headers, { store: own, handler }), sdk().handleCallback(raw, headers, { store: own, handler })]);
  assert.equal(runs, 1);
  assert.deepEqual([a, b].map((r) => `${r.outcome} ${r.status}`).sort(), ['in_progress 409', 'processed 200']);
  // Later deliveries see it done.
  const c = await sdk().handleCallback(raw, headers, { store: own, handler });
  assert.deepEqual([c.outcome, c.status, runs], ['duplicate', 200, 1]);
  // A claim whose holder crashed (no complete, no release) expires after leaseMs.
  let clock = 0;
  const crashed = memoryCallbackStore({ now: () => clock });
  await assert.rejects(
    sdk().handleCallback(raw, headers, {
      store: crashed,
      leaseMs: 1000,
      handler: () =>
        new Promise(() => {
          throw new Error('crash');
        }),
    }),
  );
  crashed.rows.set([...crashed.rows.keys()][0], { state: 'claimed', token: 'dead-process', leaseUntil: 1000 }); // as if the process died mid-handler
  assert.equal((await sdk().handleCallback(raw, headers, { store: crashed, leaseMs: 1000, handler })).outcome, 'in_progress');
  clock = 1000;
  assert.equal((await sdk().handleCallback(raw, headers, { store: crashed, leaseMs: 1000, handler })).outcome, 'processed');
  assert.equal(runs, 2);
});

test('handleCallback: the old { seen } option and broken stores get config errors that say what to do', async () => {
  const c = sdk();
  const input = order();
  await sdk().initiate(input);
  await control(`payments/${input.payment_request_id}/cancel`);
  await until(() => received.some((r) => r.event?.payment_request_id_client === input.payment_request_id));
  const { raw: body, headers } = received.find((r) => r.event?.payment_request_id_client === input.payment_request_id);
  const config = (e, re) => e instanceof CoinbarError && e.code === 'config' && re.test(e.message);
  await assert.rejects(c.handleCallback(body, headers, { seen: () => false }), (e) => config(e, /seen: handleCallback no longer/));
  await assert.rejects(c.handleCallback(body, headers, null), (e) => config(e, /pass \{ store, handler \}/));
  await assert.rejects(c.handleCallback(body, headers), (e) => config(e, /pass \{ store, handler \}/));
  await assert.rejects(c.handleCallback(body, headers, { store: {}, handler() {} }), (e) => config(e, /store\.claim: must be a function/));
  const { renew, ...oldShape } = memoryCallbackStore();
  await assert.rejects(c.handleCallback(body, headers, { store: oldShape, handler() {} }), (e) => config(e, /store\.renew: must be a function.*claim\(key, token, leaseMs, event\)/));
  await assert.rejects(c.handleCallback(body, headers, { store: memoryCallbackStore() }), (e) => config(e, /handler: must be a function/));
  await assert.rejects(c.handleCallback(body, headers, { store: memoryCallbackStore(), handler() {}, leaseMs: 0 }), (e) => config(e, /leaseMs/));
  const liar = { ...memoryCallbackStore(), claim: () => true };
  await assert.rejects(c.handleCallback(body, headers, { store: liar, handler() {} }), (e) => config(e, /store\.claim: must return/));
  const polluted = Object.create({ store: memoryCallbackStore(), handler() {} });
  await assert.rejects(c.handleCallback(body, headers, polluted), (e) => config(e, /store\.claim/), 'inherited options are not read');
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
    assert.throws(
      () => c.verifyCallback(body, h),
      (e) => e instanceof CoinbarError && e.code === 'signature',
      name,
    );
  }
  // A parsed object is the route's mistake, not a forgery: config (answer 500, log it).
  assert.throws(
    () => c.verifyCallback(JSON.parse(raw), headers),
    (e) => e instanceof CoinbarError && e.code === 'config' && e.option === 'rawBody',
  );
  assert.equal(c.verifyCallback(raw.toString('utf8'), new Headers(headers)).status, 'CANCELED', 'string body + Headers object verify');
  // A huge body is refused before any parsing, whatever its signature.
  const huge = Buffer.alloc(10 * 1024 * 1024, 0x20);
  const t0 = performance.now();
  assert.throws(
    () => c.verifyCallback(huge, { ...headers, signature: c.sign(huge) }),
    (e) => e.code === 'signature' && /larger than 1 MiB/.test(e.message),
  );
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
  assert.equal(
    c.sign(new Uint8Array([0, 255])),
    createHmac('sha256', CLIENT.secret)
      .update(Buffer.from([0, 255]))
      .digest('hex'),
  );
  assert.throws(
    () => c.sign(42),
    (e) => e.code === 'validation',
  );
});

// The fault matrix: [fault, spec, client options, expectation]. Each row runs one initiate,
// checks the error and its outcome, the number of attempts and the number of payments the
// sandbox made, then settles an unknown outcome the documented way (findPayment) — once with
// the sandbox's duplicate rule and once without it, as a Coinbar that creates a payment per
// POST would behave. `spec.refused` stands for a connection refused before anything was
// written (a fetch that fails the way undici does, then the real one).
const MATRIX = [
  ['latency 300 ms', { kind: 'latency', delayMs: 300 }, {}, { ok: true, created: 1, attempts: 1, minMs: 300 }],
  ['connection refused once', { refused: 1 }, {}, { ok: true, created: 1, attempts: 2 }],
  ['connection refused twice', { refused: 2 }, {}, { code: 'network', outcome: 'not_processed', created: 0, attempts: 2 }],
  ['429 + Retry-After 1', { kind: '429', retryAfter: 1 }, {}, { ok: true, created: 1, attempts: 2, minMs: 1000 }],
  ['429 twice', { kind: '429', count: 2, retryAfter: 0 }, {}, { code: 'http', status: 429, outcome: 'not_processed', created: 0, attempts: 2, apiError: 'Api RATE exceeded' }],
  ['500 before processing', { kind: '500' }, {}, { code: 'http', status: 500, outcome: 'unknown', created: 0, attempts: 1 }],
  ['500 after the payment was created', { kind: '500-after-commit' }, {}, { code: 'http', status: 500, outcome: 'unknown', created: 1, attempts: 1 }],
  ['502 before processing', { kind: '502' }, {}, { code: 'http', status: 502, outcome: 'unknown', created: 0, attempts: 1 }],
  ['502 after the payment was created', { kind: '502-after-commit' }, {}, { code: 'http', status: 502, outcome: 'unknown', created: 1, attempts: 1 }],
  ['503 before processing', { kind: '503' }, {}, { code: 'http', status: 503, outcome: 'unknown', created: 0, attempts: 1 }],
  ['503 after the payment was created', { kind: '503-after-commit' }, {}, { code: 'http', status: 503, outcome: 'unknown', created: 1, attempts: 1 }],
  ['504 after the payment was created', { kind: '504-after-commit' }, {}, { code: 'http', status: 504, outcome: 'unknown', created: 1, attempts: 1 }],
  ['connection reset before processing', { kind: 'reset' }, {}, { code: 'network', outcome: 'unknown', created: 0, attempts: 1 }],
  ['connection reset after the payment was created', { kind: 'reset-after-commit' }, {}, { code: 'network', outcome: 'unknown', created: 1, attempts: 1 }],
  ['truncated answer after the payment was created', { kind: 'truncated-after-commit' }, {}, { code: 'network', outcome: 'unknown', created: 1, attempts: 1 }],
  ['answer that never ends, payment created', { kind: 'hang-after-commit' }, { timeoutMs: 400 }, { code: 'timeout', outcome: 'unknown', created: 1, attempts: 1, maxMs: 500 }],
  [
    'slower than the timeout (client gone before processing)',
    { kind: 'latency', delayMs: 600 },
    { timeoutMs: 300 },
    { code: 'timeout', outcome: 'unknown', created: 0, attempts: 1, maxMs: 400, settleMs: 500 },
  ],
  ['malformed JSON (200)', { kind: 'malformed' }, {}, { code: 'decode', outcome: 'unknown', created: 0, attempts: 1 }],
  ['HTML page (200)', { kind: 'wrong-content-type' }, {}, { code: 'decode', outcome: 'unknown', created: 0, attempts: 1 }],
  // Redirects (issue 19 §1): never followed. The default Location is this sandbox under its
  // other loopback name (another origin): a client that followed a 307/308 would POST the
  // signed request there and create a second payment.
  ...['301', '302', '303', '307', '308'].map((code) => [
    `${code} after the payment was created (Location: another origin)`,
    { kind: `${code}-after-commit` },
    {},
    { code: 'http', status: Number(code), outcome: 'unknown', created: 1, attempts: 1, location: true },
  ]),
  ['307 before processing', { kind: '307' }, {}, { code: 'http', status: 307, outcome: 'unknown', created: 0, attempts: 1, location: true }],
  [
    '307 to a port that refuses, payment created',
    { kind: '307-after-commit', location: 'http://127.0.0.1:9/coinbar/api/v2/pay/gateway/initiate' },
    {},
    { code: 'http', status: 307, outcome: 'unknown', created: 1, attempts: 1, location: true },
  ],
  // TLS (issue 19 §2): a certificate refused in the handshake is "not sent" and retried; a
  // bad record of the answer (the request was written and processed) is not.
  ['TLS: certificate expired in the handshake', { tlsBefore: 'CERT_HAS_EXPIRED' }, {}, { ok: true, created: 1, attempts: 2 }],
  ['TLS: host name not in the certificate', { tlsBefore: 'ERR_TLS_CERT_ALTNAME_INVALID' }, {}, { ok: true, created: 1, attempts: 2 }],
  ['TLS: bad record MAC on the answer, payment created', { tlsAfter: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC' }, {}, { code: 'network', outcome: 'unknown', created: 1, attempts: 1 }],
  ['TLS: wrong version number on the answer, payment created', { tlsAfter: 'ERR_SSL_WRONG_VERSION_NUMBER' }, {}, { code: 'network', outcome: 'unknown', created: 1, attempts: 1 }],
];

/** A fetch failing like Node's https with OpenSSL `code`: before sending (the handshake), or after the request was processed. */
function tlsFetch({ tlsBefore, tlsAfter }) {
  let left = 1;
  const fail = (code) => {
    const cause = Object.assign(new Error(`TLS failure ${code}`), { code });
    return new TypeError('fetch failed', { cause });
  };
  return async (url, init) => {
    if (left-- > 0) {
      if (tlsBefore) throw fail(tlsBefore);
      const r = await fetch(url, init);
      await r.arrayBuffer();
      throw fail(tlsAfter);
    }
    return fetch(url, init);
  };
}

/** A fetch whose first `n` calls fail like undici's connection refused. */
function refusingFetch(n) {
  let left = n;
  return (url, init) => {
    if (left-- > 0) {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
      return Promise.reject(new TypeError('fetch failed', { cause }));
    }
    return fetch(url, init);
  };
}

for (const dedupe of [true, false]) {
  test(`fault matrix, duplicate rule ${dedupe ? 'on' : 'off'}: a typed outcome for every fault, never two payments`, async () => {
    const rows = [];
    for (const [name, spec, opts, want] of MATRIX) {
      sandbox.configure({ dedupe });
      if (spec.kind) await control('faults', { path: '/pay/gateway/initiate', ...spec });
      const input = order();
      const client = sdk({ ...opts, ...(spec.refused ? { fetch: refusingFetch(spec.refused) } : {}), ...(spec.tlsBefore || spec.tlsAfter ? { fetch: tlsFetch(spec) } : {}) });
      let attempts = 0;
      client.on('request', () => attempts++);
      const t0 = performance.now();
      const outcome = await client.initiate(input).then(
        (v) => ({ v }),
        (e) => ({ e }),
      );
      const ms = performance.now() - t0;
      await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
      if (want.settleMs) await new Promise((r) => setTimeout(r, want.settleMs));
      const n = created(input.payment_request_id);
      // The merchant's side of an unknown outcome: ask Coinbar before any new attempt.
      let found = '';
      if (outcome.e?.outcome === 'unknown') {
        const status = await sdk().findPayment(input.payment_request_id);
        found = status ? `exists (${status.status})` : 'none';
        assert.equal(Boolean(status), n === 1, `${name}: findPayment agrees with Coinbar`);
        if (!status) {
          const again = await sdk().initiate(input); // only now is a new attempt safe
          assert.ok(again.payment_id_coinbar);
        }
      }
      const final = created(input.payment_request_id);
      const e = outcome.e;
      rows.push({
        fault: name,
        result: e ? `${e.code}${e.status ? ` ${e.status}` : ''}` : 'success',
        outcome: e?.outcome ?? '',
        attempts,
        ms: Math.round(ms),
        created: n,
        findPayment: found,
        'payments in the end': final,
      });
      if (want.ok) assert.ok(!e, `${name}: ${e}`);
      else {
        assert.ok(e instanceof CoinbarError, `${name}: expected an error`);
        assert.equal(e.code, want.code, name);
        assert.equal(e.outcome, want.outcome, `${name}: outcome`);
        assert.match(e.message, want.outcome === 'unknown' ? /outcome unknown.*paymentStatus/ : /not processed/, name);
        if (want.status) assert.equal(e.status, want.status, name);
        if (want.apiError) assert.equal(e.apiError, want.apiError, name);
        if (want.location) assert.match(e.location, /^http:\/\/(localhost|127\.0\.0\.1):\d+\/coinbar\/api\/v2\/pay\/gateway\/initiate$/, `${name}: location`);
      }
      assert.equal(attempts, want.attempts, `${name}: attempts`);
      assert.equal(n, want.created, `${name}: payments created`);
      assert.ok(final <= 1, `${name}: never more than one payment per id`);
      if (want.minMs) assert.ok(ms >= want.minMs - 5, `${name}: ${ms} ms`);
      if (want.maxMs) assert.ok(ms <= want.maxMs, `${name}: ${ms} ms, bound ${want.maxMs}`);
      assert.ok(ms < 5000, `${name}: bounded (${ms} ms)`);
    }
    console.log(`\nfault matrix (initiate through the SDK, default maxRetries 1), duplicate rule ${dedupe ? 'ON' : 'OFF'}:`);
    console.table(rows);
  });
}

test('requestPayment follows the same rule: a lost answer is not re-sent, and findPayment settles it', async () => {
  sandbox.configure({ dedupe: false });
  await control('faults', { path: '/pay/gateway/request', kind: '502-after-commit' });
  const { destination_coin, ...input } = order();
  void destination_coin;
  const e = await sdk()
    .requestPayment(input)
    .catch((x) => x);
  assert.deepEqual([e.code, e.status, e.outcome], ['http', 502, 'unknown']);
  assert.equal(created(input.payment_request_id), 1);
  assert.equal((await sdk().findPayment(input.payment_request_id)).status, 'CREATED');
  assert.equal(await sdk().findPayment('never-sent-1'), null);
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
    const e = await sdk({ maxRetries: 0 })
      .quotes()
      .catch((x) => x);
    assert.equal(e.code, 'http');
    assert.equal(e.status, 429);
    assert.equal(e.apiError, 'Api RATE exceeded');
  } finally {
    sandbox.reset();
  }
});
