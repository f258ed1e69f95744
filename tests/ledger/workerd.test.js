// coinbar-pay/ledger inside a Worker: bundled as wrangler does (the workerd / worker / browser
// export conditions) and run in workerd on a D1 binding. Before the fix the "./ledger" export had
// `"browser": null` ahead of "default" and no workerd condition, so every Workers bundler
// (wrangler, esbuild with wrangler's conditions) refused the import: "explicitly disabled".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundleForWorkerd, miniflareOptions } from '../../scripts/workerd.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('coinbar-pay/ledger bundles under the workerd conditions and runs in workerd on D1', async () => {
  mkdirSync(join(root, 'out'), { recursive: true });
  const dir = mkdtempSync(join(root, 'out', 'ledger-workerd-')); // under the repository: resolves coinbar-pay from node_modules
  const entry = join(dir, 'entry.js');
  writeFileSync(
    entry,
    `import { createLedger } from 'coinbar-pay/ledger';
export default {
  async fetch(request, env) {
    const ledger = createLedger({ db: env.DB });
    const migrated = await ledger.migrate();
    const reserved = await ledger.reserve('quotes');
    return Response.json({ dialect: ledger.dialect, migrated, reserved, used: (await ledger.budget()).used });
  },
};`,
  );
  const script = await bundleForWorkerd(entry, mkdtempSync(join(tmpdir(), 'ledger-workerd-out-')));
  const mf = new Miniflare({ ...miniflareOptions(script, {}), d1Databases: { DB: 'ledger-test' }, d1Persist: mkdtempSync(join(tmpdir(), 'ledger-workerd-d1-')) });
  try {
    const url = await mf.ready;
    const r = await (await fetch(url)).json();
    assert.equal(r.dialect, 'sqlite');
    assert.deepEqual(r.migrated, ['0001_coinbar_ledger.sql']);
    assert.equal(r.reserved, true);
    assert.deepEqual(r.used, { quotes: 1 });
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
