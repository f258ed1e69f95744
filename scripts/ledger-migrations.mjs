#!/usr/bin/env node
// Write the ledger's migration files (pkg/migrations/{sqlite,postgres}/) from
// pkg/src/ledger/schema.js, the one source of the schema. tests/ledger/schema.test.js checks
// that the shipped files match. `--check` exits 1 when they do not.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { MIGRATION_NAME, migrationSql } from '../pkg/src/ledger/schema.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const dialect of ['sqlite', 'postgres']) {
  const dir = new URL(`../pkg/migrations/${dialect}/`, import.meta.url);
  const file = new URL(MIGRATION_NAME(), dir);
  const text = migrationSql(dialect);
  let old = '';
  try {
    old = readFileSync(file, 'utf8');
  } catch {}
  if (old === text) continue;
  stale += 1;
  if (check) console.error(`stale: ${file.pathname}`);
  else {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${file.pathname}`);
  }
}
process.exitCode = check && stale ? 1 : 0;
