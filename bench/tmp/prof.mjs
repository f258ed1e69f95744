import { createHmac } from 'node:crypto';
import { CoinbarPay } from 'coinbar-pay';
import { CLIENT_ID, SECRET } from '/work/main/bench/lib/cases.js';
import { loadInputs } from '/work/main/bench/lib/inputs.mjs';
const inputs = loadInputs();
const input = inputs['initiate-3'];
const cb = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, environment: 'sandbox' });
const body = cb.prepareInitiate(input).body;
const obj = JSON.parse(body);
const enc = new TextEncoder(); const scratch = new Uint8Array(65536);
function t(name, fn, n = 200000) { for (let i = 0; i < 20000; i++) fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); const us = (performance.now() - t0) * 1000 / n; console.log(name.padEnd(30), us.toFixed(2), 'µs'); }
const text = JSON.stringify(input);
for (let r = 0; r < 2; r++) {
t('prepareInitiate', () => cb.prepareInitiate(input));
t('baseline stringify+hmac', () => createHmac('sha256', SECRET).update(JSON.stringify(obj)).digest('hex'));
t('stringify input', () => JSON.stringify(input));
t('stringify canonical', () => JSON.stringify(obj));
t('hmac only', () => createHmac('sha256', SECRET).update(body).digest('hex'));
t('encodeInto', () => enc.encodeInto(text, scratch));
t('sign(body) sdk', () => cb.sign(body));
}
