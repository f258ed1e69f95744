// The callback checks every framework recipe (examples/frameworks/) must pass, wherever it
// runs: a signed callback is processed once, its second delivery is a duplicate, a body that
// is not what Coinbar signed gets 401, an empty body (a route set up wrong) gets 500, and the
// effect ran once. Used by
// tests/js/frameworks.test.js (Express, Hono, Fastify) and tests/bundlers/run.mjs (the
// Next.js route handler under `next start`, the Worker under `wrangler dev`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const vectors = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8'));
export const paid = vectors.callbacks.find((v) => v.expected.event?.is_paid && v.body_as === 'string');
export const RECIPE_ENV = {
  COINBAR_SERVICE_CLIENT_ID: paid.client.serviceClientId,
  COINBAR_SECRET_KEY: paid.client.secretKey,
  COINBAR_BASE_URL: 'http://127.0.0.1:9/coinbar/api/v2',
};

export async function callbackRoundTrip(url, { path = '/coinbar/callback', paidList = true } = {}) {
  const post = (body, headers) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const first = await post(paid.body, paid.headers);
  assert.equal(first.status, 200, await first.clone().text());
  assert.deepEqual(await first.json(), { outcome: 'processed' });
  const again = await post(paid.body, paid.headers);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { outcome: 'duplicate' }, 'Coinbar delivering twice runs the effect once');
  const forged = await post(paid.body.replace('8.99', '0.01'), paid.headers);
  assert.equal(forged.status, 401, 'a body that is not what Coinbar signed');
  if (paidList) assert.deepEqual(await (await fetch(`${url}/paid`)).json(), [paid.expected.event.payment_request_id_client]);
  // A route that hands handleCallback no body (set up wrong, code 'config') answers 500, not
  // 401: Coinbar delivers again once the route is fixed (issue 19 §6).
  const empty = await post('', paid.headers);
  assert.equal(empty.status, 500, `an empty body is a setup mistake: 500, got ${empty.status}`);
}
