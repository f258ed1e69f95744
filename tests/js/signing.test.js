// Byte-exact signing: the SDK's body is exactly JSON.stringify of the documented request
// object, and its SIGNATURE is exactly node:crypto's HMAC over it (Coinbar's own recipe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoinbarPay } from 'coinbar-pay';
import { rng, randomCase, canonicalBody, officialSignature, baseInput, NASTY_STRINGS } from './helpers.js';

const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const BASE_URL = 'http://127.0.0.1:8790/coinbar/api/v2';

function checkCase(input, secret) {
  const client = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: secret, baseUrl: BASE_URL });
  const before = Date.now();
  const prepared = client.prepareInitiate(input);
  const after = Date.now();
  const sentTimestamp = JSON.parse(prepared.body).timestamp;
  if (input.timestamp === undefined) {
    assert.ok(sentTimestamp >= before && sentTimestamp <= after, 'default timestamp is now, in ms');
  }
  const expected = canonicalBody(CLIENT_ID, input, sentTimestamp);
  assert.equal(prepared.body, JSON.stringify(expected));
  assert.equal(prepared.headers.SIGNATURE, officialSignature(secret, expected));
  assert.match(prepared.headers.SIGNATURE, /^[0-9a-f]{64}$/);
  client.free();
  return prepared;
}

test('documented example: exact body, headers and signature', () => {
  const prepared = checkCase(baseInput(), 'sandbox-secret');
  assert.equal(prepared.method, 'POST');
  assert.equal(prepared.url, `${BASE_URL}/pay/gateway/initiate`);
  assert.deepEqual(Object.keys(prepared.headers), ['CBPAY-API-KEY', 'SIGNATURE', 'Content-Type', 'source']);
  assert.equal(prepared.headers['CBPAY-API-KEY'], CLIENT_ID);
  assert.equal(prepared.headers['Content-Type'], 'application/json');
  assert.equal(prepared.headers.source, 'web');
  assert.equal(
    prepared.body,
    `{"service_client_id":"${CLIENT_ID}","payment_request_id":"order-1001","input_coin":"EUR","products":[{"product_name":"Product 1","product_price":1.99,"product_amount":1,"product_id":"id1","product_type":"general"},{"product_name":"Product 2","product_price":0.99,"product_amount":2,"product_id":"id2","product_type":"general"}],"email":"jane@example.com","surname":"Doe","name":"Jane","user_id":"user-42","timestamp":1715430961064,"destination_coin":"BTC"}`,
  );
});

const GENERATED = 300;
test(`${GENERATED} generated inputs match JSON.stringify + node:crypto byte for byte`, () => {
  const r = rng(20261124);
  for (let i = 0; i < GENERATED; i++) {
    const { input, secret } = randomCase(r);
    try {
      checkCase(input, secret);
    } catch (e) {
      e.message = `case ${i}: ${e.message}\ninput: ${JSON.stringify(input)}`;
      throw e;
    }
  }
});

test('hand-picked nasty strings in every free-text field', () => {
  for (const s of NASTY_STRINGS) {
    const input = baseInput();
    input.products[0].product_name = s;
    input.products[1].product_id = s;
    input.products[1].product_type = s;
    input.name = s;
    input.surname = s;
    input.user_id = s;
    checkCase(input, s);
  }
});

test('number formatting follows ECMAScript (what JSON.stringify prints)', () => {
  const prices = [
    [2.5, '2.5'],
    ['2.50', '2.5'],
    ['2.000', '2'],
    [0.1, '0.1'],
    [1e-7, '1e-7'],
    ['0.00000012', '1.2e-7'],
    [0.000001, '0.000001'],
    ['999999999999.99', '999999999999.99'],
    [123456789012.345, '123456789012.345'],
    [-0, '0'],
    ['100', '100'],
    [0.30000001, '0.30000001'],
  ];
  for (const [price, printed] of prices) {
    const input = baseInput();
    input.products[0].product_price = price;
    const prepared = checkCase(input, 'k');
    assert.ok(prepared.body.includes(`"product_price":${printed},`), `${price} -> ${printed}`);
  }
});

test('field order is the documented one whatever order the caller uses', () => {
  const input = baseInput();
  const reversed = Object.fromEntries(Object.entries(input).reverse());
  reversed.products = input.products.map((p) => Object.fromEntries(Object.entries(p).reverse()));
  const c = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: 'k', baseUrl: BASE_URL });
  assert.equal(c.prepareInitiate(reversed).body, c.prepareInitiate(input).body);
});

test('optional fields: null and absent are left out, timestamp defaults to now', () => {
  const input = baseInput();
  input.name = null;
  delete input.surname;
  delete input.timestamp;
  const prepared = checkCase(input, 'k');
  assert.ok(!prepared.body.includes('"name"'));
  assert.ok(!prepared.body.includes('"surname"'));
});

test('binary secret keys (Uint8Array) sign like the same bytes in node:crypto', () => {
  const key = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff);
  const c = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: key, baseUrl: BASE_URL });
  const prepared = c.prepareInitiate(baseInput());
  assert.equal(prepared.headers.SIGNATURE, officialSignature(Buffer.from(key), JSON.parse(prepared.body)));
  assert.equal(key[1], 37, "the caller's array is left as it was");
});
