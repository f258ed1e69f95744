#!/usr/bin/env node
// The benchmark of coinbar-pay (`make bench`): one run, every figure side by side, printed as
// tables (progress goes to stderr) and written to out/bench.json. It never fails on speed:
// the last table says which targets are met. It exits 1 only when a section could not run.
//
//   node bench/run.mjs [--quick] [--only node,workerd,coldstart,sizes,memory,e2e,rust] [--json out/bench.json]
//
// Sections (each in its own process, one after the other):
//   node       1-2. prepare / sign / verify in Node: SDK vs node:crypto, WebCrypto, @noble/hashes (tinybench)
//   workerd    1-3. the same in workerd (Miniflare), WebCrypto and @noble/hashes; cold start in workerd
//   coldstart  3.   cold start in fresh Node processes: import -> first signature, and the whole process
//   sizes      4.   .wasm and JS raw / gzip / brotli, server and browser builds
//   memory     5.   wasm linear memory and JS heap before / after 1,000,000 prepare calls
//   e2e        6.   initiate calls/s against the local sandbox at concurrency 1 and 64, SDK vs hand-written fetch
//   rust            the Rust core natively (criterion, benches/core.rs)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { browserPayload } from './lib/browser-payload.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HERE = join(ROOT, 'bench');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const ALL = ['node', 'workerd', 'coldstart', 'sizes', 'memory', 'e2e', 'rust'];
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ALL;
const jsonPath = args.includes('--json') ? args[args.indexOf('--json') + 1] : join(ROOT, 'out/bench.json');
const SECTION_TIMEOUT_MS = 240_000;
const started = Date.now();

const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const print = (m = '') => process.stdout.write(`${m}\n`);

// ------------------------------------------------------------------ formatting

function fmtOps(n) {
  if (n === undefined || n === null || !Number.isFinite(n)) return 'n/a';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e5) return `${(n / 1e3).toFixed(0)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}
const ratio = (a, b) => (a > 0 && b > 0 ? a / b : null);
const fmtRatio = (r) => (r === null || r === undefined ? 'n/a' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`);
const fmtMs = (ms, d = 2) => (ms === null || ms === undefined || !Number.isFinite(ms) ? 'n/a' : `${ms.toFixed(d)} ms`);
const fmtBytes = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const fmtPct = (p) => (p === null || p === undefined || !Number.isFinite(p) ? 'n/a' : `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`);

/** A Markdown table with aligned columns; numeric-looking cells right-aligned. */
function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  const right = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+( ?[a-zA-Z%×µ/]+)?$|^n\/a$|^$/.test(String(r[i] ?? ''))));
  const pad = (s, i) => (right[i] ? s.padStart(widths[i] + s.length - [...s].length) : s.padEnd(widths[i] + s.length - [...s].length));
  const line = (r) => `| ${r.map(pad).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

// ------------------------------------------------------------------ processes

/** Run a section script in its own Node process; its stderr is progress, its result one JSON line. */
function runSection(script, { nodeArgs = [], scriptArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(HERE, script), ...(quick ? ['--quick'] : []), ...scriptArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => {
      log(`${script}: still running after ${SECTION_TIMEOUT_MS / 1000} s, stopping it`);
      child.kill('SIGKILL');
    }, SECTION_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) return reject(new Error(`${script} exited ${code} without a result${stdout.trim() ? `: ${stdout.trim().slice(-500)}` : ''}`));
      resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
    });
  });
}

function runCommand(cmd, argv, { onLine } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let buf = '';
    const take = (d) => {
      out += d;
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine?.(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), SECTION_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}\n${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const tryRun = (cmd, argv) => {
  try {
    return execFileSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const pkgVersion = (name) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};
const fileHash = (path) => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12) : null);

// ------------------------------------------------------------------ environment

const SERVER_WASM = join(ROOT, 'pkg/dist/server/coinbar_pay_bg.wasm');
const BROWSER_WASM = join(ROOT, 'pkg/dist/browser/coinbar_pay_bg.wasm');
if (!existsSync(SERVER_WASM)) {
  log('pkg/dist/server is missing: run `make build` first (or `make bench`, which builds)');
  process.exit(1);
}

function environment() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const mhz = cpuinfo.match(/^cpu MHz\s*:\s*(.+)$/m)?.[1];
  const lock = existsSync(join(ROOT, 'Cargo.lock')) ? readFileSync(join(ROOT, 'Cargo.lock'), 'utf8') : '';
  const srcDirty = tryRun('git', ['status', '--porcelain', '--', 'src', 'Cargo.toml', 'pkg/src']);
  return {
    date: new Date(started).toISOString(),
    cpu: `${model}${mhz ? ` @ ${Math.round(Number(mhz))} MHz` : ''}`,
    cores: cpus().length,
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free)`,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    v8: process.versions.v8,
    workerd: `workerd ${pkgVersion('workerd')} (miniflare ${pkgVersion('miniflare')})`,
    rustc: tryRun('rustc', ['--version']),
    harnesses: `tinybench ${pkgVersion('tinybench')}, criterion ${lock.match(/name = "criterion"\nversion = "([^"]+)"/)?.[1] ?? '?'}`,
    baselines: `@noble/hashes ${pkgVersion('@noble/hashes')}, node:crypto (OpenSSL ${process.versions.openssl})`,
    git: `${tryRun('git', ['rev-parse', '--short', 'HEAD']) ?? '?'}${srcDirty ? ' + uncommitted changes in src/, Cargo.toml or pkg/src' : ''}`,
    serverWasmSha256: fileHash(SERVER_WASM),
    browserWasmSha256: fileHash(BROWSER_WASM),
    quick,
  };
}

// ------------------------------------------------------------------ sections

const INPUT_LABEL = { 'initiate-2': '2 products (documented)', 'initiate-3': '3 products, non-ASCII', 'initiate-50': '50 products', 'initiate-3-bytes': '3 products, as bytes' };
const IMPL_LABEL = { 'node:crypto': 'node:crypto', webcrypto: 'WebCrypto', noble: '@noble/hashes' };

function microTable(byInput, impls, bodyBytes, firstColumn = 'input') {
  const headers = [firstColumn, 'body bytes', 'SDK ops/s'];
  for (const impl of impls) headers.push(`${IMPL_LABEL[impl]} ops/s`, `SDK ÷ ${IMPL_LABEL[impl]}`);
  const rows = [];
  for (const [input, r] of Object.entries(byInput)) {
    const row = [INPUT_LABEL[input] ?? input, bodyBytes[input.replace('-bytes', '')] ?? '', fmtOps(r.sdk?.opsPerSec)];
    for (const impl of impls) row.push(fmtOps(r[impl]?.opsPerSec), fmtRatio(ratio(r.sdk?.opsPerSec, r[impl]?.opsPerSec)));
    rows.push(row);
  }
  return table(headers, rows);
}

/** Verify rows: "check only" and "+ JSON.parse" baselines against the same SDK figure. */
function verifyTable(r, impls, bytes) {
  const headers = ['baseline variant', 'body bytes', 'SDK verifyCallback ops/s'];
  for (const impl of impls) headers.push(`${IMPL_LABEL[impl]} ops/s`, `SDK ÷ ${IMPL_LABEL[impl]}`);
  const rows = [];
  for (const [variant, suffix] of [
    ['header + signature check (constant time)', ''],
    ['… + JSON.parse of the body', '+parse'],
  ]) {
    const row = [variant, bytes, fmtOps(r.sdk?.opsPerSec)];
    for (const impl of impls) row.push(fmtOps(r[impl + suffix]?.opsPerSec), fmtRatio(ratio(r.sdk?.opsPerSec, r[impl + suffix]?.opsPerSec)));
    rows.push(row);
  }
  return table(headers, rows);
}

async function sizes() {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const measure = (label, build, files) => {
    const paths = files.map((f) => join(ROOT, f));
    if (!paths.every(existsSync)) return { label, build, files, missing: true };
    const bytes = Buffer.concat(paths.map((p) => readFileSync(p)));
    return { label, build, files, raw: bytes.length, gzip: gz(bytes), brotli: br(bytes) };
  };
  const shared = ['pkg/src/glue.js', 'pkg/src/ops.js', 'pkg/src/common.js', 'pkg/src/public.js', 'pkg/src/error.js'];
  // The client and every module it imports (pkg/src/client.js names them).
  const client = ['client', 'server', 'init', 'options', 'requests', 'transport', 'sign', 'callbacks', 'bytes'].map((m) => `pkg/src/${m}.js`);
  const shell = (entry, withClient) => [`pkg/src/${entry}`, ...shared, ...(withClient ? client : [])];
  return [
    measure('.wasm', 'server', ['pkg/dist/server/coinbar_pay_bg.wasm']),
    measure('wasm-bindgen glue', 'server', ['pkg/dist/server/coinbar_pay.js']),
    measure('JS shell (node entry)', 'server', shell('node.js', true)),
    measure('.wasm', 'browser', ['pkg/dist/browser/coinbar_pay_bg.wasm']),
    measure('wasm-bindgen glue', 'browser', ['pkg/dist/browser/coinbar_pay.js']),
    measure('JS shell (browser entry)', 'browser', shell('browser.js', false)),
    measure('ESM bundle (node.mjs)', 'server', ['pkg/dist/node.mjs']),
    measure('CommonJS bundle (node.cjs)', 'server', ['pkg/dist/node.cjs']),
    measure('.wasm as base64 (bundlers)', 'server', ['pkg/dist/server/coinbar_pay_bg.wasm.base64.js']),
    measure('.wasm deflated + base64 (the browser entry)', 'browser', ['pkg/dist/browser/coinbar_pay_bg.wasm.deflate.js']),
    await browserPayload(ROOT).then(
      (sizes) => ({ label: 'page payload (esbuild --minify bundle of coinbar-pay/browser)', build: 'browser', files: [], ...sizes }),
      (e) => ({ label: 'page payload (esbuild --minify bundle of coinbar-pay/browser)', build: 'browser', files: [`(esbuild failed: ${e.message.split('\n')[0]})`], missing: true }),
    ),
  ];
}

/** Criterion's median estimates (ns) of benches/core.rs, from target/criterion. */
function criterionResults(since) {
  const base = join(ROOT, 'target/criterion');
  const out = {};
  const benches = [
    ['prepare_initiate', ['initiate-2', 'initiate-3', 'initiate-50']],
    ['sign', ['initiate-2', 'initiate-3', 'initiate-50']],
    ['verify_callback', ['callback']],
  ];
  for (const [group, ids] of benches) {
    for (const id of ids) {
      const dir = join(base, group, id);
      const file = join(dir, 'new/estimates.json');
      if (!existsSync(file) || statSync(file).mtimeMs < since) continue;
      const est = JSON.parse(readFileSync(file, 'utf8'));
      const bench = existsSync(join(dir, 'new/benchmark.json')) ? JSON.parse(readFileSync(join(dir, 'new/benchmark.json'), 'utf8')) : {};
      const ns = est.median.point_estimate;
      (out[group] ??= {})[id] = {
        medianNs: ns,
        ciNs: [est.median.confidence_interval.lower_bound, est.median.confidence_interval.upper_bound],
        opsPerSec: 1e9 / ns,
        bytes: bench.throughput?.Bytes ?? null,
      };
    }
  }
  return out;
}

// ------------------------------------------------------------------ main

const results = { environment: environment(), sections: {}, errors: {} };
const env = results.environment;
print('# coinbar-pay benchmark');
print();
print(
  table(
    ['machine and runtimes', ''],
    [
      ['CPU', `${env.cpu}, ${env.cores} cores, ${env.memory}`],
      ['load average at start', env.loadAverageAtStart.join(' / ')],
      ['Node', `${env.node} (V8 ${env.v8})`],
      ['workerd', env.workerd],
      ['Rust', env.rustc ?? 'n/a'],
      ['harnesses', env.harnesses],
      ['baselines', env.baselines],
      ['build measured', `git ${env.git}; server .wasm sha256 ${env.serverWasmSha256}…, browser ${env.browserWasmSha256}…`],
    ],
  ),
);
if (quick) print('\n**--quick: short runs, figures are rough.**');
print();
print('ops/s are medians (tinybench: median batch time, each batch ~0.5 ms of calls, after warm-up). A ratio is SDK ÷ baseline ops/s: > 1× means the SDK is faster.');
print('Baselines do equivalent work without validation: "prepare" = JSON.stringify of the already-canonical body object + HMAC-SHA256 hex.');
print('WebCrypto: key imported once (as a merchant would), each op awaits crypto.subtle.sign + hex encoding (lookup table). @noble/hashes: hmac(sha256, key, utf8ToBytes(text)) + bytesToHex.');

async function section(name, fn) {
  if (!only.includes(name)) return;
  const t0 = Date.now();
  log(`section ${name}…`);
  try {
    results.sections[name] = await fn();
  } catch (e) {
    results.errors[name] = e.message;
    print();
    print(`**section ${name} could not run: ${e.message}**`);
  }
  log(`section ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await section('node', async () => {
  const r = await runSection('node-micro.mjs');
  print();
  print(`## 1. Prepare (validate + serialize + sign an initiate input object), Node ${process.version}`);
  print();
  print(microTable(r.results.prepare, ['node:crypto', 'webcrypto', 'noble'], r.bodyBytes));
  print();
  print('## 2. Sign only (string or bytes in, hex out), Node');
  print();
  print(microTable(r.results.sign, ['node:crypto', 'webcrypto', 'noble'], r.bodyBytes, 'body signed'));
  print();
  print('## 2. Verify callback (raw body + headers in; the SDK also parses it into a typed event with exact amounts), Node');
  print();
  print(verifyTable(r.results.verify.callback, ['node:crypto', 'webcrypto', 'noble'], r.callbackBytes));
  print();
  print("### Interleaved pairs (the targets' ratios): rounds alternating a batch of SDK calls and a batch of baseline calls, median time per call");
  print();
  print(
    table(
      ['pair', 'SDK µs/call', 'baseline µs/call', 'SDK ÷ baseline ops/s', 'rounds × batch'],
      [
        ['prepare 634 B vs JSON.stringify + createHmac', r.pairs.prepare],
        ['verify vs createHmac + timingSafeEqual + JSON.parse', r.pairs.verify],
      ].map(([name, p]) => [name, p.sdkUs.toFixed(2), p.baselineUs.toFixed(2), fmtRatio(p.ratio), `${p.rounds} × ${p.batch}`]),
    ),
  );
  if (r.problems.length) print(`\n**EQUIVALENCE PROBLEMS: ${r.problems.join('; ')}**`);
  return r;
});

await section('workerd', async () => {
  const r = await runSection('workerd.mjs');
  print();
  print(`## 1-2. Prepare, sign, verify in workerd (${r.version})`);
  print();
  print('Timed from outside: workerd clocks only advance on I/O, so each figure is n calls per request, (median request time at n) − (median at 0 calls).');
  print();
  print(microTable(r.results.prepare, ['webcrypto', 'noble'], r.bodyBytes, 'prepare: input'));
  print();
  print(microTable(r.results.sign, ['webcrypto', 'noble'], r.bodyBytes, 'sign: body signed'));
  print();
  print(verifyTable(r.results.verify.callback, ['webcrypto', 'noble'], statSync(join(HERE, 'inputs/callback.json')).size));
  if (r.problems.length) print(`\n**EQUIVALENCE PROBLEMS (workerd): ${r.problems.join('; ')}**`);
  return r;
});

await section('coldstart', async () => {
  const r = await runSection('coldstart.mjs');
  const w = results.sections.workerd?.coldStart;
  const s = r.runs.sdk ?? {};
  const b = r.runs['node-crypto'] ?? {};
  const g = r.runs.glue;
  print();
  print('## 3. Cold start');
  print();
  const rows = [
    ['Node: import → first signature (in the process)', fmtMs(s.firstSignatureMs), `node:crypto: ${fmtMs(b.firstSignatureMs)}`, fmtMs(s.firstSignatureMs - b.firstSignatureMs), s.count],
    ['Node: import → first prepareInitiate (~600 B input)', fmtMs(s.firstPrepareMs), '', '', s.count],
    ['Node: whole process (spawn → exit)', fmtMs(s.processMs, 1), `node:crypto: ${fmtMs(b.processMs, 1)}`, fmtMs(s.processMs - b.processMs, 1), s.count],
  ];
  const inl = r.runs['sdk-inline'];
  if (inl) {
    rows.push([
      'Node, app bundle (the .wasm inline as base64, as bundlers resolve it): import → first signature',
      fmtMs(inl.firstSignatureMs),
      `plain Node: ${fmtMs(s.firstSignatureMs)}`,
      fmtMs(inl.firstSignatureMs - s.firstSignatureMs),
      inl.count,
    ]);
  }
  if (g) {
    rows.push([
      'Node, step by step (glue)',
      fmtMs(g.totalMs),
      `import glue ${fmtMs(g.importGlueMs)}, read .wasm ${fmtMs(g.readWasmMs)}, compile ${fmtMs(g.compileMs)}, instantiate ${fmtMs(g.instantiateMs)}, client + first signature ${fmtMs(g.firstSignatureMs)}`,
      '',
      g.count,
    ]);
  }
  if (w) {
    rows.push(
      [
        'workerd: new Miniflare → ready (workerd starts, compiles the .wasm, evaluates the worker)',
        fmtMs(w.sdk.readyMs, 1),
        `WebCrypto worker: ${fmtMs(w.webcrypto.readyMs, 1)}`,
        fmtMs(w.sdk.readyMs - w.webcrypto.readyMs, 1),
        w.sdk.runs,
      ],
      [
        'workerd: first request (client from secret + first signature), seen from Node',
        fmtMs(w.sdk.firstRequestMs),
        `WebCrypto worker: ${fmtMs(w.webcrypto.firstRequestMs)}`,
        fmtMs(w.sdk.firstRequestMs - w.webcrypto.firstRequestMs),
        w.sdk.runs,
      ],
      [
        'workerd: second request (for reference)',
        fmtMs(w.sdk.secondRequestMs),
        `WebCrypto worker: ${fmtMs(w.webcrypto.secondRequestMs)}`,
        fmtMs(w.sdk.secondRequestMs - w.webcrypto.secondRequestMs),
        w.sdk.runs,
      ],
    );
  }
  print(table(['what (median)', 'SDK', 'baseline', 'SDK − baseline', 'runs'], rows));
  if (Object.keys(r.errors).length) print(`\n**cold start errors: ${JSON.stringify(r.errors)}**`);
  if (!r.sameSignature) print('\n**cold start: the runs did not all produce the same signature**');
  return r;
});

await section('sizes', async () => {
  const rows = await sizes();
  print();
  print('## 4. Size (gzip -9, brotli q11)');
  print();
  print(
    table(
      ['build', 'file', 'raw', 'gzip', 'brotli', 'bytes (raw / gzip / brotli)'],
      rows.map((r) =>
        r.missing ? [r.build, r.label, 'missing', '', '', r.files.join(' ')] : [r.build, r.label, fmtBytes(r.raw), fmtBytes(r.gzip), fmtBytes(r.brotli), `${r.raw} / ${r.gzip} / ${r.brotli}`],
      ),
    ),
  );
  return rows;
});

await section('memory', async () => {
  const r = await runSection('memory.mjs', { nodeArgs: ['--expose-gc'] });
  print();
  print(`## 5. Memory: ${r.calls.toLocaleString('en')} prepareInitiate calls (~600 B input) after ${r.warmupCalls.toLocaleString('en')} warm-up calls, gc() before each snapshot`);
  print();
  const keys = [
    ['wasm linear memory', 'wasmMemoryBytes'],
    ['JS heap used', 'heapUsedBytes'],
    ['JS heap total', 'heapTotalBytes'],
    ['external', 'externalBytes'],
    ['array buffers', 'arrayBuffersBytes'],
    ['process RSS', 'rssBytes'],
  ];
  print(
    table(
      ['', 'at start', 'after warm-up', `after ${r.calls.toLocaleString('en')} calls`, 'growth after warm-up'],
      keys.map(([label, k]) => [
        label,
        r.start[k].toLocaleString('en'),
        r.afterWarmup[k].toLocaleString('en'),
        r.after[k].toLocaleString('en'),
        `${r.after[k] - r.afterWarmup[k] >= 0 ? '+' : ''}${(r.after[k] - r.afterWarmup[k]).toLocaleString('en')}`,
      ]),
    ),
  );
  print();
  print(
    `${r.calls.toLocaleString('en')} calls in ${(r.elapsedMs / 1000).toFixed(1)} s (${fmtOps(r.opsPerSec)} ops/s)${r.stoppedEarly ? `, STOPPED EARLY at the time limit (planned ${r.plannedCalls.toLocaleString('en')})` : ''}; wasm memory every 10%: ${[...new Set(r.trace.map((t) => t.wasmMemoryBytes))].map((b) => b.toLocaleString('en')).join(' → ')} bytes.`,
  );
  return r;
});

await section('e2e', async () => {
  const r = await runSection('e2e.mjs');
  print();
  print(`## 6. End to end: initiate calls/s against the local sandbox (its own process), median of ${r.rounds} rounds of ${r.roundMs} ms`);
  print();
  print(
    table(
      ['concurrency', 'baseline', 'baseline ops/s', 'SDK initiate ops/s', 'SDK ÷ baseline', 'SDK overhead per call', 'client CPU/call baseline', 'client CPU/call SDK', 'CPU overhead', 'failed calls'],
      Object.entries(r.byConcurrency).flatMap(([c, s]) =>
        [
          ['hand-written fetch + node:crypto', s['hand-written'], s.sdkOverheadPct, s.sdkCpuOverheadPct],
          ['… + the same 30 s timeout (AbortController)', s['hand-written + timeout'], s.sdkOverheadVsTimeoutPct, s.sdkCpuOverheadVsTimeoutPct],
        ].map(([label, b, overhead, cpuOverhead]) => [
          c,
          label,
          fmtOps(b.opsPerSec),
          fmtOps(s.sdk.opsPerSec),
          fmtRatio(ratio(s.sdk.opsPerSec, b.opsPerSec)),
          fmtPct(overhead),
          `${b.cpuUsPerCall.toFixed(0)} µs`,
          `${s.sdk.cpuUsPerCall.toFixed(0)} µs`,
          fmtPct(cpuOverhead),
          b.failed + s.sdk.failed,
        ]),
      ),
    ),
  );
  print();
  print(
    "SDK overhead per call = baseline ops/s ÷ SDK ops/s − 1. The second baseline arms the same per-call timeout as the SDK (in Node 20, making an AbortController and undici following its signal cost several µs of CPU per call). Client CPU/call = the client process's user+system CPU per completed call (the sandbox is another process): it shows the SDK's own cost even where the sandbox is the bottleneck.",
  );
  for (const [c, s] of Object.entries(r.byConcurrency)) {
    for (const impl of ['hand-written', 'hand-written + timeout', 'sdk']) if (s[impl].failed) print(`**concurrency ${c}, ${impl}: ${s[impl].failed} failed calls, first: ${s[impl].firstError}**`);
  }
  return r;
});

await section('rust', async () => {
  const since = Date.now();
  log('cargo bench --bench core (compiles the first time)');
  const r = await runCommand('cargo', ['bench', '--quiet', '--bench', 'core', '--', ...(quick ? ['--warm-up-time', '0.2', '--measurement-time', '0.5'] : [])], {
    onLine: (l) => {
      // The bench names and their absolute times; not criterion's comparisons with the last run.
      if (/time:\s+\[[\d.]+ (ns|µs|ms|s) |^\S+\/\S+$|^(error|warning)/.test(l)) process.stderr.write(`[criterion] ${l}\n`);
    },
  });
  if (r.code !== 0) throw new Error(`cargo bench failed (exit ${r.code}): ${r.out.trim().split('\n').slice(-8).join(' | ')}`);
  const c = criterionResults(since);
  print();
  print(`## Rust core, native (criterion, benches/core.rs; ${env.rustc})`);
  print();
  const rows = [];
  for (const [group, byId] of Object.entries(c)) {
    for (const [id, e] of Object.entries(byId)) {
      rows.push([
        group,
        INPUT_LABEL[id] ?? id,
        e.bytes ?? '',
        e.medianNs >= 1000 ? `${(e.medianNs / 1000).toFixed(2)} µs` : `${e.medianNs.toFixed(0)} ns`,
        fmtOps(e.opsPerSec),
        e.bytes ? `${((e.bytes * e.opsPerSec) / 2 ** 20).toFixed(0)} MiB/s` : '',
      ]);
    }
  }
  print(table(['bench', 'input', 'bytes', 'median time', 'ops/s', 'throughput'], rows));
  print();
  print('bytes: the input JSON text (as JSON.stringify makes it) for prepare_initiate, the signed body for sign, the raw body for verify_callback.');
  if (!rows.length) throw new Error('cargo bench ran but no fresh estimates were found in target/criterion');
  return c;
});

// ------------------------------------------------------------------ targets

// Issue 22's targets, each with its must (the bar) and its goal: measured, must, goal, and
// whether each is met, from this run's figures. A ratio "≥" is SDK ops/s ÷ baseline ops/s;
// cold start "≤" is SDK ÷ node:crypto's own import → first signature (same run).
const S = results.sections;
const targets = [];
const verdict = (v, must, goal, atLeast) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return { must: null, goal: null };
  const ok = (bar) => (atLeast ? v >= bar : v <= bar);
  return { must: ok(must), goal: ok(goal) };
};
const target = (name, { value, fmt, must, goal, atLeast, note = '' }) =>
  targets.push({ name, value: value ?? null, measured: value === null || value === undefined ? 'n/a' : fmt(value), must, goal, atLeast, note, met: verdict(value, must, goal, atLeast) });
const fmtKB = (n) => `${n.toLocaleString('en')} B`;
const kb = (n) => `${n / 1000} KB (${n.toLocaleString('en')} B)`;
{
  const p = S.node?.results.prepare['initiate-3'];
  const v = S.node?.results.verify.callback;
  const cs = S.coldstart?.runs;
  const sz = S.sizes ?? [];
  const server = sz.find((r) => r.build === 'server' && r.label === '.wasm');
  const page = sz.find((r) => r.build === 'browser' && r.label.startsWith('page payload'));
  // The interleaved pairs (node-micro.mjs `pair`); tinybench's separate runs, if they are all there is.
  const pairs = S.node?.pairs;
  const interleaved = 'interleaved: median of rounds alternating SDK and baseline batches';
  target('prepare 634 B vs JSON.stringify + createHmac', {
    value: pairs?.prepare.ratio ?? ratio(p?.sdk?.opsPerSec, p?.['node:crypto']?.opsPerSec),
    fmt: fmtRatio,
    must: 0.7,
    goal: 0.9,
    atLeast: true,
    note: pairs ? interleaved : '',
  });
  target('verify vs createHmac + timingSafeEqual + JSON.parse', {
    value: pairs?.verify.ratio ?? ratio(v?.sdk?.opsPerSec, v?.['node:crypto+parse']?.opsPerSec),
    fmt: fmtRatio,
    must: 0.8,
    goal: 1.0,
    atLeast: true,
    note: pairs ? interleaved : '',
  });
  target("Node import → first signature vs node:crypto's own", {
    value: ratio(cs?.sdk?.firstSignatureMs, cs?.['node-crypto']?.firstSignatureMs),
    fmt: (r) => `${fmtRatio(r)} (${fmtMs(cs.sdk.firstSignatureMs)} vs ${fmtMs(cs['node-crypto'].firstSignatureMs)})`,
    must: 1.7,
    goal: 1.5,
    atLeast: false,
    note: 'medians, fresh processes',
  });
  target('server .wasm gzip', { value: server?.gzip, fmt: fmtKB, must: 45_000, goal: 35_000, atLeast: false });
  target('browser payload as a page gets it', { value: page?.gzip, fmt: fmtKB, must: 38_000, goal: 30_000, atLeast: false, note: 'coinbar-pay/browser bundled with esbuild --minify, gzip -9' });
}
const bar = (t, which) => `${t.atLeast ? '≥' : '≤'} ${t[which] >= 1000 ? kb(t[which]) : `${t[which].toFixed(1)}×`}`;
const yes = (x) => (x === null ? 'n/a' : x ? 'met' : 'MISSED');
results.targets = targets;
print();
print('## Targets (issue 22; same machine, same run)');
print();
print(
  table(
    ['target', 'measured', 'must', 'goal', 'must met?', 'goal met?', 'note'],
    targets.map((t) => [t.name, t.measured, bar(t, 'must'), bar(t, 'goal'), yes(t.met.must), yes(t.met.goal), t.note]),
  ),
);

const wasmAfter = fileHash(SERVER_WASM);
results.environment.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
results.environment.durationS = Math.round((Date.now() - started) / 1000);
print();
print(
  `musts: ${targets.filter((t) => t.met.must).length} met, ${targets.filter((t) => t.met.must === false).length} missed; goals: ${targets.filter((t) => t.met.goal).length} met, ${targets.filter((t) => t.met.goal === false).length} missed; ${targets.filter((t) => t.met.must === null).length} n/a. Load average at end: ${results.environment.loadAverageAtEnd.join(' / ')}; ${results.environment.durationS} s in all.`,
);
if (wasmAfter !== env.serverWasmSha256) {
  results.environment.buildChangedDuringRun = true;
  print(`**pkg/dist/server changed during the run (${env.serverWasmSha256} → ${wasmAfter}): figures mix two builds, run again.**`);
}
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
print(`Results: ${jsonPath.startsWith(ROOT) ? jsonPath.slice(ROOT.length) : jsonPath}`);
if (Object.keys(results.errors).length) {
  log(`sections that could not run: ${Object.keys(results.errors).join(', ')}`);
  process.exit(1);
}
