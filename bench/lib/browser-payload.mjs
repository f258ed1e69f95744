// The browser payload as a page gets it (issue 22's target): `coinbar-pay/browser` bundled by
// esbuild with --minify (ESM, browser platform), the one file a page loads: JS shell, glue and
// the bundled .wasm. Used by bench/run.mjs (section 4, targets), scripts/sizes.mjs and the size
// budget test (tests/js/size-budget.test.js).
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';

/** `{ raw, gzip, brotli }` bytes of the minified bundle (gzip -9, brotli q11); `root` is the repo. */
export async function browserPayload(root) {
  const out = await build({
    stdin: { contents: "export * from 'coinbar-pay/browser';", resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const bytes = out.outputFiles[0].contents;
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
