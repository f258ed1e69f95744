// The demo shop's edge function: a standard Workers module (`fetch` + `scheduled`) for
// Cloudflare Workers / workerd, and for Node through www/serve.js. It keeps only the shop's own
// business — the catalogue and its prices, the page's API, the quotes cache, the checkout guard
// and its caps — in its own tables (www/app/schema.js). Everything about payments is the
// ledger's (coinbar-pay/ledger, docs/ledger.md): the attempts (recorded before Coinbar is
// called), callbacks, reconciliation, the fulfilment outbox (the "order paid" e-mail goes
// through ledger.drain) and Coinbar's daily call budget.
//
//   env.DB   a Cloudflare D1 binding (wrangler.toml), or — from the Node adapter — a
//            better-sqlite3 Database or a pg.Pool: the ledger and the shop share it.
// Routes:
//   GET  /api/config                 what the page needs to know (currency, sandbox?)
//   GET  /api/products               the catalogue
//   GET  /api/quotes?fiat=EUR|GBP    informative rates, cached (10 min), within the ledger's quotes share
//   POST /api/checkout               guard, price the cart, record the order, ledger.checkout
//   GET  /api/orders/:id[?refresh=1] the order; refresh = ledger.refresh within the client's cap
//   POST /api/orders/:id/simulate    local sandbox only: pay the current attempt
//   POST /api/coinbar/callback       Coinbar's signed callback: ledger.handleCallback
// scheduled(): ledger.reconcile, ledger.drain (the e-mails), ledger.prune, the shop's prune.
import { CoinbarPay, CoinbarError, validateInitiate, validateRequest, cartTotal } from 'coinbar-pay';
import { createLedger, createExecutor, LedgerError } from 'coinbar-pay/ledger';
import { CATALOG, CURRENCY, findProduct } from './catalog.js';
import { ShopStore } from './shop.js';
import { clientKey, guardCaps } from './guard.js';

// ---- configuration ------------------------------------------------------------------------------

const num = (env, name, fallback) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);

/** The ledger's options from env (each optional; the ledger's defaults otherwise). */
export function ledgerOptions(env) {
  const opt = {};
  const set = (key, name, scale) => {
    if (env[name] !== undefined && env[name] !== '') opt[key] = Number(env[name]) * scale;
  };
  set('paymentWindowMs', 'PAYMENT_WINDOW_MINUTES', 60_000);
  set('reconcileAfterMs', 'RECONCILE_AFTER_SECONDS', 1000);
  set('reconcilePerRun', 'RECONCILE_MAX_PER_RUN', 1);
  set('maxBackoffMs', 'RECONCILE_MAX_BACKOFF_SECONDS', 1000);
  set('refreshGapMs', 'REFRESH_MIN_INTERVAL_SECONDS', 1000);
  set('leaseMs', 'CALLBACK_LEASE_SECONDS', 1000);
  set('settleAfterMs', 'SETTLE_AFTER_SECONDS', 1000);
  set('unknownAfterMs', 'UNKNOWN_AFTER_SECONDS', 1000);
  set('unknownRecheckMs', 'UNKNOWN_RECHECK_SECONDS', 1000);
  set('hotMs', 'HOT_MINUTES', 60_000);
  const shares = {};
  for (const p of ['checkout', 'refresh', 'reconcile', 'reconcile_hot', 'quotes']) {
    const v = env[`COINBAR_BUDGET_${p.toUpperCase()}`];
    if (v !== undefined && v !== '') shares[p] = Number(v);
  }
  opt.budget = { daily: num(env, 'COINBAR_DAILY_CALLS', 1000), shares };
  return opt;
}

const settings = (env) => ({
  quotesTtlMs: num(env, 'QUOTES_TTL_SECONDS', 600) * 1000,
  retentionMs: num(env, 'RETENTION_DAYS', 30) * 86_400_000,
  drainPerRun: num(env, 'DRAIN_MAX_PER_RUN', 50),
});

/** Request body caps per route (bytes); every other route takes no body beyond 1 KiB. */
export const BODY_LIMITS = { '/api/checkout': 16 * 1024, '/api/coinbar/callback': 64 * 1024 };
const DEFAULT_BODY_LIMIT = 1024;

/** The coin URI schemes this shop's coins use (BTC, ETH and USDT on Ethereum, XRP, XDB). */
const WALLET_SCHEMES = /^(bitcoin|ethereum|xrp|xdb):[^\s"'<>]+$/i;
export const walletLink = (paymentString) => (typeof paymentString === 'string' && WALLET_SCHEMES.test(paymentString) ? paymentString : null);

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

/** The shop's public origin (PUBLIC_ORIGIN), never the request's Host: it goes into signed URLs. */
function publicOrigin(env) {
  const o = env.PUBLIC_ORIGIN;
  if (!o) throw new CoinbarError('config', "PUBLIC_ORIGIN: not set (the shop's public origin, e.g. https://shop.example, used for the gateway return URL)");
  return new URL(o).origin;
}

// ---- the shop ---------------------------------------------------------------------------------

/**
 * The worker. `guard(request, { env, address, client, action })` is the bot check of
 * POST /api/checkout (e.g. turnstileGuard() of ./guard.js): resolve false to refuse (403).
 * It runs before the caps, so refused bots do not use a client's allowance.
 */
export function createWorker({ guard = null } = {}) {
  const perEnv = new WeakMap();
  function ctxOf(env) {
    let c = perEnv.get(env);
    if (!c) {
      if (!env.DB) throw new CoinbarError('config', 'no database: bind a D1 database as DB (wrangler.toml), or give a better-sqlite3 Database / pg.Pool as DB (www/serve.js)');
      const exec = createExecutor(env.DB);
      c = {
        exec,
        ledger: createLedger({ db: exec, ...ledgerOptions(env) }),
        shop: new ShopStore(exec),
        cbpay: CoinbarPay.fromEnv(env),
        caps: guardCaps(env),
        quotes: new Map(), // in-flight quote fetches, one per fiat
      };
      perEnv.set(env, c);
    }
    return c;
  }

  /** The order as the page reads it: the shop's order + the ledger's current attempt. */
  function apiView(order, view) {
    const p = view?.payment ?? {};
    const paid = Boolean(view?.paid);
    return {
      id: order.order_id,
      mode: view?.mode ?? null,
      attempt: view?.attempt ?? null,
      attempts: view?.attempts?.length ?? 0,
      payment_request_id: view?.payment_request_id ?? null,
      payment_id_coinbar: view?.payment_id_coinbar ?? null,
      state: view?.state ?? 'initiating',
      status: view?.status ?? 'CREATED',
      status_descr: view?.status_descr ?? null,
      status_source: view?.status_source ?? null,
      is_final: Boolean(view?.is_final),
      is_paid: paid,
      paid_at: view?.paid_at ?? null,
      paid_via_callback: paid && view?.status_source === 'callback',
      currency: order.currency,
      total: p.total ?? order.total,
      items: order.items,
      email: order.email,
      coin: p.coin ?? null,
      amount: p.amount ?? null,
      rate: p.rate ?? null,
      trade_pair: p.trade_pair ?? null,
      address: p.address ?? null,
      memo: p.destination_memo ?? null,
      payment_string: p.payment_string ?? null,
      wallet_link: walletLink(p.payment_string),
      gateway_url: p.gateway_url ?? null,
      created_at: new Date(order.created_at).toISOString(),
      expires_at: view?.expires_at ?? null,
    };
  }

  /** The payment input for a cart, priced from the catalogue (the ledger adds payment_request_id). */
  function paymentInput(body, items, returnUrl) {
    const products = [];
    const unknown = [];
    for (const [i, item] of items.entries()) {
      const p = findProduct(item?.product_id);
      if (!p) unknown.push({ field: `items[${i}].product_id`, message: 'is not a product of this shop' });
      else products.push({ product_name: p.name, product_price: p.price, product_amount: item.quantity, product_id: p.id, product_type: p.type });
    }
    const c = body?.customer ?? {};
    const input = {
      input_coin: CURRENCY,
      products,
      email: c.email,
      ...(c.name ? { name: c.name } : {}),
      ...(c.surname ? { surname: c.surname } : {}),
      user_id: c.email ? `customer:${c.email}` : undefined,
    };
    if (returnUrl) input.urlcallback = returnUrl;
    else input.destination_coin = body?.coin;
    return { input, unknown };
  }

  /** Take the caps of a checkout (client per day, client per minute, everyone per minute); a refusal gives back what was taken. */
  async function takeCheckoutCaps(shop, caps, client) {
    const steps = [
      [`checkout:day:${client}`, 'day', caps.clientCheckoutsPerDay, 'this address has used its checkouts for today, please come back tomorrow', 3600],
      [`checkout:min:${client}`, 'minute', caps.clientCheckoutsPerMinute, 'too many checkouts from this address, try again in a minute', 60],
      ['checkout:min:*', 'minute', caps.checkoutsPerMinute, 'the shop is busy, try again in a minute', 60],
    ];
    const taken = [];
    for (const [key, per, cap, message, retry] of steps) {
      const t = await shop.take(key, per, cap);
      if (!t.ok) {
        for (const x of taken) await x.release();
        return { message, retry };
      }
      taken.push(t);
    }
    return null;
  }

  async function checkout(request, env) {
    const { ledger, shop, cbpay, caps } = ctxOf(env);
    const body = await readJson(request, BODY_LIMITS['/api/checkout']);
    const address = request.headers.get('cf-connecting-ip') || 'unknown';
    const client = clientKey(address);
    if (guard && !(await guard(request, { env, address, client, action: 'checkout' }))) return problem(403, 'the bot check failed; reload the page and try again');
    const gateway = body?.mode === 'gateway';
    // A new checkout of an existing order (e.g. another coin) is a new attempt of that order.
    const existing = typeof body?.order_id === 'string' ? await shop.getOrder(body.order_id) : null;
    if (body?.order_id !== undefined && !existing) return problem(404, 'no such order');
    const id = existing?.order_id ?? newOrderId();
    const items = existing ? existing.items : Array.isArray(body?.items) ? body.items : [];
    const { input, unknown } = paymentInput(
      // biome-ignore lint/suspicious/noDuplicateObjectKeys: the first `email` keeps the key first in the body, the last makes the order's e-mail win over the page's
      existing ? { ...body, customer: { email: existing.email, ...body?.customer, email: existing.email } } : body,
      items,
      gateway ? `${publicOrigin(env)}/result.html` : undefined,
    );
    // The same rules as the page (one Rust source); request payments have no coin yet.
    const probe = { ...input, payment_request_id: `${id}.1` };
    const errors = [...unknown, ...(gateway ? validateRequest(probe) : validateInitiate(probe))];
    if (errors.length) return problem(422, 'invalid checkout', { errors });
    const refused = await takeCheckoutCaps(shop, caps, client);
    if (refused) return problem(429, refused.message, {}, { 'retry-after': String(refused.retry) });
    if (!existing) {
      const lines = input.products.map((p) => ({ product_id: p.product_id, name: p.product_name, price: p.product_price, quantity: Number(p.product_amount) }));
      await shop.createOrder({ id, currency: CURRENCY, total: cartTotal(input.products), items: lines, email: input.email, client });
    }
    const order = await shop.getOrder(id);
    try {
      const view = await ledger.checkout(id, input, { cbpay, mode: gateway ? 'gateway' : 'direct', meta: { email: input.email } });
      return json(apiView(order, view), 201);
    } catch (e) {
      if (e instanceof LedgerError && e.code === 'budget') {
        return problem(503, "the shop has reached today's number of crypto payments, please come back tomorrow", { order_id: id }, { 'retry-after': '3600' });
      }
      if (e instanceof LedgerError && e.code === 'already_paid') return problem(409, 'this order is paid already', { order_id: id });
      if (!(e instanceof CoinbarError)) throw e;
      if (e.code === 'validation') return problem(422, 'invalid checkout', { errors: e.errors });
      // An unknown outcome stays with the ledger: it asks Coinbar (never a second POST).
      return problem(e.code === 'timeout' ? 504 : 502, `Coinbar could not create the payment (${e.code}): ${e.message}`, { order_id: id });
    }
  }

  async function order(requested, url, env, client) {
    const { ledger, shop, cbpay, caps } = ctxOf(env);
    // Coinbar's return to /result.html names the attempt (payment_request_id = <order id>.<attempt>).
    const o = (await shop.getOrder(requested)) ?? (/\.\d+$/.test(requested) ? await shop.getOrder(requested.replace(/\.\d+$/, '')) : null);
    const id = o?.order_id;
    if (!o) return problem(404, 'no such order');
    let view;
    if (url.searchParams.get('refresh') === '1') {
      // The page polls. The ledger asks Coinbar at most once per attempt per 30 s within its
      // refresh share; each client may make CLIENT_REFRESHES_PER_DAY of those calls (a slot is
      // taken first and given back when the ledger made no call). Beyond: the stored state.
      const slot = await shop.take(`refresh:day:${client}`, 'day', caps.clientRefreshesPerDay);
      if (slot.ok) {
        let called = false;
        const counted = { findPayment: (...a) => ((called = true), cbpay.findPayment(...a)) };
        view = await ledger.refresh(id, { cbpay: counted });
        if (!called) await slot.release();
      } else view = await ledger.payment(id);
    } else view = await ledger.payment(id);
    return json(apiView(o, view));
  }

  async function callback(request, env, ctx) {
    const { ledger, cbpay } = ctxOf(env);
    const raw = await readBody(request, BODY_LIMITS['/api/coinbar/callback']);
    const r = await ledger.handleCallback(cbpay, raw, request.headers);
    if (r.status === 200) {
      // Paid now? The e-mail goes out through the outbox right away (the cron drains it too).
      if (r.outcome === 'processed') ctx?.waitUntil?.(drain(env).catch(() => {}));
      return json({ received: true, outcome: r.outcome });
    }
    if (r.status === 409) return problem(409, 'this callback is being processed by another delivery; send it again later', { outcome: r.outcome });
    if (r.status === 503) return problem(503, 'unknown payment: callback stored, send it again later', { stored: true, outcome: r.outcome }, { 'retry-after': String(r.retryAfter ?? 60) });
    if (r.status === 401) return problem(401, 'callback signature invalid');
    if (r.status === 400) return problem(400, `callback not understood: ${r.error?.message ?? ''}`);
    console.error(`callback not processed: ${r.error?.message ?? r.outcome}`);
    return problem(500, 'callback not processed, send it again later');
  }

  async function simulate(id, env) {
    const control = env.COINBAR_SANDBOX_CONTROL_URL;
    if (!control) return problem(404, 'simulation is only available with the local sandbox');
    const view = await ctxOf(env).ledger.payment(id, { touch: false });
    if (!view?.payment_request_id) return problem(404, 'no such order');
    const r = await fetch(`${control}/__sandbox/payments/${encodeURIComponent(view.payment_request_id)}/pay`, { method: 'POST' });
    return json({ simulated: r.ok, sandbox_status: r.status }, r.ok ? 200 : 502);
  }

  async function quotes(url, env) {
    const fiat = url.searchParams.get('fiat') || CURRENCY;
    if (fiat !== 'EUR' && fiat !== 'GBP') return problem(400, 'fiat: must be EUR or GBP');
    const c = ctxOf(env);
    const key = `quotes:${fiat}`;
    const cached = await c.shop.kvGet(key);
    if (cached?.fresh) return json(cached.value);
    // One fetch at a time per isolate; across instances the ledger's quotes share caps the calls.
    let pending = c.quotes.get(fiat);
    if (!pending) {
      pending = (async () => {
        if (!(await c.ledger.reserve('quotes'))) return cached?.value ?? null;
        const value = await c.cbpay.quotes(fiat, { maxRetries: 0 }); // one reserved call = one request
        await c.shop.kvPut(key, value, settings(env).quotesTtlMs);
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

  /** The "order paid" e-mail of one outbox delivery: to MAIL_WEBHOOK_URL (idempotent on its key), else logged. */
  async function sendPaidMail(env, delivery, { idempotencyKey, signal }) {
    const o = await ctxOf(env).shop.getOrder(delivery.order_id);
    const lines = (o?.items ?? []).map((i) => `  ${i.quantity} × ${i.name}`).join('\n');
    const mail = {
      to: o?.email ?? delivery.meta?.email,
      subject: `Bean & Block: order ${delivery.order_id} is paid`,
      body: `Thank you! We received your payment for order ${delivery.order_id} (${o?.total ?? '?'} ${o?.currency ?? CURRENCY}).\n\n${lines}\n\nYour coffee is on its way.`,
      order_id: delivery.order_id,
      payment_id_coinbar: delivery.payment_id_coinbar,
    };
    if (!env.MAIL_WEBHOOK_URL) {
      console.log(`mail to ${mail.to}: ${mail.subject} [${idempotencyKey}]`);
      return;
    }
    const r = await fetch(env.MAIL_WEBHOOK_URL, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify(mail), signal });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`mailer answered ${r.status}`);
  }

  const drain = (env, limit = settings(env).drainPerRun) => ctxOf(env).ledger.drain((d, o) => sendPaidMail(env, d, o), { limit });

  /** The scheduled job: reconciliation, the outbox, bounded storage. Returns what each did. */
  async function maintain(env) {
    const { ledger, shop, cbpay } = ctxOf(env);
    const reconciled = await ledger.reconcile({ cbpay });
    const drained = await drain(env);
    const pruned = await ledger.prune({ retentionMs: settings(env).retentionMs });
    const shopPruned = await shop.prune();
    return { reconciled, drained, pruned: { ...pruned, ...shopPruned } };
  }

  return {
    async fetch(request, env, ctx) {
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
        if (method === 'POST' && pathname === '/api/coinbar/callback') return await callback(request, env, ctx);
        const m = pathname.match(/^\/api\/orders\/([A-Za-z0-9._:-]{1,100})(\/simulate)?$/);
        if (m && method === 'GET' && !m[2]) {
          return await order(m[1], url, env, clientKey(request.headers.get('cf-connecting-ip')));
        }
        if (m && method === 'POST' && m[2]) return await simulate(m[1], env);
        return problem(404, 'not found');
      } catch (e) {
        if (e instanceof HttpError) return problem(e.status, e.message);
        if (e instanceof LedgerError && e.code === 'config') return problem(500, e.message);
        return problem(e instanceof CoinbarError && e.code === 'config' ? 500 : 502, e.message);
      }
    },

    /** Cron Trigger (wrangler.toml [triggers] crons, every minute): reconcile, drain the outbox, prune. */
    async scheduled(controller, env, ctx) {
      const run = maintain(env).then((r) => {
        const c = r.reconciled;
        if (c.checked || c.stored_applied || c.rate_limited || c.budget_exhausted || r.drained.sent || r.drained.failed) console.log(`scheduled ${JSON.stringify(r)}`);
        return r;
      });
      if (ctx?.waitUntil) ctx.waitUntil(run);
      return run;
    },
  };
}

export default createWorker();
