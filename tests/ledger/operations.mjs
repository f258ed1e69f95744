// The conformance suite's operations (see conformance.mjs): the callback store contract,
// concurrent deliveries, the outbox (one row per paid order, drain, dead letter, concurrent
// drainers), the shared budget, reconciliation without starvation, page refresh, prune.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLedger } from 'coinbar-pay/ledger';
import { clock, fakeCbpay, initiateAnswer, input, payment, signedCallback } from './helpers.mjs';

export function operationsTests(T, setup) {
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
    await assert.rejects(s.claim('k2', 1000, ev), (e) => e.code === 'config');
  });

  T('4. concurrent deliveries of one callback on two instances: applied once; a failed handler is retried', async () => {
    const { ledger, second } = await setup();
    const other = second();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-c-${orderId}`) });
    await ledger.checkout(orderId, input(), { cbpay });
    const cb = signedCallback(payment(`${orderId}.1`, `pid-c-${orderId}`, 'SUCCESS'));
    const results = await Promise.all([ledger, other, ledger, other].map((l) => l.handleCallback(cbpay, ...cb)));
    const outcomes = results.map((r) => r.outcome).sort();
    assert.equal(outcomes.filter((o) => o === 'processed').length, 1, outcomes.join());
    assert.ok(outcomes.every((o) => ['processed', 'duplicate', 'in_progress'].includes(o)));
    assert.equal((await ledger.outbox({ orderId })).length, 1);
    // A handler failure (database refused) answers 500 and releases: the next delivery processes it.
    const bad = createLedger({
      db: {
        dialect: 'sqlite',
        run: async () => {
          throw new Error('db down');
        },
        all: async () => [],
        first: async () => null,
        batch: async () => {
          throw new Error('db down');
        },
      },
    });
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
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-d-${orderId}`) });
    await ledger.checkout(orderId, input(), { cbpay, meta: { email: 'a@example.com' } });
    await ledger.applyStatus(payment(`${orderId}.1`, `pid-d-${orderId}`, 'SUCCESS'));
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
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-f-${o}`), findPayment: async (id) => payment(id, `pid-f-${o}`, 'PENDING') });
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
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-p-${o}`) });
    await ledger.checkout(o, input(), { cbpay });
    await ledger.handleCallback(cbpay, ...signedCallback(payment(`${o}.1`, `pid-p-${o}`, 'SUCCESS')));
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
}
