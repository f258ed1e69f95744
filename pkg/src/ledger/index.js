// coinbar-pay/ledger: the payment ledger on the merchant's own database (Cloudflare D1,
// better-sqlite3, node-postgres). Server only. See docs/ledger.md.
//
//   const ledger = createLedger({ db: env.DB });          // or a better-sqlite3 Database, a pg.Pool
//   await ledger.migrate();
//   const view = await ledger.checkout(orderId, input, { cbpay });
//   const { status, outcome } = await ledger.handleCallback(cbpay, rawBody, headers);
//   await ledger.reconcile({ cbpay });  await ledger.drain(send);  await ledger.prune();
import { statusInfo } from 'coinbar-pay';
import { budgetConfig, reserve, usage } from './budget.js';
import { checkout, orderView, refresh } from './checkout.js';
import { executorFor } from './drivers.js';
import { LedgerError } from './errors.js';
import { applyEvent } from './events.js';
import { anomalies, prune, settleAnomaly } from './maintenance.js';
import { drain, outboxRows, retryDead } from './outbox.js';
import { reconcile } from './reconcile.js';
import { DEFAULT_PREFIX, migrate, migrationSql, tableNames } from './schema.js';
import { callbackStore } from './store.js';

export { LedgerError, migrationSql, tableNames, DEFAULT_PREFIX };
export { parseInstant } from './time.js';
/** The ledger's executor for a D1 binding, better-sqlite3 Database or pg.Pool (your own tables on the same driver). */
export { executorFor as createExecutor } from './drivers.js';
export { DEFAULT_SHARES } from './budget.js';

const DEFAULTS = {
  paymentWindowMs: 15 * 60_000, // how long a payment stays payable (Coinbar's timeout)
  reconcileAfterMs: 180_000, // first reconciliation check of an attempt; then 2x, 4x…
  maxBackoffMs: 3_600_000,
  reconcilePerRun: 20,
  hotMs: 30 * 60_000, // "recent": customer activity or creation within this window
  settleAfterMs: 2_000, // wait before asking Coinbar about an unknown checkout outcome
  unknownRecheckMs: 30_000, // reconciliation asks again this soon after an unknown outcome
  unknownAfterMs: 120_000, // Coinbar still has no payment this long after the POST: not created
  refreshGapMs: 30_000, // at most one status call per attempt per this, from page refreshes
  leaseMs: 60_000, // callback claim lease
  outboxMaxAttempts: 8,
  outboxBackoffMs: 30_000,
};

const defaultRequestId = (orderId, attempt) => `${orderId}.${attempt}`;

class Ledger {
  #L;

  constructor(options) {
    const { db, dialect, prefix = DEFAULT_PREFIX, budget, onAnomaly, onPaid, now = () => Date.now(), paymentRequestId = defaultRequestId, ...rest } = options ?? {};
    if (!db) throw new LedgerError('config', 'db: pass your database: a Cloudflare D1 binding (env.DB), a better-sqlite3 Database or a pg.Pool');
    for (const k of Object.keys(rest)) if (!(k in DEFAULTS)) throw new LedgerError('config', `${k}: not an option of createLedger`);
    const L = {
      exec: executorFor(db, dialect),
      t: tableNames(prefix),
      prefix,
      now,
      statusInfo,
      budget: budgetConfig(budget),
      opts: { ...DEFAULTS, ...rest },
      paymentRequestId,
      onPaid,
      hooks: { onAnomaly },
      async hook(name, value) {
        try {
          await L.hooks[name]?.(value);
        } catch {
          // A hook that fails must not undo what is recorded; the query lists it anyway.
        }
      },
    };
    L.leaseMs = L.opts.leaseMs;
    L.store = callbackStore(L);
    this.#L = L;
    /** The SDK CallbackStore (owner-token contract), for calling cbpay.handleCallback yourself. */
    this.store = L.store;
    /** The callback handler to pass with it: applies the event; throws LedgerError 'unknown_payment' (answer 503) when its attempt is not known yet. */
    this.handler = (event) => this.#apply(event);
    this.dialect = L.exec.dialect;
    this.tables = { ...L.t };
  }

  async #apply(event, source = 'callback') {
    const r = await applyEvent(this.#L, event, { source, eventKey: event?.idempotency_key });
    if (r.outcome === 'pending') {
      throw new LedgerError('unknown_payment', `no attempt for payment_request_id ${r.payment_request_id} yet: the callback is stored and applied when it appears`, { stored: true });
    }
    return r;
  }

  /** Create the tables (once; safe to call on every start and from several instances). */
  /** Apply the ledger's migration, then your own `files` ([{ name, sql }]) in the same bookkeeping; each once. */
  migrate({ files = [] } = {}) {
    if (!Array.isArray(files) || !files.every((f) => typeof f?.name === 'string' && typeof f?.sql === 'string')) {
      throw new LedgerError('config', 'migrate: files must be [{ name, sql }] (e.g. your wrangler migration files)');
    }
    return migrate(this.#L.exec, this.#L.prefix, files);
  }

  checkout(orderId, input, options) {
    return checkout(this.#L, orderId, input, options);
  }

  /** The order as the page shows it (no Coinbar call); counts as customer activity unless { touch: false }. */
  async payment(orderId, { touch = true } = {}) {
    if (touch) await this.#L.exec.run(`UPDATE ${this.#L.t.orders} SET last_activity_at = ? WHERE order_id = ?`, [this.#L.now(), orderId]);
    return orderView(this.#L, orderId);
  }

  refresh(orderId, options) {
    return refresh(this.#L, orderId, options);
  }

  /**
   * Verify and process a Coinbar callback: cbpay.handleCallback with this ledger as store and
   * handler. Resolves to { status, outcome, event?, retryAfter? } — answer Coinbar with `status`:
   * 200 processed / duplicate, 409 in_progress, 503 unknown_payment (stored; Coinbar sends it
   * again), 401 bad signature, 400 not a callback, 500 failed (released; Coinbar sends it again).
   */
  async handleCallback(cbpay, rawBody, headers, { leaseMs = this.#L.leaseMs } = {}) {
    const options = { store: this.store, handler: (event) => this.#apply(event), leaseMs };
    try {
      const r = await cbpay.handleCallback(rawBody, headers, options);
      return { status: r.status, outcome: r.outcome, event: r.event };
    } catch (e) {
      if (e?.code === 'unknown_payment') return { status: 503, outcome: 'unknown_payment', retryAfter: 60 };
      if (e?.code === 'signature') return { status: 401, outcome: 'bad_signature', error: e };
      if (e?.code === 'decode') return { status: 400, outcome: 'bad_request', error: e };
      if (e?.code === 'config') throw e;
      return { status: 500, outcome: 'failed', error: e };
    }
  }

  /** Apply a status answer you fetched yourself (paymentStatus / findPayment) through the ledger. */
  applyStatus(payment, { source = 'refresh' } = {}) {
    return applyEvent(this.#L, payment, { source });
  }

  reconcile(options) {
    return reconcile(this.#L, options);
  }

  drain(send = this.#L.onPaid, options) {
    return drain(this.#L, send, options);
  }

  outbox(query) {
    return outboxRows(this.#L, query);
  }

  retryDead(orderId) {
    return retryDead(this.#L, orderId);
  }

  anomalies(query) {
    return anomalies(this.#L, query);
  }

  settleAnomaly(key, note) {
    return settleAnomaly(this.#L, key, note);
  }

  /** Reserve one Coinbar call of a purpose (e.g. 'quotes') from today's shared budget: false when spent. */
  reserve(purpose) {
    return reserve(this.#L, purpose);
  }

  budget() {
    return usage(this.#L);
  }

  prune(options) {
    return prune(this.#L, options);
  }
}

/** createLedger({ db, dialect?, prefix?, budget?, onAnomaly?, onPaid?, …timings }) */
export function createLedger(options) {
  return new Ledger(options);
}
