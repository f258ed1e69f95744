// End-to-end paths of the conformance suite: the real CoinbarPay client (pkg/src/node.js)
// against the local sandbox in its no-dedupe mode (every processed POST creates a payment),
// with fault injection, signed callbacks delivered over HTTP to a receiver that calls
// ledger.handleCallback.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { startSandbox } from '../../www/sandbox/server.js';
import { CLIENT, clock, input, sdk } from './helpers.mjs';

const waitFor = async (fn, what, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export function e2eTests(T, setup) {
  let sandbox;
  let receiver;
  let current; // the ledger the receiver hands callbacks to
  const answered = [];
  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const r = current ? await current.handleCallback(sdk(sandbox.baseUrl), Buffer.concat(chunks), req.headers) : { status: 503, outcome: 'no ledger' };
        answered.push(r.outcome);
        res.writeHead(r.status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ outcome: r.outcome }));
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    sandbox = await startSandbox({
      dedupe: false,
      clients: [{ ...CLIENT, callbackUrl: `http://127.0.0.1:${receiver.address().port}/cb` }],
      callbackRetry: { attempts: 6, baseDelayMs: 30, timeoutMs: 2000 },
    });
  });
  after(async () => {
    await sandbox?.close();
    receiver?.closeAllConnections?.();
    await new Promise((r) => receiver?.close(r) ?? r());
  });
  const pay = (prid) => fetch(`${sandbox.url}/__sandbox/payments/${encodeURIComponent(prid)}/pay`, { method: 'POST' });

  T('e2e: checkout through the SDK, paid by the signed callback, fulfilled once', async () => {
    const { ledger } = await setup();
    current = ledger;
    const cbpay = sdk(sandbox.baseUrl);
    const o = `order-${randomUUID()}`;
    const view = await ledger.checkout(o, input(), { cbpay, meta: { email: 'a@example.com' } });
    assert.match(view.payment.payment_string, /^bitcoin:/);
    assert.equal(sandbox.payments.createdCount(view.payment_request_id), 1);
    assert.equal((await pay(view.payment_request_id)).status, 200);
    await waitFor(async () => (await ledger.payment(o)).paid, 'paid by the callback');
    const sent = [];
    await ledger.drain(async (d, { idempotencyKey }) => sent.push(idempotencyKey));
    await ledger.drain(async (d, { idempotencyKey }) => sent.push(idempotencyKey));
    assert.deepEqual(sent, [`coinbar-paid:${o}`]);
  });

  T('e2e: 502 after commit (outcome unknown) on a no-dedupe Coinbar: settled by findPayment, one payment', async () => {
    const { ledger } = await setup();
    current = ledger;
    const cbpay = sdk(sandbox.baseUrl);
    const o = `order-${randomUUID()}`;
    sandbox.faults?.clear?.();
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '502-after-commit', path: '/initiate' }) });
    const view = await ledger.checkout(o, input('XRP'), { cbpay });
    assert.equal(view.state, 'created');
    assert.equal(sandbox.payments.createdCount(view.payment_request_id), 1, 'never a second POST');
    assert.ok(view.payment_id_coinbar);
    assert.match(view.payment.payment_string ?? '', /^xrp:/, 'page fields from the report');
    assert.ok(view.payment.destination_memo);
  });

  T('e2e: a callback lost for good is found by reconciliation; one reservation = one HTTP request', async () => {
    const c = clock();
    const { ledger } = await setup({ clock: c });
    current = null; // the receiver answers 503 to every delivery: the callback is lost
    const cbpay = sdk(sandbox.baseUrl);
    let requests = 0;
    cbpay.on('request', (e) => {
      if (e.call !== 'initiate') requests += 1;
    });
    const o = `order-${randomUUID()}`;
    const view = await ledger.checkout(o, input(), { cbpay });
    await pay(view.payment_request_id);
    // One failing status answer first: with maxRetries 0 it costs exactly its reservation.
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '503', path: '/status' }) });
    c.advance(181_000);
    const r1 = await ledger.reconcile({ cbpay });
    assert.equal(r1.errors, 1);
    c.advance(400_000);
    const r2 = await ledger.reconcile({ cbpay });
    assert.equal(r2.paid, 1);
    assert.equal((await ledger.payment(o)).paid, true);
    const used = (await ledger.budget()).used;
    assert.equal(requests, (used.reconcile ?? 0) + (used.reconcile_hot ?? 0), 'every HTTP request was reserved, retries included');
    assert.equal(requests, 2);
    assert.equal((await ledger.outbox({ orderId: o })).length, 1);
  });
}
