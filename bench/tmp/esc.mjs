const fs = process.getBuiltinModule('node:fs');
const s = JSON.stringify(JSON.parse(fs.readFileSync('/work/main/bench/inputs/callback.json', 'utf8')));
const esc = s.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const enc = new TextEncoder(); const td = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
const b1 = enc.encode(s), b2 = enc.encode(esc);
function t(name, fn, n = 200000) { for (let i = 0; i < 20000; i++) fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); console.log(name.padEnd(24), ((performance.now() - t0) * 1000 / n).toFixed(3), 'µs'); }
for (let r = 0; r < 3; r++) {
  t('parse raw', () => JSON.parse(s));
  t('parse escaped', () => JSON.parse(esc));
  t('decode raw', () => td.decode(b1));
  t('decode escaped', () => td.decode(b2));
}
console.log(JSON.stringify(JSON.parse(esc)) === s, s.length, esc.length);
