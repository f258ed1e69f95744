// Same-process A/B of two server builds at the raw dispatcher (no JS shell): SignInitiate
// (prepare + HMAC, the op behind prepareInitiate) and ValidateInitiate (the single pass alone:
// read, check and write the body; no HMAC, a 2-byte answer), interleaved rounds, median CPU
// time per call (process.cpuUsage: steadier than wall time on a shared machine).
//   cp -r pkg/dist/server /tmp/base-server        # before a change
//   node bench/ab-raw.mjs /tmp/base-server pkg/dist/server [initiate-2|initiate-3|initiate-50]
//   R=61 node bench/ab-raw.mjs ...                 # more rounds (default 41)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLIENT_ID, SECRET } from './lib/cases.js';
import { loadInputs } from './lib/inputs.mjs';

const [a, b, name = 'initiate-3'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/ab-raw.mjs <dist/server A> <dist/server B> [input]');
const load = async (dir) => {
  const glue = await import(`${pathToFileURL(resolve(dir, 'coinbar_pay.js')).href}?${dir}`);
  glue.initSync({ module: readFileSync(resolve(dir, 'coinbar_pay_bg.wasm')) });
  const client = glue.signing_client(CLIENT_ID, undefined, 'http://127.0.0.1:8790/coinbar/api/v2', undefined, undefined, new TextEncoder().encode(SECRET));
  return { glue, client };
};
const A = await load(a);
const B = await load(b);
const text = JSON.stringify(loadInputs()[name]);
const bytes = new TextEncoder().encode(text);
const NOW = 1715430961064;
const ops = {
  SignInitiate: (x) => x.client.call(3, bytes, undefined, undefined, NOW),
  ValidateInitiate: (x) => x.glue.call(1, text),
};
if (ops.SignInitiate(A) !== ops.SignInitiate(B)) throw new Error('the two builds sign differently');
if (ops.ValidateInitiate(A) !== '[]' || ops.ValidateInitiate(B) !== '[]') throw new Error('the input does not validate');
const N = name === 'initiate-50' ? 100 : 1000;
const R = Number(process.env.R || 41);
const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1];
for (const [op, f] of Object.entries(ops)) {
  const ta = [];
  const tb = [];
  for (let r = 0; r < R; r++) {
    for (const [x, t] of [
      [A, ta],
      [B, tb],
    ]) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < N; i++) f(x);
      const d = process.cpuUsage(t0);
      t.push((d.user + d.system) / N);
    }
  }
  console.log(`${name} ${op.padEnd(16)} A ${med(ta).toFixed(2)} µs  B ${med(tb).toFixed(2)} µs  B/A ${(med(tb) / med(ta)).toFixed(2)}  (CPU time per call, median of ${R} interleaved rounds)`);
}
