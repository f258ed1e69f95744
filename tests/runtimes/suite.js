// The runtime-neutral conformance suite: every vector of tests/vectors.json, checked against
// the coinbar-pay module that the runtime under test imported the way its users do. No
// imports, no Node APIs: the same file runs in Node (ESM and CommonJS), workerd, Deno, Bun,
// Vercel's edge-runtime and Chromium. Each runtime's harness (tests/runtimes/harness/)
// imports the package, hands it here, and reports the result to the runner.
//
//   const result = await runSuite({ pkg, vectors, flavor, sandbox, runtime });
//   // { groups: { signing: { passed, failed } | { skipped: reason }, ... }, failures: [...] }
//
// flavor 'server' has the signing client; 'browser' is the build without it (everything
// but signing, callbacks and the live round trip, which need the secret).

export const GROUPS = ['surface', 'signing', 'validation', 'totals', 'callbacks', 'gateway', 'statuses', 'responses', 'sandbox'];

const SERVER_ONLY = new Set(['signing', 'callbacks', 'sandbox']);
const COMMON_EXPORTS = ['CoinbarError', 'cartTotal', 'convertAmount', 'gatewayUrl', 'parseInitiateResponse', 'parsePaymentStatus', 'parseQuotes', 'parseReport', 'statusInfo', 'validateInitiate'];

// ------------------------------------------------------------------ tiny assertion kit

class Mismatch extends Error {}

/** A one-process CallbackStore (claim, renew, complete, release; owned by a token) for handleCallback. */
function claimStore() {
  const rows = new Map(); // key -> { state, token }
  const owned = (key, token) => rows.get(key)?.state === 'claimed' && rows.get(key).token === token;
  return {
    claim(key, token) {
      const state = rows.get(key)?.state;
      if (state === 'done') return 'done';
      if (state === 'claimed') return 'busy';
      rows.set(key, { state: 'claimed', token });
      return 'claimed';
    },
    renew: (key, token) => owned(key, token),
    complete(key, token) {
      if (owned(key, token)) rows.set(key, { state: 'done', token });
    },
    release(key, token) {
      if (owned(key, token)) rows.delete(key);
    },
  };
}

function fail(message) {
  throw new Mismatch(message);
}

const show = (v) => {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return String(v);
  }
};

function equal(actual, expected, what) {
  if (actual !== expected) fail(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}

function deepEqual(actual, expected, what) {
  if (JSON.stringify(canonical(actual)) !== JSON.stringify(canonical(expected))) {
    fail(`${what}: got ${show(actual)}, expected ${show(expected)}`);
  }
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

/** Every key of `expected` is in `actual` with an equal value (recursively); arrays must have the same length. */
function subset(actual, expected, path) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(`${path}: got ${show(actual)}, expected an array`);
    equal(actual.length, expected.length, `${path}.length`);
    expected.forEach((e, i) => subset(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') fail(`${path}: got ${show(actual)}, expected an object`);
    for (const k of Object.keys(expected)) subset(actual[k], expected[k], `${path}.${k}`);
  } else {
    equal(actual, expected, path);
  }
}

/** Run `fn`, which must throw a CoinbarError with `code`; returns the error. */
function throwsCoinbar(pkg, fn, code, what) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) fail(`${what}: did not throw (expected CoinbarError ${code})`);
  if (!(thrown instanceof pkg.CoinbarError)) fail(`${what}: threw ${show(String(thrown))}, not a CoinbarError`);
  if (!(thrown instanceof Error)) fail(`${what}: CoinbarError is not an Error`);
  equal(thrown.code, code, `${what}: code (${thrown.message})`);
  return thrown;
}

async function rejectsCoinbar(pkg, promise, code, what) {
  let thrown;
  try {
    await promise;
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) fail(`${what}: did not reject`);
  if (!(thrown instanceof pkg.CoinbarError)) fail(`${what}: rejected with ${show(String(thrown))}, not a CoinbarError`);
  equal(thrown.code, code, `${what}: code (${thrown.message})`);
  return thrown;
}

const byField = (a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0);

function checkFieldErrors(actual, expected, what) {
  if (!Array.isArray(actual)) fail(`${what}: errors is not an array: ${show(actual)}`);
  const got = [...actual].sort(byField);
  const want = [...expected].sort(byField);
  deepEqual(
    got.map((e) => e.field),
    want.map((e) => e.field),
    `${what}: fields`,
  );
  want.forEach((w, i) => {
    if (typeof got[i].message !== 'string' || !got[i].message.includes(w.message_includes)) {
      fail(`${what}: ${w.field}: message ${show(got[i].message)} does not contain ${show(w.message_includes)}`);
    }
  });
}

// ------------------------------------------------------------------ helpers

const hexBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

function clientOptions(client) {
  const { secretKeyHex, ...rest } = client;
  return secretKeyHex === undefined ? { ...rest } : { ...rest, secretKey: hexBytes(secretKeyHex) };
}

function rawBody(v) {
  const bytes = new TextEncoder().encode(v.body);
  if (v.body_as === 'bytes') return bytes;
  if (v.body_as === 'arraybuffer') return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return v.body;
}

const headersOf = (v) => (v.headers_as === 'Headers' ? new Headers(v.headers) : { ...v.headers });

// ------------------------------------------------------------------ groups

const groups = {
  surface({ pkg, flavor, expectedExports }) {
    return [
      [
        'exports',
        () => {
          for (const name of COMMON_EXPORTS) if (!(name in pkg)) fail(`missing export ${name}`);
          if (flavor === 'server' && typeof pkg.CoinbarPay !== 'function') fail('missing export CoinbarPay');
          if (flavor === 'server' && typeof pkg.memoryStore !== 'function') fail('missing export memoryStore');
          if (flavor === 'browser' && 'CoinbarPay' in pkg) fail('the browser build must not export CoinbarPay (no signer)');
          if (flavor === 'browser' && 'memoryStore' in pkg) fail('the browser build must not export memoryStore (callbacks are server-side)');
          // The same names as the Node ESM entry (minus the client and its callback store in the browser build).
          if (expectedExports) {
            const want = expectedExports.filter((n) => flavor === 'server' || (n !== 'CoinbarPay' && n !== 'memoryStore'));
            deepEqual(
              Object.keys(pkg)
                .filter((n) => n !== 'default' && n !== '__esModule')
                .sort(),
              [...want].sort(),
              'export names',
            );
          }
        },
      ],
      [
        'CoinbarError is an Error with name and code',
        () => {
          const e = new pkg.CoinbarError('http', 'boom', { status: 502 });
          if (!(e instanceof Error)) fail('not an Error');
          equal(e.name, 'CoinbarError', 'name');
          equal(e.code, 'http', 'code');
          equal(e.status, 502, 'status');
        },
      ],
    ];
  },

  signing({ pkg, vectors }) {
    const prepared = vectors.signing.map((v) => [
      v.name,
      () => {
        const client = new pkg.CoinbarPay(clientOptions(v.client));
        try {
          const p = v.kind === 'initiate' ? client.prepareInitiate(v.input) : client.prepareRequest(v.input);
          equal(p.body, v.expected.body, 'body');
          equal(p.headers.SIGNATURE, v.expected.headers.SIGNATURE, 'signature');
          deepEqual(p.headers, v.expected.headers, 'headers');
          equal(p.url, v.expected.url, 'url');
          equal(p.method, v.expected.method, 'method');
          equal(client.sign(p.body), v.expected.headers.SIGNATURE, 'sign(body)');
        } finally {
          client.free();
        }
      },
    ]);
    const raw = vectors.raw_signatures.map((v) => [
      `raw: ${v.name}`,
      () => {
        const client = new pkg.CoinbarPay(clientOptions(v.client));
        try {
          equal(client.sign(v.data), v.signature, 'sign(string)');
          equal(client.sign(new TextEncoder().encode(v.data)), v.signature, 'sign(bytes)');
        } finally {
          client.free();
        }
      },
    ]);
    return [...prepared, ...raw];
  },

  validation({ pkg, vectors, flavor }) {
    return vectors.validation.map((v) => [
      v.name,
      () => {
        const validate = v.kind === 'request' ? pkg.validateRequest : pkg.validateInitiate;
        if (typeof validate !== 'function') fail(`no validate function for kind ${v.kind}`);
        checkFieldErrors(validate(v.input), v.errors, 'validate');
        if (flavor !== 'server') return;
        // The client refuses the same input with the same errors, before anything is signed.
        const client = new pkg.CoinbarPay({ serviceClientId: 'svc', secretKey: 'k' });
        try {
          const prepare = () => (v.kind === 'request' ? client.prepareRequest(v.input) : client.prepareInitiate(v.input));
          if (v.errors.length === 0) prepare();
          else checkFieldErrors(throwsCoinbar(pkg, prepare, 'validation', 'prepare').errors, v.errors, 'prepare');
        } finally {
          client.free();
        }
      },
    ]);
  },

  totals({ pkg, vectors }) {
    return vectors.totals.map((v) => [
      v.name,
      () => {
        if (v.error) {
          const e = throwsCoinbar(pkg, () => pkg.cartTotal(v.products), v.error.code, 'cartTotal');
          deepEqual(e.errors.map((x) => x.field).sort(), [...v.error.fields].sort(), 'error fields');
        } else {
          equal(pkg.cartTotal(v.products), v.total, 'cartTotal');
        }
      },
    ]);
  },

  callbacks({ pkg, vectors }) {
    return vectors.callbacks.map((v) => [
      v.name,
      async () => {
        const client = new pkg.CoinbarPay(clientOptions(v.client));
        try {
          if (v.expected.error) {
            throwsCoinbar(pkg, () => client.verifyCallback(rawBody(v), headersOf(v)), v.expected.error, 'verifyCallback');
            await rejectsCoinbar(pkg, client.handleCallback(rawBody(v), headersOf(v), { store: claimStore(), handler() {} }), v.expected.error, 'handleCallback');
            return;
          }
          subset(client.verifyCallback(rawBody(v), headersOf(v)), v.expected.event, 'event');
          const store = pkg.memoryStore(); // the package's own store, in each runtime
          let runs = 0;
          const handler = () => {
            runs += 1;
            if (runs === 1) throw new Error('first fulfilment fails');
          };
          let failed = false;
          await client.handleCallback(rawBody(v), headersOf(v), { store, handler }).catch(() => (failed = true));
          const first = await client.handleCallback(rawBody(v), headersOf(v), { store, handler });
          const again = await client.handleCallback(rawBody(v), headersOf(v), { store, handler });
          equal(failed, true, 'a failed handler rejects');
          equal(`${first.outcome} ${first.status}`, 'processed 200', 'the retry after a failure');
          equal(`${again.outcome} ${again.status}`, 'duplicate 200', 'second successful delivery');
          equal(runs, 2, 'handler runs');
          subset(again.event, v.expected.event, 'event (second delivery)');
        } finally {
          client.free();
        }
      },
    ]);
  },

  gateway({ pkg, vectors, flavor }) {
    return vectors.gateway.map((v) => [
      v.name,
      () => {
        if (v.error) {
          const e = throwsCoinbar(pkg, () => pkg.gatewayUrl(v.options, v.requestToken, v.timestamp), v.error.code, 'gatewayUrl');
          if (v.error.fields)
            deepEqual(
              e.errors.map((x) => x.field),
              v.error.fields,
              'error fields',
            );
          return;
        }
        equal(pkg.gatewayUrl(v.options, v.requestToken, v.timestamp), v.url, 'gatewayUrl');
        if (flavor !== 'server') return;
        const client = new pkg.CoinbarPay({ ...v.options, secretKey: 'k' });
        try {
          equal(client.gatewayUrl(v.requestToken, v.timestamp), v.url, 'client.gatewayUrl');
        } finally {
          client.free();
        }
      },
    ]);
  },

  statuses({ pkg, vectors }) {
    return vectors.statuses.map((v) => [JSON.stringify(v.status), () => deepEqual(pkg.statusInfo(v.status), v.expected, 'statusInfo')]);
  },

  responses({ pkg, vectors }) {
    const parsers = { initiate: pkg.parseInitiateResponse, status: pkg.parsePaymentStatus, quotes: pkg.parseQuotes };
    return vectors.responses.map((v) => [
      v.name,
      () => {
        const parse = () => parsers[v.call](v.status, v.body);
        if (v.expected.error) {
          const e = throwsCoinbar(pkg, parse, v.expected.error.code, 'parse');
          const { code, ...details } = v.expected.error;
          void code;
          subset(e, details, 'error');
        } else {
          subset(parse(), v.expected, 'answer');
        }
      },
    ]);
  },

  sandbox({ pkg, vectors, sandbox, runtime }) {
    if (!sandbox) return null;
    const fetchImpl = (...args) => globalThis.fetch(...args);
    const sv = vectors.sandbox;
    const client = () => new pkg.CoinbarPay({ serviceClientId: sv.serviceClientId, secretKey: sv.secretKey, baseUrl: sandbox.baseUrl, timeoutMs: 10000 });
    const id = `rt-${runtime.replace(/[^A-Za-z0-9]/g, '')}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
    const input = { ...sv.input, payment_request_id: id, timestamp: Date.now() };
    let payment;
    return [
      [
        'initiate: signed, accepted, exact total',
        async () => {
          payment = await client().initiate(input);
          equal(payment.payment_total_price, sv.expected.payment_total_price, 'payment_total_price');
          if (!/^\d+\.\d+$/.test(payment.destination_amount)) fail(`destination_amount not an exact decimal string: ${payment.destination_amount}`);
          if (!payment.payment_string.startsWith('bitcoin:')) fail(`payment_string: ${payment.payment_string}`);
        },
      ],
      [
        'initiate again with the same id: the same payment',
        async () => {
          const again = await client().initiate(input);
          equal(again.payment_id_coinbar, payment?.payment_id_coinbar, 'payment_id_coinbar');
        },
      ],
      [
        'paymentStatus: CREATED',
        async () => {
          const s = await client().paymentStatus(id);
          equal(s.status, sv.expected.status_before, 'status');
          equal(s.payment_id_coinbar, payment?.payment_id_coinbar, 'payment_id_coinbar');
          equal(s.payment_detail.total_price, sv.expected.payment_total_price, 'total_price');
        },
      ],
      [
        'paid in the sandbox, paymentStatus: SUCCESS',
        async () => {
          const r = await fetchImpl(`${sandbox.url}/__sandbox/payments/${id}/pay`, { method: 'POST' });
          equal(r.status, 200, 'control /pay status');
          await r.text();
          const s = await client().paymentStatus(id);
          equal(s.status, sv.expected.status_after_pay, 'status');
          equal(s.is_paid, true, 'is_paid');
        },
      ],
      [
        'unknown id: http 404',
        async () => {
          const e = await rejectsCoinbar(pkg, client().paymentStatus(`${id}-missing`), 'http', 'paymentStatus');
          equal(e.status, 404, 'status');
        },
      ],
    ];
  },
};

/**
 * Run every group. `sandbox` is `{ url, baseUrl }` of a running local sandbox, or null when
 * this runtime cannot reach one; `expectedExports` the export names of the Node ESM entry.
 */
export async function runSuite({ pkg, vectors, flavor = 'server', sandbox = null, runtime = 'unknown', expectedExports = null }) {
  const result = { groups: {}, failures: [] };
  for (const name of GROUPS) {
    if (flavor !== 'server' && SERVER_ONLY.has(name)) {
      result.groups[name] = { skipped: 'no signer in this build' };
      continue;
    }
    const cases = groups[name]({ pkg, vectors, flavor, sandbox, runtime, expectedExports });
    if (cases === null) {
      result.groups[name] = { skipped: 'no sandbox' };
      continue;
    }
    const tally = { passed: 0, failed: 0 };
    for (const [caseName, fn] of cases) {
      try {
        await fn();
        tally.passed++;
      } catch (e) {
        tally.failed++;
        const why = e instanceof Mismatch ? e.message : `threw ${e?.name}: ${e?.message}${e?.code ? ` (code ${e.code})` : ''}`;
        result.failures.push(`${name}: ${caseName}: ${why}`);
      }
    }
    result.groups[name] = tally;
  }
  return result;
}
