// The ledger's conformance suite, run on each database (sqlite.test.js, d1.test.js,
// postgres.test.js). Every test gets its own table prefix on the backend's database. This file:
// checkout, events, anomalies, time order; operations.mjs: store, outbox, budget, reconcile, prune;
// e2e.mjs: the real SDK against the sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLedger } from 'coinbar-pay/ledger';
import { clock, fakeCbpay, initiateAnswer, input, payment, signedCallback, unknownError } from './helpers.mjs';
import { e2eTests } from './e2e.mjs';
import { operationsTests } from './operations.mjs';

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

  T("migrate({ files }): the merchant's own migrations in the same bookkeeping, each once, in name order", async () => {
    const { ledger, prefix, second } = await setup();
    const table = `${prefix}shop_${Date.now()}`;
    const files = [
      { name: `0003_${table}_b.sql`, sql: `ALTER TABLE ${table} ADD COLUMN note TEXT;` },
      { name: `0002_${table}.sql`, sql: `-- the shop's table\nCREATE TABLE ${table} (id TEXT PRIMARY KEY, total TEXT NOT NULL);` },
    ];
    // Not idempotent SQL (ALTER TABLE ADD COLUMN): applied twice it would fail.
    assert.deepEqual(await ledger.migrate({ files }), [files[1].name, files[0].name]);
    assert.deepEqual(await second().migrate({ files }), []);
    assert.deepEqual(await ledger.migrate({ files: [...files, { name: `0001_${prefix}ledger.sql`, sql: 'NOT SQL AT ALL' }] }), [], "a copy of the ledger's file is the ledger's");
    await assert.rejects(
      () => Promise.resolve().then(() => ledger.migrate({ files: [{ name: 1 }] })),
      (e) => e.code === 'config',
    );
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
      retrievePayment: async () => ({
        ...initiateAnswer('pid-u1'),
        request_token: null,
        payment_string: 'xrp:rAddr?amount=8.1&dt=4242',
        destination_address: 'rAddr',
        destination_memo: '4242',
        destination_amount: '8.1',
        destination_coin: 'XRP',
        trade_pair: 'XRP/EUR',
        status: 'CREATED',
        is_final: false,
        is_paid: false,
      }),
    });
    const view = await ledger.checkout(orderId, input('XRP'), { cbpay });
    assert.equal(cbpay.count('initiate'), 1);
    assert.equal(cbpay.count('findPayment'), 1);
    assert.equal(view.state, 'created');
    assert.equal(view.payment_id_coinbar, 'pid-u1');
    assert.equal(view.payment.address, 'rAddr');
    assert.equal(view.payment.destination_memo, '4242');
    assert.equal(view.payment.payment_string, 'xrp:rAddr?amount=8.1&dt=4242');
    assert.equal(view.payment.amount, '8.1');
    assert.equal(cbpay.calls.find((c) => c.name === 'findPayment').opts.maxRetries, 0);
    assert.equal(cbpay.calls.find((c) => c.name === 'retrievePayment').opts.maxRetries, 0);
    assert.equal((await ledger.budget()).used.checkout, 4, 'initiate, findPayment, and two reserved for retrievePayment');
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
    await assert.rejects(
      ledger.checkout(orderId, input(), { cbpay }).then((v) => assert.fail(`reused: ${v.state}`)),
      /reused: unknown/,
    );
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
    const r = await ledger.handleCallback(cbpay, ...signedCallback(payment(`${orderId}.1`, `pid-gw-${orderId}`, 'SUCCESS')));
    assert.equal(r.outcome, 'processed');
    const paid = await ledger.payment(orderId);
    assert.equal(paid.paid, true);
    assert.equal(paid.payment_id_coinbar, `pid-gw-${orderId}`);
  });

  T('2. an event for a payment the order does not have: anomaly (hook + query), not applied', async () => {
    const { ledger, anomalies } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-known-${orderId}`) });
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
    assert.deepEqual(
      anomalies.map((a) => a.kind),
      ['double_paid'],
    );
    assert.equal((await ledger.anomalies({ orderId, kind: 'double_paid' })).length, 1);
    assert.equal((await ledger.outbox({ orderId })).length, 1);
    assert.equal((await ledger.payment(orderId)).payment_id_coinbar, `pid-1-${orderId}`);
  });

  T('3. forward only by real time: 09:40:00Z vs 09:40:00.700Z, mixed offsets, final never blocked', async () => {
    const { ledger } = await setup();
    const orderId = `order-${randomUUID()}`;
    const cbpay = fakeCbpay({ initiate: async () => initiateAnswer(`pid-t-${orderId}`) });
    await ledger.checkout(orderId, input(), { cbpay });
    const pid = `pid-t-${orderId}`;
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

  operationsTests(T, setup);
  e2eTests(T, setup);
}
