#!/usr/bin/env node
// Load and faults through the SDK against the local sandbox (issue 7, §5).
//
//   node --expose-gc tests/load/run.mjs                          10,000 initiates, concurrency 200
//   node --expose-gc tests/load/run.mjs --faults 0.1             the same with 10% injected faults
//   node --expose-gc tests/load/run.mjs --calls 2000 --json      short run, result as JSON
//   options: --calls N  --concurrency N  --faults P  --seed N  --timeout-ms N  --max-retries N
//            --sandbox child|in-process  --json
//
// Every call is `cbpay.initiate(input)` of the package as users import it ('coinbar-pay',
// built by `make build`), each with its own payment_request_id, against www/sandbox (in a
// child process by default, so the SDK and the sandbox each have a core of their own).
//
// Faults: with --faults P, each HTTP attempt the SDK makes is, with probability P, sent with
// the sandbox's `x-sandbox-fault` header (500, 502, 503, 429 with Retry-After 1, reset,
// truncated body, reset-after-commit = lost response of a created payment, 302 and
// 307-after-commit = redirects (never followed), hang and latency
// past the timeout = timeouts). The header is added by the transport the SDK is given (its
// `fetch` option); the SDK's own retry logic sees exactly what a queued fault would show it,
// and each attempt, retries included, is faulted independently. Retries are on
// (--max-retries, default 3).
//
// Checked (exit 1 on any violation):
//   - every call ends in success or a CoinbarError with a documented code;
//   - no payment duplicated: the sandbox's created counter is never above 1 for an id, and
//     no payment_id_coinbar appears twice;
//   - none lost: every successful answer matches the sandbox's record (payment_id_coinbar and
//     every digit of destination_amount), and no payment exists that no call asked for;
//   - without faults: 0 errors and exactly N payments;
//   - with faults: the merchant's retry of each failed call (the same input, no faults) then
//     succeeds with the sandbox's record, after which there are again exactly N payments.
// Printed: calls, concurrency, wall time, calls/s, latency p50/p95/p99/max, errors by code,
// faults injected by kind, payments created, replays, duplicates, lost, RSS before/after.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { mulberry32 } from '../lib/rng.mjs';

const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
const CODES = new Set(['validation', 'config', 'network', 'timeout', 'aborted', 'http', 'api', 'decode', 'internal']);
const FAULT_KINDS = ['500', '502', '503', '429', 'reset', 'truncated', 'reset-after-commit', 'hang', 'latency', '302', '307-after-commit'];
const COINS = ['BTC', 'ETH', 'USDT', 'XRP', 'XDB'];

const gc = () => globalThis.gc?.();
const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

/** The sandbox, in a child process (default) or in this one; `summary()` reads its payments. */
async function startLoadSandbox(where, dedupe) {
  const here = new URL('./sandbox-process.mjs', import.meta.url);
  if (where === 'in-process') {
    const { startSandbox } = await import('../../www/sandbox/server.js');
    const { LOAD_SANDBOX_OPTIONS, sandboxSummary } = await import(here);
    const sb = await startSandbox({ ...LOAD_SANDBOX_OPTIONS, dedupe });
    return { baseUrl: sb.baseUrl, summary: async () => sandboxSummary(sb), close: () => sb.close() };
  }
  const child = fork(fileURLToPath(here), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, LOAD_DEDUPE: String(dedupe) } });
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m?.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code) => reject(new Error(`sandbox process exited (${code}) before '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    baseUrl: ready.baseUrl,
    summary: () => {
      const p = next('summary');
      child.send({ type: 'summary' });
      return p;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send({ type: 'close' });
        setTimeout(() => child.kill(), 5000).unref();
      }),
  };
}

/** A transport that adds a sandbox fault header to a share of the attempts. */
function faultyFetch(rate, random, timeoutMs, injected) {
  return (url, init) => {
    if (rate > 0 && random() < rate) {
      const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
      injected[kind] = (injected[kind] ?? 0) + 1;
      if (kind === 'latency') injected.lastLatencyAt = performance.now();
      const headers = { ...init.headers, 'x-sandbox-fault': kind };
      if (kind === '429') headers['x-sandbox-retry-after'] = '1';
      // latency past the deadline: the payment IS created, after the client gave up.
      if (kind === 'latency') headers['x-sandbox-delay-ms'] = String(timeoutMs + 1000);
      return fetch(url, { ...init, headers });
    }
    return fetch(url, init);
  };
}

function inputFor(runId, i, random) {
  const products = [];
  for (let n = 1 + Math.floor(random() * 3), k = 0; k < n; k++) {
    const cents = 1 + Math.floor(random() * 99999);
    products.push({
      product_name: `Item ${k} «load» ${i}`,
      product_price: random() < 0.5 ? cents / 100 : (cents / 100).toFixed(2), // number or "12.30"
      product_amount: 1 + Math.floor(random() * 5),
      product_id: `sku-${k}`,
      product_type: 'general',
    });
  }
  return {
    payment_request_id: `load-${runId}-${i}`,
    input_coin: 'EUR',
    products,
    email: `customer${i}@example.com`,
    user_id: `user-${i % 997}`,
    destination_coin: COINS[i % COINS.length],
    timestamp: Date.now(),
  };
}

/**
 * Run the load. Returns the figures and `violations` (empty when every property held).
 * @param {{ calls?: number, concurrency?: number, faults?: number, seed?: number,
 *   timeoutMs?: number, maxRetries?: number, sandbox?: 'child' | 'in-process' }} [options]
 */
export async function runLoad(options = {}) {
  const calls = options.calls ?? 10_000;
  const concurrency = options.concurrency ?? 200;
  const faultRate = options.faults ?? 0;
  const seed = options.seed ?? 7;
  const timeoutMs = options.timeoutMs ?? (faultRate > 0 ? 5000 : 30_000);
  const maxRetries = options.maxRetries ?? 3;
  const dedupe = options.dedupe ?? true;
  const random = mulberry32(seed); // reproducible choices
  const runId = `${Date.now().toString(36)}-${seed}`;
  const violations = [];
  const sandbox = await startLoadSandbox(options.sandbox ?? 'child', dedupe);
  try {
    const injected = {};
    const cbpay = new CoinbarPay({
      serviceClientId: CLIENT.id,
      secretKey: CLIENT.secret,
      baseUrl: sandbox.baseUrl,
      timeoutMs,
      maxRetries,
      fetch: faultyFetch(faultRate, random, timeoutMs, injected),
    });
    const inputs = Array.from({ length: calls }, (_, i) => inputFor(runId, i, random));

    // Warm up without creating payments (signing only, and one GET), then measure.
    for (let i = 0; i < 50; i++) cbpay.prepareInitiate(inputs[i % inputs.length]);
    const warm = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl });
    await warm.quotes();
    warm.free();
    gc();
    const before = process.memoryUsage();

    const results = new Array(calls);
    const latencies = new Float64Array(calls);
    const rssSeries = []; // RSS (MB, no gc) each time another tenth of the calls has finished
    let done = 0;
    let nextIndex = 0;
    const t0 = performance.now();
    const worker = async () => {
      for (let i = nextIndex++; i < calls; i = nextIndex++) {
        const start = performance.now();
        try {
          const p = await cbpay.initiate(inputs[i]);
          results[i] = { ok: true, pid: p.payment_id_coinbar, amount: p.destination_amount };
        } catch (e) {
          results[i] =
            e instanceof CoinbarError && CODES.has(e.code) && (e.outcome === 'unknown' || e.outcome === 'not_processed')
              ? { ok: false, code: e.code, status: e.status, outcome: e.outcome, message: e.message }
              : { ok: false, code: 'UNTYPED', message: String(e?.stack ?? e) };
        }
        latencies[i] = performance.now() - start;
        if (++done % Math.max(1, Math.floor(calls / 10)) === 0) rssSeries.push(mb(process.memoryUsage().rss));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
    const wallMs = performance.now() - t0;
    gc();
    const after = process.memoryUsage();

    // Requests faulted with `latency` are processed after the client gave up: let them land.
    const { lastLatencyAt } = injected;
    delete injected.lastLatencyAt;
    if (lastLatencyAt) await new Promise((r) => setTimeout(r, Math.max(0, lastLatencyAt + timeoutMs + 1500 - performance.now())));
    const sb = await sandbox.summary();

    const errorsByCode = {};
    for (const r of results) if (!r.ok) errorsByCode[r.code] = (errorsByCode[r.code] ?? 0) + 1;
    const errors = results.filter((r) => !r.ok).length;
    if (errorsByCode.UNTYPED) violations.push(`${errorsByCode.UNTYPED} calls ended in something other than a typed CoinbarError with an outcome: ${results.find((r) => r.code === 'UNTYPED').message}`);

    const check = (phase, sbNow) => {
      const byId = new Map();
      const pids = new Set();
      let duplicates = 0;
      for (const p of sbNow.payments) {
        if (byId.has(p.id) || pids.has(p.pid)) duplicates++;
        byId.set(p.id, p);
        pids.add(p.pid);
      }
      const ours = sbNow.counters.filter((c) => c.payment_request_id.startsWith(`load-${runId}-`));
      duplicates += ours.filter((c) => c.created > 1).length;
      const replayed = ours.reduce((n, c) => n + c.replayed, 0);
      const conflicts = ours.reduce((n, c) => n + c.conflicts, 0);
      let lost = 0;
      const lostExamples = [];
      results.forEach((r, i) => {
        if (!r.ok) return;
        const rec = byId.get(inputs[i].payment_request_id);
        if (!rec || rec.pid !== r.pid || rec.amount !== r.amount) {
          lost++;
          if (lostExamples.length < 3) lostExamples.push({ id: inputs[i].payment_request_id, got: r, record: rec });
        }
      });
      const asked = new Set(inputs.map((x) => x.payment_request_id));
      const strangers = sbNow.payments.filter((p) => !asked.has(p.id)).length;
      const orphans = results.filter((r, i) => !r.ok && byId.has(inputs[i].payment_request_id)).length;
      if (duplicates) violations.push(`${phase}: ${duplicates} duplicated payments`);
      if (lost) violations.push(`${phase}: ${lost} successful answers without a matching sandbox record, e.g. ${JSON.stringify(lostExamples)}`);
      if (strangers) violations.push(`${phase}: ${strangers} payments nobody asked for`);
      if (conflicts) violations.push(`${phase}: ${conflicts} conflicting resends (same id, different body)`);
      return { payments: sbNow.payments.length, duplicates, lost, replayed, orphans, strangers };
    };
    const atEnd = check('run', sb);
    if (faultRate === 0) {
      if (errors) violations.push(`${errors} errors without faults: ${JSON.stringify(errorsByCode)}; first: ${results.find((r) => !r.ok).message}`);
      if (atEnd.payments !== calls) violations.push(`${atEnd.payments} payments in the sandbox, expected exactly ${calls}`);
    }

    // The merchant's retry of every failed call: same input, no faults.
    let reconcile = null;
    if (errors) {
      const plain = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl: sandbox.baseUrl, timeoutMs: 30_000 });
      const failed = results.map((r, i) => (r.ok ? -1 : i)).filter((i) => i >= 0);
      const createdIds = new Set(sb.payments.map((p) => p.id));
      const hadRecord = failed.filter((i) => createdIds.has(inputs[i].payment_request_id)).length;
      let recovered = 0;
      let settled = 0;
      for (const i of failed) {
        try {
          // An unknown outcome is settled before any new attempt: the payment may exist.
          if (results[i].outcome === 'unknown') {
            const existing = await plain.findPayment(inputs[i].payment_request_id);
            if (existing) {
              results[i] = { ok: true, pid: existing.payment_id_coinbar, amount: existing.payment_detail?.destination_amount, settled: true };
              settled++;
              continue;
            }
          }
          const p = await plain.initiate(inputs[i]);
          results[i] = { ok: true, pid: p.payment_id_coinbar, amount: p.destination_amount, retried: true };
          recovered++;
        } catch (e) {
          violations.push(`retry of failed call ${inputs[i].payment_request_id} failed again: ${e.code} ${e.message}`);
        }
      }
      plain.free();
      const finalSb = await sandbox.summary();
      const final = check('after the retries', finalSb);
      if (final.payments !== calls) violations.push(`after the retries: ${final.payments} payments, expected exactly ${calls}`);
      reconcile = { failed: failed.length, already_created: hadRecord, settled_by_find_payment: settled, recovered, ...final };
    }
    cbpay.free();

    return {
      calls,
      concurrency,
      faults: faultRate,
      max_retries: maxRetries,
      timeout_ms: timeoutMs,
      sandbox: options.sandbox ?? 'child',
      wall_s: Math.round(wallMs) / 1000,
      calls_per_s: Math.round((calls / wallMs) * 1000),
      latency_ms: (() => {
        const s = Array.from(latencies).sort((a, b) => a - b);
        const r1 = (x) => Math.round(x * 10) / 10;
        return { p50: r1(percentile(s, 50)), p95: r1(percentile(s, 95)), p99: r1(percentile(s, 99)), max: r1(s[s.length - 1] ?? 0) };
      })(),
      successes: calls - errors,
      errors,
      errors_by_code: errorsByCode,
      faults_injected: injected,
      faults_injected_total: Object.values(injected).reduce((a, b) => a + b, 0),
      payments_created: atEnd.payments,
      replayed_by_sandbox: atEnd.replayed,
      created_but_client_saw_error: atEnd.orphans,
      duplicates: atEnd.duplicates,
      lost: atEnd.lost,
      after_merchant_retries: reconcile,
      rss_mb: { before: mb(before.rss), after: mb(after.rss), growth: mb(after.rss - before.rss), series: rssSeries },
      heap_used_mb: { before: mb(before.heapUsed), after: mb(after.heapUsed) },
      external_mb: { before: mb(before.external), after: mb(after.external) },
      sandbox_rss_mb: mb(sb.rss),
      gc_exposed: typeof globalThis.gc === 'function',
      violations,
    };
  } finally {
    await sandbox.close();
  }
}

/** The figures as a few readable lines. */
export function formatResult(r) {
  const lines = [
    `load: ${r.calls} initiates, concurrency ${r.concurrency}, faults ${Math.round(r.faults * 100)}%, maxRetries ${r.max_retries}, timeoutMs ${r.timeout_ms}, sandbox ${r.sandbox}`,
    `  wall ${r.wall_s} s, ${r.calls_per_s} calls/s; latency ms p50 ${r.latency_ms.p50}, p95 ${r.latency_ms.p95}, p99 ${r.latency_ms.p99}, max ${r.latency_ms.max}`,
    `  successes ${r.successes}, errors ${r.errors} ${JSON.stringify(r.errors_by_code)}`,
    r.faults > 0 ? `  faults injected ${r.faults_injected_total} ${JSON.stringify(r.faults_injected)}` : null,
    `  sandbox: payments ${r.payments_created}, replays ${r.replayed_by_sandbox}, created-but-client-saw-an-error ${r.created_but_client_saw_error}, duplicates ${r.duplicates}, lost ${r.lost}`,
    r.after_merchant_retries
      ? `  merchant retries of the ${r.after_merchant_retries.failed} failed calls: ${r.after_merchant_retries.settled_by_find_payment} found by findPayment (unknown outcome, payment existed), ${r.after_merchant_retries.recovered} re-sent and succeeded (${r.after_merchant_retries.already_created} had been created); payments now ${r.after_merchant_retries.payments}, duplicates ${r.after_merchant_retries.duplicates}, lost ${r.after_merchant_retries.lost}`
      : null,
    `  RSS ${r.rss_mb.before} MB -> ${r.rss_mb.after} MB (growth ${r.rss_mb.growth} MB${r.gc_exposed ? ', after gc' : ', gc not exposed'}); each tenth of the run: ${r.rss_mb.series.join(' ')} MB`,
    `  heap used ${r.heap_used_mb.before} -> ${r.heap_used_mb.after} MB, external ${r.external_mb.before} -> ${r.external_mb.after} MB; sandbox RSS ${r.sandbox_rss_mb} MB`,
    r.violations.length ? `  VIOLATIONS:\n    ${r.violations.join('\n    ')}` : '  all properties held',
  ];
  return lines.filter(Boolean).join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const num = (name) => (opt(name) === undefined ? undefined : Number(opt(name)));
  const result = await runLoad({
    calls: num('calls'),
    concurrency: num('concurrency'),
    faults: num('faults'),
    seed: num('seed'),
    timeoutMs: num('timeout-ms'),
    maxRetries: num('max-retries'),
    sandbox: opt('sandbox'),
    dedupe: !args.includes('--no-dedupe'),
  });
  console.log(args.includes('--json') ? JSON.stringify(result) : formatResult(result));
  process.exitCode = result.violations.length ? 1 : 0;
}
