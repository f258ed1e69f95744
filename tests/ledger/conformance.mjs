// The ledger's conformance suite, run on each database (sqlite.test.js, d1.test.js,
// postgres.test.js). Every test gets its own table prefix on the backend's database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLedger } from 'coinbar-pay/ledger';
import { clock, fakeCbpay, initiateAnswer, input, payment, signedCallback, unknownError } from './helpers.mjs';
import { e2eTests } from './e2e.mjs';

export function conformance(open) {
  let backend;
  let n = 0;
  before(async () => {
    backend = await open();
  });
  after(async () => {
    await backend?.close();
  });

  /** A migrated ledger on a fresh prefix; `second` is another instance on the same tables (db2). */
  async function setup(options = {}) {
    const prefix = `t${++n}_`;
    const c = options.clock ?? clock();
    const anomalies = [];
    const make = (db) => createLedger({ db, prefix, now: c.now, settleAfterMs: 10, onAnomaly: (a) => anomalies.push(a), ...options.ledger });
    const ledger = make(backend.db);
    await ledger.migrate();
    return { ledger, second: () => make(backend.db2), clock: c, anomalies, prefix };
  }
  const T = (name, fn) => test(name, fn);

  T('migrate: applied once, idempotent, tables carry the prefix', async () => {
    const { ledger, prefix } = await setup();
    assert.deepEqual(await ledger.migrate(), []);
    assert.equal(ledger.tables.outbox, `${prefix}outbox`);
    assert.equal(await ledger.payment('nope'), null);
  });

  T('1. record before calling: the attempt exists when initiate runs; payment() shows it again without a POST', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    let seen;
    const cbpay = fakeCbpay({
      initiate: async (i) => {
        seen = await ledger.payment(orderId, { touch: false });
        return { ...initiateAnswer('pid-r1'), destination_memo: '12345' };
      },
    });
    const view = await ledger.checkout(orderId, input(), { cbpay, meta: { email: 'a@example.com' } });
    assert.equal(seen.state, 'initiating');
    assert.equal(seen.payment_request_id, `${orderId}.1`);
    assert.equal(view.state, 'created');
    assert.equal(view.payment_id_coinbar, 'pid-r1');
    assert.equal(view.payment.payment_string, 'bitcoin:bc1qtest?amount=0.0000758');
    assert.equal(view.payment.address, 'bc1qtest');
    assert.equal(view.payment.destination_memo, '12345');
    assert.equal(view.payment.amount, '0.0000758');
    assert.deepEqual(cbpay.calls[0].opts.maxRetries, 0);
    const again = await ledger.payment(orderId);
    assert.deepEqual(again.payment, view.payment);
    const reuse = await ledger.checkout(orderId, input(), { cbpay });
    assert.equal(reuse.payment_request_id, view.payment_request_id);
    assert.equal(cbpay.count('initiate'), 1, 'no second POST for an open attempt');
    assert.equal((await ledger.budget()).used.checkout, 1);
  });

  T('1. unknown outcome: settled with findPayment after a short wait, never a second POST', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({
      initiate: async () => {
        throw unknownError();
      },
      findPayment: async (id) => payment(id, 'pid-u1', 'CREATED'),
      report: async () => ({ payment_detail: { coin: 'XRP', payment_string: 'xrp:rAddr?amount=8.1&dt=4242', amount_crypto: '8.1', total_price: '3.97' } }),
    });
    const view = await ledger.checkout(orderId, input('XRP'), { cbpay });
    assert.equal(cbpay.count('initiate'), 1);
    assert.equal(cbpay.count('findPayment'), 1);
    assert.equal(view.state, 'created');
    assert.equal(view.payment_id_coinbar, 'pid-u1');
    assert.equal(view.payment.address, 'rAddr');
    assert.equal(view.payment.destination_memo, '4242');
    assert.equal(cbpay.calls.find((c) => c.name === 'findPayment').opts.maxRetries, 0);
  });

  T('1. unknown outcome Coinbar does not know: kept unknown (no new POST), reconciliation concludes, then a new attempt', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c });
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({
      initiate: async (i) => {
        if (i.payment_request_id.endsWith('.1')) throw unknownError();
        return initiateAnswer('pid-2');
      },
      findPayment: async () => null,
    });
    await assert.rejects(ledger.checkout(orderId, input(), { cbpay }), (e) => e.outcome === 'unknown');
    assert.equal((await ledger.payment(orderId)).state, 'unknown');
    await assert.rejects(ledger.checkout(orderId, input(), { cbpay }).then((v) => assert.fail(`reused: ${v.state}`)), /reused: unknown/);
    assert.equal(cbpay.count('initiate'), 1, 'an unknown attempt is never POSTed again');
    c.advance(130_000);
    const r = await ledger.reconcile({ cbpay });
    assert.equal(r.not_created, 1);
    const view = await ledger.checkout(orderId, input(), { cbpay });
    assert.equal(view.attempt, 2);
    assert.equal(view.payment_id_coinbar, 'pid-2');
  });

  T('2. FAILED of another attempt, then SUCCESS of the paid one: order paid, one outbox row', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    let k = 0;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-${++k}-${orderId}`) });
    await ledger.checkout(orderId, input('BTC'), { cbpay });
    await ledger.checkout(orderId, input('ETH'), { cbpay }); // the customer switched coin: attempt 2
    const a1 = `pid-1-${orderId}`;
    const a2 = `pid-2-${orderId}`;
    let r = await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.2`, a2, 'FAILED', '2026-01-01T10:00:00Z', 'Timeout')));
    assert.deepEqual([r.status, r.outcome], [200, 'processed']);
    assert.equal((await ledger.payment(orderId)).paid, false);
    r = await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.1`, a1, 'SUCCESS', '2026-01-01T09:50:00Z')));
    assert.deepEqual([r.status, r.outcome], [200, 'processed']);
    const view = await ledger.payment(orderId);
    assert.equal(view.paid, true);
    assert.equal(view.payment_id_coinbar, a1);
    assert.equal(view.attempts[1].status, 'FAILED');
    assert.equal((await ledger.outbox({ orderId })).length, 1);
    await assert.rejects(ledger.checkout(orderId, input(), { cbpay }), (e) => e.code === 'already_paid' && e.view.paid);
    // and a stale FAILED of the other attempt afterwards changes nothing
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.2`, a2, 'CANCELED', '2026-01-01T11:00:00Z')));
    assert.equal((await ledger.payment(orderId)).paid, true);
  });

  T('1. gateway mode: requestPayment without a payment id yet; the callback binds it by payment_request_id', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ requestPayment: async () => ({ result: 'success', request_token: 't+/=', payment_id_coinbar: null, gateway_url: 'https://gw.example/pay?requestToken=t' }) });
    const { destination_coin, ...gatewayInput } = input();
    const view = await ledger.checkout(orderId, gatewayInput, { cbpay, mode: 'gateway' });
    assert.equal(view.payment.gateway_url, 'https://gw.example/pay?requestToken=t');
    assert.equal(view.payment_id_coinbar, null);
    assert.equal((await ledger.checkout(orderId, gatewayInput, { cbpay, mode: 'gateway' })).attempt, 1, 'reused');
    assert.equal(cbpay.count('requestPayment'), 1);
    const r = await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.1`, 'pid-gw-' + orderId, 'SUCCESS')));
    assert.equal(r.outcome, 'processed');
    const paid = await ledger.payment(orderId);
    assert.equal(paid.paid, true);
    assert.equal(paid.payment_id_coinbar, 'pid-gw-' + orderId);
  });

  T('2. an event for a payment the order does not have: anomaly (hook + query), not applied', async () => {
    const { ledger, anomalies } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-known-' + orderId) });
    await ledger.checkout(orderId, input(), { cbpay });
    const r = await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.1`, 'pid-stranger', 'SUCCESS')));
    assert.equal(r.status, 200);
    assert.equal(anomalies.length, 1);
    assert.equal(anomalies[0].kind, 'unknown_payment');
    const listed = await ledger.anomalies({ orderId });
    assert.equal(listed.length, 1);
    assert.equal(listed[0].payment_id_coinbar, 'pid-stranger');
    assert.equal((await ledger.payment(orderId)).paid, false);
    assert.equal(await ledger.settleAnomaly(listed[0].key, 'refunded'), true);
    assert.equal((await ledger.anomalies({ orderId })).length, 0);
  });

  T('2. a callback before its attempt exists: stored (503), anomaly, applied when the attempt appears', async () => {
    const { ledger, anomalies } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-early') });
    const cb = signedCallback(payment(`${orderId}.1`, 'pid-early', 'SUCCESS'));
    const r = await ledger.handleCallback(cbpay, ...cb);
    assert.deepEqual([r.status, r.outcome], [503, 'unknown_payment']);
    assert.equal(anomalies[0].kind, 'unknown_order');
    const view = await ledger.checkout(orderId, input(), { cbpay });
    assert.equal(view.paid, true);
    assert.equal((await ledger.anomalies({ kind: 'unknown_order' })).length, 0, 'settled once applied');
    const again = await ledger.handleCallback(cbpay, ...cb);
    assert.deepEqual([again.status, again.outcome], [200, 'duplicate']);
  });

  T('2. two paid attempts of one order: double_paid anomaly, still one outbox row', async () => {
    const { ledger, anomalies } = await setup();
    const orderId = `order-${randomUUID()}`;
    let k = 0;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-${++k}-${orderId}`) });
    await ledger.checkout(orderId, input('BTC'), { cbpay });
    await ledger.checkout(orderId, input('ETH'), { cbpay });
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.1`, `pid-1-${orderId}`, 'SUCCESS')));
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.2`, `pid-2-${orderId}`, 'SUCCESS')));
    assert.deepEqual(anomalies.map((a) => a.kind), ['double_paid']);
    assert.equal((await ledger.anomalies({ orderId, kind: 'double_paid' })).length, 1);
    assert.equal((await ledger.outbox({ orderId })).length, 1);
    assert.equal((await ledger.payment(orderId)).payment_id_coinbar, `pid-1-${orderId}`);
  });

  T('3. forward only by real time: 09:40:00Z vs 09:40:00.700Z, mixed offsets, final never blocked', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-t-' + orderId) });
    await ledger.checkout(orderId, input(), { cbpay });
    const pid = 'pid-t-' + orderId;
    const prid = `${orderId}.1`;
    const apply = (status, at) => ledger.applyStatus(payment(prid, pid, status, at));
    assert.equal((await apply('CREATED', '2026-01-01T09:39:00Z')).outcome, 'stale', 'same status: nothing to apply');
    assert.equal((await apply('PENDING', '2026-01-01T09:40:00Z')).outcome, 'applied');
    // As strings '…:00Z' > '…:00.700Z' ('Z' sorts after '.'); as instants .700 is later.
    assert.equal((await apply('CREATED', '2026-01-01T09:40:00.700Z')).outcome, 'applied', '.700Z is later than :00Z');
    assert.equal((await apply('PENDING', '2026-01-01T11:40:00.500+02:00')).outcome, 'stale', '09:40:00.500Z is older');
    assert.equal((await ledger.payment(orderId)).status, 'CREATED');
    assert.equal((await apply('PENDING', '2026-01-01T10:40:01+01:00')).outcome, 'applied', '09:40:01Z is newer');
    assert.equal((await ledger.payment(orderId)).status_at, '2026-01-01T09:40:01.000Z');
    assert.equal((await apply('FAILED', '2025-12-31T23:00:00-05:00')).outcome, 'applied', 'a final status is never blocked by an older-looking time');
    assert.equal((await apply('PENDING', '2026-02-01T00:00:00Z')).outcome, 'stale', 'final stays final');
    assert.equal((await apply('SUCCESS', '2026-01-01T09:00:00Z')).outcome, 'applied', 'paid wins over FAILED');
    assert.equal((await apply('WEIRD', '2026-03-01T00:00:00Z')).outcome, 'unknown_status');
    const view = await ledger.payment(orderId);
    assert.equal(view.status, 'SUCCESS');
    assert.equal(view.last_unknown_status, 'WEIRD');
    assert.equal(view.paid, true);
  });

  T('4. store contract: claim / renew / complete / release with owner tokens and leases', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c });
    const s = ledger.store;
    const ev = payment('x.1', 'pid-s', 'SUCCESS');
    assert.equal(await s.claim('k', 'A', 1000, ev), 'claimed');
    assert.equal(await s.claim('k', 'B', 1000, ev), 'busy');
    assert.equal(await s.renew('k', 'B', 1000), false);
    assert.equal(await s.renew('k', 'A', 5000), true);
    c.advance(2000);
    assert.equal(await s.claim('k', 'B', 1000, ev), 'busy', 'renewed lease still live');
    c.advance(4000);
    assert.equal(await s.claim('k', 'B', 1000, ev), 'claimed', 'expired lease is taken over');
    assert.equal(await s.complete('k', 'A'), false, 'the old owner cannot complete');
    assert.equal(await s.release('k', 'A'), false, 'nor release');
    assert.equal(await s.release('k', 'B'), true);
    assert.equal(await s.claim('k', 'C', 1000, ev), 'claimed');
    assert.equal(await s.complete('k', 'C'), true);
    assert.equal(await s.claim('k', 'D', 1000, ev), 'done');
    assert.equal(await s.renew('k', 'C', 1000), false);
    await assert.rejects(s.claim('k2', 1000, ev), (e) => e.code === 'legacy_sdk');
  });

  T('4. concurrent deliveries of one callback on two instances: applied once; a failed handler is retried', async () => {
    const { ledger, second } = await setup();
    const other = second();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-c-' + orderId) });
    await ledger.checkout(orderId, input(), { cbpay });
    const cb = signedCallback(payment(`${orderId}.1`, 'pid-c-' + orderId, 'SUCCESS'));
    const results = await Promise.all([ledger, other, ledger, other].map((l) => l.handleCallback(cbpay, ...cb)));
    const outcomes = results.map((r) => r.outcome).sort();
    assert.equal(outcomes.filter((o) => o === 'processed').length, 1, outcomes.join());
    assert.ok(outcomes.every((o) => ['processed', 'duplicate', 'in_progress'].includes(o)));
    assert.equal((await ledger.outbox({ orderId })).length, 1);
    // A handler failure (database refused) answers 500 and releases: the next delivery processes it.
    const bad = createLedger({ db: { dialect: 'sqlite', run: async () => { throw new Error('db down'); }, all: async () => [], first: async () => null, batch: async () => { throw new Error('db down'); } } });
    const r = await bad.handleCallback(cbpay, ...signedCallback(payment('z.1', 'pid-z', 'SUCCESS')));
    assert.equal(r.status, 500);
  });

  T('4. outbox: exactly one row per paid order when callback and reconcile race (two instances)', async () => {
    const { ledger, second } = await setup();
    const other = second();
    const orders = Array.from({ length: 6 }, () => `order-${randomUUID()}`);
    const cbpay = fakeCbpay({ initiate: async (i) => initiateAnswer(`pid-${i.payment_request_id}`), findPayment: async (id) => payment(id, `pid-${id}`, 'SUCCESS') });
    for (const o of orders) await ledger.checkout(o, input(), { cbpay });
    const work = [];
    for (const o of orders) {
      const p = payment(`${o}.1`, `pid-${o}.1`, 'SUCCESS');
      work.push(ledger.handleCallback(cbpay, ...signedCallback(p)), other.applyStatus(p, { source: 'reconcile' }), ledger.applyStatus(p), other.handleCallback(cbpay, ...signedCallback(p)));
    }
    const results = await Promise.all(work);
    const paidNow = results.filter((r) => r.paid_now).length;
    assert.ok(paidNow <= orders.length);
    const rows = await ledger.outbox();
    assert.equal(rows.length, orders.length);
    assert.deepEqual(new Set(rows.map((r) => r.order_id)), new Set(orders));
  });

  T('4. drain: retries with back-off, dead letter after N failures, re-arm', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c, ledger: { outboxMaxAttempts: 3, outboxBackoffMs: 1000 } });
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-d-' + orderId) });
    await ledger.checkout(orderId, input(), { cbpay, meta: { email: 'a@example.com' } });
    await ledger.applyStatus(payment(`${orderId}.1`, 'pid-d-' + orderId, 'SUCCESS'));
    const keys = [];
    const failing = async (d, { idempotencyKey }) => {
      keys.push(idempotencyKey);
      assert.equal(d.meta.email, 'a@example.com');
      throw new Error('mailer down');
    };
    assert.deepEqual(await ledger.drain(failing), { sent: 0, failed: 1, dead: 0, skipped: 0 });
    assert.equal((await ledger.drain(failing)).failed, 0, 'not before its back-off');
    c.advance(1000);
    assert.equal((await ledger.drain(failing)).failed, 1);
    c.advance(1500);
    assert.equal((await ledger.drain(failing)).failed, 0, 'back-off doubled (2 s)');
    c.advance(600);
    assert.equal((await ledger.drain(failing)).dead, 1);
    assert.equal((await ledger.outbox({ state: 'dead' })).length, 1);
    assert.deepEqual(new Set(keys), new Set([`coinbar-paid:${orderId}`]));
    assert.equal(await ledger.retryDead(orderId), true);
    const sent = [];
    assert.equal((await ledger.drain(async (d) => sent.push(d.order_id))).sent, 1);
    assert.deepEqual(sent, [orderId]);
    assert.equal((await ledger.drain(async (d) => sent.push(d.order_id))).sent, 0);
  });

  T('4. drain: two concurrent drainers never send one row at the same time', async () => {
    const { ledger, second } = await setup();
    const other = second();
    const cbpay = fakeCbpay({ initiate: async (i) => initiateAnswer(`pid-${i.payment_request_id}`) });
    const orders = Array.from({ length: 8 }, () => `order-${randomUUID()}`);
    for (const o of orders) {
      await ledger.checkout(o, input(), { cbpay });
      await ledger.applyStatus(payment(`${o}.1`, `pid-${o}.1`, 'SUCCESS'));
    }
    const sending = new Set();
    const sent = [];
    const send = async (d) => {
      assert.ok(!sending.has(d.order_id), 'sent twice at the same time');
      sending.add(d.order_id);
      await new Promise((r) => setTimeout(r, 5));
      sending.delete(d.order_id);
      sent.push(d.order_id);
    };
    await Promise.all([ledger.drain(send, { limit: 20 }), other.drain(send, { limit: 20 }), ledger.drain(send, { limit: 20 })]);
    assert.equal(sent.length, orders.length);
    assert.deepEqual(new Set(sent), new Set(orders));
  });

  T('5. budget: 40 concurrent reservers on two instances never pass the share', async () => {
    const { ledger, second } = await setup({ ledger: { budget: { daily: 1000, shares: { quotes: 25 } } } });
    const other = second();
    const got = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? ledger : other).reserve('quotes')));
    assert.equal(got.filter(Boolean).length, 25);
    assert.equal((await ledger.budget()).used.quotes, 25);
  });

  T('5. reconciliation: hot orders first, a kept share, abandoned orders cannot starve a paid one', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c, ledger: { budget: { daily: 20, shares: { checkout: 12, refresh: 0, reconcile: 3, reconcile_hot: 2, quotes: 0 } } } });
    const paidOrder = `order-new-${randomUUID()}`;
    const cbpay = fakeCbpay({
      initiate: async (i) => initiateAnswer(`pid-${i.payment_request_id}`),
      findPayment: async (id) => payment(id, `pid-${id}`, id.startsWith(paidOrder) ? 'SUCCESS' : 'CREATED'),
    });
    const abandoned = Array.from({ length: 10 }, () => `order-old-${randomUUID()}`);
    for (const o of abandoned) await ledger.checkout(o, input(), { cbpay });
    c.advance(2 * 3600_000); // two hours later: nobody looked at them since
    let r = await ledger.reconcile({ cbpay });
    assert.equal(r.checked, 3, 'cold attempts only get the general share');
    assert.equal(r.budget_exhausted, true);
    await ledger.checkout(paidOrder, input(), { cbpay }); // a new order; its callback gets lost
    c.advance(200_000);
    r = await ledger.reconcile({ cbpay });
    assert.equal(r.paid, 1, 'found through the share kept for recent orders');
    assert.equal((await ledger.payment(paidOrder)).paid, true);
    assert.ok(cbpay.calls.filter((x) => x.name === 'findPayment').every((x) => x.opts.maxRetries === 0));
    const used = (await ledger.budget()).used;
    assert.equal(used.reconcile, 3);
    assert.equal(used.reconcile_hot, 1);
  });

  T('5. checkout share spent: LedgerError budget, attempt not_created, no POST', async () => {
    const { ledger } = await setup({ ledger: { budget: { daily: 10, shares: { checkout: 1, refresh: 0, reconcile: 0, reconcile_hot: 0, quotes: 0 } } } });
    const cbpay = fakeCbpay();
    await ledger.checkout(`order-${randomUUID()}`, input(), { cbpay });
    const o = `order-${randomUUID()}`;
    await assert.rejects(ledger.checkout(o, input(), { cbpay }), (e) => e.code === 'budget');
    assert.equal(cbpay.count('initiate'), 1);
    assert.equal((await ledger.payment(o)).state, 'not_created');
  });

  T('5. page refresh: at most one status call per attempt per gap, within the refresh share', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c });
    const o = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-f-' + o), findPayment: async (id) => payment(id, 'pid-f-' + o, 'PENDING') });
    await ledger.checkout(o, input(), { cbpay });
    for (let i = 0; i < 5; i++) await ledger.refresh(o, { cbpay });
    assert.equal(cbpay.count('findPayment'), 1);
    assert.equal((await ledger.payment(o)).status, 'PENDING');
    c.advance(31_000);
    await ledger.refresh(o, { cbpay });
    assert.equal(cbpay.count('findPayment'), 2);
    assert.equal((await ledger.budget()).used.refresh, 2);
  });

  T('6. prune: processed events, settled anomalies and unknown-order callbacks past retention', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c });
    const o = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer('pid-p-' + o) });
    await ledger.checkout(o, input(), { cbpay });
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${o}.1`, 'pid-p-' + o, 'SUCCESS')));
    await ledger.handleCallback(cbpay, ...signedCallback(payment('nobody.1', 'pid-nobody', 'SUCCESS'))); // unknown order: pending + anomaly
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${o}.1`, 'pid-other', 'FAILED'))); // anomaly, kept open
    const settled = (await ledger.anomalies({ kind: 'unknown_order' }))[0];
    await ledger.settleAnomaly(settled.key, 'not ours');
    c.advance(10 * 86_400_000);
    assert.deepEqual(await ledger.prune({ retentionMs: 30 * 86_400_000 }), { events: 0, unknown_order_events: 0, anomalies: 0, budget_days: 1 });
    c.advance(21 * 86_400_000);
    const r = await ledger.prune({ retentionMs: 30 * 86_400_000 });
    assert.equal(r.events, 2, 'the processed callbacks (applied + anomaly)');
    assert.equal(r.unknown_order_events, 1);
    assert.equal(r.anomalies, 1);
    assert.equal((await ledger.anomalies()).length, 1, 'the open anomaly stays');
    assert.equal((await ledger.payment(o)).paid, true, 'the payment record stays');
  });

  e2eTests(T, setup);
}
