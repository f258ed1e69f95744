import { createHmac, timingSafeEqual } from 'node:crypto';
import * as glue from '../../pkg/dist/server/coinbar_pay.js';
import { readFileSync } from 'node:fs';
import { bind } from '../../pkg/src/glue.js';
glue.initSync({ module: readFileSync(new URL('../../pkg/dist/server/coinbar_pay_bg.wasm', import.meta.url)) });
bind(glue);
const { CoinbarPay } = await import('../../pkg/src/server.js');
import { CLIENT_ID, SECRET } from '../lib/cases.js';
import { loadCallbackRaw } from '../lib/inputs.mjs';
const raw = loadCallbackRaw();
const sig = createHmac('sha256', SECRET).update(raw).digest('hex');
const headers = { 'cbpay-api-key': CLIENT_ID, signature: sig };
const cb = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
const client = glue.signing_client(CLIENT_ID, undefined, 'http://127.0.0.1:8790/coinbar/api/v2', undefined, undefined, new TextEncoder().encode(SECRET));
const bytes = new Uint8Array(raw);
const out = client.call(11, bytes, CLIENT_ID, sig);
console.log(raw.length, out.length);
function t(name, fn, n = 100000) { for (let i = 0; i < 20000; i++) fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); const us = (performance.now() - t0) * 1000 / n; console.log(name.padEnd(30), us.toFixed(2), 'µs'); }
const rawS = raw.toString('utf8');
const sigB = Buffer.from(sig, 'hex');
for (let r = 0; r < 2; r++) {
t('verifyCallback', () => cb.verifyCallback(raw, headers));
t('baseline', () => { const ok = timingSafeEqual(createHmac('sha256', SECRET).update(raw).digest(), Buffer.from(sig, 'hex')); return ok ? JSON.parse(raw.toString('utf8')) : null; });
t('raw wasm call', () => client.call(11, bytes, CLIENT_ID, sig));
t('JSON.parse(out)', () => JSON.parse(out));
t('JSON.parse(raw str)', () => JSON.parse(rawS));
t('wasm sign', () => client.call(12, bytes));
}
