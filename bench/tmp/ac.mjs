const { readFileSync } = process.getBuiltinModule('node:fs');
const b = readFileSync('/work/main/pkg/dist/server/coinbar_pay_bg.wasm');
const mode = process.argv[2];
const t0 = performance.now();
const m = mode === 'async' ? await WebAssembly.compile(b) : new WebAssembly.Module(b);
console.log(mode, (performance.now() - t0).toFixed(3));
