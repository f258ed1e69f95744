// Sections 1 and 2 in Node: prepare, sign and verify, the SDK vs node:crypto, WebCrypto and
// @noble/hashes. Run by bench/run.mjs in its own process; prints `BENCH_RESULT <json>`.
//   node bench/node-micro.mjs [--quick]
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { CoinbarPay } from 'coinbar-pay';
import { CLIENT_ID, SECRET, makeCases, checkEquivalence } from './lib/cases.js';
import { loadInputs, loadCallbackRaw } from './lib/inputs.mjs';
import { measure } from './lib/harness.mjs';

const quick = process.argv.includes('--quick');
const log = (m) => process.stderr.write(`${m}\n`);

const callbackRaw = loadCallbackRaw();
// Headers as Node's http module hands them over (lower-cased names).
const callbackHeaders = {
  host: '127.0.0.1:3000',
  'user-agent': 'coinbar',
  'content-type': 'application/json',
  'content-length': String(callbackRaw.length),
  'cbpay-api-key': CLIENT_ID,
  signature: createHmac('sha256', SECRET).update(callbackRaw).digest('hex'),
  connection: 'keep-alive',
};

const { cases, bodies } = await makeCases({
  CoinbarPay,
  inputs: loadInputs(),
  callbackRaw,
  callbackHeaders,
  subtle: webcrypto.subtle,
  noble: { hmac, sha256, bytesToHex, utf8ToBytes },
  node: { createHmac, timingSafeEqual, Buffer },
});
const problems = await checkEquivalence(cases);
for (const p of problems) log(`  EQUIVALENCE PROBLEM: ${p}`);

const named = cases.map((c) => ({ ...c, name: `${c.section}/${c.input}/${c.impl}` }));
const results = await measure(named, { timeMs: quick ? 150 : 500, warmupMs: quick ? 50 : 200, log });
const out = {};
for (const c of named) {
  ((out[c.section] ??= {})[c.input] ??= {})[c.impl] = results.get(c.name);
}
const bodyBytes = Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, Buffer.byteLength(v)]));
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ results: out, bodyBytes, callbackBytes: callbackRaw.length, problems })}\n`);
