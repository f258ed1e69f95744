#!/usr/bin/env node
// Writes the demo's D1 migrations folder (www/app/migrations, wrangler's format):
//   0001_coinbar_ledger.sql  a copy of the ledger's shipped pkg/migrations/sqlite/0001_coinbar_ledger.sql
//   0002_shop.sql            the shop's own tables, from www/app/schema.js
// tests/demo/migrations.test.js fails when they drift (then run this script).
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shopSchemaSql, SHOP_MIGRATION_NAME } from '../www/app/schema.js';

const root = fileURLToPath(new URL('..', import.meta.url));
copyFileSync(`${root}pkg/migrations/sqlite/0001_coinbar_ledger.sql`, `${root}www/app/migrations/0001_coinbar_ledger.sql`);
writeFileSync(`${root}www/app/migrations/${SHOP_MIGRATION_NAME}`, shopSchemaSql('sqlite'));
console.log("www/app/migrations: 0001_coinbar_ledger.sql (the ledger's), 0002_shop.sql (the shop's)");
