// The short version of the load and fault run (issue 7, §5) for the test command: 2,000
// initiates at concurrency 200 through the SDK against the local sandbox, without faults and
// with 10% injected faults and retries. The full 10,000-call runs are `make load`.
// Each run is its own process (tests/load/run.mjs, with --expose-gc for the RSS figures);
// the test fails on any violated property and prints the figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatResult } from './run.mjs';

const RUN = fileURLToPath(new URL('./run.mjs', import.meta.url));
const CALLS = Number(process.env.LOAD_CALLS ?? 2000);

function run(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', RUN, '--json', ...args], { maxBuffer: 16 << 20, timeout: 240_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`load run failed (${err?.message ?? 'no JSON'}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

test(`load: ${CALLS} initiates at concurrency 200, no faults: 0 errors, exactly ${CALLS} payments`, { timeout: 300_000 }, async () => {
  const r = await run(['--calls', String(CALLS), '--concurrency', '200']);
  console.log(formatResult(r));
  assert.deepEqual(r.violations, []);
  assert.equal(r.errors, 0);
  assert.equal(r.payments_created, CALLS);
  assert.equal(r.duplicates, 0);
  assert.equal(r.lost, 0);
});

for (const dedupe of [true, false])
  test(`load: ${CALLS} initiates with 10% injected faults, duplicate rule ${dedupe ? 'on' : 'off'}: typed outcomes only, nothing duplicated or lost`, { timeout: 300_000 }, async () => {
    const r = await run(['--calls', String(CALLS), '--concurrency', '200', '--faults', '0.1', ...(dedupe ? [] : ['--no-dedupe'])]);
    console.log(formatResult(r));
    assert.deepEqual(r.violations, []);
    assert.ok(r.faults_injected_total > CALLS * 0.05, `faults were injected (${r.faults_injected_total})`);
    assert.equal(r.duplicates, 0);
    assert.equal(r.lost, 0);
    assert.equal(r.errors_by_code.UNTYPED, undefined);
    if (r.after_merchant_retries) {
      assert.equal(r.after_merchant_retries.payments, CALLS);
      assert.equal(r.after_merchant_retries.duplicates, 0);
    } else {
      assert.equal(r.payments_created, CALLS);
    }
  });
