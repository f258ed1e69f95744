// Run the merchant's fetch handler (www/app/worker.js) in workerd through Miniflare, as a
// Cloudflare deployment would: bundled under the `workerd` export condition, the .wasm as a
// compiled module, secrets as bindings, and a real D1 database (Miniflare's, SQLite-backed,
// persisted under `d1Persist` so that several workerd instances can share it) with the
// migrations of www/app/migrations applied (the ledger's 0001 + the shop's 0002).
import { Miniflare } from 'miniflare';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForWorkerd, miniflareOptions } from '../../scripts/workerd.mjs';
import { createExecutor } from 'coinbar-pay/ledger';
import { migrateFiles } from '../../www/app/migrate.js';
import { readMigrations } from '../../www/sqlite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const DATABASE_ID = '00000000-0000-4000-8000-000000000000'; // as in www/app/wrangler.toml

let bundled;
async function script() {
  bundled ??= bundleForWorkerd(join(root, 'www/app/worker.js'), mkdtempSync(join(tmpdir(), 'coinbar-worker-')));
  return bundled;
}

/**
 * Start the worker in workerd with D1 bound as DB. `d1Persist`: the folder of the D1 state
 * (default: a new temporary one); give the same folder to share one database between workers.
 * Resolves to { url, mf, d1Persist, scheduled(), query(sql, ...params), dispose() }.
 */
export async function startWorker(bindings, { d1Persist = mkdtempSync(join(tmpdir(), 'coinbar-d1-')), applyMigrations = true } = {}) {
  // workerd's own output (the worker's console, runtime errors) is kept, not printed: `logs()`.
  const logs = [];
  const keep = (stream) => stream.on('data', (d) => logs.push(String(d)));
  const mf = new Miniflare({
    ...miniflareOptions(await script(), bindings),
    d1Databases: { DB: DATABASE_ID },
    d1Persist,
    handleRuntimeStdio: (stdout, stderr) => (keep(stdout), keep(stderr)),
  });
  const url = await mf.ready;
  const d1 = await mf.getD1Database('DB');
  const db = createExecutor(d1); // the ledger's D1 executor: db.all(sql, [params])
  if (applyMigrations) await migrateFiles(db, readMigrations());
  return {
    url: url.origin,
    mf,
    d1Persist,
    db,
    logs: () => logs.join(''),
    /** Fire the Cron Trigger: the worker's scheduled() handler, as Cloudflare does every minute. */
    async scheduled() {
      const worker = await mf.getWorker();
      return worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
    },
    dispose: () => mf.dispose(),
  };
}
