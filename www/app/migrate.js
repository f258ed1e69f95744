// Apply wrangler-format D1 migrations (numbered .sql files, each applied once, recorded in the
// d1_migrations table exactly as `wrangler d1 migrations apply` records them) through a store
// executor. Used by the Node adapter (SQLite) and by the tests that start workerd + D1; on
// Cloudflare, `wrangler d1 migrations apply DB --remote` does the same with the same files.
// Hand-written because wrangler's applier is a CLI, not a library; it is ~30 lines.

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Split a migration file into statements: drop `--` comments, split on `;` (our files have no `;` in literals). */
export function statements(sql) {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Apply every migration of `files` ([{ name, sql }], sorted by name) not yet in d1_migrations.
 * Each file and its d1_migrations row go in one batch (one transaction); a concurrent applier
 * of the same file fails on the UNIQUE name, and its whole batch rolls back.
 * Returns the names applied now.
 */
export async function migrate(db, files) {
  await db.run(MIGRATIONS_TABLE);
  const applied = [];
  for (const { name, sql } of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    if (await db.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', name)) continue;
    try {
      await db.batch([['INSERT INTO d1_migrations (name) VALUES (?)', [name]], ...statements(sql).map((s) => [s, []])]);
      applied.push(name);
    } catch (e) {
      if (await db.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', name)) continue; // another instance won
      throw e;
    }
  }
  return applied;
}
