// The chaos run (tests/demo/chaos.mjs) in its shorter variant for `make test`; the full one
// (500 checkouts) is `make chaos`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './chaos.mjs';

test('chaos (short): 150 checkouts, callbacks dropped/duplicated/delayed/reordered, 2 kill -9 restarts: every paid order fulfilled once', async () => {
  const f = await runChaos({ checkouts: 150, restarts: 2, seed: 7 });
  assert.ok(f.restarts >= 2);
  assert.ok(f.paid > 50, `paid ${f.paid}`);
  assert.ok(f.callbacks.dropped > 0 && f.callbacks.duplicated > 0 && f.callbacks.delayed > 0, JSON.stringify(f.callbacks));
  assert.equal(f.lost, 0, 'no paid order lost');
  assert.equal(f.doubled, 0, 'no order fulfilled twice or without payment');
  assert.equal(f.fulfilled, f.paid);
});
