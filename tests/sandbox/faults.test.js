// Fault injection: every kind's observable behaviour, queue matching, per-request header, and
// the rule that only `latency` and `reset-after-commit` reach the service.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CLIENT, apiClient, control, hmac, initiateBody, start } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start();
  api = apiClient(sb);
});
after(() => sb.close());
afterEach(() => control(sb, 'DELETE', '/faults'));

const queue = async (spec) => {
  const res = await control(sb, 'POST', '/faults', spec);
  assert.equal(res.status, 200, res.text);
};

/** Initiates with a fresh body; returns { body, res | err }. */
async function initiateOutcome(opts) {
  const body = initiateBody(CLIENT.id);
  try {
    return { body, res: await api.initiate(body, opts) };
  } catch (err) {
    return { body, err };
  }
}

const created = (body) => sb.payments.createdCount(body.payment_request_id, CLIENT.id);

test('500: JSON error body, request not processed', async () => {
  await queue({ kind: '500' });
  const { body, res } = await initiateOutcome();
  assert.equal(res.status, 500);
  assert.deepEqual(res.json(), { result: false, error: 'Internal Server Error' });
  assert.equal(created(body), 0);
  // the fault was used up: the next call is normal
  assert.equal((await api.initiate(body)).status, 200);
  assert.equal(created(body), 1);
});

test('502 and 503: HTML bodies; 503 carries Retry-After when configured', async () => {
  await queue([{ kind: '502' }, { kind: '503', retryAfter: 7 }]);
  const first = await initiateOutcome();
  assert.equal(first.res.status, 502);
  assert.match(first.res.headers['content-type'], /^text\/html/);
  assert.match(first.res.text, /502 Bad Gateway/);
  const second = await initiateOutcome();
  assert.equal(second.res.status, 503);
  assert.equal(second.res.headers['retry-after'], '7');
  assert.match(second.res.headers['content-type'], /^text\/html/);
  assert.equal(created(first.body) + created(second.body), 0);
});

test('429: Api RATE exceeded with Retry-After (default 1 s, configurable)', async () => {
  await queue([{ kind: '429' }, { kind: '429', retryAfter: 30 }]);
  const a = await api.get('/pay/gateway/quotes');
  assert.equal(a.status, 429);
  assert.equal(a.headers['retry-after'], '1');
  assert.deepEqual(a.json(), { result: false, error: 'Api RATE exceeded' });
  const b = await api.get('/pay/gateway/quotes');
  assert.equal(b.headers['retry-after'], '30');
});

test('reset: the socket is destroyed without an answer and nothing is created', async () => {
  await queue({ kind: 'reset' });
  const { body, res, err } = await initiateOutcome();
  assert.equal(res, undefined);
  assert.match(err.code, /^(ECONNRESET|EPIPE)$/);
  assert.equal(created(body), 0);
});

test('truncated: 200 whose Content-Length exceeds the body; the JSON is cut and the socket dies', async () => {
  await queue({ kind: 'truncated' });
  const body = JSON.stringify(initiateBody(CLIENT.id));
  const outcome = await new Promise((resolve) => {
    const req = http.request(`${sb.baseUrl}/pay/gateway/initiate`, { method: 'POST', agent: false, headers: signedHeaders(body) });
    req.on('response', (res) => {
      let received = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (received += c));
      res.on('error', (err) => resolve({ status: res.statusCode, length: Number(res.headers['content-length']), received, err }));
      res.on('end', () => resolve({ status: res.statusCode, received, ended: true }));
    });
    req.on('error', (err) => resolve({ err }));
    req.end(body);
  });
  assert.equal(outcome.status, 200);
  assert.equal(outcome.ended, undefined, 'the body must not complete');
  assert.ok(outcome.err, 'the response errors out');
  assert.ok(outcome.received.length > 0 && outcome.received.length < outcome.length, `${outcome.received.length} < ${outcome.length}`);
  assert.ok(outcome.received.startsWith('{"result":"success"'));
  assert.throws(() => JSON.parse(outcome.received));
  assert.equal(created(JSON.parse(body)), 0);
});

const signedHeaders = (raw) => ({
  'Content-Type': 'application/json',
  source: 'web',
  'CBPAY-API-KEY': CLIENT.id,
  SIGNATURE: hmac(CLIENT.secret, raw),
});

test('malformed: 200 application/json whose body is not JSON', async () => {
  await queue({ kind: 'malformed' });
  const { body, res } = await initiateOutcome();
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.throws(() => res.json(), SyntaxError);
  assert.equal(created(body), 0);
});

test('wrong-content-type: 200 with an HTML page', async () => {
  await queue({ kind: 'wrong-content-type' });
  const { body, res } = await initiateOutcome();
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  assert.match(res.text, /^<!DOCTYPE html>/);
  assert.equal(created(body), 0);
});

test('hang: headers arrive, the body never does (client-side timeout); close() still ends it', async (t) => {
  const own = await start();
  t.after(() => own.close());
  await control(own, 'POST', '/faults', { kind: 'hang' });
  const ownApi = apiClient(own);
  const body = initiateBody(CLIENT.id);
  const started = Date.now();
  const err = await ownApi.initiate(body, { timeoutMs: 150 }).then(
    () => assert.fail('a hanging response must not complete'),
    (e) => e,
  );
  assert.equal(err.code, 'CLIENT_TIMEOUT');
  assert.ok(Date.now() - started >= 140);
  assert.equal(own.payments.createdCount(body.payment_request_id, CLIENT.id), 0);

  // A hung response that the client keeps waiting on is ended by close().
  await control(own, 'POST', '/faults', { kind: 'hang' });
  const gotHeaders = new Promise((resolve) => {
    const req = http.request(`${own.baseUrl}/pay/gateway/quotes`, { agent: false, headers: { 'CBPAY-API-KEY': CLIENT.id, SIGNATURE: hmac(CLIENT.secret, '') } });
    req.on('response', (res) => {
      const ended = new Promise((r) => {
        res.on('error', () => r('error'));
        res.on('close', () => r('closed'));
        res.resume();
      });
      resolve({ status: res.statusCode, ended });
    });
    req.end();
  });
  const { status, ended } = await gotHeaders;
  assert.equal(status, 200);
  await own.close();
  assert.match(await ended, /error|closed/);
});

test('latency: delays then answers normally (and the payment is created)', async () => {
  await queue({ kind: 'latency', delayMs: 120 });
  const started = Date.now();
  const { body, res } = await initiateOutcome();
  assert.ok(Date.now() - started >= 110, 'delayed');
  assert.equal(res.status, 200);
  assert.equal(created(body), 1);
});

test('reset-after-commit: the payment is created but no response arrives; a retry replays it', async () => {
  await queue({ kind: 'reset-after-commit' });
  const { body, res, err } = await initiateOutcome();
  assert.equal(res, undefined);
  assert.match(err.code, /^(ECONNRESET|EPIPE)$/);
  assert.equal(created(body), 1, 'the side effect happened');
  const stored = sb.payments.get(body.payment_request_id, CLIENT.id);
  assert.equal(stored.status.status, 'CREATED');

  // The SDK's idempotent retry (same body) gets the original payment back, still one payment.
  const retry = await api.initiate(body);
  assert.equal(retry.status, 200);
  assert.equal(retry.headers['x-sandbox-replayed'], 'true');
  assert.equal(retry.json().payment_id_coinbar, stored.status.payment_id_coinbar);
  assert.equal(created(body), 1);
});

test('queue: count, path filter and per-request header', async () => {
  await queue({ kind: '503', count: 2, path: '/quotes' });
  // not matching the path: untouched
  assert.equal((await api.initiate()).status, 200);
  assert.equal((await api.get('/pay/gateway/quotes')).status, 503);
  assert.equal((await api.get('/pay/gateway/quotes')).status, 503);
  assert.equal((await api.get('/pay/gateway/quotes')).status, 200);

  // header fault, one request only, does not consume the queue
  await queue({ kind: '500' });
  const viaHeader = await api.get('/pay/gateway/quotes', '', { headers: { 'x-sandbox-fault': '502' } });
  assert.equal(viaHeader.status, 502);
  assert.equal((await control(sb, 'GET', '/faults')).data.faults.length, 1);
  const slow = Date.now();
  const latency = await api.get('/pay/gateway/quotes', '', { headers: { 'x-sandbox-fault': 'latency', 'x-sandbox-delay-ms': '60' } });
  assert.ok(Date.now() - slow >= 55);
  assert.equal(latency.status, 200);

  // DELETE clears the queue
  await control(sb, 'DELETE', '/faults');
  assert.equal((await api.get('/pay/gateway/quotes')).status, 200);

  const stats = (await control(sb, 'GET', '/stats')).data;
  assert.ok(stats.faults_applied['503'] >= 2);
  assert.ok(stats.faults_applied.latency >= 1);
});

test('control: unknown fault kinds and bad counts are rejected', async () => {
  const bad = await control(sb, 'POST', '/faults', { kind: 'explode' });
  assert.equal(bad.status, 400);
  assert.match(bad.data.reason, /unknown fault kind "explode"/);
  const badCount = await control(sb, 'POST', '/faults', { kind: '500', count: 0 });
  assert.equal(badCount.status, 400);
  const header = await api.get('/pay/gateway/quotes', '', { headers: { 'x-sandbox-fault': 'explode' } });
  assert.equal(header.status, 400);
  assert.match(header.json().reason, /^x-sandbox-fault: unknown fault kind/);
});
