// retrievePayment (issue 21 §3): after an unknown outcome settled by findPayment, what initiate
// returned, from the report (and the status call only when the report lacks a field). Against
// the local sandbox, for every coin it supports, and against a stand-in server whose report
// is thin.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { startSandbox } from '../../www/sandbox/server.js';
import { COINS } from '../../www/sandbox/coins.js';
import { baseInput } from './helpers.js';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sdk = (opts = {}) => new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl, timeoutMs: 5000, ...opts });
let seq = 0;
const order = (overrides = {}) => ({ ...baseInput(), payment_request_id: `retrieve-${++seq}-${Date.now()}`, timestamp: Date.now(), ...overrides });
/** Authenticated API calls the sandbox counted today (what the 1,000-a-day limit counts). */
const used = () => sandbox.stats().rate_limit.usage.reduce((n, u) => n + u.used, 0);

test('initiate → retrievePayment gives the same fields, for every coin the sandbox supports', async () => {
  assert.deepEqual(
    COINS.map((c) => c.code),
    ['BTC', 'ETH', 'USDT', 'XRP', 'XDB'],
  );
  const cbpay = sdk();
  for (const { code } of COINS) {
    const input = order({ destination_coin: code });
    const initiated = await cbpay.initiate(input);
    const before = used();
    const retrieved = await cbpay.retrievePayment(input.payment_request_id);
    assert.equal(used() - before, 1, `${code}: one Coinbar call (the report)`);
    const { request_token, destination_memo, ...same } = initiated;
    assert.ok(request_token);
    for (const [field, value] of Object.entries(same)) assert.equal(retrieved[field], value, `${code}: ${field}`);
    // Coinbar returns the request token only at creation; "" and null both mean "no memo".
    assert.equal(retrieved.request_token, null);
    assert.equal(retrieved.destination_memo, destination_memo || null, `${code}: destination_memo`);
    if (code === 'XRP' || code === 'XDB') assert.match(retrieved.destination_memo, /^\d+$/, `${code} carries a memo`);
    assert.equal(retrieved.destination_coin, code);
    assert.deepEqual([retrieved.status, retrieved.is_final, retrieved.is_paid], ['CREATED', false, false]);
    // The USDT address is the recipient, not the token contract the payment string names first.
    if (code === 'USDT') assert.ok(!retrieved.payment_string.startsWith(`ethereum:${retrieved.destination_address}`));
  }
  cbpay.free();
});

test('the unknown-outcome recipe: a payment created behind a lost answer is found and shown again', async () => {
  const cbpay = sdk();
  const input = order({ destination_coin: 'XRP' });
  const r = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '502-after-commit' }) });
  assert.ok(r.ok);
  const e = await cbpay.initiate(input).catch((x) => x);
  assert.deepEqual([e.code, e.status, e.outcome], ['http', 502, 'unknown']);
  assert.ok(await cbpay.findPayment(input.payment_request_id));
  const payment = await cbpay.retrievePayment(input.payment_request_id);
  const record = sandbox.payments.get(input.payment_request_id);
  assert.equal(payment.payment_string, record.payment_string);
  assert.equal(payment.destination_address, record.destination_address);
  assert.equal(payment.destination_memo, record.destination_memo);
  assert.equal(sandbox.payments.createdCount(input.payment_request_id), 1);
  cbpay.free();
});

test('retrievePayment is null when Coinbar answers 404, as findPayment', async () => {
  const cbpay = sdk();
  assert.equal(await cbpay.retrievePayment('no-such-order'), null);
  assert.equal(await cbpay.findPayment('no-such-order'), null);
  const e = await cbpay.retrievePayment('a/b').catch((x) => x);
  assert.deepEqual([e.code, e.errors[0].field], ['validation', 'payment_request_id']);
  cbpay.free();
});

test('a requestPayment payment before the customer chose a coin has nothing to show: a decode error that says so', async () => {
  const cbpay = sdk();
  const { destination_coin, ...input } = order();
  await cbpay.requestPayment(input);
  const e = await cbpay.retrievePayment(input.payment_request_id).catch((x) => x);
  assert.ok(e instanceof CoinbarError);
  assert.equal(e.code, 'decode');
  assert.match(e.message, /no coin is chosen yet/);
  cbpay.free();
});

test('a report without the amounts: the status call fills them in (two calls), hooks name retrievePayment', async () => {
  const seen = [];
  const report = { status: 'PENDING', payment_detail: { payment_string: 'xdb:GAQKOJU5S3K4LC6CFJTLY2NFWGYK2G3Q3K3WZJMD2LE7MIEBTD5PFV5P?amount=31.7&memo=order%2042' } };
  const status = {
    payment_id_coinbar: 'p-9',
    payment_request_id_client: 'o-9',
    status: 'PENDING',
    payment_detail: { destination_coin: 'XDB', trade_pair: 'XDB/EUR', destination_amount: 31.7, coin_change: 0.01573, total_price: 0.4986 },
  };
  const server = createServer((req, res) => {
    seen.push(req.url);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.url.includes('/reports/') ? report : status));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const cbpay = new CoinbarPay({ serviceClientId: 'cid', secretKey: 'k', baseUrl: `http://127.0.0.1:${server.address().port}/coinbar/api/v2` });
    const calls = [];
    cbpay.on('request', (e) => calls.push(e.call));
    const p = await cbpay.retrievePayment('o-9');
    assert.deepEqual(seen, ['/coinbar/api/v2/paymentgateway/reports/o-9', '/coinbar/api/v2/pay/gateway/payment/o-9/status']);
    assert.deepEqual(calls, ['retrievePayment', 'retrievePayment']);
    assert.deepEqual(p, {
      result: 'success',
      request_token: null,
      payment_id_coinbar: 'p-9',
      payment_total_price: '0.4986',
      trade_pair: 'XDB/EUR',
      payment_string: report.payment_detail.payment_string,
      destination_coin_change: '0.01573',
      destination_amount: '31.7',
      destination_address: 'GAQKOJU5S3K4LC6CFJTLY2NFWGYK2G3Q3K3WZJMD2LE7MIEBTD5PFV5P',
      destination_memo: 'order 42',
      destination_coin: 'XDB',
      status: 'PENDING',
      is_final: false,
      is_paid: false,
    });
    cbpay.free();
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
