// End to end in a real browser (Debian Chromium driven by playwright-core): the demo shop
// against the local sandbox — cart, exact total, coin estimate, field error, payment with a
// scannable QR, simulated payment, paid through the verified callback; the hosted-gateway
// flow; phone width and keyboard; and the same checkout on each backend of the demo: Node +
// SQLite, Node + PostgreSQL (a throwaway cluster, tests/lib/postgres.mjs), workerd + D1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { cartTotal, convertAmount } from 'coinbar-pay';
import { startDemo } from '../../www/serve.js';
import { startWorker } from './workerd.js';

async function until(fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHOTS = new URL('../../out/screenshots/', import.meta.url);
mkdirSync(SHOTS, { recursive: true });
const shot = (page, name, opts = {}) => page.screenshot({ path: new URL(name, SHOTS).pathname, fullPage: true, ...opts });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

/** Decode the QR code shown on the page. */
async function readQr(page) {
  const png = PNG.sync.read(await page.locator('#qr').screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(code, 'the QR code decodes');
  return code.data;
}

async function directCheckout(page, demo, { screenshots }) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // The page runs under its CSP: a blocked script, style or wasm compile shows up here.
  page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && errors.push(m.text()));
  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready="true"]');
  // Add products: 2 × Ethiopia beans, 1 × espresso cups.
  await page.getByRole('button', { name: 'One more Ethiopia Yirgacheffe beans, 250 g' }).click();
  await page.getByRole('button', { name: 'One more Ethiopia Yirgacheffe beans, 250 g' }).click();
  await page.getByRole('button', { name: 'One more Espresso cups, set of 2' }).click();
  const expected = cartTotal([
    { product_name: 'a', product_price: '12.90', product_amount: 2, product_id: 'a', product_type: 'g' },
    { product_name: 'b', product_price: '19.99', product_amount: 1, product_id: 'b', product_type: 'g' },
  ]);
  assert.equal(expected, '45.79');
  assert.equal(await page.textContent('#cart-total'), '€45.79', 'exact total shown');
  // Pick a coin: the estimate is the exact conversion at the live quote.
  await page.selectOption('#coin', 'ETH');
  const quotes = await (await fetch(`${demo.url}/api/quotes`)).json();
  const eth = quotes.find((q) => q.code === 'ETH');
  assert.equal(await page.textContent('#coin-estimate'), `≈ ${convertAmount(expected, eth.conversion_rate, 8)} ETH`);
  if (screenshots) await shot(page, 'cart.png');
  // An invalid e-mail is caught in the page, next to the field, before anything is sent.
  await page.fill('#email', 'jane@');
  await page.click('#pay');
  const emailError = await page.textContent('#email-error');
  assert.match(emailError, /e-mail address/);
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  assert.equal(demo.sandbox.payments.list().length, 0, 'no payment was created');
  // Fix it and pay.
  await page.fill('#email', 'jane@example.com');
  await page.fill('#name', 'Jane');
  await page.click('#pay');
  await page.waitForSelector('#payment:not([hidden])');
  assert.equal(await page.textContent('#email-error'), '');
  const orderId = await page.textContent('#pay-order');
  const order = await (await fetch(`${demo.url}/api/orders/${orderId}`)).json();
  const record = demo.sandbox.payments.get(order.payment_request_id);
  assert.equal(await page.textContent('#pay-amount'), order.amount);
  assert.equal(order.amount, String(record.status.payment_detail.destination_amount), 'amount as Coinbar computed it, every digit');
  assert.equal(await page.textContent('#pay-coin'), 'ETH');
  assert.equal(await page.textContent('#pay-address'), order.address);
  assert.equal(await readQr(page), order.payment_string, 'the QR encodes the payment string');
  assert.equal(await page.getAttribute('#wallet-link', 'href'), order.wallet_link, 'the wallet link is the allowed coin URI');
  assert.match(order.wallet_link, /^ethereum:/);
  assert.match(await page.textContent('#countdown'), /^1[45]:\d\d$/);
  assert.equal(await page.textContent('#status'), 'Waiting for payment');
  // Simulate the payment in the sandbox: status turns to paid, confirmed by the callback.
  await page.click('#simulate');
  await page.waitForSelector('#status[data-status="SUCCESS"]');
  await page.waitForSelector('#confirmation[data-callback="true"]', { timeout: 10000 });
  const paid = await (await fetch(`${demo.url}/api/orders/${orderId}`)).json();
  assert.equal(paid.status, 'SUCCESS');
  assert.equal(paid.paid_via_callback, true, 'order marked paid through the verified callback');
  assert.equal(paid.status_source, 'callback');
  assert.equal(paid.is_paid, true);
  const deliveries = demo.sandbox.callbacks.list().filter((d) => JSON.stringify(d).includes(orderId));
  assert.ok(deliveries.length >= 1);
  if (screenshots) await shot(page, 'paid.png');
  assert.deepEqual(errors, [], 'no page errors');
  return orderId;
}

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
