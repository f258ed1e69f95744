// No traps: thousands of hostile inputs to every export each end in a CoinbarError (or an
// error list), and afterwards the same instance still signs a known vector correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoinbarPay, CoinbarError, validateInitiate, cartTotal } from 'coinbar-pay';
import { rng, baseInput, officialSignature, canonicalBody } from './helpers.js';

const client = new CoinbarPay({ serviceClientId: 'cid', secretKey: 'notrap-secret', baseUrl: 'http://127.0.0.1:9/api' });

function knownVectorStillSigns() {
  const input = baseInput();
  const prepared = client.prepareInitiate(input);
  const expected = canonicalBody('cid', input, input.timestamp);
  assert.equal(prepared.body, JSON.stringify(expected));
  assert.equal(prepared.headers.SIGNATURE, officialSignature('notrap-secret', expected));
}

const deep = (n, leaf) => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = { products: [v] };
  return v;
};
const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('proxy trap');
    },
    ownKeys() {
      throw new Error('ownKeys trap');
    },
  },
);
const getterBomb = {
  get payment_request_id() {
    throw new Error('getter');
  },
};

// biome-ignore format: a table of hostile values, several per line
const SPECIAL = [
  // biome-ignore lint/correctness/noPrecisionLoss: 1e400 is Infinity on purpose (an overflowing literal is one of the hostile inputs)
  undefined, null, NaN, Infinity, -Infinity, -0, 0, 1e400, -1e400, 2 ** 53 + 1, Number.MAX_VALUE, Number.MIN_VALUE,
  '', ' ', 'x'.repeat(10 * 1024 * 1024), '\ud800', '\udfff\ud800', '\u0000', '🎉'.repeat(1000), true, false, 10n,
  Symbol('s'), () => {}, [], [[]], {}, new Date(0), /re/, new Map([[1, 2]]), new Uint8Array(4), Object.create(null),
  Object.freeze(baseInput()), throwingProxy, getterBomb, deep(100, 1), deep(5000, 1), { toJSON() { throw new Error('toJSON'); } },
  { toJSON() { return 'replaced'; } },
];

function hostileValue(r, depth = 0) {
  if (r.bool(0.4) || depth > 3) return r.pick(SPECIAL);
  if (r.bool(0.5)) {
    const input = baseInput();
    const keys = Object.keys(input);
    for (let i = 0, n = r.int(1, 3); i < n; i++) input[r.pick(keys)] = hostileValue(r, depth + 1);
    if (r.bool(0.5) && Array.isArray(input.products)) {
      const p = input.products[0];
      if (p && typeof p === 'object') p[r.pick(['product_name', 'product_price', 'product_amount', 'product_id', 'product_type'])] = hostileValue(r, depth + 1);
    }
    return input;
  }
  return Array.from({ length: r.int(0, 3) }, () => hostileValue(r, depth + 1));
}

const show = (v) => {
  try {
    return String(v).slice(0, 20);
  } catch {
    return typeof v;
  }
};

const expectCoinbarError = (fn, label) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CoinbarError, `${label}: threw ${e?.constructor?.name}: ${e?.message}`);
    assert.notEqual(e.code, 'internal', `${label}: ${e.message}`);
    return;
  }
};

test('thousands of hostile inputs: always a CoinbarError or an error list, never a trap', () => {
  const r = rng(7);
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    const v = hostileValue(r);
    const label = `case ${i}`;
    const list = validateInitiate(v);
    assert.ok(Array.isArray(list), label);
    for (const e of list) assert.ok(typeof e.field === 'string' && typeof e.message === 'string', label);
    try {
      client.prepareInitiate(v);
    } catch (e) {
      errors++;
      assert.ok(e instanceof CoinbarError && e.code === 'validation', `${label}: ${e}`);
      assert.ok(e.errors.length > 0, label);
    }
    expectCoinbarError(() => cartTotal(v), label);
    let products; // reading .products of a hostile value may itself throw: that is not the SDK
    try {
      products = v?.products;
    } catch {
      products = v;
    }
    expectCoinbarError(() => cartTotal(products), label);
  }
  assert.ok(errors > 2500, `most hostile inputs are rejected (${errors})`);
  knownVectorStillSigns();
});

test('every special value in every field position', () => {
  const fields = Object.keys(baseInput());
  const productFields = Object.keys(baseInput().products[0]);
  for (const special of SPECIAL) {
    for (const f of fields) {
      const input = baseInput();
      input[f] = special;
      expectCoinbarError(() => client.prepareInitiate(input), `${f}=${show(special)}`);
    }
    for (const f of productFields) {
      const input = baseInput();
      input.products[1][f] = special;
      expectCoinbarError(() => client.prepareInitiate(input), `products[1].${f}`);
    }
  }
  knownVectorStillSigns();
});

test('hostile constructor options are config errors', () => {
  for (const special of SPECIAL) {
    for (const key of ['serviceClientId', 'secretKey', 'environment', 'baseUrl', 'timeoutMs', 'maxRetries']) {
      const opts = { serviceClientId: 'cid', secretKey: 'k', [key]: special };
      try {
        new CoinbarPay(opts).free();
      } catch (e) {
        assert.ok(e instanceof CoinbarError && e.code === 'config', `${key}=${show(special)}: ${e}`);
      }
    }
    expectCoinbarError(() => new CoinbarPay(special), 'options');
    expectCoinbarError(() => CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: special, COINBAR_SECRET_KEY: special }), 'env');
  }
  knownVectorStillSigns();
});
