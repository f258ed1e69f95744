// The three databases of the ledger's conformance suite, each a real one:
//   sqlite    better-sqlite3 12 on a temp file (WAL, busy timeout), a second connection for "another process"
//   d1        Cloudflare D1 from Miniflare (workerd's SQLite), through its binding
//   postgres  a throwaway PostgreSQL cluster (tests/lib/postgres.mjs), node-postgres Pools
// open() resolves { db, db2, name, close() }: db2 is a second handle on the same database
// (another connection / pool), for races between "instances".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function openSqlite() {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
  const file = join(dir, 'ledger.sqlite');
  const conn = () => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    return db;
  };
  const db = conn();
  const db2 = conn();
  return {
    name: 'sqlite',
    db,
    db2,
    file,
    close() {
      db.close();
      db2.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openD1() {
  const { Miniflare } = await import('miniflare');
  const dir = mkdtempSync(join(tmpdir(), 'ledger-d1-'));
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("ok"); } };',
    compatibilityDate: '2026-04-01',
    d1Databases: { DB: 'ledger-test' },
    d1Persist: join(dir, 'd1'),
  });
  const db = await mf.getD1Database('DB');
  return {
    name: 'd1',
    db,
    db2: db, // one D1 database behind every isolate: the same binding
    async close() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openPostgres() {
  const { startPostgresCluster } = await import('../lib/postgres.mjs');
  const { default: pg } = await import('pg');
  const cluster = await startPostgresCluster();
  const db = new pg.Pool({ connectionString: cluster.url, max: 8 });
  const db2 = new pg.Pool({ connectionString: cluster.url, max: 8 });
  return {
    name: 'postgres',
    db,
    db2,
    url: cluster.url,
    async close() {
      await db.end();
      await db2.end();
      cluster.stop();
    },
  };
}
