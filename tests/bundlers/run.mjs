#!/usr/bin/env node
// The toolchain suite (issue 12): the packed package (`npm pack` of pkg/) built by each
// toolchain a merchant uses, with no bundler configuration, then run:
//
//   server   Node ESM / CJS (no bundler), Next.js 15 (a Node.js route and an edge route in one
//            app: `next build`, `next start`), webpack 5 `--target node`, esbuild
//            `--bundle --platform=node` (ESM out, CJS out, and a require() app), each bundle
//            run after copying ONLY its output directory elsewhere (as a Lambda zip holds the
//            bundle, not node_modules); wrangler `deploy --dry-run` and `wrangler dev`.
//   browser  Vite 6 (`vite build`, and the dev server), webpack 5, esbuild ESM and iife (the
//            default format): each page is opened in Chromium (playwright-core, Debian's
//            /usr/bin/chromium) and runs the browser build after `await init()`.
//
// Every server case signs a body (checked against node:crypto), totals a cart and validates
// an input; every browser case totals, validates, and checks that a call before init() gets
// the clear `config` error. The Next.js edge route and the wrangler bundle must carry the
// .wasm exactly once. Prints a toolchain x result table and `N passed, N failed`; exits 1 on
// any failure.
//
// The tools are pinned in tests/bundlers/package.json + package-lock.json and installed into
// out/bundlers/ (npm ci, only when the lock file changed; npm's cache makes that quick); the
// package is the tarball extracted into out/bundlers/node_modules/coinbar-pay, which is what
// npm does for a package without dependencies. Cases are laid out under out/bundlers/cases/.
//   node tests/bundlers/run.mjs [--only next,vite-build,...] [--keep] [--pkg DIR]
// --pkg packs another package directory instead of pkg/ (e.g. an older build, to see the
// suite fail where that build fails).
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { callbackRoundTrip, RECIPE_ENV } from './callback-check.mjs';
import { runProcess } from '../lib/process.mjs';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const WORK = join(ROOT, 'out/bundlers');
const CASES = join(WORK, 'cases');
const BIN = (name) => join(WORK, 'node_modules/.bin', name);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const KEEP = args.includes('--keep');
const PKG_DIR = args.includes('--pkg') ? args[args.indexOf('--pkg') + 1] : join(ROOT, 'pkg');
const log = (m) => process.stderr.write(`[bundlers] ${m}\n`);
const SECRET = 'bundler-check-secret';
const BODY = '{"payment_request_id":"order-1","amount":"1.99"}';
const EXPECTED_SIGNATURE = createHmac('sha256', SECRET).update(BODY).digest('hex');
// Quiet, offline-friendly tools: no telemetry, no update checks, no browser opening.
const TOOL_ENV = { NEXT_TELEMETRY_DISABLED: '1', WRANGLER_SEND_METRICS: 'false', CI: '1', BROWSER: 'none', NO_COLOR: '1', FORCE_COLOR: '0' };

// ------------------------------------------------------------------ process helpers

function run(cmd, argv, { cwd = ROOT, env = {}, timeoutMs = 240_000 } = {}) {
  return runProcess(cmd, argv, { cwd, env: { ...TOOL_ENV, ...env }, timeoutMs });
}

const tail = (text, n = 15) => text.trim().split('\n').slice(-n).join('\n');

async function mustRun(what, cmd, argv, opts) {
  const r = await run(cmd, argv, opts);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${tail(`${r.stdout}\n${r.stderr}`)}`);
  return r;
}

/** A long-running server process (next start, wrangler dev, vite): resolves once `url` answers. */
async function startServer(cmd, argv, { cwd, url, env = {}, timeoutMs = 90_000 }) {
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...TOOL_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code) => (exited = code));
  const stop = () => {
    if (exited === null) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // its own process group: the tool and what it started
      } catch {}
    }
  };
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited !== null) throw new Error(`${cmd} exited ${exited} before answering:\n${tail(output)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return { stop, output: () => output };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  stop();
  throw new Error(`${cmd} did not answer ${url} within ${timeoutMs} ms:\n${tail(output)}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Static files of a build output, as any host would serve them. */
function serveStatic(dir) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dir, path);
    if (relative(dir, file).startsWith('..') || !existsSync(file) || statSync(file).isDirectory()) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((c) => server.close(c)) })));
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name));
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const dirBytes = (dir) => filesUnder(dir).reduce((n, f) => n + statSync(f).size, 0);

// ------------------------------------------------------------------ tools and package

async function installTools() {
  const lock = readFileSync(join(HERE, 'package-lock.json'));
  const sha = createHash('sha256')
    .update(lock)
    .update(readFileSync(join(HERE, 'package.json')))
    .digest('hex');
  const stamp = join(WORK, '.tools-installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sha && existsSync(join(WORK, 'node_modules/.bin/next'))) return 'cached';
  mkdirSync(WORK, { recursive: true });
  cpSync(join(HERE, 'package.json'), join(WORK, 'package.json'));
  cpSync(join(HERE, 'package-lock.json'), join(WORK, 'package-lock.json'));
  log('npm ci of the pinned toolchains into out/bundlers (npm cache reused)');
  await mustRun('npm ci (tests/bundlers)', 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: WORK, timeoutMs: 600_000 });
  writeFileSync(stamp, sha);
  return 'installed';
}

async function installPackage() {
  const dest = join(WORK, 'pack');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const pack = await mustRun('npm pack', 'npm', ['pack', '--json', '--pack-destination', dest], { cwd: PKG_DIR });
  const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  const target = join(WORK, 'node_modules/coinbar-pay');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  await mustRun('tar -x of the tarball', 'tar', ['-xzf', join(dest, packed.filename), '-C', target, '--strip-components=1']);
  const wasm = readFileSync(join(target, 'dist/server/coinbar_pay_bg.wasm'));
  return { packed, serverWasmSize: wasm.length, serverWasmBase64Head: wasm.toString('base64').slice(0, 80) };
}

function versionOf(name) {
  return JSON.parse(readFileSync(join(WORK, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** A fresh case directory under out/bundlers/cases/, with the shared app files in lib/. */
function caseDir(name, from) {
  const dir = join(CASES, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (from) cpSync(join(HERE, from), dir, { recursive: true });
  cpSync(join(HERE, 'app'), join(dir, 'lib'), { recursive: true });
  return dir;
}

/** Copy only a build output directory somewhere else (a Lambda zip), and run `file` there. */
async function runDetached(outDir, file) {
  const away = mkdtempSync(join(tmpdir(), 'coinbar-bundle-'));
  try {
    cpSync(outDir, away, { recursive: true });
    const r = await mustRun(`node ${file} (copied away from node_modules)`, process.execPath, [join(away, file)], { cwd: away, timeoutMs: 30_000 });
    return parseCheck(r.stdout);
  } finally {
    rmSync(away, { recursive: true, force: true });
  }
}

function parseCheck(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('BUNDLER_CHECK '));
  if (!line) throw new Error(`no BUNDLER_CHECK line in the output:\n${tail(stdout)}`);
  return JSON.parse(line.slice('BUNDLER_CHECK '.length));
}

let baseline; // the plain Node ESM result: what every other case must print

function assertServerCheck(result) {
  if (result.signature !== EXPECTED_SIGNATURE) throw new Error(`signature ${result.signature} != node:crypto ${EXPECTED_SIGNATURE}`);
  if (!baseline) {
    if (result.total !== '5.3' || !result.errors.includes('input_coin')) throw new Error(`unexpected baseline ${JSON.stringify(result)}`);
    return;
  }
  if (result.total !== baseline.total) throw new Error(`total ${result.total} != ${baseline.total}`);
  if (JSON.stringify(result.errors) !== JSON.stringify(baseline.errors)) throw new Error(`errors ${JSON.stringify(result.errors)} != ${JSON.stringify(baseline.errors)}`);
}

async function fetchCheck(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

// ------------------------------------------------------------------ browser

let browserPromise;
async function chromium() {
  browserPromise ??= (async () => {
    if (!existsSync(CHROMIUM)) await mustRun('scripts/install-chromium.sh', join(ROOT, 'scripts/install-chromium.sh'), [], { timeoutMs: 900_000 });
    const { chromium: pw } = await import(pathToFileURL(join(ROOT, 'node_modules/playwright-core/index.mjs')).href);
    return pw.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  })();
  return browserPromise;
}

/** Open a page, wait for window.__check; failed requests and page errors fail the case. */
async function browserCheck(url) {
  const browser = await chromium();
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The browser asks for /favicon.ico by itself: its 404 is no fault of the bundle.
  page.on('console', (m) => m.type() === 'error' && !/favicon/.test(m.location()?.url ?? '') && problems.push(`console: ${m.text()} (${m.location()?.url})`));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__check !== undefined, null, { timeout: 20_000 }).catch(() => {});
    const result = await page.evaluate(() => window.__check);
    if (!result) throw new Error(`no result in the page${problems.length ? `: ${problems.join('; ')}` : ''}`);
    if (result.error) throw new Error(`in the page: ${result.error}`);
    if (problems.length) throw new Error(problems.join('; '));
    if (!/^config: .*await init\(\)/.test(result.early)) throw new Error(`a call before init() gave ${JSON.stringify(result.early)}`);
    if (result.total !== baseline.total || JSON.stringify(result.errors) !== JSON.stringify(baseline.errors) || result.paid !== true) {
      throw new Error(`page result ${JSON.stringify(result)} differs from Node's`);
    }
    return result;
  } finally {
    await page.close();
  }
}

async function serveAndCheck(dir) {
  const server = await serveStatic(dir);
  try {
    return await browserCheck(server.url);
  } finally {
    await server.close();
  }
}

// ------------------------------------------------------------------ the cases

const esbuild = (argv, cwd) => mustRun(`esbuild ${argv.join(' ')}`, BIN('esbuild'), argv, { cwd });
const webpack = (argv, cwd) => mustRun(`webpack ${argv.join(' ')}`, BIN('webpack'), argv, { cwd });

/** Which copies of the server .wasm a set of output files carries (as a file, or as base64 in JS). */
function wasmCopies(files, pkgInfo) {
  const copies = [];
  for (const f of files) {
    if (f.endsWith('.wasm') && statSync(f).size === pkgInfo.serverWasmSize) copies.push(`${relative(WORK, f)}`);
    else if (/\.(m?js|cjs)$/.test(f) && readFileSync(f, 'latin1').includes(pkgInfo.serverWasmBase64Head)) copies.push(`base64 in ${relative(WORK, f)}`);
  }
  return copies;
}

const CASE_LIST = [
  {
    id: 'node-esm',
    toolchain: 'Node ESM, no bundler',
    tool: () => `node ${process.version}`,
    async steps() {
      const dir = caseDir('node-esm');
      const result = parseCheck((await mustRun('node lib/main.mjs', process.execPath, ['lib/main.mjs'], { cwd: dir })).stdout);
      assertServerCheck(result);
      baseline = result;
      return { build: '—', run: 'ok', note: `signature = node:crypto; total ${result.total}` };
    },
  },
  {
    id: 'node-cjs',
    toolchain: 'Node CJS (require), no bundler',
    tool: () => `node ${process.version}`,
    async steps() {
      const dir = caseDir('node-cjs');
      assertServerCheck(parseCheck((await mustRun('node lib/main.cjs', process.execPath, ['lib/main.cjs'], { cwd: dir })).stdout));
      return { build: '—', run: 'ok', note: '' };
    },
  },
  {
    id: 'next',
    toolchain: 'Next.js 15 App Router: Node route + edge route, one app',
    tool: () => `next ${versionOf('next')}`,
    async steps(pkgInfo) {
      const dir = caseDir('next', 'next');
      // The Next.js recipe of docs/frameworks.md, as a user copies it into the app.
      mkdirSync(join(dir, 'app/api/coinbar/callback'), { recursive: true });
      cpSync(join(ROOT, 'examples/frameworks/next-route.js'), join(dir, 'app/api/coinbar/callback/route.js'));
      cpSync(join(ROOT, 'examples/frameworks/store.js'), join(dir, 'lib/store.js'));
      const t0 = Date.now();
      await mustRun('next build', BIN('next'), ['build'], { cwd: dir, timeoutMs: 300_000 });
      const buildMs = Date.now() - t0;
      const manifest = JSON.parse(readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'));
      const edge = Object.values(manifest.functions ?? {}).find((f) => f.page === '/edge/route' || f.name?.includes('edge'));
      if (!edge) throw new Error(`no edge function in .next/server/middleware-manifest.json: ${JSON.stringify(Object.keys(manifest.functions ?? {}))}`);
      const edgeFiles = [...(edge.files ?? []), ...(edge.wasm ?? []).map((w) => w.filePath)].map((f) => join(dir, '.next', f));
      const copies = wasmCopies(edgeFiles, pkgInfo);
      if (copies.length !== 1) throw new Error(`the edge route carries the .wasm ${copies.length} times: ${copies.join(', ')}`);
      // The Node route's server chunks carry the module inline (the `module` condition: the
      // package is bundled, not left to node_modules).
      const nodeCopies = wasmCopies(
        filesUnder(join(dir, '.next/server')).filter((f) => !f.endsWith('.map') && !edgeFiles.includes(f)),
        pkgInfo,
      );
      if (!nodeCopies.some((c) => c.startsWith('base64'))) throw new Error(`the Node route does not carry the .wasm inline: ${nodeCopies.join(', ') || 'no copy at all'}`);
      const port = await freePort();
      const server = await startServer(BIN('next'), ['start', '-p', String(port), '-H', '127.0.0.1'], { cwd: dir, url: `http://127.0.0.1:${port}/node`, env: RECIPE_ENV });
      try {
        const node = await fetchCheck(`http://127.0.0.1:${port}/node`);
        assertServerCheck(node);
        const edgeResult = await fetchCheck(`http://127.0.0.1:${port}/edge`);
        assertServerCheck(edgeResult);
        await callbackRoundTrip(`http://127.0.0.1:${port}`, { path: '/api/coinbar/callback', paidList: false });
      } finally {
        server.stop();
      }
      return { build: `ok (${(buildMs / 1000).toFixed(0)} s)`, run: 'ok: /node, /edge, callback recipe', note: `edge route: the .wasm once, as a module; node route: inline (${nodeCopies.length})` };
    },
  },
  {
    id: 'webpack-node',
    toolchain: 'webpack 5 --target node',
    tool: () => `webpack ${versionOf('webpack')}`,
    async steps() {
      const dir = caseDir('webpack-node');
      await webpack(['--mode', 'production', '--target', 'node', '--entry', './lib/main.mjs', '--output-path', 'dist', '--output-filename', 'main.js'], dir);
      assertServerCheck(await runDetached(join(dir, 'dist'), 'main.js'));
      return { build: 'ok', run: 'ok (dist/ alone)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'esbuild-node-esm',
    toolchain: 'esbuild --bundle --platform=node, ESM out',
    tool: () => `esbuild ${versionOf('esbuild')}`,
    async steps() {
      const dir = caseDir('esbuild-node-esm');
      await esbuild(['lib/main.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=dist/main.mjs'], dir);
      assertServerCheck(await runDetached(join(dir, 'dist'), 'main.mjs'));
      return { build: 'ok', run: 'ok (dist/ alone)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'esbuild-node-cjs',
    toolchain: 'esbuild --bundle --platform=node, CJS out (ESM source)',
    tool: () => `esbuild ${versionOf('esbuild')}`,
    async steps() {
      const dir = caseDir('esbuild-node-cjs');
      await esbuild(['lib/main.mjs', '--bundle', '--platform=node', '--outfile=dist/main.js'], dir);
      assertServerCheck(await runDetached(join(dir, 'dist'), 'main.js'));
      return { build: 'ok', run: 'ok (dist/ alone)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'esbuild-node-require',
    toolchain: 'esbuild --bundle --platform=node, require() app',
    tool: () => `esbuild ${versionOf('esbuild')}`,
    async steps() {
      const dir = caseDir('esbuild-node-require');
      await esbuild(['lib/main.cjs', '--bundle', '--platform=node', '--outfile=dist/main.js'], dir);
      assertServerCheck(await runDetached(join(dir, 'dist'), 'main.js'));
      return { build: 'ok', run: 'ok (dist/ alone)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'wrangler',
    toolchain: 'wrangler deploy --dry-run + wrangler dev',
    tool: () => `wrangler ${versionOf('wrangler')}`,
    async steps(pkgInfo) {
      const dir = caseDir('wrangler', 'worker');
      // The Worker recipe of docs/frameworks.md, and its secrets as `wrangler dev` reads them.
      mkdirSync(join(dir, 'recipe'));
      for (const f of ['worker.js', 'store.js']) cpSync(join(ROOT, 'examples/frameworks', f), join(dir, 'recipe', f));
      writeFileSync(
        join(dir, '.dev.vars'),
        Object.entries(RECIPE_ENV)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join('\n'),
      );
      const env = { XDG_CONFIG_HOME: join(WORK, 'xdg-config'), WRANGLER_LOG_PATH: join(WORK, 'wrangler-logs') };
      await mustRun('wrangler deploy --dry-run', BIN('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir, env });
      const copies = wasmCopies(filesUnder(join(dir, 'dist')), pkgInfo);
      if (copies.length !== 1 || copies[0].startsWith('base64')) throw new Error(`the worker upload should hold the .wasm once, as a module: ${copies.join(', ') || 'none'}`);
      const port = await freePort();
      const inspector = await freePort();
      const server = await startServer(BIN('wrangler'), ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false'], {
        cwd: dir,
        env,
        url: `http://127.0.0.1:${port}/`,
      });
      try {
        assertServerCheck(await fetchCheck(`http://127.0.0.1:${port}/`));
        await callbackRoundTrip(`http://127.0.0.1:${port}`);
      } finally {
        server.stop();
      }
      return { build: 'ok (dry-run)', run: 'ok (wrangler dev), callback recipe', note: 'upload: the .wasm once, as a module' };
    },
  },
  {
    id: 'vite-build',
    toolchain: 'Vite 6 vite build (browser)',
    tool: () => `vite ${versionOf('vite')}`,
    async steps() {
      const dir = caseDir('vite-build');
      cpSync(join(HERE, 'app/index.html'), join(dir, 'index.html'));
      writeFileSync(join(dir, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('./browser-main.js', './lib/browser-main.js'));
      await mustRun('vite build', BIN('vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
      await serveAndCheck(join(dir, 'dist'));
      return { build: 'ok', run: 'ok (Chromium)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'vite-dev',
    toolchain: 'Vite 6 dev server (browser)',
    tool: () => `vite ${versionOf('vite')}`,
    async steps() {
      const dir = caseDir('vite-dev');
      cpSync(join(HERE, 'app/index.html'), join(dir, 'index.html'));
      writeFileSync(join(dir, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('./browser-main.js', './lib/browser-main.js'));
      const port = await freePort();
      const server = await startServer(BIN('vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, url: `http://127.0.0.1:${port}/` });
      try {
        await browserCheck(`http://127.0.0.1:${port}/`);
      } finally {
        server.stop();
      }
      return { build: '—', run: 'ok (Chromium)', note: 'dependency pre-bundling on' };
    },
  },
  {
    id: 'webpack-browser',
    toolchain: 'webpack 5 (browser)',
    tool: () => `webpack ${versionOf('webpack')}`,
    async steps() {
      const dir = caseDir('webpack-browser');
      await webpack(['--mode', 'production', '--entry', './lib/browser-main.js', '--output-path', 'dist', '--output-filename', 'main.js'], dir);
      writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>\n');
      await serveAndCheck(join(dir, 'dist'));
      return { build: 'ok', run: 'ok (Chromium)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'esbuild-browser-esm',
    toolchain: 'esbuild --bundle --format=esm (browser)',
    tool: () => `esbuild ${versionOf('esbuild')}`,
    async steps() {
      const dir = caseDir('esbuild-browser-esm');
      await esbuild(['lib/browser-main.js', '--bundle', '--format=esm', '--outfile=dist/browser-main.js'], dir);
      cpSync(join(HERE, 'app/index.html'), join(dir, 'dist/index.html'));
      await serveAndCheck(join(dir, 'dist'));
      return { build: 'ok', run: 'ok (Chromium)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
  {
    id: 'esbuild-browser-iife',
    toolchain: 'esbuild --bundle, default iife (browser)',
    tool: () => `esbuild ${versionOf('esbuild')}`,
    async steps() {
      const dir = caseDir('esbuild-browser-iife');
      await esbuild(['lib/browser-main.js', '--bundle', '--outfile=dist/main.js'], dir);
      writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>\n');
      await serveAndCheck(join(dir, 'dist'));
      return { build: 'ok', run: 'ok (Chromium)', note: kb(dirBytes(join(dir, 'dist'))) };
    },
  },
];

// ------------------------------------------------------------------ main

const started = Date.now();
const rows = [];
let failed = 0;
try {
  const tools = await installTools();
  const pkgInfo = await installPackage();
  log(`tools ${tools}; ${pkgInfo.packed.name}@${pkgInfo.packed.version} packed: ${pkgInfo.packed.entryCount} files, ${kb(pkgInfo.packed.size)} (unpacked ${kb(pkgInfo.packed.unpackedSize)})`);
  mkdirSync(CASES, { recursive: true });
  for (const c of CASE_LIST) {
    if (only && !only.includes(c.id) && c.id !== 'node-esm') continue; // node-esm is every case's baseline
    const t0 = Date.now();
    log(`${c.id}: running`);
    try {
      const r = await c.steps(pkgInfo);
      rows.push({ ...c, ...r, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      failed++;
      // The note: what failed, and the last line the tool printed (usually the reason).
      const lines = e.message
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const reason = lines.slice(1).find((l) => /error|ENOENT|can't|cannot|not /i.test(l) && !/^\d+ errors?$/.test(l)) ?? lines.at(-1);
      const note = lines.length > 1 ? `${lines[0].split(' failed')[0].slice(0, 40)}: ${reason.slice(0, 120)}` : lines[0].slice(0, 160);
      rows.push({ ...c, build: '', run: 'FAILED', note, ok: false, ms: Date.now() - t0, error: e.message });
    }
  }
} finally {
  if (browserPromise) await (await browserPromise).close().catch(() => {});
  if (!KEEP && !only) rmSync(CASES, { recursive: true, force: true });
}

const header = ['toolchain (zero config)', 'version', 'build', 'run', 'time', 'note'];
const table = rows.map((r) => [r.toolchain, r.tool(), r.build, r.run, `${(r.ms / 1000).toFixed(1)} s`, r.note]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => String(t[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const t of table) console.log(line(t));
for (const r of rows.filter((x) => !x.ok)) console.log(`\n${r.id} failed:\n${r.error}`);
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
console.log(`bundlers: ${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
