// Backend callbacks (BE_URL_CALLBACK): signed POSTs of the payment on every final status,
// retried with exponential backoff until a 2xx, every attempt logged for inspection.

import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { stringifyJson } from './json.js';

/** The callback body for a payment (JSON text, amounts with every digit): coinbar-api.md §5. */
export const callbackBody = (payment) => stringifyJson(payment.callbackView());

/**
 * The headers Coinbar sends with a callback: the client id in CBPAY-API-KEY and
 * SIGNATURE = hex HMAC-SHA256(secret, raw body bytes). Also used by `coinbar-pay trigger`.
 */
export function callbackHeaders(client, body) {
  return {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'CBPAY-API-KEY': client.id,
    SIGNATURE: createHmac('sha256', client.secret).update(body).digest('hex'),
    'User-Agent': 'coinbar-pay-sandbox',
  };
}

export class CallbackDispatcher {
  /**
   * @param {{ timers: import('./timers.js').TimerSet, retry: () => { attempts: number,
   *           baseDelayMs: number, timeoutMs?: number }, now: () => number }} deps
   */
  constructor({ timers, retry, now, onChange = () => {} }) {
    this.timers = timers;
    this.retry = retry;
    this.now = now;
    this.onChange = onChange; // every new delivery and every attempt (--db keeps the log)
    this.deliveries = [];
    this.inFlight = new Set();
    this.nextId = 1;
    this.headers = new WeakMap(); // delivery -> headers sent (not part of the delivery log)
  }

  reset() {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    this.deliveries = [];
  }

  close() {
    this.reset();
  }

  /**
   * Restores a stored delivery log after a restart. A delivery that had not finished (neither
   * delivered nor out of attempts) is resumed: its next attempt goes out after the backoff
   * delay, with the same bytes and the signature recomputed from its client.
   * @param {Array<object>} deliveries
   * @param {(clientId: string) => { id: string, secret: string } | undefined} clientFor
   */
  load(deliveries, clientFor) {
    this.deliveries = deliveries;
    this.nextId = deliveries.reduce((max, d) => Math.max(max, d.id), 0) + 1;
    for (const d of deliveries) {
      const client = clientFor(d.client_id);
      if (d.finished || !client) continue;
      this.headers.set(d, callbackHeaders(client, d.body));
      this.timers.set(() => this.#attempt(d), d.next_attempt_in_ms ?? this.retry().baseDelayMs);
    }
  }

  /**
   * Queues delivery of `body` (JSON text) to `url`. Headers as Coinbar sends them: the client
   * id in CBPAY-API-KEY and SIGNATURE = hex HMAC-SHA256(secret, raw body bytes).
   */
  deliver({ client, url, body, payment }) {
    const headers = callbackHeaders(client, body);
    const delivery = {
      id: this.nextId++,
      client_id: client.id,
      payment_request_id: payment.paymentRequestId,
      payment_id_coinbar: payment.paymentIdCoinbar,
      status: payment.status,
      url,
      body,
      signature: headers.SIGNATURE,
      attempts: [],
      delivered: false,
      finished: false,
    };
    this.deliveries.push(delivery);
    this.headers.set(delivery, headers);
    this.onChange(delivery);
    this.#attempt(delivery);
    return delivery;
  }

  async #attempt(delivery) {
    const { attempts, baseDelayMs, timeoutMs = 5000 } = this.retry();
    const started = Date.now();
    const record = { attempt: delivery.attempts.length + 1, at: new Date(this.now()).toISOString() };
    try {
      record.status_code = await this.#post(delivery, timeoutMs);
    } catch (err) {
      record.error = err.code ? `${err.code}: ${err.message}` : err.message;
    }
    record.duration_ms = Date.now() - started;
    if (!this.deliveries.includes(delivery)) return; // reset() meanwhile
    delivery.attempts.push(record);
    if (record.status_code >= 200 && record.status_code < 300) {
      delivery.delivered = true;
      delivery.finished = true;
      return this.onChange(delivery);
    }
    if (delivery.attempts.length >= attempts) {
      delivery.finished = true;
      return this.onChange(delivery);
    }
    // Exponential backoff: base, 2×base, 4×base, …
    const delay = baseDelayMs * 2 ** (delivery.attempts.length - 1);
    delivery.next_attempt_in_ms = delay;
    this.onChange(delivery);
    this.timers.set(() => this.#attempt(delivery), delay);
  }

  #post(delivery, timeoutMs) {
    return new Promise((resolve, reject) => {
      const target = new URL(delivery.url);
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(target, {
        method: 'POST',
        agent: false, // no keep-alive: nothing may outlive close()
        timeout: timeoutMs,
        headers: this.headers.get(delivery),
      });
      this.inFlight.add(req);
      const done = () => this.inFlight.delete(req);
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        done();
        reject(err);
      });
      req.on('response', (res) => {
        res.resume(); // the body does not matter
        res.on('end', () => {
          done();
          resolve(res.statusCode);
        });
        res.on('error', (err) => {
          done();
          reject(err);
        });
      });
      req.end(delivery.body);
    });
  }

  list() {
    return this.deliveries;
  }
}
