// initiate() over HTTP against a small stand-in server on 127.0.0.1 that checks the
// signature with node:crypto over the raw body, and every failure mapped to its code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { baseInput } from './helpers.js';

const CLIENT_ID = 'cid-initiate-test';
const SECRET = 'initiate-test-secret';
// Raw JSON text, so the high-precision amount keeps every digit on the wire.
const OK_BODY =
  '{"result":"success","request_token":"WlpZSkE3d3Z+Ka2N/SM9=","payment_id_coinbar":"ca900413-aaaa-4bbb-8ccc-000000000001","payment_total_price":8.99,"trade_pair":"BTC/EUR","payment_string":"bitcoin:bc1qexample?amount=0.00045145423250897323","destination_coin_change":19913.425,"destination_amount":0.00045145423250897323,"destination_address":"bc1qexample","destination_memo":""}';

let server;
let baseUrl;
const seen = []; // every request the server received
let respond = (req, res) => res.end(OK_BODY);

before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', SECRET).update(raw).digest('hex');
      seen.push({ method: req.method, url: req.url, headers: req.headers, raw: raw.toString('utf8'), signatureOk: req.headers.signature === expected });
      respond(req, res);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${server.address().port}/coinbar/api/v2`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const client = (opts = {}) => new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl, ...opts });

async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CoinbarError, `a CoinbarError, got ${e}`);
    assert.ok(!e.message.includes(SECRET) && !String(e.stack).includes(SECRET));
    return e;
  }
  assert.fail('expected a failure');
}

test('happy path: signed over the raw body, exact amounts back', async () => {
  respond = (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
  seen.length = 0;
  const payment = await client().initiate(baseInput());
  assert.equal(seen.length, 1);
  const got = seen[0];
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/coinbar/api/v2/pay/gateway/initiate');
  assert.ok(got.signatureOk, 'server-side node:crypto HMAC of the raw body matches SIGNATURE');
  assert.equal(got.headers['cbpay-api-key'], CLIENT_ID);
  assert.equal(got.headers['content-type'], 'application/json');
  assert.equal(got.headers.source, 'web');
  assert.equal(JSON.stringify(JSON.parse(got.raw)), got.raw, 'a server that re-stringifies gets the same bytes');
  assert.deepEqual(payment, {
    result: 'success',
    request_token: 'WlpZSkE3d3Z+Ka2N/SM9=',
    payment_id_coinbar: 'ca900413-aaaa-4bbb-8ccc-000000000001',
    payment_total_price: '8.99',
    trade_pair: 'BTC/EUR',
    payment_string: 'bitcoin:bc1qexample?amount=0.00045145423250897323',
    destination_coin_change: '19913.425',
    destination_amount: '0.00045145423250897323',
    destination_address: 'bc1qexample',
    destination_memo: '',
  });
});

test('invalid input: validation error and nothing sent', async () => {
  seen.length = 0;
  const input = baseInput();
  input.email = 'nope';
  const e = await failure(client().initiate(input));
  assert.equal(e.code, 'validation');
  assert.equal(e.errors[0].field, 'email');
  assert.equal(seen.length, 0, 'no request reached the server');
});

test('non-2xx answers are http errors with status, body and Coinbar text', async () => {
  respond = (req, res) => res.writeHead(429).end('{"result":false,"error":"Api RATE exceeded"}');
  let e = await failure(client().initiate(baseInput()));
  assert.equal(e.code, 'http');
  assert.equal(e.status, 429);
  assert.equal(e.apiError, 'Api RATE exceeded');
  assert.equal(e.body, '{"result":false,"error":"Api RATE exceeded"}');
  respond = (req, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>');
  e = await failure(client().initiate(baseInput()));
  assert.equal(e.code, 'http');
  assert.equal(e.status, 503);
  assert.equal(e.body, '<h1>Service Unavailable</h1>');
});

test('result other than success is an api error', async () => {
  respond = (req, res) => res.end('{"result":"error","error":"Bad Request","reason":"destination_coin not enabled"}');
  const e = await failure(client().initiate(baseInput()));
  assert.equal(e.code, 'api');
  assert.equal(e.apiError, 'Bad Request (destination_coin not enabled)');
  assert.equal(e.status, 200);
});

test('answers that are not the documented shape are decode errors', async () => {
  for (const body of ['<html>oops</html>', '{"result":"success"', '{"result":"success","request_token":5}', '[]']) {
    respond = (req, res) => res.end(body);
    const e = await failure(client().initiate(baseInput()));
    assert.equal(e.code, 'decode', body);
  }
  respond = (req, res) => res.end(OK_BODY.replace('"destination_amount":0.00045145423250897323', '"destination_amount":"lots"'));
  const e = await failure(client().initiate(baseInput()));
  assert.match(e.message, /destination_amount/);
});

test('connection refused is a network error', async () => {
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const port = closed.address().port;
  await new Promise((r) => closed.close(r));
  const e = await failure(client({ baseUrl: `http://127.0.0.1:${port}/api` }).initiate(baseInput()));
  assert.equal(e.code, 'network');
  assert.match(e.message, /ECONNREFUSED/);
});

test('a server that never answers is a timeout, within timeout + 100 ms', async () => {
  respond = () => {}; // never respond
  const t0 = performance.now();
  const e = await failure(client({ timeoutMs: 300 }).initiate(baseInput()));
  const elapsed = performance.now() - t0;
  assert.equal(e.code, 'timeout');
  assert.ok(elapsed >= 290 && elapsed < 400, `took ${elapsed.toFixed(0)} ms`);
});

test('a body that never ends is a timeout too', async () => {
  respond = (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"result":"success",');
  };
  const e = await failure(client({ timeoutMs: 300 }).initiate(baseInput()));
  assert.equal(e.code, 'timeout');
});

test('a custom fetch is used when given', async () => {
  const calls = [];
  const fakeFetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(OK_BODY, { status: 200 });
  };
  const payment = await client({ fetch: fakeFetch }).initiate(baseInput());
  assert.equal(calls.length, 1);
  assert.equal(calls[0].init.method, 'POST');
  assert.ok(calls[0].init.signal instanceof AbortSignal);
  assert.equal(payment.destination_amount, '0.00045145423250897323');
});

test('fromEnv reads COINBAR_* variables and names them in errors', () => {
  const env = { COINBAR_SERVICE_CLIENT_ID: CLIENT_ID, COINBAR_SECRET_KEY: SECRET, COINBAR_BASE_URL: baseUrl };
  const c = CoinbarPay.fromEnv(env);
  assert.equal(c.config.baseUrl, baseUrl);
  assert.equal(c.config.serviceClientId, CLIENT_ID);
  const sandbox = CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'x', COINBAR_SECRET_KEY: 'y', COINBAR_ENV: 'sandbox' });
  assert.equal(sandbox.config.baseUrl, 'https://sandbox.coinbar.io/coinbar/api/v2');
  assert.throws(
    () => CoinbarPay.fromEnv({ COINBAR_SECRET_KEY: 'y' }),
    (e) => e.code === 'config' && /COINBAR_SERVICE_CLIENT_ID/.test(e.message),
  );
  assert.throws(
    () => CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'x' }),
    (e) => e.code === 'config' && /COINBAR_SECRET_KEY/.test(e.message),
  );
  assert.throws(
    () => CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'x', COINBAR_SECRET_KEY: 'y', COINBAR_ENV: 'production' }),
    (e) => e.code === 'config' && /baseUrl: is required for environment 'production'/.test(e.message) && /COINBAR_BASE_URL/.test(e.message),
  );
  const saved = { ...process.env };
  try {
    Object.assign(process.env, env);
    assert.equal(CoinbarPay.fromEnv().config.serviceClientId, CLIENT_ID, 'defaults to process.env');
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
});

test('configuration errors', () => {
  const cases = [
    [{ secretKey: 'k' }, /serviceClientId: is required/],
    [{ serviceClientId: 'x' }, /secretKey: is required/],
    [{ serviceClientId: 'x', secretKey: '' }, /secretKey: is required/],
    [{ serviceClientId: 'x', secretKey: 42 }, /secretKey: must be a non-empty string/],
    [{ serviceClientId: 'x', secretKey: 'k', baseUrl: 'http://example.com/api' }, /https/],
    [{ serviceClientId: 'x', secretKey: 'k', environment: 'prod' }, /environment/],
    [{ serviceClientId: 'x', secretKey: 'k', timeoutMs: -5 }, /timeoutMs/],
    [{ serviceClientId: 'x', secretKey: 'k', fetch: 'nope' }, /fetch: must be a function/],
    [{ serviceClientId: 'x', secretKey: 'k', timeout: 5 }, /timeout: is not a known option/],
    [null, /options: must be an object/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(
      () => new CoinbarPay(opts),
      (e) => e instanceof CoinbarError && e.code === 'config' && re.test(e.message),
      JSON.stringify(opts),
    );
  }
  assert.equal(client().config.timeoutMs, 30000, 'default timeout is 30 s');
});
