// Payments: creation, the duplicate rule, the life cycle and the JSON views of a payment.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { coinName, convert, depositFor, paymentString, rateText } from './coins.js';
import { formatDecimal, parseDecimal } from './decimal.js';
import { RawNumber } from './json.js';
import { productsTotal } from './validate.js';

export const STATUS = Object.freeze({
  CREATED: 'CREATED',
  PENDING: 'PENDING',
  SUCCESS: 'SUCCESS',
  FAILED: 'FAILED',
  CANCELED: 'CANCELED', // one L, as Coinbar spells it
});

const FINAL = new Set([STATUS.SUCCESS, STATUS.FAILED, STATUS.CANCELED]);
export const isFinal = (status) => FINAL.has(status);

const DESCRIPTIONS = {
  CREATED: 'Waiting for payment',
  PENDING: 'Waiting for network confirmation',
  SUCCESS: 'Payment completed',
  FAILED: 'Timeout',
  CANCELED: 'Canceled by client request',
};

/** Thrown for a transition that is not allowed from the current status (→ 409). */
export class ConflictError extends Error {}

/**
 * request_token: base64 of random bytes. Coinbar's tokens are base64 and may hold `+ / =`; the
 * sandbox always issues one that holds all three so any SDK that forgets to URL-encode the
 * gateway URL is caught.
 */
function newRequestToken() {
  for (;;) {
    const token = randomBytes(34).toString('base64'); // 34 bytes → always ends in "=="
    if (token.includes('+') && token.includes('/')) return token;
  }
}

const keyOf = (clientId, paymentRequestId) => `${clientId}\u0000${paymentRequestId}`;
const iso = (ms) => new Date(ms).toISOString();

export class PaymentStore {
  /**
   * @param {{ now: () => number, timers: import('./timers.js').TimerSet,
   *           timeoutMs: () => number, onFinal: (payment) => void,
   *           onChange?: (payment) => void, onCounter?: (counter) => void }} deps
   * `onChange` / `onCounter` see every change of a payment / of a duplicate counter (--db).
   */
  constructor({ now, timers, timeoutMs, onFinal, onChange = () => {}, onCounter = () => {} }) {
    this.now = now;
    this.timers = timers;
    this.timeoutMs = timeoutMs;
    this.onFinal = onFinal;
    this.onChange = onChange;
    this.onCounter = onCounter;
    this.reset();
  }

  /** Tells the persistence layer that `p` changed outside the store (e.g. originalResponse). */
  touch(p) {
    this.onChange(p);
  }

  /**
   * Restores stored payments (oldest first) and counters after a restart, and re-arms what was
   * running: the timeout of every open payment and a delayed confirmation (`pay?delayMs`).
   */
  load(records, counters) {
    for (const c of counters) this.counters.set(keyOf(c.client_id, c.payment_request_id), { ...c });
    for (const record of records) {
      const p = Payment.fromRecord(record);
      this.byKey.set(keyOf(p.clientId, p.paymentRequestId), p);
      this.byToken.set(p.requestToken, p);
      if (isFinal(p.status)) continue;
      p.timerCancels.push(this.timers.set(() => this.expire(p, { quiet: true }), p.expiresAt - this.now()));
      if (p.status === STATUS.PENDING && p.confirmAt) {
        p.timerCancels.push(this.timers.set(() => this.confirm(p, { quiet: true }), p.confirmAt - Date.now()));
      }
    }
  }

  reset() {
    for (const p of this.byKey?.values() ?? []) p.cancelTimers();
    this.byKey = new Map();
    this.byToken = new Map();
    /** Per (client, payment_request_id): how many payments were created / replayed. */
    this.counters = new Map();
  }

  all() {
    return [...this.byKey.values()];
  }

  get(clientId, paymentRequestId) {
    const p = this.byKey.get(keyOf(clientId, paymentRequestId));
    if (p) this.expireIfDue(p);
    return p;
  }

  /** All clients' payments with that payment_request_id (control endpoints may omit the client). */
  findById(paymentRequestId) {
    return this.all().filter((p) => p.paymentRequestId === paymentRequestId);
  }

  getByToken(token) {
    const p = this.byToken.get(token);
    if (p) this.expireIfDue(p);
    return p;
  }

  counter(clientId, paymentRequestId) {
    const key = keyOf(clientId, paymentRequestId);
    if (!this.counters.has(key)) {
      this.counters.set(key, { client_id: clientId, payment_request_id: paymentRequestId, created: 0, replayed: 0, conflicts: 0 });
    }
    return this.counters.get(key);
  }

  /**
   * Duplicate rule (our decision, see README): the same payment_request_id for the same client
   * with the SAME content (everything but `timestamp`, and the same endpoint) is an idempotent
   * replay of the original; with different content it is a conflict.
   * @returns {{ kind: 'new' } | { kind: 'replay', payment } | { kind: 'conflict' }}
   */
  checkDuplicate(clientId, body, endpoint) {
    const existing = this.byKey.get(keyOf(clientId, body.payment_request_id));
    if (!existing) return { kind: 'new' };
    const counter = this.counter(clientId, body.payment_request_id);
    if (existing.fingerprint === fingerprint(body, endpoint)) {
      counter.replayed += 1;
      this.onCounter(counter);
      return { kind: 'replay', payment: existing };
    }
    counter.conflicts += 1;
    this.onCounter(counter);
    return { kind: 'conflict' };
  }

  /** Creates a payment from a validated body. `endpoint` is 'initiate' or 'request'. */
  create(clientId, body, endpoint) {
    const created = this.now();
    const p = new Payment({
      clientId,
      endpoint,
      body,
      fingerprint: fingerprint(body, endpoint),
      createdAt: created,
      expiresAt: created + this.timeoutMs(),
    });
    if (endpoint === 'initiate') p.chooseCoin(body.destination_coin);
    this.byKey.set(keyOf(clientId, p.paymentRequestId), p);
    this.byToken.set(p.requestToken, p);
    const counter = this.counter(clientId, p.paymentRequestId);
    counter.created += 1;
    this.onCounter(counter);
    this.onChange(p);
    // Timeout: a timer for real time, plus expireIfDue() on every read for an injected clock.
    const cancel = this.timers.set(() => this.expire(p, { quiet: true }), this.timeoutMs());
    p.timerCancels.push(cancel);
    return p;
  }

  // ---- life cycle: CREATED → PENDING → SUCCESS / FAILED / CANCELED ----------------------

  expireIfDue(p) {
    if (!isFinal(p.status) && this.now() >= p.expiresAt) this.expire(p, { quiet: true });
  }

  #transition(p, status, descr = DESCRIPTIONS[status]) {
    p.status = status;
    p.statusDescr = descr;
    p.updatedAt = Math.max(this.now(), p.createdAt);
    p.history.push({ status, at: iso(p.updatedAt) });
    if (isFinal(status)) p.cancelTimers();
    this.onChange(p); // stored before the callback goes out and before the answer is sent
    if (isFinal(status)) this.onFinal(p);
  }

  #requireNotFinal(p, action) {
    if (isFinal(p.status)) throw new ConflictError(`cannot ${action}: payment is already ${p.status}`);
  }

  /** Customer sends the coins: PENDING, then SUCCESS now or after delayMs. */
  pay(p, { delayMs = 0, coin } = {}) {
    this.expireIfDue(p);
    this.#requireNotFinal(p, 'pay');
    if (p.status !== STATUS.CREATED) throw new ConflictError(`cannot pay: payment is already ${p.status}`);
    if (!p.coin) p.chooseCoin(coin ?? 'BTC');
    else if (coin && coin !== p.coin) throw new ConflictError(`cannot pay in ${coin}: the payment is in ${p.coin}`);
    p.markPaid(this.now());
    if (delayMs > 0) p.confirmAt = Date.now() + delayMs; // real time, like the timer (kept across a restart)
    this.#transition(p, STATUS.PENDING);
    if (delayMs > 0) {
      p.timerCancels.push(this.timers.set(() => this.confirm(p, { quiet: true }), delayMs));
    } else {
      this.#transition(p, STATUS.SUCCESS);
    }
    return p;
  }

  /** Network confirmation: PENDING → SUCCESS. */
  confirm(p, { quiet = false } = {}) {
    if (quiet && p.status !== STATUS.PENDING) return p;
    this.#requireNotFinal(p, 'confirm');
    if (p.status !== STATUS.PENDING) throw new ConflictError(`cannot confirm: payment is ${p.status}, not PENDING`);
    this.#transition(p, STATUS.SUCCESS);
    return p;
  }

  cancel(p) {
    this.expireIfDue(p);
    this.#requireNotFinal(p, 'cancel');
    this.#transition(p, STATUS.CANCELED);
    return p;
  }

  /** Payment window over without (confirmed) payment: FAILED with status_descr "Timeout". */
  expire(p, { quiet = false } = {}) {
    if (quiet && isFinal(p.status)) return p;
    this.#requireNotFinal(p, 'expire');
    this.#transition(p, STATUS.FAILED, 'Timeout');
    return p;
  }
}

/** Content of a body for the duplicate rule: everything except `timestamp`. */
function fingerprint(body, endpoint) {
  const { timestamp, ...rest } = body;
  return `${endpoint}:${JSON.stringify(rest)}`;
}

export class Payment {
  constructor({ clientId, endpoint, body, fingerprint, createdAt, expiresAt }) {
    this.clientId = clientId;
    this.endpoint = endpoint;
    this.body = body;
    this.fingerprint = fingerprint;
    this.paymentRequestId = body.payment_request_id;
    this.paymentIdCoinbar = randomUUID();
    this.requestToken = newRequestToken();
    this.inputCoin = body.input_coin;
    this.products = body.products;
    this.total = productsTotal(body.products);
    this.urlcallback = body.urlcallback ?? null;
    this.status = STATUS.CREATED;
    this.statusDescr = DESCRIPTIONS.CREATED;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
    this.expiresAt = expiresAt;
    this.history = [{ status: STATUS.CREATED, at: iso(createdAt) }];
    this.coin = null; // chosen at creation (initiate) or on the hosted page (request)
    this.transactionId = null;
    this.walletOrigin = null;
    this.paidAt = null;
    this.originalResponse = null; // { status, headers, body } replayed for duplicates
    this.confirmAt = null; // Date.now() of a delayed confirmation (pay?delayMs)
    this.timerCancels = [];
  }

  /** Plain JSON-able copy for the database (decimals as text, no timers). */
  toRecord() {
    const { timerCancels, total, amount, ...rest } = this;
    return { ...rest, total: formatDecimal(total), amount: amount === undefined ? null : formatDecimal(amount) };
  }

  static fromRecord(record) {
    const { total, amount, ...rest } = record;
    const p = Object.assign(Object.create(Payment.prototype), rest);
    p.total = parseDecimal(total);
    if (amount !== null && amount !== undefined) p.amount = parseDecimal(amount);
    p.timerCancels = [];
    return p;
  }

  cancelTimers() {
    for (const cancel of this.timerCancels) cancel();
    this.timerCancels = [];
  }

  /** Fixes the coin, the rate (fixed at this moment), the amount and the deposit address. */
  chooseCoin(code) {
    this.coin = code;
    this.rate = rateText(code, this.inputCoin);
    this.amount = convert(this.total, code, this.inputCoin);
    const { address, memo } = depositFor(code, this.paymentIdCoinbar);
    this.address = address;
    this.memo = memo;
    this.paymentString = paymentString(code, address, memo, this.amount);
  }

  markPaid(at) {
    const seed = `${this.paymentIdCoinbar}:tx`;
    const hex = createHash('sha256').update(seed).digest('hex');
    this.transactionId = ['ETH', 'USDT'].includes(this.coin) ? `0x${hex}` : hex.toUpperCase();
    this.walletOrigin = depositFor(this.coin, `${this.paymentIdCoinbar}:from`).address;
    this.paidAt = at;
  }

  get tradePair() {
    return this.coin ? `${this.coin}/${this.inputCoin}` : null;
  }

  // ---- JSON views (RawNumber keeps every digit of amounts and rates) ----------------------

  /** POST /pay/gateway/initiate 200 body. */
  initiateResponse() {
    return {
      result: 'success',
      request_token: this.requestToken,
      payment_id_coinbar: this.paymentIdCoinbar,
      payment_total_price: RawNumber.of(this.total),
      trade_pair: this.tradePair,
      payment_string: this.paymentString,
      destination_coin_change: new RawNumber(this.rate),
      destination_amount: RawNumber.of(this.amount),
      destination_address: this.address,
      destination_memo: this.memo,
    };
  }

  /** POST /pay/gateway/request 200 body. */
  requestResponse() {
    return { result: 'success', request_token: this.requestToken, payment_id_coinbar: this.paymentIdCoinbar };
  }

  /** GET /pay/gateway/payment/{id}/status body (coinbar-api.md §3.5). Coin fields are null until chosen. */
  statusView() {
    return {
      payment_id_coinbar: this.paymentIdCoinbar,
      payment_request_id_client: this.paymentRequestId,
      service_client_id: this.clientId,
      status: this.status,
      payment_detail: {
        destination_coin: this.coin,
        trade_pair: this.tradePair,
        destination_amount: this.coin ? RawNumber.of(this.amount) : null,
        coin_change: this.coin ? new RawNumber(this.rate) : null,
        total_price: RawNumber.of(this.total),
      },
      input_coin: this.inputCoin,
      creation_time: iso(this.createdAt),
      update_time: iso(this.updatedAt),
      status_descr: this.statusDescr,
    };
  }

  customer() {
    return {
      external_user_id: this.body.user_id,
      name: this.body.name ?? '',
      surname: this.body.surname ?? '',
      email: this.body.email,
    };
  }

  /** Backend callback body (coinbar-api.md §5): the status shape plus customer and products. */
  callbackView() {
    return { result: 'success', ...this.statusView(), customer: this.customer(), products: this.products };
  }

  /** GET /paymentgateway/reports/{id} body (coinbar-api.md §3.6), with Mongo-style {"$date"} dates. */
  reportView() {
    const date = (ms) => (ms === null ? null : { $date: iso(ms) });
    return {
      payment_id_coinbar: this.paymentIdCoinbar,
      payment_request_id_client: this.paymentRequestId,
      service_client_id: this.clientId,
      status: this.status,
      status_descr: this.statusDescr,
      input_coin: this.inputCoin,
      customer: { ...this.customer(), post_balance: '0' }, // a string in the real reports
      products: this.products,
      payment_detail: {
        transaction_id: this.transactionId,
        type: 'payment',
        wallet_origin: this.walletOrigin,
        coin: this.coin,
        pair: this.tradePair,
        amount_crypto: this.coin ? RawNumber.of(this.amount) : null,
        timestamp: date(this.paidAt),
        coin_price: this.coin ? new RawNumber(this.rate) : null,
        total_price: RawNumber.of(this.total),
        transaction_timeout_date: date(this.expiresAt),
        payment_string: this.coin ? this.paymentString : null,
      },
      urlcallback: this.urlcallback,
      market_data: { current_change: this.coin ? new RawNumber(this.rate) : null },
      creation_time: date(this.createdAt),
      update_time: date(this.updatedAt),
    };
  }

  /** What /__sandbox/payments shows. */
  inspectView(counter) {
    return {
      client_id: this.clientId,
      payment_request_id: this.paymentRequestId,
      endpoint: this.endpoint,
      request_token: this.requestToken,
      created_count: counter?.created ?? 1,
      replay_count: counter?.replayed ?? 0,
      conflict_count: counter?.conflicts ?? 0,
      expires_at: iso(this.expiresAt),
      coin_name: this.coin ? coinName(this.coin) : null,
      destination_address: this.coin ? this.address : null,
      destination_memo: this.coin ? this.memo : null,
      payment_string: this.coin ? this.paymentString : null,
      history: this.history,
      status: this.statusView(),
    };
  }
}
