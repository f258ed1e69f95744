// The browser build cannot sign: its .wasm exports no signing function, contains no
// SHA-256 code, its glue has no client class, and its entry never imports the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from '../../pkg/src/browser.js';
import * as browserGlue from '../../pkg/dist/browser/coinbar_pay.js';
import * as serverGlue from '../../pkg/dist/server/coinbar_pay.js';
import { baseInput } from './helpers.js';

const dist = (flavor, file) => readFileSync(new URL(`../../pkg/dist/${flavor}/${file}`, import.meta.url));
const wasmExports = (flavor) => WebAssembly.Module.exports(new WebAssembly.Module(dist(flavor, 'coinbar_pay_bg.wasm'))).map((e) => e.name);
const SIGNING = /sign|hmac|secret|verify|signingclient|prepare/i;

// SHA-256 round constants K[0..3] and initial state H[0], as little-endian u32 (how they sit in wasm).
const le = (...words) => Buffer.from(new Uint32Array(words).buffer);
const SHA256_MARKERS = [le(0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5), le(0x6a09e667, 0xbb67ae85)];

test('browser .wasm exports no signing function (the server one does)', () => {
  const browser = wasmExports('browser');
  const server = wasmExports('server');
  assert.deepEqual(
    browser.filter((n) => SIGNING.test(n)),
    [],
  );
  assert.ok(server.includes('signing_client') && server.includes('signingclient_call'), 'control: the server build exports its client');
  assert.ok(browser.includes('call'), 'the secret-free dispatcher');
  // The glue exports no op enum any more (the codes live in the generated ops.js) and, in
  // the browser build, no client class.
  assert.equal(browserGlue.SigningClient, undefined);
  assert.equal(typeof serverGlue.SigningClient, 'function', 'control: the server glue has the client class');
});

test('browser .wasm holds no SHA-256 code (its constants are absent; present in the server build)', () => {
  const browser = dist('browser', 'coinbar_pay_bg.wasm');
  const server = dist('server', 'coinbar_pay_bg.wasm');
  for (const m of SHA256_MARKERS) {
    assert.equal(browser.indexOf(m), -1);
    assert.notEqual(server.indexOf(m), -1, 'control');
  }
});

test('browser glue and entry have no client, no signing, no key handling', () => {
  const glue = dist('browser', 'coinbar_pay.js').toString();
  assert.doesNotMatch(glue, /SigningClient|signingclient|sign\(|secret/i);
  const entry = readFileSync(new URL('../../pkg/src/browser.js', import.meta.url), 'utf8');
  // Follow the entry's relative imports: none reaches client.js or the server build.
  const seen = new Set();
  const walk = (url) => {
    if (seen.has(url.href)) return;
    seen.add(url.href);
    const code = readFileSync(url, 'utf8');
    for (const [, spec] of code.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) walk(new URL(spec, url));
  };
  walk(new URL('../../pkg/src/browser.js', import.meta.url));
  const files = [...seen].map((h) => h.split('/pkg/')[1]);
  assert.ok(!files.some((f) => /client\.js|dist\/server/.test(f)), files.join(', '));
  assert.doesNotMatch(entry, /CoinbarPay/);
});

test('the browser entry: a clear error before init(), then the same rules', async () => {
  assert.throws(
    () => api.cartTotal(baseInput().products),
    (e) => e instanceof api.CoinbarError && e.code === 'config' && /`await init\(\)` once before the first call/.test(e.message),
  );
  const ready = api.init();
  assert.equal(api.init(), ready, 'one load, however often init() is called');
  await ready;
  assert.equal(api.cartTotal(baseInput().products), '3.97');
  assert.deepEqual(api.validateInitiate(baseInput()), []);
  assert.equal(api.validateInitiate({ ...baseInput(), email: 'x' })[0].field, 'email');
  assert.equal(api.statusInfo('success').is_paid, true);
  assert.match(api.gatewayUrl({ serviceClientId: 'id' }, 'a+b/c=', 1), /requestToken=a%2Bb%2Fc%3D&serviceClientId=id&timestamp=1$/);
  assert.equal(
    api.parseInitiateResponse(
      200,
      '{"result":"success","request_token":"t","payment_id_coinbar":"p","payment_total_price":1.2,"trade_pair":"BTC/EUR","payment_string":"bitcoin:x","destination_coin_change":50000,"destination_amount":0.000024,"destination_address":"a","destination_memo":null}',
    ).destination_amount,
    '0.000024',
  );
});

test('the browser entry carries the .wasm deflated and base64-encoded: it inflates to the built module byte for byte', async () => {
  const { inflateSync } = await import('node:zlib');
  const { default: deflated } = await import('../../pkg/dist/browser/coinbar_pay_bg.wasm.deflate.js');
  assert.ok(inflateSync(Buffer.from(deflated, 'base64')).equals(dist('browser', 'coinbar_pay_bg.wasm')));
});
