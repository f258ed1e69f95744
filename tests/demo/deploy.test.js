// Deploying the whole demo on Cloudflare (issue 20 §5): `wrangler deploy --dry-run` of
// www/app/wrangler.toml builds the page's static assets ([build] + [assets]), bundles the worker
// (with coinbar-pay/ledger) with its D1 binding and Cron Trigger; `wrangler d1 migrations apply`
// applies the ledger's shipped migration + the shop's tables, and the worker runs on the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../../www/sandbox/server.js';
import { migrateFiles } from '../../www/app/migrate.js';
import { readMigrations } from '../../www/sqlite.js';
import { startWorker } from '../e2e/workerd.js';
import { checkout, coinbarEnv, getOrder, root } from './helpers.js';

const run = promisify(execFile);
const wrangler = (...args) =>
  run(join(root, 'node_modules/.bin/wrangler'), [...args, '-c', 'www/app/wrangler.toml'], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    timeout: 120_000,
  });

test('wrangler deploy --dry-run: static assets (the page), the worker with the ledger, D1 and the Cron Trigger', async () => {
  const out = mkdtempSync(join(tmpdir(), 'coinbar-deploy-'));
  const { stdout, stderr } = await wrangler('deploy', '--dry-run', '--outdir', out);
  const all = stdout + stderr;
  assert.match(all, /env\.DB \(coinbar-demo\)\s+D1 Database/);
  assert.match(all, /--dry-run: exiting now/);
  const files = readdirSync(out);
  assert.ok(files.includes('worker.js'), files.join(', '));
  assert.ok(
    files.some((f) => f.endsWith('.wasm')),
    'the SDK .wasm is uploaded as a module',
  );
  const bundle = readFileSync(join(out, 'worker.js'), 'utf8');
  assert.match(bundle, /scheduled/);
  assert.match(bundle, /coinbar_outbox|\$\{prefix\}outbox|outbox/, 'the ledger is in the bundle');
  assert.doesNotMatch(bundle, /from ["'](better-sqlite3|pg)["']|require\(["'](better-sqlite3|pg)["']\)|import\(["'](better-sqlite3|pg)["']\)/, 'no Node driver in the Workers bundle');
  // The assets the build step made: the page, the browser build, uqr, the security headers.
  const assets = join(root, 'out/demo-assets');
  for (const f of ['index.html', 'result.html', 'shop.js', 'pkg/src/browser.js', 'pkg/dist/browser/coinbar_pay.js', 'vendor/uqr/index.mjs', '_headers']) {
    assert.ok(existsSync(join(assets, f)), `asset ${f}`);
  }
  assert.ok(!existsSync(join(assets, 'pkg/src/node.js')) && !existsSync(join(assets, 'pkg/src/client.js')), 'no server module among the assets');
  const headers = readFileSync(join(assets, '_headers'), 'utf8');
  assert.match(headers, /\/index\.html\n {2}content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.match(headers, /frame-ancestors 'none'/);
  const toml = readFileSync(join(root, 'www/app/wrangler.toml'), 'utf8');
  assert.match(toml, /crons = \["\* \* \* \* \*"\]/);
  assert.match(toml, /\[assets\]\ndirectory = "\.\.\/\.\.\/out\/demo-assets"/);
  const { stdout: version } = await run(join(root, 'node_modules/.bin/wrangler'), ['--version']);
  assert.match(version, /^4\.85\./m);
});

test("wrangler d1 migrations apply: the ledger's migration + the shop's tables; the worker runs on the result (checkout, paid by the Cron Trigger)", async () => {
  const persist = mkdtempSync(join(tmpdir(), 'coinbar-wrangler-d1-'));
  const { stdout } = await wrangler('d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist);
  assert.match(stdout, /0001_coinbar_ledger\.sql/);
  assert.match(stdout, /0002_shop\.sql/);
  const d1Persist = join(persist, 'v3/d1');
  assert.ok(existsSync(d1Persist));
  const sb = await startSandbox({});
  const w = await startWorker(coinbarEnv(sb, { RECONCILE_AFTER_SECONDS: '0' }), { d1Persist, applyMigrations: false });
  try {
    const { status, body } = await checkout(w.url);
    assert.equal(status, 201, 'the schema wrangler applied is the one the worker uses');
    await fetch(`${sb.url}/__sandbox/payments/${body.payment_request_id}/pay`, { method: 'POST' });
    const r = await w.scheduled();
    assert.equal(r.outcome, 'ok');
    assert.equal((await getOrder(w.url, body.id)).is_paid, true);
    assert.deepEqual(
      (await w.db.all('SELECT state FROM coinbar_outbox')).map((x) => x.state),
      ['sent'],
    );
    // Our applier (the Node adapter's) reads wrangler's bookkeeping: nothing to do.
    assert.deepEqual(await migrateFiles(w.db, readMigrations()), []);
  } finally {
    await w.dispose();
    await sb.close();
  }
});
