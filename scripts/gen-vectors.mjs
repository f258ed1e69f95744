#!/usr/bin/env node
// Generate tests/vectors.json: the shared conformance vectors that the Rust tests
// (tests/vectors.rs) and every JavaScript runtime run (tests/runtimes/) check.
//
// The oracle is independent of the SDK: bodies are Coinbar's documented recipe
// (JSON.stringify of the request object, fields in the documented order), signatures are
// node:crypto's HMAC-SHA256, totals are BigInt decimal arithmetic, gateway URLs are
// encodeURIComponent (plus the four characters it leaves alone that RFC 3986 reserves).
// Expected validation errors, statuses and response readings are the decisions written
// in docs/design.md and docs/coinbar-api/coinbar-api.md, spelled out by hand below.
//
//   node scripts/gen-vectors.mjs          # (re)write tests/vectors.json
//   node scripts/gen-vectors.mjs --check  # exit 1 if the checked-in file is not what this generates
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const OUT = new URL('../tests/vectors.json', import.meta.url);

// ---------------------------------------------------------------- the oracle

const hmacHex = (key, data) => createHmac('sha256', key).update(data).digest('hex');
const keyBytes = (client) => (client.secretKeyHex !== undefined ? Buffer.from(client.secretKeyHex, 'hex') : Buffer.from(client.secretKey, 'utf8'));

/** The request object in the documented field order (docs/coinbar-api/coinbar-api.md §3.1, §3.2). */
function documentedBody(kind, serviceClientId, input) {
  const body = {
    service_client_id: serviceClientId,
    payment_request_id: input.payment_request_id,
    input_coin: input.input_coin,
    products: input.products.map((p) => ({
      product_name: p.product_name,
      product_price: Number(p.product_price), // "2.50" is sent as the number 2.5
      product_amount: Number(p.product_amount),
      product_id: p.product_id,
      product_type: p.product_type,
    })),
    email: input.email,
  };
  if (input.surname != null) body.surname = input.surname; // null optional fields are left out
  if (input.name != null) body.name = input.name;
  body.user_id = input.user_id;
  body.timestamp = input.timestamp;
  if (kind === 'initiate') body.destination_coin = input.destination_coin;
  if (kind === 'request' && input.urlcallback != null) body.urlcallback = input.urlcallback;
  return JSON.stringify(body);
}

/** A decimal (number or string, possibly in exponent form) as [BigInt digits, scale]. */
function decimal(x) {
  const s = String(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) throw new Error(`not a decimal: ${s}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = BigInt(sign + int + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return [digits, scale];
}

/** [digits, scale] as a plain decimal string without trailing zeros ("3.97", "2", "0.0001"). */
function plain([digits, scale]) {
  const neg = digits < 0n;
  const s = (neg ? -digits : digits).toString().padStart(scale + 1, '0');
  let out = scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return (neg ? '-' : '') + out;
}

/** The exact cart total. */
function cartTotal(products) {
  let sum = [0n, 0];
  for (const p of products) {
    const [d, s] = decimal(p.product_price);
    const line = [d * BigInt(p.product_amount), s];
    const scale = Math.max(sum[1], line[1]);
    sum = [sum[0] * 10n ** BigInt(scale - sum[1]) + line[0] * 10n ** BigInt(scale - line[1]), scale];
  }
  return plain(sum);
}

/** A JSON number token from a response, exactly as the SDK must return it: plain digits kept as sent, exponent form expanded. */
const exactAmount = (token) => (/e/i.test(token) ? plain(decimal(token)) : token);

/** encodeURIComponent, plus ! ' ( ) * (RFC 3986 sub-delims it leaves alone). */
const encodeValue = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const SANDBOX_BASE_URL = 'https://sandbox.coinbar.io/coinbar/api/v2';

function gatewayUrl(options, token, timestamp) {
  const base = options.baseUrl ?? SANDBOX_BASE_URL;
  const origin = new URL(base).origin;
  return `${origin}/paymentgateway/pay?requestToken=${encodeValue(token)}&serviceClientId=${encodeValue(options.serviceClientId)}&timestamp=${timestamp}`;
}

/** statusInfo: case-insensitive (trimmed), CANCELLED accepted; unknown kept as sent. */
function statusInfo(s) {
  const known = { CREATED: 'CREATED', PENDING: 'PENDING', SUCCESS: 'SUCCESS', FAILED: 'FAILED', CANCELED: 'CANCELED', CANCELLED: 'CANCELED' }[s.trim().toUpperCase()];
  const status = known ?? s;
  return { status, known: Boolean(known), is_final: ['SUCCESS', 'FAILED', 'CANCELED'].includes(known), is_paid: known === 'SUCCESS' };
}

// ---------------------------------------------------------------- inputs

const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const SECRET = 'sandbox-secret-do-not-use-in-production';
const LOCAL_BASE = 'http://127.0.0.1:8790/coinbar/api/v2';

const product = (name, price, amount, id = name.toLowerCase().replace(/\W+/g, '-'), type = 'general') => ({
  product_name: name,
  product_price: price,
  product_amount: amount,
  product_id: id,
  product_type: type,
});

const base = () => ({
  payment_request_id: 'order-1001',
  input_coin: 'EUR',
  products: [product('Product 1', 1.99, 1, 'id1'), product('Product 2', 0.99, 2, 'id2')],
  email: 'jane@example.com',
  name: 'Jane',
  surname: 'Doe',
  user_id: 'user-42',
  timestamp: 1715430961064,
  destination_coin: 'BTC',
});
const without = (obj, ...keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
const reversedKeys = (obj) => Object.fromEntries(Object.entries(obj).reverse());

const clients = {
  sandbox: { serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: LOCAL_BASE },
  public: { serviceClientId: 'beef0000-0000-4000-8000-000000000002', secretKey: 'sk' },
  unicodeKey: { serviceClientId: 'svc-unicode-key', secretKey: 'ünïcödé-secret-🔑', baseUrl: 'http://localhost:8790/coinbar/api/v2/' },
  blockKey: { serviceClientId: 'svc-64', secretKey: 'k'.repeat(64), environment: 'sandbox' },
  longKey: { serviceClientId: 'svc-long', secretKey: 'L'.repeat(131), baseUrl: 'https://pay.example.com/coinbar/api/v2' },
  byteKey: { serviceClientId: 'svc-bytes', secretKeyHex: '00ff10fe7f80c0c1f5ff0000deadbeef', baseUrl: 'https://pay.example.com/api' },
};

const NASTY = {
  quotes: 'quote " and backslash \\ and both \\"',
  script: '</script><script>alert(1)</script>',
  controls: 'control \u0000\u0001\u0007\b\f\n\r\t\u000b\u001f end',
  separators: 'del \u007f nbsp \u00a0 line sep \u2028 para \u2029',
  emoji: 'émoji 🎉👩‍👩‍👧 flags 🇮🇹',
  scripts: '漢字かなカナ한국어العربيةעברית',
  astral: 'astral 𝄞 𐍈 \u{1F4A9}',
  slashes: 'slash / and escape-looking \\u0041 text',
  spaces: ' leading and trailing spaces ',
  bom: 'combining e\u0301 and bom \ufeff',
};

const signingCases = [
  ['the README quickstart order', 'sandbox', 'initiate', base()],
  ['keys given in reverse order: the body keeps the documented order', 'sandbox', 'initiate', reversedKeys(base())],
  [
    'prices as strings ("2.50" is sent as 2.5) and a quantity as a string',
    'sandbox',
    'initiate',
    {
      ...base(),
      products: [product('Tea', '2.50', '3'), product('Cake', '0.10', 1), product('Whole', '12', 1)],
    },
  ],
  [
    'tiny and large prices: 1e-7, 1e-8, 999999999999.99, 12345678901.2345',
    'public',
    'initiate',
    {
      ...base(),
      products: [product('Tiny', 0.0000001, 1), product('Tinier', '0.00000001', 1000000000), product('Huge', 999999999999.99, 1), product('Wide', 12345678901.2345, 1)],
    },
  ],
  [
    'float-looking prices that are exact decimals: 0.1, 0.2, 0.3, 1.005',
    'public',
    'initiate',
    {
      ...base(),
      products: [product('A', 0.1, 1), product('B', 0.2, 1), product('C', 0.3, 7), product('D', 1.005, 2)],
    },
  ],
  ['name and surname null are left out', 'public', 'initiate', { ...base(), name: null, surname: null }],
  ['optional fields absent', 'public', 'initiate', without(base(), 'name', 'surname')],
  [
    'escaping: quotes, backslashes, controls, separators',
    'unicodeKey',
    'initiate',
    {
      ...base(),
      name: NASTY.quotes,
      surname: NASTY.controls,
      user_id: NASTY.separators,
      products: [product(NASTY.script, 5, 1, NASTY.slashes, NASTY.spaces)],
    },
  ],
  [
    'non-ASCII everywhere, astral characters, BOM',
    'unicodeKey',
    'initiate',
    {
      ...base(),
      payment_request_id: 'ord_2024-05:17.x',
      input_coin: 'GBP',
      name: NASTY.emoji,
      surname: NASTY.scripts,
      user_id: NASTY.astral,
      products: [product(NASTY.bom, '19.99', 2, '🆔', 'digital'), product(NASTY.emoji, 0.5, 3, 'ü', 'ünï')],
      destination_coin: 'USDT',
    },
  ],
  ['a 64-byte key (one HMAC block)', 'blockKey', 'initiate', { ...base(), destination_coin: 'XRP', payment_request_id: 'A' }],
  ['a 131-byte key (hashed first)', 'longKey', 'initiate', { ...base(), destination_coin: 'XDB', email: 'j.doe+shop@mail.example.co.uk' }],
  ['a key given as bytes that are not UTF-8', 'byteKey', 'initiate', { ...base(), destination_coin: 'ETH' }],
  [
    'the largest timestamp and quantity',
    'public',
    'initiate',
    {
      ...base(),
      timestamp: 9999999999999,
      products: [product('Max', '999999.99', 1000000000)],
    },
  ],
  ['Request New Payment: no destination_coin', 'sandbox', 'request', without(base(), 'destination_coin')],
  [
    'Request New Payment with urlcallback (last in the body)',
    'public',
    'request',
    {
      ...without(base(), 'destination_coin'),
      urlcallback: 'https://shop.example.com/return?order=1&x=ü',
    },
  ],
];

const signing = signingCases.map(([name, clientName, kind, input]) => {
  const client = clients[clientName];
  const body = documentedBody(kind, client.serviceClientId, input);
  const signature = hmacHex(keyBytes(client), body);
  const baseUrl = (client.baseUrl ?? SANDBOX_BASE_URL).replace(/\/+$/, '');
  return {
    name,
    client,
    kind,
    input,
    expected: {
      method: 'POST',
      url: `${baseUrl}/pay/gateway/${kind === 'initiate' ? 'initiate' : 'request'}`,
      headers: { 'CBPAY-API-KEY': client.serviceClientId, SIGNATURE: signature, 'Content-Type': 'application/json', source: 'web' },
      body,
    },
  };
});

const rawSignatures = [
  ['empty message', 'sandbox', ''],
  ['ASCII text', 'sandbox', 'The quick brown fox jumps over the lazy dog'],
  ['a GET query string', 'public', 'conversion_fiat=GBP'],
  ['UTF-8 text with a unicode key', 'unicodeKey', 'ünïcödé 🎉 \u2028'],
  ['64-byte key', 'blockKey', '{"a":1}'],
  ['131-byte key', 'longKey', 'x'.repeat(1000)],
  ['byte key', 'byteKey', 'bytes'],
].map(([name, clientName, data]) => {
  const client = clients[clientName];
  return { name, client, data, signature: hmacHex(keyBytes(client), Buffer.from(data, 'utf8')) };
});

// ---------------------------------------------------------------- validation

// Each case: the input and every broken rule, as { field, message_includes }. Order does not
// matter (compare sorted by field); the message need only contain the fragment.
const err = (field, message_includes) => ({ field, message_includes });
const withProduct = (i, patch) => {
  const b = base();
  b.products[i] = { ...b.products[i], ...patch };
  return b;
};
const validation = [
  ['the README quickstart input is valid', 'initiate', base(), []],
  ['null name and surname are valid (left out)', 'initiate', { ...base(), name: null, surname: null }, []],
  ['prices and quantities as strings are valid', 'initiate', { ...base(), products: [product('Tea', '2.50', '3')] }, []],
  ['a price with 8 decimal places is valid', 'initiate', withProduct(0, { product_price: '0.00000001' }), []],
  ['a Request New Payment input is valid without destination_coin', 'request', { ...without(base(), 'destination_coin'), urlcallback: 'https://shop.example.com/r' }, []],
  ['not an object', 'initiate', [1, 2], [err('input', 'must be an object')]],
  ['missing payment_request_id', 'initiate', without(base(), 'payment_request_id'), [err('payment_request_id', 'is required')]],
  ['payment_request_id with a slash', 'initiate', { ...base(), payment_request_id: 'order/1' }, [err('payment_request_id', 'may only contain')]],
  ['payment_request_id longer than 100', 'initiate', { ...base(), payment_request_id: 'x'.repeat(101) }, [err('payment_request_id', 'at most 100 characters')]],
  ['input_coin in lower case', 'initiate', { ...base(), input_coin: 'eur' }, [err('input_coin', 'upper-case')]],
  ['empty products', 'initiate', { ...base(), products: [] }, [err('products', 'at least one')]],
  ['products not an array', 'initiate', { ...base(), products: { a: 1 } }, [err('products', 'must be an array')]],
  ['negative price', 'initiate', withProduct(1, { product_price: -1 }), [err('products[1].product_price', 'must not be negative')]],
  ['price with 9 decimal places', 'initiate', withProduct(0, { product_price: '1.123456789' }), [err('products[0].product_price', 'more than 8 decimal places')]],
  ['float noise 0.1 + 0.2', 'initiate', withProduct(0, { product_price: 0.1 + 0.2 }), [err('products[0].product_price', 'more than 8 decimal places')]],
  ['price with an exponent string', 'initiate', withProduct(0, { product_price: '1e3' }), [err('products[0].product_price', 'no exponent')]],
  ['price of 10^12', 'initiate', withProduct(0, { product_price: '1000000000000' }), [err('products[0].product_price', 'less than 1000000000000')]],
  ['price with 16 significant digits', 'initiate', withProduct(0, { product_price: '123456789012.1234' }), [err('products[0].product_price', 'significant digits')]],
  ['price as a boolean', 'initiate', withProduct(0, { product_price: true }), [err('products[0].product_price', 'got boolean')]],
  ['quantity 0', 'initiate', withProduct(0, { product_amount: 0 }), [err('products[0].product_amount', 'whole number from 1')]],
  ['quantity 1.5', 'initiate', withProduct(0, { product_amount: 1.5 }), [err('products[0].product_amount', 'whole number')]],
  ['quantity above 10^9', 'initiate', withProduct(0, { product_amount: 1000000001 }), [err('products[0].product_amount', 'whole number from 1')]],
  ['empty product name', 'initiate', withProduct(0, { product_name: '' }), [err('products[0].product_name', 'must not be empty')]],
  ['unknown product field', 'initiate', withProduct(1, { product_colour: 'red' }), [err('products[1].product_colour', 'not a known field')]],
  ['total of zero', 'initiate', { ...base(), products: [product('Free', 0, 1)] }, [err('products', 'greater than 0')]],
  ['e-mail without a dotted domain', 'initiate', { ...base(), email: 'a@b' }, [err('email', 'e-mail address')]],
  ['e-mail with a space', 'initiate', { ...base(), email: 'a b@example.com' }, [err('email', 'e-mail address')]],
  ['empty name', 'initiate', { ...base(), name: '' }, [err('name', 'must not be empty')]],
  ['user_id a number', 'initiate', { ...base(), user_id: 42 }, [err('user_id', 'must be a string')]],
  ['timestamp in seconds', 'initiate', { ...base(), timestamp: 1700000000 }, [err('timestamp', 'looks like seconds')]],
  ['misspelt destination_coin', 'initiate', { ...without(base(), 'destination_coin'), destinaton_coin: 'BTC' }, [err('destinaton_coin', 'not a known field'), err('destination_coin', 'is required')]],
  [
    'every rule at once',
    'initiate',
    {
      payment_request_id: '',
      input_coin: 'euro',
      products: [product('', -2, 0, 'p')],
      email: 'nope',
      user_id: '',
      destination_coin: 'btc',
    },
    [
      err('payment_request_id', 'must not be empty'),
      err('input_coin', 'upper-case'),
      err('products[0].product_name', 'must not be empty'),
      err('products[0].product_price', 'must not be negative'),
      err('products[0].product_amount', 'whole number from 1'),
      err('email', 'e-mail address'),
      err('user_id', 'must not be empty'),
      err('destination_coin', 'upper-case'),
    ],
  ],
  ['Request New Payment refuses destination_coin', 'request', base(), [err('destination_coin', 'not a known field')]],
  ['urlcallback that is not http(s)', 'request', { ...without(base(), 'destination_coin'), urlcallback: 'ftp://x.example.com' }, [err('urlcallback', 'http(s) URL')]],
].map(([name, kind, input, errors]) => ({ name, kind, input, errors }));

// ---------------------------------------------------------------- totals

const totalCases = [
  ['README: 1.99 × 1 + 0.99 × 2', [product('P1', 1.99, 1), product('P2', '0.99', 2)]],
  ['0.1 + 0.2 is exactly 0.3', [product('A', 0.1, 1), product('B', 0.2, 1)]],
  ['trailing zeros are not kept', [product('A', '2.50', 2)]],
  ['a whole total', [product('A', '0.25', 4), product('B', 1, 3)]],
  ['eight decimal places', [product('A', '0.00000001', 3), product('B', 0.0000001, 1)]],
  ['the largest line: 999999999999.99 × 10^9', [product('A', '999999999999.99', 1000000000)]],
  ['many lines', Array.from({ length: 100 }, (_, i) => product(`L${i}`, `${i}.${String(i % 100).padStart(2, '0')}`, (i % 7) + 1))],
  ['quantities as strings', [product('A', '19.99', '3'), product('B', 5, '10')]],
].map(([name, products]) => ({ name, products, total: cartTotal(products) }));
const totalErrors = [
  ['a price with 9 decimal places', [product('A', '0.123456789', 1)], ['products[0].product_price']],
  ['an empty list', [], ['products']],
  ['not a list', { product_price: 1 }, ['products']],
  ['two broken lines', [product('A', -1, 1), product('B', 1, 0)], ['products[0].product_price', 'products[1].product_amount']],
].map(([name, products, fields]) => ({ name, products, error: { code: 'validation', fields } }));
const totals = [...totalCases, ...totalErrors];

// ---------------------------------------------------------------- callbacks

const cbClient = { serviceClientId: CLIENT_ID, secretKey: SECRET };
// Raw bodies as Coinbar sends them: amounts with more digits than a double holds.
const cbSuccess =
  '{"result":"success","payment_id_coinbar":"ca900413-5c1c-4a56-9d33-5d1b2f0f0a11","payment_request_id_client":"order-1001","service_client_id":"' +
  CLIENT_ID +
  '",' +
  '"status":"success","payment_detail":{"destination_coin":"BTC","trade_pair":"BTC/EUR","destination_amount":0.00045145423250897323,"coin_change":19913.425,"total_price":8.99},' +
  '"input_coin":"EUR","creation_time":"2022-05-11T12:16:01.064Z","update_time":"2022-05-11T12:30:35.059Z","status_descr":null,' +
  '"customer":{"external_user_id":"user-42","name":"Jane","surname":"Doe","email":"jane@example.com"},' +
  '"products":[{"product_name":"Tea","product_price":8.99,"product_amount":1,"product_id":"t","product_type":"general"}]}';
const cbCanceled =
  '{"result":"success","payment_id_coinbar":"0f1e2d3c-0000-4000-8000-00000000beef","payment_request_id_client":"ord_ü-2","service_client_id":"' +
  CLIENT_ID +
  '",' +
  '"status":"CANCELED","payment_detail":{"destination_coin":"XRP","trade_pair":"XRP/EUR","destination_amount":1.2e-5,"coin_change":0.5123456789012345678,"total_price":"1.20"},' +
  '"input_coin":"EUR","creation_time":"2024-01-01T00:00:00.000Z","update_time":"2024-01-01T00:10:00.000Z","status_descr":"Canceled by client request",' +
  '"customer":{"external_user_id":"u-ü","name":"Zoë 🎉","surname":"Ålander","email":"zoe@example.com"},"products":[]}';
const cbPending = cbSuccess.replace('"status":"success"', '"status":"Pending"');
const cbUnknown = cbSuccess.replace('"status":"success"', '"status":"partially_paid"');
const withId = (id) => cbSuccess.replace('"payment_id_coinbar":"ca900413-5c1c-4a56-9d33-5d1b2f0f0a11"', `"payment_id_coinbar":${JSON.stringify(id)}`);
const cbEmptyId = withId('');
const cbSlashId = withId('p/SUCCESS').replace('"status":"success"', '"status":"x"');
const cbPercentId = withId('p%2F').replace('"status":"success"', '"status":"Refunded"');

const sig = (body, key = SECRET) => hmacHex(key, Buffer.from(body, 'utf8'));
const headers = (body, extra = {}) => ({ 'CBPAY-API-KEY': CLIENT_ID, SIGNATURE: sig(body), ...extra });
const flipDigit = (s) => s.replace('0.00045145423250897323', '0.00045145423250897324');
const otherHex = (h) => (h[0] === 'a' ? 'b' : 'a') + h.slice(1);

const successEvent = {
  payment_id_coinbar: 'ca900413-5c1c-4a56-9d33-5d1b2f0f0a11',
  payment_request_id_client: 'order-1001',
  service_client_id: CLIENT_ID,
  status: 'SUCCESS',
  is_final: true,
  is_paid: true,
  status_descr: null,
  input_coin: 'EUR',
  payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: exactAmount('0.00045145423250897323'), coin_change: '19913.425', total_price: '8.99' },
  creation_time: '2022-05-11T12:16:01.064Z',
  customer: { external_user_id: 'user-42', name: 'Jane', surname: 'Doe', email: 'jane@example.com' },
  products: [{ product_name: 'Tea', product_price: '8.99', product_amount: '1', product_id: 't', product_type: 'general' }],
  idempotency_key: 'ca900413-5c1c-4a56-9d33-5d1b2f0f0a11/SUCCESS',
};
const canceledEvent = {
  payment_id_coinbar: '0f1e2d3c-0000-4000-8000-00000000beef',
  payment_request_id_client: 'ord_ü-2',
  status: 'CANCELED',
  is_final: true,
  is_paid: false,
  status_descr: 'Canceled by client request',
  payment_detail: { destination_coin: 'XRP', destination_amount: exactAmount('1.2e-5'), coin_change: exactAmount('0.5123456789012345678'), total_price: '1.20' },
  customer: { name: 'Zoë 🎉', surname: 'Ålander' },
  products: [],
  idempotency_key: '0f1e2d3c-0000-4000-8000-00000000beef/CANCELED',
};

// body_as: how the runtime passes the raw body (string, UTF-8 bytes, ArrayBuffer);
// headers_as: a plain object or a Fetch Headers object.
const callbacks = [
  ['valid: paid, exact amounts kept', cbSuccess, headers(cbSuccess), { event: successEvent }, 'string', 'object'],
  ['valid: raw body as bytes, Headers object', cbSuccess, headers(cbSuccess), { event: successEvent }, 'bytes', 'Headers'],
  ['valid: lower-case header names, ArrayBuffer body', cbSuccess, { 'cbpay-api-key': CLIENT_ID, signature: sig(cbSuccess) }, { event: successEvent }, 'arraybuffer', 'object'],
  ['valid: canceled, non-ASCII body signed as UTF-8, exponent amount expanded', cbCanceled, headers(cbCanceled), { event: canceledEvent }, 'bytes', 'object'],
  [
    'valid: status case-insensitive (Pending)',
    cbPending,
    headers(cbPending),
    { event: { status: 'PENDING', is_final: false, is_paid: false, idempotency_key: `${successEvent.payment_id_coinbar}/PENDING` } },
    'string',
    'object',
  ],
  ['valid: unknown status kept as sent', cbUnknown, headers(cbUnknown), { event: { status: 'partially_paid', is_final: false, is_paid: false } }, 'string', 'object'],
  ['tampered: one digit of the amount changed', flipDigit(cbSuccess), headers(cbSuccess), { error: 'signature' }, 'string', 'object'],
  ['tampered: one hex digit of the signature changed', cbSuccess, headers(cbSuccess, { SIGNATURE: otherHex(sig(cbSuccess)) }), { error: 'signature' }, 'string', 'object'],
  ['tampered: signature in upper case', cbSuccess, headers(cbSuccess, { SIGNATURE: sig(cbSuccess).toUpperCase() }), { error: 'signature' }, 'string', 'object'],
  ['tampered: signature with a leading space', cbSuccess, headers(cbSuccess, { SIGNATURE: ` ${sig(cbSuccess)}` }), { error: 'signature' }, 'string', 'object'],
  ['tampered: signature cut to 63 characters', cbSuccess, headers(cbSuccess, { SIGNATURE: sig(cbSuccess).slice(0, 63) }), { error: 'signature' }, 'string', 'object'],
  ['tampered: signed with another secret', cbSuccess, headers(cbSuccess, { SIGNATURE: sig(cbSuccess, 'another-secret') }), { error: 'signature' }, 'string', 'object'],
  ['tampered: another client id', cbSuccess, headers(cbSuccess, { 'CBPAY-API-KEY': 'beef0000-0000-4000-8000-000000000002' }), { error: 'signature' }, 'string', 'object'],
  ['tampered: no SIGNATURE header', cbSuccess, { 'CBPAY-API-KEY': CLIENT_ID }, { error: 'signature' }, 'string', 'object'],
  ['tampered: no CBPAY-API-KEY header', cbSuccess, { SIGNATURE: sig(cbSuccess) }, { error: 'signature' }, 'string', 'object'],
  ['tampered: body re-serialized by JSON.parse/stringify (digits lost), original signature', JSON.stringify(JSON.parse(cbCanceled)), headers(cbCanceled), { error: 'signature' }, 'string', 'object'],
  ['tampered: trailing newline added', `${cbSuccess}\n`, headers(cbSuccess), { error: 'signature' }, 'bytes', 'object'],
  ['signed but not an object: decode error', '[]', headers('[]'), { error: 'decode' }, 'string', 'object'],
  // The idempotency key (issue 19 §5): an empty id would give every such event one key, and
  // an id holding `/` or `%` is escaped so that no two (id, status) pairs share a key.
  ['signed, empty payment_id_coinbar: decode error', cbEmptyId, headers(cbEmptyId), { error: 'decode' }, 'string', 'object'],
  ["id with '/': escaped in the key (never p/SUCCESS + X = p + SUCCESS/X)", cbSlashId, headers(cbSlashId), { event: { status: 'x', idempotency_key: 'p%2FSUCCESS/X' } }, 'string', 'object'],
  ["id with '%': escaped; an undocumented status is keyed upper-case", cbPercentId, headers(cbPercentId), { event: { status: 'Refunded', idempotency_key: 'p%252F/REFUNDED' } }, 'bytes', 'object'],
].map(([name, body, hdrs, expected, body_as, headers_as]) => ({ name, client: cbClient, body, headers: hdrs, body_as, headers_as, expected }));

// ---------------------------------------------------------------- gateway URLs

const gateway = [
  ['sandbox default, token with + / =', { serviceClientId: CLIENT_ID }, 'WlpZ+ab/cd==', 1715430961064],
  ['local sandbox base URL: its origin', { serviceClientId: CLIENT_ID, baseUrl: LOCAL_BASE }, 'tok', 1],
  ['localhost with a trailing slash', { serviceClientId: 'svc', baseUrl: 'http://localhost:8790/coinbar/api/v2/' }, 'a b&c=d#e?f', 1700000000000],
  ["RFC 3986 reserved ! ' ( ) * are encoded, ~ is not", { serviceClientId: "id!'()*~", baseUrl: 'https://pay.example.com:8443/api' }, "t!'()*~-._", 42],
  ['non-ASCII token is UTF-8 percent-encoded', { serviceClientId: 'svc', environment: 'sandbox' }, 'ü🎉\u2028', 9999999999999],
].map(([name, options, requestToken, timestamp]) => ({ name, options, requestToken, timestamp, url: gatewayUrl(options, requestToken, timestamp) }));
gateway.push(
  { name: 'empty token', options: { serviceClientId: 'svc' }, requestToken: '', timestamp: 1, error: { code: 'validation', fields: ['requestToken'] } },
  { name: 'production without baseUrl', options: { serviceClientId: 'svc', environment: 'production' }, requestToken: 't', timestamp: 1, error: { code: 'config' } },
  { name: 'plain http to a non-loopback host', options: { serviceClientId: 'svc', baseUrl: 'http://pay.example.com/api' }, requestToken: 't', timestamp: 1, error: { code: 'config' } },
);

// ---------------------------------------------------------------- statuses and responses

const statuses = ['SUCCESS', 'success', ' Pending ', 'Created', 'FAILED', 'Canceled', 'CANCELLED', 'REFUNDED', 'partially_paid', ''].map((status) => ({
  status,
  expected: statusInfo(status),
}));

const initiateOk =
  '{"result":"success","request_token":"WlpZ+ab/cd==","payment_id_coinbar":"ca900413-5c1c-4a56-9d33-5d1b2f0f0a11","payment_total_price":1.2,' +
  '"trade_pair":"BTC/EUR","payment_string":"bitcoin:bc1qexample?amount=0.00045145423250897323","destination_coin_change":52372.33459748911,' +
  '"destination_amount":0.00045145423250897323,"destination_address":"bc1qexample","destination_memo":"memo"}';
const initiateExp = initiateOk
  .replace('"destination_amount":0.00045145423250897323', '"destination_amount":2.4E-5')
  .replace('"payment_total_price":1.2', '"payment_total_price":"1.20"')
  .replace('"destination_memo":"memo"', '"destination_memo":null');
const statusDoc =
  '{ "payment_id_coinbar": "p-1", "payment_request_id_client": "order-1", "service_client_id": "cid", "status": "FAILED",' +
  ' "payment_detail": { "destination_coin": "BTC", "trade_pair": "BTC/EUR", "destination_amount": 0.00045145423250897323, "coin_change": 19913.425, "total_price": 8.99 },' +
  ' "input_coin": "EUR", "creation_time": "2022-05-11T12:16:01.064Z", "update_time": "2022-05-11T12:30:35.059Z", "status_descr": "Timeout" }';
const quotesOk =
  '{"result":true,"data":[{"code":"BTC","name":"Bitcoin","conversion_fiat":"EUR","conversion_rate":52372.33459748911},{"code":"XRP","name":"Ripple","conversion_fiat":"EUR","conversion_rate":4.8E-1}]}';

const responses = [
  [
    'initiate: every digit of the amounts kept',
    'initiate',
    200,
    initiateOk,
    {
      result: 'success',
      request_token: 'WlpZ+ab/cd==',
      payment_total_price: exactAmount('1.2'),
      trade_pair: 'BTC/EUR',
      destination_coin_change: exactAmount('52372.33459748911'),
      destination_amount: exactAmount('0.00045145423250897323'),
      destination_address: 'bc1qexample',
      destination_memo: 'memo',
    },
  ],
  [
    'initiate: exponent expanded, string amount kept, null memo',
    'initiate',
    200,
    initiateExp,
    {
      destination_amount: exactAmount('2.4E-5'),
      payment_total_price: '1.20',
      destination_memo: null,
    },
  ],
  ['initiate: result not success is an api error', 'initiate', 200, '{"result":"error","error":"Invalid signature"}', { error: { code: 'api', apiError: 'Invalid signature' } }],
  ['initiate: HTTP 500 is an http error', 'initiate', 500, '{"result":false,"error":"Internal Server Error"}', { error: { code: 'http', status: 500, apiError: 'Internal Server Error' } }],
  ['initiate: a 502 HTML page is an http error', 'initiate', 502, '<html><body>502 Bad Gateway</body></html>', { error: { code: 'http', status: 502 } }],
  ['initiate: not JSON is a decode error', 'initiate', 200, '<html>maintenance</html>', { error: { code: 'decode', status: 200 } }],
  ['initiate: a missing field is a decode error', 'initiate', 200, '{"result":"success","request_token":"t"}', { error: { code: 'decode' } }],
  [
    'status: the documented example',
    'status',
    200,
    statusDoc,
    {
      payment_id_coinbar: 'p-1',
      status: 'FAILED',
      is_final: true,
      is_paid: false,
      status_descr: 'Timeout',
      payment_detail: { destination_amount: exactAmount('0.00045145423250897323'), coin_change: '19913.425', total_price: '8.99' },
    },
  ],
  ['status: 404 is an http error', 'status', 404, '{"result":false,"error":"Not Found"}', { error: { code: 'http', status: 404, apiError: 'Not Found' } }],
  [
    'quotes: exact rates, exponent expanded',
    'quotes',
    200,
    quotesOk,
    [
      { code: 'BTC', conversion_fiat: 'EUR', conversion_rate: exactAmount('52372.33459748911') },
      { code: 'XRP', conversion_rate: exactAmount('4.8E-1') },
    ],
  ],
  ['quotes: rate limit', 'quotes', 200, '{"result":false,"error":"Api RATE exceeded"}', { error: { code: 'api', apiError: 'Api RATE exceeded' } }],
].map(([name, call, status, body, expected]) => ({ name, call, status, body, expected }));

// ---------------------------------------------------------------- the file

const vectors = {
  comment:
    'Shared conformance vectors of coinbar-pay, generated by scripts/gen-vectors.mjs with node:crypto and BigInt decimals as the oracle (not the SDK). ' +
    'Read by tests/vectors.rs (the Rust core) and tests/runtimes/suite.js (every JavaScript runtime). Do not edit by hand: change the generator and run it.',
  version: 1,
  sandbox: {
    serviceClientId: CLIENT_ID,
    secretKey: SECRET,
    input: { ...base(), products: [product('Product 1', 1.99, 1, 'id1'), product('Product 2', '0.99', 2, 'id2')] },
    expected: { payment_total_price: '3.97', status_before: 'CREATED', status_after_pay: 'SUCCESS' },
  },
  signing,
  raw_signatures: rawSignatures,
  validation,
  totals,
  callbacks,
  gateway,
  statuses,
  responses,
};

const text = `${JSON.stringify(vectors, null, 1)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('tests/vectors.json is not what scripts/gen-vectors.mjs generates: run `node scripts/gen-vectors.mjs`');
    process.exit(1);
  }
  console.log('tests/vectors.json is up to date');
} else {
  writeFileSync(OUT, text);
  const n = Object.entries(vectors)
    .filter(([, v]) => Array.isArray(v))
    .map(([k, v]) => `${k} ${v.length}`);
  console.log(`wrote tests/vectors.json: ${n.join(', ')}`);
}
