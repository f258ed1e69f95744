// Return page of the hosted-gateway flow. The redirect's ?status= is never trusted: the
// order's real status comes from our server, which asks Coinbar.
import { init, statusInfo } from 'coinbar-pay';

const params = new URLSearchParams(location.search);
const id = params.get('payment_id');
const $ = (x) => document.getElementById(x);
const TITLES = { SUCCESS: 'Thank you — payment received', CANCELED: 'Payment canceled', FAILED: 'Payment not completed', PENDING: 'Payment seen, confirming…', CREATED: 'Waiting for your payment…' };

async function check() {
  if (!id) {
    $('result-title').textContent = 'No payment to check';
    return true;
  }
  const res = await fetch(`/api/orders/${encodeURIComponent(id)}?refresh=1`);
  if (!res.ok) {
    $('result-title').textContent = 'Unknown order';
    return true;
  }
  const order = await res.json();
  const info = statusInfo(order.status);
  $('result-title').textContent = TITLES[info.status] ?? `Status: ${info.status}`;
  $('status').textContent = info.status;
  $('status').dataset.status = info.status;
  $('result-detail').textContent = `Order ${order.id} · total €${order.total}`;
  return info.is_final;
}

(async () => {
  await init(); // the browser build's WebAssembly module, compiled once
  while (!(await check().catch(() => false))) await new Promise((r) => setTimeout(r, 1500));
  document.body.dataset.ready = 'true';
})();
