#!/usr/bin/env node
// The demo: the shop page, the merchant's fetch handler (www/app/worker.js) under a tiny
// Node adapter, and — unless real Coinbar credentials are set — the local sandbox, all on
// 127.0.0.1. `make demo` runs this.
//
//   node www/serve.js [--port 8080] [--sandbox-port 8790]
//   COINBAR_BASE_URL=… COINBAR_SERVICE_CLIENT_ID=… COINBAR_SECRET_KEY=… node www/serve.js
//   API_ORIGIN=http://127.0.0.1:8787 node www/serve.js   # /api/* served by another runtime (workerd)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extname, join, normalize, sep } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const STATIC = [
  // [url prefix, directory]: only what the page needs (the browser build, never the server one).
  ['/pkg/src/', join(root, 'pkg/src')],
  ['/pkg/dist/browser/', join(root, 'pkg/dist/browser')],
  ['/vendor/uqr/', join(root, 'node_modules/uqr/dist')],
  ['/', join(root, 'www/shop')],
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json' };

async function serveStatic(pathname, res) {
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  for (const [prefix, dir] of STATIC) {
    if (!pathname.startsWith(prefix)) continue;
    if (prefix === '/pkg/src/' && /(client|node|workerd)\.js$/.test(pathname)) break; // server-only files
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    if (!file.startsWith(dir + sep)) break;
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
      return;
    } catch {
      break;
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
}

const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'host', 'accept-encoding']);

/** Node request -> fetch Request -> handler -> Node response. */
async function toFetch(req, res, origin, handle) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_HEADERS.has(k)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  const request = new Request(new URL(req.url, origin), { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method) ? undefined : body });
  const response = await handle(request);
  // fetch() already decoded the body: drop the hop-by-hop and encoding headers.
  const out = Object.fromEntries([...response.headers].filter(([k]) => !HOP_HEADERS.has(k)));
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Start the demo. Resolves to `{ url, sandbox, close() }`. Options: `port`, `sandboxPort`,
 * `env` (defaults to process.env), `apiOrigin` (proxy /api/* there instead of running the
 * handler here; changeable later with `setApiOrigin`), `sandboxOptions` (extra startSandbox
 * options).
 */
export async function startDemo({ port = 8080, sandboxPort = 8790, env = process.env, apiOrigin = env.API_ORIGIN, sandboxOptions = {} } = {}) {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const real = env.COINBAR_SERVICE_CLIENT_ID && env.COINBAR_SECRET_KEY && (env.COINBAR_BASE_URL || env.COINBAR_ENV);
  let sandbox = null;
  let handlerEnv = env;
  if (!real) {
    const { startSandbox } = await import('./sandbox/server.js');
    const demoClient = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
    sandbox = await startSandbox({
      port: sandboxPort,
      clients: [{ ...demoClient, callbackUrl: `${url}/api/coinbar/callback`, webCallbackUrl: `${url}/result.html` }],
      ...sandboxOptions,
    });
    handlerEnv = {
      COINBAR_SERVICE_CLIENT_ID: demoClient.id,
      COINBAR_SECRET_KEY: demoClient.secret,
      COINBAR_BASE_URL: sandbox.baseUrl,
      COINBAR_SANDBOX_CONTROL_URL: sandbox.url,
      PAYMENT_WINDOW_MINUTES: env.PAYMENT_WINDOW_MINUTES ?? '15',
    };
  }
  const handler = apiOrigin ? null : (await import('./app/worker.js')).default;
  let upstream = apiOrigin; // where /api/* goes when the handler runs elsewhere (workerd)
  server.on('request', async (req, res) => {
    try {
      const { pathname } = new URL(req.url, url);
      if (pathname.startsWith('/api/')) {
        if (handler) await toFetch(req, res, url, (request) => handler.fetch(request, handlerEnv));
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
    /** Send /api/* to another origin (a handler running in workerd) from now on. */
    setApiOrigin(origin) {
      upstream = origin;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await sandbox?.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const demo = await startDemo({ port: arg('--port', Number(process.env.PORT || 8080)), sandboxPort: arg('--sandbox-port', 8790) });
  console.log(`\n  coinbar-pay demo shop:  ${demo.url}\n`);
  console.log(demo.sandbox ? `  talking to the local CoinbarPay sandbox at ${demo.sandbox.baseUrl}\n  (set COINBAR_BASE_URL, COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY to use a real Coinbar environment)\n` : `  talking to Coinbar at ${process.env.COINBAR_BASE_URL || process.env.COINBAR_ENV}\n`);
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
