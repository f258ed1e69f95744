// Deploying the demo backend on Cloudflare (issue 13 §7): `wrangler deploy --dry-run` of
// www/app/wrangler.toml bundles it with its D1 binding and Cron Trigger, and the migrations
// are in wrangler's D1 format: `wrangler d1 migrations apply` applies them, and the worker
// (in workerd, on that database) runs on the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../../www/sandbox/server.js';
import { migrate } from '../../www/app/migrate.js';
import { readMigrations } from '../../www/sqlite.js';
import { startWorker } from '../e2e/workerd.js';
import { checkout, coinbarEnv, root } from './helpers.js';

const run = promisify(execFile);
const wrangler = (...args) =>
  run(join(root, 'node_modules/.bin/wrangler'), [...args, '-c', 'www/app/wrangler.toml'], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    timeout: 120_000,
  });

test('wrangler deploy --dry-run bundles the worker with D1 and the Cron Trigger', async () => {
  const out = mkdtempSync(join(tmpdir(), 'coinbar-deploy-'));
  const { stdout } = await wrangler('deploy', '--dry-run', '--outdir', out);
  assert.match(stdout, /env\.DB \(coinbar-demo\)\s+D1 Database/);
  assert.match(stdout, /--dry-run: exiting now/);
  const files = readdirSync(out);
  assert.ok(files.includes('worker.js'), files.join(', '));
  assert.ok(files.some((f) => f.endsWith('.wasm')), 'the SDK .wasm is uploaded as a module');
  const bundle = readFileSync(join(out, 'worker.js'), 'utf8');
  assert.match(bundle, /scheduled/);
  assert.doesNotMatch(bundle, /better-sqlite3/, 'no Node driver in the Workers bundle');
  const toml = readFileSync(join(root, 'www/app/wrangler.toml'), 'utf8');
  assert.match(toml, /crons = \["\* \* \* \* \*"\]/);
  const { stdout: version } = await run(join(root, 'node_modules/.bin/wrangler'), ['--version']);
  assert.match(version, /^4\.85\./m);
});

test("the migrations are in wrangler's D1 format: wrangler applies them, the worker runs on the result", async () => {
  const persist = mkdtempSync(join(tmpdir(), 'coinbar-wrangler-d1-'));
  const { stdout } = await wrangler('d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist);
  assert.match(stdout, /0001_orders\.sql/);
  const d1Persist = join(persist, 'v3/d1');
  assert.ok(existsSync(d1Persist));
  const sb = await startSandbox({});
  const w = await startWorker(coinbarEnv(sb), { d1Persist, applyMigrations: false });
  try {
    const { status } = await checkout(w.url);
    assert.equal(status, 201, 'the schema wrangler applied is the one the worker uses');
    // Our applier (used by the Node adapter and tests) reads wrangler's bookkeeping: nothing to do.
    assert.deepEqual(await migrate(w.db, readMigrations()), []);
  } finally {
    await w.dispose();
    await sb.close();
  }
});
