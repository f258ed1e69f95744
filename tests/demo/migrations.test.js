// The demo's D1 migrations folder stays equal to its sources (scripts/demo-migrations.mjs writes
// it): 0001 is the ledger's shipped SQLite migration byte for byte (same name, so wrangler,
// ledger.migrate() and the Node applier agree on what is applied), 0002 the shop's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createExecutor, createLedger } from 'coinbar-pay/ledger';
import { shopSchemaSql } from '../../www/app/schema.js';
import { migrateFiles } from '../../www/app/migrate.js';
import { readMigrations, MIGRATIONS_DIR } from '../../www/sqlite.js';
import { root } from './helpers.js';

test("www/app/migrations = the ledger's 0001 (unchanged) + the shop's 0002 (from schema.js)", () => {
  assert.deepEqual(readdirSync(MIGRATIONS_DIR).sort(), ['0001_coinbar_ledger.sql', '0002_shop.sql']);
  const hint = 'run node scripts/demo-migrations.mjs';
  assert.equal(readFileSync(`${MIGRATIONS_DIR}0001_coinbar_ledger.sql`, 'utf8'), readFileSync(`${root}pkg/migrations/sqlite/0001_coinbar_ledger.sql`, 'utf8'), hint);
  assert.equal(readFileSync(`${MIGRATIONS_DIR}0002_shop.sql`, 'utf8'), shopSchemaSql('sqlite'), hint);
});

test('applied by the Node applier, the ledger sees its migration as done (one bookkeeping: d1_migrations)', async () => {
  const db = new Database(':memory:');
  const exec = createExecutor(db);
  assert.deepEqual(await migrateFiles(exec, readMigrations()), ['0001_coinbar_ledger.sql', '0002_shop.sql']);
  assert.deepEqual(await createLedger({ db: exec }).migrate(), []);
  assert.deepEqual(await migrateFiles(exec, readMigrations()), []);
  db.close();
});
