const what = process.argv[2];
const t0 = performance.now();
if (what === 'empty') await import('emp-probe');
else if (what === 'crypto') { const { createHmac } = await import('node:crypto'); createHmac('sha256', 'k').update('x').digest('hex'); }
else if (what === 'sdkimport') await import('coinbar-pay');
else if (what === 'sdk') { const { CoinbarPay } = await import('coinbar-pay'); new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'sandbox-secret-do-not-use-in-production', baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' }).sign('x'); }
console.log((performance.now() - t0).toFixed(3));
