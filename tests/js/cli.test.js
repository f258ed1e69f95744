// The `coinbar-pay` command line (issue 15), run as a user runs it: `npm pack` of pkg/, the
// tarball installed into an empty temporary project, every command through `npx coinbar-pay`.
// Receivers: the demo backend's callback route (www/app/worker.js under www/serve.js, over
// HTTP) and a minimal Express-style receiver (node:http: Express is not a devDependency) built
// on cbpay.handleCallback. Signatures are checked against node:crypto (independent oracle).
// On another Node (e.g. 18), put its bin directory first in PATH: the CLI runs under it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoinbarPay, memoryStore } from 'coinbar-pay';
import { startDemo } from '../../www/serve.js';
import { tmpDb } from '../demo/helpers.js';
import { startSandbox } from '../../www/sandbox/server.js';
import { FAULT_KINDS } from '../../www/sandbox/faults.js';
import { DEFAULT_SANDBOX_ORIGIN, localSandboxOrigin } from '../../pkg/cli/common.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
const MY_SECRET = 'whsec-test-not-a-real-key-7f3a91';
const hmac = (secret, bytes) => createHmac('sha256', secret).update(bytes).digest('hex');

let project;
const outputs = []; // every stdout/stderr of the CLI, checked for the secret at the end

function run(cmd, argv, { cwd, env = {}, input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COINBAR_')));
    const child = spawn(cmd, argv, { cwd, env: { ...clean, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

// npx must use the installed tarball and never reach a registry: offline and no install, set
// through the environment (an `npx --no …` flag changes how npx parses a following --help).
const NPX_ENV = { npm_config_offline: 'true', npm_config_yes: 'false' };

/** `npx coinbar-pay …` in the temporary project; `input` goes to stdin. */
async function cli(args, options = {}) {
  const r = await run('npx', ['coinbar-pay', ...args], { cwd: project, ...options, env: { ...NPX_ENV, ...options.env } });
  outputs.push({ args, env: options.env, text: r.stdout + r.stderr });
  return r;
}

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'coinbar-cli-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: join(ROOT, 'pkg') });
  assert.equal(pack.code, 0, pack.stderr);
  const { filename } = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cli-check', private: true, type: 'module' }));
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', `./${filename}`], { cwd: project });
  assert.equal(install.code, 0, install.stderr);
});

after(() => {
  if (project && process.env.KEEP_TMP !== '1') rmSync(project, { recursive: true, force: true });
});

/** A node:http server on 127.0.0.1:0 around an Express-style (req, res) handler. */
async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const rawBody = async (req) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
};

// ---- help, usage errors, exit codes --------------------------------------------------------

test('--help for the tool and for each command; exit 0', async () => {
  const top = await cli(['--help']);
  assert.equal(top.code, 0);
  for (const c of ['sandbox', 'trigger', 'fault', 'sign', 'verify']) assert.match(top.stdout, new RegExp(`\\n  ${c} `));
  for (const [c, usage] of [
    ['sandbox', /coinbar-pay sandbox \[--port 8790\].*--callback-url URL.*--no-dedupe\]\s+\[--db FILE\] \[--allowed-host NAME\]/],
    ['fault', /coinbar-pay fault <kind> \[--times N\] \[--after-commit\]/],
    ['trigger', /coinbar-pay trigger <status> --order <payment_request_id> --forward-to URL/],
    ['sign', /coinbar-pay sign \[FILE\]/],
    ['verify', /coinbar-pay verify \[FILE\] --signature HEX/],
  ]) {
    const r = await cli([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.stdout, usage, c);
    assert.equal(r.stderr.replace(/^npm warn .*\n/gm, ''), '', c); // npm 11 warns under Node 18
  }
  // Every fault kind of the sandbox, with what it does, in the sandbox's and the fault command's help.
  for (const c of ['sandbox', 'fault']) {
    const r = await cli([c, '--help']);
    for (const kind of FAULT_KINDS) assert.match(r.stdout, new RegExp(`\\n  ${kind} +\\S`), `${c} --help lists ${kind}`);
    assert.match(r.stdout, /500-after-commit +the payment IS created, then a 500/);
  }
  const version = await cli(['--version']);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('usage errors: one clear line naming the problem, exit 2', async () => {
  const cases = [
    [['launch'], /unknown command "launch"; the commands are sandbox, trigger, fault, sign, verify/],
    [['fault'], /<kind>: required, one of latency, 500/],
    [['fault', 'explode'], /<kind>: "explode" is not a fault kind; use one of latency, 500, .*hang-after-commit/],
    [['fault', '429', '--after-commit'], /--after-commit: "429" has no after-commit variant; use one of reset, 500, 502, 503, 504, truncated, hang/],
    [['fault', '503', '--times', '0'], /--times: must be a whole number from 1 to 1000, got "0"/],
    [['fault', '503', '--sandbox', 'http://127.0.0.1:1'], /no sandbox answers at http:\/\/127\.0\.0\.1:1 \(bad port\): start one with `coinbar-pay sandbox`, or give its address with --sandbox URL/],
    [
      ['sandbox', '--port', '0', '--db', 'state.sqlite'],
      /--db needs the better-sqlite3 package, which is not installed: install it next to coinbar-pay with `npm install --save-dev better-sqlite3`, or run the sandbox without --db \(its state then lives in memory\)/,
    ],
    [['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', 'http://127.0.0.1:1/cb', '--tims', '2'], /Unknown option '--tims'.*coinbar-pay trigger --help/],
    [['trigger', 'SUCCESS', '--forward-to', 'http://127.0.0.1:1/cb'], /--order: required/],
    [['trigger', 'SUCCESS', '--order', 'o-1'], /--forward-to: required/],
    [['trigger', 'CANCELLED', '--order', 'o-1', '--forward-to', 'http://127.0.0.1:1/cb'], /"CANCELLED" is not a callback status.*CANCELED has one L/],
    [['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', 'localhost:3000/cb'], /--forward-to: must be an http:\/\/ or https:\/\/ URL/],
    [['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', 'http://127.0.0.1:1/cb', '--times', '0'], /--times: must be a whole number from 1 to 100, got "0"/],
    [['trigger', 'SUCCESS', '--order', 'x'.repeat(300), '--forward-to', 'http://127.0.0.1:1/cb'], /--order: payment_request_id/],
    [['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', 'http://127.0.0.1:1/cb', '--coin', 'DOGE'], /--coin: "DOGE" is not a sandbox coin/],
    [['sandbox', '--port', 'eighty'], /--port: must be a whole number from 0 to 65535/],
    [['sign', '--key', MY_SECRET], /--key: the secret key is read only from the COINBAR_SECRET_KEY environment variable/],
    [['verify', `--secret=${MY_SECRET}`, '--signature', 'ab'], /--secret: the secret key is read only from the COINBAR_SECRET_KEY/],
    [['sign', 'no-such-file.json'], /COINBAR_SECRET_KEY is not set/],
    [['verify', 'body.json'], /--signature: required/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a usage error');
    assert.equal(r.stdout, '');
  }
  const only = await cli(['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', 'http://127.0.0.1:1/cb'], { env: { COINBAR_SERVICE_CLIENT_ID: 'abc' } });
  assert.equal(only.code, 2);
  assert.match(only.stderr, /COINBAR_SECRET_KEY is not set/);
  const missing = await cli(['sign', 'no-such-file.json'], { env: { COINBAR_SECRET_KEY: MY_SECRET } });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read no-such-file\.json: no such file/);
});

// ---- sandbox -------------------------------------------------------------------------------

/** Start `npx coinbar-pay sandbox …`; resolves when the banner is out. */
async function startCliSandbox(args) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COINBAR_')));
  // Its own process group, so that Ctrl-C can be sent as a terminal sends it: to npx and the
  // sandbox under it alike.
  const child = spawn('npx', ['coinbar-pay', 'sandbox', ...args], { cwd: project, env: { ...clean, ...NPX_ENV }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', () => {
      if (out.includes('Ctrl-C stops the sandbox.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
  });
  return {
    child,
    output: () => out,
    env: Object.fromEntries([...out.matchAll(/^(COINBAR_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]])),
    url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)[1],
    kill: () => signal('SIGKILL'),
    /** Ctrl-C: resolves to npx's exit code. */
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code, sig) => resolve({ code, signal: sig }));
        signal('SIGINT');
      }),
  };
}

async function waitFor(predicate, what, ms = 10_000) {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('sandbox: serves the API with the printed COINBAR_* lines and POSTs the signed callback to --callback-url', async (t) => {
  const received = [];
  const receiver = await listen(async (req, res) => {
    received.push({ headers: req.headers, body: await rawBody(req) });
    res.writeHead(200).end('ok');
  });
  t.after(() => receiver.close());
  const sb = await startCliSandbox(['--port', '0', '--callback-url', `${receiver.url}/cb`]);
  t.after(() => sb.kill());

  assert.match(sb.output(), /Demo client id: c0ffee00-0000-4000-8000-000000000001/);
  assert.match(sb.output(), /Demo secret:\s+sandbox-secret-do-not-use-in-production/);
  assert.deepEqual(Object.keys(sb.env).sort(), ['COINBAR_BASE_URL', 'COINBAR_SECRET_KEY', 'COINBAR_SERVICE_CLIENT_ID']);
  assert.equal(sb.env.COINBAR_BASE_URL, `${sb.url}/coinbar/api/v2`);

  // The pasted lines are enough for the SDK.
  const cbpay = CoinbarPay.fromEnv(sb.env);
  const id = `cli-sandbox-${Date.now()}`;
  const payment = await cbpay.initiate({
    payment_request_id: id,
    input_coin: 'EUR',
    products: [{ product_name: 'Beans', product_price: '12.90', product_amount: 2, product_id: 'beans', product_type: 'general' }],
    email: 'jane@example.com',
    user_id: 'customer-1',
    destination_coin: 'BTC',
  });
  assert.equal(payment.payment_total_price, '25.8');
  const paid = await fetch(`${sb.url}/__sandbox/payments/${id}/pay`, { method: 'POST' });
  assert.equal(paid.status, 200);
  await waitFor(() => received.length === 1, 'the callback');
  const [cb] = received;
  assert.equal(cb.headers['cbpay-api-key'], DEMO.id);
  assert.equal(cb.headers.signature, hmac(DEMO.secret, cb.body));
  const event = cbpay.verifyCallback(cb.body, cb.headers);
  assert.equal(event.status, 'SUCCESS');
  assert.equal(event.payment_request_id_client, id);
  assert.equal(event.payment_id_coinbar, payment.payment_id_coinbar);
  // The sandbox command reports the delivery.
  await waitFor(() => /callback SUCCESS cli-sandbox-\d+ -> http:\/\/127\.0\.0\.1:\d+\/cb: attempt 1 200/.test(sb.output()), 'the delivery line');

  // trigger takes the payment from this sandbox (COINBAR_BASE_URL is local): the same
  // payment_id_coinbar, so the same idempotency key as the sandbox's own callback.
  const again = await cli(['trigger', 'SUCCESS', '--order', id, '--forward-to', `${receiver.url}/cb`], { env: sb.env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, new RegExp(`payment: {5}${id} from the sandbox at ${sb.url} \\(payment_id_coinbar ${payment.payment_id_coinbar}, now SUCCESS there\\)`));
  assert.equal(received.length, 2);
  const replayed = cbpay.verifyCallback(received[1].body, received[1].headers);
  assert.equal(replayed.idempotency_key, event.idempotency_key);
  assert.equal(replayed.payment_detail.destination_amount, event.payment_detail.destination_amount);
  const unknown = await cli(['trigger', 'SUCCESS', '--order', 'not-there', '--forward-to', `${receiver.url}/cb`, '--sandbox', sb.url]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, new RegExp(`--order: the sandbox at ${sb.url} has no payment not-there for client ${DEMO.id}`));

  // Ctrl-C ends it cleanly (npx itself reports the SIGINT it got, as it does for any command).
  const stopped = await sb.stop();
  assert.ok(stopped.code === 0 || stopped.signal === 'SIGINT', `${JSON.stringify(stopped)} ${sb.output()}`);
  assert.doesNotMatch(sb.output(), /Error|error:/);
  cbpay.free();
});

test('sandbox --no-dedupe: a repeated initiate creates a second payment', async (t) => {
  const sb = await startCliSandbox(['--port', '0', '--no-dedupe']);
  t.after(() => sb.kill());
  assert.match(sb.output(), /Duplicate rule: off/);
  assert.match(sb.output(), /Callbacks:\s+none \(start with --callback-url URL to receive them\)/);
  const cbpay = CoinbarPay.fromEnv(sb.env);
  const input = {
    payment_request_id: 'order-twice',
    input_coin: 'EUR',
    products: [{ product_name: 'Cups', product_price: '19.99', product_amount: 1, product_id: 'cups', product_type: 'general' }],
    email: 'jane@example.com',
    user_id: 'customer-1',
    destination_coin: 'ETH',
  };
  const first = await cbpay.initiate(input);
  const second = await cbpay.initiate(input);
  assert.notEqual(first.payment_id_coinbar, second.payment_id_coinbar);
  cbpay.free();
  await sb.stop();
});

test('sandbox: a port in use is one clear line (which port, how to choose another), exit 2', async (t) => {
  const busy = await listen((req, res) => res.end());
  t.after(() => busy.close());
  const port = busy.url.split(':').pop();
  const r = await cli(['sandbox', '--port', port]);
  assert.equal(r.code, 2);
  const lines = r.stderr
    .replace(/^npm warn .*\n/gm, '')
    .trimEnd()
    .split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^coinbar-pay: port ${port} on 127\\.0\\.0\\.1 \\(the sandbox\\) is already in use.*choose another port with --port N; 0 picks any free port$`));
});

test('sandbox --db FILE (better-sqlite3 installed in the project): a payment survives a kill and a restart', async (t) => {
  // better-sqlite3 is not a dependency of coinbar-pay: the merchant installs it for --db. Here:
  // the repository's copy, linked into the temporary project.
  const link = join(project, 'node_modules', 'better-sqlite3');
  symlinkSync(join(ROOT, 'node_modules', 'better-sqlite3'), link, 'dir');
  t.after(() => rmSync(link, { force: true }));
  const file = join(project, 'state', 'sandbox.sqlite');
  const first = await startCliSandbox(['--port', '0', '--db', file]);
  t.after(() => first.kill());
  assert.match(first.output(), new RegExp(`State: +${file.replace(/[.]/g, '\\.')} \\(SQLite: payments, clients and the callback log survive a restart\\)`));
  const cbpay = CoinbarPay.fromEnv(first.env);
  const id = `cli-db-${Date.now()}`;
  const payment = await cbpay.initiate({
    payment_request_id: id,
    input_coin: 'EUR',
    products: [{ product_name: 'Beans', product_price: '12.90', product_amount: 1, product_id: 'beans', product_type: 'general' }],
    email: 'jane@example.com',
    user_id: 'customer-1',
    destination_coin: 'XRP',
  });
  cbpay.free();
  first.kill(); // SIGKILL: no clean shutdown
  await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', resolve)));

  const second = await startCliSandbox(['--port', '0', '--db', file]);
  t.after(() => second.kill());
  const again = CoinbarPay.fromEnv(second.env); // another port, same file
  // A merchant's recovery code (findPayment after an unknown outcome) is not told "no payment".
  const status = await again.findPayment(id);
  assert.ok(status, 'findPayment after the restart: not 404');
  assert.equal(status.payment_id_coinbar, payment.payment_id_coinbar);
  assert.equal(status.status, 'CREATED');
  assert.equal(status.payment_detail.destination_amount, payment.destination_amount);
  again.free();
  await second.stop();
});

test('sandbox without --db: the banner says the state is in memory', async (t) => {
  const sb = await startCliSandbox(['--port', '0']);
  t.after(() => sb.kill());
  assert.match(sb.output(), /State: +in memory \(lost when the sandbox stops; --db FILE keeps it\)/);
  await sb.stop();
});

// ---- fault -----------------------------------------------------------------------------------

test('fault: queues a kind in the running sandbox through its control endpoint; the next API calls fail that way', async (t) => {
  const sandbox = await startSandbox({ port: 0 });
  t.after(() => sandbox.close());
  const env = { COINBAR_BASE_URL: sandbox.baseUrl, COINBAR_SERVICE_CLIENT_ID: DEMO.id, COINBAR_SECRET_KEY: DEMO.secret };
  const quotes = () => fetch(`${sandbox.baseUrl}/pay/gateway/quotes`, { headers: { 'CBPAY-API-KEY': DEMO.id, SIGNATURE: hmac(DEMO.secret, '') } });

  // The sandbox found from COINBAR_BASE_URL (a loopback URL), as the merchant's server has it.
  const r = await cli(['fault', '503', '--times', '2', '--retry-after', '1'], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`queued at ${sandbox.url}: 503 for the next 2 API calls\\n`));
  assert.match(r.stdout, /  503 × 2 \(any API call, Retry-After 1\)/);
  for (const expected of [503, 503, 200]) {
    const res = await quotes();
    assert.equal(res.status, expected);
    if (expected === 503) assert.equal(res.headers.get('retry-after'), '1');
    await res.body?.cancel();
  }

  // --after-commit: the payment IS created, the answer is lost: the SDK reports an unknown outcome
  // and never re-sends (docs/retries.md); the status call finds the payment.
  const lost = await cli(['fault', '500', '--after-commit', '--path', '/initiate', '--sandbox', sandbox.url]);
  assert.equal(lost.code, 0, lost.stdout + lost.stderr);
  assert.match(lost.stdout, /500-after-commit for the next API call whose URL contains "\/initiate"/);
  const cbpay = CoinbarPay.fromEnv(env);
  const id = `fault-cli-${Date.now()}`;
  const input = {
    payment_request_id: id,
    input_coin: 'EUR',
    products: [{ product_name: 'Tea', product_price: '4.50', product_amount: 1, product_id: 'tea', product_type: 'general' }],
    email: 'jane@example.com',
    user_id: 'u-1',
    destination_coin: 'BTC',
  };
  await assert.rejects(cbpay.initiate(input));
  assert.equal(sandbox.payments.createdCount(id), 1, 'created once, never re-sent');
  assert.equal((await cbpay.paymentStatus(id)).status, 'CREATED');
  cbpay.free();

  const listed = await cli(['fault', 'reset', '--path', '/status', '--sandbox', sandbox.url]);
  assert.match(listed.stdout, /reset × 1 \(path contains "\/status"\)/);
  const cleared = await cli(['fault', 'clear', '--sandbox', sandbox.url]);
  assert.equal(cleared.code, 0);
  assert.match(cleared.stdout, /no faults queued at/);
  assert.deepEqual(sandbox.stats().faults_queued, []);
});

test('trigger and fault find the sandbox on its default address when COINBAR_BASE_URL is not set', async (t) => {
  assert.equal(DEFAULT_SANDBOX_ORIGIN, 'http://127.0.0.1:8790');
  assert.equal(localSandboxOrigin({}), 'http://127.0.0.1:8790');
  assert.equal(localSandboxOrigin({ COINBAR_BASE_URL: 'http://localhost:9999/coinbar/api/v2' }), 'http://localhost:9999');
  assert.equal(localSandboxOrigin({ COINBAR_BASE_URL: 'https://sandbox.coinbar.io/coinbar/api/v2' }), undefined);
  let sandbox;
  try {
    sandbox = await startSandbox({ port: 8790 });
  } catch (err) {
    if (err.code !== 'EADDRINUSE') throw err;
    t.skip('port 8790 is in use on this machine (another sandbox): the default address cannot be tried here');
    return;
  }
  t.after(() => sandbox.close());
  const received = [];
  const receiver = await listen(async (req, res) => {
    received.push(await rawBody(req));
    res.writeHead(200).end('ok');
  });
  t.after(() => receiver.close());
  const cbpay = CoinbarPay.fromEnv({ COINBAR_BASE_URL: sandbox.baseUrl, COINBAR_SERVICE_CLIENT_ID: DEMO.id, COINBAR_SECRET_KEY: DEMO.secret });
  const id = `default-${Date.now()}`;
  const payment = await cbpay.initiate({
    payment_request_id: id,
    input_coin: 'EUR',
    products: [{ product_name: 'Tea', product_price: '4.50', product_amount: 1, product_id: 'tea', product_type: 'general' }],
    email: 'jane@example.com',
    user_id: 'u-1',
    destination_coin: 'ETH',
  });
  cbpay.free();
  const r = await cli(['trigger', 'SUCCESS', '--order', id, '--forward-to', `${receiver.url}/cb`]); // no COINBAR_* at all
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`payment: {5}${id} from the sandbox at http://127\\.0\\.0\\.1:8790 \\(payment_id_coinbar ${payment.payment_id_coinbar}`));
  const body = JSON.parse(received[0]);
  assert.equal(body.payment_id_coinbar, payment.payment_id_coinbar, 'a true duplicate of the sandbox payment');
  assert.equal(String(body.payment_detail.destination_amount), payment.destination_amount);
  const f = await cli(['fault', 'latency', '--delay-ms', '10']);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /queued at http:\/\/127\.0\.0\.1:8790: latency/);
});

// ---- trigger ---------------------------------------------------------------------------------

test('trigger SUCCESS --forward-to the demo backend: accepted, the order is paid through the verified callback', async (t) => {
  // Its own database: the guard's per-client caps count every checkout from 127.0.0.1 there.
  const demo = await startDemo({ port: 0, sandboxPort: 0, env: {}, db: tmpDb('cli') });
  t.after(() => demo.close());
  const created = await fetch(`${demo.url}/api/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ product_id: 'cups', quantity: 1 }], customer: { email: 'jane@example.com' }, coin: 'BTC' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const order = await created.json();
  // Coinbar knows the payment by the ledger's payment_request_id (<order id>.<attempt>), and the
  // event must name the payment the sandbox made (the ledger applies an event only to its own
  // payment): trigger takes it from the demo's sandbox.
  const prid = order.payment_request_id;
  assert.equal(prid, `${order.id}.1`);
  const sandboxUrl = demo.sandbox.url;
  const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const r = await cli(['trigger', 'SUCCESS', '--order', prid, '--sandbox', sandboxUrl, '--forward-to', `${demo.url}/api/coinbar/callback`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /credentials: the sandbox's demo client c0ffee00-0000-4000-8000-000000000001/);
  assert.match(r.stdout, new RegExp(`payment: {5}${esc(prid)} from the sandbox at ${esc(sandboxUrl)}`));
  assert.match(r.stdout, new RegExp(`-> \\[1/1\\] POST ${esc(demo.url)}/api/coinbar/callback  SUCCESS  order ${esc(prid)}`));
  assert.match(r.stdout, /<- 200 OK in \d+ ms  \{"received":true,"outcome":"processed"\}/);
  assert.match(r.stdout, /1 of 1 callbacks answered 2xx/);
  const after = await (await fetch(`${demo.url}/api/orders/${order.id}`)).json();
  assert.equal(after.status, 'SUCCESS');
  assert.equal(after.status_source, 'callback');

  // The stale PENDING sent after it must not move the order back (forward-only states).
  const late = await cli(['trigger', 'SUCCESS', '--out-of-order', '--order', prid, '--sandbox', sandboxUrl, '--forward-to', `${demo.url}/api/coinbar/callback`]);
  assert.equal(late.code, 0, late.stdout);
  assert.match(late.stdout, /\[1\/2\] POST .*  SUCCESS .*\n.*\n.*\[2\/2\] POST .*  PENDING /);
  assert.equal((await (await fetch(`${demo.url}/api/orders/${order.id}`)).json()).status, 'SUCCESS');

  // Signed with another key: the demo refuses it (401) and the CLI exits 1.
  const forged = await cli(['trigger', 'SUCCESS', '--order', prid, '--sandbox', sandboxUrl, '--forward-to', `${demo.url}/api/coinbar/callback`], {
    env: { COINBAR_SERVICE_CLIENT_ID: DEMO.id, COINBAR_SECRET_KEY: MY_SECRET },
  });
  assert.equal(forged.code, 1);
  assert.match(forged.stdout, /<- 401 /);
  assert.match(forged.stdout, /1 of 1 callbacks were NOT answered 2xx/);
});

test('trigger to an Express-style receiver on cbpay.handleCallback: --times and --out-of-order rehearse duplicates and reordering', async (t) => {
  const cbpay = new CoinbarPay({ serviceClientId: DEMO.id, secretKey: DEMO.secret });
  t.after(() => cbpay.free());
  const applied = [];
  const deliveries = [];
  const store = memoryStore();
  // The merchant's route, Express-style: (req, res) with the raw body.
  const receiver = await listen(async (req, res) => {
    const raw = await rawBody(req);
    deliveries.push({ raw, headers: req.headers });
    try {
      const { outcome, status } = await cbpay.handleCallback(raw, req.headers, { store, handler: (event) => void applied.push(event.status) });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ outcome }));
    } catch (e) {
      res.writeHead(e.code === 'signature' ? 401 : 500).end(e.code);
    }
  });
  t.after(() => receiver.close());

  const r = await cli(['trigger', 'success', '--order', 'order-1001', '--forward-to', `${receiver.url}/coinbar/callback`, '--times', '3', '--payment-id', '5f8804f7-84bb-4911-88a9-d591ad5f475d']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(deliveries.length, 3);
  assert.deepEqual(applied, ['SUCCESS'], 'handled once, two duplicates');
  assert.match(r.stdout, /<- 200 OK in \d+ ms  \{"outcome":"processed"\}[\s\S]*<- 200 OK in \d+ ms  \{"outcome":"duplicate"\}[\s\S]*<- 200 OK in \d+ ms  \{"outcome":"duplicate"\}/);
  // Retries are byte-identical, signed over the raw bytes (node:crypto), in the documented shape.
  assert.ok(deliveries.every((d) => d.raw.equals(deliveries[0].raw) && d.headers.signature === deliveries[0].headers.signature));
  const { raw, headers } = deliveries[0];
  assert.equal(headers.signature, hmac(DEMO.secret, raw));
  assert.equal(headers['cbpay-api-key'], DEMO.id);
  assert.match(headers['content-type'], /^application\/json/);
  const body = JSON.parse(raw);
  assert.deepEqual(Object.keys(body), [
    'result',
    'payment_id_coinbar',
    'payment_request_id_client',
    'service_client_id',
    'status',
    'payment_detail',
    'input_coin',
    'creation_time',
    'update_time',
    'status_descr',
    'customer',
    'products',
  ]);
  assert.equal(body.result, 'success');
  assert.equal(body.payment_id_coinbar, '5f8804f7-84bb-4911-88a9-d591ad5f475d');
  assert.equal(body.payment_request_id_client, 'order-1001');
  assert.equal(body.status_descr, 'Payment completed');
  assert.deepEqual(Object.keys(body.payment_detail), ['destination_coin', 'trade_pair', 'destination_amount', 'coin_change', 'total_price']);
  // 3.97 EUR at the sandbox's BTC rate, rounded up to whole satoshi as the sandbox quotes it.
  assert.match(raw.toString(), /"destination_amount":0\.00007581,/);

  deliveries.length = 0;
  const reordered = await cli([
    'trigger',
    'FAILED',
    '--out-of-order',
    '--order',
    'order-1002',
    '--forward-to',
    `${receiver.url}/coinbar/callback`,
    '--currency',
    'GBP',
    '--coin',
    'ETH',
    '--total',
    '10.50',
  ]);
  assert.equal(reordered.code, 0, reordered.stdout);
  const [first, second] = deliveries.map((d) => JSON.parse(d.raw));
  assert.equal(first.status, 'FAILED');
  assert.equal(first.status_descr, 'Timeout');
  assert.equal(second.status, 'PENDING');
  assert.equal(first.payment_id_coinbar, second.payment_id_coinbar);
  assert.ok(Date.parse(second.update_time) < Date.parse(first.update_time), 'the PENDING one is the older state');
  assert.equal(first.input_coin, 'GBP');
  assert.equal(first.payment_detail.trade_pair, 'ETH/GBP');
  assert.equal(first.payment_detail.total_price, 10.5);
  assert.deepEqual(applied.slice(1), ['FAILED', 'PENDING']);

  // With the merchant's own credentials from the environment; the receiver holds the demo key.
  const wrong = await cli(['trigger', 'CANCELED', '--order', 'order-1003', '--forward-to', `${receiver.url}/coinbar/callback`], {
    env: { COINBAR_SERVICE_CLIENT_ID: DEMO.id, COINBAR_SECRET_KEY: MY_SECRET },
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /credentials: COINBAR_SERVICE_CLIENT_ID=c0ffee00-0000-4000-8000-000000000001, key from COINBAR_SECRET_KEY \(32 bytes\)/);
  assert.match(wrong.stdout, /<- 401 Unauthorized/);
  assert.match(
    wrong.stdout,
    /^ {3}hint: 401: your server refused the callback as not from Coinbar\. It verifies with its own COINBAR_SERVICE_CLIENT_ID and COINBAR_SECRET_KEY: they must be the ones this command used\./m,
  );
  assert.equal(JSON.parse(deliveries.at(-1).raw).status, 'CANCELED');
  assert.equal(deliveries.at(-1).headers.signature, hmac(MY_SECRET, deliveries.at(-1).raw));
});

test('trigger at the receiver recipe (examples/callback-receiver.mjs): processed once, duplicates answered 200, a late PENDING ignored', async (t) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COINBAR_')));
  const child = spawn(process.execPath, [join(ROOT, 'examples/callback-receiver.mjs')], { cwd: ROOT, env: { ...clean, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await waitFor(() => /callback endpoint: http/.test(out), 'the receiver', 20_000);
  const endpoint = /callback endpoint: (\S+)/.exec(out)[1];

  const r = await cli(['trigger', 'SUCCESS', '--order', 'order-1001', '--forward-to', endpoint, '--times', '2', '--out-of-order']);
  assert.equal(r.code, 0, r.stdout + out);
  const answers = [...r.stdout.matchAll(/<- (\d+) \w+ in \d+ ms {2}(.*)/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(answers, ['200 {"outcome":"processed"}', '200 {"outcome":"duplicate"}', '200 {"outcome":"processed"}', '200 {"outcome":"duplicate"}']);
  await waitFor(() => out.includes('PENDING for order-1001'), 'the receiver log');
  assert.deepEqual(out.trim().split('\n').slice(1), ['SUCCESS for order-1001: order CREATED -> SUCCESS, fulfil it', 'PENDING for order-1001: order stays SUCCESS']);

  const forged = await cli(['trigger', 'SUCCESS', '--order', 'order-1002', '--forward-to', endpoint], { env: { COINBAR_SERVICE_CLIENT_ID: DEMO.id, COINBAR_SECRET_KEY: MY_SECRET } });
  assert.equal(forged.code, 1);
  assert.match(forged.stdout, /<- 401 Unauthorized in \d+ ms {2}\{"error":"signature"\}/);
});

test('trigger: a 500 prints the body and a hint on setup mistakes', async () => {
  const server = await listen((req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"callback not processed"}'));
  try {
    const r = await cli(['trigger', 'SUCCESS', '--order', 'o-500', '--forward-to', `${server.url}/cb`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /<- 500 Internal Server Error in \d+ ms {2}\{"error":"callback not processed"\}/);
    assert.match(r.stdout, /^ {3}hint: 500: your server failed on this callback; its log says why\. handleCallback reports a route set up wrong .* as CoinbarError code 'config'/m);
  } finally {
    await server.close();
  }
});

test('trigger: nothing listening is reported, exit 1', async () => {
  const closed = await listen((req, res) => res.end());
  await closed.close();
  const r = await cli(['trigger', 'SUCCESS', '--order', 'o-1', '--forward-to', `${closed.url}/cb`]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /<- no answer: fetch failed \(ECONNREFUSED\) — is your server running on that port\?/);
});

// ---- sign / verify ----------------------------------------------------------------------------

const BODY = '{"result":"success","payment_id_coinbar":"5f8804f7-84bb-4911-88a9-d591ad5f475d","status":"SUCCESS","note":"caf\u00e9"}';

test('sign: body from stdin or a file; prints length, first bytes, SHA-256 and the HMAC of node:crypto', async () => {
  const env = { COINBAR_SECRET_KEY: MY_SECRET };
  const bytes = Buffer.from(BODY);
  const fromStdin = await cli(['sign'], { env, input: BODY });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.match(fromStdin.stdout, new RegExp(`^body:\\s+${bytes.length} bytes from stdin$`, 'm'));
  assert.match(fromStdin.stdout, new RegExp(`^sha256:\\s+${createHash('sha256').update(bytes).digest('hex')} `, 'm'));
  assert.match(fromStdin.stdout, /^first bytes:\s+\{"result":"success","payment_id_coinbar":"5f8804f7-84bb-4911-88a\u2026$/m);
  assert.match(fromStdin.stdout, /^last bytes:\s+\u2026.*"note":"caf\\xc3\\xa9"\}$/m);
  assert.match(fromStdin.stdout, new RegExp(`^key:\\s+COINBAR_SECRET_KEY \\(${MY_SECRET.length} bytes\\)$`, 'm'));
  assert.match(fromStdin.stdout, new RegExp(`^SIGNATURE:\\s+${hmac(MY_SECRET, bytes)}$`, 'm'));

  const file = join(project, 'body.json');
  writeFileSync(file, `${BODY}\n`);
  const fromFile = await cli(['sign', 'body.json'], { env });
  assert.equal(fromFile.code, 0);
  assert.match(fromFile.stdout, new RegExp(`^body:\\s+${bytes.length + 1} bytes from body\\.json$`, 'm'));
  assert.match(fromFile.stdout, /^note:\s+ends with a newline/m);
  assert.match(fromFile.stdout, new RegExp(`^SIGNATURE:\\s+${hmac(MY_SECRET, `${BODY}\n`)}$`, 'm'));

  const quiet = await cli(['sign', '-q', '-'], { env, input: BODY });
  assert.equal(quiet.stdout, `${hmac(MY_SECRET, bytes)}\n`);
});

test('verify: expected vs got, exit 0 on a match and 1 on a mismatch, with the mistake that explains it', async () => {
  const env = { COINBAR_SECRET_KEY: MY_SECRET };
  const good = hmac(MY_SECRET, BODY);
  const ok = await cli(['verify', '--signature', good], { env, input: BODY });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, new RegExp(`^expected:\\s+${good}$`, 'm'));
  assert.match(ok.stdout, new RegExp(`^got:\\s+${good}$`, 'm'));
  assert.match(ok.stdout, /^result:\s+MATCH/m);

  // The sender signed the body, then a newline was added (echo, a logger...).
  const newline = await cli(['verify', '--signature', good], { env, input: `${BODY}\n` });
  assert.equal(newline.code, 1);
  assert.match(newline.stdout, new RegExp(`^expected:\\s+${hmac(MY_SECRET, `${BODY}\n`)}$`, 'm'));
  assert.match(newline.stdout, new RegExp(`^got:\\s+${good}$`, 'm'));
  assert.match(newline.stdout, /^result:\s+MISMATCH$/m);
  assert.match(newline.stdout, /^hint:\s+it matches the body WITHOUT its trailing newline/m);

  // The sender re-serialized the JSON (pretty-printed body received, compact one signed).
  const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
  const reserialized = await cli(['verify', '--signature', good], { env, input: pretty });
  assert.equal(reserialized.code, 1);
  assert.match(reserialized.stdout, /^hint:\s+it matches JSON\.stringify of the parsed body/m);

  // Upper-case hex, and a plain SHA-256 instead of an HMAC.
  const upper = await cli(['verify', '--signature', good.toUpperCase()], { env, input: BODY });
  assert.equal(upper.code, 1);
  assert.match(upper.stdout, /^hint:\s+it matches once lower-cased/m);
  const plain = await cli(['verify', '--signature', createHash('sha256').update(BODY).digest('hex')], { env, input: BODY });
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /^hint:\s+got is the plain SHA-256 of the body/m);

  // A key with a trailing newline (pasted from a file).
  const spaced = await cli(['verify', '--signature', good], { env: { COINBAR_SECRET_KEY: `${MY_SECRET}\n` }, input: BODY });
  assert.equal(spaced.code, 1);
  assert.match(spaced.stdout, /^key:\s+COINBAR_SECRET_KEY \(33 bytes; it has spaces or a newline at an end/m);
  assert.match(spaced.stdout, /^hint:\s+it matches with the key trimmed/m);

  // Nothing explains it: say what to compare next.
  const other = await cli(['verify', '--signature', hmac('another-key', BODY)], { env, input: BODY });
  assert.equal(other.code, 1);
  assert.match(other.stdout, /^hint:\s+none of the usual mistakes explains it/m);
});

test('verify --api-key: the CBPAY-API-KEY check, and the SDK verifyCallback verdict on a real callback body', async (t) => {
  // A callback as trigger sends it, captured.
  let captured;
  const receiver = await listen(async (req, res) => {
    captured = { raw: await rawBody(req), headers: req.headers };
    res.writeHead(204).end();
  });
  t.after(() => receiver.close());
  const env = { COINBAR_SERVICE_CLIENT_ID: 'merchant-7', COINBAR_SECRET_KEY: MY_SECRET };
  assert.equal((await cli(['trigger', 'SUCCESS', '--order', 'order-9', '--forward-to', receiver.url], { env })).code, 0);
  writeFileSync(join(project, 'callback.json'), captured.raw);
  const ok = await cli(['verify', 'callback.json', '--signature', captured.headers.signature, '--api-key', captured.headers['cbpay-api-key']], { env });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^CBPAY-API-KEY:\s+merchant-7 \(= COINBAR_SERVICE_CLIENT_ID\)$/m);
  assert.match(ok.stdout, /^verifyCallback:\s+accepted: SUCCESS for order-9 \(idempotency key [0-9a-f-]{36}\/SUCCESS\)$/m);
  const otherClient = await cli(['verify', 'callback.json', '--signature', captured.headers.signature, '--api-key', 'merchant-8'], { env });
  assert.equal(otherClient.code, 1);
  assert.match(otherClient.stdout, /^CBPAY-API-KEY:\s+merchant-8, but COINBAR_SERVICE_CLIENT_ID is merchant-7/m);
});

test('the secret key never appears in any output of the CLI (except the public demo key the sandbox prints)', () => {
  assert.ok(outputs.length > 20, `${outputs.length} runs checked`);
  for (const { args, text } of outputs) {
    assert.ok(!text.includes(MY_SECRET), `secret printed by: coinbar-pay ${args.join(' ')}`);
    if (args[0] !== 'sandbox') assert.ok(!text.includes(DEMO.secret), `demo secret printed by: coinbar-pay ${args.join(' ')}`);
  }
});
