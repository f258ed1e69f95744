// Errors that point at the fix (issue 21 §2): each message is asserted as a merchant reads it.
// The credentials, base URL and status-404 cases run against the local sandbox; the network and
// HTML cases against a closed port and a stand-in proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { startSandbox } from '../../www/sandbox/server.js';
import { baseInput } from './helpers.js';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.close());

const order = () => ({ ...baseInput(), payment_request_id: `msg-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, timestamp: Date.now() });
const failure = (promise) =>
  promise.then(
    () => assert.fail('expected a failure'),
    (e) => {
      assert.ok(e instanceof CoinbarError, `a CoinbarError, got ${e}`);
      return e;
    },
  );

test('a wrong key (401): names the variables, the environment and the base URL; code http, not processed; never the key', async () => {
  const wrongKey = 'sk-wrong-0123456789';
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: wrongKey, baseUrl: sandbox.baseUrl, maxRetries: 0 });
  const e = await failure(cbpay.initiate(order()));
  assert.deepEqual([e.code, e.status, e.outcome], ['http', 401, 'not_processed']);
  assert.match(e.message, /^Coinbar answered HTTP 401: Unauthorized \(SIGNATURE does not match/);
  assert.ok(
    e.message.includes(
      `Coinbar refused this client's credentials: check the secret key and the service client id (COINBAR_SECRET_KEY, COINBAR_SERVICE_CLIENT_ID): they must be the pair Coinbar issued for the environment this client talks to: sandbox, base URL ${sandbox.baseUrl} (COINBAR_ENV / COINBAR_BASE_URL). Sandbox credentials do not work in production, nor the reverse`,
    ),
    e.message,
  );
  assert.ok(!e.message.includes(wrongKey) && !JSON.stringify(e).includes(wrongKey));
  // The same advice on the GET calls (an unknown client id this time).
  const other = new CoinbarPay({ serviceClientId: 'not-my-client', secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl, maxRetries: 0 });
  for (const call of [() => other.paymentStatus('x'), () => other.findPayment('x'), () => other.retrievePayment('x'), () => other.quotes()]) {
    const g = await failure(call());
    assert.deepEqual([g.code, g.status], ['http', 401]);
    assert.match(
      g.message,
      /unknown service client id in CBPAY-API-KEY\)\. Coinbar refused this client's credentials: check the secret key and the service client id \(COINBAR_SECRET_KEY, COINBAR_SERVICE_CLIENT_ID\)/,
    );
  }
  cbpay.free();
  other.free();
});

test('a 404 from initiate / requestPayment: check the base URL, which lacks /coinbar/api/v2', async () => {
  // The sandbox's origin without the API path: the payment paths are not there (404).
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.url, maxRetries: 0 });
  const advice = `Nothing answers this call under the base URL ${sandbox.url}: check the base URL (COINBAR_BASE_URL): it must be the API address Coinbar gave you, with its path, e.g. https://sandbox.coinbar.io/coinbar/api/v2 (this one does not end in /coinbar/api/v2)`;
  const e = await failure(cbpay.initiate(order()));
  assert.deepEqual([e.code, e.status, e.outcome], ['http', 404, 'not_processed']);
  assert.equal(
    e.message,
    `Coinbar answered HTTP 404: Not Found. ${advice} [not processed: Coinbar created no payment for this request (payment_request_id ${e.message.match(/payment_request_id (\S+)\)/)[1]})]`,
  );
  const { destination_coin, ...request } = order();
  const r = await failure(cbpay.requestPayment(request));
  assert.ok(r.message.startsWith(`Coinbar answered HTTP 404: Not Found. ${advice} [not processed`), r.message);
  cbpay.free();
});

test('the 404 of the status call still means "no such payment": findPayment null, message unchanged', async () => {
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl });
  assert.equal(await cbpay.findPayment('no-such-order'), null);
  const e = await failure(cbpay.paymentStatus('no-such-order'));
  assert.deepEqual([e.code, e.status, e.message], ['http', 404, 'Coinbar answered HTTP 404: Not Found']);
  cbpay.free();
});

test('a network error names the origin, not only the path', async () => {
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const port = closed.address().port;
  await new Promise((r) => closed.close(r));
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: `http://127.0.0.1:${port}/coinbar/api/v2`, maxRetries: 0 });
  const e = await failure(cbpay.initiate(order()));
  assert.equal(e.code, 'network');
  assert.ok(e.message.startsWith(`request to Coinbar failed: ECONNREFUSED 127.0.0.1:${port} (POST http://127.0.0.1:${port}/coinbar/api/v2/pay/gateway/initiate) [not processed`), e.message);
  const g = await failure(cbpay.paymentStatus('o-1'));
  assert.equal(g.message, `request to Coinbar failed: ECONNREFUSED 127.0.0.1:${port} (GET http://127.0.0.1:${port}/coinbar/api/v2/pay/gateway/payment/o-1/status)`);
  cbpay.free();
});

test("a proxy's HTML page is quoted by its title; error.body keeps the page (cut to 4096)", async () => {
  const page = `<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title><style>h1{}</style></head><body><h1>503 Service Temporarily Unavailable</h1><hr><center>nginx</center>${'<!-- padding -->'.repeat(400)}</body></html>`;
  const proxy = createServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: `http://127.0.0.1:${proxy.address().port}/coinbar/api/v2`, maxRetries: 0 });
    const e = await failure(cbpay.paymentStatus('o-1'));
    assert.equal(
      e.message,
      `Coinbar answered HTTP 503 with an HTML page, not Coinbar's JSON (a proxy or web server in front of the API, or a wrong base URL): "503 Service Temporarily Unavailable" (the page is in error.body)`,
    );
    assert.equal(e.body, page.slice(0, 4096));
    const p = await failure(cbpay.initiate(order()));
    assert.deepEqual([p.status, p.outcome], [503, 'unknown']);
    assert.ok(!p.message.includes('<'), p.message);
    cbpay.free();
  } finally {
    proxy.closeAllConnections();
    proxy.close();
  }
});

test('a base URL without a scheme says what is accepted', () => {
  for (const baseUrl of ['sandbox.coinbar.io/coinbar/api/v2', 'http://shop.example/coinbar/api/v2']) {
    let e;
    try {
      new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl });
    } catch (x) {
      e = x;
    }
    assert.deepEqual([e?.code, e?.option], ['config', 'baseUrl']);
    assert.equal(
      e.message,
      'baseUrl: must start with https:// (plain http:// is accepted only for a loopback host: localhost, 127.x.x.x or [::1]), e.g. https://sandbox.coinbar.io/coinbar/api/v2 or http://127.0.0.1:8790/coinbar/api/v2',
    );
  }
  const e = (() => {
    try {
      CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: CLIENT.id, COINBAR_SECRET_KEY: CLIENT.secret, COINBAR_BASE_URL: 'sandbox.coinbar.io' });
    } catch (x) {
      return x;
    }
  })();
  assert.ok(e.message.endsWith('http://127.0.0.1:8790/coinbar/api/v2 (read from COINBAR_BASE_URL)'), e.message);
});
