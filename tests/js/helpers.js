// Shared test helpers: a seeded PRNG, generators of valid inputs with nasty strings, and
// the official signing recipe (node:crypto over JSON.stringify) as the independent oracle.
import { createHmac } from 'node:crypto';
import { mulberry32 } from '../lib/rng.mjs';

/** A seeded PRNG (mulberry32) with helpers, so generated cases are reproducible. */
export function rng(seed) {
  const next = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (arr) => arr[int(0, arr.length - 1)];
  return { next, int, pick, bool: (p = 0.5) => next() < p };
}

/** The official recipe from Coinbar's docs. */
export const officialSignature = (secret, obj) => createHmac('sha256', secret).update(JSON.stringify(obj)).digest('hex');

export const NASTY_STRINGS = [
  'plain',
  'quote " and backslash \\ and both \\"',
  '</script><script>alert(1)</script>',
  'control \u0000\u0001\u0007\b\f\n\r\t\u000b\u001f end',
  'del \u007f and nbsp \u00a0 and line sep \u2028 para \u2029',
  'émoji 🎉👩‍👩‍👧 flags 🇮🇹 ZWJ',
  '漢字かなカナ한국어العربيةעברית',
  'astral 𝄞 𐍈 \u{1F4A9}',
  'slash / and unicode escape-looking \\u0041 text',
  ' leading and trailing spaces ',
  'json-ish {"a":[1,2]}',
  'combining e\u0301 and bom \ufeff',
];

const CODE_POINT_RANGES = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0x7f, 0xff],
  [0x100, 0x17f],
  [0x370, 0x3ff],
  [0x2000, 0x206f],
  [0x4e00, 0x4fff],
  [0xac00, 0xacff],
  [0xe000, 0xe0ff],
  [0x1f300, 0x1f6ff],
  [0x10000, 0x100ff],
];

/** A random valid (well-formed) Unicode string of 1..max code points. */
export function randomText(r, max) {
  if (r.bool(0.15)) return r.pick(NASTY_STRINGS).slice(0, max) || 'x';
  const n = r.int(1, max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = r.pick(CODE_POINT_RANGES);
    s += String.fromCodePoint(r.int(lo, hi));
  }
  return s;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';

/** A random price as the merchant might give it, and its exact decimal text. */
export function randomPrice(r) {
  const intDigits = r.int(0, 12);
  const fracDigits = r.int(0, Math.min(8, 15 - Math.max(intDigits, 1)));
  let int = intDigits === 0 ? '0' : String(r.int(1, 9));
  for (let i = 1; i < intDigits; i++) int += r.int(0, 9);
  let frac = '';
  for (let i = 0; i < fracDigits; i++) frac += r.int(0, 9);
  if (r.bool(0.1)) {
    int = '0';
    frac = '0'.repeat(r.int(5, 7)) + String(r.int(1, 9));
  } // 1e-7-style prices
  let text = frac ? `${int}.${frac}` : int;
  if (Number(text) === 0) text = '1.5';
  const asString = r.bool(0.4);
  if (asString && frac && r.bool(0.3)) text += '0'; // "2.50" style trailing zero
  return asString ? text : Number(text);
}

/** A random valid initiate input and the secret to sign it with. */
export function randomCase(r) {
  const products = [];
  for (let i = 0, n = r.int(1, 6); i < n; i++) {
    products.push({
      product_name: randomText(r, 40),
      product_price: randomPrice(r),
      product_amount: r.bool(0.2) ? String(r.int(1, 1000)) : r.pick([1, 2, 3, 10, r.int(1, 1_000_000_000)]),
      product_id: randomText(r, 20),
      product_type: r.pick(['general', 'digital', 'service', randomText(r, 10)]),
    });
  }
  let id = '';
  for (let i = 0, n = r.int(1, 40); i < n; i++) id += r.pick([...ID_CHARS]);
  const input = {
    payment_request_id: id,
    input_coin: r.pick(['EUR', 'GBP', 'USD']),
    products,
    email: `${r.pick(['jane', 'j.doe+shop', 'x_y'])}${r.int(0, 999)}@${r.pick(['example.com', 'mail.example.co.uk', 'ex-ample.io'])}`,
    user_id: randomText(r, 30),
    destination_coin: r.pick(['BTC', 'ETH', 'USDT', 'XDB', 'XRP']),
  };
  if (r.bool(0.6)) input.name = randomText(r, 30);
  if (r.bool(0.6)) input.surname = randomText(r, 30);
  if (r.bool(0.7)) input.timestamp = r.int(1_000_000_000_000, 9_999_999_999_999);
  // Keys in a random order: the body's order must not depend on the caller's.
  const shuffled = Object.fromEntries(Object.entries(input).sort(() => r.next() - 0.5));
  const secret = r.pick(['sk', 'a'.repeat(64), 'b'.repeat(65), 'ünïcödé-secret-🔑', randomText(r, 100)]);
  return { input: shuffled, secret };
}

/** The request object as the docs define it, built independently of the SDK. */
export function canonicalBody(serviceClientId, input, timestamp) {
  const body = {
    service_client_id: serviceClientId,
    payment_request_id: input.payment_request_id,
    input_coin: input.input_coin,
    products: input.products.map((p) => ({
      product_name: p.product_name,
      product_price: Number(p.product_price),
      product_amount: Number(p.product_amount),
      product_id: p.product_id,
      product_type: p.product_type,
    })),
    email: input.email,
  };
  if (input.surname != null) body.surname = input.surname;
  if (input.name != null) body.name = input.name;
  body.user_id = input.user_id;
  body.timestamp = input.timestamp ?? timestamp;
  if (input.destination_coin != null) body.destination_coin = input.destination_coin;
  return body;
}

/** A valid input to start from. */
export const baseInput = () => ({
  payment_request_id: 'order-1001',
  input_coin: 'EUR',
  products: [
    { product_name: 'Product 1', product_price: 1.99, product_amount: 1, product_id: 'id1', product_type: 'general' },
    { product_name: 'Product 2', product_price: 0.99, product_amount: 2, product_id: 'id2', product_type: 'general' },
  ],
  email: 'jane@example.com',
  name: 'Jane',
  surname: 'Doe',
  user_id: 'user-42',
  timestamp: 1715430961064,
  destination_coin: 'BTC',
});

/**
 * A CallbackStore for tests that records its calls and exposes its rows: one process, its
 * claims kept in a Map (a real backend keeps them in its database, see docs/callbacks.md; the
 * package's memoryStore() is the same contract without the spying). `claim` is atomic because
 * it is synchronous; renew / complete / release act only for the token that holds the claim.
 */
export function memoryCallbackStore({ now = () => Date.now() } = {}) {
  const rows = new Map(); // key -> { state: 'claimed' | 'released' | 'done', token, leaseUntil }
  const calls = [];
  const owned = (key, token) => rows.get(key)?.state === 'claimed' && rows.get(key).token === token;
  return {
    rows,
    calls,
    claim(key, token, leaseMs) {
      calls.push(['claim', key, token]);
      const row = rows.get(key);
      if (row?.state === 'done') return 'done';
      if (row?.state === 'claimed' && row.leaseUntil > now()) return 'busy';
      rows.set(key, { state: 'claimed', token, leaseUntil: now() + leaseMs });
      return 'claimed';
    },
    renew(key, token, leaseMs) {
      calls.push(['renew', key, token]);
      if (!owned(key, token)) return false;
      rows.get(key).leaseUntil = now() + leaseMs;
      return true;
    },
    complete(key, token) {
      calls.push(['complete', key, token]);
      if (owned(key, token)) rows.get(key).state = 'done';
    },
    release(key, token) {
      calls.push(['release', key, token]);
      if (owned(key, token)) rows.get(key).state = 'released';
    },
  };
}
