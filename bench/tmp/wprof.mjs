import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
const glue = await import('/tmp/profbuild2/coinbar_pay.js');
glue.initSync({ module: readFileSync('/tmp/profbuild2/coinbar_pay_bg.wasm') });
import { CLIENT_ID, SECRET } from '../lib/cases.js';
import { loadCallbackRaw, loadInputs } from '../lib/inputs.mjs';
const raw = loadCallbackRaw();
const sig = createHmac('sha256', SECRET).update(raw).digest('hex');
const client = glue.signing_client(CLIENT_ID, undefined, 'http://127.0.0.1:8790/coinbar/api/v2', undefined, undefined, new TextEncoder().encode(SECRET));
const bytes = new Uint8Array(raw);
const input = new TextEncoder().encode(JSON.stringify(loadInputs()['initiate-3']));
const mode = process.argv[2];
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 3000) { for (let i = 0; i < 1000; i++) mode === 'verify' ? client.call(11, bytes, CLIENT_ID, sig) : client.call(3, input, undefined, undefined, 1715430961064); n += 1000; }
console.log(mode, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
