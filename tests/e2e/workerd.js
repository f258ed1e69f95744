// Run the merchant's fetch handler (www/app/worker.js) in workerd through Miniflare, as a
// Cloudflare deployment would: bundled under the `workerd` export condition, the .wasm as a
// compiled module, secrets as bindings.
import { Miniflare } from 'miniflare';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForWorkerd, miniflareOptions } from '../../scripts/workerd.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function startWorker(bindings) {
  const script = await bundleForWorkerd(join(root, 'www/app/worker.js'), mkdtempSync(join(tmpdir(), 'coinbar-worker-')));
  const mf = new Miniflare(miniflareOptions(script, bindings));
  const url = await mf.ready;
  return { url: url.origin, dispose: () => mf.dispose() };
}
