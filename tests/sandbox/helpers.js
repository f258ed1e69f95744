// Test helpers for the sandbox: signing with node:crypto (independent of any project code),
// a raw HTTP client that exposes socket-level failures, a polling helper and a tiny callback
// receiver.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { startSandbox } from '../../www/sandbox/server.js';

export const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
export const OTHER = { id: 'beef0000-0000-4000-8000-000000000002', secret: 'another-secret' };

export const hmac = (secret, message) => createHmac('sha256', secret).update(message).digest('hex');

/** Starts a sandbox with two clients and short timers; the caller closes it (t.after). */
export function start(options = {}) {
  return startSandbox({
    clients: [{ ...CLIENT }, { ...OTHER }],
    callbackRetry: { attempts: 6, baseDelayMs: 20, timeoutMs: 2000 },
    ...options,
  });
}

/**
 * Raw HTTP request (no keep-alive). Resolves { status, headers, text, json() }; rejects with
 * the socket error (ECONNRESET, "aborted", …) or with code 'CLIENT_TIMEOUT' after timeoutMs.
 */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no complete response within ${timeoutMs} ms`), { code: 'CLIENT_TIMEOUT' }));
    }, timeoutMs);
    const fail = (err) => {
      clearTimeout(timer);
      reject(err);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET', partial: Buffer.concat(chunks).toString(), statusCode: res.statusCode })));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.end(body);
  });
}

/** Signed API client for one sandbox client. */
export function apiClient(sandbox, client = CLIENT) {
  return {
    /** POST with `body` an object (sent as JSON.stringify) or raw text sent verbatim. */
    post(path, body, { headers = {}, signWith = client.secret, ...opts } = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return request(sandbox.baseUrl + path, {
        method: 'POST',
        body: raw,
        ...opts,
        headers: {
          'Content-Type': 'application/json',
          source: 'web',
          'CBPAY-API-KEY': client.id,
          SIGNATURE: hmac(signWith, raw),
          ...headers,
        },
      });
    },
    /** GET signed over the query string without "?" (our decision for GET calls). */
    get(path, query = '', { headers = {}, ...opts } = {}) {
      return request(sandbox.baseUrl + path + (query ? `?${query}` : ''), {
        ...opts,
        headers: { 'CBPAY-API-KEY': client.id, SIGNATURE: hmac(client.secret, query), ...headers },
      });
    },
    initiate(overrides = {}, opts) {
      return this.post('/pay/gateway/initiate', initiateBody(client.id, overrides), opts);
    },
    status(paymentRequestId) {
      return this.get(`/pay/gateway/payment/${encodeURIComponent(paymentRequestId)}/status`);
    },
  };
}

let seq = 0;
export const uniqueId = (prefix = 'order') => `${prefix}-${process.pid}-${++seq}`;

/** A valid initiate body in the documented field order. */
export function initiateBody(clientId, overrides = {}) {
  const body = {
    service_client_id: clientId,
    payment_request_id: uniqueId(),
    input_coin: 'EUR',
    products: [
      { product_name: 'Product 1', product_price: 1.99, product_amount: 1, product_id: 'id1', product_type: 'general' },
      { product_name: 'Product 2', product_price: 0.99, product_amount: 2, product_id: 'id2', product_type: 'general' },
    ],
    email: 'customer@example.com',
    surname: 'Rossi',
    name: 'Mario',
    user_id: 'user-42',
    timestamp: Date.now(),
    destination_coin: 'BTC',
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

/** The /request body: initiate minus destination_coin, plus optional urlcallback. */
export function requestBody(clientId, overrides = {}) {
  const { destination_coin, ...body } = initiateBody(clientId);
  return { ...body, ...overrides };
}

/** Unauthenticated control call; `body` is an object or undefined. */
export function control(sandbox, method, path, body) {
  return request(`${sandbox.url}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => ({ ...r, data: r.text ? r.json() : undefined }));
}

/** Polls fn until it returns a truthy value (returned) or the deadline passes (throws). */
export async function waitFor(fn, { timeoutMs = 3000, intervalMs = 10, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A callback receiver: records { headers, raw } of every POST and answers with the next status
 * from `statuses` (the last one repeats).
 */
export async function startReceiver(statuses = [200]) {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, raw: Buffer.concat(chunks) });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/coinbar/callback`,
    received,
    close: () =>
      new Promise((r) => {
        server.close(r);
        server.closeAllConnections();
      }),
  };
}
