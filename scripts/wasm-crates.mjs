// Per-dependency size of a compiled core: `node scripts/wasm-crates.mjs [server|browser] [file.wasm]`.
// Reads cargo's .wasm (before wasm-bindgen and wasm-opt, so function names are still there)
// with twiggy (`cargo install twiggy`), attributes every function and data item to the crate
// its symbol names, and prints raw bytes per crate. The shipped module is smaller (wasm-opt),
// but the shares are what each dependency costs.
import { execFileSync } from 'node:child_process';

const flavor = process.argv[2] ?? 'server';
const path = process.argv[3] ?? (flavor === 'browser' ? 'target/browser/wasm32-unknown-unknown/release-browser/coinbar_pay.wasm' : 'target/wasm32-unknown-unknown/release/coinbar_pay.wasm');
const csv = execFileSync('twiggy', ['top', '-n', '100000', '--format', 'csv', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
const rows = csv.trim().split('\n').slice(1);
const crates = new Map();
let total = 0;
for (const row of rows) {
  // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent (names may hold commas)
  const m = row.match(/^(.*),(\d+),([\d.]+),[^,]*,[^,]*$/);
  if (!m) continue;
  const name = m[1].replace(/^"|"$/g, '').replace(/""/g, '"');
  const size = Number(m[2]);
  total += size;
  let crate;
  if (/function names/.test(name)) crate = '(names section: stripped when shipped)';
  else if (/^custom section/.test(name)) crate = '(custom sections: stripped when shipped)';
  else if (/^data segment/.test(name)) crate = '(data: string constants and tables)';
  else if (/^(type\[|import |export |table|elem|memory|global|code section|wasm magic|"?[a-z ]+ section)/.test(name)) crate = '(module structure)';
  else {
    // The first path segment that is a crate name: skip `<`, `&`, `impl`, `core::...` wrappers.
    const cleaned = name.replace(/^<+|^&(mut )?/g, '').replace(/^impl /, '');
    const seg = cleaned.match(/^([A-Za-z_][A-Za-z0-9_]*)/);
    crate = seg ? seg[1] : '(other)';
    if (/_[0-9a-f]{16}$/.test(name) || /^__(wbg|wbindgen|externref)/.test(name)) crate = 'wasm_bindgen (export shims)';
    else if (/^(u8|u16|u32|u64|u128|i32|i64|i128|usize|isize|f32|f64|char|str|bool|T|__rustc|compiler_builtins)$/.test(crate)) crate = 'core';
    if (crate === 'dyn' || (crate === 'alloc' && /dlmalloc/.test(name))) crate = /dlmalloc/.test(name) ? 'dlmalloc' : crate;
  }
  crates.set(crate, (crates.get(crate) ?? 0) + size);
}
const sorted = [...crates].sort((a, b) => b[1] - a[1]);
console.log(`${flavor}: ${path} (${total} bytes before wasm-opt)`);
for (const [crate, size] of sorted) {
  if (size < 200) continue;
  console.log(`  ${crate.padEnd(28)} ${String(size).padStart(8)} B  ${((100 * size) / total).toFixed(1).padStart(5)} %`);
}
