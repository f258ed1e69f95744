// The whole demo under `wrangler dev` (issue 20 §5), as `wrangler deploy` would ship it, in
// Chromium: www/app/wrangler.toml run by wrangler itself — its [build] step assembles the page
// (out/demo-assets), [assets] serves it with _headers, the worker answers /api/*, D1 (the
// migrations applied by `wrangler d1 migrations apply --local`) and the Cron Trigger
// (`--test-scheduled`: GET /__scheduled runs scheduled()). The local sandbox plays Coinbar and
// sends its signed callbacks to wrangler's URL. Nothing remote: --local, no metrics, no update
// check (banner hidden), no Request.cf download; the test fails if wrangler reports trying.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../../www/sandbox/server.js';
import { CART, CLIENT, checkout, freePort, getOrder, root } from '../demo/helpers.js';
import { directCheckout, launchChromium, shot, until } from './shop.js';

const WRANGLER = join(root, 'node_modules/.bin/wrangler');
const CONFIG = 'www/app/wrangler.toml'; // wrangler runs from the repository root (the [build] step runs there)
const DOT_WRANGLER = join(root, 'www/app/.wrangler'); // wrangler's scratch folder, next to the config

/** wrangler's environment: local only, nothing sent or fetched, its logs and dev registry in `dir`. */
const wranglerEnv = (dir) => ({
  ...process.env,
  CI: 'true',
  NO_COLOR: '1',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true', // the banner is what asks npm for a newer wrangler
  CLOUDFLARE_CF_FETCH_ENABLED: 'false', // else Miniflare downloads workers.cloudflare.com/cf.json
  WRANGLER_LOG_PATH: join(dir, 'logs'),
  WRANGLER_REGISTRY_PATH: join(dir, 'registry'),
});

/** What wrangler prints when it reached (or tried to reach) something not on this machine. */
const REMOTE = /Request\.cf|getaddrinfo|ENOTFOUND|EAI_AGAIN|cloudflare\.com|registry\.npmjs|newer version of Wrangler|log ?in/i;

/** Synchronous clean-ups still due when this process ends (an uncaught error, SIGINT / SIGTERM). */
const atExit = new Set();
const runAtExit = () => {
  for (const f of [...atExit].reverse()) {
    try {
      f();
    } catch {}
  }
  atExit.clear();
};
process.once('exit', runAtExit);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    runAtExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/**
 * `wrangler dev` in its own process group (detached), so that stop() ends wrangler and the
 * workerd processes it starts together, SIGKILL after 5 s. Resolves once "Ready on" is printed
 * and GET / answers.
 */
async function startWranglerDev({ port, persist, envFile, vars, dir }) {
  const args = ['dev', '-c', CONFIG, '--local', '--persist-to', persist, '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--inspector-port', String(await freePort()), '--test-scheduled', '--env-file', envFile, '--show-interactive-dev-session=false');
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const proc = spawn(WRANGLER, args, { cwd: root, env: wranglerEnv(dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => proc.once('exit', r));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const killGroup = () => {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {}
  };
  atExit.add(killGroup); // should this process end before stop(), the group goes with it
  const groupAlive = () => {
    try {
      process.kill(-proc.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const dev = {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    output: () => out,
    groupAlive,
    async stop() {
      atExit.delete(killGroup);
      if (!groupAlive()) return;
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {}
      const end = Date.now() + 5000;
      while (groupAlive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive()) killGroup();
      if (proc.exitCode === null && proc.signalCode === null) await exited;
      await until(() => !groupAlive(), 5000);
    },
  };
  try {
    const ready = await until(async () => {
      if (!alive()) throw new Error(`wrangler dev exited (${proc.exitCode ?? proc.signalCode})`);
      if (!out.includes(`Ready on ${dev.url}`)) return false;
      return fetch(`${dev.url}/`).then(
        (r) => r.status === 200,
        () => false,
      );
    }, 60_000);
    if (!ready) throw new Error('wrangler dev did not become ready in 60 s');
  } catch (e) {
    await dev.stop();
    throw new Error(`${e.message}\n${out}`);
  }
  return dev;
}

/**
 * startWranglerDev, started again once when workerd could not bind a port. wrangler runs the
 * custom build again as soon as its file watcher is ready and restarts workerd; on a loaded
 * machine (a fresh-clone CI run beside other work) the restarted workerd has found its previous
 * instance still holding a port (kj "Address already in use") and wrangler exited before "Ready
 * on". That is wrangler's race, not the app's: any other failure is reported as it is.
 */
async function startWranglerDevOnce(options) {
  try {
    return await startWranglerDev(options);
  } catch (e) {
    if (!/Address already in use/.test(e.message)) throw e;
    return startWranglerDev(options);
  }
}

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

test('wrangler dev in Chromium: the page from static assets (with _headers), the checkout paid by the verified callback, D1 migrated by wrangler, the Cron Trigger', { timeout: 150_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coinbar-wrangler-dev-'));
  const persist = join(dir, 'state');
  const hadDotWrangler = existsSync(DOT_WRANGLER);
  const cleanUp = () => {
    rmSync(dir, { recursive: true, force: true });
    if (!hadDotWrangler) rmSync(DOT_WRANGLER, { recursive: true, force: true });
  };
  atExit.add(cleanUp);
  let sb = null;
  let dev = null;
  let page = null;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Coinbar: the sandbox, its client's callback and return URLs on the wrangler dev server.
    sb = await startSandbox({
      clients: [{ ...CLIENT, callbackUrl: `${url}/api/coinbar/callback`, webCallbackUrl: `${url}/result.html` }],
      callbackRetry: { attempts: 6, baseDelayMs: 50, timeoutMs: 3000 },
    });

    // D1: the ledger's migration + the shop's tables, applied by wrangler into the temporary state.
    const { stdout: applied } = await promisify(execFile)(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist, '-c', CONFIG], {
      cwd: root,
      env: wranglerEnv(dir),
      timeout: 60_000,
    });
    assert.match(applied, /0001_coinbar_ledger\.sql/);
    assert.match(applied, /0002_shop\.sql/);

    // The secrets as `wrangler secret put` would hold them: an env file outside the repository
    // (with --env-file, wrangler reads no www/app/.dev.vars or .env); the rest as --var.
    const envFile = join(dir, 'secrets.env');
    writeFileSync(envFile, [`COINBAR_SERVICE_CLIENT_ID=${CLIENT.id}`, `COINBAR_SECRET_KEY=${CLIENT.secret}`, `COINBAR_BASE_URL=${sb.baseUrl}`, ''].join('\n'));
    const vars = { PUBLIC_ORIGIN: url, COINBAR_SANDBOX_CONTROL_URL: sb.url, RECONCILE_AFTER_SECONDS: '0' };
    dev = await startWranglerDevOnce({ port, persist, envFile, vars, dir });
    assert.match(dev.output(), /env\.DB \(coinbar-demo\)\s+D1 Database\s+local/);
    assert.match(dev.output(), /env\.COINBAR_SECRET_KEY \("\(hidden\)"\)/, 'the secret came from the env file');
    assert.match(dev.output(), /\[custom build\] demo assets: \d+ files/, 'the [build] step assembled the page');

    // The page is wrangler's static asset (the worker answers 404 to /), with the _headers rules.
    const home = await fetch(`${url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type'), /^text\/html/);
    assert.match(await home.text(), /<script type="importmap">/);
    const headers = readFileSync(join(root, 'out/demo-assets/_headers'), 'utf8');
    const csp = headers.match(/^\/\n {2}content-security-policy: (.+)$/m)[1];
    assert.equal(home.headers.get('content-security-policy'), csp, 'the CSP of _headers for /');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(home.headers.get('x-frame-options'), 'DENY');
    assert.equal(home.headers.get('x-content-type-options'), 'nosniff');
    const wasm = await fetch(`${url}/pkg/dist/browser/coinbar_pay.js`);
    assert.equal(wasm.status, 200, 'the browser build is an asset');
    const config = await (await fetch(`${url}/api/config`)).json();
    assert.equal(config.simulate, true, '/api/* reaches the worker');

    // Chromium through the checkout on wrangler's URL, the callback verified by the worker.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const orderId = await directCheckout(page, { url, sandbox: sb }, { screenshots: false });
    await shot(page, 'paid-wrangler-dev.png');
    assert.ok(
      await until(() => /POST \/api\/coinbar\/callback 200/.test(dev.output()) && dev.output().includes('mail to jane@example.com'), 10_000),
      `the callback answered 200 and the "order paid" e-mail went out (drained after it):\n${dev.output()}`,
    );

    // The Cron Trigger: a paid order whose callback is lost is reconciled by scheduled().
    sb.configure({ clients: [{ id: CLIENT.id, callbackUrl: null }] });
    const { status, body } = await checkout(url, { ...CART, customer: { email: 'sam@example.com' } });
    assert.equal(status, 201, JSON.stringify(body));
    assert.equal((await fetch(`${sb.url}/__sandbox/payments/${encodeURIComponent(body.payment_request_id)}/pay`, { method: 'POST' })).status, 200);
    assert.equal((await getOrder(url, body.id)).is_paid, false, 'no callback: not paid yet');
    const cron = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('* * * * *')}`);
    assert.equal(cron.status, 200);
    assert.equal(await cron.text(), 'Ran scheduled event');
    const reconciled = await getOrder(url, body.id);
    assert.equal(reconciled.is_paid, true, 'paid by the scheduled reconciliation');
    assert.equal(reconciled.status_source, 'reconcile');
    assert.equal((await getOrder(url, orderId)).paid_via_callback, true);
    assert.ok(
      await until(() => /scheduled \{"reconciled":\{[^\n]*"checked":1/.test(dev.output()) && dev.output().includes('mail to sam@example.com'), 10_000),
      `scheduled() reconciled and drained the outbox:\n${dev.output()}`,
    );
    assert.doesNotMatch(dev.output(), REMOTE, 'wrangler reached for nothing remote');
    assert.doesNotMatch(dev.output(), /\bERROR\b|Uncaught/, 'no worker error');
  } finally {
    await page?.close();
    await dev?.stop();
    await sb?.close();
    atExit.delete(cleanUp);
    cleanUp();
  }
  assert.equal(dev.groupAlive(), false, 'wrangler and its workerd processes are gone');
});
