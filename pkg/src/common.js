// The secret-free half of the JS shell, shared by the server and browser builds: value
// conversion (JSON text in and out of the core), option reading, and the free functions,
// over the one glue module the runtime entry bound (src/glue.js). Every rule and format
// lives in Rust (src/); nothing here decides what is valid. The core is reached through two
// exports, `glue.call(glue.Op.X, text, …)` and `SigningClient#call(glue.ClientOp.X, …)`
// (src/wasm/mod.rs says what each op reads); the op codes are the Rust enums wasm-bindgen
// exports into the glue, never numbers written here.
import { inputError, toCoinbarError, CoinbarError } from './error.js';
import { glue, maxInputBytes } from './glue.js';

/** Run one of the core's secret-free operations (`Op`) on a text, with optional arguments. */
function run(op, text, s1, s2, s3, n) {
  return call(() => answerOf(glue.call(op, text, s1, s2, s3, n)));
}

/**
 * What a core call returned: its result string, or, after a NUL character, the JSON of the
 * error it raised (src/wasm/mod.rs: one return value per export), thrown as a CoinbarError.
 */
export function answerOf(r) {
  if (typeof r === 'string' && r.charCodeAt(0) !== 0) return r;
  throw toCoinbarError(typeof r === 'string' ? r.slice(1) : r);
}

/** Run a glue call, turning anything it throws into a CoinbarError. */
export function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw toCoinbarError(e);
  }
}

/**
 * A text argument bounded before it is copied into wasm memory (which never shrinks): a
 * string of at most `maxInputBytes` characters, else a validation error naming `field`.
 */
export function boundedText(value, what, field) {
  if (typeof value !== 'string') throw inputError(what, field, 'must be a string');
  if (value.length > maxInputBytes) throw inputError(what, field, `is too large (more than ${maxInputBytes} characters)`);
  return value;
}

/** A time in milliseconds given as an argument (gateway URLs): a finite number. */
export function timestampArg(value, what) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw inputError(what, 'timestamp', 'must be a finite number of milliseconds since the epoch');
  }
  return value;
}

/** JSON text of a merchant value, as JSON.stringify makes it (the bytes the core checks). */
export function toJsonText(value, what, field) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw inputError(what, field, `cannot be converted to JSON (${e?.message})`, e);
  }
  if (text === undefined) return 'null';
  if (text.length > maxInputBytes) {
    throw inputError(what, field, `is too large (more than ${maxInputBytes} bytes of JSON)`);
  }
  return text;
}

/**
 * Every broken rule of an initiate input: `[{ field, message }]`, empty when valid.
 * @param {unknown} input
 */
export function validateInitiate(input) {
  return validationList(input, 'initiate input', 'ValidateInitiate');
}

/**
 * Every broken rule of a Request New Payment input (no `destination_coin`; optional
 * `urlcallback`): `[{ field, message }]`, empty when valid.
 * @param {unknown} input
 */
export function validateRequest(input) {
  return validationList(input, 'request input', 'ValidateRequest');
}

function validationList(input, what, op) {
  let text;
  try {
    text = toJsonText(input, what, 'input');
  } catch (e) {
    return e.errors ?? [{ field: 'input', message: e.message }];
  }
  return JSON.parse(run(glue.Op[op], text));
}

/**
 * The exact total of product lines as a decimal string (`"3.97"`).
 * @param {unknown} products
 */
export function cartTotal(products) {
  const text = toJsonText(products, 'products', 'products');
  return run(glue.Op.CartTotal, text);
}

/**
 * Split the options object; hostile objects (throwing getters, proxies) are config errors.
 * Only own properties count: a polluted Object.prototype (say `secretKey` or `fetch` set
 * on it) must never become an option.
 */
export function readOptions(options) {
  try {
    if (options === null || typeof options !== 'object') throw new CoinbarError('config', 'options: must be an object');
    const own = ownProperties(options);
    const { secretKey, fetch: fetchImpl, allowBrowser, ...rest } = own;
    if (fetchImpl !== undefined && typeof fetchImpl !== 'function') {
      throw new CoinbarError('config', 'fetch: must be a function');
    }
    if (allowBrowser !== undefined && typeof allowBrowser !== 'boolean') {
      throw new CoinbarError('config', 'allowBrowser: must be true or false');
    }
    return { secretKey, fetchImpl, allowBrowser: allowBrowser === true, rest };
  } catch (e) {
    if (e instanceof CoinbarError) throw e;
    throw new CoinbarError('config', `options: could not be read (${e?.message})`, { cause: e });
  }
}

/**
 * A copy of an object's own enumerable string-keyed properties, with no prototype: reading
 * an option that is not there gives undefined, never something inherited.
 */
export function ownProperties(object) {
  const copy = Object.create(null);
  for (const key of Object.keys(object)) copy[key] = object[key];
  return copy;
}

/**
 * Informative conversion of a fiat amount into a coin at a quoted rate (fiat per coin),
 * rounded to `decimals` places: the "≈ 0.0000758 BTC" next to a cart total. The amount
 * the customer pays is always the one Coinbar returns at initiate.
 */
export function convertAmount(amount, rate, decimals = 8) {
  boundedText(amount, 'conversion', 'amount');
  boundedText(rate, 'conversion', 'rate');
  if (!Number.isInteger(decimals) || decimals < 0) throw inputError('conversion', 'decimals', 'must be from 0 to 28');
  return run(glue.Op.ConvertAmount, amount, rate, undefined, undefined, decimals);
}

/**
 * `{ status, known, is_final, is_paid }` for a status string (case-insensitive; unknown
 * statuses are kept as sent, with `known: false`).
 */
export function statusInfo(status) {
  boundedText(status, 'status', 'status');
  return JSON.parse(run(glue.Op.StatusInfo, status));
}

/**
 * The hosted payment page URL: `gatewayUrl({ serviceClientId, baseUrl | environment }, requestToken, timestamp?)`.
 * Needs no secret, so it works in the browser build too.
 */
export function gatewayUrl(options, requestToken, timestamp = Date.now()) {
  const { rest } = readOptions(options);
  boundedText(requestToken, 'gateway request', 'requestToken');
  timestampArg(timestamp, 'gateway request');
  const [serviceClientId, environment, baseUrl] = settingsOf(rest, GATEWAY_SETTINGS);
  return run(glue.Op.GatewayUrl, requestToken, serviceClientId, environment, baseUrl, timestamp);
}

/**
 * Parse a Coinbar answer (HTTP status and body text) with one of the core's readers (the
 * name of its `Op`). An answer over `maxInputBytes` is refused before it is copied into
 * wasm memory.
 */
export function parseAnswer(op, status, text) {
  if (typeof text !== 'string') throw inputError('Coinbar answer', 'body', 'must be the response body text');
  if (!Number.isInteger(status) || status < 100 || status > 599) throw inputError('Coinbar answer', 'status', 'must be an HTTP status code');
  if (text.length > maxInputBytes) {
    throw new CoinbarError('decode', `Coinbar's answer is larger than ${maxInputBytes} bytes (HTTP ${status}); not read`, { status });
  }
  return JSON.parse(run(glue.Op[op], text, undefined, undefined, undefined, status));
}

/** Read Coinbar's answer to initiate (HTTP status + body text). */
export const parseInitiateResponse = (status, text) => parseAnswer('ParseInitiateResponse', status, text);
/** Read Coinbar's answer to the status call. */
export const parsePaymentStatus = (status, text) => parseAnswer('ParseStatusResponse', status, text);
/** Read Coinbar's answer to the quotes call. */
export const parseQuotes = (status, text) => parseAnswer('ParseQuotesResponse', status, text);
/** Read Coinbar's answer to the report call. */
export const parseReport = (status, text) => parseAnswer('ParseReportResponse', status, text);

/** The options the core checks, and the type each must have before it crosses over. */
const SETTINGS = { serviceClientId: 'string', environment: 'string', baseUrl: 'string', timeoutMs: 'number', maxRetries: 'number' };
/** The options a gateway URL needs (`gatewayUrl` without a client). */
const GATEWAY_SETTINGS = { serviceClientId: 'string', environment: 'string', baseUrl: 'string' };

/**
 * The core's settings from an options object (after readOptions took secretKey, fetch and
 * allowBrowser out): `[serviceClientId, environment, baseUrl, timeoutMs, maxRetries]`, each
 * undefined when not given. Unknown names and wrong types are refused here, by name; every
 * rule on the values is the core's.
 * @param {Record<string, unknown>} rest
 * @param {Record<string, string>} [known] the settings wanted, in the order returned, with their types
 * @param {string} [unknown] what an unknown name is called in the error
 * @returns {any[]}
 */
export function settingsOf(rest, known = SETTINGS, unknown = 'is not a known option') {
  for (const key of Object.keys(rest)) {
    if (!Object.hasOwn(known, key)) {
      const names = known === SETTINGS ? [...Object.keys(known), 'secretKey', 'fetch'] : ['signal', ...Object.keys(known)];
      throw new CoinbarError('config', `${key}: ${unknown} (known: ${names.join(', ')})`, { option: key });
    }
  }
  return Object.entries(known).map(([key, type]) => {
    const value = Object.hasOwn(rest, key) ? rest[key] : undefined; // never an inherited one
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type) throw new CoinbarError('config', `${key}: must be a ${type}`, { option: key });
    return value;
  });
}
