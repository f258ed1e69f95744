// The demo with the local sandbox: the amount the shop shows is the sandbox's (rounded to the
// coin's smallest unit) unchanged; `make demo` (www/serve.js) on a busy port is one clear line
// naming the port and the option that chooses another, exit 2, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../www/serve.js';
import { tmpDb } from './helpers.js';
import { runProcess } from '../lib/process.mjs';
import { busyPort } from '../lib/ports.mjs';

/** Runs Node with `args` to its end: { code, stdout, stderr }. */
const runNode = (args, env = {}) => runProcess(process.execPath, args, { env, timeoutMs: 30000 });

const SERVE = fileURLToPath(new URL('../../www/serve.js', import.meta.url));

test('demo (make demo): a busy shop or sandbox port is one line naming it and its option, exit 2', async (t) => {
  const port = await busyPort(t);
  const dir = mkdtempSync(join(tmpdir(), 'demo-port-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'demo.sqlite');
  const shop = await runNode([SERVE, '--port', String(port), '--sandbox-port', '0', '--db', db]);
  assert.equal(shop.code, 2, shop.stderr);
  assert.equal(shop.stderr.trimEnd().split('\n').length, 1, shop.stderr);
  assert.match(shop.stderr, new RegExp(`^demo: port ${port} on 127\\.0\\.0\\.1 \\(the demo shop\\) is already in use.*--port N or PORT=N \\(make demo PORT=N\\)`));
  const sandbox = await runNode([SERVE, '--port', '0', '--db', db], { SANDBOX_PORT: String(port) });
  assert.equal(sandbox.code, 2, sandbox.stderr);
  assert.equal(sandbox.stderr.trimEnd().split('\n').length, 1, sandbox.stderr);
  assert.match(
    sandbox.stderr,
    new RegExp(`^demo: port ${port} on 127\\.0\\.0\\.1 \\(the demo's CoinbarPay sandbox\\) is already in use.*--sandbox-port N or SANDBOX_PORT=N \\(make demo SANDBOX_PORT=N\\)`),
  );
});

test('the shop shows the amount the sandbox quoted, unchanged: whole satoshi / drops / 10^-7 XDB', async (t) => {
  const demo = await startDemo({ port: 0, sandboxPort: 0, env: { CLIENT_CHECKOUTS_PER_MINUTE: '10' }, db: tmpDb('amounts'), reconcileIntervalMs: 0 });
  t.after(() => demo.close());
  for (const [coin, decimals] of [
    ['BTC', 8],
    ['XRP', 6],
    ['XDB', 7],
    ['ETH', 18],
  ]) {
    const res = await fetch(`${demo.url}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ product_id: 'cups', quantity: 1 }], customer: { email: 'jane@example.com' }, coin }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const order = await res.json();
    const record = demo.sandbox.payments.get(order.payment_request_id);
    assert.equal(order.amount, String(record.status.payment_detail.destination_amount), coin);
    assert.match(order.amount, new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`), `${coin}: at most ${decimals} decimals`);
    assert.ok(order.payment_string.includes(coin === 'ETH' ? '?value=' : `amount=${order.amount}`), order.payment_string);
  }
  // The page writes the API's text as it is (no Number(), no toFixed()).
  const shop = readFileSync(fileURLToPath(new URL('../../www/shop/shop.js', import.meta.url)), 'utf8');
  assert.match(shop, /\$\('pay-amount'\)\.textContent = order\.amount;/);
});
