// `coinbar-pay migrate`: create the ledger's tables (coinbar-pay/ledger) in a SQLite file
// (better-sqlite3) or a PostgreSQL database (pg), with the drivers of the merchant's project.
// Cloudflare D1: `wrangler d1 migrations apply` with migrations_dir pointed at the package's
// migrations/sqlite folder, or `--print sqlite` to copy the file into your own folder.
import { UsageError, parse } from './common.js';

const USAGE = `Usage: coinbar-pay migrate --db <sqlite file | postgres://URL> [--prefix coinbar_]
       coinbar-pay migrate --print <sqlite | postgres> [--prefix coinbar_]

Creates the payment ledger's tables (orders, attempts, events, anomalies, outbox, budget,
prefixed coinbar_ by default) once; running it again changes nothing.

Options:
  --db TARGET        a SQLite database file (created if missing; needs better-sqlite3 in your
                     project) or a postgres:// / postgresql:// URL (needs pg in your project).
                     The URL may also come from DATABASE_URL when --db is "env".
  --prefix P         table name prefix (default coinbar_)
  --print DIALECT    print the migration SQL instead (sqlite: the D1 / wrangler file)
  -h, --help         this help

Cloudflare D1: npx wrangler d1 migrations apply DB with migrations_dir =
"node_modules/coinbar-pay/migrations/sqlite" in wrangler.toml (or copy that file into yours).`;

async function load(name) {
  try {
    return (await import(name)).default;
  } catch (e) {
    throw new UsageError(`--db: needs the ${name} package in your project (npm install ${name}): ${e.message.split('\n')[0]}`);
  }
}

export async function run(argv) {
  const { values, help } = parse(argv, { db: { type: 'string' }, prefix: { type: 'string' }, print: { type: 'string' } }, { command: 'migrate' });
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const { createLedger, migrationSql } = await import('coinbar-pay/ledger');
  const prefix = values.prefix ?? 'coinbar_';
  if (values.print) {
    if (values.print !== 'sqlite' && values.print !== 'postgres') throw new UsageError(`--print: sqlite or postgres, got "${values.print}"`);
    process.stdout.write(migrationSql(values.print, prefix));
    return 0;
  }
  let target = values.db;
  if (target === 'env') target = process.env.DATABASE_URL;
  if (!target) throw new UsageError('--db: give a SQLite file or a postgres:// URL (coinbar-pay migrate --help)');
  const postgres = /^postgres(ql)?:\/\//i.test(target);
  let db;
  let close;
  if (postgres) {
    const pg = await load('pg');
    db = new pg.Pool({ connectionString: target, max: 1 });
    close = () => db.end();
  } else {
    const Database = await load('better-sqlite3');
    db = new Database(target);
    db.pragma('busy_timeout = 10000');
    close = () => db.close();
  }
  try {
    const ledger = createLedger({ db, prefix });
    const applied = await ledger.migrate();
    const where = postgres ? target.replace(/\/\/[^@/]*@/, '//***@') : target;
    console.log(applied.length ? `applied ${applied.join(', ')} to ${where}` : `up to date: ${where} (tables ${prefix}*)`);
    return 0;
  } catch (e) {
    if (e?.code === 'config') throw new UsageError(e.message);
    console.error(`coinbar-pay migrate: ${e.message}`);
    return 1;
  } finally {
    await close();
  }
}
