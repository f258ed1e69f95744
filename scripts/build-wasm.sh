#!/usr/bin/env bash
# Build the WebAssembly package output into pkg/dist/.
#   scripts/build-wasm.sh server    # default features: includes the signer
#   scripts/build-wasm.sh browser   # --no-default-features: no signer, no HMAC code at all
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
  server) features=(); target_dir=target; profile=release; simd=(-C target-feature=+simd128); opt=(--low-memory-unused -O3 --gufa -O3 --enable-simd) ;;
  browser) features=(--no-default-features); target_dir=target/browser; profile=release-browser; simd=(); opt=(--low-memory-unused -Oz --converge) ;;
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

# Server build only: the function exports that an import and a client construction do not
# call move into one exported funcref table, and the glue takes each from it on first use.
# V8 in Node 20 (11.3) compiles a JS-to-wasm wrapper with TurboFan for every exported
# signature when the module is compiled (~2 ms of the cold start for 19 signatures); a table
# entry gets its wrapper on first use, so a cold start pays only for what it calls. The
# functions every import + `new CoinbarPay` calls (start, max_input_bytes, the allocator,
# signingclient_new) stay plain exports: their wrappers are needed anyway. Same glue API.
if [ "$flavor" = server ]; then
  node --input-type=module - "$out/coinbar_pay_bg.wasm" "$out/coinbar_pay.js" <<'JS'
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
const [wasmPath, gluePath] = process.argv.slice(2);
const m = binaryen.readBinary(readFileSync(wasmPath));
const F = binaryen.Features;
m.setFeatures(F.MVP | F.SIMD128 | F.BulkMemory | (F.BulkMemoryOpt ?? 0) | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals | F.ReferenceTypes | F.Multivalue);
const KEEP = new Set(['__wbindgen_start', 'max_input_bytes', '__wbindgen_malloc', '__wbindgen_realloc', '__wbindgen_free', 'signingclient_new']);
const fns = [];
for (let i = 0; i < m.getNumExports(); i++) {
  const e = binaryen.getExportInfo(m.getExportByIndex(i));
  if (e.kind === binaryen.ExternalFunction && !KEEP.has(e.name)) fns.push([e.name, e.value]);
}
for (const name of KEEP) if (!m.getExport(name)) throw new Error(`expected export ${name} (wasm-bindgen output changed?)`);
if (!fns.length || m.getExport('__wbg_exports')) throw new Error('no function exports to move: already processed?');
for (const [name] of fns) m.removeExport(name);
m.addTable('__wbg_exports', fns.length, fns.length, binaryen.funcref);
m.addActiveElementSegment('__wbg_exports', '__wbg_exports_elem', fns.map(([, f]) => f), m.i32.const(0));
m.addTableExport('__wbg_exports', '__wbg_exports');
if (!m.validate()) throw new Error('invalid module after moving exports into a table');
writeFileSync(wasmPath, m.emitBinary());

const glue = readFileSync(gluePath, 'utf8');
const site = '    wasm = instance.exports;\n';
for (const s of [site, 'function __wbg_finalize_init(']) {
  if (glue.split(s).length !== 2) throw new Error(`${gluePath}: expected one ${JSON.stringify(s)} (wasm-bindgen output changed?)`);
}
const helper = `// Added by scripts/build-wasm.sh: most function exports are entries of the exported table
// __wbg_exports; each is taken from it (and its JS-to-wasm wrapper made) on first call.
const __wbg_export_names = ${JSON.stringify(fns.map(([n]) => n))};
function __wbg_table_exports(exports) {
    const table = exports.__wbg_exports;
    const out = {};
    for (const k of Object.keys(exports)) if (k !== '__wbg_exports') out[k] = exports[k];
    __wbg_export_names.forEach((name, i) => {
        let f;
        out[name] = function () {
            f ??= out[name] = table.get(i);
            return f.apply(undefined, arguments);
        };
    });
    return out;
}

`;
writeFileSync(gluePath, glue.replace(site, '    wasm = __wbg_table_exports(instance.exports);\n').replace('function __wbg_finalize_init(', `${helper}function __wbg_finalize_init(`));
JS
fi

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

# Both builds: the .wasm as base64 text in an ES module (coinbar_pay_bg.wasm.base64.js), so
# the Node entries (dist/node.mjs / dist/node.cjs) and the browser entry carry the module
# inside JavaScript: every bundler copies it with no loader or asset rule, and a bundle
# deployed without node_modules (a Lambda zip) still has it. base64 rather than a byte array
# literal: 1.33x the bytes, and it gzips to about the .wasm's own gzip size (docs/design.md).
node --input-type=module - "$out/coinbar_pay_bg.wasm" "$out/coinbar_pay_bg.wasm.base64.js" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [wasmPath, outPath] = process.argv.slice(2);
const b64 = readFileSync(wasmPath).toString('base64');
writeFileSync(outPath, `// Generated by scripts/build-wasm.sh: ${wasmPath.split('/').pop()} as base64.\nexport default '${b64}';\n`);
JS
