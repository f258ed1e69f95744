// Run the merchant's fetch handler (www/app/worker.js) in workerd through Miniflare, as a
// Cloudflare deployment would: bundled with esbuild under the `workerd` export condition,
// the .wasm as a compiled module, secrets as bindings.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function startWorker(bindings) {
  const outdir = mkdtempSync(join(tmpdir(), 'coinbar-worker-'));
  await build({
    entryPoints: [join(root, 'www/app/worker.js')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker'],
    loader: { '.wasm': 'copy' },
    outdir,
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outdir, 'worker.js'),
    modulesRoot: outdir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    bindings,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { url: url.origin, dispose: () => mf.dispose() };
}
