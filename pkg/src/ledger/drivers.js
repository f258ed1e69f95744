// The ledger's executor: one small interface over the merchant's own database handle.
//   run(sql, params)    -> { changes, rows }   one statement (rows when it has RETURNING)
//   all(sql, params)    -> rows
//   first(sql, params)  -> row | null
//   batch([[sql, params], ...]) -> [{ changes, rows }, ...]   atomically (one transaction)
//   dialect             'sqlite' (better-sqlite3, D1) | 'postgres'
// SQL is written once with `?` placeholders; the PostgreSQL driver numbers them ($1, $2…).
// Every state change of the ledger is one conditional statement or one batch, so no driver
// needs interactive transactions (D1 has none).
import { LedgerError } from './errors.js';

const norm = (params = []) => params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p));

/** Cloudflare D1 binding (env.DB): batch() is one transaction. */
export function d1Executor(d1) {
  const stmt = (sql, params) => d1.prepare(sql).bind(...norm(params));
  const result = (r) => ({ changes: r.meta?.changes ?? 0, rows: r.results ?? [] });
  return {
    dialect: 'sqlite',
    driver: 'd1',
    async run(sql, params) {
      return result(await stmt(sql, params).run());
    },
    async all(sql, params) {
      return (await stmt(sql, params).all()).results ?? [];
    },
    async first(sql, params) {
      return (await stmt(sql, params).first()) ?? null;
    },
    async batch(list) {
      return (await d1.batch(list.map(([sql, params]) => stmt(sql, params)))).map(result);
    },
  };
}

/** better-sqlite3 Database (synchronous): a batch is one BEGIN IMMEDIATE transaction. */
export function sqliteExecutor(db) {
  const cache = new Map();
  const prepare = (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size > 200) cache.clear();
      cache.set(sql, s);
    }
    return s;
  };
  const runOne = (sql, params) => {
    const s = prepare(sql);
    if (s.reader) {
      const rows = s.all(...norm(params));
      return { changes: rows.length, rows };
    }
    return { changes: s.run(...norm(params)).changes, rows: [] };
  };
  const tx = db.transaction((list) => list.map(([sql, params]) => runOne(sql, params)));
  return {
    dialect: 'sqlite',
    driver: 'better-sqlite3',
    async run(sql, params) {
      return runOne(sql, params);
    },
    async all(sql, params) {
      return prepare(sql).all(...norm(params));
    },
    async first(sql, params) {
      return prepare(sql).get(...norm(params)) ?? null;
    },
    async batch(list) {
      return tx.immediate(list);
    },
  };
}

/** `?` -> `$1, $2, …` (the ledger's SQL has no `?` inside literals). */
export function numberPlaceholders(sql) {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// int8 (COUNT, BIGINT columns) and numeric come back as strings from node-postgres; the ledger's
// values are all within 2^53 (milliseconds, counters), so they are read as numbers per query,
// without touching the merchant's global pg.types parsers.
const NUMERIC_OIDS = new Set([20, 1700]);
function pgRows(result) {
  const conv = (result.fields ?? []).filter((f) => NUMERIC_OIDS.has(f.dataTypeID)).map((f) => f.name);
  if (!conv.length) return result.rows;
  for (const row of result.rows) for (const name of conv) if (row[name] !== null && row[name] !== undefined) row[name] = Number(row[name]);
  return result.rows;
}
const pgResult = (r) => ({ changes: r.rowCount ?? 0, rows: pgRows(r) });

/** node-postgres Pool: single statements on the pool, a batch on one client in BEGIN … COMMIT. */
export function pgExecutor(pool) {
  const q = (client, sql, params) => client.query(numberPlaceholders(sql), norm(params));
  return {
    dialect: 'postgres',
    driver: 'pg',
    async run(sql, params) {
      return pgResult(await q(pool, sql, params));
    },
    async all(sql, params) {
      return pgRows(await q(pool, sql, params));
    },
    async first(sql, params) {
      return pgRows(await q(pool, sql, params))[0] ?? null;
    },
    async batch(list) {
      const client = await pool.connect();
      let broken;
      try {
        await client.query('BEGIN');
        const out = [];
        for (const [sql, params] of list) out.push(pgResult(await q(client, sql, params)));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError; // the connection is unusable: destroy it, do not return it
        }
        throw e;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** Which driver a handle is: an executor, a D1 binding, a better-sqlite3 Database or a pg Pool. */
export function detectDialect(db) {
  if (db && typeof db.batch === 'function' && typeof db.run === 'function' && typeof db.dialect === 'string') return 'executor';
  if (db && typeof db.prepare === 'function' && typeof db.batch === 'function' && typeof db.exec === 'function' && typeof db.transaction !== 'function') return 'd1';
  if (db && typeof db.prepare === 'function' && typeof db.transaction === 'function' && typeof db.pragma === 'function') return 'better-sqlite3';
  if (db && typeof db.connect === 'function' && typeof db.query === 'function' && 'totalCount' in db) return 'pg';
  return undefined;
}

/** The executor for `db`; `dialect` ('d1' | 'sqlite' | 'better-sqlite3' | 'postgres' | 'pg') forces the choice. */
export function executorFor(db, dialect) {
  const kind = { sqlite: 'better-sqlite3', postgres: 'pg', postgresql: 'pg' }[dialect] ?? dialect ?? detectDialect(db);
  switch (kind) {
    case 'executor':
      return db;
    case 'd1':
      return d1Executor(db);
    case 'better-sqlite3':
      return sqliteExecutor(db);
    case 'pg':
      return pgExecutor(db);
    default:
      throw new LedgerError(
        'config',
        dialect
          ? `dialect: must be 'd1', 'sqlite' (better-sqlite3) or 'postgres' (pg.Pool), got ${JSON.stringify(dialect)}`
          : 'db: not a Cloudflare D1 binding, a better-sqlite3 Database or a pg.Pool; pass one of them (or { dialect } to say which)',
      );
  }
}
