// The merchant's edge function: a standard Workers module (`fetch` + `scheduled`) for
// Cloudflare Workers / workerd, and for Node through www/serve.js. It holds the CoinbarPay
// secret (from `env`), is the only place that talks to Coinbar, and keeps every order,
// callback and fulfilment in a real database through www/app/store.js:
//   env.DB     a Cloudflare D1 binding (wrangler.toml)             -> D1 driver
//   env.STORE  an executor given by the Node adapter (better-sqlite3) -> SQLite driver
// Routes:
//   GET  /api/config                 what the page needs to know (currency, sandbox?)
//   GET  /api/products               the catalogue
//   GET  /api/quotes?fiat=EUR|GBP    informative rates, cached (10 min) and within a daily share
//   POST /api/checkout               validate the cart, store the order, create the payment
//   GET  /api/orders/:id[?refresh=1] order state; refresh asks Coinbar (at most once per 30 s)
//   POST /api/orders/:id/simulate    local sandbox only: settle the payment
//   POST /api/coinbar/callback       Coinbar's signed callback (at-least-once, idempotent)
// scheduled(): reconciliation of open orders with paymentStatus (see reconcile()).
import { CoinbarPay, CoinbarError, validateInitiate, validateRequest, cartTotal, statusInfo } from 'coinbar-pay';
import { CATALOG, CURRENCY, findProduct } from './catalog.js';
import { Store, dailyBudget, orderView } from './store.js';
import { d1Executor } from './d1.js';

// ---- configuration ------------------------------------------------------------------------------

const num = (env, name, fallback) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);
const settings = (env) => ({
  paymentWindowMs: num(env, 'PAYMENT_WINDOW_MINUTES', 15) * 60_000,
  reconcileAfterMs: num(env, 'RECONCILE_AFTER_SECONDS', 180) * 1000,
  reconcilePerRun: num(env, 'RECONCILE_MAX_PER_RUN', 20),
  reconcileMaxBackoffMs: num(env, 'RECONCILE_MAX_BACKOFF_SECONDS', 3600) * 1000,
  refreshGapMs: num(env, 'REFRESH_MIN_INTERVAL_SECONDS', 30) * 1000,
  checkoutsPerMinute: num(env, 'CHECKOUT_PER_MINUTE', 10),
  quotesTtlMs: num(env, 'QUOTES_TTL_SECONDS', 600) * 1000,
  callbackLeaseMs: num(env, 'CALLBACK_LEASE_SECONDS', 60) * 1000,
});

/** Request body caps per route (bytes); every other route takes no body beyond 1 KiB. */
export const BODY_LIMITS = { '/api/checkout': 16 * 1024, '/api/coinbar/callback': 64 * 1024 };
const DEFAULT_BODY_LIMIT = 1024;

/** The coin URI schemes this shop's coins use (BTC, ETH and USDT on Ethereum, XRP, XDB). */
const WALLET_SCHEMES = /^(bitcoin|ethereum|xrp|xdb):[^\s"'<>]+$/i;
export const walletLink = (paymentString) => (typeof paymentString === 'string' && WALLET_SCHEMES.test(paymentString) ? paymentString : null);

// One CoinbarPay and one Store per environment (in practice one per isolate).
const perEnv = new WeakMap();
function ctxOf(env) {
  let c = perEnv.get(env);
  if (!c) {
    const db = env.DB ? d1Executor(env.DB) : env.STORE;
    if (!db) throw new CoinbarError('config', 'no database: bind a D1 database as DB (wrangler.toml) or give STORE (the Node adapter)');
    c = {
      store: new Store(db),
      cbpay: CoinbarPay.fromEnv(env),
      quotes: new Map(), // in-flight quote fetches, one per fiat
    };
    perEnv.set(env, c);
  }
  return c;
}

// ---- HTTP helpers ---------------------------------------------------------------------------

const API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};
const json = (body, status = 200, headers = {}) => new Response(JSON.stringify(body), { status, headers: { ...API_HEADERS, ...headers } });
const problem = (status, error, extra = {}, headers = {}) => json({ error, ...extra }, status, headers);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
class UnknownOrderError extends Error {}

/** Read at most `limit` bytes of the body: 413 before reading when Content-Length says more, or as soon as the stream passes it. */
async function readBody(request, limit) {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `request body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function readJson(request, limit) {
  const raw = await readBody(request, limit);
  try {
    return JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
}

/** 128 random bits: an order id is the bearer secret of GET /api/orders/:id. */
export function newOrderId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let b64 = btoa(String.fromCharCode(...bytes));
  b64 = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `order-${b64}`;
}

// ---- checkout -------------------------------------------------------------------------------

/** The payment input for a cart, priced from the catalogue. */
function paymentInput(body, id, returnUrl) {
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
  if (body?.mode === 'gateway') input.urlcallback = returnUrl;
  else input.destination_coin = body?.coin;
  return { input, unknown };
}

/** The shop's public origin (PUBLIC_ORIGIN), never the request's Host: it goes into signed URLs. */
function publicOrigin(env) {
  const o = env.PUBLIC_ORIGIN;
  if (!o) throw new CoinbarError('config', 'PUBLIC_ORIGIN: not set (the shop\'s public origin, e.g. https://shop.example, used for the gateway return URL)');
  const u = new URL(o);
  return u.origin;
}

async function checkout(request, env) {
  const { store, cbpay } = ctxOf(env);
  const cfg = settings(env);
  const address = request.headers.get('cf-connecting-ip') || 'unknown';
  if ((await store.hit(`checkout:${address}`)) > cfg.checkoutsPerMinute) {
    return problem(429, 'too many checkouts from this address, try again in a minute', {}, { 'retry-after': '60' });
  }
  const body = await readJson(request, BODY_LIMITS['/api/checkout']);
  const gateway = body?.mode === 'gateway';
  const id = newOrderId();
  const { input, unknown } = paymentInput(body, id, gateway ? `${publicOrigin(env)}/result.html` : undefined);
  // The same rules as the page (one Rust source); request payments have no coin yet.
  const errors = [...unknown, ...(gateway ? validateRequest(input) : validateInitiate(input))];
  if (errors.length) return problem(422, 'invalid checkout', { errors });
  if (!(await store.reserveCall('checkout', dailyBudget(env).checkout))) {
    return problem(503, 'the shop has reached its daily number of crypto payments, please come back tomorrow', {}, { 'retry-after': '3600' });
  }
  const now = Date.now();
  const items = input.products.map((p) => ({ product_id: p.product_id, name: p.product_name, price: p.product_price, quantity: Number(p.product_amount) }));
  // The order is written BEFORE Coinbar is asked: if we crash after Coinbar created the payment,
  // reconciliation finds the order and asks Coinbar; its callback finds the order too.
  await store.createOrder(
    { id, mode: gateway ? 'gateway' : 'direct', currency: CURRENCY, total: cartTotal(input.products), items, email: input.email, expires_at: now + cfg.paymentWindowMs },
    { reconcileAfterMs: cfg.reconcileAfterMs },
  );
  await applyStoredEvents(env, id);
  try {
    if (gateway) {
      const r = await cbpay.requestPayment(input);
      await store.paymentCreated(id, { gateway_url: r.gateway_url, payment_id_coinbar: r.payment_id_coinbar });
    } else {
      const p = await cbpay.initiate(input);
      await store.paymentCreated(id, {
        payment_id_coinbar: p.payment_id_coinbar,
        coin: input.destination_coin,
        trade_pair: p.trade_pair,
        amount: p.destination_amount,
        rate: p.destination_coin_change,
        address: p.destination_address,
        memo: p.destination_memo || null,
        payment_string: p.payment_string,
        wallet_link: walletLink(p.payment_string),
        total: p.payment_total_price,
      });
    }
    return json(orderView(await store.getRow(id)), 201);
  } catch (e) {
    if (!(e instanceof CoinbarError)) throw e;
    // Provably not created (the SDK's outcome 'not_processed': nothing reached Coinbar, or a 429).
    const notCreated = e.outcome === 'not_processed' || e.code === 'validation';
    if (notCreated) await store.paymentNotCreated(id, e.message);
    // Otherwise the outcome is unknown: the order stays 'initiating' and reconciliation asks Coinbar.
    if (e.code === 'validation') return problem(422, 'invalid checkout', { errors: e.errors });
    return problem(e.code === 'timeout' ? 504 : 502, `Coinbar could not create the payment (${e.code}): ${e.message}`, { order_id: id });
  }
}

// ---- orders, status, callbacks ---------------------------------------------------------------

async function order(id, url, env) {
  const { store, cbpay } = ctxOf(env);
  let row = await store.getRow(id);
  if (!row) return problem(404, 'no such order');
  const cfg = settings(env);
  if (url.searchParams.get('refresh') === '1' && !row.is_final && row.payment_state !== 'not_created') {
    // The page polls; Coinbar is asked at most once per order per REFRESH_MIN_INTERVAL_SECONDS,
    // within the refresh share of the daily limit. The callback usually gets there first.
    if ((await store.claimRefresh(id, cfg.refreshGapMs)) && (await store.reserveCall('refresh', dailyBudget(env).refresh))) {
      try {
        const s = await cbpay.paymentStatus(id);
        ({ row } = await store.applyStatus(row, statusInfo(s.status), { source: 'refresh', descr: s.status_descr ?? null, updatedAt: s.update_time ?? null }));
      } catch {
        // Keep the last known state; the page keeps polling.
      }
    }
  }
  return json(orderView(row));
}

/** The callback handler's effect: apply the event to its order (idempotent). */
async function applyEvent(env, event) {
  const { store } = ctxOf(env);
  const row = await store.getRow(event.payment_request_id_client);
  if (!row) throw new UnknownOrderError(`no order ${event.payment_request_id_client} yet`);
  await store.applyStatus(row, statusInfo(event.status), { source: 'callback', descr: event.status_descr ?? null, updatedAt: event.update_time ?? null, callback: true });
}

/**
 * Apply callbacks stored earlier for orders that exist now (the same claim / complete / release
 * as handleCallback, each under its own token: a replay whose claim was taken over changes
 * nothing). No renewal: applying one event takes far less than the lease.
 */
async function applyStoredEvents(env, orderId) {
  const { store } = ctxOf(env);
  const cs = store.callbackStore();
  let applied = 0;
  for (const { key, event } of await store.pendingEvents({ orderId })) {
    const token = crypto.randomUUID();
    if ((await cs.claim(key, token, settings(env).callbackLeaseMs, JSON.parse(event))) !== 'claimed') continue;
    try {
      await applyEvent(env, JSON.parse(event));
      await cs.complete(key, token);
      applied += 1;
    } catch (e) {
      await cs.release(key, token, e);
    }
  }
  return applied;
}

async function callback(request, env) {
  const { store, cbpay } = ctxOf(env);
  const raw = await readBody(request, BODY_LIMITS['/api/coinbar/callback']);
  try {
    // The SDK's at-least-once API: claim (with this delivery's token) -> handler, the lease
    // renewed while it runs -> complete (or release + rethrow).
    const r = await cbpay.handleCallback(raw, request.headers, {
      store: store.callbackStore(),
      handler: (event) => applyEvent(env, event),
      leaseMs: settings(env).callbackLeaseMs,
    });
    if (r.outcome === 'in_progress') return problem(409, 'this callback is being processed by another delivery; send it again later', { outcome: r.outcome });
    return json({ received: true, outcome: r.outcome });
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return problem(401, 'callback signature invalid');
    if (e instanceof CoinbarError && e.code === 'decode') return problem(400, `callback not understood: ${e.message}`);
    // Stored (callback_events) and answered 503 + Retry-After so that Coinbar sends it again;
    // it is also applied as soon as the order exists (checkout, reconciliation).
    if (e instanceof UnknownOrderError) return problem(503, 'unknown order: callback stored, send it again later', { stored: true }, { 'retry-after': '60' });
    console.error(`callback not processed: ${e?.message ?? e}`);
    return problem(500, "callback not processed, send it again later");
  }
}

async function simulate(id, env) {
  const control = env.COINBAR_SANDBOX_CONTROL_URL;
  if (!control) return problem(404, 'simulation is only available with the local sandbox');
  if (!(await ctxOf(env).store.getRow(id))) return problem(404, 'no such order');
  const r = await fetch(`${control}/__sandbox/payments/${encodeURIComponent(id)}/pay`, { method: 'POST' });
  return json({ simulated: r.ok, sandbox_status: r.status }, r.ok ? 200 : 502);
}

async function quotes(url, env) {
  const fiat = url.searchParams.get('fiat') || CURRENCY;
  if (fiat !== 'EUR' && fiat !== 'GBP') return problem(400, 'fiat: must be EUR or GBP');
  const c = ctxOf(env);
  const key = `quotes:${fiat}`;
  const cached = await c.store.kvGet(key);
  if (cached?.fresh) return json(cached.value);
  // One fetch at a time per isolate; across instances the daily quotes share caps the calls.
  let pending = c.quotes.get(fiat);
  if (!pending) {
    pending = (async () => {
      if (!(await c.store.reserveCall('quotes', dailyBudget(env).quotes))) return cached?.value ?? null;
      const value = await c.cbpay.quotes(fiat);
      await c.store.kvPut(key, value, settings(env).quotesTtlMs);
      return value;
    })().finally(() => c.quotes.delete(fiat));
    c.quotes.set(fiat, pending);
  }
  try {
    const value = await pending;
    return value ? json(value) : problem(503, 'rates unavailable for now');
  } catch (e) {
    if (cached) return json(cached.value); // stale rates beat none: they are informative
    throw e;
  }
}

// ---- reconciliation ------------------------------------------------------------------------------

/**
 * Ask Coinbar about orders still open RECONCILE_AFTER_SECONDS after creation (or past expiry),
 * oldest first, at most RECONCILE_MAX_PER_RUN per run and within the reconcile share of the
 * daily limit; each order's next check backs off (after, 2×, 4×… up to 1 h). A 429 stops the
 * run and backs every instance off (1 min doubling, up to 1 h). Answers go through the same
 * idempotent applyStatus as callbacks. Returns what it did.
 */
export async function reconcile(env) {
  const { store, cbpay } = ctxOf(env);
  const cfg = settings(env);
  const report = { stored_callbacks_applied: 0, checked: 0, changed: 0, fulfilled: 0, not_found: 0, errors: 0, budget_exhausted: false, rate_limited: false };
  const backoff = await store.kvGet('reconcile:backoff');
  if (backoff?.fresh) return { ...report, backed_off_until: new Date(backoff.expires_at).toISOString() };
  report.stored_callbacks_applied = await applyStoredEvents(env);
  const budget = dailyBudget(env).reconcile;
  for (const row of await store.dueOrders({ afterMs: cfg.reconcileAfterMs, limit: cfg.reconcilePerRun })) {
    if (!(await store.reserveCall('reconcile', budget))) {
      report.budget_exhausted = true;
      break;
    }
    // (When another instance claimed this order meanwhile, the reserved call goes unused: rare, and on the safe side.)
    if (!(await store.claimReconcile(row, Math.min(cfg.reconcileAfterMs * 2 ** row.checks, cfg.reconcileMaxBackoffMs)))) continue;
    report.checked += 1;
    try {
      // No SDK retry: a 429 is answered by backing off here, not by spending a second call.
      const s = await cbpay.findPayment(row.id, { maxRetries: 0 });
      if (s === null) {
        report.not_found += 1;
        // No payment at Coinbar for an order whose initiate never answered: it was not created.
        if (row.payment_state === 'initiating' && Date.now() - row.created_at > 120_000) await store.paymentNotCreated(row.id, 'no payment at Coinbar');
        continue;
      }
      const r = await store.applyStatus(row, statusInfo(s.status), { source: 'reconcile', descr: s.status_descr ?? null, updatedAt: s.update_time ?? null });
      if (r.row.status !== row.status) report.changed += 1;
      if (r.fulfilled) report.fulfilled += 1;
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'http' && e.status === 429) {
        const n = (backoff?.value?.n ?? 0) + 1;
        await store.kvPut('reconcile:backoff', { n }, Math.min(60_000 * 2 ** (n - 1), 3_600_000));
        report.rate_limited = true;
        return report;
      }
      report.errors += 1;
    }
  }
  if (backoff?.value?.n) await store.kvPut('reconcile:backoff', { n: 0 }, 0);
  await store.prune();
  return report;
}

// ---- the module -------------------------------------------------------------------------------

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const { pathname } = url;
    const method = request.method;
    try {
      if (!(pathname in BODY_LIMITS) && method !== 'GET' && method !== 'HEAD') await readBody(request, DEFAULT_BODY_LIMIT);
      if (method === 'GET' && pathname === '/api/config') {
        return json({ currency: CURRENCY, simulate: Boolean(env.COINBAR_SANDBOX_CONTROL_URL), environment: env.COINBAR_SANDBOX_CONTROL_URL ? 'local sandbox' : env.COINBAR_ENV || 'coinbar' });
      }
      if (method === 'GET' && pathname === '/api/products') return json(CATALOG);
      if (method === 'GET' && pathname === '/api/quotes') return await quotes(url, env);
      if (method === 'POST' && pathname === '/api/checkout') return await checkout(request, env);
      if (method === 'POST' && pathname === '/api/coinbar/callback') return await callback(request, env);
      const m = pathname.match(/^\/api\/orders\/([A-Za-z0-9._:-]{1,100})(\/simulate)?$/);
      if (m && method === 'GET' && !m[2]) return await order(m[1], url, env);
      if (m && method === 'POST' && m[2]) return await simulate(m[1], env);
      return problem(404, 'not found');
    } catch (e) {
      if (e instanceof HttpError) return problem(e.status, e.message);
      return problem(e instanceof CoinbarError && e.code === 'config' ? 500 : 502, e.message);
    }
  },

  /** Cron Trigger (wrangler.toml [triggers] crons): reconciliation. */
  async scheduled(controller, env, ctx) {
    const run = reconcile(env).then((r) => {
      if (r.checked || r.stored_callbacks_applied || r.rate_limited || r.budget_exhausted) console.log(`reconcile ${JSON.stringify(r)}`);
      return r;
    });
    if (ctx?.waitUntil) ctx.waitUntil(run);
    return run;
  },
};
