// Optional persistence (`--db FILE`): payments, duplicate counters, clients and the callback log
// in a SQLite file, so a restarted sandbox still knows every payment it created (a merchant's
// recovery code asking for a status after a restart must not be told 404).
//
// better-sqlite3 is NOT a dependency of the sandbox (nor of the published package): it is loaded
// only when a database file is asked for, with a clear message when it is not installed.
// Every change is written synchronously before the answer that reports it is sent, so even a
// killed sandbox (SIGKILL) keeps what it told its clients.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Thrown when the database cannot be used (driver missing, file busy or unreadable). */
export class PersistenceError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
    this.name = 'PersistenceError';
  }
}

export const INSTALL_HINT = 'install it next to coinbar-pay with `npm install --save-dev better-sqlite3`, or run the sandbox without --db (its state then lives in memory)';

async function loadDriver() {
  try {
    return (await import('better-sqlite3')).default;
  } catch (err) {
    if ((err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') && /better-sqlite3/.test(err.message)) {
      throw new PersistenceError(`--db needs the better-sqlite3 package, which is not installed: ${INSTALL_HINT}`, 'DRIVER_MISSING');
    }
    throw new PersistenceError(`--db: better-sqlite3 could not be loaded (${err.message}); ${INSTALL_HINT}`, 'DRIVER_BROKEN');
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS callbacks (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
`;
const SCHEMA_VERSION = '1';

/**
 * Opens (creating it and its folder) the sandbox database. One sandbox per file: the file is
 * locked for as long as the sandbox runs.
 */
export async function openSandboxDb(file) {
  const Database = await loadDriver();
  const path = resolve(file);
  let db;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: 0 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // WAL + NORMAL: a killed process loses nothing committed
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(SCHEMA); // a write: takes the exclusive lock now
  } catch (err) {
    db?.close();
    if (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED') {
      throw new PersistenceError(`--db ${file}: the file is in use by another running sandbox; stop it, or give this one another file`, 'BUSY');
    }
    if (/bindings|NODE_MODULE_VERSION|invalid ELF|dlopen/i.test(err.message)) {
      throw new PersistenceError(`--db: better-sqlite3 is installed but its native part does not load (${err.message.split('\n')[0]}); reinstall it: npm rebuild better-sqlite3`, 'DRIVER_BROKEN');
    }
    throw new PersistenceError(`--db ${file}: cannot open it as a SQLite database (${err.message})`, 'OPEN_FAILED');
  }
  const version = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema');
  if (version === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
  else if (version !== SCHEMA_VERSION) {
    db.close();
    throw new PersistenceError(`--db ${file}: written by another sandbox version (schema ${version}, this one reads ${SCHEMA_VERSION}); use a new file`, 'SCHEMA');
  }
  return new SandboxDb(db, path);
}

class SandboxDb {
  constructor(db, file) {
    this.db = db;
    this.file = file;
    const upsert = (table, key) => db.prepare(`INSERT INTO ${table} (${key}, data) VALUES (?, ?) ON CONFLICT(${key}) DO UPDATE SET data = excluded.data`);
    this.q = {
      payment: upsert('payments', 'id'),
      counter: upsert('counters', 'key'),
      client: upsert('clients', 'id'),
      callback: upsert('callbacks', 'id'),
    };
    this.wipe = db.transaction(() => {
      for (const t of ['payments', 'counters', 'clients', 'callbacks']) db.exec(`DELETE FROM ${t}`);
    });
  }

  /** Everything stored, payments and deliveries in the order they were first written. */
  load() {
    const rows = (table, key) =>
      this.db
        .prepare(`SELECT data FROM ${table} ORDER BY ${key}`)
        .pluck()
        .all()
        .map((t) => JSON.parse(t));
    return {
      payments: rows('payments', 'rowid'),
      counters: rows('counters', 'rowid'),
      clients: rows('clients', 'rowid'),
      callbacks: rows('callbacks', 'id'),
    };
  }

  savePayment(record) {
    this.q.payment.run(record.paymentIdCoinbar, JSON.stringify(record));
  }

  saveCounter(counter) {
    this.q.counter.run(`${counter.client_id}\u0000${counter.payment_request_id}`, JSON.stringify(counter));
  }

  saveClient(client) {
    this.q.client.run(client.id, JSON.stringify(client));
  }

  saveCallback(delivery) {
    this.q.callback.run(delivery.id, JSON.stringify(delivery));
  }

  /** POST /__sandbox/reset: forget everything. */
  clear() {
    this.wipe();
  }

  close() {
    if (this.db.open) this.db.close();
  }
}
