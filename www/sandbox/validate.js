// Body validation for POST /pay/gateway/initiate and /pay/gateway/request.
//
// Returns null when the body is fine, otherwise a reason naming the field and the problem
// (sent back as { result: false, error: "Bad Request", reason }). The sandbox is meant to be a
// strict oracle for the SDK, so it is stricter than the docs in two places, both following our
// decisions in coinbar-api.md: keys must appear in the documented order, and unknown keys are
// rejected.

import { FIATS, isCoin, coinCodes } from './coins.js';
import { add, decimalFromNumber, isZero, mul } from './decimal.js';

const INITIATE_FIELDS = ['service_client_id', 'payment_request_id', 'input_coin', 'products', 'email', 'surname', 'name', 'user_id', 'timestamp', 'destination_coin'];
const REQUEST_FIELDS = ['service_client_id', 'payment_request_id', 'input_coin', 'products', 'email', 'surname', 'name', 'user_id', 'timestamp', 'urlcallback'];
const OPTIONAL = new Set(['surname', 'name', 'urlcallback']);
const PRODUCT_FIELDS = ['product_name', 'product_price', 'product_amount', 'product_id', 'product_type'];

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Unknown keys, missing required keys and keys out of the documented order. */
function checkKeys(obj, fields, optional, where) {
  const keys = Object.keys(obj);
  const unknown = keys.find((k) => !fields.includes(k));
  if (unknown !== undefined) return `${where}${unknown}: unknown field`;
  const missing = fields.find((f) => !optional.has(f) && !(f in obj));
  if (missing !== undefined) return `${where}${missing}: required field is missing`;
  for (let i = 1; i < keys.length; i++) {
    if (fields.indexOf(keys[i]) < fields.indexOf(keys[i - 1])) {
      return `${where}${keys[i]}: field out of the documented order (must come before ${keys[i - 1]})`;
    }
  }
  return null;
}

function checkProduct(p, i) {
  const at = `products[${i}].`;
  if (!isPlainObject(p)) return `products[${i}]: must be an object, got ${typeName(p)}`;
  const keyProblem = checkKeys(p, PRODUCT_FIELDS, new Set(), at);
  if (keyProblem) return keyProblem;
  if (typeof p.product_name !== 'string') return `${at}product_name: must be a string`;
  if (typeof p.product_price !== 'number' || !Number.isFinite(p.product_price)) {
    return `${at}product_price: must be a number, got ${typeName(p.product_price)}`;
  }
  if (p.product_price < 0) return `${at}product_price: must be >= 0`;
  if (!Number.isSafeInteger(p.product_amount) || p.product_amount < 1) {
    return `${at}product_amount: must be a positive integer`;
  }
  if (typeof p.product_id !== 'string') return `${at}product_id: must be a string`;
  if (typeof p.product_type !== 'string') return `${at}product_type: must be a string`;
  return null;
}

/** Exact fiat total of the product lines: sum(price × amount) in BigInt decimals. */
export function productsTotal(products) {
  return products.reduce((sum, p) => add(sum, mul(decimalFromNumber(p.product_price), decimalFromNumber(p.product_amount))), { units: 0n, scale: 0 });
}

/**
 * @param {object} body parsed JSON body
 * @param {'initiate'|'request'} kind
 * @param {{ clientId: string, now: number, timestampWindowMs: number }} ctx
 */
export function validatePaymentBody(body, kind, ctx) {
  if (!isPlainObject(body)) return `body: must be a JSON object, got ${typeName(body)}`;
  const fields = kind === 'initiate' ? INITIATE_FIELDS : REQUEST_FIELDS;
  const keyProblem = checkKeys(body, fields, OPTIONAL, '');
  if (keyProblem) return keyProblem;

  if (body.service_client_id !== ctx.clientId) {
    return 'service_client_id: must equal the CBPAY-API-KEY header';
  }
  if (typeof body.payment_request_id !== 'string' || body.payment_request_id === '') {
    return 'payment_request_id: must be a non-empty string';
  }
  if (body.payment_request_id.length > 255) return 'payment_request_id: must be at most 255 characters';
  if (!FIATS.includes(body.input_coin)) return `input_coin: must be one of ${FIATS.join(', ')}`;
  if (!Array.isArray(body.products)) return `products: must be an array, got ${typeName(body.products)}`;
  if (body.products.length === 0) return 'products: must contain at least one product';
  for (let i = 0; i < body.products.length; i++) {
    const problem = checkProduct(body.products[i], i);
    if (problem) return problem;
  }
  if (isZero(productsTotal(body.products))) return 'products: the total must be greater than 0';
  if (typeof body.email !== 'string' || !body.email.includes('@')) {
    return 'email: must be a string containing "@"';
  }
  for (const f of ['surname', 'name']) {
    if (f in body && typeof body[f] !== 'string') return `${f}: must be a string when present`;
  }
  if (typeof body.user_id !== 'string') return `user_id: must be a string, got ${typeName(body.user_id)}`;
  if (!Number.isSafeInteger(body.timestamp) || body.timestamp < 0) {
    return 'timestamp: must be an integer number of milliseconds since the epoch';
  }
  const skew = Math.abs(ctx.now - body.timestamp);
  if (skew > ctx.timestampWindowMs) {
    return `timestamp: more than ${ctx.timestampWindowMs} ms away from the server time (off by ${skew} ms; seconds instead of milliseconds?)`;
  }
  if (kind === 'initiate' && !isCoin(body.destination_coin)) {
    return `destination_coin: must be one of ${coinCodes().join(', ')}`;
  }
  if (kind === 'request' && 'urlcallback' in body) {
    if (typeof body.urlcallback !== 'string' || !/^https?:\/\//i.test(body.urlcallback)) {
      return 'urlcallback: must be an http(s) URL string when present';
    }
  }
  return null;
}
