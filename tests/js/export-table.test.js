// scripts/wasm-export-table.mjs (the server build's cold-start step) on a copy of the browser
// build: the moved exports leave the export list for one funcref table, the kept ones stay,
// the patched glue answers exactly like the original, and a second run refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { baseInput } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/wasm-export-table.mjs');
const KEEP = '__wbindgen_start,max_input_bytes,__wbindgen_malloc,__wbindgen_realloc,__wbindgen_free';

test('exports move into a table and the patched glue answers like the original', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'export-table-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(root, 'pkg/dist/browser'), dir, { recursive: true });
  const wasm = join(dir, 'coinbar_pay_bg.wasm');
  const glue = join(dir, 'coinbar_pay.js');
  execFileSync(process.execPath, [script, wasm, glue, KEEP], { cwd: root });

  const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasm)));
  const fns = exports.filter((e) => e.kind === 'function').map((e) => e.name).sort();
  assert.deepEqual(fns, KEEP.split(',').sort(), 'only the kept functions stay exports');
  assert.ok(!fns.includes('validate_initiate') && !fns.includes('cart_total'), 'moved exports are gone');
  assert.ok(exports.some((e) => e.name === '__wbg_exports' && e.kind === 'table'));

  const original = await import(pathToFileURL(join(root, 'pkg/dist/browser/coinbar_pay.js')).href);
  const patched = await import(pathToFileURL(glue).href);
  original.initSync({ module: readFileSync(join(root, 'pkg/dist/browser/coinbar_pay_bg.wasm')) });
  patched.initSync({ module: readFileSync(wasm) });
  const bad = JSON.stringify({ ...baseInput(), email: 'nope', products: [] });
  const products = JSON.stringify(baseInput().products);
  for (const [name, args] of [
    ['validate_initiate', [JSON.stringify(baseInput())]],
    ['validate_initiate', [bad]],
    ['cart_total', [products]],
    ['status_info', ['success']],
    ['convert_amount', ['3.97', '52372.33459748911', 8]],
  ]) {
    assert.equal(patched[name](...args), original[name](...args), name);
  }
  assert.throws(() => patched.cart_total('[]'), /products/);

  assert.throws(
    () => execFileSync(process.execPath, [script, wasm, glue, KEEP], { cwd: root, stdio: 'pipe' }),
    /already processed/,
    'a second run refuses',
  );
});
