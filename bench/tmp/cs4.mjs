const what = process.argv[2];
const t0 = performance.now();
const { CoinbarPay } = await import(what);
new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'sandbox-secret-do-not-use-in-production', baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' }).sign('x');
console.log((performance.now() - t0).toFixed(3));
