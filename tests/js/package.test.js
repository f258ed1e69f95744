// The package surface: every runtime export is declared in the .d.ts, and the declarations
// use no `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as pkg from 'coinbar-pay';

const dts = readFileSync(new URL('../../pkg/types/index.d.ts', import.meta.url), 'utf8');
const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

test('no `any` in the public types', () => {
  assert.doesNotMatch(code, /\bany\b/);
});

test('every runtime export is declared, and nothing undeclared is exported', () => {
  const exported = Object.keys(pkg).sort();
  assert.deepEqual(exported, [
    'CoinbarError',
    'CoinbarPay',
    'cartTotal',
    'convertAmount',
    'gatewayUrl',
    'init',
    'memoryStore',
    'parseInitiateResponse',
    'parsePaymentStatus',
    'parseQuotes',
    'parseReport',
    'statusInfo',
    'validateInitiate',
    'validateRequest',
  ]);
  for (const name of exported) {
    assert.match(code, new RegExp(`export declare (class|function|const) ${name}\\b`), name);
  }
});

test('CoinbarError is a real Error subclass with a name and code', () => {
  const e = new pkg.CoinbarError('http', 'boom', { status: 502, body: 'x' });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'CoinbarError');
  assert.equal(e.code, 'http');
  assert.equal(e.status, 502);
  assert.match(e.stack, /CoinbarError: boom/);
});
