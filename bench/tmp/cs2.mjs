const t0 = performance.now();
const { CoinbarPay } = await import('../../pkg/dist/node-t.mjs');
const t1 = performance.now();
const cb = new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'sandbox-secret-do-not-use-in-production', baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
const t2 = performance.now();
cb.sign('hello');
const t3 = performance.now();
let prev = t0; const parts = [];
for (const [k, v] of globalThis.__m) { parts.push(`${k} ${(v - prev).toFixed(2)}`); prev = v; }
parts.push(`toImportDone ${(t1 - prev).toFixed(2)}`, `client ${(t2 - t1).toFixed(2)}`, `sign ${(t3 - t2).toFixed(2)}`, `total ${(t3 - t0).toFixed(2)}`);
console.log(parts.join(' | '));
