// The hosted payment gateway page (what the customer sees after the merchant redirects to
// /paymentgateway/pay?requestToken=…&serviceClientId=…&timestamp=…). Plain HTML forms, no
// script, every interpolated value escaped.

import { COINS, convert, rateText } from './coins.js';
import { formatDecimal, mul, decimalFromNumber } from './decimal.js';
import { isFinal } from './store.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

const STYLE = `
  :root { color-scheme: light; --ink: #1d2433; --muted: #4f5b70; --line: #d8dde6; --brand: #0b57d0; --bg: #f4f6fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border: 1px solid var(--line); border-radius: 12px; }
  header p { margin: 0; color: var(--muted); }
  h1 { font-size: 1.4rem; margin: .25rem 0 1rem; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; background: #fff4ce; color: #5c4400; font-size: .8rem; font-weight: 600; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
  th, td { padding: .4rem .25rem; border-bottom: 1px solid var(--line); text-align: left; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tfoot th, tfoot td { font-weight: 700; border-bottom: 0; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, monospace; }
  fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; }
  legend { font-weight: 600; padding: 0 .25rem; }
  label { display: flex; gap: .5rem; align-items: baseline; padding: .3rem 0; cursor: pointer; }
  .actions { display: flex; gap: .75rem; margin-top: 1.25rem; }
  button { font: inherit; padding: .6rem 1.4rem; border-radius: 8px; border: 2px solid var(--brand); cursor: pointer; }
  button.primary { background: var(--brand); color: #fff; }
  button.secondary { background: #fff; color: var(--brand); }
  button:focus-visible, input:focus-visible { outline: 3px solid #f29900; outline-offset: 2px; }
  .status { font-size: 1.2rem; font-weight: 700; }
  .muted { color: var(--muted); }
  footer { margin-top: 1.5rem; color: var(--muted); font-size: .85rem; }
`;

function layout(title, content) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · CoinbarPay sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><p>CoinbarPay <span class="badge">SANDBOX</span></p></header>
${content}
<footer>Local sandbox: no real funds move. Buttons settle the payment immediately.</footer>
</main>
</body>
</html>
`;
}

function productsTable(p) {
  const rows = p.products
    .map((line) => {
      const lineTotal = formatDecimal(mul(decimalFromNumber(line.product_price), decimalFromNumber(line.product_amount)));
      return `<tr><td>${escapeHtml(line.product_name)}</td><td class="num">${escapeHtml(line.product_amount)}</td><td class="num">${escapeHtml(String(line.product_price))}</td><td class="num">${escapeHtml(lineTotal)}</td></tr>`;
    })
    .join('\n');
  return `<table>
<caption>Order ${escapeHtml(p.paymentRequestId)}</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Price</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="3">Total (${escapeHtml(p.inputCoin)})</th><td class="num" data-total>${escapeHtml(formatDecimal(p.total))}</td></tr></tfoot>
</table>`;
}

function coinDetails(p) {
  return `<dl>
<dt>Pay with</dt><dd>${escapeHtml(p.coin)}</dd>
<dt>Amount</dt><dd data-amount>${escapeHtml(formatDecimal(p.amount))} ${escapeHtml(p.coin)}</dd>
<dt>Rate</dt><dd>1 ${escapeHtml(p.coin)} = ${escapeHtml(p.rate)} ${escapeHtml(p.inputCoin)}</dd>
<dt>Address</dt><dd>${escapeHtml(p.address)}</dd>
${p.memo ? `<dt>Memo / tag</dt><dd>${escapeHtml(p.memo)}</dd>` : ''}
<dt>Payment URI</dt><dd>${escapeHtml(p.paymentString)}</dd>
</dl>`;
}

function coinPicker(p) {
  const options = COINS.map((c, i) => {
    const amount = formatDecimal(convert(p.total, c.code, p.inputCoin));
    const id = `coin-${c.code.toLowerCase()}`;
    return `<label for="${id}"><input type="radio" id="${id}" name="coin" value="${escapeHtml(c.code)}"${i === 0 ? ' required' : ''}> ${escapeHtml(c.name)} (${escapeHtml(c.code)}): ${escapeHtml(amount)} <span class="muted">at ${escapeHtml(rateText(c.code, p.inputCoin))} ${escapeHtml(p.inputCoin)}</span></label>`;
  }).join('\n');
  return `<fieldset>
<legend>Choose the coin to pay with</legend>
${options}
</fieldset>`;
}

/**
 * The gateway page. `actionUrl` is where the Pay / Cancel form posts; hidden inputs carry the
 * token and client id back.
 */
export function renderPaymentPage(p, { actionUrl, timestamp }) {
  if (isFinal(p.status)) return renderResultPage(p);
  const picker = p.coin ? coinDetails(p) : coinPicker(p);
  return layout(
    `Pay order ${p.paymentRequestId}`,
    `<h1>Pay ${escapeHtml(formatDecimal(p.total))} ${escapeHtml(p.inputCoin)}</h1>
${productsTable(p)}
<form method="post" action="${escapeHtml(actionUrl)}">
<input type="hidden" name="requestToken" value="${escapeHtml(p.requestToken)}">
<input type="hidden" name="serviceClientId" value="${escapeHtml(p.clientId)}">
<input type="hidden" name="timestamp" value="${escapeHtml(timestamp)}">
${picker}
<p>Status: <span class="status" data-status>${escapeHtml(p.status)}</span></p>
<div class="actions">
<button type="submit" class="primary" name="action" value="pay">Pay</button>
<button type="submit" class="secondary" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}

/** Shown after Pay / Cancel when there is no web callback URL to redirect to. */
export function renderResultPage(p) {
  const text =
    {
      SUCCESS: 'Payment received. Thank you!',
      CANCELED: 'The payment was canceled.',
      FAILED: `The payment failed: ${p.statusDescr}.`,
    }[p.status] ?? `The payment is ${p.status}.`;
  return layout(
    `Payment ${p.status}`,
    `<h1>${escapeHtml(text)}</h1>
<p role="status">Status: <span class="status" data-status>${escapeHtml(p.status)}</span></p>
${productsTable(p)}
${p.coin ? coinDetails(p) : ''}`,
  );
}

export function renderErrorPage(title, message) {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}
