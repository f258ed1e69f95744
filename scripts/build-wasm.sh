#!/usr/bin/env bash
# Build the WebAssembly package output into pkg/dist/.
#   scripts/build-wasm.sh server    # --features server: includes the signer
#   scripts/build-wasm.sh browser   # --features browser: no signer, no HMAC code at all
# Each build: cargo (release, wasm32) -> wasm-bindgen (web target glue) -> wasm-opt (binaryen).
# wasm-opt: a second -O3 after --gufa (whole-module constant/type flow) saves ~0.4 KB gzip on
# the server build; --converge (repeat -Oz while it shrinks) ~0.2 KB on the browser build;
# --strip-target-features drops a 148-byte custom section nothing reads at run time.
# The server build uses WebAssembly SIMD (simd128): LLVM vectorizes parts of SHA-256's message
# schedule, signing is ~20% faster (bench/README.md). Every runtime the server build targets
# has it (Node >= 16.4, Deno, Bun, workerd, Vercel Edge); the browser build stays without, so
# it also loads in older browsers.
# --low-memory-unused lets wasm-opt fold constant offsets into loads and stores (~0.6 KB gzip
# server, ~0.35 KB browser). Its assumption, no data in the first 1 KiB of memory, holds
# for rustc's wasm32 layout: the 1 MiB stack comes first and grows down towards address 0,
# statics start at 1 MiB, so only a stack within 1 KiB of overflowing would touch it.
set -euo pipefail
cd "$(dirname "$0")/.."
flavor=${1:-server}
case "$flavor" in
  server) features=(--no-default-features --features server); target_dir=target; profile=release; simd=(-C target-feature=+simd128); opt=(--low-memory-unused -O3 --gufa -O3 --enable-simd) ;;
  browser) features=(--no-default-features --features browser); target_dir=target/browser; profile=release-browser; simd=(); opt=(--low-memory-unused -Oz --converge) ;;
  *) echo "unknown build flavor: $flavor" >&2; exit 2 ;;
esac
out=pkg/dist/$flavor
RUSTFLAGS="${simd[*]}" cargo build --quiet --profile "$profile" --lib --target wasm32-unknown-unknown --target-dir "$target_dir" ${features[@]+"${features[@]}"}
rm -rf "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name coinbar_pay \
  "$target_dir/wasm32-unknown-unknown/$profile/coinbar_pay.wasm"
node_modules/.bin/wasm-opt "${opt[@]}" --strip-debug --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue \
  "$out/coinbar_pay_bg.wasm" -o "$out/coinbar_pay_bg.wasm"

# No export-table step any more (scripts/wasm-export-table.mjs until issue 14): with two
# dispatcher exports that each return one value, V8 compiles no JS-to-wasm wrapper when the
# module is compiled, so moving exports into a table no longer saves anything
# (docs/design.md, "Two exports, chosen by op code").

# Both builds: the glue must not name the .wasm itself. wasm-bindgen's `--target web` glue
# falls back to `new URL('coinbar_pay_bg.wasm', import.meta.url)` when init gets no module;
# webpack, Next.js and Vite see that pattern and try to resolve or emit the file next to
# wherever the glue ends up (Next.js: "Can't resolve 'coinbar_pay_bg.wasm'"; edge routes:
# the .wasm twice). Every entry of pkg/src passes the module or its bytes, so the fallback is
# replaced by an error.
node --input-type=module - "$out/coinbar_pay.js" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [gluePath] = process.argv.slice(2);
const glue = readFileSync(gluePath, 'utf8');
const site = "module_or_path = new URL('coinbar_pay_bg.wasm', import.meta.url);";
if (glue.split(site).length !== 2) throw new Error(`${gluePath}: expected one ${site} (wasm-bindgen output changed?)`);
const patched = glue.replace(site, "throw new Error('coinbar-pay: the entry file passes the WebAssembly module');");
if (patched.includes('import.meta')) throw new Error(`${gluePath}: still uses import.meta after the patch`);
writeFileSync(gluePath, patched);
JS

# The .wasm as base64 text in an ES module, so the Node entries (dist/node.mjs / dist/node.cjs)
# and the browser entry carry the module inside JavaScript: every bundler copies it with no
# loader or asset rule, and a bundle deployed without node_modules (a Lambda zip) still has it.
# - server: coinbar_pay_bg.wasm.base64.js, the .wasm itself as base64 (node-inline.js compiles
#   it synchronously at import, so it cannot wait for a decompression).
# - browser: coinbar_pay_bg.wasm.deflate.js, the .wasm zlib-deflated, then base64; browser.js
#   inflates it with DecompressionStream in `init()` (already async). Why: gzip finds few
#   repeats in base64 text (a 3-byte repeat is a 4-character repeat only at the same offset
#   mod 3), so base64 of the .wasm gzips to ~1.27x the .wasm's own gzip; base64 of deflated
#   bytes gzips to ~1.0x it. The page's bundle, gzip -9: ~8 KB smaller (bench/README.md).
node --input-type=module - "$flavor" "$out" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
const [flavor, out] = process.argv.slice(2);
const wasm = readFileSync(`${out}/coinbar_pay_bg.wasm`);
if (flavor === 'browser') {
  const b64 = deflateSync(wasm, { level: 9 }).toString('base64');
  writeFileSync(`${out}/coinbar_pay_bg.wasm.deflate.js`, `// Generated by scripts/build-wasm.sh: coinbar_pay_bg.wasm, zlib-deflated, as base64.\nexport default '${b64}';\n`);
} else {
  const b64 = wasm.toString('base64');
  writeFileSync(`${out}/coinbar_pay_bg.wasm.base64.js`, `// Generated by scripts/build-wasm.sh: coinbar_pay_bg.wasm as base64.\nexport default '${b64}';\n`);
}
JS
