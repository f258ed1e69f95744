// The shop page. Totals, conversions and form checks use the coinbar-pay browser build:
// the same Rust rules the server applies, and no secret anywhere in the page.
import { init, cartTotal, validateInitiate, convertAmount, statusInfo } from 'coinbar-pay';
import { renderSVG } from 'uqr';

const $ = (id) => document.getElementById(id);
const state = { products: [], quantities: new Map(), quotes: [], config: {}, order: null, poll: null, tick: null };

/** An exact decimal string as euros, at least two decimals, never through a float. */
export function euro(amount) {
  const [int, frac = ''] = String(amount).split('.');
  return `€${int}.${frac.padEnd(2, '0')}`;
}

async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.error || `HTTP ${res.status}`), { status: res.status, body });
  return body;
}

// ---------- cart ----------

function cartLines() {
  return state.products
    .filter((p) => (state.quantities.get(p.id) ?? 0) > 0)
    .map((p) => ({ product_name: p.name, product_price: p.price, product_amount: state.quantities.get(p.id), product_id: p.id, product_type: p.type }));
}

function setQuantity(id, q) {
  const n = Math.max(0, Math.min(99, Number.isFinite(q) ? Math.trunc(q) : 0));
  state.quantities.set(id, n);
  const input = document.querySelector(`input[data-qty="${id}"]`);
  if (input && Number(input.value) !== n) input.value = String(n);
  renderCart();
}

function renderProducts() {
  const list = $('products');
  list.replaceChildren(
    ...state.products.map((p) => {
      const li = document.createElement('li');
      li.className = 'product';
      li.innerHTML = `
        <div class="thumb" aria-hidden="true"></div>
        <div class="info"><h3></h3><p class="price"></p></div>
        <div class="stepper" role="group">
          <button type="button" class="step" data-dec aria-label="">−</button>
          <input type="number" min="0" max="99" value="0" inputmode="numeric" data-qty="${p.id}" aria-label="">
          <button type="button" class="step" data-inc aria-label="">+</button>
        </div>`;
      // Set through the CSSOM and textContent, not markup: the page's CSP allows no inline styles.
      li.querySelector('.thumb').style.background = p.tone;
      li.querySelector('.thumb').textContent = p.emoji;
      li.querySelector('h3').textContent = p.name;
      li.querySelector('.price').textContent = euro(p.price);
      li.querySelector('[role=group]').setAttribute('aria-label', `Quantity of ${p.name}`);
      li.querySelector('[data-dec]').setAttribute('aria-label', `One less ${p.name}`);
      li.querySelector('[data-inc]').setAttribute('aria-label', `One more ${p.name}`);
      li.querySelector('input').setAttribute('aria-label', `Quantity of ${p.name}`);
      li.querySelector('[data-dec]').addEventListener('click', () => setQuantity(p.id, (state.quantities.get(p.id) ?? 0) - 1));
      li.querySelector('[data-inc]').addEventListener('click', () => setQuantity(p.id, (state.quantities.get(p.id) ?? 0) + 1));
      li.querySelector('input').addEventListener('input', (e) => setQuantity(p.id, Number(e.target.value)));
      return li;
    }),
  );
}

function renderCart() {
  const lines = cartLines();
  $('cart-lines').replaceChildren(
    ...lines.map((l) => {
      const li = document.createElement('li');
      li.innerHTML = '<span class="qty"></span><span class="name"></span><span class="line-total"></span>';
      li.querySelector('.qty').textContent = `${l.product_amount} ×`;
      li.querySelector('.name').textContent = l.product_name;
      li.querySelector('.line-total').textContent = euro(cartTotal([l]));
      return li;
    }),
  );
  $('cart-empty').hidden = lines.length > 0;
  const total = lines.length ? cartTotal(lines) : '0';
  $('cart-total').textContent = euro(total);
  $('cart-total').dataset.total = total;
  renderEstimate();
}

function renderEstimate() {
  const coin = $('coin').value;
  const quote = state.quotes.find((q) => q.code === coin);
  const total = $('cart-total').dataset.total;
  $('coin-estimate').textContent = quote && total !== '0' ? `≈ ${convertAmount(total, quote.conversion_rate, 8)} ${coin}` : '';
}

// ---------- checkout ----------

const FIELDS = ['email', 'name', 'surname'];

function showErrors(errors) {
  for (const f of FIELDS) {
    $(`${f}-error`).textContent = '';
    $(f).removeAttribute('aria-invalid');
  }
  $('form-error').textContent = '';
  for (const e of errors) {
    const field = FIELDS.find((f) => e.field === f);
    if (field) {
      $(`${field}-error`).textContent = `${capitalize(field === 'email' ? 'e-mail' : field)} ${e.message}.`;
      $(field).setAttribute('aria-invalid', 'true');
    } else if (/^(products|items)/.test(e.field)) {
      $('form-error').textContent = e.message === 'must hold at least one product line' ? 'Add something to your cart first.' : `${e.field}: ${e.message}`;
    } else if (e.field !== 'user_id') {
      $('form-error').textContent = `${e.field}: ${e.message}`;
    }
  }
  const first = FIELDS.find((f) => $(f).getAttribute('aria-invalid'));
  if (first) $(first).focus();
}
const capitalize = (s) => s[0].toUpperCase() + s.slice(1);

function customer() {
  const c = { email: $('email').value.trim() };
  for (const f of ['name', 'surname']) if ($(f).value.trim()) c[f] = $(f).value.trim();
  return c;
}

/** Check the form with the SDK's own rules before anything leaves the page. */
function localErrors() {
  const preview = { payment_request_id: 'preview', input_coin: state.config.currency || 'EUR', products: cartLines(), ...customer(), user_id: 'preview', destination_coin: $('coin').value || 'BTC' };
  if (!preview.email) delete preview.email;
  return validateInitiate(preview);
}

async function checkout(mode) {
  const errors = localErrors();
  showErrors(errors);
  if (errors.length) return;
  const buttons = [$('pay'), $('pay-gateway')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const order = await api('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: cartLines().map((l) => ({ product_id: l.product_id, quantity: l.product_amount })), customer: customer(), coin: $('coin').value, mode }),
    });
    if (mode === 'gateway') {
      location.assign(order.gateway_url);
      return;
    }
    showPayment(order);
  } catch (e) {
    if (e.body?.errors) showErrors(e.body.errors);
    else $('form-error').textContent = e.message;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

// ---------- payment ----------

function showPayment(order) {
  state.order = order;
  $('pay-amount').textContent = order.amount;
  $('pay-coin').textContent = order.coin;
  $('pay-total').textContent = euro(order.total);
  $('pay-order').textContent = order.id;
  $('pay-address').textContent = order.address;
  $('memo-label').hidden = $('memo-row').hidden = !order.memo;
  $('pay-memo').textContent = order.memo ?? '';
  $('qr').innerHTML = renderSVG(order.payment_string, { border: 2 });
  // Only a coin URI the server allowed (bitcoin:, ethereum:, xrp:, xdb:) becomes a link.
  if (order.wallet_link) $('wallet-link').href = order.wallet_link;
  else $('wallet-link').removeAttribute('href');
  $('wallet-link').hidden = !order.wallet_link;
  $('simulate').hidden = !state.config.simulate;
  $('payment').hidden = false;
  $('payment').scrollIntoView({ behavior: 'smooth' });
  $('payment').focus();
  clearInterval(state.tick);
  state.tick = setInterval(renderCountdown, 1000);
  renderCountdown();
  renderStatus(order);
  clearInterval(state.poll);
  state.poll = setInterval(refreshOrder, 1500);
}

function renderCountdown() {
  const left = Math.max(0, Date.parse(state.order.expires_at) - Date.now());
  const m = Math.floor(left / 60000);
  const s = Math.floor((left % 60000) / 1000);
  $('countdown').textContent = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (left === 0) clearInterval(state.tick);
}

const LABELS = { CREATED: 'Waiting for payment', PENDING: 'Payment seen, waiting for confirmation', SUCCESS: 'Paid', FAILED: 'Expired', CANCELED: 'Canceled' };

function renderStatus(order) {
  const info = statusInfo(order.status);
  const label = order.status === 'FAILED' && order.status_descr && order.status_descr !== 'Timeout' ? `Failed: ${order.status_descr}` : (LABELS[info.status] ?? info.status);
  const el = $('status');
  el.textContent = label;
  el.dataset.status = info.status;
  if (info.is_final) {
    clearInterval(state.tick);
    $('simulate').hidden = true;
    const c = $('confirmation');
    c.hidden = false;
    c.dataset.callback = String(order.paid_via_callback);
    c.textContent = info.is_paid
      ? order.paid_via_callback
        ? 'Thank you! Coinbar confirmed the payment with a signed callback; your order is on its way.'
        : 'Thank you! Payment confirmed; waiting for Coinbar’s signed callback…'
      : 'This payment did not complete. You can start a new checkout.';
  }
}

async function refreshOrder() {
  const order = state.order;
  try {
    const fresh = await api(`/api/orders/${encodeURIComponent(order.id)}?refresh=1`);
    state.order = { ...order, ...fresh };
    renderStatus(state.order);
    const info = statusInfo(fresh.status);
    if (info.is_final && (!info.is_paid || fresh.paid_via_callback)) clearInterval(state.poll);
  } catch {
    /* keep polling */
  }
}

// ---------- start ----------

async function start() {
  // The browser build compiles its WebAssembly module asynchronously: once, before any call.
  const [config] = await Promise.all([api('/api/config'), init()]);
  state.config = config;
  if (state.config.simulate) {
    $('env-badge').textContent = 'Local sandbox';
    $('env-badge').hidden = false;
  }
  state.products = await api('/api/products');
  renderProducts();
  renderCart();
  try {
    state.quotes = await api(`/api/quotes?fiat=${state.config.currency || 'EUR'}`);
  } catch (e) {
    $('form-error').textContent = `Live rates unavailable: ${e.message}`;
  }
  $('coin').replaceChildren(
    ...state.quotes.map((q) => {
      const o = document.createElement('option');
      o.value = q.code;
      o.textContent = `${q.name} (${q.code})`;
      return o;
    }),
  );
  renderEstimate();
  $('coin').addEventListener('change', renderEstimate);
  $('checkout').addEventListener('submit', (e) => {
    e.preventDefault();
    checkout('direct');
  });
  $('pay-gateway').addEventListener('click', () => checkout('gateway'));
  $('simulate').addEventListener('click', async () => {
    $('simulate').disabled = true;
    await api(`/api/orders/${encodeURIComponent(state.order.id)}/simulate`, { method: 'POST' }).catch((e) => ($('form-error').textContent = e.message));
    $('simulate').disabled = false;
  });
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.addEventListener('click', () => navigator.clipboard?.writeText($(b.dataset.copy).textContent));
  }
  document.body.dataset.ready = 'true';
}

start().catch((e) => {
  $('products').innerHTML = '';
  $('form-error').textContent = `The shop could not start: ${e.message}`;
});
