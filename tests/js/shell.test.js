// The JS shell's shape (issue 12 §5, the stripe-node shape): module-level CoinbarPay and
// functions over one bound glue module, runtime entries of a few lines, the public API
// listed once, and a clean seam with the core: no JS option name inside Rust, fromEnv names
// the variable from the error's `option` field (no message parsing), requestPayment gets
// its timestamp from the core (no re-parse of the body it just wrote).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { CoinbarPay, CoinbarError } from 'coinbar-pay';

const ROOT = new URL('../../', import.meta.url);
const read = (p) => readFileSync(new URL(p, ROOT), 'utf8');
const code = (text) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .split('\n')
    .filter((l) => l.trim())
    .join('\n');

test('runtime entries are a few lines: load the module, bind the glue, re-export', () => {
  for (const entry of ['node.js', 'node-inline.js', 'workerd.js', 'deno.js', 'edge-light.js', 'browser.js']) {
    const src = code(read(`pkg/src/${entry}`));
    assert.match(src, /\bbind\(glue\)/, `${entry} binds the glue`);
    assert.match(src, /^export \* from '\.\/(server|public)\.js';$/m, `${entry} re-exports the API`);
    assert.doesNotMatch(src, /export (const|\{)[^}]*(validateInitiate|cartTotal)/, `${entry} repeats no export list`);
    assert.doesNotMatch(src, /createClient|createCommon/, entry);
  }
  for (const entry of ['node.js', 'node-inline.js', 'workerd.js', 'deno.js']) {
    assert.ok(code(read(`pkg/src/${entry}`)).split('\n').length <= 8, `${entry} is a few lines`);
  }
});

test('no hand-written file of pkg/src is over 300 lines: the shell is modules with one job each', () => {
  const GENERATED = new Set(['ops.js']); // written by cargo test from the op declarations
  const walk = (dir) =>
    readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(`${dir}${d.name}/`) : d.name.endsWith('.js') && !GENERATED.has(d.name) ? [`${dir}${d.name}`] : []));
  const files = walk('pkg/src/');
  assert.ok(files.includes('pkg/src/client.js') && files.includes('pkg/src/ledger/index.js'), files.join(', '));
  const long = files.map((f) => [f, read(f).split('\n').length]).filter(([, n]) => n > 300);
  assert.deepEqual(long, []);
});

test('CoinbarPay is a module-level class, not built by a factory at run time', () => {
  const client = code(read('pkg/src/client.js'));
  assert.match(client, /^export class CoinbarPay \{/m);
  assert.doesNotMatch(client, /function create(Client|Common)/);
  assert.doesNotMatch(code(read('pkg/src/common.js')), /function create(Client|Common)/);
});

test('no JS option name inside the Rust core', () => {
  const names = /serviceClientId|secretKey|baseUrl|timeoutMs|maxRetries|allowBrowser/;
  const walk = (dir) => readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(`${dir}${d.name}/`) : d.name.endsWith('.rs') ? [`${dir}${d.name}`] : []));
  for (const file of walk('src/')) {
    const lines = read(file).split('\n');
    // Coinbar's own gateway URL has `requestToken` and `serviceClientId` query parameters.
    lines.forEach((line, i) => assert.doesNotMatch(line.replace(/[?&]serviceClientId=|`serviceClientId` and `timestamp`/g, ''), names, `${file}:${i + 1}: ${line.trim()}`));
  }
});

test('fromEnv names the variable from the error, structured: core setting errors carry `option`', () => {
  const base = { COINBAR_SERVICE_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001', COINBAR_SECRET_KEY: 'k' };
  const cases = [
    [
      { ...base, COINBAR_BASE_URL: 'http://example.com/api' },
      'baseUrl',
      /^baseUrl: must start with https:\/\/ \(plain http:\/\/ is accepted only for a loopback host.* \(read from COINBAR_BASE_URL\)$/,
    ],
    [{ ...base, COINBAR_ENV: 'staging' }, 'environment', /^environment: must be 'sandbox' or 'production' \(read from COINBAR_ENV\)$/],
    [{ ...base, COINBAR_ENV: 'production' }, 'baseUrl', /^baseUrl: is required for environment 'production' .* \(set COINBAR_BASE_URL\)$/],
    [{ COINBAR_SECRET_KEY: 'k' }, 'serviceClientId', /^serviceClientId: is required \(set COINBAR_SERVICE_CLIENT_ID\)$/],
    [{ COINBAR_SERVICE_CLIENT_ID: 'x' }, 'secretKey', /^secretKey: is required \(set COINBAR_SECRET_KEY\)$/],
  ];
  for (const [env, option, message] of cases) {
    assert.throws(
      () => CoinbarPay.fromEnv(env),
      (e) => e instanceof CoinbarError && e.code === 'config' && e.option === option && message.test(e.message),
      JSON.stringify(env),
    );
  }
  // An override is the caller's own value: no variable is named.
  assert.throws(
    () => CoinbarPay.fromEnv(base, { baseUrl: 'http://example.com/api' }),
    (e) => e.option === 'baseUrl' && !/COINBAR_/.test(e.message),
  );
  assert.throws(
    () => new CoinbarPay({ serviceClientId: 'x', secretKey: 'k', timeoutMs: 1.5 }),
    (e) => e.option === 'timeoutMs' && e.message === 'timeoutMs: must be a whole number from 1 to 600000',
  );
  assert.throws(
    () => new CoinbarPay({ serviceClientId: 'x', secretKey: 'k', timeoutMs: '5' }),
    (e) => e.option === 'timeoutMs' && e.message === 'timeoutMs: must be a number',
  );
});

test("requestPayment's gateway URL carries the body's timestamp, which the core reports (the body is not read back)", async () => {
  let sentBody;
  const fetch = async (url, init) => {
    sentBody = init.body;
    return new Response(JSON.stringify({ result: 'success', request_token: 'tok', payment_id_coinbar: null }), { status: 200 });
  };
  const cbpay = new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'k', baseUrl: 'http://127.0.0.1:9/api', fetch });
  const input = {
    payment_request_id: 'r-1',
    input_coin: 'EUR',
    products: [{ product_name: 'T', product_price: 1, product_amount: 1, product_id: 't', product_type: 'g' }],
    email: 'a@example.com',
    user_id: 'u',
  };
  for (const timestamp of [1715430961064, undefined]) {
    const r = await cbpay.requestPayment({ ...input, ...(timestamp ? { timestamp } : {}) });
    const sent = JSON.parse(sentBody).timestamp;
    if (timestamp) assert.equal(sent, timestamp);
    assert.match(r.gateway_url, new RegExp(`timestamp=${sent}$`));
  }
  for (const file of ['pkg/src/client.js', 'pkg/src/transport.js']) assert.doesNotMatch(code(read(file)), /JSON\.parse\([^)]*\.body\)/, file);
  cbpay.free();
});
