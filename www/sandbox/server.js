#!/usr/bin/env node
// CoinbarPay sandbox: a local, in-memory emulation of the CoinbarPay merchant API (like
// stripe-mock for Stripe) with control endpoints for tests and fault injection.
//
// It is the project's INDEPENDENT ORACLE: authentication is re-implemented here with
// node:crypto exactly as coinbar-api.md describes it, and no project code is imported.
//
//   node www/sandbox/server.js --port 8790
//
// See www/sandbox/README.md for endpoints, control endpoints, fault kinds and rates.

import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CallbackDispatcher, callbackBody } from './callbacks.js';
import { COINS, FIATS, isCoin, rateText } from './coins.js';
import { FAULT_HELP, FAULT_KINDS, FaultQueue, PROCESSING_KINDS, committedKind, emitFault, faultFromHeaders } from './faults.js';
import { stringifyJson, RawNumber } from './json.js';
import { renderErrorPage, renderPaymentPage, renderResultPage } from './page.js';
import { openSandboxDb } from './persist.js';
import { ConflictError, PaymentStore } from './store.js';
import { TimerSet } from './timers.js';
import { validatePaymentBody } from './validate.js';

export const API_BASE = '/coinbar/api/v2';
export const DEMO_CLIENT = Object.freeze({
  id: 'c0ffee00-0000-4000-8000-000000000001',
  secret: 'sandbox-secret-do-not-use-in-production',
});
const MAX_BODY_BYTES = 1024 * 1024;

/** Host names that are always this machine. Browsers send them (with the port) in `Host`. */
export const LOOPBACK_NAMES = Object.freeze(['127.0.0.1', 'localhost', '[::1]']);

/** The host name of a Host header or an origin ("127.0.0.1:8790" → "127.0.0.1"), lowercased; null when unparsable. */
export function hostnameOf(value, { origin = false } = {}) {
  if (typeof value !== 'string' || value === '' || value === 'null') return null;
  try {
    return new URL(origin ? value : `http://${value}`).hostname || null;
  } catch {
    return null;
  }
}

// ---- responses ---------------------------------------------------------------------------

/** A handler's answer; written by send() (or dropped, for `reset-after-commit`). */
const json = (status, value, headers = {}) => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: stringifyJson(value),
});
const htmlPage = (status, text, headers = {}) => ({
  status,
  headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers },
  body: text,
});
/** Coinbar's error shape: { result: false, error, reason? }. */
const apiError = (status, error, reason) => json(status, reason === undefined ? { result: false, error } : { result: false, error, reason });
const badRequest = (reason) => apiError(400, 'Bad Request', reason);
const unauthorized = (reason) => apiError(401, 'Unauthorized', reason);
const notFound = () => apiError(404, 'Not Found');

function send(res, { status, headers, body }) {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

class HttpError extends Error {
  constructor(result) {
    super(result.body);
    this.result = result;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(apiError(413, 'Payload Too Large')));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Raw path and raw query (without `?`) exactly as in the request line. */
function splitUrl(url) {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(badRequest('path: malformed percent-encoding'));
  }
}

const hmacHex = (secret, message) => createHmac('sha256', secret).update(message).digest('hex');

function parseJsonBody(buf, what = 'body') {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new HttpError(badRequest(`${what}: not valid JSON (${err.message})`));
  }
}

// ---- the sandbox ---------------------------------------------------------------------------

/**
 * @param {{ port?: number, host?: string,
 *   clients?: Array<{ id: string, secret: string, callbackUrl?: string, webCallbackUrl?: string }>,
 *   rateLimitPerDay?: number, paymentTimeoutMs?: number, dedupe?: boolean,
 *   callbackRetry?: { attempts?: number, baseDelayMs?: number, timeoutMs?: number },
 *   timestampWindowMs?: number, now?: () => number }} [options]
 */
export async function startSandbox(options = {}) {
  // --db FILE: better-sqlite3 is loaded only now (a PersistenceError says how to install it).
  const db = options.db ? await openSandboxDb(options.db) : null;
  let sandbox;
  try {
    sandbox = new Sandbox(options, db);
    await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    sandbox?.timers.close();
    db?.close();
    throw err;
  }
  return sandbox.publicApi();
}

class Sandbox {
  constructor(options, db = null) {
    this.db = db; // SandboxDb (persist.js) with --db, else null: the state lives in memory
    this.now = options.now ?? (() => Date.now());
    this.initialOptions = {
      clients: (options.clients ?? [DEMO_CLIENT]).map((c) => ({ ...c })),
      rateLimitPerDay: options.rateLimitPerDay ?? 1000,
      // The duplicate rule is our decision, not Coinbar's documented behaviour: with
      // dedupe false every processed POST creates a new payment, as a Coinbar without the
      // rule would, so the SDK's tests can prove it never sends a POST twice.
      dedupe: options.dedupe ?? true,
      paymentTimeoutMs: options.paymentTimeoutMs ?? 15 * 60 * 1000,
      callbackRetry: { attempts: 6, baseDelayMs: 500, timeoutMs: 5000, ...options.callbackRetry },
      timestampWindowMs: options.timestampWindowMs ?? 10 * 60 * 1000,
      controlToken: options.controlToken ?? null,
    };
    // DNS-rebinding guard: only these Host names (plus loopback) are served. A page of
    // evil.example whose name is re-pointed at 127.0.0.1 sends `Host: evil.example:8790`.
    this.allowedHosts = new Set();
    for (const h of options.allowedHosts ?? []) {
      const name = hostnameOf(String(h));
      if (!name) throw new TypeError(`allowedHosts: not a host name: ${JSON.stringify(h)}`);
      this.allowedHosts.add(name);
    }
    this.timers = new TimerSet();
    this.faults = new FaultQueue();
    this.hanging = new Set();
    this.closed = false;
    this.callbacks = new CallbackDispatcher({
      timers: this.timers,
      retry: () => this.config.callbackRetry,
      now: this.now,
      onChange: (delivery) => this.db?.saveCallback(delivery),
    });
    this.store = new PaymentStore({
      now: this.now,
      timers: this.timers,
      timeoutMs: () => this.config.paymentTimeoutMs,
      onFinal: (payment) => this.#sendCallback(payment),
      onChange: (payment) => this.db?.savePayment(payment.toRecord()),
      onCounter: (counter) => this.db?.saveCounter(counter),
    });
    this.#resetState();
    if (this.db) this.#restore();
    this.server = http.createServer((req, res) => {
      const refused = this.#hostGuard(req);
      if (refused) {
        req.resume();
        return send(res, refused);
      }
      this.#handle(req, res).catch((err) => {
        if (err instanceof HttpError) return send(res, err.result);
        console.error('[sandbox] internal error:', err);
        send(res, apiError(500, 'Internal Server Error', `sandbox bug: ${err.message}`));
      });
    });
  }

  /** Back to the state at start-up: no payments, counters, faults or callbacks; initial config. */
  #resetState() {
    const o = this.initialOptions;
    this.config = {
      rateLimitPerDay: o.rateLimitPerDay,
      dedupe: o.dedupe,
      paymentTimeoutMs: o.paymentTimeoutMs,
      callbackRetry: { ...o.callbackRetry },
      timestampWindowMs: o.timestampWindowMs,
    };
    this.clients = new Map(o.clients.map((c) => [c.id, { ...c }]));
    this.store.reset();
    this.callbacks.reset();
    this.faults.clear();
    this.timers.clear();
    this.stats = { requests: {}, faults: {}, rateLimited: 0 };
    this.rateUsage = new Map(); // `${clientId}|${UTC day}` → calls
  }

  /**
   * --db: back to where the last run stopped. Payments (with their timers), counters and the
   * callback log come from the file; clients too, except that what the start-up options (the
   * command line) set for a client wins over the stored value (e.g. a new --callback-url); what
   * they leave unset keeps its stored value (e.g. a callback URL set through /__sandbox/config).
   */
  #restore() {
    const stored = this.db.load();
    const startup = this.clients;
    this.clients = new Map(stored.clients.map((c) => [c.id, c]));
    for (const [id, c] of startup) {
      const given = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== null));
      this.clients.set(id, { ...this.clients.get(id), ...given });
    }
    for (const c of this.clients.values()) this.db.saveClient(c);
    this.store.load(stored.payments, stored.counters);
    this.callbacks.load(stored.callbacks, (id) => this.clients.get(id));
  }

  /** POST /__sandbox/reset: also empties the database (then holds the start-up clients). */
  #reset() {
    this.#resetState();
    if (this.db) {
      this.db.clear();
      for (const c of this.clients.values()) this.db.saveClient(c);
    }
  }

  listen(port, host) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        // Listening on one specific non-loopback address (e.g. a LAN IP) means being reached by it.
        if (!['0.0.0.0', '::'].includes(addr.address)) this.allowedHosts.add(hostnameOf(`${shownHost}:1`));
        this.port = addr.port;
        this.url = `http://${shownHost}:${addr.port}`;
        resolve();
      });
    });
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.timers.close();
    this.callbacks.close();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.db?.close();
  }

  publicApi() {
    const store = this.store;
    return {
      url: this.url,
      baseUrl: this.url + API_BASE,
      port: this.port,
      /** The SQLite file that keeps the state (--db), or null: the state is in memory. */
      db: this.db?.file ?? null,
      /** Host names served besides 127.0.0.1, localhost and [::1]. */
      allowedHosts: [...this.allowedHosts].filter((h) => !LOOPBACK_NAMES.includes(h)),
      close: () => this.close(),
      /** In-process inspection of payments (the same data as GET /__sandbox/payments). */
      payments: {
        list: () => store.all().map((p) => this.#inspect(p)),
        get: (paymentRequestId, clientId) => {
          const p = this.#findForControl(paymentRequestId, clientId, { throwing: false });
          return p ? this.#inspect(p) : undefined;
        },
        /** How many payments were created for (client, payment_request_id); 0 when none. */
        createdCount: (paymentRequestId, clientId = this.#onlyClientId()) => store.counters.get(`${clientId}\u0000${paymentRequestId}`)?.created ?? 0,
        counters: () => [...store.counters.values()].map((c) => ({ ...c })),
      },
      callbacks: { list: () => structuredClone(this.callbacks.list()) },
      stats: () => this.#statsView(),
      reset: () => this.#reset(),
      configure: (patch) => this.#configure(patch),
    };
  }

  #onlyClientId() {
    return this.clients.size === 1 ? [...this.clients.keys()][0] : undefined;
  }

  // ---- dispatch -----------------------------------------------------------------------------

  async #handle(req, res) {
    const { path, rawQuery } = splitUrl(req.url);
    if (path === '/__sandbox' || path.startsWith('/__sandbox/')) return this.#control(req, res, path, rawQuery);

    const underBase = path.startsWith(`${API_BASE}/`);
    const sub = underBase ? path.slice(API_BASE.length) : path;
    const prefix = underBase ? API_BASE : '';

    // Hosted gateway page: at the server root like the real one, and under the API base.
    if (sub === '/paymentgateway/pay' || sub === '/paymentgateway/pay/action') {
      this.#count(`${req.method} ${sub}`);
      return send(res, await this.#page(req, sub, prefix, rawQuery));
    }

    const route = matchApiRoute(req.method, sub, underBase);
    if (!route) {
      if (path === '/' && req.method === 'GET') return send(res, this.#index());
      this.#count('unmatched');
      return send(res, notFound());
    }
    if (route.methodNotAllowed) {
      this.#count('method not allowed');
      return send(res, apiError(405, 'Method Not Allowed', `use ${route.allow}`));
    }
    this.#count(route.name);

    // The fault layer sits in front of the emulated service.
    let fault;
    try {
      fault = faultFromHeaders(req.headers) ?? this.faults.take(req.url);
    } catch (err) {
      return send(res, badRequest(`x-sandbox-fault: ${err.message}`));
    }
    if (fault) {
      this.stats.faults[fault.kind] = (this.stats.faults[fault.kind] ?? 0) + 1;
      if (fault.delayMs > 0) await this.timers.sleep(fault.delayMs);
      if (!PROCESSING_KINDS.has(fault.kind)) {
        return emitFault(fault, res, { onHang: (r) => this.#trackHang(r) });
      }
    }

    let result;
    try {
      const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
      result = this.#api(req, route, rawQuery, body);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      result = err.result;
    }
    // Lost or broken response: the work is done (payment created), then the answer fails
    // the way the fault says (a reset, a 5xx from a proxy, a cut body, no end).
    if (fault && PROCESSING_KINDS.has(fault.kind) && fault.kind !== 'latency') {
      return emitFault({ ...fault, kind: committedKind(fault.kind) }, res, { onHang: (r) => this.#trackHang(r) });
    }
    send(res, result);
  }

  #trackHang(res) {
    this.hanging.add(res);
    res.on('close', () => this.hanging.delete(res));
  }

  #count(name) {
    this.stats.requests[name] = (this.stats.requests[name] ?? 0) + 1;
  }

  // ---- authentication (emulates Coinbar) --------------------------------------------------

  /**
   * CBPAY-API-KEY carries the client id; SIGNATURE = hex HMAC-SHA256(secret, message) where the
   * message is the raw body for POST and the raw query string (no `?`) for GET.
   * @returns the client
   */
  #authenticate(req, rawQuery, body) {
    const clientId = req.headers['cbpay-api-key'];
    if (!clientId) throw new HttpError(unauthorized('missing CBPAY-API-KEY header (the service client id)'));
    const client = this.clients.get(clientId);
    if (!client) throw new HttpError(unauthorized('unknown service client id in CBPAY-API-KEY'));
    const signature = req.headers.signature;
    if (!signature) throw new HttpError(unauthorized('missing SIGNATURE header'));
    if (!/^[0-9a-f]{64}$/.test(signature)) {
      throw new HttpError(unauthorized('SIGNATURE must be 64 lowercase hex characters (hex HMAC-SHA256)'));
    }

    if (req.method === 'POST') {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new HttpError(badRequest('Content-Type header must be application/json'));
      }
      if (req.headers.source !== 'web') throw new HttpError(badRequest('source header must be "web"'));
    }

    const message = req.method === 'POST' ? body : Buffer.from(rawQuery, 'latin1');
    const expected = Buffer.from(hmacHex(client.secret, message), 'latin1');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'latin1'))) {
      throw new HttpError(unauthorized(this.#signatureHint(req, client, rawQuery, body, signature)));
    }

    if (req.method === 'POST') {
      // Emulates a server that parses the body and signs JSON.stringify(parsed): the bytes sent
      // must be exactly what JSON.stringify produces, or a real server would reject them.
      const parsed = parseJsonBody(body);
      const canonical = Buffer.from(JSON.stringify(parsed), 'utf8');
      if (!canonical.equals(body)) {
        let at = 0;
        while (at < body.length && body[at] === canonical[at]) at++;
        throw new HttpError(
          unauthorized(
            `body is not in canonical JSON.stringify form (re-serializing the parsed body gives different bytes, first difference at byte ${at}); sign and send exactly JSON.stringify(body)`,
          ),
        );
      }
      return { client, parsed };
    }
    return { client, parsed: undefined };
  }

  /** A more helpful 401 reason for the most common signing mistakes. */
  #signatureHint(req, client, rawQuery, body, signature) {
    const base = 'SIGNATURE does not match';
    if (req.method === 'POST') {
      return `${base} the HMAC-SHA256 of the raw request body`;
    }
    if (rawQuery && signature === hmacHex(client.secret, `?${rawQuery}`)) {
      return `${base}: sign the query string WITHOUT the leading "?"`;
    }
    return `${base} the HMAC-SHA256 of the query string ("${rawQuery}")`;
  }

  /** Per client id per UTC day, counting every authenticated API call. */
  #rateLimit(clientId) {
    const key = `${clientId}|${new Date(this.now()).toISOString().slice(0, 10)}`;
    const used = (this.rateUsage.get(key) ?? 0) + 1;
    this.rateUsage.set(key, used);
    if (used > this.config.rateLimitPerDay) {
      this.stats.rateLimited += 1;
      throw new HttpError(apiError(429, 'Api RATE exceeded'));
    }
  }

  // ---- API ------------------------------------------------------------------------------------

  #api(req, route, rawQuery, body) {
    const { client, parsed } = this.#authenticate(req, rawQuery, body);
    this.#rateLimit(client.id);
    const params = route.params.map(decodeSegment);
    switch (route.name) {
      case 'POST /pay/gateway/initiate':
        return this.#createPayment(client, parsed, 'initiate');
      case 'POST /pay/gateway/request':
        return this.#createPayment(client, parsed, 'request');
      case 'GET /pay/gateway/quotes':
        return this.#quotes(rawQuery);
      case 'GET /pay/gateway/payment/:id/status':
        return this.#withPayment(client, params[0], (p) => json(200, p.statusView()));
      case 'GET /paymentgateway/reports/:id':
        return this.#withPayment(client, params[0], (p) => json(200, p.reportView()));
      default:
        throw new Error(`no handler for ${route.name}`);
    }
  }

  #createPayment(client, body, endpoint) {
    const reason = validatePaymentBody(body, endpoint, {
      clientId: client.id,
      now: this.now(),
      timestampWindowMs: this.config.timestampWindowMs,
    });
    if (reason) return badRequest(reason);

    const dup = this.config.dedupe ? this.store.checkDuplicate(client.id, body, endpoint) : { kind: 'new' };
    if (dup.kind === 'replay') {
      const original = dup.payment.originalResponse;
      return { ...original, headers: { ...original.headers, 'x-sandbox-replayed': 'true' } };
    }
    if (dup.kind === 'conflict') {
      return apiError(409, 'Conflict', 'payment_request_id already used with different content');
    }

    const payment = this.store.create(client.id, body, endpoint);
    const response = json(200, endpoint === 'initiate' ? payment.initiateResponse() : payment.requestResponse());
    payment.originalResponse = response;
    this.store.touch(payment); // --db: the replayable answer is stored before it is sent
    return response;
  }

  #quotes(rawQuery) {
    const fiat = new URLSearchParams(rawQuery).get('conversion_fiat') ?? 'EUR';
    if (!FIATS.includes(fiat)) return badRequest(`conversion_fiat: must be one of ${FIATS.join(', ')}`);
    const data = COINS.map((c) => ({
      code: c.code,
      name: c.name,
      conversion_fiat: fiat,
      conversion_rate: new RawNumber(rateText(c.code, fiat)),
    }));
    return json(200, { result: true, data });
  }

  /** A client only ever sees its own payments; anything else is 404. */
  #withPayment(client, paymentRequestId, fn) {
    const p = this.store.get(client.id, paymentRequestId);
    return p ? fn(p) : notFound();
  }

  // ---- callbacks ------------------------------------------------------------------------------

  #sendCallback(payment) {
    const client = this.clients.get(payment.clientId);
    const url = client?.callbackUrl;
    if (!url || this.closed) return;
    this.callbacks.deliver({ client, url, body: callbackBody(payment), payment });
  }

  // ---- hosted gateway page ----------------------------------------------------------------

  async #page(req, sub, prefix, rawQuery) {
    if (sub === '/paymentgateway/pay') {
      if (req.method !== 'GET') return htmlPage(405, renderErrorPage('Method not allowed', 'Use GET.'), { Allow: 'GET' });
      const q = new URLSearchParams(rawQuery);
      const token = q.get('requestToken');
      const clientId = q.get('serviceClientId');
      const timestamp = q.get('timestamp');
      if (!token || !clientId || !timestamp) {
        return htmlPage(400, renderErrorPage('Invalid payment link', 'requestToken, serviceClientId and timestamp are required.'));
      }
      const p = this.#paymentForPage(token, clientId);
      if (!p) return htmlPage(404, renderErrorPage('Payment not found', 'This payment link is not valid (check that the query values are URL-encoded).'));
      return htmlPage(200, renderPaymentPage(p, { actionUrl: `${prefix}/paymentgateway/pay/action`, timestamp }));
    }

    // POST …/paymentgateway/pay/action: the page's Pay / Cancel buttons.
    if (req.method !== 'POST') return htmlPage(405, renderErrorPage('Method not allowed', 'Use POST.'), { Allow: 'POST' });
    // Like the control endpoints: another site's page must not press Pay (a browser sends the
    // page's Origin with every form POST; the sandbox's own page has a loopback origin).
    if (!this.#originAllowed(req)) {
      req.resume();
      return htmlPage(403, renderErrorPage('Forbidden', `The Pay and Cancel buttons work only from the sandbox's own page (Origin ${req.headers.origin} is not a loopback origin).`));
    }
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const p = this.#paymentForPage(form.get('requestToken'), form.get('serviceClientId'));
    if (!p) return htmlPage(404, renderErrorPage('Payment not found', 'This payment link is not valid.'));
    const action = form.get('action');
    const coin = form.get('coin') || undefined;
    try {
      if (action === 'pay') {
        if (!p.coin && !isCoin(coin)) return htmlPage(400, renderErrorPage('Choose a coin', 'Select the coin to pay with, then press Pay.'));
        this.store.pay(p, { coin: p.coin ? undefined : coin });
      } else if (action === 'cancel') {
        this.store.cancel(p);
      } else {
        return htmlPage(400, renderErrorPage('Unknown action', 'Use the Pay or Cancel button.'));
      }
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // already final: just report where it stands
    }
    return this.#afterPayment(p);
  }

  #paymentForPage(token, clientId) {
    const p = token ? this.store.getByToken(token) : undefined;
    return p && p.clientId === clientId ? p : undefined;
  }

  /** Redirect to WEB_URL_CALLBACK (client's webCallbackUrl, else the payment's urlcallback). */
  #afterPayment(p) {
    const target = this.clients.get(p.clientId)?.webCallbackUrl || p.urlcallback;
    if (!target) return htmlPage(200, renderResultPage(p));
    const url = new URL(target);
    url.searchParams.set('payment_id', p.paymentRequestId);
    url.searchParams.set('status', p.status);
    return htmlPage(303, renderResultPage(p), { Location: url.href });
  }

  #index() {
    return json(200, {
      name: 'CoinbarPay sandbox',
      api_base_url: this.url + API_BASE,
      gateway_page: `${this.url}/paymentgateway/pay?requestToken=…&serviceClientId=…&timestamp=…`,
      control: `${this.url}/__sandbox/`,
      docs: 'www/sandbox/README.md',
    });
  }

  // ---- control endpoints (no auth; local only) ------------------------------------------------

  async #control(req, res, path, rawQuery) {
    const refused = this.#controlGuard(req);
    if (refused) return send(res, refused);
    const q = new URLSearchParams(rawQuery);
    const parts = path.split('/').slice(2).map(decodeSegment); // after "/__sandbox"
    const [what, id, action] = parts;
    const m = req.method;
    const body = async () => {
      const buf = await readBody(req);
      return buf.length === 0 ? {} : parseJsonBody(buf);
    };
    let result;
    if (what === 'payments' && parts.length === 1 && m === 'GET') {
      result = json(200, {
        payments: this.store.all().map((p) => this.#inspect(p)),
        counters: [...this.store.counters.values()],
      });
    } else if (what === 'payments' && parts.length === 2 && m === 'GET') {
      result = json(200, this.#inspect(this.#findForControl(id, q.get('clientId'))));
    } else if (what === 'payments' && parts.length === 3 && m === 'POST') {
      result = this.#controlAction(this.#findForControl(id, q.get('clientId')), action, q);
    } else if (what === 'callbacks' && parts.length === 1 && m === 'GET') {
      result = json(200, { deliveries: this.callbacks.list() });
    } else if (what === 'reset' && m === 'POST') {
      this.#reset();
      result = json(200, { ok: true });
    } else if (what === 'config' && m === 'GET') {
      result = json(200, this.#configView());
    } else if (what === 'config' && m === 'POST') {
      result = json(200, this.#configure(await body()));
    } else if (what === 'faults' && m === 'GET') {
      result = json(200, { faults: this.faults.list() });
    } else if (what === 'faults' && m === 'POST') {
      const spec = await body();
      try {
        const added = (Array.isArray(spec) ? spec : [spec]).map((s) => this.faults.add(s));
        result = json(200, { added, faults: this.faults.list() });
      } catch (err) {
        result = badRequest(err.message);
      }
    } else if (what === 'faults' && m === 'DELETE') {
      this.faults.clear();
      result = json(200, { faults: [] });
    } else if (what === 'stats' && m === 'GET') {
      result = json(200, this.#statsView());
    } else {
      result = apiError(404, 'Not Found', 'unknown control endpoint; see www/sandbox/README.md');
    }
    send(res, result);
  }

  /**
   * The control endpoints change what the sandbox does (callback URL, faults…), so a web page
   * must not reach them: a request carrying an Origin (every browser POST does) must come from
   * a loopback origin, or carry the control token when one is configured; a request with a body
   * or a Content-Type must be application/json (a cross-site form or text/plain POST is refused
   * even without an Origin). Requests from programs (no Origin) keep working as before.
   */
  #controlGuard(req) {
    const token = this.initialOptions.controlToken;
    const tokenOk = Boolean(token) && req.headers['x-sandbox-token'] === token;
    if (!tokenOk && !this.#originAllowed(req)) {
      return apiError(403, 'Forbidden', 'control endpoints accept no cross-site requests (Origin must be a loopback origin, or send x-sandbox-token)');
    }
    const type = req.headers['content-type'];
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (req.method !== 'GET' && (type !== undefined || hasBody) && !/^application\/json\s*(;|$)/i.test(type ?? '')) {
      return apiError(415, 'Unsupported Media Type', 'control endpoints take application/json bodies only');
    }
    return null;
  }

  /** No Origin (a program, or a same-origin GET), or a loopback / allowed origin. "null" is refused. */
  #originAllowed(req) {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return this.#nameAllowed(hostnameOf(origin, { origin: true }));
  }

  #nameAllowed(name) {
    return name !== null && (LOOPBACK_NAMES.includes(name) || this.allowedHosts.has(name));
  }

  /**
   * DNS-rebinding guard, before anything else: a request whose Host is not a loopback name (or a
   * configured one) is refused, so a foreign site that re-points its name at 127.0.0.1 reads
   * nothing (control GETs show callback signatures and request tokens). No Host at all (an
   * HTTP/1.0 program) is served: every browser sends one.
   */
  #hostGuard(req) {
    const host = req.headers.host;
    if (host === undefined || this.#nameAllowed(hostnameOf(host))) return null;
    const name = hostnameOf(host) ?? host;
    return apiError(
      403,
      'Forbidden',
      `Host "${host}" is not served: the sandbox answers only requests addressed to 127.0.0.1, localhost or [::1] (a guard against DNS rebinding); to reach it by another name, start it with --allowed-host ${name}`,
    );
  }

  #findForControl(paymentRequestId, clientId, { throwing = true } = {}) {
    const fail = (result) => {
      if (throwing) throw new HttpError(result);
      return undefined;
    };
    if (clientId) {
      const p = this.store.get(clientId, paymentRequestId);
      return p ?? fail(notFound());
    }
    const matches = this.store.findById(paymentRequestId);
    if (matches.length === 0) return fail(notFound());
    if (matches.length > 1) {
      return fail(apiError(409, 'Conflict', 'several clients use this payment_request_id; add ?clientId='));
    }
    this.store.expireIfDue(matches[0]);
    return matches[0];
  }

  #controlAction(p, action, q) {
    const delayMs = q.has('delayMs') ? Number(q.get('delayMs')) : 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) return badRequest('delayMs: must be a number >= 0');
    const coin = q.get('coin') ?? undefined;
    if (coin !== undefined && !isCoin(coin)) return badRequest(`coin: unsupported coin ${coin}`);
    try {
      switch (action) {
        case 'pay':
          this.store.pay(p, { delayMs, coin });
          break;
        case 'confirm':
          this.store.confirm(p);
          break;
        case 'cancel':
          this.store.cancel(p);
          break;
        case 'expire':
          this.store.expire(p);
          break;
        default:
          return apiError(404, 'Not Found', 'action must be pay, confirm, cancel or expire');
      }
    } catch (err) {
      if (err instanceof ConflictError) return apiError(409, 'Conflict', err.message);
      throw err;
    }
    return json(200, p.statusView());
  }

  #inspect(p) {
    return p.inspectView(this.store.counter(p.clientId, p.paymentRequestId));
  }

  #configView() {
    return {
      rateLimitPerDay: this.config.rateLimitPerDay,
      dedupe: this.config.dedupe,
      paymentTimeoutMs: this.config.paymentTimeoutMs,
      callbackRetry: this.config.callbackRetry,
      timestampWindowMs: this.config.timestampWindowMs,
      clients: [...this.clients.values()].map((c) => ({
        id: c.id,
        callbackUrl: c.callbackUrl ?? null,
        webCallbackUrl: c.webCallbackUrl ?? null,
      })),
    };
  }

  /**
   * Runtime changes: { dedupe?, rateLimitPerDay?, paymentTimeoutMs? (new payments only), callbackRetry?,
   * timestampWindowMs?, clients?: [{ id, secret? (adds a client), callbackUrl?, webCallbackUrl? }] }.
   * A null URL removes it.
   */
  #configure(patch) {
    const bad = (reason) => {
      throw new HttpError(badRequest(reason));
    };
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) bad('config: must be a JSON object');
    const nonNegative = (v, name) => (Number.isFinite(v) && v >= 0 ? v : bad(`${name}: must be a number >= 0`));
    if ('dedupe' in patch) this.config.dedupe = typeof patch.dedupe === 'boolean' ? patch.dedupe : bad('dedupe: must be true or false');
    if ('rateLimitPerDay' in patch) this.config.rateLimitPerDay = nonNegative(patch.rateLimitPerDay, 'rateLimitPerDay');
    if ('paymentTimeoutMs' in patch) this.config.paymentTimeoutMs = nonNegative(patch.paymentTimeoutMs, 'paymentTimeoutMs');
    if ('timestampWindowMs' in patch) this.config.timestampWindowMs = nonNegative(patch.timestampWindowMs, 'timestampWindowMs');
    if ('callbackRetry' in patch) {
      const r = patch.callbackRetry ?? {};
      for (const k of ['attempts', 'baseDelayMs', 'timeoutMs']) if (k in r) nonNegative(r[k], `callbackRetry.${k}`);
      if ('attempts' in r && !(Number.isSafeInteger(r.attempts) && r.attempts >= 1)) bad('callbackRetry.attempts: must be an integer >= 1');
      this.config.callbackRetry = { ...this.config.callbackRetry, ...r };
    }
    for (const c of patch.clients ?? []) {
      if (!c || typeof c.id !== 'string') bad('clients[]: each needs an id');
      let client = this.clients.get(c.id);
      if (!client) {
        if (typeof c.secret !== 'string' || !c.secret) bad(`clients[]: unknown client ${c.id}; give a secret to add it`);
        client = { id: c.id, secret: c.secret };
        this.clients.set(c.id, client);
      } else if (typeof c.secret === 'string' && c.secret) client.secret = c.secret;
      for (const k of ['callbackUrl', 'webCallbackUrl']) {
        if (!(k in c)) continue;
        if (c[k] === null) delete client[k];
        else if (typeof c[k] === 'string' && /^https?:\/\//.test(c[k])) client[k] = c[k];
        else bad(`clients[].${k}: must be an http(s) URL or null`);
      }
      this.db?.saveClient(client);
    }
    return this.#configView();
  }

  #statsView() {
    const deliveries = this.callbacks.list();
    return {
      requests: this.stats.requests,
      payments_created: [...this.store.counters.values()].map((c) => ({ ...c })),
      payments_total: this.store.all().length,
      faults_applied: this.stats.faults,
      faults_queued: this.faults.list(),
      rate_limit: {
        limit_per_day: this.config.rateLimitPerDay,
        rejected: this.stats.rateLimited,
        usage: [...this.rateUsage].map(([key, used]) => {
          const [client_id, day] = key.split('|');
          return { client_id, day, used };
        }),
      },
      callbacks: {
        deliveries: deliveries.length,
        delivered: deliveries.filter((d) => d.delivered).length,
        attempts: deliveries.reduce((n, d) => n + d.attempts.length, 0),
      },
      open_timers: this.timers.size,
    };
  }
}

// ---- routing -----------------------------------------------------------------------------------

const API_ROUTES = [
  { method: 'POST', re: /^\/pay\/gateway\/initiate$/, name: 'POST /pay/gateway/initiate' },
  { method: 'POST', re: /^\/pay\/gateway\/request$/, name: 'POST /pay/gateway/request' },
  { method: 'GET', re: /^\/pay\/gateway\/quotes$/, name: 'GET /pay/gateway/quotes' },
  { method: 'GET', re: /^\/pay\/gateway\/payment\/([^/]+)\/status$/, name: 'GET /pay/gateway/payment/:id/status' },
  // Also served at the server root: the docs print this one without the /coinbar/api/v2 base.
  { method: 'GET', re: /^\/paymentgateway\/reports\/([^/]+)$/, name: 'GET /paymentgateway/reports/:id', atRoot: true },
];

function matchApiRoute(method, sub, underBase) {
  for (const r of API_ROUTES) {
    if (!underBase && !r.atRoot) continue;
    const m = r.re.exec(sub);
    if (!m) continue;
    if (r.method !== method) return { methodNotAllowed: true, allow: `${r.method} ${sub}` };
    return { name: r.name, params: m.slice(1) };
  }
  return null;
}

// ---- CLI ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { allowedHosts: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.split('=', 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--port' || flag === '-p') args.port = Number(value());
    else if (flag === '--no-dedupe') args.dedupe = false;
    else if (flag === '--host') args.host = value();
    else if (flag === '--db') args.db = value();
    else if (flag === '--allowed-host') args.allowedHosts.push(value());
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown argument ${a} (--help lists the options)`);
  }
  return args;
}

function clientsFromEnv(env) {
  const clients = env.SANDBOX_CLIENTS ? JSON.parse(env.SANDBOX_CLIENTS) : [{ ...DEMO_CLIENT }];
  if (!Array.isArray(clients) || clients.some((c) => typeof c?.id !== 'string' || typeof c?.secret !== 'string')) {
    throw new Error('SANDBOX_CLIENTS must be a JSON array of { "id", "secret", "callbackUrl"?, "webCallbackUrl"? }');
  }
  for (const c of clients) {
    if (env.SANDBOX_CALLBACK_URL && !c.callbackUrl) c.callbackUrl = env.SANDBOX_CALLBACK_URL;
    if (env.SANDBOX_WEB_CALLBACK_URL && !c.webCallbackUrl) c.webCallbackUrl = env.SANDBOX_WEB_CALLBACK_URL;
  }
  return clients;
}

/**
 * One line for a port that cannot be had (EADDRINUSE / EACCES), naming the port and how to choose
 * another; null for any other error. `how` names the option(s), e.g. "--port N or SANDBOX_PORT=N".
 */
export function listenErrorLine(err, { what = 'the sandbox', how = '--port N' } = {}) {
  const port = err?.port;
  const host = err?.address ?? '127.0.0.1';
  if (err?.code === 'EADDRINUSE') {
    return `port ${port} on ${host} (${what}) is already in use, probably by another sandbox or demo: stop that one, or choose another port with ${how}; 0 picks any free port`;
  }
  if (err?.code === 'EACCES') return `port ${port} on ${host} (${what}) is not allowed for this user: choose another with ${how} (above 1023)`;
  return null;
}

/** The fault kinds with one line each, for --help (from faults.js, the one list). */
export function faultHelp(indent = '  ') {
  return FAULT_KINDS.map((k) => `${indent}${k.padEnd(24)}${FAULT_HELP[k] ?? ''}`).join('\n');
}

/** The state line of the banner. */
export const stateLine = (db) => (db ? `${db} (SQLite: payments, clients and the callback log survive a restart)` : 'in memory (lost when the sandbox stops; --db FILE keeps it)');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(
      'usage: node www/sandbox/server.js [--port 8790] [--host 127.0.0.1] [--no-dedupe] [--db FILE] [--allowed-host NAME]...\n' +
        '  --port N             port (default SANDBOX_PORT or 8790; 0 = any free port)\n' +
        '  --no-dedupe          every POST creates a new payment (no duplicate rule), as a Coinbar without one would\n' +
        '  --db FILE            keep payments, clients and the callback log in a SQLite file across restarts\n' +
        '                       (needs better-sqlite3: npm install --save-dev better-sqlite3); default: in memory\n' +
        '  --allowed-host NAME  also answer requests addressed to NAME (only 127.0.0.1, localhost, [::1] otherwise:\n' +
        '                       a guard against DNS rebinding); repeatable\n' +
        'env: SANDBOX_PORT, SANDBOX_DB, SANDBOX_ALLOWED_HOSTS (comma-separated), SANDBOX_CLIENTS (JSON array),\n' +
        '     SANDBOX_CALLBACK_URL, SANDBOX_WEB_CALLBACK_URL, SANDBOX_DEDUPE=false\n' +
        'fault kinds (POST /__sandbox/faults {"kind", "count"?, "path"?}, or npx coinbar-pay fault <kind>):\n' +
        faultHelp(),
    );
    return;
  }
  const clients = clientsFromEnv(process.env);
  const port = args.port ?? (process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : 8790);
  const dedupe = args.dedupe ?? process.env.SANDBOX_DEDUPE !== 'false';
  const db = args.db ?? (process.env.SANDBOX_DB || undefined);
  const allowedHosts = [
    ...args.allowedHosts,
    ...(process.env.SANDBOX_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  ];
  let sandbox;
  try {
    sandbox = await startSandbox({ port, host: args.host ?? '127.0.0.1', clients, dedupe, db, allowedHosts });
  } catch (err) {
    const line = listenErrorLine(err, { how: '--port N or SANDBOX_PORT=N (make sandbox SANDBOX_PORT=N)' });
    if (line || err.name === 'PersistenceError') {
      console.error(`sandbox: ${line ?? err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // One write, so a reader of stdout sees the whole banner at once.
  const lines = [`CoinbarPay sandbox listening on ${sandbox.url}`];
  lines.push(`  API base URL:  ${sandbox.baseUrl}`);
  lines.push(`  Duplicate rule: ${dedupe ? 'on (same payment_request_id + same content replays the original)' : 'off (every POST creates a payment)'}`);
  lines.push(`  State:         ${stateLine(sandbox.db)}`);
  if (sandbox.allowedHosts.length) lines.push(`  Host names:    127.0.0.1, localhost, [::1], ${sandbox.allowedHosts.join(', ')}`);
  lines.push(`  Control:       ${sandbox.url}/__sandbox/payments`);
  for (const c of clients) {
    lines.push(`  Client id:     ${c.id}`);
    lines.push(`  Client secret: ${c.secret}`);
    if (c.callbackUrl) lines.push(`  Callback URL:  ${c.callbackUrl}`);
    if (c.webCallbackUrl) lines.push(`  Web callback:  ${c.webCallbackUrl}`);
  }
  console.log(lines.join('\n'));
  const stop = () => sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main().catch((err) => {
    console.error(`sandbox: ${err.message}`);
    process.exit(1);
  });
}
