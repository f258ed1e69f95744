// A verified callback event crosses from the core as tokens (src/model/object/tokens.rs) and is
// built by the generated pkg/src/objects.js; when a text cannot be a token (it holds a NUL or is
// the absent mark) it crosses as JSON. Oracle: each body below, verified as is (tokens) and with
// a NUL added to its `status_descr` (JSON), gives the same event, member for member and in the
// same order, but for that one text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CoinbarPay } from 'coinbar-pay';
import * as glue from '../../pkg/dist/server/coinbar_pay.js';
import { ClientOp } from '../../pkg/src/ops.js';

const ID = 'c0ffee00-0000-4000-8000-000000000001';
const SECRET = 'sandbox-secret-do-not-use-in-production';
const sign = (body) => createHmac('sha256', SECRET).update(body).digest('hex');
const cbpay = new CoinbarPay({ serviceClientId: ID, secretKey: SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
glue.initSync({ module: readFileSync(new URL('../../pkg/dist/server/coinbar_pay_bg.wasm', import.meta.url)) });
const raw = glue.signing_client(ID, undefined, 'http://127.0.0.1:8790/coinbar/api/v2', undefined, undefined, new TextEncoder().encode(SECRET));

const documented = readFileSync(new URL('../../bench/inputs/callback.json', import.meta.url), 'utf8');
const base = JSON.parse(documented);
const without = (o, k) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));
const variants = {
  'as sent': base,
  'customer null': { ...base, customer: null },
  'customer absent': without(base, 'customer'),
  'customer with post_balance': { ...base, customer: { ...base.customer, post_balance: 12.5 } },
  'customer with only an email': { ...base, customer: { email: 'a@example.com' } },
  'no products': { ...base, products: [] },
  'products absent': without(base, 'products'),
  'products null': { ...base, products: null },
  'product lines with empty objects': { ...base, products: [{}, {}] },
  'payment_detail null': { ...base, payment_detail: null },
  'payment_detail absent': without(base, 'payment_detail'),
  'payment_detail partial': { ...base, payment_detail: { destination_coin: 'ETH' } },
  'status lower case': { ...base, status: 'success' },
  'status unknown': { ...base, status: ' refunded ' },
  'status failed': { ...base, status: 'FAILED' },
  'dates as $date': { ...base, creation_time: { $date: '2026-11-24T17:17:27.409Z' }, update_time: { $date: 1715430961064 } },
  'amounts as strings and exponents': { ...base, payment_detail: { ...base.payment_detail, destination_amount: '0.00000001', coin_change: 1e-7, total_price: '16.650' } },
  'texts that look like marks': {
    ...base,
    input_coin: 'o',
    service_client_id: ID,
    products: [{ product_name: ']', product_id: 'o', product_type: '[', product_price: 1, product_amount: 1 }, { product_name: '' }],
  },
  'texts with escapes and non-ASCII': { ...base, customer: { name: 'Zoë "Q" \\ \n\t', surname: '抹茶 🍵', email: 'x@example.com' } },
  'service_client_id null, extra members': { ...base, service_client_id: null, unknown: { deep: [1, 2] }, another: 'x' },
};

for (const [name, event] of Object.entries(variants)) {
  test(`callback event, ${name}: tokens give what the JSON form gives`, () => {
    const body = JSON.stringify({ ...event, status_descr: 'done' });
    const withNul = JSON.stringify({ ...event, status_descr: 'done\u0000' });
    // The raw answers: tokens for the first (after a \u0002 mark), JSON for the second.
    const enc = (s) => new TextEncoder().encode(s);
    assert.equal(raw.call(ClientOp.VerifyCallback, enc(body), ID, sign(body)).charCodeAt(0), 2);
    assert.equal(raw.call(ClientOp.VerifyCallback, enc(withNul), ID, sign(withNul)).charAt(0), '{');
    const fromTokens = cbpay.verifyCallback(body, { 'cbpay-api-key': ID, signature: sign(body) });
    const fromJson = cbpay.verifyCallback(withNul, { 'cbpay-api-key': ID, signature: sign(withNul) });
    assert.equal(fromJson.status_descr, 'done\u0000');
    fromJson.status_descr = 'done';
    assert.deepStrictEqual(fromTokens, fromJson);
    assert.equal(JSON.stringify(fromTokens), JSON.stringify(fromJson), 'same members in the same order');
  });
}

test('a text equal to the absent mark crosses as JSON and reads as that text', () => {
  const body = JSON.stringify({ ...base, input_coin: '\u0001' });
  assert.equal(raw.call(ClientOp.VerifyCallback, new TextEncoder().encode(body), ID, sign(body)).charAt(0), '{');
  const event = cbpay.verifyCallback(body, { 'cbpay-api-key': ID, signature: sign(body) });
  assert.equal(event.input_coin, '\u0001');
  assert.equal(event.payment_id_coinbar, base.payment_id_coinbar);
});

test('the event of the documented callback, member by member (every digit of its amounts)', () => {
  const body = documented;
  const event = cbpay.verifyCallback(body, { 'cbpay-api-key': ID, signature: sign(body) });
  assert.deepStrictEqual(event, {
    payment_id_coinbar: '28423f40-ba0b-4708-a18e-15e3f9f32f7d',
    payment_request_id_client: 'order-1042',
    service_client_id: ID,
    status: 'SUCCESS',
    is_final: true,
    is_paid: true,
    status_descr: 'Payment completed',
    input_coin: 'EUR',
    payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: '0.00031791594031399646551', coin_change: '52372.33459748911', total_price: '16.65' },
    creation_time: '2026-11-24T17:17:27.409Z',
    update_time: '2026-11-24T17:17:27.433Z',
    customer: { external_user_id: 'customer-42', name: 'Jürgen', surname: 'Müller', email: 'j.mueller@example.de' },
    products: [
      { product_name: 'Café crème', product_price: '3.2', product_amount: '2', product_id: 'sku-101', product_type: 'general' },
      { product_name: 'Käsebrötchen', product_price: '4.75', product_amount: '1', product_id: 'sku-102', product_type: 'general' },
      { product_name: '抹茶ラテ 🍵', product_price: '5.5', product_amount: '1', product_id: 'sku-103', product_type: 'general' },
    ],
    idempotency_key: '28423f40-ba0b-4708-a18e-15e3f9f32f7d/SUCCESS',
  });
});
