// Section 5: wasm linear memory and JS heap before and after 1,000,000 prepareInitiate calls
// on the ~600-byte input, after a warm-up. Needs --expose-gc (bench/run.mjs passes it).
// Bounded: stops early (and says so) if the calls take longer than the time limit.
//   node --expose-gc bench/memory.mjs [--quick]
// The unbundled Node entry, which shares the glue module below (its wasm memory is measured).
import { CoinbarPay } from '../pkg/src/node.js';
// The same module instance as the package's (same resolved file): initSync() hands back its exports.
import * as glue from '../pkg/dist/server/coinbar_pay.js';
import { CLIENT_ID, SECRET, BASE_URL } from './lib/cases.js';
import { loadInputs } from './lib/inputs.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const quick = process.argv.includes('--quick');
const CALLS = quick ? 100_000 : 1_000_000;
const WARMUP = quick ? 5_000 : 20_000;
const LIMIT_MS = quick ? 15_000 : 90_000;
const log = (m) => process.stderr.write(`${m}\n`);

const wasmBytes = () => glue.initSync().memory.buffer.byteLength;
function settle() {
  for (let i = 0; i < 3; i++) globalThis.gc();
}
function snapshot() {
  settle();
  const m = process.memoryUsage();
  return { wasmMemoryBytes: wasmBytes(), heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers, rssBytes: m.rss };
}

const input = loadInputs()['initiate-3'];
const cbpay = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: BASE_URL });
let sink;
const start = snapshot();
for (let i = 0; i < WARMUP; i++) sink = cbpay.prepareInitiate(input);
const afterWarmup = snapshot();
const trace = [];
const t0 = performance.now();
let done = 0;
const step = CALLS / 10;
while (done < CALLS) {
  for (let i = 0; i < step; i++) sink = cbpay.prepareInitiate(input);
  done += step;
  trace.push({ calls: done, wasmMemoryBytes: wasmBytes(), heapUsedBytes: process.memoryUsage().heapUsed, elapsedMs: performance.now() - t0 });
  if (performance.now() - t0 > LIMIT_MS) break;
}
const elapsedMs = performance.now() - t0;
const after = snapshot();
if (!sink?.headers?.SIGNATURE) throw new Error('prepareInitiate returned no signature');
const result = {
  calls: done,
  plannedCalls: CALLS,
  stoppedEarly: done < CALLS,
  warmupCalls: WARMUP,
  elapsedMs,
  opsPerSec: (done * 1000) / elapsedMs,
  start,
  afterWarmup,
  after,
  wasmGrowthBytes: after.wasmMemoryBytes - afterWarmup.wasmMemoryBytes,
  heapGrowthBytes: after.heapUsedBytes - afterWarmup.heapUsedBytes,
  trace,
};
log(
  `  memory: ${done} calls in ${(elapsedMs / 1000).toFixed(1)} s; wasm ${afterWarmup.wasmMemoryBytes} -> ${after.wasmMemoryBytes} bytes; heapUsed ${afterWarmup.heapUsedBytes} -> ${after.heapUsedBytes} bytes`,
);
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
