// Nothing lost (issue 13 §6): kill -9 between checkout and callback, two Node instances on one
// SQLite file and two workerd instances on one D1 database under duplicated concurrent
// callbacks, a callback that never arrives (reconciliation), a callback for an order not known yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../www/sandbox/server.js';
import { startDemo } from '../../www/serve.js';
import { openSqlite } from '../../www/sqlite.js';
import { startWorker } from '../e2e/workerd.js';
import { CART, callbackSink, checkout, coinbarEnv, freePort, getOrder, postCallback, signedHeaders, startDemoProcess, tmpDb, until } from './helpers.js';

test('kill -9 of the Node demo between checkout and callback: after the restart the sandbox retry marks the order paid, fulfilled once', async () => {
  const port = await freePort();
  const db = tmpDb('kill9');
  const sb = await startSandbox({
    clients: [{ id: coinbarEnv({}).COINBAR_SERVICE_CLIENT_ID, secret: coinbarEnv({}).COINBAR_SECRET_KEY, callbackUrl: `http://127.0.0.1:${port}/api/coinbar/callback` }],
    callbackRetry: { attempts: 10, baseDelayMs: 200, timeoutMs: 3000 },
  });
  let demo = await startDemoProcess({ port, db, env: coinbarEnv(sb) });
  try {
    const { status, body: order } = await checkout(demo.url);
    assert.equal(status, 201);
    await demo.kill9();
    // Paid while the shop is down: the first callback attempts find nobody.
    const paid = await fetch(`${sb.url}/__sandbox/payments/${order.id}/pay`, { method: 'POST' });
    assert.equal(paid.status, 200);
    await until(() => sb.callbacks.list()[0]?.attempts.length >= 2, 'two failed callback attempts');
    demo = await startDemoProcess({ port, db, env: coinbarEnv(sb) });
    const after = await until(async () => {
      const o = await getOrder(demo.url, order.id);
      return o?.status === 'SUCCESS' && o;
    }, 'the order paid after the restart');
    assert.equal(after.paid_via_callback, true);
    assert.equal(after.status_source, 'callback', 'the callback retry did it (reconciliation is off)');
    await demo.stop();
    const store = await openSqlite(db);
    const f = await store.all('SELECT order_id FROM fulfilments');
    store.close();
    assert.deepEqual(f.map((r) => r.order_id), [order.id], 'fulfilled exactly once');
    const attempts = sb.callbacks.list()[0].attempts;
    console.log(`kill -9: ${attempts.length} callback attempts (${attempts.filter((a) => !a.status_code).length} refused while down), order paid after restart, fulfilments: ${f.length}`);
  } finally {
    await demo.stop();
    await sb.close();
  }
});

/** Capture the real callbacks of `n` paid orders (body + signature as the sandbox sends them). */
async function paidCallbacks(sb, sink, urlForCheckout, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const { status, body } = await checkout(urlForCheckout);
    assert.equal(status, 201, JSON.stringify(body));
    ids.push(body.id);
    await fetch(`${sb.url}/__sandbox/payments/${body.id}/pay`, { method: 'POST' });
  }
  await until(() => sink.got.length >= n, `${n} callbacks`);
  return { ids, deliveries: sink.got.slice(0, n) };
}

/**
 * Send every callback `copies` times to each instance, all at once; then, as Coinbar does, send
 * each delivery that was not answered 2xx again (100 ms apart) until it is.
 */
async function duplicateConcurrently(urls, deliveries, copies) {
  const byStatus = {};
  let resent = 0;
  const deliver = async (url, d) => {
    const headers = { 'content-type': 'application/json', 'CBPAY-API-KEY': d.headers['cbpay-api-key'], SIGNATURE: d.headers.signature };
    for (let attempt = 0; ; attempt++) {
      const r = await postCallback(url, d.body, headers);
      const k = `${r.status} ${r.body?.outcome ?? r.body?.error}`;
      byStatus[k] = (byStatus[k] ?? 0) + 1;
      if (r.status === 200 || attempt === 50) return r;
      resent += 1;
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const sends = [];
  for (const d of deliveries) for (let c = 0; c < copies; c++) for (const url of urls) sends.push(deliver(url, d));
  const results = await Promise.all(sends);
  return { results, byStatus, resent };
}

test('two Node instances on one SQLite file, duplicated callbacks concurrently: one fulfilment per order', async () => {
  const sink = await callbackSink();
  const sb = await startSandbox({ clients: [{ ...clientOf(), callbackUrl: sink.url }] });
  const db = tmpDb('two-node');
  const env = coinbarEnv(sb, { CHECKOUT_PER_MINUTE: '1000' });
  const a = await startDemoProcess({ port: await freePort(), db, env });
  const b = await startDemoProcess({ port: await freePort(), db, env });
  try {
    const { ids, deliveries } = await paidCallbacks(sb, sink, a.url, 10);
    const { results, byStatus, resent } = await duplicateConcurrently([a.url, b.url], deliveries, 5);
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(byStatus));
    const store = await openSqlite(db);
    const f = await store.all('SELECT order_id, count(*) AS n FROM fulfilments GROUP BY order_id');
    const paid = await store.all("SELECT id FROM orders WHERE status = 'SUCCESS' AND paid_via_callback = 1");
    store.close();
    assert.equal(paid.length, ids.length);
    assert.deepEqual(f.map((r) => r.order_id).sort(), [...ids].sort());
    assert.ok(f.every((r) => r.n === 1));
    console.log(`two Node instances, one SQLite file: ${ids.length} orders, ${results.length} concurrent deliveries, ${resent} sent again after a non-2xx (answers: ${JSON.stringify(byStatus)}), fulfilments ${f.length}, doubled 0`);
  } finally {
    await a.stop();
    await b.stop();
    await sb.close();
    await sink.close();
  }
});

const clientOf = () => ({ id: coinbarEnv({}).COINBAR_SERVICE_CLIENT_ID, secret: coinbarEnv({}).COINBAR_SECRET_KEY });

test('two workerd instances on one D1 database, duplicated callbacks concurrently: one fulfilment per order', async () => {
  const sink = await callbackSink();
  const sb = await startSandbox({ clients: [{ ...clientOf(), callbackUrl: sink.url }] });
  // A short claim lease: a delivery whose release hit SQLITE_BUSY is claimable again soon.
  const env = coinbarEnv(sb, { CHECKOUT_PER_MINUTE: '1000', CALLBACK_LEASE_SECONDS: '1' });
  const a = await startWorker(env);
  const b = await startWorker(env, { d1Persist: a.d1Persist });
  try {
    const { ids, deliveries } = await paidCallbacks(sb, sink, a.url, 10);
    const { results, byStatus, resent } = await duplicateConcurrently([a.url, b.url], deliveries, 5);
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(byStatus));
    const f = await a.db.all('SELECT order_id, count(*) AS n FROM fulfilments GROUP BY order_id');
    const viaB = await b.db.all("SELECT id FROM orders WHERE status = 'SUCCESS'");
    assert.deepEqual(f.map((r) => r.order_id).sort(), [...ids].sort());
    assert.ok(f.every((r) => r.n === 1));
    assert.equal(viaB.length, ids.length, 'the second instance sees the same database');
    console.log(`two workerd instances, one D1: ${ids.length} orders, ${results.length} concurrent deliveries, ${resent} sent again after a non-2xx (answers: ${JSON.stringify(byStatus)}), fulfilments ${f.length}, doubled 0`);
  } finally {
    await a.dispose();
    await b.dispose();
    await sb.close();
    await sink.close();
  }
});

test('a callback that never arrives: reconciliation (Node interval) marks the order paid within its period, fulfilled once', async () => {
  const sb = await startSandbox({}); // no callback URL: Coinbar's callback is lost
  const demo = await startDemo({ port: 0, env: coinbarEnv(sb, { RECONCILE_AFTER_SECONDS: '1' }), db: tmpDb('lost'), reconcileIntervalMs: 500 });
  try {
    const { body: order } = await checkout(demo.url);
    await fetch(`${sb.url}/__sandbox/payments/${order.id}/pay`, { method: 'POST' });
    const t0 = Date.now();
    const o = await until(async () => {
      const x = await getOrder(demo.url, order.id);
      return x.status === 'SUCCESS' && x;
    }, 'reconciliation', { timeoutMs: 10000 });
    assert.equal(o.status_source, 'reconcile');
    assert.equal(o.paid_via_callback, false);
    const f = await demo.store.all('SELECT source FROM fulfilments WHERE order_id = ?', order.id);
    assert.deepEqual(f, [{ source: 'reconcile' }]);
    console.log(`lost callback (Node): paid by reconciliation ${Date.now() - t0} ms after payment (period: after 1 s, every 0.5 s); budget used: ${JSON.stringify(await demo.store.all('SELECT purpose, used FROM api_budget'))}`);
  } finally {
    await demo.close();
    await sb.close();
  }
});

test('a callback that never arrives: the Cron Trigger (scheduled() in workerd, run by Miniflare) marks the order paid', async () => {
  const sb = await startSandbox({});
  const w = await startWorker(coinbarEnv(sb, { RECONCILE_AFTER_SECONDS: '1' }));
  try {
    const { body: order } = await checkout(w.url);
    await fetch(`${sb.url}/__sandbox/payments/${order.id}/pay`, { method: 'POST' });
    const before = await w.scheduled(); // too early: not yet due
    assert.equal(before.outcome, 'ok');
    assert.equal((await getOrder(w.url, order.id)).status, 'CREATED');
    await new Promise((r) => setTimeout(r, 1100));
    await w.scheduled();
    const o = await getOrder(w.url, order.id);
    assert.equal(o.status, 'SUCCESS');
    assert.equal(o.status_source, 'reconcile');
    assert.equal((await w.db.all('SELECT * FROM fulfilments')).length, 1);
  } finally {
    await w.dispose();
    await sb.close();
  }
});

test('reconciliation: oldest first within its daily budget; a 429 backs off every instance', async () => {
  const sb = await startSandbox({});
  const demo = await startDemo({ port: 0, env: coinbarEnv(sb, { RECONCILE_AFTER_SECONDS: '0', COINBAR_BUDGET_RECONCILE: '3' }), db: tmpDb('budget'), reconcileIntervalMs: 0 });
  try {
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await checkout(demo.url)).body.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    const statusCalls = () => sb.stats().requests['GET /pay/gateway/payment/:id/status'] ?? 0;
    const r1 = await demo.reconcile();
    assert.equal(r1.checked, 3);
    assert.equal(r1.budget_exhausted, true);
    assert.equal(statusCalls(), 3);
    const checked = await demo.store.all('SELECT id FROM orders WHERE checks > 0 ORDER BY created_at');
    assert.deepEqual(checked.map((r) => r.id), ids.slice(0, 3), 'the three oldest');
    // Budget spent for today: nothing more is asked.
    const r2 = await demo.reconcile();
    assert.equal(r2.checked, 0);
    assert.equal(statusCalls(), 3);

    // 429: the run stops and the next runs wait (shared through the database).
    await demo.store.run('DELETE FROM api_budget');
    await demo.store.run('UPDATE orders SET next_check_at = 0');
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '429', path: '/status', count: 5 }) });
    const r3 = await demo.reconcile();
    assert.equal(r3.rate_limited, true);
    assert.equal(r3.checked, 1);
    const r4 = await demo.reconcile();
    assert.ok(r4.backed_off_until, 'backed off');
    assert.equal(r4.checked, 0);
    console.log(`reconciliation budget: ${JSON.stringify(r1)}; after a 429: back off until ${r4.backed_off_until}`);
  } finally {
    await demo.close();
    await sb.close();
  }
});

test('a callback for an order this backend does not know yet: stored, answered 503 + Retry-After, applied when the order appears', async () => {
  const sb = await startSandbox({});
  const demo = await startDemo({ port: 0, env: coinbarEnv(sb), db: tmpDb('unknown'), reconcileIntervalMs: 0 });
  try {
    const id = 'order-notYetKnown0000000000';
    const body = JSON.stringify({
      result: 'success', payment_id_coinbar: 'p-unknown-1', payment_request_id_client: id, service_client_id: coinbarEnv({}).COINBAR_SERVICE_CLIENT_ID, status: 'SUCCESS',
      payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: 0.001, coin_change: 50000, total_price: 50 },
      input_coin: 'EUR', creation_time: '2026-01-01T00:00:00.000Z', update_time: '2026-01-01T00:01:00.000Z', status_descr: 'Payment completed',
      customer: { external_user_id: 'u', name: 'Jane', surname: 'Doe', email: 'jane@example.com' }, products: [],
    });
    const r = await postCallback(demo.url, body);
    assert.equal(r.status, 503);
    assert.equal(r.retryAfter, '60');
    assert.equal(r.body.stored, true);
    const stored = await demo.store.all('SELECT state, order_id FROM callback_events');
    assert.deepEqual(stored, [{ state: 'released', order_id: id }]);
    // The order appears (e.g. restored, or written by another instance): the stored callback is applied.
    await demo.store.run(
      "INSERT INTO orders (id, mode, payment_state, currency, total, items, email, created_at, updated_at, expires_at, next_check_at) VALUES (?, 'direct', 'created', 'EUR', '50', '[]', 'jane@example.com', 0, 0, 4e12, 4e12)",
      id,
    );
    const rec = await demo.reconcile();
    assert.equal(rec.stored_callbacks_applied, 1);
    const o = await getOrder(demo.url, id);
    assert.equal(o.status, 'SUCCESS');
    assert.equal((await demo.store.all('SELECT * FROM fulfilments WHERE order_id = ?', id)).length, 1);
    // Coinbar's retry now finds it done: 200 duplicate.
    const again = await postCallback(demo.url, body);
    assert.equal(again.status, 200);
    assert.equal(again.body.outcome, 'duplicate');
    // A bad signature is not stored.
    const bad = await postCallback(demo.url, body.replace('p-unknown-1', 'p-unknown-2'), signedHeaders(body));
    assert.equal(bad.status, 401);
    assert.equal((await demo.store.all('SELECT * FROM callback_events')).length, 1);
  } finally {
    await demo.close();
    await sb.close();
  }
});

test('make demo keeps its orders across restarts (same SQLite file)', async () => {
  const db = tmpDb('restart');
  let demo = await startDemo({ port: 0, sandboxPort: 0, env: {}, db, reconcileIntervalMs: 0 });
  const { body: order } = await checkout(demo.url, CART);
  await demo.close();
  demo = await startDemo({ port: 0, sandboxPort: 0, env: {}, db, reconcileIntervalMs: 0 });
  try {
    const again = await getOrder(demo.url, order.id);
    assert.equal(again?.id, order.id);
    assert.equal(again.total, order.total);
  } finally {
    await demo.close();
  }
});
