// Happy paths, response shapes, exact amounts, validation and the duplicate rule.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, OTHER, apiClient, control, hmac, initiateBody, requestBody, start, uniqueId } from './helpers.js';

let sb;
let api;
before(async () => {
  sb = await start();
  api = apiClient(sb);
});
after(() => sb.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('initiate: 200 with the documented shape, exact total and an amount a wallet can send', async () => {
  const body = initiateBody(CLIENT.id);
  const res = await api.initiate(body);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'], /^application\/json/);
  const data = res.json();
  assert.deepEqual(Object.keys(data), [
    'result',
    'request_token',
    'payment_id_coinbar',
    'payment_total_price',
    'trade_pair',
    'payment_string',
    'destination_coin_change',
    'destination_amount',
    'destination_address',
    'destination_memo',
  ]);
  assert.equal(data.result, 'success');
  assert.match(data.payment_id_coinbar, UUID);
  // base64 with all of + / = so that un-encoded gateway URLs break
  assert.match(data.request_token, /^[A-Za-z0-9+/]+={1,2}$/);
  assert.ok(data.request_token.includes('+') && data.request_token.includes('/'));
  assert.equal(data.trade_pair, 'BTC/EUR');
  assert.equal(data.destination_memo, '');
  assert.match(data.destination_address, /^bc1q[02-9ac-hj-np-z]{38}$/);
  // Exact decimals in the raw JSON text: 1.99×1 + 0.99×2 = 3.97, rate as documented, and the
  // amount 3.97 / 52372.33459748911 = 0.0000758033803… rounded UP to whole satoshi (8 decimals).
  assert.match(res.text, /"payment_total_price":3\.97,/);
  assert.match(res.text, /"destination_coin_change":52372\.33459748911,/);
  assert.match(res.text, /"destination_amount":0\.00007581,/);
  assert.equal(data.payment_string, `bitcoin:${data.destination_address}?amount=0.00007581`);
});

test('initiate: each coin gets a plausible address, memo and payment URI', async () => {
  const expectations = {
    ETH: { uri: /^ethereum:0x[0-9a-f]{40}\?value=\d+$/, memo: false },
    USDT: { uri: /^ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7\/transfer\?address=0x[0-9a-f]{40}&uint256=\d+$/, memo: false },
    XRP: { uri: /^xrp:r[1-9A-Za-z]{33}\?amount=[\d.]+&dt=\d+$/, memo: true },
    XDB: { uri: /^xdb:G[A-Z2-7]{55}\?amount=[\d.]+&memo=\d+$/, memo: true },
  };
  for (const [coin, exp] of Object.entries(expectations)) {
    const res = await api.initiate({ destination_coin: coin });
    assert.equal(res.status, 200, `${coin}: ${res.text}`);
    const data = res.json();
    assert.equal(data.trade_pair, `${coin}/EUR`);
    assert.match(data.payment_string, exp.uri, coin);
    if (exp.memo) {
      assert.match(data.destination_memo, /^\d+$/, coin);
      assert.ok(data.payment_string.endsWith(data.destination_memo), coin);
    } else assert.equal(data.destination_memo, '', coin);
  }
});

test('initiate: ETH value is the amount in wei (18 decimals); XRP in whole drops', async () => {
  const eth = await api.initiate({
    products: [{ product_name: 'x', product_price: 8.99, product_amount: 1, product_id: 'p', product_type: 'general' }],
    destination_coin: 'ETH',
  });
  // 8.99 / 2934.5188 = 0.003063534641522828|2061… rounded up at the 18th decimal (wei)
  assert.match(eth.text, /"destination_amount":0\.003063534641522829,/);
  assert.match(eth.json().payment_string, /\?value=3063534641522829$/);
  const xrp = await api.initiate({ destination_coin: 'XRP' });
  assert.match(xrp.text, /"destination_amount":8\.149776,/); // 8.1497752140… up to whole drops
  // A larger ETH amount has 18 significant digits: more than a double holds, written verbatim.
  const big = await api.initiate({
    products: [{ product_name: 'x', product_price: 1999.99, product_amount: 1, product_id: 'p', product_type: 'general' }],
    destination_coin: 'ETH',
  });
  const text = /"destination_amount":([0-9.]+),/.exec(big.text)[1];
  assert.equal(text, '0.681539337897579665'); // 1999.99 / 2934.5188 = 0.681539337897579664|509… rounded up
  assert.notEqual(String(Number(text)), text, 'a JS number would lose digits: clients must keep the JSON text');
});

// 3.97 EUR (and GBP) in each coin: total / rate rounded UP to the coin's smallest unit, the same
// digits in initiate, status, report and the payment URI (independently computed values).
const PER_COIN = {
  BTC: { decimals: 8, EUR: '0.00007581', GBP: '0.00008848', uri: (a) => `?amount=${a}` },
  ETH: { decimals: 18, EUR: '0.001352862350038446', GBP: '0.00157896687576868', uri: (a) => `?value=${units(a, 18)}` },
  USDT: { decimals: 6, EUR: '4.308802', GBP: '5.028818', uri: (a) => `&uint256=${units(a, 6)}` },
  XRP: { decimals: 6, EUR: '8.149776', GBP: '9.511716', uri: (a) => `?amount=${a}&dt=` },
  XDB: { decimals: 7, EUR: '252.3839797', GBP: '294.5103858', uri: (a) => `?amount=${a}&memo=` },
};
/** Integer count of the smallest unit: "0.00157896687576868", 18 -> 1578966875768680. */
function units(text, decimals) {
  const [int, frac = ''] = text.split('.');
  return BigInt(int + frac.padEnd(decimals, '0')).toString();
}

for (const [coin, exp] of Object.entries(PER_COIN)) {
  test(`amounts: ${coin} is rounded up to ${exp.decimals} decimals in initiate, status, report and the payment URI`, async () => {
    for (const fiat of ['EUR', 'GBP']) {
      const body = initiateBody(CLIENT.id, { destination_coin: coin, input_coin: fiat });
      const res = await api.initiate(body);
      assert.equal(res.status, 200, res.text);
      const amount = /"destination_amount":([0-9.]+),/.exec(res.text)[1];
      assert.equal(amount, exp[fiat], `${coin}/${fiat}`);
      assert.ok((amount.split('.')[1] ?? '').length <= exp.decimals, `${amount}: at most ${exp.decimals} decimals`);
      assert.ok(res.json().payment_string.includes(exp.uri(amount)), `${res.json().payment_string} asks for ${amount}`);
      const id = encodeURIComponent(body.payment_request_id);
      const status = await api.get(`/pay/gateway/payment/${id}/status`);
      assert.match(status.text, new RegExp(`"destination_amount":${amount.replace('.', '\\.')},`));
      const report = await api.get(`/paymentgateway/reports/${id}`);
      assert.match(report.text, new RegExp(`"amount_crypto":${amount.replace('.', '\\.')},`));
      assert.equal(report.json().payment_detail.payment_string, res.json().payment_string);
    }
  });
}

test('initiate: GBP prices use the GBP rate table', async () => {
  const res = await api.initiate({ input_coin: 'GBP' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json().trade_pair, 'BTC/GBP');
  assert.match(res.text, /"destination_coin_change":44871\.20931,/);
  assert.match(res.text, /"destination_amount":0\.00008848,/); // 0.0000884754… up to whole satoshi
});

test('initiate: totals are exact decimal sums (0.1×3 + 0.2 = 0.5, 19.99×3 = 59.97, 1e-7 prices)', async () => {
  const line = (price, amount) => ({ product_name: 'n', product_price: price, product_amount: amount, product_id: 'i', product_type: 't' });
  const cases = [
    [[line(0.1, 3), line(0.2, 1)], '0.5'],
    [[line(19.99, 3)], '59.97'],
    [[line(1e-7, 3), line(1, 1)], '1.0000003'],
    [[line(0, 2), line(123456789.12, 1)], '123456789.12'],
  ];
  for (const [products, total] of cases) {
    const res = await api.initiate({ products });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.text.includes(`"payment_total_price":${total},`), `${total} in ${res.text}`);
  }
});

test('request: creates a payment without a coin; status shows null coin fields', async () => {
  const body = requestBody(CLIENT.id, { urlcallback: 'https://shop.example/return' });
  const res = await api.post('/pay/gateway/request', body);
  assert.equal(res.status, 200, res.text);
  const data = res.json();
  assert.deepEqual(Object.keys(data), ['result', 'request_token', 'payment_id_coinbar']);
  assert.equal(data.result, 'success');
  assert.match(data.payment_id_coinbar, UUID);
  const status = (await api.status(body.payment_request_id)).json();
  assert.equal(status.status, 'CREATED');
  assert.equal(status.payment_detail.destination_coin, null);
  assert.equal(status.payment_detail.total_price, 3.97);
});

test('request: destination_coin is not accepted there', async () => {
  const res = await api.post('/pay/gateway/request', initiateBody(CLIENT.id));
  assert.equal(res.status, 400);
  assert.match(res.json().reason, /^destination_coin: unknown field/);
});

test('quotes: EUR by default, GBP on request, exact rates in the raw text, bad fiat → 400', async () => {
  const eur = await api.get('/pay/gateway/quotes');
  assert.equal(eur.status, 200, eur.text);
  const data = eur.json();
  assert.equal(data.result, true);
  assert.deepEqual(
    data.data.map((q) => q.code),
    ['BTC', 'ETH', 'USDT', 'XRP', 'XDB'],
  );
  for (const q of data.data) {
    assert.deepEqual(Object.keys(q), ['code', 'name', 'conversion_fiat', 'conversion_rate']);
    assert.equal(q.conversion_fiat, 'EUR');
  }
  assert.ok(eur.text.includes('{"code":"BTC","name":"Bitcoin","conversion_fiat":"EUR","conversion_rate":52372.33459748911}'));

  const gbp = await api.get('/pay/gateway/quotes', 'conversion_fiat=GBP');
  assert.equal(gbp.status, 200);
  assert.ok(gbp.json().data.every((q) => q.conversion_fiat === 'GBP'));
  assert.equal(gbp.json().data[0].conversion_rate, 44871.20931);

  const bad = await api.get('/pay/gateway/quotes', 'conversion_fiat=USD');
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json()), ['result', 'error', 'reason']);
  assert.equal(bad.json().error, 'Bad Request');
});

test('status: documented shape; unknown id → 404; other clients cannot see it', async () => {
  const body = initiateBody(CLIENT.id, { payment_request_id: uniqueId('status/with slash') });
  await api.initiate(body);
  const res = await api.status(body.payment_request_id);
  assert.equal(res.status, 200, res.text);
  const s = res.json();
  assert.deepEqual(Object.keys(s), ['payment_id_coinbar', 'payment_request_id_client', 'service_client_id', 'status', 'payment_detail', 'input_coin', 'creation_time', 'update_time', 'status_descr']);
  assert.deepEqual(Object.keys(s.payment_detail), ['destination_coin', 'trade_pair', 'destination_amount', 'coin_change', 'total_price']);
  assert.equal(s.payment_request_id_client, body.payment_request_id);
  assert.equal(s.service_client_id, CLIENT.id);
  assert.equal(s.status, 'CREATED');
  assert.equal(s.input_coin, 'EUR');
  assert.ok(!Number.isNaN(Date.parse(s.creation_time)));
  assert.match(res.text, /"destination_amount":0\.00007581,/);

  const missing = await api.status('no-such-order');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { result: false, error: 'Not Found' });

  const other = await apiClient(sb, OTHER).status(body.payment_request_id);
  assert.equal(other.status, 404);
});

test('report: the §3.6 shape with customer, products, payment_detail and $date dates', async () => {
  const body = initiateBody(CLIENT.id);
  await api.initiate(body);
  const res = await api.get(`/paymentgateway/reports/${encodeURIComponent(body.payment_request_id)}`);
  assert.equal(res.status, 200, res.text);
  const r = res.json();
  assert.deepEqual(r.customer, { external_user_id: 'user-42', name: 'Mario', surname: 'Rossi', email: 'customer@example.com', post_balance: '0' });
  assert.deepEqual(r.products, body.products);
  assert.deepEqual(Object.keys(r.payment_detail), [
    'transaction_id',
    'type',
    'wallet_origin',
    'coin',
    'pair',
    'amount_crypto',
    'timestamp',
    'coin_price',
    'total_price',
    'transaction_timeout_date',
    'payment_string',
  ]);
  assert.equal(r.payment_detail.pair, 'BTC/EUR');
  assert.match(r.payment_detail.transaction_timeout_date.$date, /^\d{4}-\d\d-\d\dT/);
  assert.ok('urlcallback' in r);
  assert.equal(r.market_data.current_change, 52372.33459748911);
  assert.match(res.text, /"amount_crypto":0\.00007581,/);

  // also at the server root, and still 404 for another client's payment
  const root = await fetchSigned(`${sb.url}/paymentgateway/reports/${encodeURIComponent(body.payment_request_id)}`);
  assert.equal(root.status, 200);
  const other = await apiClient(sb, OTHER).get(`/paymentgateway/reports/${encodeURIComponent(body.payment_request_id)}`);
  assert.equal(other.status, 404);
});

function fetchSigned(url) {
  return fetch(url, { headers: { 'CBPAY-API-KEY': CLIENT.id, SIGNATURE: hmac(CLIENT.secret, '') } });
}

test('bad bodies → 400 Bad Request with a reason naming the field', async () => {
  const paymentsBefore = (await control(sb, 'GET', '/stats')).data.payments_total;
  const line = { product_name: 'n', product_price: 1, product_amount: 1, product_id: 'i', product_type: 't' };
  const cases = [
    [{ service_client_id: OTHER.id }, /^service_client_id: must equal the CBPAY-API-KEY header/],
    [{ payment_request_id: '' }, /^payment_request_id: must be a non-empty string/],
    [{ payment_request_id: 42 }, /^payment_request_id: must be a non-empty string/],
    [{ input_coin: 'USD' }, /^input_coin: must be one of EUR, GBP/],
    [{ products: [] }, /^products: must contain at least one product/],
    [{ products: {} }, /^products: must be an array/],
    [{ products: [{ ...line, product_price: '1.99' }] }, /^products\[0\]\.product_price: must be a number/],
    [{ products: [line, { ...line, product_price: -1 }] }, /^products\[1\]\.product_price: must be >= 0/],
    [{ products: [{ ...line, product_amount: 1.5 }] }, /^products\[0\]\.product_amount: must be a positive integer/],
    [{ products: [{ ...line, product_amount: 0 }] }, /^products\[0\]\.product_amount: must be a positive integer/],
    [{ products: [{ product_name: 'n', product_price: 1, product_amount: 1, product_type: 't' }] }, /^products\[0\]\.product_id: required field is missing/],
    [{ products: [{ ...line, product_price: 0 }] }, /^products: the total must be greater than 0/],
    [{ email: 'not-an-email' }, /^email: must be a string containing "@"/],
    [{ email: undefined }, /^email: required field is missing/],
    [{ user_id: 7 }, /^user_id: must be a string/],
    [{ surname: null }, /^surname: must be a string when present/],
    [{ timestamp: Math.floor(Date.now() / 1000) }, /^timestamp: more than \d+ ms away .*seconds instead of milliseconds/],
    [{ timestamp: Date.now() + 0.5 }, /^timestamp: must be an integer/],
    [{ timestamp: String(Date.now()) }, /^timestamp: must be an integer/],
    [{ destination_coin: 'DOGE' }, /^destination_coin: must be one of BTC, ETH, USDT, XRP, XDB/],
    [{ destination_coin: undefined }, /^destination_coin: required field is missing/],
    [{ extra: 1 }, /^extra: unknown field/],
  ];
  for (const [overrides, reason] of cases) {
    const res = await api.initiate(overrides);
    assert.equal(res.status, 400, `${JSON.stringify(overrides)} → ${res.text}`);
    const data = res.json();
    assert.equal(data.result, false);
    assert.equal(data.error, 'Bad Request');
    assert.match(data.reason, reason, JSON.stringify(overrides));
  }
  // Keys out of the documented order (destination_coin before timestamp).
  const { timestamp, destination_coin, ...rest } = initiateBody(CLIENT.id);
  const res = await api.initiate(undefined, {});
  assert.equal(res.status, 200); // sanity: the default body is fine
  const reordered = await api.post('/pay/gateway/initiate', { ...rest, destination_coin, timestamp });
  assert.equal(reordered.status, 400);
  assert.match(reordered.json().reason, /^timestamp: field out of the documented order/);
  // A JSON array and invalid JSON
  const arr = await api.post('/pay/gateway/initiate', '[]');
  assert.equal(arr.status, 400);
  assert.match(arr.json().reason, /^body: must be a JSON object/);
  const invalid = await api.post('/pay/gateway/initiate', '{"a":');
  assert.equal(invalid.status, 400);
  assert.match(invalid.json().reason, /^body: not valid JSON/);
  // Nothing was created by any of them (only the one sanity payment).
  const paymentsAfter = (await control(sb, 'GET', '/stats')).data.payments_total;
  assert.equal(paymentsAfter, paymentsBefore + 1);
});

test('duplicate rule: same content → original response replayed, one payment; different content → 409', async () => {
  const body = initiateBody(CLIENT.id);
  const first = await api.initiate(body);
  assert.equal(first.status, 200);
  assert.equal(first.headers['x-sandbox-replayed'], undefined);

  const again = await api.initiate({ ...body, timestamp: body.timestamp + 1234 }); // only timestamp differs
  assert.equal(again.status, 200);
  assert.equal(again.headers['x-sandbox-replayed'], 'true');
  assert.equal(again.text, first.text); // same payment_id_coinbar, token, amounts
  assert.equal(sb.payments.createdCount(body.payment_request_id, CLIENT.id), 1);

  const changed = await api.initiate({ ...body, email: 'someone-else@example.com' });
  assert.equal(changed.status, 409);
  assert.deepEqual(changed.json(), { result: false, error: 'Conflict', reason: 'payment_request_id already used with different content' });

  const viaRequest = await api.post('/pay/gateway/request', requestBody(CLIENT.id, { payment_request_id: body.payment_request_id }));
  assert.equal(viaRequest.status, 409);

  // The same id for ANOTHER client is a different payment.
  const other = await apiClient(sb, OTHER).initiate({ payment_request_id: body.payment_request_id });
  assert.equal(other.status, 200);
  assert.notEqual(other.json().payment_id_coinbar, first.json().payment_id_coinbar);

  const listed = (await control(sb, 'GET', '/payments')).data;
  const counter = listed.counters.find((c) => c.client_id === CLIENT.id && c.payment_request_id === body.payment_request_id);
  assert.deepEqual(counter, { client_id: CLIENT.id, payment_request_id: body.payment_request_id, created: 1, replayed: 1, conflicts: 2 });
});

test('duplicate rule applies to /request too', async () => {
  const body = requestBody(CLIENT.id);
  const a = await api.post('/pay/gateway/request', body);
  const b = await api.post('/pay/gateway/request', { ...body, timestamp: body.timestamp + 1 });
  assert.equal(b.status, 200);
  assert.equal(b.json().payment_id_coinbar, a.json().payment_id_coinbar);
  assert.equal(b.headers['x-sandbox-replayed'], 'true');
  const c = await api.post('/pay/gateway/request', { ...body, user_id: 'another' });
  assert.equal(c.status, 409);
  assert.equal(sb.payments.createdCount(body.payment_request_id, CLIENT.id), 1);
});

test('unknown routes → 404 JSON, wrong method → 405', async () => {
  const res = await api.get('/pay/gateway/nope');
  assert.equal(res.status, 404);
  assert.equal(res.json().error, 'Not Found');
  const wrong = await api.get('/pay/gateway/initiate');
  assert.equal(wrong.status, 405);
});
