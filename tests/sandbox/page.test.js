// The hosted gateway page: rendering, escaping, the Pay / Cancel forms and the redirect to the
// merchant's web callback URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, OTHER, apiClient, control, initiateBody, request, requestBody, start } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start();
  api = apiClient(sb);
});
after(() => sb.close());

const gatewayUrl = (base, token, clientId = CLIENT.id, timestamp = Date.now()) =>
  `${base}/paymentgateway/pay?requestToken=${encodeURIComponent(token)}&serviceClientId=${encodeURIComponent(clientId)}&timestamp=${timestamp}`;

/** Extracts the form's action and hidden inputs, like a browser would submit them. */
function parseForm(html) {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2]
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return { action, fields };
}

function submit(action, fields) {
  return request(sb.url + action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

const nasty = '<script>alert("x")</script> & \'co\'';

test('page: renders the order (escaped), the coin details and accessible Pay / Cancel buttons', async () => {
  const body = initiateBody(CLIENT.id, {
    products: [{ product_name: nasty, product_price: 2.5, product_amount: 3, product_id: 'p', product_type: 'general' }],
    destination_coin: 'XRP',
  });
  const init = (await api.initiate(body)).json();
  const res = await request(gatewayUrl(sb.url, init.request_token));
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'], /^text\/html/);
  const html = res.text;
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<td class="num" data-total>7\.5<\/td>/);
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;'));
  assert.ok(!html.includes('<script>'), 'no unescaped markup');
  assert.ok(html.includes(init.destination_address));
  assert.ok(html.includes(`Memo / tag</dt><dd>${init.destination_memo}`));
  assert.match(html, /<button type="submit" class="primary" name="action" value="pay">Pay<\/button>/);
  assert.match(html, /<button type="submit" class="secondary" name="action" value="cancel" formnovalidate>Cancel<\/button>/);
  assert.match(html, /data-status>CREATED</);
});

test('page: the token must be URL-encoded; wrong client or missing params are rejected', async () => {
  const init = (await api.initiate()).json();
  // Un-encoded, "+" becomes a space and the token no longer matches.
  const raw = await request(`${sb.url}/paymentgateway/pay?requestToken=${init.request_token}&serviceClientId=${CLIENT.id}&timestamp=1`);
  assert.equal(raw.status, 404);
  assert.match(raw.text, /URL-encoded/);
  assert.equal((await request(gatewayUrl(sb.url, init.request_token, OTHER.id))).status, 404);
  assert.equal((await request(`${sb.url}/paymentgateway/pay?requestToken=x`)).status, 400);
  // also served under the API base
  assert.equal((await request(gatewayUrl(sb.baseUrl, init.request_token))).status, 200);
});

test('page: Pay settles the payment and redirects to the web callback URL with payment_id and status', async (t) => {
  await control(sb, 'POST', '/config', { clients: [{ id: CLIENT.id, webCallbackUrl: 'https://shop.example/return?from=coinbar' }] });
  t.after(() => control(sb, 'POST', '/config', { clients: [{ id: CLIENT.id, webCallbackUrl: null }] }));
  const body = initiateBody(CLIENT.id);
  const init = (await api.initiate(body)).json();
  const page = await request(gatewayUrl(sb.url, init.request_token));
  const { action, fields } = parseForm(page.text);
  assert.equal(action, '/paymentgateway/pay/action');
  assert.equal(fields.requestToken, init.request_token);

  const res = await submit(action, { ...fields, action: 'pay' });
  assert.equal(res.status, 303);
  const location = new URL(res.headers.location);
  assert.equal(location.origin + location.pathname, 'https://shop.example/return');
  assert.equal(location.searchParams.get('from'), 'coinbar');
  assert.equal(location.searchParams.get('payment_id'), body.payment_request_id);
  assert.equal(location.searchParams.get('status'), 'SUCCESS');
  assert.equal((await api.status(body.payment_request_id)).json().status, 'SUCCESS');

  // Submitting again does not change anything; it reports the final status.
  const again = await submit(action, { ...fields, action: 'cancel' });
  assert.equal(new URL(again.headers.location).searchParams.get('status'), 'SUCCESS');
  // and the page now shows the result
  const after = await request(gatewayUrl(sb.url, init.request_token));
  assert.match(after.text, /data-status>SUCCESS</);
  assert.doesNotMatch(after.text, /<form/);
});

test('page: /request payment shows a coin picker; Cancel redirects to the payment urlcallback', async () => {
  const body = requestBody(CLIENT.id, { urlcallback: 'https://shop.example/cb' });
  const made = (await api.post('/pay/gateway/request', body)).json();
  const page = await request(gatewayUrl(sb.url, made.request_token));
  assert.equal(page.status, 200);
  for (const coin of ['btc', 'eth', 'usdt', 'xrp', 'xdb']) {
    assert.match(page.text, new RegExp(`<label for="coin-${coin}"><input type="radio" id="coin-${coin}" name="coin"`));
  }
  assert.match(page.text, /<legend>Choose the coin to pay with<\/legend>/);
  assert.match(page.text, /Bitcoin \(BTC\): 0\.00007581 /);

  const { action, fields } = parseForm(page.text);
  const res = await submit(action, { ...fields, action: 'cancel' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, `https://shop.example/cb?payment_id=${encodeURIComponent(body.payment_request_id)}&status=CANCELED`);
  const status = (await api.status(body.payment_request_id)).json();
  assert.equal(status.status, 'CANCELED');
  assert.equal(status.payment_detail.destination_coin, null);
});

test('page: paying a /request payment needs a coin; without a web callback a result page is shown', async () => {
  const body = requestBody(CLIENT.id);
  const made = (await api.post('/pay/gateway/request', body)).json();
  const { action, fields } = parseForm((await request(gatewayUrl(sb.baseUrl, made.request_token))).text);
  assert.equal(action, '/coinbar/api/v2/paymentgateway/pay/action');

  const noCoin = await submit(action, { ...fields, action: 'pay' });
  assert.equal(noCoin.status, 400);
  assert.equal((await api.status(body.payment_request_id)).json().status, 'CREATED');

  const res = await submit(action, { ...fields, action: 'pay', coin: 'ETH' });
  assert.equal(res.status, 200);
  assert.match(res.text, /Payment received/);
  assert.match(res.text, /data-status>SUCCESS</);
  const status = (await api.status(body.payment_request_id)).json();
  assert.equal(status.status, 'SUCCESS');
  assert.equal(status.payment_detail.trade_pair, 'ETH/EUR');

  // a forged token is refused
  assert.equal((await submit(action, { ...fields, requestToken: 'forged', action: 'pay' })).status, 404);
});
