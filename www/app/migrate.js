// Apply the demo's migrations through a ledger executor (createExecutor of coinbar-pay/ledger).
//   SQLite (Node): the wrangler-format files of www/app/migrations (the ledger's 0001 + the
//     shop's 0002), each once, recorded in d1_migrations exactly as `wrangler d1 migrations
//     apply` records them — so wrangler, this applier and ledger.migrate() know of each other.
//   PostgreSQL: ledger.migrate() (its own bookkeeping, under an advisory lock) + the shop's
//     schema (CREATE … IF NOT EXISTS), in one transaction.
// On Cloudflare, `wrangler d1 migrations apply DB --remote -c www/app/wrangler.toml` does it.
import { shopSchemaSql } from './schema.js';

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Split a migration file into statements: drop `--` comments, split on `;` (no `;` in literals). */
export function statements(sql) {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** SQLite / D1: apply each of `files` ([{ name, sql }]) not yet in d1_migrations, file + record in one batch. Returns the names applied now. */
export async function migrateFiles(exec, files) {
  await exec.run(MIGRATIONS_TABLE);
  const applied = [];
  for (const { name, sql } of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    if (await exec.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', [name])) continue;
    try {
      await exec.batch([['INSERT INTO d1_migrations (name) VALUES (?)', [name]], ...statements(sql).map((s) => [s, []])]);
      applied.push(name);
    } catch (e) {
      if (await exec.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', [name])) continue; // another instance won
      throw e;
    }
  }
  return applied;
}

/** PostgreSQL: the ledger's migration, then the shop's tables. */
export async function migratePostgres(exec, ledger) {
  const applied = await ledger.migrate();
  await exec.batch([['SELECT pg_advisory_xact_lock(7261903454)', []], ...statements(shopSchemaSql('postgres')).map((s) => [s, []])]);
  return applied;
}
