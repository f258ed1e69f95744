// End to end in a real browser (Debian Chromium driven by playwright-core): the demo shop
// against the local sandbox — cart, exact total, coin estimate, field error, payment with a
// scannable QR, simulated payment, paid through the verified callback; the hosted-gateway
// flow; phone width and keyboard; and the same checkout on each backend of the demo: Node +
// SQLite, Node + PostgreSQL (a throwaway cluster, tests/lib/postgres.mjs), workerd + D1.
// (The whole demo under `wrangler dev`: wrangler-dev.test.js.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from '../../www/serve.js';
import { startWorker } from './workerd.js';
import { directCheckout, launchChromium, shot, until } from './shop.js';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

// Node + SQLite: each test on its own database file.
const demoOptions = () => ({
  port: 0,
  sandboxPort: 0,
  env: {},
  db: join(mkdtempSync(join(tmpdir(), 'coinbar-e2e-')), 'demo.sqlite'),
  sandboxOptions: { callbackRetry: { attempts: 6, baseDelayMs: 50, timeoutMs: 3000 } },
});

test('direct checkout in Chromium, edge function in Node + SQLite', async () => {
  const demo = await startDemo(demoOptions());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await directCheckout(page, demo, { screenshots: true });
  } finally {
    await page.close();
    await demo.close();
  }
});

test('direct checkout in Chromium, edge function in Node + PostgreSQL', async () => {
  const { startPostgresCluster } = await import('../lib/postgres.mjs');
  const pg = await startPostgresCluster();
  const demo = await startDemo({ ...demoOptions(), db: pg.url });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    assert.equal(demo.database.kind, 'postgres');
    const orderId = await directCheckout(page, demo, { screenshots: false });
    await shot(page, 'paid-postgres.png');
    const outbox = await until(async () => {
      const rows = await demo.store.all('SELECT state FROM coinbar_outbox WHERE order_id = ?', [orderId]);
      return rows[0]?.state === 'sent' && rows;
    });
    assert.deepEqual(outbox, [{ state: 'sent' }], 'the "order paid" e-mail went out through the ledger\'s outbox');
  } finally {
    await page.close();
    await demo.close();
    pg.stop();
  }
});

test('hosted gateway flow: Pay on Coinbar, pay on the gateway page, result page shows paid', async () => {
  const demo = await startDemo(demoOptions());
  const page = await browser.newPage();
  const log = [];
  page.on('framenavigated', (f) => log.push(`nav ${f.url()}`));
  page.on('console', (m) => log.push(`console ${m.text()}`));
  page.on('pageerror', (e) => log.push(`error ${e.message}`));
  try {
    await page.goto(demo.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByRole('button', { name: 'One more Gift card' }).click();
    await page.fill('#email', 'sam@example.com');
    await Promise.all([page.waitForURL(/\/paymentgateway\/pay\?requestToken=/), page.click('#pay-gateway')]).catch((e) => {
      throw new Error(`${e.message}\n${log.join('\n')}`);
    });
    const gateway = new URL(page.url());
    assert.equal(gateway.origin, demo.sandbox.url);
    assert.match(gateway.searchParams.get('requestToken'), /[+/=]/, 'the token survived URL encoding');
    await page.check('input[name="coin"][value="USDT"]');
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/result\.html\?/);
    await page.waitForSelector('#status[data-status="SUCCESS"]', { timeout: 10000 });
    assert.match(await page.textContent('#result-title'), /payment received/);
    await shot(page, 'gateway-result.png');
  } finally {
    await page.close();
    await demo.close();
  }
});

test('phone width and keyboard', async () => {
  const demo = await startDemo(demoOptions());
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    await page.goto(demo.url);
    await page.waitForSelector('body[data-ready="true"]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at phone width (${overflow}px)`);
    // Keyboard only: focus the first "+" and press Enter and Space.
    await page.getByRole('button', { name: 'One more Ethiopia Yirgacheffe beans, 250 g' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    assert.equal(await page.textContent('#cart-total'), '€25.80');
    // Tab reaches the e-mail field and the pay button; Enter in the form submits it.
    await page.focus('#email');
    await page.keyboard.type('not-an-email');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#email-error'), /e-mail address/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'email', 'focus moves to the invalid field');
    await shot(page, 'phone.png');
  } finally {
    await page.close();
    await demo.close();
  }
});

test('the same checkout with the edge function running in workerd + D1', async () => {
  // Sandbox and pages from Node; every /api/* request (the page's and Coinbar's callback)
  // is answered by www/app/worker.js running in workerd.
  const demo = await startDemo({ ...demoOptions(), apiOrigin: 'http://127.0.0.1:9' });
  const worker = await startWorker({ ...demo.handlerEnv });
  demo.setApiOrigin(worker.url);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const config = await (await fetch(`${worker.url}/api/config`)).json();
    assert.equal(config.simulate, true, 'the worker answers directly over 127.0.0.1');
    await directCheckout(page, demo, { screenshots: false });
    await shot(page, 'paid-workerd.png');
  } finally {
    await page.close();
    await worker.dispose();
    await demo.close();
  }
});
