// Safe on a developer's machine: DNS rebinding and cross-site requests. A foreign site whose name
// is re-pointed at 127.0.0.1 sends its own name in `Host` (fetch cannot set Host, so node:http
// requests carry it here); a cross-site form POST carries its `Origin`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, apiClient, control, hmac, initiateBody, request, requestBody, start } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start({ allowedHosts: ['sandbox.test'] });
  api = apiClient(sb);
});
after(() => sb.close());

const withHost = (path, host, opts = {}) => request(sb.url + path, { ...opts, headers: { ...opts.headers, Host: host } });

test('Host: a foreign name is refused (403, a clear reason) on every kind of route; nothing leaks', async () => {
  const body = initiateBody(CLIENT.id);
  assert.equal((await api.initiate(body)).status, 200);
  await control(sb, 'POST', `/payments/${body.payment_request_id}/pay`);
  const foreign = `evil.example:${sb.port}`;
  for (const path of ['/__sandbox/payments', '/__sandbox/callbacks', `/__sandbox/payments/${body.payment_request_id}`, '/', '/paymentgateway/pay?requestToken=x&serviceClientId=y&timestamp=1']) {
    const res = await withHost(path, foreign);
    assert.equal(res.status, 403, path);
    const data = res.json();
    assert.equal(data.error, 'Forbidden');
    assert.match(data.reason, /Host "evil\.example:\d+" is not served.*127\.0\.0\.1, localhost or \[::1\].*DNS rebinding.*--allowed-host evil\.example/);
    assert.doesNotMatch(res.text, /request_token|signature|c0ffee00/i, path);
  }
  // A signed API call from a rebinding page is refused before authentication too.
  const query = '';
  const res = await withHost('/coinbar/api/v2/pay/gateway/quotes', foreign, { headers: { 'CBPAY-API-KEY': CLIENT.id, SIGNATURE: hmac(CLIENT.secret, query) } });
  assert.equal(res.status, 403);
  // Look-alikes of loopback names are foreign names.
  for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', `127.0.0.1@evil.example:${sb.port}`]) {
    assert.equal((await withHost('/__sandbox/payments', host)).status, 403, host);
  }
});

test('Host: 127.0.0.1, localhost and [::1] with the port, and a configured name, are served', async () => {
  for (const host of [`127.0.0.1:${sb.port}`, `localhost:${sb.port}`, `[::1]:${sb.port}`, `LOCALHOST:${sb.port}`, 'localhost', `sandbox.test:${sb.port}`]) {
    const res = await withHost('/__sandbox/payments', host);
    assert.equal(res.status, 200, host);
  }
  assert.deepEqual(sb.allowedHosts, ['sandbox.test']);
});

test('control GETs: a foreign Origin gets 403 and no token or signature', async () => {
  const body = initiateBody(CLIENT.id);
  await api.initiate(body);
  for (const path of ['/__sandbox/payments', `/__sandbox/payments/${body.payment_request_id}`, '/__sandbox/callbacks']) {
    const res = await request(sb.url + path, { headers: { Origin: 'https://evil.example' } });
    assert.equal(res.status, 403, path);
    assert.doesNotMatch(res.text, /request_token|signature/);
  }
  const ok = await request(`${sb.url}/__sandbox/payments`, { headers: { Origin: `http://localhost:${sb.port}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /request_token/);
});

/** The hosted page's form for a /request payment, as a browser would submit it. */
async function pageForm() {
  const made = (await api.post('/pay/gateway/request', requestBody(CLIENT.id))).json();
  const page = await request(`${sb.url}/paymentgateway/pay?requestToken=${encodeURIComponent(made.request_token)}&serviceClientId=${CLIENT.id}&timestamp=${Date.now()}`);
  assert.equal(page.status, 200);
  const action = /<form method="post" action="([^"]+)">/.exec(page.text)[1];
  const fields = { coin: 'BTC', action: 'pay' };
  for (const m of page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]] = m[2].replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return { action, fields };
}

test('page Pay action: a foreign Origin (or "null") is refused and the payment is not touched; the sandbox\'s own origin works', async () => {
  for (const origin of ['https://evil.example', 'null', `http://evil.example:${sb.port}`]) {
    const { action, fields } = await pageForm();
    const res = await request(sb.url + action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal(res.status, 403, origin);
    assert.match(res.text, /only from the sandbox&#39;s own page/);
    const p = sb.payments.list().find((x) => x.request_token === fields.requestToken);
    assert.equal(p.status.status, 'CREATED', `${origin}: not paid`);
  }
  const { action, fields } = await pageForm();
  const res = await request(sb.url + action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: sb.url },
    body: new URLSearchParams(fields).toString(),
  });
  assert.equal(res.status, 200, res.text);
  const p = sb.payments.list().find((x) => x.request_token === fields.requestToken);
  assert.equal(p.status.status, 'SUCCESS');
});
