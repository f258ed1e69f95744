// The boundary between the JS shell and the core (src/wasm.rs, src/ops): two dispatchers chosen
// by op code, every export returning at most one value (V8 in Node 20 compiles a JS-to-wasm
// wrapper with TurboFan, at module compile time, for each exported signature with several
// results: ~0.8 ms of cold start each), and one generated module, pkg/src/ops.js, the only
// caller of the dispatchers, with a wrapper for every op the core declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import binaryen from 'binaryen';
import * as serverGlue from '../../pkg/dist/server/coinbar_pay.js';

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

test('only the generated ops.js calls the dispatchers, and every op it wraps is used by the shell', () => {
  const src = new URL('pkg/src/', ROOT);
  const strip = (code) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const files = readdirSync(src, { recursive: true }).filter((f) => f.endsWith('.js'));
  const callers = files.filter((f) => /\bglue\.call\(|\.call\(\s*\d+\s*,|signing_client\(/.test(strip(readFileSync(new URL(f, src), 'utf8'))));
  assert.deepEqual(callers, ['ops.js']);
  const ops = readFileSync(new URL('ops.js', src), 'utf8');
  const free = [...ops.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
  const client = [...ops.matchAll(/^  (\w+)\([^)]*\) \{/gm)].map((m) => m[1]).filter((n) => n !== 'constructor' && n !== 'free');
  assert.ok(free.length >= 13 && client.length >= 17, `found ${free.length} free and ${client.length} client ops`);
  const shell = files
    .filter((f) => f !== 'ops.js')
    .map((f) => strip(readFileSync(new URL(f, src), 'utf8')))
    .join('\n');
  const unused = [...free.filter((n) => !new RegExp(`ops\\.${n}\\b`).test(shell)), ...client.filter((n) => !new RegExp(`\\.${n}\\(`).test(shell))];
  assert.deepEqual(unused, [], 'ops no shell module calls');
  // The limit is the core's constant, generated into ops.js: loading makes no call into the module.
  assert.match(ops, /^export const MAX_INPUT_BYTES = 1048576;$/m);
  assert.doesNotMatch(strip(readFileSync(new URL('glue.js', src), 'utf8')), /\bmaxInputBytes\(|glue\.call\(/, 'bind calls nothing');
});

test('a core error crosses as a NUL-marked string and is thrown as a CoinbarError', async () => {
  const { cartTotal, CoinbarError } = await import('coinbar-pay');
  serverGlue.initSync({ module: wasm('server') });
  const { Op } = await import('../../pkg/src/ops.js');
  const raw = serverGlue.call(Op.CartTotal, '[]');
  assert.equal(raw.charCodeAt(0), 0);
  assert.equal(JSON.parse(raw.slice(1)).code, 'validation');
  assert.throws(
    () => cartTotal([]),
    (e) => e instanceof CoinbarError && e.code === 'validation',
  );
  for (const code of [undefined, 0, 99]) {
    const wire = JSON.parse(serverGlue.call(code, '').slice(1));
    assert.deepEqual([wire.code, wire.message], ['config', 'unknown op code'], `code ${code}: no op has it (codes start at 1)`);
  }
});
