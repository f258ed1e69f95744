// Move the function exports that a cold start does not call into one exported funcref table,
// and patch the wasm-bindgen glue to take each from the table on first use.
//
//   node scripts/wasm-export-table.mjs <module_bg.wasm> <glue.js> [kept,export,names]
//
// Why: V8 in Node 20 (11.3) compiles a JS-to-wasm wrapper with TurboFan for every exported
// signature when the module is compiled; a table entry gets its wrapper only on first use, so
// a cold start pays only for what it calls. The kept exports (default: what an import and
// `new CoinbarPay` call) stay plain exports. Same glue API. Run by scripts/build-wasm.sh on
// the server build; tests/js/export-table.test.js checks the rewrite on a copy of a build.
// String-patches the glue at two sites and fails loudly if wasm-bindgen's output changes.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
const [wasmPath, gluePath, keepArg] = process.argv.slice(2);
if (!wasmPath || !gluePath) throw new Error('usage: wasm-export-table.mjs <module_bg.wasm> <glue.js> [kept,names]');
const m = binaryen.readBinary(readFileSync(wasmPath));
const F = binaryen.Features;
m.setFeatures(F.MVP | F.SIMD128 | F.BulkMemory | (F.BulkMemoryOpt ?? 0) | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals | F.ReferenceTypes | F.Multivalue);
const KEEP = new Set(keepArg ? keepArg.split(',') : ['__wbindgen_start', 'max_input_bytes', '__wbindgen_malloc', '__wbindgen_realloc', '__wbindgen_free', 'signingclient_new']);
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
