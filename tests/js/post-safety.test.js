// Nothing doubled (issue 19 §1-3): a POST never follows a redirect, only network errors that
// exist before any byte of the request was written count as "not sent", and an aborted call
// sends nothing. Fake fetches and plain local servers: no sandbox rule helps here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { baseInput } from './helpers.js';

const CLIENT = { serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'sandbox-secret-do-not-use-in-production' };
const client = (opts) => new CoinbarPay({ ...CLIENT, baseUrl: 'http://127.0.0.1:9/coinbar/api/v2', timeoutMs: 5000, ...opts });
let seq = 0;
const order = () => ({ ...baseInput(), payment_request_id: `safety-${++seq}-${Date.now()}`, timestamp: Date.now() });

// ------------------------------------------------------------------------------ §2 codes

// Codes that exist only before any byte of the request is written: a POST failing with one is
// retried (maxRetries 1) and, when every attempt failed so, is "not processed".
const NOT_SENT = [
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ConnectionRefused',
  'FailedToOpenSocket',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
];
// Codes that can happen after the request was written (the ERR_SSL_* / ERR_TLS_* that the
// previous prefix rule counted as "not sent" among them): one attempt, outcome unknown.
const MAYBE_SENT = [
  'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_BAD_DECRYPT',
  'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC',
  'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR',
  'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
  'ERR_TLS_INVALID_STATE',
  'ERR_TLS_RENEGOTIATION_DISABLED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

/** A fetch that always fails like undici does, with `code` on the cause; counts its calls. */
function failingFetch(code) {
  const f = async (url, init) => {
    f.calls.push({ url, init });
    const cause = Object.assign(new Error(`failure ${code}`), { code });
    throw new TypeError('fetch failed', { cause });
  };
  f.calls = [];
  return f;
}

for (const code of NOT_SENT) {
  test(`network code ${code}: not sent, so a POST is retried and ends not_processed`, async () => {
    const fetch = failingFetch(code);
    const e = await client({ fetch, maxRetries: 1 })
      .initiate(order())
      .catch((x) => x);
    assert.ok(e instanceof CoinbarError, String(e));
    assert.deepEqual([e.code, e.outcome, fetch.calls.length], ['network', 'not_processed', 2]);
  });
}

for (const code of MAYBE_SENT) {
  test(`network code ${code}: possibly written, so a POST is sent once and ends unknown`, async () => {
    const fetch = failingFetch(code);
    const e = await client({ fetch, maxRetries: 3 })
      .initiate(order())
      .catch((x) => x);
    assert.ok(e instanceof CoinbarError, String(e));
    assert.deepEqual([e.code, e.outcome, fetch.calls.length], ['network', 'unknown', 1]);
    // A GET only reads: it is retried on the same failure.
    const get = failingFetch(code);
    await client({ fetch: get, maxRetries: 1 })
      .paymentStatus('x-1')
      .catch(() => {});
    assert.equal(get.calls.length, 2);
  });
}

test('docs/retries.md lists every code with its classification', () => {
  const doc = readFileSync(new URL('../../docs/retries.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Which network errors mean "not sent"'));
  assert.ok(section.length > 100, 'the section exists');
  for (const code of NOT_SENT) assert.match(section, new RegExp(`\\| \`${code}\` \\|[^\\n]*\\| not sent \\|`), code);
  for (const code of ['ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'ECONNRESET', 'ETIMEDOUT']) {
    assert.match(section, new RegExp(`\`${code}\`[^\\n]*\\| possibly sent \\|`), code);
  }
});

// -------------------------------------------------------------------------- §1 redirects

/** A plain HTTP server that records requests and answers with `answer(req, body)`. */
async function server(answer) {
  const requests = [];
  const s = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method, url: req.url, body, headers: req.headers });
      answer(req, res, body);
    });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return { url: `http://127.0.0.1:${s.address().port}`, requests };
}
const servers = [];
after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} is never followed: one POST, to the configured origin only; outcome unknown`, async () => {
    const other = await server((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"success"}'));
    const location = `${other.url}/coinbar/api/v2/pay/gateway/initiate`;
    const coinbar = await server((req, res) => res.writeHead(status, { location, 'content-type': 'text/html' }).end('<html>moved</html>'));
    const events = [];
    const c = client({ baseUrl: `${coinbar.url}/coinbar/api/v2`, maxRetries: 3 });
    c.on('response', (ev) => events.push(ev));
    const e = await c.initiate(order()).catch((x) => x);
    assert.ok(e instanceof CoinbarError, String(e));
    assert.deepEqual([e.code, e.status, e.location, e.outcome], ['http', status, location, 'unknown']);
    assert.equal(e.body, '<html>moved</html>');
    assert.match(e.message, new RegExp(`HTTP ${status}, a redirect to ${location.replace(/[.]/g, '\\.')}; not followed`));
    assert.equal(coinbar.requests.length, 1, 'sent once');
    assert.equal(other.requests.length, 0, 'the signed request never reached the other origin');
    assert.deepEqual(
      events.map((ev) => [ev.status, ev.error_code, ev.retry]),
      [[status, 'http', false]],
    );

    // GETs are not followed either (the signature header travels with every call).
    const before = coinbar.requests.length;
    const g = await c.paymentStatus('x-1').catch((x) => x);
    assert.deepEqual([g.code, g.status, g.location], ['http', status, location]);
    assert.equal(coinbar.requests.length - before, 1);
    assert.equal(other.requests.length, 0);
  });
}

test("every call asks fetch for redirect: 'manual'", async () => {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push(init.redirect);
    return new Response('{}', { status: 404, headers: { 'content-type': 'application/json' } });
  };
  const c = client({ fetch, maxRetries: 0 });
  const { destination_coin: _, ...request } = order();
  await Promise.allSettled([c.initiate(order()), c.requestPayment(request), c.paymentStatus('x'), c.findPayment('x'), c.report('x'), c.quotes()]);
  assert.deepEqual(seen, Array(6).fill('manual'));
});

test('a redirect hidden by the runtime (opaqueredirect, status 0) is refused the same way', async () => {
  const fetch = async () => ({ type: 'opaqueredirect', status: 0, headers: new Headers(), text: async () => '' });
  const e = await client({ fetch, maxRetries: 2 })
    .initiate(order())
    .catch((x) => x);
  assert.deepEqual([e.code, e.outcome], ['http', 'unknown']);
  assert.match(e.message, /HTTP 3xx, a redirect without a Location; not followed/);
});

// ------------------------------------------------------------------------------ §3 abort

test('aborted from a request hook: nothing is sent, the call rejects aborted / not_processed', async () => {
  const fetch = failingFetch('ECONNRESET');
  const controller = new AbortController();
  const c = client({ fetch });
  const responses = [];
  c.on('request', () => controller.abort(new Error('shopper left')));
  c.on('response', (ev) => responses.push(ev));
  const e = await c.initiate(order(), { signal: controller.signal }).catch((x) => x);
  assert.deepEqual([e.code, e.outcome], ['aborted', 'not_processed']);
  assert.equal(e.cause?.message, 'shopper left');
  assert.equal(fetch.calls.length, 0, 'no request left');
  assert.deepEqual(
    responses.map((r) => [r.error_code, r.outcome, r.retry]),
    [['aborted', 'not_processed', false]],
  );
});

test('aborted between two attempts (from the response hook): the retry is not sent', async () => {
  const controller = new AbortController();
  const fetch = failingFetch('ECONNREFUSED'); // "not sent": the core allows a retry
  const c = client({ fetch, maxRetries: 3 });
  c.on('response', () => controller.abort());
  const e = await c.initiate(order(), { signal: controller.signal }).catch((x) => x);
  assert.deepEqual([e.code, e.outcome, fetch.calls.length], ['aborted', 'not_processed', 1]);
});
