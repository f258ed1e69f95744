// The ledger's conformance suite on SQLite (better-sqlite3 12, a file in WAL mode, two connections).
import { conformance } from './conformance.mjs';
import { openSqlite } from './backends.mjs';

conformance(openSqlite);
