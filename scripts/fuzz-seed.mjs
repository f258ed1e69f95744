#!/usr/bin/env node
// Seeds the fuzz corpora and writes V8's JSON.stringify cases.
//
//   node scripts/fuzz-seed.mjs          rewrite fuzz/node/json_stringify.json and every
//                                       fuzz/corpus/<target>/seed-* file
//   node scripts/fuzz-seed.mjs --check  exit 1 if any of them is missing or differs
//
// 1. fuzz/node/json_stringify.json: what V8's JSON.stringify prints for tricky strings
//    (controls, quotes, U+2028, astral pairs), strings with lone UTF-16 surrogates, doubles
//    (edge values and random bit patterns) and prices (String(Number(text))). The stable test
//    tests/fuzz_regressions.rs checks the SDK's writer and the references in fuzz/checks.rs
//    (which the fuzz targets trust) against these outputs.
// 2. Seed inputs for every fuzz target, in each target's input format (fuzz/checks.rs), from
//    tests/vectors.json (inputs, totals, Coinbar answers, callbacks) and from the cases above.
//    Seeds are named seed-<hash>; other corpus files (minimized fuzzing finds) are left alone.
//
// Deterministic: a seeded PRNG, no clock.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FUZZ = join(ROOT, 'fuzz');
const CHECK = process.argv.includes('--check');

/** mulberry32 */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: (arr) => arr[int(0, arr.length - 1)], bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255))) };
}
const r = rng(0xc0ffee);

const units = (s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
const bitsOf = (x) => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0).toString(16).padStart(16, '0');
};
const leBytesOf = (x) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
};

// ---- 1. V8's JSON.stringify cases ------------------------------------------------------

const RANGES = [[0x20, 0x7e], [0x00, 0x1f], [0x7f, 0xff], [0x2000, 0x206f], [0x4e00, 0x4fff], [0xe000, 0xe0ff], [0xfff0, 0xfffe], [0x1f300, 0x1f6ff], [0x10000, 0x10ffff]];
const randomString = (n) => {
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = r.pick(RANGES);
    s += String.fromCodePoint(r.int(lo, hi));
  }
  return s;
};

const wellFormed = [
  '',
  'plain',
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f',
  'quote " backslash \\ both \\" slash / </script>',
  '\b\f\n\r\t\u000b',
  'line sep \u2028 para \u2029 nbsp \u00a0 bom \ufeff nonchar \ufffe',
  'émoji 🎉👩‍👩‍👧 flags 🇮🇹 astral 𝄞 \u{10ffff}',
  '漢字かなカナ한국어العربيةעברית',
  'escape-looking \\u0041 \\ud800 text',
  'json-ish {"a":[1,2]}',
];
for (let i = 0; i < 40; i++) wellFormed.push(randomString(r.int(1, 24)));

const lone = [
  '\ud800',
  '\udfff',
  'a\udc00b',
  '\ud800\ud800\udc00',
  '\udc00\ud800',
  '\ud83d\ude00\ud83d',
  'x\\ud800',
  '\\\ud800',
  '\udbff\udfff\udbff',
];
for (let i = 0; i < 20; i++) {
  let s = randomString(r.int(0, 6));
  const at = r.int(0, s.length);
  const unit = r.int(0, 1) ? r.int(0xd800, 0xdbff) : r.int(0xdc00, 0xdfff);
  s = s.slice(0, at) + String.fromCharCode(unit) + s.slice(at);
  lone.push(s);
}

const numbers = [
  0, -0, 1, -1, 0.1, 0.2, 0.1 + 0.2, 2.5, 1e21, 1e20, 1e-7, 1e-6, 1.5e-7, 123e-20, 5e-324, Number.MIN_VALUE,
  Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 4.35, 1.005, 1234567890123456789, 100, 1e300, -1e-300,
  123456789012345680000, 0.000001, 999999999999.99, 52372.33459748911, NaN, Infinity, -Infinity,
];
for (let i = 0; i < 40; i++) {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setUint32(0, r.int(0, 0xffffffff));
  dv.setUint32(4, r.int(0, 0xffffffff));
  numbers.push(dv.getFloat64(0));
}
for (let i = 0; i < 20; i++) numbers.push(Number((r.next() * 10 ** r.int(-10, 25)).toPrecision(r.int(1, 17))));

/** A price text within the rules: ≤ 12 integer digits, ≤ 8 decimals, ≤ 15 significant digits. */
const randomPriceText = () => {
  const frac = r.int(0, 8);
  const int = r.int(0, Math.min(12, 15 - frac));
  let t = int === 0 ? '0' : String(r.int(1, 9));
  for (let i = 1; i < int; i++) t += r.int(0, 9);
  if (frac > 0) {
    t += '.';
    for (let i = 0; i < frac; i++) t += r.int(0, 9);
  }
  return t;
};
const decimals = ['0', '0.0000001', '0.00000001', '0.00000012', '0.000001', '2.50', '1.1', '999999999999.999', '123456789012.345', '100000000000', '99999999.99999999', '0.1', '3.97'];
for (let i = 0; i < 60; i++) decimals.push(randomPriceText());

const cases = {
  comment: 'Generated by node scripts/fuzz-seed.mjs: V8 JSON.stringify output. Strings as UTF-16 code units, doubles as IEEE-754 bits (hex).',
  strings: wellFormed.map((s) => ({ units: units(s), json: JSON.stringify(s) })),
  lone: lone.map((s) => ({ units: units(s), json: JSON.stringify(s) })),
  numbers: numbers.map((x) => ({ bits: bitsOf(x), json: JSON.stringify(x) })),
  decimals: decimals.map((t) => ({ text: t, json: String(Number(t)) })),
};

// ---- 2. seeds --------------------------------------------------------------------------

const vectors = JSON.parse(readFileSync(join(ROOT, 'tests/vectors.json'), 'utf8'));
const seeds = new Map(); // target -> [Buffer]
const add = (target, ...parts) => {
  if (!seeds.has(target)) seeds.set(target, []);
  seeds.get(target).push(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p)))));
};
const byte = (b) => Buffer.from([b]);

// initiate_text: every input of the vectors, as JSON.stringify makes it.
for (const v of [...vectors.validation, ...vectors.signing]) if (v.input !== undefined) add('initiate_text', JSON.stringify(v.input));
add('initiate_text', JSON.stringify(vectors.sandbox.input));
add('initiate_text', JSON.stringify({ ...vectors.sandbox.input, name: 'x\ud800y' }));

// initiate_gen, cart_total (generated mode): byte strings of choices; all zeros is the
// plain valid input.
for (const n of [0, 16, 64, 256]) add('initiate_gen', Buffer.alloc(n));
for (let i = 0; i < 12; i++) add('initiate_gen', r.bytes(r.int(24, 400)));
for (const v of vectors.totals) add('cart_total', byte(0), JSON.stringify(v.products));
for (let i = 0; i < 8; i++) add('cart_total', byte(1 + (i % 3)), r.bytes(r.int(8, 120)));

// json_writer: mode 0 strings, 1 doubles, 2 integers, 3 records.
for (const s of wellFormed.slice(0, 24)) add('json_writer', byte(0), s);
for (const x of numbers.slice(0, 40)) add('json_writer', byte(1), leBytesOf(x));
for (let i = 0; i < 4; i++) add('json_writer', byte(2), r.bytes(8));
for (let i = 0; i < 6; i++) add('json_writer', byte(3), r.bytes(r.int(20, 160)));

// surrogates: mode 0/1 UTF-16LE code units (1 = inside an object with a decoy), 2 raw text.
const utf16le = (s) => Buffer.from(units(s).flatMap((u) => [u & 0xff, u >> 8]));
for (const s of lone.slice(0, 14)) add('surrogates', byte(0), utf16le(s));
for (const s of lone.slice(0, 6)) add('surrogates', byte(1), utf16le(s));
for (const s of lone.slice(0, 8)) add('surrogates', byte(2), JSON.stringify({ k: s, a: [s, 'x\\ud800'] }));
add('surrogates', byte(2), '"\\ud80"');
add('surrogates', byte(2), '"\\uD83D\\uDE00\\\\ud800\\u+d80"');

// money: 0 parse_plain, 1 parse_json_number, 2 decimal_text (texts); 3 arithmetic, 4 price
// formatting (bytes).
const amounts = new Set(['0', '-0', '007', '3.97', '2.50', '0.00045145423250897323', '79228162514264337593543950335', '79228162514264337593543950336',
  '7.9228162514264337593543950335', '0.0000000000000000000000000001', '0.00000000000000000000000000001', '1e-28', '1e-29', '1.5e-29', '1e28', '1e29',
  '2.4e-5', '1E+400', '1e-400', '0e999999', '-1.5E+3', '123456789012345678901234567890', '1_000', '1_0e2', '0x10', ' 1', '1 ', '1e', 'e1', '.5e1',
  '+1e5', '1.e5', '1e+', '--1', '1..2', 'NaN', 'Infinity', '１２']);
for (const v of [...vectors.responses.map((x) => x.body), ...vectors.callbacks.map((x) => x.body)]) {
  for (const m of String(v).matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)) amounts.add(m[0]);
}
for (const t of [...amounts].slice(0, 45)) {
  add('money', byte(0), t);
  add('money', byte(1), t);
  add('money', byte(2), t);
}
for (let i = 0; i < 10; i++) add('money', byte(3), r.bytes(28));
for (let i = 0; i < 6; i++) add('money', byte(4), r.bytes(20));

// Response parsers: status byte (below 0xE0 = 200; 0xE0 + i picks a status from the list in
// checks.rs) then the body.
const STATUSES = [200, 201, 204, 299, 300, 302, 400, 401, 404, 409, 429, 500, 502, 503, 0, 199, 999];
const statusByte = (s) => (s === 200 ? 0 : 0xe0 + STATUSES.indexOf(s));
const target = { initiate: 'response_initiate', request: 'response_initiate', status: 'response_status', quotes: 'response_quotes', report: 'response_report' };
for (const v of vectors.responses) add(target[v.call], byte(statusByte(v.status)), v.body);
const detail = { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: 1, coin_change: 52372.33459748911, total_price: 3.97 };
const statusBody = { payment_id_coinbar: 'p-1', payment_request_id_client: 'order-1', service_client_id: 'c', status: 'CREATED', payment_detail: detail, input_coin: 'EUR', creation_time: '2024-05-11T12:00:00.000Z', update_time: '2024-05-11T12:00:00.000Z', status_descr: 'Waiting for payment' };
const raw = (obj, key, text) => JSON.stringify(obj).replace(`"${key}":1`, `"${key}":${text}`);
add('response_status', byte(0), raw(statusBody, 'destination_amount', '0.000075803380363157115201'));
add('response_status', byte(0), JSON.stringify({ ...statusBody, status: 'cancelled', payment_detail: null, creation_time: { $date: 1715430961064 } }));
add('response_status', byte(0xe0 + STATUSES.indexOf(404)), '{"result":false,"error":"Not Found"}');
add('response_report', byte(0), JSON.stringify({
  ...statusBody, status: 'SUCCESS',
  customer: { external_user_id: 'u', name: 'J', surname: 'D', email: 'j@example.com', post_balance: '0' },
  products: [{ product_name: 'Tea', product_price: 3.5, product_amount: 2, product_id: 't', product_type: 'g' }],
  payment_detail: { transaction_id: 'tx', type: 'payment', wallet_origin: 'w', coin: 'BTC', pair: 'BTC/EUR', amount_crypto: 1e-7, timestamp: { $date: '2024-05-11T12:16:01.064Z' }, coin_price: 52372.33459748911, total_price: 7, transaction_timeout_date: { $date: 1715430961064 }, payment_string: 'bitcoin:x?amount=1' },
  urlcallback: null, market_data: { current_change: 52372.33459748911 }, creation_time: { $date: '2024-05-11T12:00:00Z' },
}));
add('response_report', byte(0), JSON.stringify({ status: 'PENDING', payment_detail: null, customer: null, products: null }));
add('response_report', byte(0xe0 + STATUSES.indexOf(502)), '<html><body>502 Bad Gateway</body></html>');
add('response_initiate', byte(0), '{"result":"success","request_token":"kPYGrO0PgCpnj3Q8Nq2ZsNMT/o9l+45LVX9iI2OOe9wlxg==","payment_id_coinbar":"5f8804f7","payment_total_price":3.97,"trade_pair":"BTC/EUR","payment_string":"bitcoin:bc1q?amount=0.0000758","destination_coin_change":52372.33459748911,"destination_amount":0.000075803380363157115201,"destination_address":"bc1q","destination_memo":""}');
add('response_initiate', byte(0), '{"result":"success","request_token":"WlpZ+ab/cd==","payment_id_coinbar":"p"}');
add('response_initiate', byte(0xe0 + STATUSES.indexOf(429)), '{"result":false,"error":"Api RATE exceeded"}');
add('response_quotes', byte(0), '{"result":true,"data":[{"code":"BTC","name":"Bitcoin","conversion_fiat":"EUR","conversion_rate":52372.33459748911},{"code":"XDB","conversion_fiat":"GBP","conversion_rate":"1.348E-2"}]}');
add('response_quotes', byte(0), '{"result":true,"data":[]}');

// callback: mode byte, flip position, body.
for (const [i, v] of vectors.callbacks.entries()) add('callback', byte(i), byte(i * 7), v.body);

// ---- write or check --------------------------------------------------------------------

const expected = new Map(); // relative path -> Buffer
expected.set('node/json_stringify.json', Buffer.from(`${JSON.stringify(cases, null, 1)}\n`));
for (const [t, list] of seeds) {
  for (const data of list) {
    const name = `seed-${createHash('sha1').update(data).digest('hex').slice(0, 16)}`;
    expected.set(`corpus/${t}/${name}`, data);
  }
}

let problems = 0;
const present = new Set();
for (const t of seeds.keys()) {
  const dir = join(FUZZ, 'corpus', t);
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith('seed-')) present.add(`corpus/${t}/${f}`);
}
if (CHECK) {
  for (const [rel, data] of expected) {
    const path = join(FUZZ, rel);
    if (!existsSync(path) || !readFileSync(path).equals(data)) {
      console.error(`fuzz-seed: ${rel} is missing or differs`);
      problems++;
    }
  }
  for (const rel of present) {
    if (!expected.has(rel)) {
      console.error(`fuzz-seed: ${rel} is not a current seed`);
      problems++;
    }
  }
  if (problems) {
    console.error('fuzz-seed: run node scripts/fuzz-seed.mjs');
    process.exit(1);
  }
  console.log(`fuzz-seed: ${expected.size} files up to date`);
} else {
  for (const rel of present) if (!expected.has(rel)) rmSync(join(FUZZ, rel));
  for (const [rel, data] of expected) {
    mkdirSync(dirname(join(FUZZ, rel)), { recursive: true });
    writeFileSync(join(FUZZ, rel), data);
  }
  const counts = [...seeds].map(([t, l]) => `${t} ${new Set(l.map((b) => b.toString('hex'))).size}`).join(', ');
  console.log(`fuzz-seed: wrote fuzz/node/json_stringify.json and seeds: ${counts}`);
}
