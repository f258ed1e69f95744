// Nothing lost (issues 13 §6, 20): kill -9 between checkout and callback, two Node instances on one
// SQLite file and two workerd instances on one D1 database under duplicated concurrent
// callbacks, a callback that never arrives (reconciliation), a callback for an order not known yet.
// The payments are the ledger's (coinbar_* tables); the fulfilment is its outbox row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../www/sandbox/server.js';
import { startDemo } from '../../www/serve.js';
import { openSqlite } from '../../www/sqlite.js';
import { startWorker } from '../e2e/workerd.js';
import { CART, callbackBody, callbackSink, checkout, coinbarEnv, freePort, getOrder, postCallback, signedHeaders, startDemoProcess, tmpDb, until } from './helpers.js';

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
    const paid = await fetch(`${sb.url}/__sandbox/payments/${order.payment_request_id}/pay`, { method: 'POST' });
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
    const f = await store.exec.all('SELECT order_id FROM coinbar_outbox');
    store.close();
    assert.deepEqual(
      f.map((r) => r.order_id),
      [order.id],
      'fulfilled exactly once',
    );
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
    await fetch(`${sb.url}/__sandbox/payments/${body.payment_request_id}/pay`, { method: 'POST' });
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
  const env = coinbarEnv(sb, { CLIENT_CHECKOUTS_PER_MINUTE: '1000', CLIENT_CHECKOUTS_PER_DAY: '1000' });
  const a = await startDemoProcess({ port: await freePort(), db, env });
  const b = await startDemoProcess({ port: await freePort(), db, env });
  try {
    const { ids, deliveries } = await paidCallbacks(sb, sink, a.url, 10);
    const { results, byStatus, resent } = await duplicateConcurrently([a.url, b.url], deliveries, 5);
    assert.ok(
      results.every((r) => r.status === 200),
      JSON.stringify(byStatus),
    );
    const store = await openSqlite(db);
    const f = await store.exec.all('SELECT order_id, count(*) AS n FROM coinbar_outbox GROUP BY order_id');
    const paid = await store.exec.all("SELECT payment_request_id FROM coinbar_attempts WHERE status = 'SUCCESS' AND status_source = 'callback'");
    store.close();
    assert.equal(paid.length, ids.length);
    assert.deepEqual(f.map((r) => r.order_id).sort(), [...ids].sort());
    assert.ok(f.every((r) => r.n === 1));
    console.log(
      `two Node instances, one SQLite file: ${ids.length} orders, ${results.length} concurrent deliveries, ${resent} sent again after a non-2xx (answers: ${JSON.stringify(byStatus)}), fulfilments ${f.length}, doubled 0`,
    );
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
  const env = coinbarEnv(sb, { CLIENT_CHECKOUTS_PER_MINUTE: '1000', CLIENT_CHECKOUTS_PER_DAY: '1000', CALLBACK_LEASE_SECONDS: '1' });
  const a = await startWorker(env);
  const b = await startWorker(env, { d1Persist: a.d1Persist });
  try {
    const { ids, deliveries } = await paidCallbacks(sb, sink, a.url, 10);
    const { results, byStatus, resent } = await duplicateConcurrently([a.url, b.url], deliveries, 5);
    assert.ok(
      results.every((r) => r.status === 200),
      JSON.stringify(byStatus),
    );
    const f = await a.db.all('SELECT order_id, count(*) AS n FROM coinbar_outbox GROUP BY order_id');
    const viaB = await b.db.all("SELECT payment_request_id FROM coinbar_attempts WHERE status = 'SUCCESS'");
    assert.deepEqual(f.map((r) => r.order_id).sort(), [...ids].sort());
    assert.ok(f.every((r) => r.n === 1));
    assert.equal(viaB.length, ids.length, 'the second instance sees the same database');
    console.log(
      `two workerd instances, one D1: ${ids.length} orders, ${results.length} concurrent deliveries, ${resent} sent again after a non-2xx (answers: ${JSON.stringify(byStatus)}), fulfilments ${f.length}, doubled 0`,
    );
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
    await fetch(`${sb.url}/__sandbox/payments/${order.payment_request_id}/pay`, { method: 'POST' });
    const t0 = Date.now();
    const o = await until(
      async () => {
        const x = await getOrder(demo.url, order.id);
        return x.status === 'SUCCESS' && x;
      },
      'reconciliation',
      { timeoutMs: 10000 },
    );
    assert.equal(o.status_source, 'reconcile');
    assert.equal(o.paid_via_callback, false);
    const f = await demo.store.all('SELECT order_id FROM coinbar_outbox WHERE order_id = ?', [order.id]);
    assert.equal(f.length, 1);
    console.log(
      `lost callback (Node): paid by reconciliation ${Date.now() - t0} ms after payment (period: after 1 s, every 0.5 s); budget used: ${JSON.stringify(await demo.store.all('SELECT purpose, used FROM coinbar_budget'))}`,
    );
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
    await fetch(`${sb.url}/__sandbox/payments/${order.payment_request_id}/pay`, { method: 'POST' });
    const before = await w.scheduled(); // too early: not yet due
    assert.equal(before.outcome, 'ok');
    assert.equal((await getOrder(w.url, order.id)).status, 'CREATED');
    await new Promise((r) => setTimeout(r, 1100));
    await w.scheduled();
    const o = await getOrder(w.url, order.id);
    assert.equal(o.status, 'SUCCESS');
    assert.equal(o.status_source, 'reconcile');
    assert.equal((await w.db.all('SELECT * FROM coinbar_outbox')).length, 1);
  } finally {
    await w.dispose();
    await sb.close();
  }
});

test('reconciliation stays within its share of the day: a spent share stops the run (every instance counts in coinbar_budget)', async () => {
  const sb = await startSandbox({});
  const demo = await startDemo({
    port: 0,
    env: coinbarEnv(sb, { RECONCILE_AFTER_SECONDS: '0', COINBAR_BUDGET_RECONCILE: '3', COINBAR_BUDGET_RECONCILE_HOT: '0', CLIENT_CHECKOUTS_PER_MINUTE: '100' }),
    db: tmpDb('budget'),
    reconcileIntervalMs: 0,
  });
  try {
    for (let i = 0; i < 5; i++) await checkout(demo.url);
    const statusCalls = () => sb.stats().requests['GET /pay/gateway/payment/:id/status'] ?? 0;
    const r1 = (await demo.reconcile()).reconciled;
    assert.equal(r1.checked, 3);
    assert.equal(r1.budget_exhausted, true);
    assert.equal(statusCalls(), 3);
    const r2 = (await demo.reconcile()).reconciled;
    assert.equal(r2.checked, 0, 'spent for today: nothing more is asked');
    assert.equal(statusCalls(), 3);
  } finally {
    await demo.close();
    await sb.close();
  }
});

test('a callback for an order this backend does not know: stored, answered 503 + Retry-After; a bad signature is not stored', async () => {
  const sb = await startSandbox({});
  const demo = await startDemo({ port: 0, env: coinbarEnv(sb), db: tmpDb('unknown'), reconcileIntervalMs: 0 });
  try {
    const body = callbackBody({ prid: 'order-notYetKnown0000000000.1', pid: 'p-unknown-1', status: 'SUCCESS' });
    const r = await postCallback(demo.url, body);
    assert.equal(r.status, 503);
    assert.equal(r.retryAfter, '60');
    assert.equal(r.body.stored, true);
    assert.deepEqual(await demo.store.all('SELECT state, outcome, payment_request_id FROM coinbar_events'), [
      { state: 'released', outcome: 'pending', payment_request_id: 'order-notYetKnown0000000000.1' },
    ]);
    const bad = await postCallback(demo.url, body.replace('p-unknown-1', 'p-unknown-2'), signedHeaders(body));
    assert.equal(bad.status, 401);
    assert.equal((await demo.store.all('SELECT key FROM coinbar_events')).length, 1);
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
