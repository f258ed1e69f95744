// The merchant's edge function: a standard fetch handler (Cloudflare Workers, workerd, or
// Node through www/serve.js). It holds the CoinbarPay secret (from `env`) and is the only
// place that talks to Coinbar. Routes:
//   GET  /api/config                 what the page needs to know (currency, sandbox?)
//   GET  /api/products               the catalogue
//   GET  /api/quotes?fiat=EUR        live informative rates
//   POST /api/checkout               validate the cart, create the payment, store the order
//   GET  /api/orders/:id[?refresh=1] order state, refreshed with paymentStatus when asked
//   POST /api/orders/:id/simulate    local sandbox only: settle the payment
//   POST /api/coinbar/callback       Coinbar's signed backend callback (verified, idempotent)
import { CoinbarPay, CoinbarError, validateInitiate, validateRequest, cartTotal, statusInfo } from 'coinbar-pay';
import { CATALOG, CURRENCY, findProduct } from './catalog.js';
import { OrderStore } from './orders.js';

const orders = new OrderStore();
// One CoinbarPay per environment (in practice one per isolate): the key state is prepared
// once, not on every request.
const clients = new WeakMap();
function coinbar(env) {
  let c = clients.get(env);
  if (!c) clients.set(env, (c = CoinbarPay.fromEnv(env)));
  return c;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
const problem = (status, error, extra = {}) => json({ error, ...extra }, status);
const paymentWindowMs = (env) => Number(env.PAYMENT_WINDOW_MINUTES || 15) * 60_000;

function newOrderId() {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `order-${Date.now().toString(36)}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The payment input for a cart, priced from the catalogue. */
function paymentInput(body, id) {
  const items = Array.isArray(body?.items) ? body.items : [];
  const products = [];
  const unknown = [];
  for (const [i, item] of items.entries()) {
    const p = findProduct(item?.product_id);
    if (!p) unknown.push({ field: `items[${i}].product_id`, message: 'is not a product of this shop' });
    else products.push({ product_name: p.name, product_price: p.price, product_amount: item.quantity, product_id: p.id, product_type: p.type });
  }
  const c = body?.customer ?? {};
  const input = {
    payment_request_id: id,
    input_coin: CURRENCY,
    products,
    email: c.email,
    ...(c.name ? { name: c.name } : {}),
    ...(c.surname ? { surname: c.surname } : {}),
    user_id: c.email ? `customer:${c.email}` : undefined,
  };
  if (body?.mode === 'gateway') input.urlcallback = body.return_url;
  else input.destination_coin = body?.coin;
  return { input, unknown };
}

async function checkout(request, env) {
  let body;
  try {
    body = await request.json();
  } catch {
    return problem(400, 'body must be JSON');
  }
  const id = newOrderId();
  const { input, unknown } = paymentInput({ ...body, return_url: `${new URL(request.url).origin}/result.html` }, id);
  const gateway = body?.mode === 'gateway';
  // The same rules as the page (one Rust source); request payments have no coin yet.
  const errors = [...unknown, ...(gateway ? validateRequest(input) : validateInitiate(input))];
  if (errors.length) return problem(422, 'invalid checkout', { errors });
  const cbpay = coinbar(env);
  const now = Date.now();
  const base = {
    id,
    mode: gateway ? 'gateway' : 'direct',
    status: 'CREATED',
    status_descr: null,
    status_source: 'initiate',
    currency: CURRENCY,
    total: cartTotal(input.products),
    items: input.products.map((p) => ({ product_id: p.product_id, name: p.product_name, price: p.product_price, quantity: Number(p.product_amount) })),
    email: input.email,
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
    expires_at: new Date(now + paymentWindowMs(env)).toISOString(),
    callbacks_received: 0,
    paid_via_callback: false,
  };
  try {
    if (gateway) {
      const r = await cbpay.requestPayment(input);
      return json(orders.create({ ...base, gateway_url: r.gateway_url, payment_id_coinbar: r.payment_id_coinbar }), 201);
    }
    const p = await cbpay.initiate(input);
    return json(
      orders.create({
        ...base,
        payment_id_coinbar: p.payment_id_coinbar,
        coin: input.destination_coin,
        trade_pair: p.trade_pair,
        amount: p.destination_amount,
        rate: p.destination_coin_change,
        address: p.destination_address,
        memo: p.destination_memo || null,
        payment_string: p.payment_string,
        total: p.payment_total_price,
      }),
      201,
    );
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'validation') return problem(422, 'invalid checkout', { errors: e.errors });
    const status = e instanceof CoinbarError && e.code === 'timeout' ? 504 : 502;
    return problem(status, `Coinbar could not create the payment (${e.code ?? 'error'}): ${e.message}`);
  }
}

async function order(id, url, env) {
  const found = orders.get(id);
  if (!found) return problem(404, 'no such order');
  if (url.searchParams.get('refresh') === '1' && !statusInfo(found.status).is_final) {
    try {
      const s = await coinbar(env).paymentStatus(id);
      orders.applyStatus(id, statusInfo(s.status), 'status');
      if (s.status_descr) found.status_descr = s.status_descr;
    } catch (e) {
      // Keep the last known state; the page keeps polling.
      found.refresh_error = e.message;
    }
  }
  return json(found);
}

async function callback(request, env) {
  const raw = new Uint8Array(await request.arrayBuffer());
  try {
    const { outcome, status } = await coinbar(env).handleCallback(raw, request.headers, {
      store: orders.callbackStore,
      handler: (event) => {
        const found = orders.get(event.payment_request_id_client);
        // Not known (yet): fail, so the event stays unprocessed and Coinbar delivers it again.
        if (!found) throw new Error(`unknown order ${event.payment_request_id_client}`);
        found.callbacks_received += 1;
        orders.applyStatus(found.id, statusInfo(event.status), 'callback');
        if (event.is_paid) found.paid_via_callback = true;
      },
    });
    return json({ received: true, outcome }, status);
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return problem(401, 'callback signature invalid');
    if (e instanceof CoinbarError) return problem(400, `callback not understood: ${e.message}`);
    return problem(503, `callback not processed, deliver again: ${e.message}`);
  }
}

async function simulate(id, env) {
  const control = env.COINBAR_SANDBOX_CONTROL_URL;
  if (!control) return problem(404, 'simulation is only available with the local sandbox');
  if (!orders.get(id)) return problem(404, 'no such order');
  const r = await fetch(`${control}/__sandbox/payments/${encodeURIComponent(id)}/pay`, { method: 'POST' });
  return json({ simulated: r.ok, sandbox_status: r.status }, r.ok ? 200 : 502);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const { pathname } = url;
    const method = request.method;
    try {
      if (method === 'GET' && pathname === '/api/config') {
        return json({ currency: CURRENCY, simulate: Boolean(env.COINBAR_SANDBOX_CONTROL_URL), environment: env.COINBAR_SANDBOX_CONTROL_URL ? 'local sandbox' : env.COINBAR_ENV || 'coinbar' });
      }
      if (method === 'GET' && pathname === '/api/products') return json(CATALOG);
      if (method === 'GET' && pathname === '/api/quotes') {
        const quotes = await coinbar(env).quotes(url.searchParams.get('fiat') || CURRENCY);
        return json(quotes);
      }
      if (method === 'POST' && pathname === '/api/checkout') return await checkout(request, env);
      if (method === 'POST' && pathname === '/api/coinbar/callback') return await callback(request, env);
      const m = pathname.match(/^\/api\/orders\/([A-Za-z0-9._:-]{1,100})(\/simulate)?$/);
      if (m && method === 'GET' && !m[2]) return await order(m[1], url, env);
      if (m && method === 'POST' && m[2]) return await simulate(m[1], env);
      return problem(404, 'not found');
    } catch (e) {
      return problem(e instanceof CoinbarError && e.code === 'config' ? 500 : 502, e.message);
    }
  },
};
