// The benchmark cases, runtime-neutral (no imports, no Node APIs): used by the Node micro
// benchmarks (bench/node-micro.mjs) and bundled into the workerd worker (bench/workerd/worker.js).
//
// Every case is one operation, done the way a merchant would write it:
//   sdk          coinbar-pay: prepareInitiate / sign / verifyCallback
//   node:crypto  createHmac('sha256', secret).update(JSON.stringify(obj)).digest('hex') (Node only)
//   webcrypto    crypto.subtle.sign / verify with a key imported ONCE, + hex encoding
//   noble        @noble/hashes hmac(sha256, key, bytes) + bytesToHex
// Baselines of "prepare" do NO validation: they JSON.stringify the already-canonical body
// object (the one the SDK builds from the input) and HMAC it. That is the least a correct
// hand-written integration must do, so the ratio is the SDK's whole cost against it.

export const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const SECRET = 'sandbox-secret-do-not-use-in-production';
export const BASE_URL = 'http://127.0.0.1:8790/coinbar/api/v2'; // never contacted by the micro benchmarks

export const INPUT_NAMES = ['initiate-2', 'initiate-3', 'initiate-50'];

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of an ArrayBuffer / bytes (a lookup table: a fast hand-written encoder). */
export function toHex(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Bytes of a hex string, or null when it is not 64 hex characters. */
export function fromHex64(hex) {
  if (typeof hex !== 'string' || hex.length !== 64) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const v = parseInt(hex.substr(i * 2, 2), 16);
    if (Number.isNaN(v)) return null;
    out[i] = v;
  }
  return out;
}

/** Constant-time equality of two byte arrays of the same length (noble has none built in). */
function ctEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** A header from a Headers object or a plain (Node, lower-cased) headers object. */
const header = (headers, name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name]);

/**
 * Build every case.
 * @param deps {
 *   CoinbarPay,                       the SDK's class (whatever entry the runtime resolved)
 *   inputs: { 'initiate-2': obj, … }  merchant inputs (bench/inputs/*.json)
 *   callbackRaw: Uint8Array           the raw callback body (bench/inputs/callback.json)
 *   callbackHeaders                   what the runtime hands a handler (plain object or Headers)
 *   subtle                            crypto.subtle
 *   noble: { hmac, sha256, bytesToHex, utf8ToBytes }
 *   node?: { createHmac, timingSafeEqual, Buffer }   only where node:crypto exists
 * }
 * @returns { cases: [{ section, input, impl, fn, async }], bodies: { name: string }, cbpay }
 */
export async function makeCases(deps) {
  const { CoinbarPay, inputs, callbackRaw, callbackHeaders, subtle, noble, node } = deps;
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: BASE_URL });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const keyBytes = encoder.encode(SECRET);
  const webKey = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

  const cases = [];
  const add = (section, input, impl, fn, async = false) => cases.push({ section, input, impl, fn, async });

  // The canonical body objects (as the docs define the request), taken from the SDK's own
  // output so that every implementation signs exactly the same bytes.
  const canonical = {};
  const bodies = {};
  for (const name of INPUT_NAMES) {
    bodies[name] = cbpay.prepareInitiate(inputs[name]).body;
    canonical[name] = JSON.parse(bodies[name]);
  }

  // 1. Prepare: input object in, signed body out.
  for (const name of INPUT_NAMES) {
    const input = inputs[name];
    const obj = canonical[name];
    add('prepare', name, 'sdk', () => cbpay.prepareInitiate(input));
    if (node) add('prepare', name, 'node:crypto', () => node.createHmac('sha256', SECRET).update(JSON.stringify(obj)).digest('hex'));
    add('prepare', name, 'webcrypto', async () => toHex(await subtle.sign('HMAC', webKey, encoder.encode(JSON.stringify(obj)))), true);
    add('prepare', name, 'noble', () => noble.bytesToHex(noble.hmac(noble.sha256, keyBytes, noble.utf8ToBytes(JSON.stringify(obj)))));
  }

  // 2a. Sign only: a string (the body) in, hex out.
  for (const name of INPUT_NAMES) {
    const text = bodies[name];
    add('sign', name, 'sdk', () => cbpay.sign(text));
    if (node) add('sign', name, 'node:crypto', () => node.createHmac('sha256', SECRET).update(text).digest('hex'));
    add('sign', name, 'webcrypto', async () => toHex(await subtle.sign('HMAC', webKey, encoder.encode(text))), true);
    add('sign', name, 'noble', () => noble.bytesToHex(noble.hmac(noble.sha256, keyBytes, noble.utf8ToBytes(text))));
  }
  // 2b. Sign only: bytes in (the ~600-byte body, already UTF-8), hex out.
  {
    const bytes = encoder.encode(bodies['initiate-3']);
    const name = 'initiate-3-bytes';
    add('sign', name, 'sdk', () => cbpay.sign(bytes));
    if (node) add('sign', name, 'node:crypto', () => node.createHmac('sha256', SECRET).update(bytes).digest('hex'));
    add('sign', name, 'webcrypto', async () => toHex(await subtle.sign('HMAC', webKey, bytes)), true);
    add('sign', name, 'noble', () => noble.bytesToHex(noble.hmac(noble.sha256, keyBytes, bytes)));
  }

  // 2c. Verify a callback: raw body + headers in. The SDK also checks the client id header and
  // parses the body into a typed event with exact decimal amounts; the baselines check the
  // client id header and the signature in constant time, once without parsing ("check") and
  // once with JSON.parse of the body ("+parse", lossy: amounts become doubles).
  const raw = callbackRaw;
  const parse = (bytes) => JSON.parse(decoder.decode(bytes));
  add('verify', 'callback', 'sdk', () => cbpay.verifyCallback(raw, callbackHeaders));
  if (node) {
    const nodeCheck = () => {
      const sig = header(callbackHeaders, 'signature');
      if (header(callbackHeaders, 'cbpay-api-key') !== CLIENT_ID || typeof sig !== 'string') return false;
      const expected = node.createHmac('sha256', SECRET).update(raw).digest('hex');
      return sig.length === expected.length && node.timingSafeEqual(node.Buffer.from(sig), node.Buffer.from(expected));
    };
    add('verify', 'callback', 'node:crypto', () => nodeCheck());
    // In Node the raw body is a Buffer (what http / express.raw() hand over).
    add('verify', 'callback', 'node:crypto+parse', () => (nodeCheck() ? JSON.parse(raw.toString('utf8')) : null));
  }
  const webCheck = async () => {
    const sig = fromHex64(header(callbackHeaders, 'signature'));
    if (header(callbackHeaders, 'cbpay-api-key') !== CLIENT_ID || !sig) return false;
    return subtle.verify('HMAC', webKey, sig, raw); // constant-time by specification
  };
  add('verify', 'callback', 'webcrypto', () => webCheck(), true);
  add('verify', 'callback', 'webcrypto+parse', async () => ((await webCheck()) ? parse(raw) : null), true);
  const nobleCheck = () => {
    const sig = fromHex64(header(callbackHeaders, 'signature'));
    if (header(callbackHeaders, 'cbpay-api-key') !== CLIENT_ID || !sig) return false;
    return ctEqual(noble.hmac(noble.sha256, keyBytes, raw), sig);
  };
  add('verify', 'callback', 'noble', () => nobleCheck());
  add('verify', 'callback', 'noble+parse', () => (nobleCheck() ? parse(raw) : null));

  return { cases, bodies, cbpay };
}

/**
 * Run each case once and check it does the same work as the SDK: the same signature for
 * prepare/sign, an accepted callback for verify. Returns a list of problems (empty when fine).
 */
export async function checkEquivalence(cases) {
  const problems = [];
  const sdk = {};
  const results = [];
  for (const c of cases) {
    let out;
    try {
      out = await c.fn();
    } catch (e) {
      problems.push(`${c.section}/${c.input}/${c.impl}: threw ${e?.message}`);
      continue;
    }
    results.push([c, out]);
    if (c.impl === 'sdk') sdk[`${c.section}/${c.input}`] = out;
  }
  for (const [c, out] of results) {
    const ref = sdk[`${c.section}/${c.input}`];
    if (c.section === 'prepare') {
      const got = c.impl === 'sdk' ? out.headers.SIGNATURE : out;
      if (!ref || got !== ref.headers.SIGNATURE) problems.push(`prepare/${c.input}/${c.impl}: signature differs from the SDK's`);
    } else if (c.section === 'sign') {
      if (out !== ref || !/^[0-9a-f]{64}$/.test(out)) problems.push(`sign/${c.input}/${c.impl}: ${out} differs from the SDK's ${ref}`);
    } else if (c.section === 'verify') {
      const ok = c.impl === 'sdk' ? out && out.is_paid === true : c.impl.endsWith('+parse') ? out && out.status === 'SUCCESS' : out === true;
      if (!ok) problems.push(`verify/${c.input}/${c.impl}: did not accept the genuine callback`);
    }
  }
  return problems;
}
