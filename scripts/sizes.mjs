// Print the size of each built package flavor: .wasm and JS glue, raw / gzip / brotli.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
for (const flavor of ['server', 'browser']) {
  for (const file of ['coinbar_pay_bg.wasm', 'coinbar_pay.js']) {
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
  console.log(`  ${r.build.padEnd(8)} ${r.file.padEnd(20)} raw ${kb(r.raw).padStart(10)}  gzip ${kb(r.gzip).padStart(10)}  brotli ${kb(r.brotli).padStart(10)}  (${r.raw} / ${r.gzip} / ${r.brotli} bytes)`);
}
