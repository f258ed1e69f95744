#!/usr/bin/env node
// The demo: the shop page, the merchant's fetch handler (www/app/worker.js) under a tiny
// Node adapter, and — unless real Coinbar credentials are set — the local sandbox, all on
// 127.0.0.1. `make demo` runs this. The shop's orders and the ledger's payments live in one
// database: a SQLite file (better-sqlite3, the same migrations as D1): data/demo.sqlite, or
// --db FILE / DEMO_DB_FILE; or PostgreSQL when DATABASE_URL (or --db) is postgres://…
// The handler's scheduled() (reconcile, drain the e-mail outbox, prune) runs every
// RECONCILE_INTERVAL_SECONDS (default 60).
//
//   node www/serve.js [--port 8080] [--sandbox-port 8790] [--db data/demo.sqlite]   (or PORT=, SANDBOX_PORT=)
//   DATABASE_URL=postgres://user@127.0.0.1:5432/shop node www/serve.js
//   COINBAR_BASE_URL=… COINBAR_SERVICE_CLIENT_ID=… COINBAR_SECRET_KEY=… node www/serve.js
//   API_ORIGIN=http://127.0.0.1:8787 node www/serve.js   # /api/* served by another runtime (workerd)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { openSqlite } from './sqlite.js';
import { isPostgresUrl, openPostgres } from './postgres.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const STATIC = [
  // [url prefix, directory]: only what the page needs (the browser build, never the server one).
  ['/pkg/src/', join(root, 'pkg/src')],
  ['/pkg/dist/browser/', join(root, 'pkg/dist/browser')],
  ['/vendor/uqr/', join(root, 'node_modules/uqr/dist')],
  ['/', join(root, 'www/shop')],
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Security headers of the pages: CSP (inline scripts only by hash: the import map), no framing, nosniff, no referrer. */
const inlineHashes = new Map();
export function pageHeaders(file, body) {
  let hashes = inlineHashes.get(file);
  if (!hashes) {
    hashes = [...body.toString('utf8').matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
    inlineHashes.set(file, hashes);
  }
  return {
    'content-security-policy': [
      "default-src 'self'",
      `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
  };
}
export const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

async function serveStatic(rawPath, res) {
  // Decode first, then apply the allow-list to what the file system will see.
  let pathname;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain', ...COMMON_HEADERS }).end('malformed percent-encoding in the path');
    return;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) {
    res.writeHead(400, { 'content-type': 'text/plain', ...COMMON_HEADERS }).end('bad path');
    return;
  }
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  for (const [prefix, dir] of STATIC) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, pathname.slice(prefix.length)));
    if (!file.startsWith(dir + sep)) break;
    if (prefix === '/pkg/src/' && /(client|node|workerd|deno|edge-light)\.js$/.test(file)) break; // server-only files
    try {
      const body = await readFile(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...COMMON_HEADERS, ...(type.startsWith('text/html') ? pageHeaders(file, body) : {}) });
      res.end(body);
      return;
    } catch {
      break;
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain', ...COMMON_HEADERS }).end('not found');
}

const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'host', 'accept-encoding']);

/** The largest body any route accepts (the handler caps each route; this caps the adapter's buffer). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Node request -> fetch Request -> handler -> Node response. Bodies over MAX_BODY_BYTES: 413, never buffered. */
async function toFetch(req, res, origin, handle) {
  const socket = req.socket;
  const tooLarge = () => {
    res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close', ...COMMON_HEADERS });
    res.end(JSON.stringify({ error: `request body over ${MAX_BODY_BYTES} bytes` }));
    // Stop reading the rest: close the connection once the answer is out.
    res.once('finish', () => setTimeout(() => socket?.destroy(), 50));
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge();
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY_BYTES) return tooLarge();
    chunks.push(c);
  }
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_HEADERS.has(k) && k !== 'cf-connecting-ip') headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  // As Cloudflare does: the client address, set by the edge, never taken from the client.
  headers.set('cf-connecting-ip', req.socket.remoteAddress ?? 'unknown');
  const request = new Request(new URL(req.url, origin), { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method) ? undefined : body });
  const response = await handle(request);
  // fetch() already decoded the body: drop the hop-by-hop and encoding headers.
  const out = Object.fromEntries([...response.headers].filter(([k]) => !HOP_HEADERS.has(k)));
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

export const DEFAULT_DB_FILE = resolve(root, 'data/demo.sqlite');

/**
 * Start the demo. Resolves to `{ url, sandbox, database, store, reconcile(), close() }`. Options: `port`,
 * `sandboxPort`, `env` (defaults to process.env), `db` (a SQLite file or a postgres:// URL; default
 * DATABASE_URL, else DEMO_DB_FILE or data/demo.sqlite), `reconcileIntervalMs` (the scheduled job:
 * default RECONCILE_INTERVAL_SECONDS or 60 s; 0 = off), `worker` (the handler module; default www/app/worker.js),
 * `apiOrigin` (proxy /api/* there instead of running the handler here; changeable later with
 * `setApiOrigin`), `sandboxOptions` (extra startSandbox options).
 */
export async function startDemo({
  port = 8080,
  sandboxPort = 8790,
  env = process.env,
  apiOrigin = env.API_ORIGIN,
  sandboxOptions = {},
  db = env.DATABASE_URL || env.DEMO_DB_FILE || DEFAULT_DB_FILE,
  worker = undefined,
  reconcileIntervalMs = Number(env.RECONCILE_INTERVAL_SECONDS ?? 60) * 1000,
} = {}) {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const real = env.COINBAR_SERVICE_CLIENT_ID && env.COINBAR_SECRET_KEY && (env.COINBAR_BASE_URL || env.COINBAR_ENV);
  let sandbox = null;
  let handlerEnv = { ...env };
  if (!real) {
    const { startSandbox } = await import('./sandbox/server.js');
    const demoClient = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
    try {
      sandbox = await startSandbox({
        port: sandboxPort,
        clients: [{ ...demoClient, callbackUrl: `${url}/api/coinbar/callback`, webCallbackUrl: `${url}/result.html` }],
        ...sandboxOptions,
      });
    } catch (err) {
      server.close(); // nothing half-started stays open (e.g. the sandbox port is busy)
      err.demoPart = 'sandbox';
      throw err;
    }
    handlerEnv = {
      ...env,
      COINBAR_SERVICE_CLIENT_ID: demoClient.id,
      COINBAR_SECRET_KEY: demoClient.secret,
      COINBAR_BASE_URL: sandbox.baseUrl,
      COINBAR_SANDBOX_CONTROL_URL: sandbox.url,
      PAYMENT_WINDOW_MINUTES: env.PAYMENT_WINDOW_MINUTES ?? '15',
    };
  }
  const handler = apiOrigin ? null : (worker ?? (await import('./app/worker.js')).default);
  let database = null;
  let timer = null;
  // Work a handler hands to ctx.waitUntil (e.g. draining the outbox after a callback) is awaited on close.
  const pending = new Set();
  const ctx = { waitUntil: (p) => (pending.add(p), p.finally(() => pending.delete(p)).catch(() => {})), passThroughOnException() {} };
  const reconcile = () => handler.scheduled({ cron: 'interval', scheduledTime: Date.now() }, handlerEnv, ctx);
  if (handler) {
    try {
      database = isPostgresUrl(db) ? await openPostgres(db) : await openSqlite(resolve(db));
    } catch (err) {
      server.close();
      await sandbox?.close();
      throw err;
    }
    handlerEnv.DB = database.db;
    // The gateway return URL is built from this configured origin, never from a request's Host.
    handlerEnv.PUBLIC_ORIGIN ??= url;
    if (reconcileIntervalMs > 0) {
      timer = setInterval(() => reconcile().catch((e) => console.error(`reconcile failed: ${e.message}`)), reconcileIntervalMs);
      timer.unref();
    }
  }
  let upstream = apiOrigin; // where /api/* goes when the handler runs elsewhere (workerd)
  server.on('request', async (req, res) => {
    try {
      const { pathname } = new URL(req.url, url);
      if (pathname.startsWith('/api/')) {
        if (handler) await toFetch(req, res, url, (request) => handler.fetch(request, handlerEnv, ctx));
        else {
          await toFetch(req, res, url, async (request) =>
            fetch(new URL(pathname + new URL(req.url, url).search, upstream), {
              method: request.method,
              headers: request.headers,
              body: ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer(),
            }),
          );
        }
      } else await serveStatic(pathname, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e?.message ?? e));
    }
  });
  return {
    url,
    sandbox,
    handlerEnv,
    database,
    /** The database's executor (SQL with `?` placeholders on SQLite or PostgreSQL). */
    store: database?.exec ?? null,
    /** One reconciliation run now (what the interval does). */
    reconcile,
    /** Send /api/* to another origin (a handler running in workerd) from now on. */
    setApiOrigin(origin) {
      upstream = origin;
    },
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await Promise.allSettled([...pending]);
      await sandbox?.close();
      await database?.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  let demo;
  try {
    demo = await startDemo({
      port: Number(arg('--port', process.env.PORT || 8080)),
      sandboxPort: Number(arg('--sandbox-port', process.env.SANDBOX_PORT || 8790)),
      db: arg('--db', process.env.DATABASE_URL || process.env.DEMO_DB_FILE || DEFAULT_DB_FILE),
    });
  } catch (err) {
    // A busy port is one line that says which port and how to choose another, not a stack trace.
    const { listenErrorLine } = await import('./sandbox/server.js');
    const line =
      err.demoPart === 'sandbox'
        ? listenErrorLine(err, { what: "the demo's CoinbarPay sandbox", how: '--sandbox-port N or SANDBOX_PORT=N (make demo SANDBOX_PORT=N)' })
        : listenErrorLine(err, { what: 'the demo shop', how: '--port N or PORT=N (make demo PORT=N)' });
    if (!line) throw err;
    console.error(`demo: ${line}`);
    process.exit(2);
  }
  const { createLedger } = await import('coinbar-pay/ledger');
  const { ledgerOptions } = await import('./app/worker.js');
  const b = demo.database ? (await createLedger({ db: demo.database.exec, ...ledgerOptions(demo.handlerEnv) }).budget()).shares : null;
  console.log(`\n  coinbar-pay demo shop:  ${demo.url}\n  orders in:              ${demo.database ? `${demo.database.kind} ${demo.database.where}` : '(the API runs elsewhere)'}`);
  if (b)
    console.log(
      `  Coinbar calls per day:  checkout ${b.checkout}, page refresh ${b.refresh}, reconciliation ${b.reconcile} + ${b.reconcile_hot} kept for recent orders, quotes ${b.quotes} (the ledger's shares of ${demo.handlerEnv.COINBAR_DAILY_CALLS || 1000})\n`,
    );
  console.log(
    demo.sandbox
      ? `  talking to the local CoinbarPay sandbox at ${demo.sandbox.baseUrl}\n  (set COINBAR_BASE_URL, COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY to use a real Coinbar environment)\n`
      : `  talking to Coinbar at ${process.env.COINBAR_BASE_URL || process.env.COINBAR_ENV}\n`,
  );
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
