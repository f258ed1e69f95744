// The ledger's shipped migrations: the files match the schema source; wrangler applies the
// SQLite one to a local D1 (migrations_dir pointed at the package's folder) and ledger.migrate()
// then has nothing to do; `npx coinbar-pay migrate --db` on a SQLite file and a PostgreSQL URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createLedger, migrationSql } from 'coinbar-pay/ledger';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args) => run(process.execPath, [join(root, 'pkg/dist/cli.mjs'), 'migrate', ...args], { cwd: root, timeout: 60_000 });

test('the shipped migration files are the schema source (scripts/ledger-migrations.mjs)', () => {
  for (const d of ['sqlite', 'postgres']) {
    assert.equal(readFileSync(join(root, `pkg/migrations/${d}/0001_coinbar_ledger.sql`), 'utf8'), migrationSql(d));
  }
  const pkg = JSON.parse(readFileSync(join(root, 'pkg/package.json'), 'utf8'));
  assert.ok(pkg.files.includes('migrations/') && pkg.files.includes('src/ledger/'));
  assert.equal(pkg.exports['./ledger'].default, './src/ledger/index.js');
  assert.equal(pkg.dependencies, undefined, 'no runtime dependency');
  assert.deepEqual(Object.keys(pkg.peerDependenciesMeta).sort(), ['better-sqlite3', 'pg']);
});

test("wrangler d1 migrations apply with migrations_dir at the package's folder; ledger.migrate() agrees", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-wrangler-'));
  try {
    writeFileSync(
      join(dir, 'wrangler.toml'),
      `name = "ledger-check"\nmain = "worker.js"\ncompatibility_date = "2026-04-01"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "shop"\ndatabase_id = "00000000-0000-4000-8000-000000000000"\nmigrations_dir = "${join(root, 'pkg/migrations/sqlite')}"\n`,
    );
    writeFileSync(join(dir, 'worker.js'), 'export default { fetch() { return new Response("ok"); } };\n');
    const { stdout } = await run(join(root, 'node_modules/.bin/wrangler'), ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', join(dir, 'state'), '-c', join(dir, 'wrangler.toml')], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    assert.match(stdout, /0001_coinbar_ledger\.sql/);
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response("ok"); } };',
      d1Databases: { DB: '00000000-0000-4000-8000-000000000000' },
      d1Persist: join(dir, 'state/v3/d1'),
    });
    try {
      const ledger = createLedger({ db: await mf.getD1Database('DB') });
      assert.deepEqual(await ledger.migrate(), [], "wrangler's bookkeeping is read: nothing to apply");
      assert.ok(await ledger.reserve('quotes'), 'the tables wrangler created are the ledger’s');
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('coinbar-pay migrate --db <sqlite file> and --db <postgres URL>: applied once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  const { startPostgresCluster } = await import('../lib/postgres.mjs');
  const pg = await startPostgresCluster();
  try {
    const file = join(dir, 'shop.sqlite');
    assert.match((await cli('--db', file)).stdout, /applied 0001_coinbar_ledger\.sql/);
    assert.match((await cli('--db', file)).stdout, /up to date/);
    assert.match((await cli('--db', pg.url, '--prefix', 'shop_')).stdout, /applied 0001_shop_ledger\.sql to postgres:\/\/\*\*\*@/);
    assert.match((await cli('--db', pg.url, '--prefix', 'shop_')).stdout, /up to date/);
    const { default: pgm } = await import('pg');
    const pool = new pgm.Pool({ connectionString: pg.url });
    const tables = (await pool.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'shop_%' ORDER BY 1")).rows.map((r) => r.tablename);
    await pool.end();
    assert.deepEqual(tables, ['shop_anomalies', 'shop_attempts', 'shop_budget', 'shop_events', 'shop_migrations', 'shop_orders', 'shop_outbox']);
    await assert.rejects(cli(), (e) => e.code === 2);
  } finally {
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
