// Authentication (CBPAY-API-KEY + SIGNATURE), the canonical-body rule, GET signing and the
// daily rate limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, OTHER, apiClient, control, hmac, initiateBody, request, start } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start();
  api = apiClient(sb);
});
after(() => sb.close());

const INITIATE = '/pay/gateway/initiate';

function assertUnauthorized(res, reason) {
  assert.equal(res.status, 401, res.text);
  const data = res.json();
  assert.deepEqual(Object.keys(data), ['result', 'error', 'reason']);
  assert.equal(data.result, false);
  assert.equal(data.error, 'Unauthorized');
  assert.match(data.reason, reason);
}

const paymentsTotal = async () => (await control(sb, 'GET', '/stats')).data.payments_total;

test('a correctly signed request is accepted (baseline for the failures below)', async () => {
  const res = await api.initiate();
  assert.equal(res.status, 200, res.text);
});

test('missing CBPAY-API-KEY → 401', async () => {
  const raw = JSON.stringify(initiateBody(CLIENT.id));
  const res = await request(sb.baseUrl + INITIATE, {
    method: 'POST',
    body: raw,
    headers: { 'Content-Type': 'application/json', source: 'web', SIGNATURE: hmac(CLIENT.secret, raw) },
  });
  assertUnauthorized(res, /missing CBPAY-API-KEY/);
});

test('unknown client id → 401', async () => {
  const stranger = { id: 'ffffffff-0000-4000-8000-000000000000', secret: CLIENT.secret };
  const res = await apiClient(sb, stranger).post(INITIATE, initiateBody(stranger.id));
  assertUnauthorized(res, /unknown service client id/);
});

test('missing SIGNATURE → 401; malformed (uppercase) SIGNATURE → 401', async () => {
  const res = await api.post(INITIATE, initiateBody(CLIENT.id), { headers: { SIGNATURE: '' } });
  assertUnauthorized(res, /missing SIGNATURE/);
  const raw = JSON.stringify(initiateBody(CLIENT.id));
  const upper = await api.post(INITIATE, raw, { headers: { SIGNATURE: hmac(CLIENT.secret, raw).toUpperCase() } });
  assertUnauthorized(upper, /64 lowercase hex/);
});

test('signature made with the wrong secret → 401', async () => {
  const res = await api.post(INITIATE, initiateBody(CLIENT.id), { signWith: OTHER.secret });
  assertUnauthorized(res, /SIGNATURE does not match/);
});

test('one flipped byte in the body after signing → 401, nothing created', async () => {
  const before = await paymentsTotal();
  const raw = JSON.stringify(initiateBody(CLIENT.id));
  const tampered = raw.replace('"product_amount":2', '"product_amount":3');
  assert.notEqual(tampered, raw);
  const res = await api.post(INITIATE, tampered, { headers: { SIGNATURE: hmac(CLIENT.secret, raw) } });
  assertUnauthorized(res, /does not match the HMAC-SHA256 of the raw request body/);
  assert.equal(await paymentsTotal(), before);
});

test('body not in canonical JSON.stringify form → 401 even when the signature matches the bytes', async () => {
  const body = initiateBody(CLIENT.id);
  const compact = JSON.stringify(body);
  const variants = {
    'pretty-printed': JSON.stringify(body, null, 2),
    'space after a colon': compact.replace('"input_coin":"EUR"', '"input_coin": "EUR"'),
    '2.0 instead of 2': compact.replace('"product_amount":2', '"product_amount":2.0'),
    'escaped slash': compact.replace('"customer@example.com"', '"customer\\/x@example.com"'),
    '\\u escape for ASCII': compact.replace('"Mario"', '"\\u004dario"'),
    'trailing newline': `${compact}\n`,
  };
  for (const [what, raw] of Object.entries(variants)) {
    assert.notEqual(raw, compact, what);
    const res = await api.post(INITIATE, raw); // signed over exactly these bytes
    assertUnauthorized(res, /body is not in canonical JSON\.stringify form/);
  }
});

test('POST without source: web or with a non-JSON Content-Type → 400', async () => {
  const noSource = await api.post(INITIATE, initiateBody(CLIENT.id), { headers: { source: 'app' } });
  assert.equal(noSource.status, 400);
  assert.match(noSource.json().reason, /source header must be "web"/);
  const wrongType = await api.post(INITIATE, initiateBody(CLIENT.id), { headers: { 'Content-Type': 'text/plain' } });
  assert.equal(wrongType.status, 400);
  assert.match(wrongType.json().reason, /Content-Type/);
  const withCharset = await api.post(INITIATE, initiateBody(CLIENT.id), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  assert.equal(withCharset.status, 200);
});

test('GET: the signature covers the raw query string without "?" (empty when none)', async () => {
  const query = 'conversion_fiat=GBP';
  const url = `${sb.baseUrl}/pay/gateway/quotes?${query}`;
  const get = (signature, u = url) => request(u, { headers: { 'CBPAY-API-KEY': CLIENT.id, SIGNATURE: signature } });

  assert.equal((await get(hmac(CLIENT.secret, query))).status, 200);
  assertUnauthorized(await get(hmac(CLIENT.secret, `?${query}`)), /WITHOUT the leading "\?"/);
  assertUnauthorized(await get(hmac(CLIENT.secret, '')), /query string \("conversion_fiat=GBP"\)/);
  // the query as it appears in the URL: encoding differences matter
  const encoded = 'conversion_fiat=GBP&note=a%20b';
  assert.equal((await get(hmac(CLIENT.secret, encoded), `${sb.baseUrl}/pay/gateway/quotes?${encoded}`)).status, 200);
  assertUnauthorized(await get(hmac(CLIENT.secret, 'conversion_fiat=GBP&note=a b'), `${sb.baseUrl}/pay/gateway/quotes?${encoded}`), /does not match/);
  // no query at all: sign the empty string
  const none = `${sb.baseUrl}/pay/gateway/quotes`;
  assert.equal((await get(hmac(CLIENT.secret, ''), none)).status, 200);
  assertUnauthorized(await get(hmac(CLIENT.secret, '{}'), none), /does not match/);
});

test('rate limit: over rateLimitPerDay authenticated calls per client per UTC day → 429', async (t) => {
  let clock = Date.parse('2024-03-10T23:59:00Z');
  const limited = await start({ rateLimitPerDay: 3, now: () => clock });
  t.after(() => limited.close());
  const a = apiClient(limited);
  const quotes = () => a.get('/pay/gateway/quotes');

  // unauthenticated calls do not count
  const anon = await request(`${limited.baseUrl}/pay/gateway/quotes`, { headers: { 'CBPAY-API-KEY': CLIENT.id, SIGNATURE: '0'.repeat(64) } });
  assert.equal(anon.status, 401);

  for (let i = 0; i < 3; i++) assert.equal((await quotes()).status, 200, `call ${i + 1}`);
  const over = await quotes();
  assert.equal(over.status, 429);
  assert.deepEqual(over.json(), { result: false, error: 'Api RATE exceeded' });
  // every endpoint counts, and the limit is per client id
  assert.equal((await a.initiate({ timestamp: clock })).status, 429);
  assert.equal((await apiClient(limited, OTHER).get('/pay/gateway/quotes')).status, 200);

  const stats = (await control(limited, 'GET', '/stats')).data;
  assert.deepEqual(
    stats.rate_limit.usage.find((u) => u.client_id === CLIENT.id),
    { client_id: CLIENT.id, day: '2024-03-10', used: 5 },
  );
  assert.equal(stats.rate_limit.rejected, 2);

  // a new UTC day resets the budget
  clock = Date.parse('2024-03-11T00:00:01Z');
  assert.equal((await quotes()).status, 200);

  // and the limit can be changed at runtime
  await control(limited, 'POST', '/config', { rateLimitPerDay: 1 });
  assert.equal((await quotes()).status, 429);
});
