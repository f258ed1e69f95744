// coinbar-pay/ledger from CommonJS: require() gets dist/ledger.cjs, which shares the SDK of
// require('coinbar-pay') (dist/node.cjs), and works on a real database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

test("require('coinbar-pay/ledger'): the CommonJS build migrates and reserves on better-sqlite3", async () => {
  assert.match(require.resolve('coinbar-pay/ledger'), /pkg\/dist\/ledger\.cjs$/);
  const { createLedger, LedgerError } = require('coinbar-pay/ledger');
  const Database = require('better-sqlite3');
  const db = new Database(':memory:');
  try {
    const ledger = createLedger({ db, budget: { daily: 10 } });
    const applied = await ledger.migrate();
    assert.ok(applied.length >= 1, 'the shipped migration ran');
    assert.deepEqual(await ledger.migrate(), [], 'applied once');
    assert.equal(await ledger.reserve('checkout'), true);
    assert.equal((await ledger.budget()).used.checkout, 1);
    assert.throws(
      () => createLedger({}),
      (e) => e instanceof LedgerError && e.code === 'config',
    );
  } finally {
    db.close();
  }
});
