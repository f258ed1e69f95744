// Sections 1-3 in workerd (Miniflare), run by bench/run.mjs in its own process; prints
// `BENCH_RESULT <json>`.
//
// Throughput: workerd's clocks (Date.now, performance.now) only advance on I/O, so nothing is
// timed inside the worker. Each case is timed from Node (hrtime) as requests that run it n
// times minus requests that run it 0 times: ops/s = n / (median(t_n) - median(t_0)), with n
// sized so one request costs ~60 ms of work (sized again after two warm-up requests).
//
// Cold start: a fresh Miniflare (a new workerd process) per run: time to `ready` (workerd
// compiles the .wasm and evaluates the worker at start-up) and the latency of the first
// request (the client created, first signature), the SDK worker vs. a WebCrypto worker.
//   node bench/workerd.mjs [--quick]
import { Miniflare } from 'miniflare';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_ID, SECRET } from './lib/cases.js';
import { loadInputs, loadCallbackRaw } from './lib/inputs.mjs';
import { bundleForWorkerd, miniflareOptions } from '../scripts/workerd.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const quick = process.argv.includes('--quick');
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

const bundle = (entry, outdir) => bundleForWorkerd(entry, outdir);
const miniflare = (script, bindings) => new Miniflare(miniflareOptions(script, bindings));

async function get(url) {
  const t0 = now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return { ms, text };
}

async function throughput(dir) {
  const script = await bundle(join(HERE, 'workerd/worker.js'), join(dir, 'micro'));
  const raw = loadCallbackRaw();
  const mf = miniflare(script, {
    INPUTS: JSON.stringify(loadInputs()),
    CALLBACK_RAW: raw.toString('utf8'),
    CALLBACK_SIGNATURE: createHmac('sha256', SECRET).update(raw).digest('hex'),
  });
  const base = (await mf.ready).origin;
  try {
    const list = JSON.parse((await get(`${base}/?list`)).text);
    for (const p of list.problems) log(`  EQUIVALENCE PROBLEM (workerd): ${p}`);
    const caseUrl = (name, n) => `${base}/?case=${encodeURIComponent(name)}&n=${n}`;
    const reps = quick ? 3 : 7;
    const targetMs = quick ? 20 : 60;
    const results = {};
    // One pass over every case first, so the worker's own code is warm for the first case too.
    for (const name of list.cases) await get(caseUrl(name, 32));
    for (const name of list.cases) {
      // Size n: double until a request of n calls takes targetMs/2 more than an empty one
      // (each step the median of two requests, so one slow request does not stop it early).
      const emptyMs = async () => median([(await get(caseUrl(name, 0))).ms, (await get(caseUrl(name, 0))).ms, (await get(caseUrl(name, 0))).ms]);
      const workMs = async (k) => median([(await get(caseUrl(name, k))).ms, (await get(caseUrl(name, k))).ms]) - (await emptyMs());
      let n = 16;
      let dt;
      while ((dt = await workMs(n)) < targetMs / 2 && n < 1 << 22) n *= 2;
      n = Math.max(1, Math.round((n * targetMs) / Math.max(dt, 0.01)));
      // Warm up at full size (the JIT may still tier up), then size n once more.
      await get(caseUrl(name, n));
      await get(caseUrl(name, n));
      n = Math.max(1, Math.round((n * targetMs) / Math.max(await workMs(n), 0.01)));
      const full = [];
      const empty = [];
      for (let i = 0; i < reps; i++) {
        full.push((await get(caseUrl(name, n))).ms);
        empty.push((await get(caseUrl(name, 0))).ms);
      }
      const work = median(full) - median(empty);
      const [section, input, impl] = name.split('/');
      const r = { opsPerSec: (n * 1000) / work, n, medianRequestMs: median(full), medianEmptyMs: median(empty), reps };
      ((results[section] ??= {})[input] ??= {})[impl] = r;
      log(`  workerd ${name.padEnd(40)} ${Math.round(r.opsPerSec).toString().padStart(9)} ops/s  (n ${n}, request ${r.medianRequestMs.toFixed(1)} ms, empty ${r.medianEmptyMs.toFixed(2)} ms)`);
    }
    return { results, problems: list.problems, bodyBytes: list.bodyBytes };
  } finally {
    await mf.dispose();
  }
}

async function coldStart(dir) {
  const body = readFileSync(join(HERE, 'inputs/callback.json'), 'utf8');
  const scripts = {
    sdk: await bundle(join(HERE, 'workerd/cold-sdk.js'), join(dir, 'cold-sdk')),
    webcrypto: await bundle(join(HERE, 'workerd/cold-webcrypto.js'), join(dir, 'cold-webcrypto')),
  };
  const expected = createHmac('sha256', SECRET).update(body).digest('hex');
  const runs = { sdk: [], webcrypto: [] };
  const n = quick ? 2 : 5;
  for (let i = 0; i < n; i++) {
    for (const kind of i % 2 ? ['webcrypto', 'sdk'] : ['sdk', 'webcrypto']) {
      const t0 = now();
      const mf = miniflare(scripts[kind], { CLIENT_ID, SECRET, BODY: body });
      try {
        const origin = (await mf.ready).origin;
        const t1 = now();
        const first = await get(`${origin}/`);
        const t2 = now();
        const second = await get(`${origin}/`);
        if (first.text !== expected || second.text !== expected) throw new Error(`${kind} worker signed wrongly: ${first.text}`);
        runs[kind].push({ readyMs: t1 - t0, firstRequestMs: t2 - t1, totalMs: t2 - t0, secondRequestMs: second.ms });
      } finally {
        await mf.dispose();
      }
    }
  }
  const summary = {};
  for (const [kind, rs] of Object.entries(runs)) {
    summary[kind] = {
      runs: rs.length,
      readyMs: median(rs.map((r) => r.readyMs)),
      firstRequestMs: median(rs.map((r) => r.firstRequestMs)),
      secondRequestMs: median(rs.map((r) => r.secondRequestMs)),
      totalMs: median(rs.map((r) => r.totalMs)),
    };
    log(
      `  workerd cold start ${kind.padEnd(10)} ready ${summary[kind].readyMs.toFixed(1)} ms, first request ${summary[kind].firstRequestMs.toFixed(2)} ms, second ${summary[kind].secondRequestMs.toFixed(2)} ms`,
    );
  }
  summary.bundleBytes = Object.fromEntries(Object.entries(scripts).map(([k, s]) => [k, readFileSync(s).length]));
  return summary;
}

const dir = mkdtempSync(join(tmpdir(), 'coinbar-bench-workerd-'));
try {
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/workerd/package.json'), 'utf8')).version;
  const mfVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/miniflare/package.json'), 'utf8')).version;
  const micro = await throughput(dir);
  const cold = await coldStart(dir);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ version: `workerd ${version} (miniflare ${mfVersion})`, ...micro, coldStart: cold })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
