// The demo's migrations, applied through the ledger's own bookkeeping (ledger.migrate({ files })):
//   SQLite / D1: the wrangler-format files of www/app/migrations (a copy of the ledger's 0001 +
//     the shop's 0002), each once, recorded in d1_migrations exactly as `wrangler d1 migrations
//     apply` records them — so wrangler and this applier know of each other.
//   PostgreSQL: the ledger's migration, then the shop's schema, recorded in coinbar_migrations.
// On Cloudflare, `wrangler d1 migrations apply DB --remote -c www/app/wrangler.toml` does it.
import { createLedger } from 'coinbar-pay/ledger';
import { shopSchemaSql } from './schema.js';

/** SQLite / D1: apply each of `files` ([{ name, sql }]) not applied yet. Returns the names applied now. */
export const migrateFiles = (exec, files) => createLedger({ db: exec }).migrate({ files });

/** PostgreSQL: the ledger's migration, then the shop's tables. */
export const migratePostgres = (exec) => createLedger({ db: exec }).migrate({ files: [{ name: '0002_shop.sql', sql: shopSchemaSql('postgres') }] });
