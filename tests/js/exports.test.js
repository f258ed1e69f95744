// The boundary between the JS shell and the core (src/wasm/mod.rs): two dispatchers chosen
// by op code, every export returning at most one value (V8 in Node 20 compiles a JS-to-wasm
// wrapper with TurboFan, at module compile time, for each exported signature with several
// results: ~0.8 ms of cold start each), and every op the shell names defined by the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import binaryen from 'binaryen';
import * as serverGlue from '../../pkg/dist/server/coinbar_pay.js';
import * as browserGlue from '../../pkg/dist/browser/coinbar_pay.js';

const ROOT = new URL('../../', import.meta.url);
const wasm = (flavor) => readFileSync(new URL(`pkg/dist/${flavor}/coinbar_pay_bg.wasm`, ROOT));

for (const flavor of ['server', 'browser']) {
  test(`${flavor} .wasm: every function export returns at most one value`, () => {
    const m = binaryen.readBinary(wasm(flavor));
    const results = {};
    for (let i = 0; i < m.getNumExports(); i++) {
      const e = binaryen.getExportInfo(m.getExportByIndex(i));
      if (e.kind !== binaryen.ExternalFunction) continue;
      results[e.name] = binaryen.expandType(binaryen.getFunctionInfo(m.getFunction(e.value)).results).length;
    }
    m.dispose();
    assert.ok('call' in results, 'the dispatcher is exported');
    assert.deepEqual(
      Object.entries(results).filter(([, n]) => n > 1),
      [],
      'exports with several results',
    );
    const dispatchers = Object.keys(results).filter((n) => !n.startsWith('__'));
    assert.deepEqual(dispatchers.sort(), flavor === 'server' ? ['call', 'signing_client', 'signingclient_call'] : ['call']);
  });
}

test('every Op / ClientOp the shell names is one the core defines', () => {
  const src = new URL('pkg/src/', ROOT);
  const used = { Op: new Set(), ClientOp: new Set() };
  for (const file of readdirSync(src).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(new URL(file, src), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const [, kind, name] of code.matchAll(/\b(Op|ClientOp)\.([A-Za-z]+)/g)) used[kind].add(name);
    // parseAnswer and validationList take the Op name as a string
    for (const [, name] of code.matchAll(/'(Parse\w+Response|Validate(?:Initiate|Request))'/g)) used.Op.add(name);
  }
  assert.ok(used.Op.size >= 10 && used.ClientOp.size >= 10, `found ${used.Op.size} Op and ${used.ClientOp.size} ClientOp names`);
  for (const name of used.Op) assert.equal(typeof serverGlue.Op[name], 'number', `Op.${name}`);
  for (const name of used.ClientOp) assert.equal(typeof serverGlue.ClientOp[name], 'number', `ClientOp.${name}`);
  assert.deepEqual(browserGlue.Op, serverGlue.Op, 'both builds have the same Op codes');
  // Every op the core defines is used by the shell (no dead op).
  const names = (e) => Object.keys(e).filter((k) => !/^\d+$/.test(k));
  assert.deepEqual(
    names(serverGlue.Op).filter((n) => !used.Op.has(n)),
    [],
  );
  assert.deepEqual(
    names(serverGlue.ClientOp).filter((n) => !used.ClientOp.has(n)),
    [],
  );
});

test('a core error crosses as a NUL-marked string and is thrown as a CoinbarError', async () => {
  const { cartTotal, CoinbarError } = await import('coinbar-pay');
  serverGlue.initSync({ module: wasm('server') });
  const raw = serverGlue.call(serverGlue.Op.CartTotal, '[]');
  assert.equal(raw.charCodeAt(0), 0);
  assert.equal(JSON.parse(raw.slice(1)).code, 'validation');
  assert.throws(
    () => cartTotal([]),
    (e) => e instanceof CoinbarError && e.code === 'validation',
  );
  assert.equal(serverGlue.call(undefined, ''), '\0unknown op code', 'a misspelt Op.X is undefined: 0, which no op has');
  assert.equal(serverGlue.call(99, ''), '\0unknown op code');
});
