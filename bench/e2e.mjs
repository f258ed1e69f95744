// Section 6: initiate calls per second against the local sandbox (in its own process), at
// concurrency 1 and 64, through the SDK (cbpay.initiate) vs. a hand-written fetch signed with
// node:crypto. Both hit the same sandbox with unique payment_request_ids, in alternating
// rounds of a fixed duration; the figure is the median round. Also the client process's CPU
// time per call, which shows the SDK's own cost even when the sandbox is the bottleneck. Prints `BENCH_RESULT <json>`.
//   node bench/e2e.mjs [--quick]
//
// The hand-written call: build the documented body object, JSON.stringify, createHmac hex,
// fetch with the four headers, res.json() and a result check. The SDK's call also validates,
// arms a timeout (AbortController), and parses the answer with exact decimal amounts.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CoinbarPay } from 'coinbar-pay';
import { CLIENT_ID, SECRET } from './lib/cases.js';
import { loadInputs } from './lib/inputs.mjs';

const quick = process.argv.includes('--quick');
const ROUND_MS = quick ? 600 : 1200;
const ROUNDS = quick ? 2 : 5;
const WARMUP_MS = quick ? 300 : 800;
const CONCURRENCY = [1, 64];
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const child = spawn(process.execPath, [fileURLToPath(new URL('sandbox-child.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const { baseUrl } = await new Promise((resolve, reject) => {
  child.on('error', reject);
  child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
});

const input = loadInputs()['initiate-3'];
const { timestamp: _ignored, ...template } = input; // the sandbox wants a current timestamp
const cbpay = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl });
const run = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
let seq = 0;
const nextId = (kind) => `bench-${run}-${kind}-${++seq}`;

/** The hand-written call; with `timeoutMs`, it also arms a timeout the way the SDK does. */
async function handWritten(timeoutMs) {
  const body = JSON.stringify({
    service_client_id: CLIENT_ID,
    payment_request_id: nextId('h'),
    input_coin: template.input_coin,
    products: template.products.map((p) => ({
      product_name: p.product_name,
      product_price: Number(p.product_price),
      product_amount: Number(p.product_amount),
      product_id: p.product_id,
      product_type: p.product_type,
    })),
    email: template.email,
    surname: template.surname,
    name: template.name,
    user_id: template.user_id,
    timestamp: Date.now(),
    destination_coin: template.destination_coin,
  });
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  const controller = timeoutMs ? new AbortController() : undefined;
  const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : undefined;
  try {
    const res = await fetch(`${baseUrl}/pay/gateway/initiate`, {
      method: 'POST',
      headers: { 'CBPAY-API-KEY': CLIENT_ID, SIGNATURE: signature, 'Content-Type': 'application/json', source: 'web' },
      body,
      signal: controller?.signal,
    });
    const answer = await res.json();
    if (res.status !== 200 || answer.result !== 'success') throw new Error(`hand-written initiate: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  } finally {
    clearTimeout(timer);
  }
}

const impls = {
  'hand-written': () => handWritten(0),
  // The same with a 30 s timeout (AbortController + setTimeout, the signal passed to fetch),
  // as the SDK arms for every call: in Node 20 making the controller and undici following the
  // signal cost several µs of CPU per call.
  'hand-written + timeout': () => handWritten(30_000),
  sdk: () => cbpay.initiate({ ...template, payment_request_id: nextId('s') }),
};

/** Run `impl` with `concurrency` workers for `ms`; completed calls per second. */
async function round(impl, concurrency, ms) {
  const fn = impls[impl];
  const deadline = performance.now() + ms;
  let ok = 0;
  let failed = 0;
  let firstError;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await fn();
          ok++;
        } catch (e) {
          failed++;
          firstError ??= e.message;
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // The client process's own CPU time (user + system) per completed call: the sandbox runs
  // in another process, so this is the client's cost whether or not the sandbox is the bottleneck.
  return { opsPerSec: (ok * 1000) / elapsed, cpuUsPerCall: (cpu.user + cpu.system) / Math.max(ok, 1), ok, failed, firstError };
}

const result = { sandbox: 'separate process (bench/sandbox-child.mjs)', roundMs: ROUND_MS, rounds: ROUNDS, byConcurrency: {} };
try {
  for (const c of CONCURRENCY) {
    for (const impl of Object.keys(impls)) await round(impl, c, WARMUP_MS); // warm-up
    const names = Object.keys(impls);
    const rounds = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? [...names].reverse() : names;
      for (const impl of order) rounds[impl].push(await round(impl, c, ROUND_MS));
    }
    const summary = {};
    for (const [impl, rs] of Object.entries(rounds)) {
      summary[impl] = {
        opsPerSec: median(rs.map((x) => x.opsPerSec)),
        rounds: rs.map((x) => Math.round(x.opsPerSec)),
        cpuUsPerCall: median(rs.map((x) => x.cpuUsPerCall)),
        calls: rs.reduce((a, x) => a + x.ok, 0),
        failed: rs.reduce((a, x) => a + x.failed, 0),
        firstError: rs.find((x) => x.firstError)?.firstError,
      };
    }
    // Overhead per initiate: extra time per call of the SDK relative to the hand-written call.
    summary.sdkOverheadPct = (summary['hand-written'].opsPerSec / summary.sdk.opsPerSec - 1) * 100;
    summary.sdkCpuOverheadPct = (summary.sdk.cpuUsPerCall / summary['hand-written'].cpuUsPerCall - 1) * 100;
    // The same against the hand-written call that also arms a timeout.
    summary.sdkOverheadVsTimeoutPct = (summary['hand-written + timeout'].opsPerSec / summary.sdk.opsPerSec - 1) * 100;
    summary.sdkCpuOverheadVsTimeoutPct = (summary.sdk.cpuUsPerCall / summary['hand-written + timeout'].cpuUsPerCall - 1) * 100;
    result.byConcurrency[c] = summary;
    log(
      `  e2e concurrency ${String(c).padStart(2)}: hand-written ${summary['hand-written'].opsPerSec.toFixed(0)}/s ${JSON.stringify(summary['hand-written'].rounds)}, sdk ${summary.sdk.opsPerSec.toFixed(0)}/s ${JSON.stringify(summary.sdk.rounds)}, overhead ${summary.sdkOverheadPct.toFixed(1)}% (vs + timeout ${summary.sdkOverheadVsTimeoutPct.toFixed(1)}%); client CPU per call ${summary['hand-written'].cpuUsPerCall.toFixed(0)} vs ${summary.sdk.cpuUsPerCall.toFixed(0)} µs`,
    );
    for (const [impl, s] of Object.entries(summary)) if (s.failed) log(`  e2e ${impl}: ${s.failed} failed calls, first: ${s.firstError}`);
  }
} finally {
  child.stdin.end();
  cbpay.free();
}
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
