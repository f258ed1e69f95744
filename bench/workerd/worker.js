// The micro benchmarks inside workerd: the same cases as in Node (bench/lib/cases.js), minus
// node:crypto. Bundled by bench/workerd.mjs as wrangler would (esbuild, `workerd` condition,
// the .wasm as a compiled module). Timers inside workerd only advance on I/O, so the worker
// does not time anything: bench/workerd.mjs times requests of n and of 0 calls from outside.
//   GET /?list             -> { cases, problems, bodyBytes }
//   GET /?case=NAME&n=N    -> runs the case N times
import { CoinbarPay } from 'coinbar-pay';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { CLIENT_ID, makeCases, checkEquivalence } from '../lib/cases.js';

let setup;
let sink;

async function init(env) {
  const raw = new TextEncoder().encode(env.CALLBACK_RAW);
  const { cases, bodies } = await makeCases({
    CoinbarPay,
    inputs: JSON.parse(env.INPUTS),
    callbackRaw: raw,
    callbackHeaders: new Headers({ 'content-type': 'application/json', 'cbpay-api-key': CLIENT_ID, signature: env.CALLBACK_SIGNATURE }),
    subtle: crypto.subtle,
    noble: { hmac, sha256, bytesToHex, utf8ToBytes },
  });
  const byName = new Map(cases.map((c) => [`${c.section}/${c.input}/${c.impl}`, c]));
  const problems = await checkEquivalence(cases);
  const bodyBytes = Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, new TextEncoder().encode(v).length]));
  return { byName, problems, bodyBytes };
}

export default {
  async fetch(request, env) {
    setup ??= init(env);
    const { byName, problems, bodyBytes } = await setup;
    const url = new URL(request.url);
    if (url.searchParams.has('list')) return Response.json({ cases: [...byName.keys()], problems, bodyBytes });
    const n = Number(url.searchParams.get('n') ?? 0);
    const c = byName.get(url.searchParams.get('case'));
    if (!c) return new Response('unknown case', { status: 404 });
    const { fn } = c;
    if (c.async) for (let i = 0; i < n; i++) sink = await fn();
    else for (let i = 0; i < n; i++) sink = fn();
    return new Response(sink === undefined ? 'none' : 'ok');
  },
};
