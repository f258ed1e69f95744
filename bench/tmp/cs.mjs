const t0 = performance.now();
await import('../../pkg/src/ops.js');
const t1 = performance.now();
const { CoinbarPay } = await import('coinbar-pay');
const t2 = performance.now();
console.log(JSON.stringify({ warm: t1 - t0, imp: t2 - t1 }));
