const mem = new WebAssembly.Memory({ initial: 20 });
const u8 = new Uint8Array(mem.buffer);
const s = JSON.stringify(JSON.parse(require_cb()));
function require_cb() { return process.getBuiltinModule('node:fs').readFileSync('/work/main/bench/inputs/callback.json', 'utf8'); }
const enc = new TextEncoder(); const { written } = enc.encodeInto(s, u8.subarray(1000));
const td = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
const td2 = new TextDecoder('utf-8', { ignoreBOM: true });
const buf = Buffer.from(mem.buffer);
function t(name, fn, n = 300000) { for (let i = 0; i < 30000; i++) fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); console.log(name.padEnd(24), ((performance.now() - t0) * 1000 / n).toFixed(3), 'µs'); }
for (let r = 0; r < 2; r++) {
t('TextDecoder fatal', () => td.decode(u8.subarray(1000, 1000 + written)));
t('TextDecoder', () => td2.decode(u8.subarray(1000, 1000 + written)));
t('buf.utf8Slice', () => buf.utf8Slice(1000, 1000 + written));
t('buf.toString', () => buf.toString('utf8', 1000, 1000 + written));
t('JSON.parse', () => JSON.parse(s));
}
console.log(written, s.length);
