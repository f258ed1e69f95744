// Red-team scenarios of issue 20 against the demo backend, through its HTTP API only (so each
// one also runs against the demo as it was before it moved onto coinbar-pay/ledger: every test
// here failed there — noted per test). The checkout flood is in guard.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../../www/serve.js';
import { CART, CLIENT, callbackBody, callbackSink, checkout, getOrder, postCallback, requestFrom, sleep, tmpDb, until } from './helpers.js';

// The payment_request_id Coinbar knows the order's payment by (the ledger: <order>.<attempt>; before: the order id).
const prid = (o) => o.payment_request_id ?? o.id;
const paidOf = (o) => o?.is_paid === true || o?.status === 'SUCCESS';

// These tests check out many times from one address: the guard's per-client caps (guard.test.js) raised.
const RELAXED = { CLIENT_CHECKOUTS_PER_DAY: '1000', CLIENT_CHECKOUTS_PER_MINUTE: '1000', CHECKOUT_PER_MINUTE: '1000' };

async function demoWith(env = {}, options = {}) {
  return startDemo({ port: 0, sandboxPort: 0, env: { ...RELAXED, ...env }, db: tmpDb('redteam'), reconcileIntervalMs: 0, ...options });
}

async function outboxOf(demo, orderId) {
  return demo.store.all('SELECT order_id, state FROM coinbar_outbox WHERE order_id = ?', [orderId]);
}

test('a FAILED callback for another payment of the same order, then the SUCCESS of the paid one: paid, fulfilled once (before: the FAILED closed the order, the SUCCESS was refused)', async () => {
  const sink = await callbackSink();
  const demo = await demoWith({ MAIL_WEBHOOK_URL: sink.url });
  try {
    const { body: order } = await checkout(demo.url);
    // A stray payment of this order (an earlier attempt, another coin) expires: Coinbar says FAILED.
    const stray = callbackBody({ prid: prid(order), pid: 'stray-payment-1', status: 'FAILED', descr: 'Timeout' });
    const r1 = await postCallback(demo.url, stray);
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.equal((await getOrder(demo.url, order.id)).is_final, false, 'the stray FAILED does not close the order');
    // The customer pays the order's own payment: the sandbox sends its signed SUCCESS callback.
    await fetch(`${demo.sandbox.url}/__sandbox/payments/${encodeURIComponent(prid(order))}/pay`, { method: 'POST' });
    const paid = await until(
      async () => {
        const o = await getOrder(demo.url, order.id);
        return paidOf(o) && o;
      },
      'the order paid',
      { timeoutMs: 6000 },
    );
    assert.equal(paid.paid_via_callback, true);
    await until(() => sink.got.length >= 1, 'the "order paid" e-mail');
    await demo.reconcile();
    await sleep(200);
    assert.equal(sink.got.length, 1, 'one e-mail');
    assert.deepEqual(await outboxOf(demo, order.id), [{ order_id: order.id, state: 'sent' }], 'one fulfilment, sent');
  } finally {
    await demo.close();
    await sink.close();
  }
});

test('update_time 09:40:00Z then 09:40:00.700Z, and mixed offsets: the later status applies, the order is not left PENDING (before: compared as strings)', async () => {
  const demo = await demoWith();
  try {
    const cases = [
      ['2026-05-04T09:40:00Z', '2026-05-04T09:40:00.700Z'], // "0Z" > "0." as text
      ['2026-05-04T11:40:00+02:00', '2026-05-04T09:40:01Z'], // the same instant + 1 s, another offset
      ['2026-05-04T09:40:00.5Z', '2026-05-04T09:40:00.700+00:00'],
    ];
    for (const [pendingAt, successAt] of cases) {
      const { body: order } = await checkout(demo.url);
      const pid = order.payment_id_coinbar;
      const p = await postCallback(demo.url, callbackBody({ prid: prid(order), pid, status: 'PENDING', updateTime: pendingAt }));
      assert.equal(p.status, 200);
      assert.equal((await getOrder(demo.url, order.id)).status, 'PENDING');
      const s = await postCallback(demo.url, callbackBody({ prid: prid(order), pid, status: 'SUCCESS', updateTime: successAt }));
      assert.equal(s.status, 200);
      const o = await getOrder(demo.url, order.id);
      assert.equal(o.status, 'SUCCESS', `PENDING at ${pendingAt}, SUCCESS at ${successAt}: left ${o.status}`);
      assert.equal(o.is_paid, true);
    }
    // Within the open stage, an older instant (written with another offset) does not go back.
    const { body: order } = await checkout(demo.url);
    const pid = order.payment_id_coinbar;
    await postCallback(demo.url, callbackBody({ prid: prid(order), pid, status: 'PENDING', updateTime: '2026-05-04T09:40:00.700Z' }));
    await postCallback(demo.url, callbackBody({ prid: prid(order), pid, status: 'CREATED', updateTime: '2026-05-04T11:40:00.600+02:00' }));
    assert.equal((await getOrder(demo.url, order.id)).status, 'PENDING');
  } finally {
    await demo.close();
  }
});

test('abandoned orders vs a paid order whose callback was lost: reconciliation finds the paid one within its budget (before: oldest first, the abandoned ones spent the share)', async () => {
  // No callback reaches the shop; a small day (100 calls) so the shares are small.
  const demo = await demoWith({ COINBAR_DAILY_CALLS: '100', RECONCILE_AFTER_SECONDS: '1' }, { sandboxOptions: { clients: [{ ...CLIENT }] } });
  try {
    // 30 abandoned orders (bots' checkouts from many addresses), then a customer who pays.
    for (let i = 0; i < 30; i++) assert.equal((await requestFrom(`127.0.0.${20 + i}`, `${demo.url}/api/checkout`, { method: 'POST', body: CART })).status, 201);
    await sleep(5);
    const { body: order } = await requestFrom('127.0.0.99', `${demo.url}/api/checkout`, { method: 'POST', body: CART });
    await fetch(`${demo.sandbox.url}/__sandbox/payments/${encodeURIComponent(prid(order))}/pay`, { method: 'POST' });
    await sleep(1100);
    for (let run = 0; run < 3; run++) await demo.reconcile();
    const o = await getOrder(demo.url, order.id);
    assert.equal(o.status, 'SUCCESS', 'reconciliation found the paid order');
    assert.equal(o.is_paid, true);
  } finally {
    await demo.close();
  }
});

test('one reserved Coinbar call is at most one HTTP request: quotes and page refresh under 503s (before: the SDK retried, up to 3 requests per reserved call)', async () => {
  const demo = await demoWith({ REFRESH_MIN_INTERVAL_SECONDS: '0' });
  const faults = async (path) => (await (await fetch(`${demo.sandbox.url}/__sandbox/faults`)).json()).faults.filter((f) => f.path === path).reduce((n, f) => n + f.remaining, 0);
  const inject = (path) => fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '503', path, count: 3 }) });
  try {
    await inject('/quotes');
    await fetch(`${demo.url}/api/quotes`);
    assert.equal(3 - (await faults('/quotes')), 1, 'one quotes request for one reserved call');
    const { body: order } = await checkout(demo.url);
    await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    await inject('/status');
    await fetch(`${demo.url}/api/orders/${order.id}?refresh=1`);
    assert.equal(3 - (await faults('/status')), 1, 'one status request for one reserved call');
  } finally {
    await demo.close();
  }
});

test('tables stay bounded: the outbox is drained (one e-mail per paid order), processed and unknown-order callbacks are pruned (before: no drainer, callbacks kept forever)', async () => {
  const sink = await callbackSink();
  const demo = await demoWith({ MAIL_WEBHOOK_URL: sink.url, RETENTION_DAYS: '0' });
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const { body: order } = await checkout(demo.url);
      ids.push(order.id);
      await fetch(`${demo.url}/api/orders/${order.id}/simulate`, { method: 'POST' });
    }
    await until(async () => (await Promise.all(ids.map((id) => getOrder(demo.url, id)))).every(paidOf), 'three orders paid');
    // A callback for an order this shop never had: stored, answered 503 (Coinbar retries).
    const unknown = await postCallback(demo.url, callbackBody({ prid: 'order-neverSeen.1', pid: 'p-never', status: 'SUCCESS' }));
    assert.equal(unknown.status, 503);
    await sleep(20);
    await demo.reconcile(); // the scheduled job: reconcile, drain, prune
    await until(() => sink.got.length >= 3, 'three e-mails');
    const keys = sink.got.map((m) => m.headers['idempotency-key']).sort();
    assert.deepEqual(keys, ids.map((id) => `coinbar-paid:${id}`).sort(), 'one e-mail per paid order, with its idempotency key');
    const outbox = await demo.store.all('SELECT state, count(*) AS n FROM coinbar_outbox GROUP BY state');
    assert.deepEqual(
      outbox.map((r) => [r.state, Number(r.n)]),
      [['sent', 3]],
    );
    const events = await demo.store.all('SELECT key, state, outcome FROM coinbar_events');
    assert.deepEqual(events, [], 'processed and unknown-order callbacks pruned');
  } finally {
    await demo.close();
    await sink.close();
  }
});
