// The ledger's schema, one migration per dialect, and migrate(). The same SQL ships as files in
// pkg/migrations/ (scripts/ledger-migrations.mjs writes them; a test checks they match):
//   migrations/sqlite/0001_coinbar_ledger.sql    SQLite and Cloudflare D1, wrangler's format
//   migrations/postgres/0001_coinbar_ledger.sql  PostgreSQL
// Every statement is IF NOT EXISTS, so a schema applied by wrangler and then by migrate() (or
// twice at once) is harmless. Times are integers: milliseconds since the epoch.
import { LedgerError } from './errors.js';

export const DEFAULT_PREFIX = 'coinbar_';
const TABLES = ['orders', 'attempts', 'events', 'anomalies', 'outbox', 'budget'];

/** Table names for a prefix: { orders: 'coinbar_orders', … }. */
export function tableNames(prefix = DEFAULT_PREFIX) {
  if (typeof prefix !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,30}$/.test(prefix)) {
    throw new LedgerError('config', `prefix: must be letters, digits and _ (not starting with a digit), at most 31 characters, got ${JSON.stringify(prefix)}`);
  }
  return Object.fromEntries(TABLES.map((t) => [t, `${prefix}${t}`]));
}

const TEMPLATE = `-- One row per merchant order that reached checkout. The order itself stays the merchant's:
-- only its id and the merchant's meta (given to the fulfilment) are kept here.
CREATE TABLE IF NOT EXISTS {p}orders (
  order_id TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL DEFAULT 0,      -- number of the last payment attempt
  meta TEXT,                                -- the merchant's JSON from checkout (passed to the fulfilment)
  paid_at {int8},                           -- set once, with the outbox row, when an attempt is paid
  paid_payment_id TEXT,                     -- payment_id_coinbar of the attempt that paid it
  paid_token TEXT,                          -- which transition set paid_at (gates the outbox insert)
  last_activity_at {int8} NOT NULL,         -- the customer's last checkout or page view
  created_at {int8} NOT NULL,
  updated_at {int8} NOT NULL
);

-- One row per payment attempt, written BEFORE Coinbar is called.
CREATE TABLE IF NOT EXISTS {p}attempts (
  payment_request_id TEXT PRIMARY KEY,      -- sent to Coinbar: <order id>.<attempt> by default
  order_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  mode TEXT NOT NULL,                       -- 'direct' (initiate) | 'gateway' (requestPayment)
  state TEXT NOT NULL,                      -- 'initiating' | 'created' | 'unknown' | 'not_created'
  payment_id_coinbar TEXT UNIQUE,           -- Coinbar's id, once known
  status TEXT,                              -- Coinbar's status as last applied
  status_descr TEXT,
  status_at {int8},                         -- Coinbar's update_time of that status, parsed (ms)
  status_source TEXT,                       -- initiate | callback | refresh | reconcile | checkout
  stage INTEGER NOT NULL DEFAULT 0,         -- 0 none, 1 open, 2 final unpaid, 3 paid: only moves up
  is_final INTEGER NOT NULL DEFAULT 0,
  is_paid INTEGER NOT NULL DEFAULT 0,
  last_unknown_status TEXT,                 -- a status statusInfo() does not know (kept, not applied)
  payment TEXT,                             -- JSON: what the payment page shows
  error TEXT,
  created_at {int8} NOT NULL,
  updated_at {int8} NOT NULL,
  expires_at {int8} NOT NULL,               -- end of the payment window
  next_check_at {int8} NOT NULL,            -- reconciliation: not before
  last_checked_at {int8},                   -- last status call (any purpose)
  checks INTEGER NOT NULL DEFAULT 0,
  UNIQUE (order_id, attempt)
);
CREATE INDEX IF NOT EXISTS {p}attempts_open ON {p}attempts (is_final, next_check_at);

-- Coinbar's callbacks: the SDK's CallbackStore (owner-token claims) plus the verified event.
-- A callback for a payment not known yet stays 'released' with outcome 'pending'.
CREATE TABLE IF NOT EXISTS {p}events (
  key TEXT PRIMARY KEY,                     -- event.idempotency_key: payment_id_coinbar/STATUS
  state TEXT NOT NULL,                      -- 'claimed' | 'released' | 'done'
  token TEXT,                               -- owner of the claim
  lease_until {int8} NOT NULL DEFAULT 0,
  payment_id_coinbar TEXT,
  payment_request_id TEXT,
  status TEXT,
  order_id TEXT,                            -- once matched to an attempt
  event TEXT NOT NULL,                      -- the verified event, JSON
  outcome TEXT,                             -- applied | stale | anomaly | pending | unknown_status
  deliveries INTEGER NOT NULL DEFAULT 1,
  last_error TEXT,
  received_at {int8} NOT NULL,
  done_at {int8}
);
CREATE INDEX IF NOT EXISTS {p}events_state ON {p}events (state, payment_request_id);

-- What needs a person: events for payments the ledger does not know, two paid attempts of one order.
CREATE TABLE IF NOT EXISTS {p}anomalies (
  key TEXT PRIMARY KEY,                     -- kind/… : one row per anomaly however often it is seen
  kind TEXT NOT NULL,                       -- unknown_payment | unknown_order | double_paid | payment_mismatch
  order_id TEXT,
  payment_request_id TEXT,
  payment_id_coinbar TEXT,
  status TEXT,
  detail TEXT,                              -- JSON
  created_at {int8} NOT NULL,
  settled_at {int8},                        -- set by settleAnomaly() or when a pending event applies
  note TEXT
);
CREATE INDEX IF NOT EXISTS {p}anomalies_open ON {p}anomalies (settled_at, created_at);

-- The fulfilment outbox: one row per paid order, written in the paid transition's transaction.
CREATE TABLE IF NOT EXISTS {p}outbox (
  order_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL,            -- give it to your mailer / shipping API
  payment_id_coinbar TEXT NOT NULL,
  payment_request_id TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',    -- 'pending' | 'sending' | 'sent' | 'dead'
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at {int8} NOT NULL,
  lease_until {int8} NOT NULL DEFAULT 0,
  token TEXT,
  last_error TEXT,
  created_at {int8} NOT NULL,
  sent_at {int8}
);
CREATE INDEX IF NOT EXISTS {p}outbox_due ON {p}outbox (state, next_at);

-- Coinbar calls per UTC day and purpose, reserved before each HTTP request (shared by all instances).
CREATE TABLE IF NOT EXISTS {p}budget (
  day TEXT NOT NULL,
  purpose TEXT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, purpose)
)`;

export const MIGRATION_NAME = (prefix = DEFAULT_PREFIX) => `0001_${prefix}ledger.sql`;

/** The migration file text for a dialect ('sqlite' | 'postgres') and prefix. */
export function migrationSql(dialect, prefix = DEFAULT_PREFIX) {
  tableNames(prefix);
  const head =
    dialect === 'sqlite'
      ? `-- Migration number: 0001 \t coinbar-pay ledger tables (SQLite / Cloudflare D1, wrangler's D1 migrations format).\n`
      : '-- coinbar-pay ledger tables (PostgreSQL). Applied by ledger.migrate() or `npx coinbar-pay migrate --db postgres://…`.\n';
  return `${head}-- Generated by scripts/ledger-migrations.mjs from pkg/src/ledger/schema.js; do not edit.\n\n${TEMPLATE.replaceAll('{p}', prefix).replaceAll('{int8}', dialect === 'postgres' ? 'BIGINT' : 'INTEGER')};\n`;
}

/** Split a migration into statements: drop `--` comments, split on `;`. */
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
 * Apply the ledger's migration, then the caller's own `files` ([{ name, sql }], in name order;
 * a file named like the ledger's — a copy in a wrangler migrations folder — is the ledger's),
 * each once. SQLite/D1: each file and its record in d1_migrations in one batch, as wrangler
 * records them (so `wrangler d1 migrations apply` and migrate() know of each other).
 * PostgreSQL: recorded in <prefix>migrations, each under an advisory lock (two instances
 * starting together wait in turn). Returns the names applied now ([] when all were applied).
 */
export async function migrate(exec, prefix = DEFAULT_PREFIX, files = []) {
  const own = MIGRATION_NAME(prefix);
  const all = [{ name: own, sql: migrationSql(exec.dialect, prefix) }, ...[...files].filter((f) => f.name !== own).sort((a, b) => a.name.localeCompare(b.name))];
  const applied = [];
  for (const { name, sql } of all) if (await applyOnce(exec, prefix, name, sql)) applied.push(name);
  return applied;
}

/** One migration file, once: true when it was applied now. */
async function applyOnce(exec, prefix, name, sql) {
  const body = statements(sql).map((s) => [s, []]);
  if (exec.dialect === 'postgres') {
    const table = `${prefix}migrations`;
    const r = await exec.batch([
      ['SELECT pg_advisory_xact_lock(7261903453)', []],
      [`CREATE TABLE IF NOT EXISTS ${table} (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`, []],
      [`SELECT name FROM ${table} WHERE name = ?`, [name]],
    ]);
    if (r.at(-1).rows.length) return false;
    try {
      const done = await exec.batch([
        ['SELECT pg_advisory_xact_lock(7261903453)', []],
        ...body,
        [`INSERT INTO ${table} (name, applied_at) VALUES (?, CAST(? AS BIGINT)) ON CONFLICT (name) DO NOTHING RETURNING name`, [name, Date.now()]],
      ]);
      return done.at(-1).rows.length === 1;
    } catch (e) {
      // Another instance applied it between our check and our batch (its body ran twice).
      if ((await exec.first(`SELECT name FROM ${table} WHERE name = ?`, [name])) !== null) return false;
      throw e;
    }
  }
  await exec.run('CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)');
  if (await exec.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', [name])) return false;
  try {
    await exec.batch([['INSERT INTO d1_migrations (name) VALUES (?)', [name]], ...body]);
    return true;
  } catch (e) {
    if (await exec.first('SELECT 1 AS x FROM d1_migrations WHERE name = ?', [name])) return false; // another instance won
    throw e;
  }
}
