// The framework recipes of docs/frameworks.md (examples/frameworks/), each run as a user runs
// it: Express, Hono and Fastify as processes here; the Next.js route handler and the Worker
// are built and served by tests/bundlers/run.mjs (next build / wrangler dev). Each gets a
// signed callback (processed once, then a duplicate), a forged one (401), and the effect is
// checked. Then the two ways an Express route silently loses the raw body get their errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';
import { callbackRoundTrip, paid, RECIPE_ENV } from '../bundlers/callback-check.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV = RECIPE_ENV;

/** Start a recipe with PORT=0 and wait for its "listening on" line. */
function startRecipe(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}examples/frameworks/${file}`], {
      cwd: ROOT,
      env: { ...process.env, ...ENV, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${out}`)), 15_000);
    const onData = (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => child.kill(), output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited ${code}:\n${out}`));
    });
  });
}

test('docs/frameworks.md shows every recipe verbatim', () => {
  const doc = readFileSync(`${ROOT}docs/frameworks.md`, 'utf8');
  for (const file of ['store.js', 'express.mjs', 'hono.mjs', 'fastify.mjs', 'next-route.js', 'worker.js']) {
    const code = readFileSync(`${ROOT}examples/frameworks/${file}`, 'utf8').trimEnd();
    assert.ok(doc.includes(`\n${code}\n\`\`\`\n`), `docs/frameworks.md does not show examples/frameworks/${file} (copy it)`);
  }
});

for (const file of ['express.mjs', 'hono.mjs', 'fastify.mjs']) {
  test(`recipe ${file}: processed once, duplicate, forged -> 401`, async () => {
    const app = await startRecipe(file);
    try {
      await callbackRoundTrip(app.url);
    } finally {
      app.stop();
    }
  });
}

test('Express set up wrong: express.json() or express.raw() without the type get an error saying so', async () => {
  const cbpay = new CoinbarPay({ serviceClientId: ENV.COINBAR_SERVICE_CLIENT_ID, secretKey: ENV.COINBAR_SECRET_KEY, baseUrl: ENV.COINBAR_BASE_URL });
  const app = express();
  const route = (req, res) => {
    try {
      cbpay.verifyCallback(req.body, req.headers);
      res.json({ ok: true });
    } catch (e) {
      res.status(e instanceof CoinbarError && e.code === 'signature' ? 401 : 500).json({ code: e instanceof CoinbarError ? e.code : 'other', message: e.message });
    }
  };
  app.post('/json', express.json(), route);
  app.post('/raw-no-type', express.raw(), route);
  app.post('/right', express.raw({ type: 'application/json' }), route);
  const server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const post = async (path) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...paid.headers }, body: paid.body });
    return res.json();
  };
  try {
    const parsed = await post('/json');
    assert.equal(parsed.code, 'signature');
    assert.match(parsed.message, /already parsed into an object by your framework.*express\.raw\(\{ type: 'application\/json' \}\)/);
    const unread = await post('/raw-no-type');
    assert.equal(unread.code, 'signature');
    assert.match(unread.message, /body is undefined: nothing read the request body\. Express: express\.raw\(\) without a type reads only application\/octet-stream.*express\.raw\(\{ type: 'application\/json' \}\)/);
    assert.deepEqual(await post('/right'), { ok: true });
  } finally {
    server.close();
    cbpay.free();
  }
});
