// Payment life cycle (control endpoints and timeout), signed backend callbacks with retries,
// and the remaining control endpoints (config, reset, stats, inspection).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { timingSafeEqual } from 'node:crypto';
import { CLIENT, OTHER, apiClient, control, hmac, initiateBody, requestBody, start, startReceiver, waitFor } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start();
  api = apiClient(sb);
});
after(() => sb.close());

async function newPayment(target = sb, overrides = {}) {
  const body = initiateBody(CLIENT.id, overrides);
  const res = await apiClient(target).initiate(body);
  assert.equal(res.status, 200, res.text);
  return body.payment_request_id;
}

const act = (id, action, query = '', target = sb) => control(target, 'POST', `/payments/${encodeURIComponent(id)}/${action}${query ? `?${query}` : ''}`);
const statusOf = async (id, target = sb) => (await apiClient(target).status(id)).json();

test('pay → SUCCESS at once; the API status and the control answer agree', async () => {
  const id = await newPayment();
  const res = await act(id, 'pay');
  assert.equal(res.status, 200);
  assert.equal(res.data.status, 'SUCCESS');
  assert.equal(res.data.payment_request_id_client, id);
  const s = await statusOf(id);
  assert.equal(s.status, 'SUCCESS');
  assert.equal(s.status_descr, 'Payment completed');
  assert.ok(Date.parse(s.update_time) >= Date.parse(s.creation_time));
  const history = (await control(sb, 'GET', `/payments/${id}`)).data.history.map((h) => h.status);
  assert.deepEqual(history, ['CREATED', 'PENDING', 'SUCCESS']);
  // the report now has a transaction
  const report = (await api.get(`/paymentgateway/reports/${id}`)).json();
  assert.match(report.payment_detail.transaction_id, /^[0-9A-F]{64}$/);
  assert.match(report.payment_detail.wallet_origin, /^bc1q/);
  assert.match(report.payment_detail.timestamp.$date, /Z$/);
});

test('pay?delayMs → PENDING, then SUCCESS by itself; confirm moves PENDING → SUCCESS', async () => {
  const id = await newPayment();
  const pending = await act(id, 'pay', 'delayMs=40');
  assert.equal(pending.data.status, 'PENDING');
  assert.equal(pending.data.status_descr, 'Waiting for network confirmation');
  await waitFor(async () => (await statusOf(id)).status === 'SUCCESS', { what: 'delayed SUCCESS' });

  const id2 = await newPayment();
  assert.equal((await act(id2, 'pay', 'delayMs=60000')).data.status, 'PENDING');
  const confirmed = await act(id2, 'confirm');
  assert.equal(confirmed.status, 200);
  assert.equal(confirmed.data.status, 'SUCCESS');
});

test('cancel → CANCELED; expire → FAILED Timeout; final statuses cannot change (409)', async () => {
  const a = await newPayment();
  const canceled = await act(a, 'cancel');
  assert.equal(canceled.data.status, 'CANCELED');
  assert.equal(canceled.data.status_descr, 'Canceled by client request');
  for (const action of ['pay', 'confirm', 'cancel', 'expire']) {
    const res = await act(a, action);
    assert.equal(res.status, 409, action);
    assert.match(res.data.reason, /already CANCELED/);
  }
  const b = await newPayment();
  const expired = await act(b, 'expire');
  assert.equal(expired.data.status, 'FAILED');
  assert.equal(expired.data.status_descr, 'Timeout');
  // confirm needs PENDING
  const c = await newPayment();
  const early = await act(c, 'confirm');
  assert.equal(early.status, 409);
  assert.match(early.data.reason, /not PENDING/);
});

test('control: unknown ids → 404, unknown action → 404, ambiguous ids need ?clientId=', async () => {
  assert.equal((await act('nope', 'pay')).status, 404);
  const id = await newPayment();
  assert.equal((await act(id, 'refund')).status, 404);
  const other = await apiClient(sb, OTHER).initiate(initiateBody(OTHER.id, { payment_request_id: id }));
  assert.equal(other.status, 200);
  const ambiguous = await act(id, 'pay');
  assert.equal(ambiguous.status, 409);
  assert.match(ambiguous.data.reason, /clientId/);
  const paid = await act(id, 'pay', `clientId=${OTHER.id}`);
  assert.equal(paid.data.status, 'SUCCESS');
  assert.equal(paid.data.service_client_id, OTHER.id);
  assert.equal((await statusOf(id)).status, 'CREATED'); // CLIENT's payment untouched
});

test('control: pay on a /request payment picks ?coin= (BTC by default)', async () => {
  const body = requestBody(CLIENT.id);
  await api.post('/pay/gateway/request', body);
  assert.equal((await act(body.payment_request_id, 'pay', 'coin=DOGE')).status, 400);
  const paid = await act(body.payment_request_id, 'pay', 'coin=XRP');
  assert.equal(paid.data.status, 'SUCCESS');
  assert.equal(paid.data.payment_detail.trade_pair, 'XRP/EUR');
});

test('timeout: a payment not final after paymentTimeoutMs becomes FAILED / Timeout', async (t) => {
  const quick = await start({ paymentTimeoutMs: 60 });
  t.after(() => quick.close());
  const id = await newPayment(quick);
  assert.equal((await statusOf(id, quick)).status, 'CREATED');
  // The timer fires on its own: payments.list() does not run the lazy expiry check.
  await waitFor(() => quick.payments.list()[0].status.status === 'FAILED', { what: 'timeout timer' });
  const s = await statusOf(id, quick);
  assert.equal(s.status, 'FAILED');
  assert.equal(s.status_descr, 'Timeout');
  assert.equal((await act(id, 'pay', '', quick)).status, 409);
});

test('timeout with an injected clock is applied lazily on read', async (t) => {
  let clock = Date.now();
  const frozen = await start({ now: () => clock, paymentTimeoutMs: 15 * 60 * 1000 });
  t.after(() => frozen.close());
  const id = await newPayment(frozen, { timestamp: clock });
  clock += 15 * 60 * 1000 - 1;
  assert.equal((await statusOf(id, frozen)).status, 'CREATED');
  clock += 1;
  const s = await statusOf(id, frozen);
  assert.equal(s.status, 'FAILED');
  assert.equal(s.update_time, new Date(clock).toISOString());
});

/** Verifies a received callback the way a merchant must: client id + HMAC of the raw bytes. */
function assertSignedCallback(cb, secret = CLIENT.secret, clientId = CLIENT.id) {
  assert.equal(cb.method, 'POST');
  assert.equal(cb.headers['content-type'], 'application/json');
  assert.equal(cb.headers['cbpay-api-key'], clientId);
  const expected = Buffer.from(hmac(secret, cb.raw));
  const got = Buffer.from(cb.headers.signature ?? '');
  assert.ok(got.length === expected.length && timingSafeEqual(got, expected), 'SIGNATURE = HMAC-SHA256(secret, raw body)');
  return JSON.parse(cb.raw.toString('utf8'));
}

test('callbacks: every final status is POSTed, signed over the raw body, with customer and products', async (t) => {
  const receiver = await startReceiver([200]);
  t.after(() => receiver.close());
  const cfg = await control(sb, 'POST', '/config', { clients: [{ id: CLIENT.id, callbackUrl: receiver.url }] });
  assert.equal(cfg.data.clients.find((c) => c.id === CLIENT.id).callbackUrl, receiver.url);
  t.after(() => control(sb, 'POST', '/config', { clients: [{ id: CLIENT.id, callbackUrl: null }] }));

  const paidId = await newPayment();
  const canceledId = await newPayment();
  const expiredId = await newPayment();
  await act(paidId, 'pay');
  await act(canceledId, 'cancel');
  await act(expiredId, 'expire');
  await waitFor(() => receiver.received.length >= 3, { what: 'three callbacks' });

  const bodies = receiver.received.map((cb) => assertSignedCallback(cb));
  const byId = Object.fromEntries(bodies.map((b) => [b.payment_request_id_client, b]));
  assert.equal(byId[paidId].status, 'SUCCESS');
  assert.equal(byId[canceledId].status, 'CANCELED');
  assert.equal(byId[expiredId].status, 'FAILED');
  assert.equal(byId[expiredId].status_descr, 'Timeout');

  const paid = byId[paidId];
  assert.equal(paid.result, 'success');
  assert.equal(paid.service_client_id, CLIENT.id);
  assert.deepEqual(paid.customer, { external_user_id: 'user-42', name: 'Mario', surname: 'Rossi', email: 'customer@example.com' });
  assert.equal(paid.products.length, 2);
  assert.equal(paid.payment_detail.trade_pair, 'BTC/EUR');
  // the raw bytes carry the amount as the initiate answered it (rounded up to whole satoshi)
  const rawPaid = receiver.received.find((cb) => cb.raw.includes(paidId)).raw.toString();
  assert.match(rawPaid, /"destination_amount":0\.00007581,/);

  const log = (await control(sb, 'GET', '/callbacks')).data.deliveries;
  const entry = log.find((d) => d.payment_request_id === paidId);
  assert.equal(entry.delivered, true);
  assert.equal(entry.attempts.length, 1);
  assert.equal(entry.attempts[0].status_code, 200);
  assert.equal(entry.signature, receiver.received.find((cb) => cb.raw.includes(paidId)).headers.signature);
});

test('callbacks: retried with backoff until 2xx (500, 500, 200 → 3 attempts)', async (t) => {
  const own = await start({ callbackRetry: { attempts: 6, baseDelayMs: 30 } });
  t.after(() => own.close());
  const receiver = await startReceiver([500, 500, 200]);
  t.after(() => receiver.close());
  await control(own, 'POST', '/config', { clients: [{ id: CLIENT.id, callbackUrl: receiver.url }] });

  const id = await newPayment(own);
  await act(id, 'pay', '', own);
  const delivery = await waitFor(
    async () => {
      const d = (await control(own, 'GET', '/callbacks')).data.deliveries[0];
      return d?.finished && d;
    },
    { what: 'callback delivery' },
  );

  assert.equal(delivery.delivered, true);
  assert.deepEqual(
    delivery.attempts.map((a) => a.status_code),
    [500, 500, 200],
  );
  assert.deepEqual(
    delivery.attempts.map((a) => a.attempt),
    [1, 2, 3],
  );
  assert.equal(receiver.received.length, 3);
  // the same signed bytes every time
  const raws = new Set(receiver.received.map((cb) => cb.raw.toString()));
  assert.equal(raws.size, 1);
  receiver.received.forEach((cb) => assertSignedCallback(cb));
  // exponential backoff: ≥ 30 ms then ≥ 60 ms between attempts
  const at = delivery.attempts.map((a) => Date.parse(a.at));
  assert.ok(at[1] - at[0] >= 25 && at[2] - at[1] >= 55, `gaps ${at[1] - at[0]}, ${at[2] - at[1]}`);
});

test('callbacks: gives up after callbackRetry.attempts and records errors', async (t) => {
  const own = await start({ callbackRetry: { attempts: 3, baseDelayMs: 5 } });
  t.after(() => own.close());
  const receiver = await startReceiver([503]);
  t.after(() => receiver.close());
  await control(own, 'POST', '/config', { clients: [{ id: CLIENT.id, callbackUrl: receiver.url }] });
  const id = await newPayment(own);
  await act(id, 'cancel', '', own);
  const d = await waitFor(
    async () => {
      const x = (await control(own, 'GET', '/callbacks')).data.deliveries[0];
      return x?.finished && x;
    },
    { what: 'giving up' },
  );
  assert.equal(d.delivered, false);
  assert.deepEqual(
    d.attempts.map((a) => a.status_code),
    [503, 503, 503],
  );

  // a receiver that is down: connection errors are recorded too
  await receiver.close();
  const id2 = await newPayment(own);
  await act(id2, 'expire', '', own);
  const d2 = await waitFor(
    async () => {
      const x = (await control(own, 'GET', '/callbacks')).data.deliveries.find((e) => e.payment_request_id === id2);
      return x?.finished && x;
    },
    { what: 'errors recorded' },
  );
  assert.equal(d2.attempts.length, 3);
  assert.ok(d2.attempts.every((a) => a.status_code === undefined && /ECONNREFUSED/.test(a.error)));
});

test('control: list, inspect, stats and reset', async (t) => {
  const own = await start();
  t.after(() => own.close());
  const id = await newPayment(own);
  await apiClient(own).get('/pay/gateway/quotes');

  const list = (await control(own, 'GET', '/payments')).data;
  assert.equal(list.payments.length, 1);
  assert.equal(list.payments[0].payment_request_id, id);
  assert.equal(list.payments[0].created_count, 1);
  assert.equal(list.payments[0].status.status, 'CREATED');
  const one = (await control(own, 'GET', `/payments/${id}`)).data;
  assert.equal(one.status.payment_request_id_client, id);
  assert.match(one.request_token, /=$/);

  const stats = (await control(own, 'GET', '/stats')).data;
  assert.equal(stats.requests['POST /pay/gateway/initiate'], 1);
  assert.equal(stats.requests['GET /pay/gateway/quotes'], 1);
  assert.deepEqual(stats.payments_created, [{ client_id: CLIENT.id, payment_request_id: id, created: 1, replayed: 0, conflicts: 0 }]);
  assert.equal(stats.rate_limit.usage[0].used, 2);

  const cfg = await control(own, 'POST', '/config', { paymentTimeoutMs: 1234, callbackRetry: { baseDelayMs: 7 } });
  assert.equal(cfg.data.paymentTimeoutMs, 1234);
  assert.equal(cfg.data.callbackRetry.baseDelayMs, 7);
  assert.equal(cfg.data.callbackRetry.attempts, 6);
  assert.equal((await control(own, 'POST', '/config', { rateLimitPerDay: -1 })).status, 400);
  assert.equal((await control(own, 'POST', '/config', { clients: [{ id: 'new' }] })).status, 400);

  assert.equal((await control(own, 'POST', '/reset')).status, 200);
  assert.equal((await control(own, 'GET', '/payments')).data.payments.length, 0);
  assert.equal((await control(own, 'GET', `/payments/${id}`)).status, 404);
  assert.equal((await control(own, 'GET', '/config')).data.paymentTimeoutMs, 15 * 60 * 1000);
  assert.equal((await control(own, 'GET', '/stats')).data.open_timers, 0);
  assert.equal((await control(own, 'GET', '/nonsense')).status, 404);
});

test('config: a client added at runtime can authenticate', async (t) => {
  const own = await start();
  t.after(() => own.close());
  const added = { id: 'added-0000-4000-8000-000000000009', secret: 'added-secret' };
  assert.equal((await apiClient(own, added).get('/pay/gateway/quotes')).status, 401);
  await control(own, 'POST', '/config', { clients: [added] });
  assert.equal((await apiClient(own, added).get('/pay/gateway/quotes')).status, 200);
});
