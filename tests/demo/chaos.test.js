// The chaos run (tests/demo/chaos.mjs) in its short variant for `make test`, once per database
// (SQLite file, PostgreSQL cluster); the long one (500 checkouts per database) is `make chaos`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosTable, runChaos } from './chaos.mjs';

for (const database of ['sqlite', 'postgres']) {
  test(`chaos (short, ${database}): 100 checkouts, two instances on one database, callbacks lost/duplicated/delayed/reordered/reformatted, stray second attempts, kill -9 of each: nothing lost or doubled, no budget overrun`, async () => {
    const f = await runChaos({ checkouts: 100, restarts: 2, seed: 7, database });
    console.log(`\n${chaosTable([f])}`);
    assert.ok(f.restarts >= 2);
    assert.ok(f.paid > 40, `paid ${f.paid}`);
    assert.ok(f.callbacks.dropped > 0 && f.callbacks.duplicated > 0 && f.callbacks.delayed > 0 && f.callbacks.reformatted > 0, JSON.stringify(f.callbacks));
    assert.ok(f.second_attempts_both_paid > 0, 'stray payments for the same order');
    assert.equal(f.lost, 0, 'no paid order lost');
    assert.equal(f.doubled, 0, 'no order fulfilled twice or without payment');
    assert.equal(f.budget_overruns, 0, 'never more Coinbar requests than reserved calls');
    assert.equal(f.fulfilled, f.paid);
  });
}
