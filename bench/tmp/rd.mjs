const { readFileSync, openSync, readSync, fstatSync, closeSync } = process.getBuiltinModule('node:fs');
const mode = process.argv[2];
const t0 = performance.now();
let b;
if (mode === 'url') b = readFileSync(new URL('../../pkg/dist/server/coinbar_pay_bg.wasm', import.meta.url));
else if (mode === 'path') b = readFileSync('/work/main/pkg/dist/server/coinbar_pay_bg.wasm');
else if (mode === 'b64') { const m = await import('../../pkg/dist/server/coinbar_pay_bg.wasm.base64.js'); b = Buffer.from(m.default, 'base64'); }
const t1 = performance.now();
console.log(mode, (t1 - t0).toFixed(3), b.length);
