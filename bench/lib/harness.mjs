// Micro-benchmark harness on tinybench: each sample is a batch of `batch` calls (sized to
// ~0.5 ms, so timer resolution and overhead do not matter), with warm-up, and the figure
// reported is the MEDIAN batch time turned into operations per second.
import { Bench } from 'tinybench';

let sink; // results are stored here so the calls cannot be optimized away
export const keep = () => sink;

/** Calls per batch so that one batch takes about `targetMs` (after ~30 ms of JIT warm-up). */
async function batchSize(fn, async, targetMs) {
  const run = async (n) => {
    const t0 = performance.now();
    if (async) for (let i = 0; i < n; i++) sink = await fn();
    else for (let i = 0; i < n; i++) sink = fn();
    return performance.now() - t0;
  };
  for (let spent = 0; spent < 30; ) spent += await run(16);
  let n = 1;
  while (n < 1 << 20 && (await run(n)) < targetMs / 2) n *= 2;
  // The median of three timings at that size, so one GC pause does not shrink the batch.
  const dts = [await run(n), await run(n), await run(n)].sort((a, b) => a - b);
  return Math.max(1, Math.round((n * targetMs) / Math.max(dts[1], 1e-3)));
}

/**
 * Measure cases `[{ name, fn, async }]` one after the other.
 * @returns Map name -> { opsPerSec, madPct (median absolute deviation / median), samples, batch, medianBatchMs }
 */
export async function measure(cases, { timeMs = 500, warmupMs = 200, batchMs = 0.5, log = () => {} } = {}) {
  const out = new Map();
  for (const c of cases) {
    const batch = await batchSize(c.fn, c.async, batchMs);
    const bench = new Bench({ time: timeMs, warmupTime: warmupMs, iterations: 10, warmupIterations: 5, timestampProvider: 'hrtimeNow' });
    const { fn } = c;
    if (c.async) {
      bench.add(c.name, async () => {
        for (let i = 0; i < batch; i++) sink = await fn();
      });
    } else {
      bench.add(c.name, () => {
        for (let i = 0; i < batch; i++) sink = fn();
      });
    }
    await bench.run();
    const r = bench.tasks[0].result;
    if (!r?.latency) {
      out.set(c.name, { error: String(r?.error?.message ?? r?.state ?? 'no result') });
      log(`  ${c.name}: ERROR ${out.get(c.name).error}`);
      continue;
    }
    const median = r.latency.p50; // ms per batch
    const res = {
      opsPerSec: (batch * 1000) / median,
      madPct: (100 * r.latency.mad) / median,
      samples: r.latency.samplesCount,
      batch,
      medianBatchMs: median,
    };
    out.set(c.name, res);
    log(`  ${c.name.padEnd(44)} ${fmtOps(res.opsPerSec).padStart(12)} ops/s  (batch ${batch}, MAD ±${res.madPct.toFixed(1)}%, ${res.samples} samples)`);
  }
  return out;
}

export function fmtOps(n) {
  if (n === undefined || n === null || !Number.isFinite(n)) return 'n/a';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k`;
  return n.toFixed(1);
}
