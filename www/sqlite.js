// The SQLite driver of the store's executor (see www/app/store.js) for Node, on better-sqlite3.
// WAL + busy timeout, and batches as BEGIN IMMEDIATE transactions, so several processes can
// share one database file. Migrations: the same wrangler-format files as D1 (www/app/migrations).
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from './app/migrate.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./app/migrations/', import.meta.url));

export function readMigrations(dir = MIGRATIONS_DIR) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** Open (creating the folder) the database file and apply the migrations. Returns the executor. */
export async function openSqlite(file) {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  const cache = new Map();
  const prepare = (sql) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const norm = (params) => params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p));
  const runOne = (sql, params) => {
    const s = prepare(sql);
    if (s.reader) {
      const rows = s.all(...norm(params));
      return { changes: rows.length, rows };
    }
    return { changes: s.run(...norm(params)).changes, rows: [] };
  };
  const batch = db.transaction((list) => list.map(([sql, params = []]) => runOne(sql, params)));
  const executor = {
    async run(sql, ...params) {
      return runOne(sql, params);
    },
    async first(sql, ...params) {
      return prepare(sql).get(...norm(params)) ?? null;
    },
    async all(sql, ...params) {
      return prepare(sql).all(...norm(params));
    },
    async batch(list) {
      return batch.immediate(list);
    },
    close: () => db.close(),
    file,
  };
  await migrate(executor, readMigrations());
  return executor;
}
