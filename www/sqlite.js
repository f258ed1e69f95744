// The demo's SQLite database for Node (better-sqlite3): WAL + busy timeout, so several processes
// can share one file; the migrations of www/app/migrations (the ledger's shipped 0001 + the
// shop's 0002, wrangler's D1 format) applied on open, recorded in d1_migrations as wrangler does.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExecutor } from 'coinbar-pay/ledger';
import { migrateFiles } from './app/migrate.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./app/migrations/', import.meta.url));

export function readMigrations(dir = MIGRATIONS_DIR) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** Open (creating the folder) the database file and apply the migrations. Resolves { kind, db, exec, file, close }. */
export async function openSqlite(file) {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  const exec = createExecutor(db);
  await migrateFiles(exec, readMigrations());
  return { kind: 'sqlite', db, exec, file, where: file, close: () => db.close() };
}
