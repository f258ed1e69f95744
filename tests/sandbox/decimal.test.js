// The sandbox's exact decimal helpers and raw-number JSON writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, decimalFromNumber, divide, divideCeil, formatDecimal, mul, parseDecimal, toScaledInteger } from '../../www/sandbox/decimal.js';
import { RawNumber, stringifyJson } from '../../www/sandbox/json.js';

const fmt = (text) => formatDecimal(parseDecimal(text));

test('parse and format: plain, exponent and trailing-zero forms', () => {
  assert.equal(fmt('1.990'), '1.99');
  assert.equal(fmt('1e-7'), '0.0000001');
  assert.equal(fmt('1.5e+21'), '1500000000000000000000');
  assert.equal(fmt('-0.25'), '-0.25');
  assert.equal(fmt('0'), '0');
  assert.throws(() => parseDecimal('1,5'), TypeError);
  assert.equal(formatDecimal(decimalFromNumber(0.1)), '0.1');
});

test('add and mul are exact where doubles are not', () => {
  const d = (n) => decimalFromNumber(n);
  assert.equal(0.1 + 0.2 === 0.3, false);
  assert.equal(formatDecimal(add(d(0.1), d(0.2))), '0.3');
  assert.equal(formatDecimal(add(mul(d(1.99), d(1)), mul(d(0.99), d(2)))), '3.97');
  assert.equal(formatDecimal(mul(d(19.99), d(3))), '59.97');
});

test('divide: 20 significant digits, truncated, for small and large quotients', () => {
  const q = (a, b) => formatDecimal(divide(parseDecimal(a), parseDecimal(b)));
  assert.equal(q('8.99', '19913.425'), '0.00045145423250897321781'); // …321781|6 truncated
  assert.equal(q('2', '3'), '0.66666666666666666666');
  assert.equal(q('1e21', '0.01573'), '63572790845518118245000');
  assert.equal(q('10', '4'), '2.5');
  assert.equal(q('0', '7'), '0');
  assert.throws(() => q('1', '0'), RangeError);
  assert.equal(toScaledInteger(parseDecimal('0.0030635346415228282061'), 18), 3063534641522828n);
});

test('stringifyJson writes RawNumber digits verbatim and matches JSON.stringify otherwise', () => {
  const value = { a: 'x"/\u2028', b: [1, null, true, { c: 1e21 }], skip: undefined, n: new RawNumber('0.00045145423250897321') };
  assert.equal(stringifyJson(value), '{"a":"x\\"/\u2028","b":[1,null,true,{"c":1e+21}],"n":0.00045145423250897321}');
  const plain = { a: [1, 'two', { three: 3.5 }], b: {}, c: [] };
  assert.equal(stringifyJson(plain), JSON.stringify(plain));
  assert.equal(stringifyJson(plain, 2), JSON.stringify(plain, null, 2));
  assert.throws(() => new RawNumber('1.'), TypeError);
});

test('divideCeil: exact quotient rounded up to N decimals (never short), exact ones unchanged', () => {
  const q = (a, b, n) => formatDecimal(divideCeil(parseDecimal(a), parseDecimal(b), n));
  assert.equal(q('3.97', '52372.33459748911', 8), '0.00007581'); // 0.0000758033…
  assert.equal(q('8.99', '2934.5188', 18), '0.003063534641522829'); // …828|2061
  assert.equal(q('10', '4', 8), '2.5'); // exact: no extra unit
  assert.equal(q('1', '3', 6), '0.333334');
  assert.equal(q('0.00000001', '1000', 8), '0.00000001'); // never 0 for a positive total
  assert.equal(q('0', '7', 8), '0');
  assert.throws(() => q('1', '0', 8), RangeError);
});
