// The secret key stays put: not readable from the client in any form, absent from every
// error, wiped from wasm memory (key bytes at once, key state on free()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
// The unbundled Node entry: it shares this glue module (and so the wasm instance) with the
// test, which reads that instance's memory. (`import 'coinbar-pay'` on Node gets the same code
// bundled into one file, dist/node.mjs, with its own instance.)
import { CoinbarPay, CoinbarError } from '../../pkg/src/node.js';
import * as glue from '../../pkg/dist/server/coinbar_pay.js';
import { baseInput } from './helpers.js';

const SECRET = 'SuperSecretKey-1234567890-abcdef';
// Same module instance as src/node.js's (same file URL): initSync hands back its exports.
const wasmMemory = () => new Uint8Array(glue.initSync().memory.buffer);
const newClient = (secretKey = SECRET) => new CoinbarPay({ serviceClientId: 'cid', secretKey, baseUrl: 'http://127.0.0.1:9/api', timeoutMs: 200 });

function count(haystack, needle) {
  let n = 0;
  for (let i = haystack.indexOf(needle[0]); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(needle[0], i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) n++;
  }
  return n;
}

// SHA-256 compression of one block from the initial state: the HMAC inner/outer midstates
// that the signer keeps. Written out here as an independent oracle for the memory search.
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
function midstate(block) {
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const w = new Uint32Array(64);
  for (let i = 0; i < 16; i++) w[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
    const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
  }
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  let [a, b, c, d, e, f, g, hh] = h;
  for (let i = 0; i < 64; i++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
  }
  const out = new Uint32Array(8);
  [a, b, c, d, e, f, g, hh].forEach((v, i) => (out[i] = (h[i] + v) >>> 0));
  return new Uint8Array(out.buffer); // little-endian words, as wasm stores [u32; 8]
}
const padded = (key, byte) => Uint8Array.from({ length: 64 }, (_, i) => (i < key.length ? key[i] : 0) ^ byte);

test('the raw key bytes are not in wasm memory, and the key state is wiped by free()', () => {
  const key = new TextEncoder().encode(SECRET);
  const inner = midstate(padded(key, 0x36));
  const outer = midstate(padded(key, 0x5c));
  assert.equal(count(wasmMemory(), inner), 0, 'no such state before the client exists');
  const c = newClient();
  for (let i = 0; i < 50; i++) {
    const input = baseInput();
    input.products = Array.from({ length: i + 1 }, () => input.products[i % 2]); // bodies of many sizes
    c.prepareInitiate(input);
  }
  assert.equal(count(wasmMemory(), key), 0, 'raw key bytes never stay in wasm memory');
  assert.ok(count(wasmMemory(), inner) >= 1, 'the search does find the live key state (inner midstate)');
  assert.ok(count(wasmMemory(), outer) >= 1, 'the search does find the live key state (outer midstate)');
  c.free();
  assert.equal(count(wasmMemory(), inner), 0, 'inner key state zeroized after free()');
  assert.equal(count(wasmMemory(), outer), 0, 'outer key state zeroized after free()');
  assert.throws(
    () => c.prepareInitiate(baseInput()),
    (e) => e instanceof CoinbarError && e.code === 'config' && /freed/.test(e.message),
  );
});

test('a streamed sign() (large input, signed in chunks) leaves no copy of the key state after free()', () => {
  const secret = 'StreamSecretKey-0987654321-fedcba';
  const key = new TextEncoder().encode(secret);
  const inner = midstate(padded(key, 0x36));
  const outer = midstate(padded(key, 0x5c));
  const c = newClient(secret);
  const big = 'x'.repeat(100_000); // over the 16 Ki-character scratch: SignBegin / SignUpdate / SignEnd
  assert.match(c.sign(big), /^[0-9a-f]{64}$/);
  assert.match(c.sign(new TextEncoder().encode(big)), /^[0-9a-f]{64}$/, 'bytes are streamed too');
  assert.equal(count(wasmMemory(), inner), 1, 'only the live signer holds the inner midstate (no stray copy from the stream)');
  assert.equal(count(wasmMemory(), outer), 1, 'only the live signer holds the outer midstate (no stray copy from the stream)');
  c.free();
  assert.equal(count(wasmMemory(), inner), 0, 'inner key state zeroized after free()');
  assert.equal(count(wasmMemory(), outer), 0, 'outer key state zeroized after free()');
});

test('Symbol.dispose frees the client (using-declarations)', () => {
  const key = new TextEncoder().encode('dispose-test-key');
  const inner = midstate(padded(key, 0x36));
  const c = newClient('dispose-test-key');
  assert.ok(count(wasmMemory(), inner) >= 1);
  c[Symbol.dispose]();
  assert.equal(count(wasmMemory(), inner), 0);
});

test('no string form, serialized form or property of the client reveals the secret', () => {
  const c = newClient();
  const forms = [
    JSON.stringify(c),
    String(c),
    `${c}`,
    inspect(c),
    inspect(c, { depth: Infinity, showHidden: true, getters: true }),
    inspect({ nested: { c } }, { depth: Infinity, showHidden: true }),
    JSON.stringify(Object.keys(c)),
    JSON.stringify(Object.getOwnPropertyNames(c)),
    JSON.stringify(Object.getOwnPropertySymbols(c).map(String)),
    JSON.stringify(c.config),
    JSON.stringify(Object.entries(Object.getOwnPropertyDescriptors(c))),
  ];
  for (const f of forms) {
    assert.ok(!f.includes(SECRET), f);
    assert.ok(!f.includes('SuperSecret'), f);
  }
  assert.equal(c.secretKey, undefined);
  assert.ok(!('secretKey' in c));
  // structuredClone copies own enumerable data only: the clone is an empty object.
  const clone = structuredClone(c);
  assert.deepEqual(Object.getOwnPropertyNames(clone), []);
  assert.ok(!JSON.stringify(clone).includes(SECRET));
  assert.equal(typeof clone.prepareInitiate, 'undefined');
});

test('no error from any failure path contains the secret', async () => {
  const errors = [];
  const grab = async (fn) => {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  };
  const c = newClient();
  await grab(() => c.prepareInitiate({ bad: SECRET }));
  await grab(() => c.prepareInitiate(null));
  await grab(() => c.initiate(baseInput())); // network error (nothing listens on port 9)
  await grab(() => new CoinbarPay({ serviceClientId: 'x', secretKey: SECRET, baseUrl: 'http://example.com' }));
  await grab(() => new CoinbarPay({ serviceClientId: `${SECRET} with space`, secretKey: SECRET }));
  await grab(() => new CoinbarPay({ serviceClientId: 'x', secret: SECRET })); // secret under a wrong key
  await grab(() => new CoinbarPay({ serviceClientId: 'x', secretKey: SECRET, timeoutMs: SECRET }));
  await grab(() => CoinbarPay.fromEnv({ COINBAR_SECRET_KEY: SECRET }));
  assert.equal(errors.length, 8);
  for (const e of errors) {
    assert.ok(e instanceof CoinbarError, String(e));
    const text = [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true })].join('\n');
    assert.ok(!text.includes(SECRET), text);
  }
});

test('a browser-like global refuses the secret unless allowBrowser: true', () => {
  globalThis.window = {};
  globalThis.document = {};
  try {
    assert.throws(
      () => newClient(),
      (e) => e instanceof CoinbarError && e.code === 'config' && /browser-like/.test(e.message) && /allowBrowser: true/.test(e.message) && !e.message.includes(SECRET),
    );
    const c = new CoinbarPay({ serviceClientId: 'cid', secretKey: SECRET, allowBrowser: true });
    assert.match(c.sign('x'), /^[0-9a-f]{64}$/);
    c.free();
    assert.throws(
      () => new CoinbarPay({ serviceClientId: 'cid', secretKey: SECRET, allowBrowser: 'yes' }),
      (e) => e.code === 'config',
    );
  } finally {
    delete globalThis.window;
    delete globalThis.document;
  }
  newClient().free(); // a server again
});

test('nothing the SDK does writes the secret to the console or stdout/stderr', async () => {
  const captured = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
  const saved = methods.map((m) => console[m]);
  const out = process.stdout.write;
  const err = process.stderr.write;
  methods.forEach((m) => (console[m] = (...a) => captured.push(a.map(String).join(' '))));
  process.stdout.write = (chunk, ...rest) => (captured.push(String(chunk)), out.call(process.stdout, chunk, ...rest));
  process.stderr.write = (chunk, ...rest) => (captured.push(String(chunk)), err.call(process.stderr, chunk, ...rest));
  try {
    const c = newClient();
    c.prepareInitiate(baseInput());
    c.sign('x');
    await c.initiate(baseInput()).catch(() => {});
    try {
      c.verifyCallback('{}', { 'cbpay-api-key': 'cid', signature: 'x' });
    } catch {
      /* expected */
    }
    try {
      c.prepareInitiate({ nope: SECRET });
    } catch {
      /* expected */
    }
    c.free();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]));
    process.stdout.write = out;
    process.stderr.write = err;
  }
  assert.ok(!captured.join('\n').includes(SECRET));
  assert.deepEqual(
    captured.filter((l) => /coinbar/i.test(l)),
    [],
    'the SDK logs nothing',
  );
});
