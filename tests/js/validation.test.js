// Validation before anything is sent: every rule names its field, prepareInitiate throws a
// CoinbarError('validation') with the same list that validateInitiate returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoinbarPay, CoinbarError, validateInitiate, cartTotal } from 'coinbar-pay';
import { baseInput } from './helpers.js';

const client = new CoinbarPay({ serviceClientId: 'cid', secretKey: 'k', baseUrl: 'http://127.0.0.1:1/api' });

// [description, mutate(input), expected field, message fragment]
const RULES = [
  ['missing payment_request_id', (i) => delete i.payment_request_id, 'payment_request_id', 'is required'],
  ['empty payment_request_id', (i) => (i.payment_request_id = ''), 'payment_request_id', 'must not be empty'],
  ['payment_request_id with a slash (used in URLs)', (i) => (i.payment_request_id = 'a/b'), 'payment_request_id', 'may only contain'],
  ['overlong payment_request_id', (i) => (i.payment_request_id = 'x'.repeat(101)), 'payment_request_id', 'at most 100 characters'],
  ['missing input_coin', (i) => delete i.input_coin, 'input_coin', 'is required'],
  ['lower-case input_coin', (i) => (i.input_coin = 'eur'), 'input_coin', 'upper-case'],
  ['input_coin not a string', (i) => (i.input_coin = 978), 'input_coin', 'must be a string (got number)'],
  ['missing products', (i) => delete i.products, 'products', 'is required'],
  ['empty products', (i) => (i.products = []), 'products', 'at least one'],
  ['products not an array', (i) => (i.products = { a: 1 }), 'products', 'must be an array'],
  ['too many products', (i) => (i.products = Array(1001).fill(i.products[0])), 'products', 'at most 1000'],
  ['product line not an object', (i) => (i.products[1] = 'x'), 'products[1]', 'must be an object'],
  ['unknown product field', (i) => (i.products[0].qty = 1), 'products[0].qty', 'not a known field'],
  ['missing product_name', (i) => delete i.products[0].product_name, 'products[0].product_name', 'is required'],
  ['empty product_name', (i) => (i.products[0].product_name = ''), 'products[0].product_name', 'must not be empty'],
  ['overlong product_name', (i) => (i.products[0].product_name = 'n'.repeat(201)), 'products[0].product_name', 'at most 200'],
  ['negative price', (i) => (i.products[1].product_price = -1), 'products[1].product_price', 'must not be negative'],
  ['negative price string', (i) => (i.products[1].product_price = '-0.01'), 'products[1].product_price', 'must not be negative'],
  ['non-numeric price', (i) => (i.products[1].product_price = 'abc'), 'products[1].product_price', 'decimal number'],
  ['price with exponent string', (i) => (i.products[1].product_price = '1e3'), 'products[1].product_price', 'no exponent'],
  ['over-precise price', (i) => (i.products[1].product_price = '1.123456789'), 'products[1].product_price', 'more than 8 decimal places'],
  ['float-noise price', (i) => (i.products[1].product_price = 0.1 + 0.2), 'products[1].product_price', 'more than 8 decimal places'],
  ['too many significant digits', (i) => (i.products[1].product_price = '123456789012.1234'), 'products[1].product_price', 'significant digits'],
  ['price too large', (i) => (i.products[1].product_price = 1e12), 'products[1].product_price', 'less than 1000000000000'],
  ['NaN price', (i) => (i.products[1].product_price = NaN), 'products[1].product_price', 'NaN'],
  ['Infinity price', (i) => (i.products[1].product_price = Infinity), 'products[1].product_price', 'Infinity'],
  ['boolean price', (i) => (i.products[1].product_price = true), 'products[1].product_price', 'got boolean'],
  ['zero amount', (i) => (i.products[0].product_amount = 0), 'products[0].product_amount', 'whole number from 1'],
  ['negative amount', (i) => (i.products[0].product_amount = -2), 'products[0].product_amount', 'whole number from 1'],
  ['fractional amount', (i) => (i.products[0].product_amount = 1.5), 'products[0].product_amount', 'whole number'],
  ['amount above 2^53', (i) => (i.products[0].product_amount = 2 ** 53 + 2), 'products[0].product_amount', 'whole number from 1'],
  ['amount string not digits', (i) => (i.products[0].product_amount = '2x'), 'products[0].product_amount', 'whole number'],
  ['missing product_id', (i) => delete i.products[0].product_id, 'products[0].product_id', 'is required'],
  ['missing product_type', (i) => delete i.products[0].product_type, 'products[0].product_type', 'is required'],
  ['zero total', (i) => i.products.forEach((p) => (p.product_price = 0)), 'products', 'greater than 0'],
  ['missing email', (i) => delete i.email, 'email', 'is required'],
  ['malformed email', (i) => (i.email = 'jane.example.com'), 'email', 'e-mail address'],
  ['email without domain dot', (i) => (i.email = 'jane@localhost'), 'email', 'e-mail address'],
  ['email with space', (i) => (i.email = 'ja ne@example.com'), 'email', 'e-mail address'],
  ['overlong email', (i) => (i.email = `${'a'.repeat(250)}@example.com`), 'email', 'at most 254'],
  ['empty name', (i) => (i.name = ''), 'name', 'must not be empty'],
  ['name not a string', (i) => (i.name = 7), 'name', 'must be a string'],
  ['overlong surname', (i) => (i.surname = 's'.repeat(101)), 'surname', 'at most 100'],
  ['lone surrogate in name', (i) => (i.name = 'Jo\ud800'), 'name', 'unpaired UTF-16 surrogate'],
  ['missing user_id', (i) => delete i.user_id, 'user_id', 'is required'],
  ['fractional timestamp', (i) => (i.timestamp = 1715430961064.5), 'timestamp', 'whole number'],
  ['timestamp in seconds', (i) => (i.timestamp = 1715430961), 'timestamp', 'looks like seconds'],
  ['timestamp out of range', (i) => (i.timestamp = 1e14), 'timestamp', 'whole number from'],
  ['negative timestamp', (i) => (i.timestamp = -1), 'timestamp', 'whole number from'],
  ['timestamp as a date string', (i) => (i.timestamp = '2024-05-11'), 'timestamp', 'whole number'],
  ['missing destination_coin', (i) => delete i.destination_coin, 'destination_coin', 'is required'],
  ['lower-case destination_coin', (i) => (i.destination_coin = 'btc'), 'destination_coin', 'upper-case'],
  ['destination_coin with a symbol', (i) => (i.destination_coin = 'BTC!'), 'destination_coin', 'upper-case'],
  ['unknown top-level field (typo)', (i) => (i.destinaton_coin = 'BTC'), 'destinaton_coin', 'not a known field'],
  ['service_client_id that differs from the client', (i) => (i.service_client_id = 'other'), 'service_client_id', 'differs'],
];

for (const [name, mutate, field, fragment] of RULES) {
  test(`rule: ${name} -> ${field}`, () => {
    const input = baseInput();
    mutate(input);
    let thrown;
    try {
      client.prepareInitiate(input);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof CoinbarError, 'throws a CoinbarError');
    assert.ok(thrown instanceof Error);
    assert.equal(thrown.code, 'validation');
    const hit = thrown.errors.find((e) => e.field === field);
    assert.ok(hit, `expected an error on ${field}, got ${JSON.stringify(thrown.errors)}`);
    assert.ok(hit.message.includes(fragment), `${hit.message} should mention "${fragment}"`);
    assert.ok(thrown.message.startsWith('Invalid initiate input: '));
    if (field !== 'service_client_id') {
      // validateInitiate reports the same problem without throwing.
      assert.ok(validateInitiate(input).some((e) => e.field === field && e.message === hit.message));
    }
  });
}

test('a valid input has no errors', () => {
  assert.deepEqual(validateInitiate(baseInput()), []);
});

test('all problems are reported at once, with paths', () => {
  const errors = validateInitiate({ products: [{ product_price: 'x' }, 3], email: 'nope' });
  const fields = errors.map((e) => e.field);
  for (const f of ['payment_request_id', 'input_coin', 'products[0].product_name', 'products[0].product_price', 'products[1]', 'email', 'user_id', 'destination_coin']) {
    assert.ok(fields.includes(f), `${f} in ${fields}`);
  }
});

test('inputs that are not objects, or cannot become JSON, are validation errors on "input"', () => {
  const cyclic = baseInput();
  cyclic.self = cyclic;
  for (const bad of [undefined, null, 42, 'text', [], () => 1, cyclic, { a: 10n }]) {
    const errors = validateInitiate(bad);
    assert.equal(errors[0].field, 'input', String(bad));
    assert.throws(
      () => client.prepareInitiate(bad),
      (e) => e instanceof CoinbarError && e.code === 'validation' && e.errors[0].field === 'input',
    );
  }
});

test('cartTotal is exact', () => {
  assert.equal(cartTotal(baseInput().products), '3.97');
  const lines = Array.from({ length: 10 }, (_, i) => ({ product_name: `p${i}`, product_price: 0.1, product_amount: 1, product_id: `${i}`, product_type: 'g' }));
  assert.equal(cartTotal(lines), '1'); // 0.1 added ten times; the float sum is 0.9999999999999999
  assert.equal(cartTotal([{ product_name: 'a', product_price: '19.99', product_amount: '3', product_id: 'a', product_type: 'g' }]), '59.97');
  assert.equal(cartTotal([{ product_name: 'a', product_price: '0.00000001', product_amount: 1_000_000_000, product_id: 'a', product_type: 'g' }]), '10');
  assert.throws(
    () => cartTotal([{ product_name: 'a', product_price: -1, product_amount: 1, product_id: 'a', product_type: 'g' }]),
    (e) => e.code === 'validation' && e.errors[0].field === 'products[0].product_price',
  );
  assert.throws(
    () => cartTotal('nope'),
    (e) => e.code === 'validation' && e.errors[0].field === 'products',
  );
});
