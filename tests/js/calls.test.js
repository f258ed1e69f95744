// Per-call options ({ signal, timeoutMs, maxRetries }) and the request/response hooks, against
// the local sandbox.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { startSandbox } from '../../www/sandbox/server.js';
import { baseInput } from './helpers.js';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
let sandbox;
before(async () => {
  sandbox = await startSandbox({ clients: [CLIENT] });
});
after(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sdk = (opts = {}) => new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl, timeoutMs: 5000, ...opts });
let seq = 0;
const order = () => ({ ...baseInput(), payment_request_id: `call-${++seq}-${Date.now()}`, timestamp: Date.now() });
const fault = (spec) => fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });

test('an AbortSignal aborts a call at once with code aborted; a POST in flight is an unknown outcome', async () => {
  await fault({ kind: 'latency', delayMs: 2000, path: '/status' });
  const input = order();
  await sdk().initiate(input);
  const controller = new AbortController();
  const t0 = performance.now();
  const pending = sdk().paymentStatus(input.payment_request_id, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('user left')), 50);
  const e = await pending.catch((x) => x);
  const ms = performance.now() - t0;
  assert.ok(e instanceof CoinbarError && e.code === 'aborted', String(e));
  assert.equal(e.cause?.message, 'user left');
  assert.equal(e.outcome, undefined, 'GETs carry no outcome');
  assert.ok(ms < 500, `aborted after ${ms} ms`);

  // Already aborted: nothing is sent, and for a POST that is "not processed".
  const done = AbortSignal.abort();
  const early = await sdk()
    .initiate(order(), { signal: done })
    .catch((x) => x);
  assert.deepEqual([early.code, early.outcome], ['aborted', 'not_processed']);

  // Aborted while Coinbar holds the POST: the payment may exist.
  await fault({ kind: 'latency', delayMs: 1000, path: '/initiate' });
  const c2 = new AbortController();
  const inflight = sdk().initiate(order(), { signal: c2.signal });
  setTimeout(() => c2.abort(), 50);
  const late = await inflight.catch((x) => x);
  assert.deepEqual([late.code, late.outcome], ['aborted', 'unknown']);

  // Aborted during the wait before a retry: the last attempt was a 429, so not processed.
  await fault({ kind: '429', retryAfter: 2, path: '/initiate' });
  const c3 = new AbortController();
  const waiting = sdk().initiate(order(), { signal: c3.signal });
  setTimeout(() => c3.abort(), 200);
  const t1 = performance.now();
  const during = await waiting.catch((x) => x);
  assert.deepEqual([during.code, during.outcome], ['aborted', 'not_processed']);
  assert.ok(performance.now() - t1 < 1000, 'the wait was cut short');
});

test('per-call timeoutMs and maxRetries override the client for that call only', async () => {
  const client = sdk({ timeoutMs: 5000, maxRetries: 3 });
  await fault({ kind: 'hang', path: '/quotes' });
  const t0 = performance.now();
  const e = await client.quotes('EUR', { timeoutMs: 150 }).catch((x) => x);
  const ms = performance.now() - t0;
  assert.equal(e.code, 'timeout');
  assert.match(e.message, /within 150 ms/);
  assert.ok(ms >= 140 && ms < 600, `${ms} ms`);

  let attempts = 0;
  client.on('request', () => attempts++);
  await fault({ kind: '503', count: 5, path: '/quotes' });
  const e2 = await client.quotes('EUR', { maxRetries: 0 }).catch((x) => x);
  assert.deepEqual([e2.code, e2.status, attempts], ['http', 503, 1]);
  attempts = 0;
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await fault({ kind: '503', count: 2, path: '/quotes' });
  const quotes = await client.quotes('EUR', { maxRetries: 2 });
  assert.ok(quotes.length > 0);
  assert.equal(attempts, 3);
  assert.equal(client.config.timeoutMs, 5000, 'the client keeps its own settings');

  for (const [options, re] of [
    [{ timeoutMs: 0 }, /^timeoutMs:/],
    [{ maxRetries: 11 }, /^maxRetries:/],
    [{ retries: 1 }, /^retries: is not a per-call option/],
    [7, /call options: must be an object/],
  ]) {
    await assert.rejects(client.quotes('EUR', options), (x) => x instanceof CoinbarError && x.code === 'config' && re.test(x.message), JSON.stringify(options));
  }
  const bad = await client.initiate(order(), { timeoutMs: -1 }).catch((x) => x);
  assert.deepEqual([bad.code, bad.outcome], ['config', 'not_processed']);
});

test('hooks: one request and one response event per attempt, with the retry decision, and no secret, signature, body or e-mail', async () => {
  const client = sdk();
  const events = [];
  const record = (type) => (e) => events.push({ type, ...e });
  client.on('request', record('request')).on('response', record('response'));
  await fault({ kind: '429', retryAfter: 0, path: '/initiate' });
  const input = order();
  const payment = await client.initiate(input);
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.attempt}`),
    ['request 1', 'response 1', 'request 2', 'response 2'],
  );
  const [, first, , second] = events;
  assert.equal(first.call, 'initiate');
  assert.equal(first.method, 'POST');
  assert.equal(first.path, '/coinbar/api/v2/pay/gateway/initiate');
  assert.equal(first.payment_request_id, input.payment_request_id);
  assert.deepEqual([first.status, first.retry, first.error_code], [429, true, null]);
  assert.equal(typeof first.retry_delay_ms, 'number');
  assert.deepEqual([second.status, second.retry, second.retry_delay_ms, second.error_code], [200, false, null, null]);
  assert.ok(second.elapsed_ms >= 0);

  await client.paymentStatus(input.payment_request_id);
  const status = events.filter((e) => e.call === 'paymentStatus');
  assert.deepEqual(
    status.map((e) => `${e.type} ${e.method} ${e.path}`),
    [`request GET /coinbar/api/v2/pay/gateway/payment/${input.payment_request_id}/status`, `response GET /coinbar/api/v2/pay/gateway/payment/${input.payment_request_id}/status`],
  );

  // A failed POST's response event carries the outcome.
  await fault({ kind: '502-after-commit', path: '/initiate' });
  await client.initiate(order()).catch(() => {});
  const failed = events.at(-1);
  assert.deepEqual([failed.status, failed.error_code, failed.outcome, failed.retry], [502, 'http', 'unknown', false]);

  // Secrecy: nothing in any event holds the key, a signature, the body or the customer's data.
  const prepared = client.prepareInitiate(input);
  const text = JSON.stringify(events);
  for (const secret of [CLIENT.secret, prepared.headers.SIGNATURE, input.email, input.products[0].product_name, payment.payment_string]) {
    assert.ok(!text.includes(secret), `an event leaks ${secret.slice(0, 12)}`);
  }
  const keys = new Set(events.flatMap((e) => Object.keys(e)));
  assert.deepEqual(
    [...keys].sort(),
    ['attempt', 'call', 'elapsed_ms', 'error_code', 'method', 'network_code', 'outcome', 'path', 'payment_request_id', 'retry', 'retry_delay_ms', 'status', 'type'].sort(),
  );
});

test('a hook that throws or rejects does not break the call; off() removes a listener', async () => {
  const client = sdk();
  let calls = 0;
  const thrower = () => {
    calls++;
    throw new Error('logging is down');
  };
  client.on('request', thrower).on('response', async () => {
    calls++;
    throw new Error('metrics are down');
  });
  const input = order();
  const payment = await client.initiate(input);
  assert.ok(payment.payment_id_coinbar);
  assert.equal(calls, 2);
  client.off('request', thrower);
  await client.paymentStatus(input.payment_request_id);
  assert.equal(calls, 3, 'only the response listener is left');
});
