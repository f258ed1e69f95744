// Shared by the Chromium end-to-end tests (checkout.test.js, wrangler-dev.test.js): the browser
// with the flags the e2e runs use, screenshots, the QR reader, and the direct checkout a test
// drives on whichever backend serves the shop.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { cartTotal, convertAmount } from 'coinbar-pay';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';

/** Poll `fn()` until it is truthy or `timeoutMs` has passed; resolves to its last value. */
export async function until(fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's Chromium (scripts/install-chromium.sh), headless, nothing fetched in the background. */
export const launchChromium = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });

const SHOTS = new URL('../../out/screenshots/', import.meta.url);
mkdirSync(SHOTS, { recursive: true });
export const shot = (page, name, opts = {}) => page.screenshot({ path: new URL(name, SHOTS).pathname, fullPage: true, ...opts });

/** Decode the QR code shown on the page. */
export async function readQr(page) {
  const png = PNG.sync.read(await page.locator('#qr').screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(code, 'the QR code decodes');
  return code.data;
}

/**
 * The direct checkout in the page at `demo.url` (the shop: pages and /api/*), against the sandbox
 * `demo.sandbox` (startSandbox's in-process API): cart, exact total, coin estimate, the e-mail
 * error, amount / address / QR / wallet link / countdown, Simulate payment, paid through the
 * verified callback, no page error (the page runs under its CSP). Resolves to the order id.
 */
export async function directCheckout(page, demo, { screenshots }) {
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
