// Print the size of each built package flavor: .wasm, the .wasm as base64 (server: what
// bundlers carry) or deflated + base64 (browser: what the browser entry carries), JS glue;
// raw / gzip / brotli; the browser payload as a page gets it; and the packed package.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
for (const flavor of ['server', 'browser']) {
  for (const file of ['coinbar_pay_bg.wasm', 'coinbar_pay_bg.wasm.base64.js', 'coinbar_pay_bg.wasm.deflate.js', 'coinbar_pay.js']) {
    const path = new URL(`../pkg/dist/${flavor}/${file}`, import.meta.url);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    const gz = gzipSync(bytes, { level: 9 }).length;
    const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    rows.push({ build: flavor, file, raw: bytes.length, gzip: gz, brotli: br });
  }
}
console.log('package sizes (pkg/dist):');
for (const r of rows) {
  console.log(
    `  ${r.build.padEnd(8)} ${r.file.padEnd(30)} raw ${kb(r.raw).padStart(10)}  gzip ${kb(r.gzip).padStart(10)}  brotli ${kb(r.brotli).padStart(10)}  (${r.raw} / ${r.gzip} / ${r.brotli} bytes)`,
  );
}

const page = await (await import('../bench/lib/browser-payload.mjs')).browserPayload(new URL('..', import.meta.url).pathname);
console.log(
  `  browser  page bundle (esbuild --minify)  raw ${kb(page.raw).padStart(10)}  gzip ${kb(page.gzip).padStart(10)}  brotli ${kb(page.brotli).padStart(10)}  (${page.raw} / ${page.gzip} / ${page.brotli} bytes)`,
);

// The package as npm would publish it (`npm pack --dry-run`).
const { execFileSync } = await import('node:child_process');
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: new URL('../pkg/', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
console.log(`  npm pack: ${packed.entryCount} files, tarball ${packed.size} bytes, unpacked ${packed.unpackedSize} bytes`);
