// JSON writing with exact decimal numbers.
//
// Coinbar returns amounts such as 0.00045145423250897323 that a JS double cannot hold, so the
// sandbox cannot build its responses with plain JSON.stringify. A value wrapped in RawNumber is
// written as its decimal text, verbatim, as a JSON number; everything else is JSON.stringify's.

import { formatDecimal } from './decimal.js';

export class RawNumber {
  /** @param {string} text plain decimal text such as "0.00045145423250897321" */
  constructor(text) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
      throw new TypeError(`not a JSON number: ${text}`);
    }
    this.text = text;
  }

  static of(decimal) {
    return new RawNumber(formatDecimal(decimal));
  }

  /** For places that only need an approximate value (e.g. the HTML page). */
  toNumber() {
    return Number(this.text);
  }

  toString() {
    return this.text;
  }
}

/** Like JSON.stringify(value, null, indent) but RawNumber values keep every digit. */
export function stringifyJson(value, indent = 0) {
  return write(value, indent ? ' '.repeat(indent) : '', '');
}

function write(value, unit, pad) {
  if (value instanceof RawNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof value.toJSON === 'function') return write(value.toJSON(), unit, pad);
  const inner = pad + unit;
  const sep = unit ? `,\n${inner}` : ',';
  const open = unit ? `\n${inner}` : '';
  const close = unit ? `\n${pad}` : '';
  const colon = unit ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => write(v === undefined ? null : v, unit, inner)).join(sep)}${close}]`;
  }
  const parts = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function') continue;
    parts.push(`${JSON.stringify(key)}${colon}${write(v, unit, inner)}`);
  }
  if (parts.length === 0) return '{}';
  return `{${open}${parts.join(sep)}${close}}`;
}
