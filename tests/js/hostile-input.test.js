// Hostile input to the public API: oversized text and bytes refused before they reach wasm
// memory, big strings signed in chunks without splitting a character, loopback-only http://,
// typed arrays that lie about their length, a polluted Object.prototype, and every public
// function failing with a CoinbarError of the right code in bounded time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
// The unbundled Node entry shares this glue module (so the wasm instance) with the test,
// which reads the instance's memory size.
import * as sdk from '../../pkg/src/node.js';
import * as glue from '../../pkg/dist/server/coinbar_pay.js';
import { baseInput, canonicalBody, officialSignature } from './helpers.js';

const { CoinbarPay, CoinbarError } = sdk;
const SECRET = 'hostile-input-secret';
const OPTIONS = { serviceClientId: 'cid', secretKey: SECRET, baseUrl: 'http://127.0.0.1:9/api', timeoutMs: 2000, maxRetries: 0 };
const wasmBytes = () => glue.initSync().memory.buffer.byteLength;
const hmac = (data) => createHmac('sha256', SECRET).update(data).digest('hex');
const isCoinbar = (code) => (e) => e instanceof CoinbarError && (code === undefined || e.code === code);

function knownVectorSigns(client) {
  const input = baseInput();
  const body = canonicalBody('cid', input, input.timestamp);
  assert.equal(client.prepareInitiate(input).headers.SIGNATURE, officialSignature(SECRET, body));
}

test('oversized text and bytes are refused before they are copied into wasm memory (64 MiB grows it < 4 MiB)', async () => {
  const client = new CoinbarPay(OPTIONS);
  const MiB64 = 64 * 1024 * 1024;
  const text = '{'.padEnd(MiB64, ' ');
  const bytes = Buffer.alloc(MiB64, 0x20);
  const headers = { 'cbpay-api-key': 'cid', signature: 'ab'.repeat(32) };
  // An answer that big from "Coinbar": the client must not read it into the core either.
  const hugeAnswer = new CoinbarPay({ ...OPTIONS, fetch: async () => new Response(text, { status: 200 }) });
  const before = wasmBytes();
  const refused = [
    ['verifyCallback(bytes)', () => client.verifyCallback(bytes, headers), 'signature'],
    ['verifyCallback(string)', () => client.verifyCallback(text, headers), 'signature'],
    ['verifyCallback(ArrayBuffer)', () => client.verifyCallback(bytes.buffer.slice(0, MiB64), headers), 'signature'],
    ['parsePaymentStatus', () => sdk.parsePaymentStatus(200, text), 'decode'],
    ['parseInitiateResponse', () => sdk.parseInitiateResponse(200, text), 'decode'],
    ['parseQuotes', () => sdk.parseQuotes(200, text), 'decode'],
    ['parseReport', () => sdk.parseReport(200, text), 'decode'],
    ['statusInfo', () => sdk.statusInfo(text), 'validation'],
    ['gatewayUrl', () => sdk.gatewayUrl({ serviceClientId: 'cid' }, text, 1), 'validation'],
    ['client.gatewayUrl', () => client.gatewayUrl(text, 1), 'validation'],
    ['convertAmount', () => sdk.convertAmount(text, '1'), 'validation'],
    ['cartTotal', () => sdk.cartTotal([{ product_name: text }]), 'validation'],
    [
      'validateInitiate',
      () => {
        const errors = sdk.validateInitiate({ ...baseInput(), name: text });
        if (errors.length) throw new CoinbarError('validation', errors[0].message);
      },
      'validation',
    ],
    ['prepareInitiate', () => client.prepareInitiate({ ...baseInput(), name: text }), 'validation'],
    ['prepareRequest', () => client.prepareRequest({ ...baseInput(), name: text }), 'validation'],
  ];
  for (const [name, fn, code] of refused) assert.throws(fn, isCoinbar(code), name);
  const rejected = [
    ['paymentStatus', () => client.paymentStatus(text), 'validation'],
    ['report', () => client.report(text), 'validation'],
    ['quotes', () => client.quotes(text), 'validation'],
    ['initiate answered with 64 MiB', () => hugeAnswer.initiate(baseInput()), 'decode'],
    ['paymentStatus answered with 64 MiB', () => hugeAnswer.paymentStatus('order-1'), 'decode'],
  ];
  for (const [name, fn, code] of rejected) await assert.rejects(fn(), isCoinbar(code), name);
  // sign() takes any size, in chunks: right, and without growing memory.
  assert.equal(client.sign(bytes), hmac(bytes), 'sign(64 MiB bytes)');
  assert.equal(client.sign(text), hmac(text), 'sign(64 MiB string)');
  const grown = wasmBytes() - before;
  console.log(`wasm memory growth after ${refused.length + rejected.length + 2} calls with 64 MiB inputs: ${grown} bytes`);
  assert.ok(grown < 4 * 1024 * 1024, `wasm memory grew by ${grown} bytes`);
  knownVectorSigns(client);
});

test('sign() of big strings splits at chunk edges without breaking surrogate pairs', () => {
  const client = new CoinbarPay(OPTIONS);
  for (const text of ['a'.repeat(16 * 1024 - 1) + '🍵'.repeat(5000), '🍵'.repeat(40_000), 'x\ud800'.repeat(20_000), 'é'.repeat(100_000)]) {
    assert.equal(client.sign(text), hmac(Buffer.from(text, 'utf8')), `${text.length} chars`);
  }
});

test('http:// is only for real loopback hosts: the host is parsed, not prefix-matched', () => {
  for (const baseUrl of ['http://127.attacker.example/api', 'http://127.0.0.1.nip.io/x', 'http://localhost.evil.com/x', 'http://127.0.0.1@evil.example/x']) {
    assert.throws(
      () => new CoinbarPay({ ...OPTIONS, baseUrl }),
      (e) => isCoinbar('config')(e) && e.message.startsWith('baseUrl:'),
      baseUrl,
    );
  }
  for (const baseUrl of ['http://localhost:8790/x', 'http://127.0.0.1/x', 'http://127.9.9.9:1/x', 'http://[::1]:80/x']) {
    assert.equal(new CoinbarPay({ ...OPTIONS, baseUrl }).config.baseUrl, baseUrl.replace(/\/$/, ''));
  }
});

test('a typed array that lies about its length is read by its real length, and breaks nothing', () => {
  class Liar extends Uint8Array {
    get length() {
      return 1;
    }
    get byteLength() {
      return 1;
    }
  }
  const liar = new Liar(4096).fill(0x61);
  const real = Buffer.alloc(4096, 0x61);
  const existing = new CoinbarPay(OPTIONS);
  assert.equal(existing.sign(liar), hmac(real));
  const body = JSON.stringify({ x: 'a'.repeat(100) });
  const lyingBody = Liar.from(Buffer.from(body));
  assert.throws(() => existing.verifyCallback(lyingBody, { 'cbpay-api-key': 'cid', signature: hmac(Buffer.from(body)) }), isCoinbar('decode'), 'the whole body was verified (signature ok), then read');
  const lyingKey = Liar.from(Buffer.from(SECRET));
  const keyed = new CoinbarPay({ ...OPTIONS, secretKey: lyingKey });
  knownVectorSigns(keyed);
  // Every client, old and new, still signs right.
  knownVectorSigns(existing);
  knownVectorSigns(new CoinbarPay(OPTIONS));
  for (let i = 0; i < 50; i++) assert.equal(existing.sign(liar), hmac(real));
});

test('options are read as own properties only: a polluted Object.prototype sets nothing', async () => {
  const polluted = {
    secretKey: 'polluted-key',
    fetch: async () => new Response('{}'),
    baseUrl: 'http://127.0.0.1:1/evil',
    allowBrowser: true,
    timeoutMs: 1,
    COINBAR_SECRET_KEY: 'polluted-key',
    COINBAR_BASE_URL: 'http://127.0.0.1:1/evil',
  };
  try {
    Object.assign(Object.prototype, polluted);
    assert.throws(
      () => new CoinbarPay({ serviceClientId: 'cid', baseUrl: 'http://127.0.0.1:9/api' }),
      (e) => isCoinbar('config')(e) && /secretKey: is required/.test(e.message),
    );
    assert.throws(
      () => CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'cid' }),
      (e) => isCoinbar('config')(e) && /secretKey/.test(e.message),
    );
    const c = new CoinbarPay({ serviceClientId: 'cid', secretKey: SECRET });
    assert.equal(c.config.baseUrl, 'https://sandbox.coinbar.io/coinbar/api/v2', 'inherited baseUrl ignored');
    assert.equal(c.config.timeoutMs, 30000, 'inherited timeoutMs ignored');
    knownVectorSigns(new CoinbarPay({ serviceClientId: 'cid', secretKey: SECRET, baseUrl: 'http://127.0.0.1:9/api' }));
  } finally {
    for (const k of Object.keys(polluted)) delete Object.prototype[k];
  }
});

test('every public function fails with a CoinbarError of the right code, in bounded time', async () => {
  const client = new CoinbarPay(OPTIONS);
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('proxy trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      has() {
        throw new Error('has trap');
      },
      getOwnPropertyDescriptor() {
        throw new Error('gopd trap');
      },
    },
  );
  const body = '{"a":1}';
  const sync = [
    ['handleCallback options null', null],
    ['headers as a throwing Proxy', () => client.verifyCallback(body, throwing), 'validation'],
    ['env as a throwing Proxy', () => CoinbarPay.fromEnv(throwing), 'config'],
    ['options as a throwing Proxy', () => new CoinbarPay(throwing), 'config'],
    ['gatewayUrl options as a throwing Proxy', () => sdk.gatewayUrl(throwing, 't'), 'config'],
    ['Symbol timestamp', () => client.gatewayUrl('t', Symbol('t')), 'validation'],
    ['object timestamp', () => client.gatewayUrl('t', { valueOf: () => 1 }), 'validation'],
    ['BigInt timestamp', () => client.gatewayUrl('t', 10n), 'validation'],
    ['free gatewayUrl, Symbol timestamp', () => sdk.gatewayUrl({ serviceClientId: 'cid' }, 't', Symbol('t')), 'validation'],
    ['free gatewayUrl, BigInt timestamp', () => sdk.gatewayUrl({ serviceClientId: 'cid' }, 't', 10n), 'validation'],
    ['statusInfo(Symbol)', () => sdk.statusInfo(Symbol('s')), 'validation'],
    ['sign(number)', () => client.sign(42), 'validation'],
    ['sign(Proxy)', () => client.sign(throwing), 'validation'],
    ['on(unknown event)', () => client.on('nope', () => {}), 'config'],
    ['on(request, not a function)', () => client.on('request', 1), 'config'],
    ['parsePaymentStatus(bad status)', () => sdk.parsePaymentStatus(Symbol('s'), '{}'), 'validation'],
  ];
  for (const [name, fn, code] of sync) {
    if (!fn) continue;
    assert.throws(fn, isCoinbar(code), name);
  }
  const async = [
    ['handleCallback(body, headers, null)', () => client.handleCallback(body, {}, null), 'config'],
    ['handleCallback options as a throwing Proxy', () => client.handleCallback(body, {}, throwing), 'config'],
    ['initiate with a throwing-Proxy per-call options', () => client.initiate(baseInput(), throwing), 'config'],
    ['paymentStatus with an unknown per-call option', () => client.paymentStatus('o-1', { timeout: 5 }), 'config'],
    ['paymentStatus with a bad signal', () => client.paymentStatus('o-1', { signal: 'stop' }), 'config'],
  ];
  for (const [name, fn, code] of async) await assert.rejects(fn(), isCoinbar(code), name);
  // The free gatewayUrl with a 1,000,000-character token: refused by its 4,096 rule, at once.
  const token = 'A'.repeat(1_000_000);
  const t0 = performance.now();
  assert.throws(
    () => sdk.gatewayUrl({ serviceClientId: 'cid' }, token, 1),
    (e) => isCoinbar('validation')(e) && e.errors[0].field === 'requestToken',
  );
  assert.throws(() => client.gatewayUrl(token, 1), isCoinbar('validation'));
  const ms = performance.now() - t0;
  console.log(`gatewayUrl with a 1,000,000-character token: refused in ${ms.toFixed(2)} ms (two calls)`);
  assert.ok(ms < 200, `${ms} ms`);
  knownVectorSigns(client);
});
