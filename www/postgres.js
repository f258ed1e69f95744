// The demo's PostgreSQL database for Node (node-postgres, a dev dependency): a pg.Pool on
// DATABASE_URL; the ledger's migration (ledger.migrate()) and the shop's tables applied on open.
import { createExecutor } from 'coinbar-pay/ledger';
import { migratePostgres } from './app/migrate.js';

/** Resolves { kind, db (the pg.Pool), exec, where, close }. */
export async function openPostgres(url, { max = 10 } = {}) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {}); // an idle client lost (server restart): the pool makes a new one
  const exec = createExecutor(pool);
  await migratePostgres(exec);
  return { kind: 'postgres', db: pool, exec, where: url.replace(/\/\/[^@/]*@/, '//…@'), close: () => pool.end() };
}

export const isPostgresUrl = (s) => typeof s === 'string' && /^postgres(ql)?:\/\//.test(s);
