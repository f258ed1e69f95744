#!/usr/bin/env node
// Runs the one conformance suite (tests/runtimes/suite.js over tests/vectors.json) in every
// JavaScript runtime, from the package as a user gets it, and the quickstarts of docs/runtimes.md too:
//
//   1. package   `npm pack` pkg/, install the tarball into an empty temporary project, and
//                check every target of its exports map is in it (a file missing from
//                `files` fails here, not for a user); TypeScript resolves the types for
//                ESM and CommonJS.
//   2. runtimes  Node ESM, Node CommonJS, workerd (Miniflare), Deno, Bun, Vercel
//                edge-runtime and headless Chromium each import `coinbar-pay` from that
//                project the way their users do, run the suite (the server runtimes also
//                make a live round trip to the local sandbox on 127.0.0.1) and run the
//                quickstart of docs/runtimes.md for that runtime (examples/runtimes/).
//   3. rust      `cargo test --test vectors` reads the same vectors (its counts are shown).
//
// The quickstart for each runtime in docs/runtimes.md must be the tested file, verbatim.
//
// Prints a table of runtime × vector group with pass counts; exits 1 on any failure.
//   node tests/runtimes/run.mjs [--only node-esm,deno,...] [--no-rust] [--keep]
import { createHash, createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForWorkerd as sharedBundleForWorkerd, miniflareOptions } from '../../scripts/workerd.mjs';
import { runProcess } from '../lib/process.mjs';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const BIN = (name) => join(ROOT, 'node_modules/.bin', name);
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const wanted = (name) => !only || only.includes(name);
const KEEP = args.includes('--keep') || process.env.KEEP_TMP === '1';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 180_000;

const GROUPS = ['surface', 'signing', 'validation', 'totals', 'callbacks', 'gateway', 'statuses', 'responses', 'sandbox', 'example'];
const rows = []; // { runtime, version, entry, cells: { group: {passed, failed} | {skipped} }, failures: [], error? }

const log = (msg) => process.stderr.write(`[runtimes] ${msg}\n`);

// ------------------------------------------------------------------ process helpers

function run(cmd, argv, { cwd = ROOT, env = {}, timeoutMs = RUN_TIMEOUT_MS, input } = {}) {
  return runProcess(cmd, argv, { cwd, env, timeoutMs, input });
}

const tail = (text, n = 15) => text.trim().split('\n').slice(-n).join('\n');

function parseResult(out) {
  const line = out.stdout.split('\n').find((l) => l.startsWith('CONFORMANCE_RESULT '));
  if (!line) throw new Error(`no result (exit ${out.code}):\n${tail(out.stderr || out.stdout)}`);
  return JSON.parse(line.slice('CONFORMANCE_RESULT '.length));
}

// ------------------------------------------------------------------ the package, packed and installed

/** Every leaf target of an exports map. */
function exportTargets(node, into = new Set()) {
  if (typeof node === 'string') into.add(node);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) exportTargets(v, into);
  return into;
}

/** Resolve a package's "." export for an ordered set of conditions (Node's algorithm). */
function resolveExport(exportsMap, conditions) {
  const walk = (node) => {
    if (typeof node === 'string') return node;
    if (!node || typeof node !== 'object') return null;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'default' || conditions.includes(key)) {
        const r = walk(value);
        if (r) return r;
      }
    }
    return null;
  };
  return walk(exportsMap['.']);
}

async function preparePackage(dir) {
  const row = { runtime: 'package (npm pack)', version: '', entry: '', cells: {}, failures: [] };
  const checks = [];
  const check = (name, fn) => checks.push([name, fn]);

  const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(ROOT, 'pkg') });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${tail(pack.stderr)}`);
  const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  row.version = `${packed.name}@${packed.version}, ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'coinbar-runtimes-check', private: true, type: 'module' }, null, 2)}\n`);
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', `./${packed.filename}`], { cwd: dir });
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${tail(install.stderr)}`);

  const installed = join(dir, 'node_modules/coinbar-pay');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const target of exportTargets(manifest.exports)) {
    check(`exports target ${target} is in the tarball`, () => {
      if (!existsSync(join(installed, target))) throw new Error(`${target} is missing from the packed package (files?)`);
    });
  }
  for (const field of ['main', 'types']) {
    check(`${field} is in the tarball`, () => {
      if (!existsSync(join(installed, manifest[field]))) throw new Error(`${field}: ${manifest[field]} is missing`);
    });
  }
  // Every relative import of every shipped module resolves to a shipped file.
  for (const file of packed.files.map((f) => f.path).filter((p) => /\.(js|cjs|mjs)$/.test(p))) {
    check(`imports of ${file} are shipped`, () => {
      const code = readFileSync(join(installed, file), 'utf8');
      for (const [, spec] of code.matchAll(/(?:import|export)\s*(?:source\s+)?(?:[^'"]*?from\s*)?['"](\.{1,2}\/[^'"?]+)(?:\?[^'"]*)?['"]/g)) {
        const target = resolve(dirname(join(installed, file)), spec);
        if (!existsSync(target)) throw new Error(`${file} imports ${spec}, which is not in the package`);
      }
    });
  }
  // TypeScript consumers: ESM and CommonJS (node16 resolution) find the declarations.
  writeFileSync(
    join(dir, 'types-esm.mts'),
    "import { CoinbarPay, cartTotal } from 'coinbar-pay';\nconst total: string = cartTotal([]);\nexport const make = (k: string): CoinbarPay => new CoinbarPay({ serviceClientId: 'id', secretKey: k });\nvoid total;\n",
  );
  writeFileSync(
    join(dir, 'types-cjs.cts'),
    "import coinbar = require('coinbar-pay');\nconst total: string = coinbar.cartTotal([]);\nexport const make = (k: string): coinbar.CoinbarPay => new coinbar.CoinbarPay({ serviceClientId: 'id', secretKey: k });\nvoid total;\n",
  );
  for (const [kind, file] of [
    ['ESM', 'types-esm.mts'],
    ['CommonJS', 'types-cjs.cts'],
  ]) {
    const tsconfig = `tsconfig.${kind}.json`;
    const compilerOptions = { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], types: [] };
    writeFileSync(join(dir, tsconfig), JSON.stringify({ compilerOptions, files: [file] }));
    const out = await run(BIN('tsc'), ['-p', tsconfig], { cwd: dir });
    check(`TypeScript (${kind}, node16) resolves the types`, () => {
      if (out.code !== 0) throw new Error(tail(out.stdout + out.stderr));
    });
  }
  const tally = { passed: 0, failed: 0 };
  for (const [name, fn] of checks) {
    try {
      fn();
      tally.passed++;
    } catch (e) {
      tally.failed++;
      row.failures.push(`${name}: ${e.message}`);
    }
  }
  row.cells.package = tally;
  rows.push(row);
  return { installed, manifest };
}

/** The suite, vectors, harnesses and quickstarts, copied into the temporary project. */
function stageFiles(dir) {
  const conf = join(dir, 'conformance');
  mkdirSync(conf, { recursive: true });
  cpSync(join(HERE, 'suite.js'), join(conf, 'suite.js'));
  cpSync(join(ROOT, 'tests/vectors.json'), join(conf, 'vectors.json'));
  cpSync(join(HERE, 'harness'), conf, { recursive: true });
  cpSync(join(ROOT, 'examples/runtimes'), dir, { recursive: true });
  return conf;
}

// ------------------------------------------------------------------ bundling (what wrangler / Vercel do)

async function esbuild() {
  return import(pathToFileURL(join(ROOT, 'node_modules/esbuild/lib/main.js')).href);
}

/** Records the file that `coinbar-pay` resolved to. */
const recordEntry = (record) => ({
  name: 'record-coinbar-entry',
  setup(b) {
    b.onResolve({ filter: /^coinbar-pay$/ }, async (a) => {
      if (a.pluginData?.inner) return undefined;
      const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: { inner: true } });
      if (r.errors.length) return { errors: r.errors };
      record.entry = r.path;
      return { path: r.path, external: record.external ?? false };
    });
  },
});

/**
 * Vercel's handling of `.wasm?module` imports in Edge Functions (as @vercel/node does it):
 * the import becomes `globalThis["wasm_<sha1>"]`, a WebAssembly.Module that the platform
 * compiles from the deployed file and binds before the code runs.
 */
const vercelWasm = (assets) => ({
  name: 'vercel-wasm',
  setup(b) {
    b.onResolve({ filter: /\.wasm\?module$/i }, async (a) => {
      const r = await b.resolve(a.path.replace(/\?module$/i, ''), { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir });
      if (r.errors.length) return { errors: r.errors };
      const name = `wasm_${createHash('sha1').update(readFileSync(r.path)).digest('hex')}`;
      assets.set(name, r.path);
      return { path: name, namespace: 'vercel-wasm' };
    });
    b.onLoad({ filter: /.*/, namespace: 'vercel-wasm' }, (a) => ({ contents: `export default globalThis[${JSON.stringify(a.path)}];`, loader: 'js' }));
  },
});

/** Bundle for workerd as wrangler does (scripts/workerd.mjs), noting which package file was picked. */
async function bundleForWorkerd(entry, outdir) {
  const record = {};
  const script = await sharedBundleForWorkerd(entry, outdir, { plugins: [recordEntry(record)] });
  return { script, entry: record.entry };
}

/** Bundle for Vercel Edge: the edge-light condition, .wasm?module bindings, one script. */
async function bundleForEdge(entryCode, resolveDir) {
  const { build } = await esbuild();
  const record = {};
  const assets = new Map();
  const out = await build({
    stdin: { contents: entryCode, resolveDir, sourcefile: 'edge-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    plugins: [recordEntry(record), vercelWasm(assets)],
    logLevel: 'error',
  });
  // The platform compiles the deployed .wasm files and binds them (outside the function's code).
  const bindings = {};
  for (const [name, file] of assets) bindings[name] = await WebAssembly.compile(readFileSync(file));
  return { code: out.outputFiles[0].text, bindings, entry: record.entry };
}

/** The file a browser bundler picks for `coinbar-pay` (esbuild, platform browser). */
async function browserEntry(dir) {
  const { build } = await esbuild();
  const record = { external: true };
  await build({ stdin: { contents: "import 'coinbar-pay';", resolveDir: dir }, bundle: true, write: false, platform: 'browser', format: 'esm', plugins: [recordEntry(record)], logLevel: 'error' });
  return record.entry;
}

// ------------------------------------------------------------------ runtimes

async function startMiniflare(script, bindings = {}) {
  const { Miniflare } = await import(pathToFileURL(join(ROOT, 'node_modules/miniflare/dist/src/index.js')).href);
  const mf = new Miniflare(miniflareOptions(script, bindings));
  const url = await mf.ready;
  return { url: url.origin, close: () => mf.dispose() };
}

async function startEdge({ code, bindings }, env = {}) {
  const { EdgeRuntime, runServer } = await import(pathToFileURL(join(ROOT, 'node_modules/edge-runtime/dist/index.js')).href);
  const runtime = new EdgeRuntime({
    initialCode: code,
    // As on Vercel: no eval / new Function, and no compiling wasm at run time.
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => Object.assign(context, bindings, { process: { env } }),
  });
  const server = await runServer({ runtime, host: '127.0.0.1', port: 0 });
  return { url: server.url.replace(/\/$/, ''), close: () => server.close() };
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

function startStatic(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dir, path);
    if (relative(dir, file).startsWith('..') || !existsSync(file)) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((c) => server.close(c)) })));
}

async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  log('installing chromium (apt-get)');
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (a) => run(asRoot[0] ?? 'apt-get', [...(asRoot.length ? ['apt-get'] : []), ...a], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 900_000 });
  const update = await apt(['update', '-qq']);
  if (update.code !== 0) throw new Error(`apt-get update failed:\n${tail(update.stderr)}`);
  const install = await apt(['install', '-y', '-qq', 'chromium', 'chromium-driver']);
  if (install.code !== 0 || !existsSync(CHROMIUM)) throw new Error(`apt-get install chromium failed:\n${tail(install.stderr)}`);
}

async function withChromium(fn) {
  await ensureChromium();
  const { chromium } = await import(pathToFileURL(join(ROOT, 'node_modules/playwright-core/index.mjs')).href);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

async function openPage(browser, url, errors) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.goto(url);
  return page;
}

// ------------------------------------------------------------------ the quickstarts (examples/runtimes)

const EXAMPLE_LINE = /^5 EUR = \d+\.\d+ BTC: bitcoin:\S+\?amount=\d+\.\d+$/m;

function scriptExample(out) {
  return [
    [
      'prints the total and the payment',
      () => {
        if (out.code !== 0) throw new Error(`exit ${out.code}: ${tail(out.stderr)}`);
        if (!EXAMPLE_LINE.test(out.stdout)) throw new Error(`unexpected output: ${tail(out.stdout)}`);
      },
    ],
  ];
}

/** POST /pay and signed / tampered POST /callback against a worker or edge quickstart. */
async function handlerExample(base, payPath, callbackPath, clientId, secret) {
  const checks = [];
  const orderId = `example-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const pay = await fetch(`${base}${payPath}`, { method: 'POST', body: JSON.stringify({ orderId, email: 'jane@example.com' }) });
  const payText = await pay.text();
  checks.push([
    'POST pay: creates the payment',
    () => {
      if (pay.status !== 200) throw new Error(`status ${pay.status}: ${payText.slice(0, 300)}`);
      const body = JSON.parse(payText);
      if (!/^\d+\.\d+$/.test(body.pay) || !body.uri.startsWith('bitcoin:')) throw new Error(payText);
    },
  ]);
  const event = JSON.stringify({
    result: 'success',
    payment_id_coinbar: 'p-example',
    payment_request_id_client: orderId,
    status: 'SUCCESS',
    payment_detail: { destination_amount: 0.00045145423250897323 },
  });
  const signature = createHmac('sha256', secret).update(event).digest('hex');
  const good = await fetch(`${base}${callbackPath}`, { method: 'POST', headers: { 'CBPAY-API-KEY': clientId, SIGNATURE: signature }, body: event });
  const goodText = await good.text();
  checks.push([
    'POST callback, signed: accepted',
    () => {
      if (good.status !== 200 || JSON.parse(goodText).received !== 'p-example/SUCCESS') throw new Error(`status ${good.status}: ${goodText.slice(0, 300)}`);
    },
  ]);
  const bad = await fetch(`${base}${callbackPath}`, { method: 'POST', headers: { 'CBPAY-API-KEY': clientId, SIGNATURE: signature }, body: event.replace('SUCCESS', 'FAILED') });
  await bad.text();
  checks.push([
    'POST callback, tampered: 401',
    () => {
      if (bad.status !== 401) throw new Error(`status ${bad.status}`);
    },
  ]);
  return checks;
}

/** docs/runtimes.md's quickstart is the tested file, verbatim (so the docs cannot rot). */
function readmeShows(file) {
  return [
    `docs/runtimes.md shows examples/runtimes/${file} verbatim`,
    () => {
      const code = readFileSync(join(ROOT, 'examples/runtimes', file), 'utf8').trimEnd();
      if (!readFileSync(join(ROOT, 'docs/runtimes.md'), 'utf8').includes(`\n${code}\n\`\`\`\n`))
        throw new Error(`docs/runtimes.md does not contain ${file} as a code block (copy it from examples/runtimes/)`);
    },
  ];
}

async function tally(checks) {
  const t = { passed: 0, failed: 0 };
  const failures = [];
  for (const [name, fn] of checks) {
    try {
      await fn();
      t.passed++;
    } catch (e) {
      t.failed++;
      failures.push(`example: ${name}: ${e.message}`);
    }
  }
  return { t, failures };
}

// ------------------------------------------------------------------ main

async function main() {
  const started = Date.now();
  // The vectors must be what the generator makes (nobody edited the JSON by hand).
  const fresh = await run(process.execPath, [join(ROOT, 'scripts/gen-vectors.mjs'), '--check']);
  if (fresh.code !== 0) throw new Error(tail(fresh.stderr));
  // The single-file Node entries are generated from the ESM sources and must match the current build.
  const cjs = await run(process.execPath, [join(ROOT, 'scripts/build-cjs.mjs')]);
  if (cjs.code !== 0) throw new Error(`scripts/build-cjs.mjs failed (run make build first?):\n${tail(cjs.stderr)}`);

  const dir = mkdtempSync(join(tmpdir(), 'coinbar-runtimes-'));
  const vectors = JSON.parse(readFileSync(join(ROOT, 'tests/vectors.json'), 'utf8'));
  const { startSandbox } = await import(pathToFileURL(join(ROOT, 'www/sandbox/server.js')).href);
  const sandbox = await startSandbox();
  const sb = { url: sandbox.url, baseUrl: sandbox.baseUrl };
  const env = { COINBAR_SERVICE_CLIENT_ID: vectors.sandbox.serviceClientId, COINBAR_SECRET_KEY: vectors.sandbox.secretKey, COINBAR_BASE_URL: sandbox.baseUrl };
  const cleanups = [() => sandbox.close()];
  try {
    log(`packing and installing coinbar-pay into ${dir}`);
    const { installed, manifest } = await preparePackage(dir);
    const conf = stageFiles(dir);
    const esmEntry = join(installed, resolveExport(manifest.exports, ['node', 'import']));
    const expectedExports = Object.keys(await import(pathToFileURL(esmEntry).href)).sort();
    const config = (runtime, extra = {}) => ({ runtime, sandbox: sb, expectedExports, ...extra });

    const runtimes = [
      {
        name: 'node-esm',
        quickstart: 'node.mjs',
        expect: 'dist/node.mjs',
        version: () => process.version,
        suite: async () => parseResult(await run(process.execPath, ['--no-warnings', 'esm.mjs', JSON.stringify(config('node-esm'))], { cwd: conf })),
        example: async () => scriptExample(await run(process.execPath, ['node.mjs'], { cwd: dir, env })),
      },
      {
        name: 'node-cjs',
        quickstart: 'node.cjs',
        expect: 'dist/node.cjs',
        version: () => process.version,
        suite: async () => {
          const r = parseResult(await run(process.execPath, ['--no-warnings', 'cjs.cjs', JSON.stringify(config('node-cjs'))], { cwd: conf }));
          if (!r.commonjs) r.failures.push('surface: require() did not load a CommonJS module');
          return r;
        },
        example: async () => scriptExample(await run(process.execPath, ['node.cjs'], { cwd: dir, env })),
      },
      {
        name: 'workerd',
        quickstart: 'worker.js',
        expect: 'src/workerd.js',
        version: () =>
          `workerd ${JSON.parse(readFileSync(join(ROOT, 'node_modules/workerd/package.json'), 'utf8')).version} (miniflare ${JSON.parse(readFileSync(join(ROOT, 'node_modules/miniflare/package.json'), 'utf8')).version})`,
        suite: async () => {
          const { script, entry } = await bundleForWorkerd(join(conf, 'worker.js'), join(dir, 'out-worker'));
          const w = await startMiniflare(script);
          try {
            const res = await fetch(`${w.url}/?config=${encodeURIComponent(JSON.stringify(config('workerd')))}`);
            const text = await res.text();
            if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${text.slice(0, 500)}`);
            return { ...JSON.parse(text), entry };
          } finally {
            await w.close();
          }
        },
        example: async () => {
          const { script } = await bundleForWorkerd(join(dir, 'worker.js'), join(dir, 'out-worker-example'));
          const w = await startMiniflare(script, env);
          try {
            return await handlerExample(w.url, '/pay', '/callback', env.COINBAR_SERVICE_CLIENT_ID, env.COINBAR_SECRET_KEY);
          } finally {
            await w.close();
          }
        },
      },
      {
        name: 'deno',
        quickstart: 'deno.js',
        expect: 'src/deno.js',
        version: async () => (await run(BIN('deno'), ['--version'])).stdout.split('\n')[0],
        // Offline: the project's package.json + node_modules (Deno's "bring your own node_modules").
        suite: async () => parseResult(await run(BIN('deno'), ['run', '--quiet', '--allow-net=127.0.0.1', 'esm.mjs', JSON.stringify(config('deno'))], { cwd: conf, env: denoEnv(dir) })),
        example: async () => scriptExample(await run(BIN('deno'), ['run', '--quiet', '--allow-net=127.0.0.1', '--allow-env', 'deno.js'], { cwd: dir, env: { ...denoEnv(dir), ...env } })),
      },
      {
        name: 'bun',
        quickstart: 'bun.js',
        expect: 'dist/node.mjs',
        version: async () => `bun ${(await run(BIN('bun'), ['--version'])).stdout.trim()}`,
        suite: async () => parseResult(await run(BIN('bun'), ['esm.mjs', JSON.stringify(config('bun'))], { cwd: conf, env: bunEnv })),
        example: async () => scriptExample(await run(BIN('bun'), ['bun.js'], { cwd: dir, env: { ...bunEnv, ...env } })),
      },
      {
        name: 'edge-runtime',
        quickstart: 'vercel-edge.js',
        expect: 'src/edge-light.js',
        version: () => `edge-runtime ${JSON.parse(readFileSync(join(ROOT, 'node_modules/edge-runtime/package.json'), 'utf8')).version}`,
        suite: async () => {
          const bundle = await bundleForEdge(readFileSync(join(conf, 'edge.js'), 'utf8'), conf);
          const e = await startEdge(bundle);
          try {
            const res = await fetch(`${e.url}/?config=${encodeURIComponent(JSON.stringify(config('edge-runtime')))}`);
            const text = await res.text();
            if (res.status !== 200) throw new Error(`edge function answered ${res.status}: ${text.slice(0, 500)}`);
            return { ...JSON.parse(text), entry: bundle.entry };
          } finally {
            await e.close();
          }
        },
        example: async () => {
          // What Vercel does with an Edge Function's default export.
          const wrapper = "import handler from './vercel-edge.js';\naddEventListener('fetch', (event) => event.respondWith(handler(event.request)));\n";
          const e = await startEdge(await bundleForEdge(wrapper, dir), env);
          try {
            return await handlerExample(e.url, '/api/coinbar', '/api/coinbar/callback', env.COINBAR_SERVICE_CLIENT_ID, env.COINBAR_SECRET_KEY);
          } finally {
            await e.close();
          }
        },
      },
      {
        name: 'chromium',
        expect: 'src/browser.js',
        version: null, // from the browser
        suite: null,
      },
    ];

    for (const rt of runtimes.filter((r) => wanted(r.name) && r.suite)) {
      log(`${rt.name}: running`);
      const row = { runtime: rt.name, version: '', entry: '', cells: {}, failures: [] };
      rows.push(row);
      try {
        row.version = await rt.version();
        const result = await rt.suite();
        applySuite(row, result, installed, rt.expect);
      } catch (e) {
        row.error = e.message;
      }
      try {
        const { t, failures } = await tally([...(await rt.example()), readmeShows(rt.quickstart)]);
        row.cells.example = t;
        row.failures.push(...failures);
      } catch (e) {
        row.cells.example = { passed: 0, failed: 1 };
        row.failures.push(`example: ${e.message}`);
      }
    }

    if (wanted('chromium')) {
      log('chromium: running');
      const row = { runtime: 'chromium', version: '', entry: '', cells: {}, failures: [] };
      rows.push(row);
      try {
        const stat = await startStatic(dir);
        cleanups.push(() => stat.close());
        const entry = await browserEntry(conf);
        const mapped = `/${relative(dir, entry).split('\\').join('/')}`;
        writeFileSync(
          join(conf, 'browser.html'),
          `<!doctype html>\n<meta charset="utf-8">\n<title>coinbar-pay conformance</title>\n<script type="importmap">${JSON.stringify({ imports: { 'coinbar-pay': mapped } })}</script>\n<script type="module" src="./browser.js"></script>\n`,
        );
        await withChromium(async (browser) => {
          row.version = `chromium ${browser.version()}`;
          const errors = [];
          const page = await openPage(browser, `${stat.url}/conformance/browser.html?config=${encodeURIComponent(JSON.stringify({ runtime: 'chromium', expectedExports }))}`, errors);
          try {
            await page.waitForFunction(() => window.__conformance, null, { timeout: 60_000 });
            applySuite(row, await page.evaluate(() => window.__conformance), installed, 'src/browser.js', entry);
          } catch (e) {
            row.error = `${e.message.split('\n')[0]} ${errors.join(' | ')}`;
          }
          const exErrors = [];
          const ex = await openPage(browser, `${stat.url}/browser.html`, exErrors);
          const { t, failures } = await tally([
            readmeShows('browser.html'),
            [
              'shows the exact total and the validation errors',
              async () => {
                await ex.waitForFunction(() => document.getElementById('errors').value !== '', null, { timeout: 30_000 }).catch(() => {});
                const total = await ex.locator('#total').textContent();
                const problems = await ex.locator('#errors').textContent();
                if (total !== '5 EUR' || !problems.startsWith('email: ')) throw new Error(`total ${JSON.stringify(total)}, problems ${JSON.stringify(problems)} ${exErrors.join(' | ')}`);
              },
            ],
          ]);
          row.cells.example = t;
          row.failures.push(...failures);
        });
      } catch (e) {
        row.error = e.message;
      }
    }

    if (wanted('rust') && !args.includes('--no-rust')) await rustRow();
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return printTable(Date.now() - started);
}

const denoEnv = (dir) => ({ DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' });
const bunEnv = { DO_NOT_TRACK: '1', NO_COLOR: '1' };

function applySuite(row, result, installed, expect, entryPath) {
  const entry = entryPath ?? (result.entry?.startsWith('file:') ? fileURLToPath(result.entry) : result.entry);
  row.entry = entry ? relative(installed, entry) : '?';
  for (const [group, cell] of Object.entries(result.groups)) row.cells[group] = cell;
  row.failures.push(...result.failures);
  if (row.entry !== expect) {
    row.failures.push(`surface: coinbar-pay resolved to ${row.entry}, expected ${expect}`);
    row.cells.surface = { ...(row.cells.surface ?? { passed: 0 }), failed: (row.cells.surface?.failed ?? 0) + 1 };
  }
}

async function rustRow() {
  log('rust: cargo test --test vectors');
  const row = { runtime: 'rust (core)', version: '', entry: 'tests/vectors.rs', cells: {}, failures: [] };
  rows.push(row);
  const rustc = await run('rustc', ['--version']);
  if (rustc.code !== 0) {
    row.error = 'no Rust toolchain';
    return;
  }
  row.version = rustc.stdout.trim().split(' ').slice(0, 2).join(' ');
  const out = await run('cargo', ['test', '--quiet', '--test', 'vectors', '--', '--nocapture', '--test-threads=1'], { timeoutMs: 900_000 });
  for (const [, group, passed, failed] of out.stdout.matchAll(/vectors (\w+): (\d+) passed, (\d+) failed$/gm)) {
    row.cells[group] = { passed: Number(passed), failed: Number(failed) };
  }
  for (const [, line] of out.stdout.matchAll(/vectors FAIL (.*)$/gm)) row.failures.push(line);
  if (out.code !== 0 && row.failures.length === 0) row.error = `cargo test failed:\n${tail(out.stdout + out.stderr)}`;
}

function printTable(ms) {
  const cols = ['package', ...GROUPS];
  const cell = (c) => {
    if (!c) return '';
    if (c.skipped) return '—';
    const total = c.passed + c.failed;
    return c.failed ? `${c.passed}/${total} FAIL` : `${c.passed}/${total}`;
  };
  const header = ['runtime', ...cols, 'entry', 'version'];
  const body = rows.map((r) => [r.runtime, ...cols.map((g) => (r.error && !r.cells[g] && g !== 'package' && g !== 'example' ? 'ERROR' : cell(r.cells[g]))), r.entry, r.version]);
  const used = header.map((_, i) => i === 0 || i >= header.length - 2 || body.some((b) => b[i] !== ''));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) =>
    `| ${cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .filter((_, i) => used[i])
      .join(' | ')} |`;
  const out = [
    line(header),
    `|${widths
      .filter((_, i) => used[i])
      .map((w) => '-'.repeat(w + 2))
      .join('|')}|`,
    ...body.map(line),
  ];
  let passed = 0;
  let failed = 0;
  for (const r of rows) {
    for (const c of Object.values(r.cells)) {
      if (c.skipped) continue;
      passed += c.passed;
      failed += c.failed;
    }
    if (r.error) failed++;
  }
  console.log('');
  console.log(out.join('\n'));
  console.log('(n/m = vectors passed / run in that group; — = not in this build: the browser build has no signer)');
  const problems = rows.flatMap((r) => [...(r.error ? [`${r.runtime}: ERROR ${r.error}`] : []), ...r.failures.map((f) => `${r.runtime}: ${f}`)]);
  if (problems.length) {
    console.log('\nFailures:');
    for (const p of problems) console.log(`  ${p}`);
  }
  console.log(`\nruntimes: ${passed} passed, ${failed} failed (${(ms / 1000).toFixed(1)} s)`);
  return failed === 0 && problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
