// Shared by the e2e tests, the runtime suite and the benchmark: bundle a worker the way
// wrangler does and describe it to Miniflare (workerd), so all three run workers alike.
import { build } from 'esbuild';
import { basename, dirname, join } from 'node:path';

/**
 * Bundle `entry` into `outdir` as wrangler does: ESM, the `workerd`/`worker`/`browser`
 * export conditions, each `.wasm` kept as a separate module file. Returns the script path.
 */
export async function bundleForWorkerd(entry, outdir, { plugins = [] } = {}) {
  await build({
    entryPoints: [entry],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    loader: { '.wasm': 'copy' },
    assetNames: '[name]-[hash]',
    plugins,
    logLevel: 'error',
  });
  return join(outdir, `${basename(entry).replace(/\.m?js$/, '')}.js`);
}

/** Miniflare options for a bundled worker script listening on 127.0.0.1 (any free port). */
export function miniflareOptions(script, bindings = {}) {
  return {
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    bindings,
    host: '127.0.0.1',
    port: 0,
  };
}
