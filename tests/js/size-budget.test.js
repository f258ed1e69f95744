// Size budget: every file the package ships that a runtime loads (the two .wasm builds, each
// JavaScript file of pkg/package.json `files`) and the browser payload as a page gets it
// (`coinbar-pay/browser` bundled by esbuild with --minify), each gzip -9, against the budget
// recorded in bench/size-budget.json. A file that grew past its budget fails, printing its new
// size and the budget, so no change adds kilobytes unnoticed.
//
// Record new budgets (current size + 1%, rounded up) after a deliberate change, or to lower them
// after a file shrank:  UPDATE_SIZE_BUDGET=1 node --test tests/js/size-budget.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { browserPayload } from '../../bench/lib/browser-payload.mjs';

const ROOT = new URL('../../', import.meta.url);
const BUDGET_FILE = new URL('bench/size-budget.json', ROOT);
const MARGIN = 0.01;
const UPDATE = process.env.UPDATE_SIZE_BUDGET === '1';
const BROWSER_PAYLOAD = 'coinbar-pay/browser (esbuild --minify)';

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The JavaScript files pkg/package.json ships (folders listed there expanded), sorted. */
function shippedScripts() {
  const { files } = JSON.parse(readFileSync(new URL('pkg/package.json', ROOT), 'utf8'));
  const expand = (path) => {
    const url = new URL(`pkg/${path}`, ROOT);
    if (!existsSync(url)) return [path]; // a missing file fails below, by name
    if (!statSync(url).isDirectory()) return [path];
    return readdirSync(url, { withFileTypes: true }).flatMap((d) => expand(`${path.replace(/\/$/, '')}/${d.name}${d.isDirectory() ? '/' : ''}`));
  };
  return files
    .flatMap(expand)
    .filter((p) => /\.(js|mjs|cjs)$/.test(p))
    .sort();
}

/** Every measured file: its name in the budget and its gzip -9 size in bytes. */
async function measure() {
  const sizes = {};
  for (const flavor of ['server', 'browser']) {
    const path = `dist/${flavor}/coinbar_pay_bg.wasm`;
    sizes[`pkg/${path}`] = gzip(readFileSync(new URL(`pkg/${path}`, ROOT)));
  }
  for (const path of shippedScripts()) {
    const url = new URL(`pkg/${path}`, ROOT);
    assert.ok(existsSync(url), `pkg/package.json ships pkg/${path}, which does not exist (make build)`);
    sizes[`pkg/${path}`] = gzip(readFileSync(url));
  }
  sizes[BROWSER_PAYLOAD] = (await browserPayload(new URL('.', ROOT).pathname)).gzip; // the bench's own measurement
  return sizes;
}

/** What breaks the budget: files over it (with size and budget), files without one, budgets of files gone. */
function verdict(sizes, budget) {
  const over = [];
  const unbudgeted = [];
  for (const [name, size] of Object.entries(sizes)) {
    if (budget[name] === undefined) unbudgeted.push(`${name}: ${size} B gzip, no budget recorded`);
    else if (size > budget[name]) over.push(`${name}: ${size} B gzip, over its budget of ${budget[name]} B by ${size - budget[name]} B`);
  }
  const gone = Object.keys(budget).filter((name) => !(name in sizes));
  return { over, unbudgeted, gone };
}

test('every shipped file and the browser payload stay within their recorded gzip -9 budget', async () => {
  const sizes = await measure();
  const recorded = JSON.parse(readFileSync(BUDGET_FILE, 'utf8'));
  if (UPDATE) {
    const budget = Object.fromEntries(Object.entries(sizes).map(([name, size]) => [name, Math.ceil(size * (1 + MARGIN))]));
    writeFileSync(BUDGET_FILE, `${JSON.stringify({ ...recorded, budget }, null, 2)}\n`);
    console.log(`size budget: ${Object.keys(budget).length} files recorded in bench/size-budget.json`);
    return;
  }
  const { over, unbudgeted, gone } = verdict(sizes, recorded.budget);
  const hint = 'if the change is deliberate: UPDATE_SIZE_BUDGET=1 node --test tests/js/size-budget.test.js';
  assert.deepEqual(over, [], `files grew past their budget (${hint}):\n  ${over.join('\n  ')}`);
  assert.deepEqual(unbudgeted, [], `shipped files without a budget (${hint}):\n  ${unbudgeted.join('\n  ')}`);
  assert.deepEqual(gone, [], `budgets of files no longer shipped (${hint})`);
});

test('the budget check names a file one byte over its budget, a file without one, and a budget without a file', () => {
  const v = verdict({ 'pkg/a.js': 1001, 'pkg/b.js': 1000, 'pkg/new.js': 5 }, { 'pkg/a.js': 1000, 'pkg/b.js': 1000, 'pkg/old.js': 7 });
  assert.deepEqual(v.over, ['pkg/a.js: 1001 B gzip, over its budget of 1000 B by 1 B']);
  assert.deepEqual(v.unbudgeted, ['pkg/new.js: 5 B gzip, no budget recorded']);
  assert.deepEqual(v.gone, ['pkg/old.js']);
});
