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
      // The setup mistake reached the log, with the fix.
      assert.match(app.output(), /coinbar callback not processed: CoinbarError: callback route set up wrong: the body is (empty|undefined)/);
    } finally {
      app.stop();
    }
  });
}

test('Express set up wrong: express.json() or express.raw() without the type get a config error (not signature) saying so', async () => {
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
    assert.equal(parsed.code, 'config');
    assert.match(parsed.message, /already parsed into an object by your framework.*express\.raw\(\{ type: 'application\/json' \}\)/);
    const unread = await post('/raw-no-type');
    assert.equal(unread.code, 'config');
    assert.match(
      unread.message,
      /body is undefined: nothing read the request body\. Express: express\.raw\(\) without a type reads only application\/octet-stream.*express\.raw\(\{ type: 'application\/json' \}\)/,
    );
    assert.deepEqual(await post('/right'), { ok: true });
  } finally {
    server.close();
    cbpay.free();
  }
});

test('a body that no Coinbar callback can be is a config error; a forged one stays signature', () => {
  const cbpay = new CoinbarPay({ serviceClientId: ENV.COINBAR_SERVICE_CLIENT_ID, secretKey: ENV.COINBAR_SECRET_KEY, baseUrl: ENV.COINBAR_BASE_URL });
  const err = (body, headers = paid.headers) => {
    try {
      cbpay.verifyCallback(body, headers);
      return null;
    } catch (e) {
      return e;
    }
  };
  try {
    const cases = [
      [{ parsed: true }, 'config', /already parsed into an object/],
      [undefined, 'config', /body is undefined/],
      [null, 'config', /not null/],
      [42, 'config', /not number/],
      ['', 'config', /body is empty/],
      [new Uint8Array(0), 'config', /body is empty/],
      ['[object Object]', 'config', /"\[object …\]": an object turned into a string/],
      // The raw UTF-8 bytes of a non-ASCII body read as Latin-1... then re-decoded as UTF-8 with
      // replacement characters: what a wrong charset on the route gives.
      [new TextDecoder().decode(Buffer.from(paid.body.replace('Jane', 'Zoë'), 'latin1')), 'config', /U\+FFFD replacement characters/],
      [paid.body.replace('8.99', '0.01'), 'signature', /SIGNATURE does not match/],
      [`${paid.body}\ufffd`, 'config', /wrong encoding/],
    ];
    for (const [body, code, message] of cases) {
      const e = err(body);
      assert.ok(e instanceof CoinbarError, String(body));
      assert.equal(e.code, code, `${String(body).slice(0, 30)}: ${e.message}`);
      assert.match(e.message, message);
      if (code === 'config') assert.equal(e.option, 'rawBody');
    }
    // Without a SIGNATURE header nothing is guessed: not from Coinbar.
    assert.equal(err('[object Object]', { 'CBPAY-API-KEY': ENV.COINBAR_SERVICE_CLIENT_ID }).code, 'signature');
    // A signed body is Coinbar's, whatever characters it holds.
    assert.equal(err(paid.body), null);
  } finally {
    cbpay.free();
  }
});
