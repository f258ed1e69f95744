// The demo shop's store: every read and write of the merchant backend, as SQL over a tiny
// executor interface that two thin drivers implement — Cloudflare D1 (www/app/d1.js, under
// workerd) and SQLite through better-sqlite3 (www/sqlite.js, under Node). One schema, one set
// of migrations (www/app/migrations/, wrangler's D1 format).
//
// Executor (`db`):
//   run(sql, ...params)   -> { changes, rows }   one statement (rows when it has RETURNING)
//   first(sql, ...params) -> row | null
//   all(sql, ...params)   -> rows
//   batch([[sql, params], ...]) -> [{ changes, rows }, ...]   atomically (one transaction)
//
// Every state change is one conditional statement or one batch: safe when several isolates,
// processes or instances act on the same order at once.

const DAY_MS = 86_400_000;

/** Coinbar calls per UTC day, per purpose: the shares of Coinbar's 1,000 calls/day limit. */
export function dailyBudget(env = {}) {
  const total = Number(env.COINBAR_DAILY_CALLS || 1000);
  const share = (name, fraction) => Number(env[`COINBAR_BUDGET_${name}`] || Math.floor(total * fraction));
  // quotes: cached 10 min -> at most 144 fetches a day; refresh: page-triggered status calls,
  // at most one per order per 30 s; reconcile: the scheduled job; checkout: initiate/request.
  return { quotes: share('QUOTES', 0.15), refresh: share('REFRESH', 0.2), reconcile: share('RECONCILE', 0.25), checkout: share('CHECKOUT', 0.4) };
}

const utcDay = (now) => new Date(now).toISOString().slice(0, 10);

/** The order as the API shows it (the page and the tests read these fields). */
export function orderView(row) {
  if (!row) return undefined;
  const payment = row.payment ? JSON.parse(row.payment) : {};
  return {
    id: row.id,
    mode: row.mode,
    payment_state: row.payment_state,
    status: row.status,
    status_descr: row.status_descr,
    status_source: row.status_source,
    is_final: Boolean(row.is_final),
    is_paid: Boolean(row.is_paid),
    last_unknown_status: row.last_unknown_status ?? undefined,
    currency: row.currency,
    total: payment.total ?? row.total,
    items: JSON.parse(row.items),
    email: row.email,
    ...payment,
    callbacks_received: row.callbacks_received,
    paid_via_callback: Boolean(row.paid_via_callback),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

export class Store {
  /** @param db the executor; @param now clock (ms) */
  constructor(db, { now = () => Date.now() } = {}) {
    this.db = db;
    this.now = now;
  }

  // ---- orders -------------------------------------------------------------------------------

  /**
   * Insert a new order (before Coinbar is called), then apply any callback already stored
   * for its id (a callback that arrived before the order): returns the row.
   */
  async createOrder(o, { reconcileAfterMs = 180_000 } = {}) {
    const now = this.now();
    await this.db.run(
      `INSERT INTO orders (id, mode, payment_state, currency, total, items, email, created_at, updated_at, expires_at, next_check_at)
       VALUES (?, ?, 'initiating', ?, ?, ?, ?, ?, ?, ?, ?)`,
      o.id, o.mode, o.currency, o.total, JSON.stringify(o.items), o.email, now, now, o.expires_at, now + reconcileAfterMs,
    );
    return this.getRow(o.id);
  }

  /** Coinbar created the payment: keep its answer. */
  async paymentCreated(id, payment) {
    await this.db.run(
      `UPDATE orders SET payment_state = 'created', payment = ?, updated_at = ? WHERE id = ? AND payment_state <> 'created'`,
      JSON.stringify(payment), this.now(), id,
    );
  }

  /** Coinbar provably did not create a payment: stop reconciling it after its window. */
  async paymentNotCreated(id, reason) {
    await this.db.run(
      `UPDATE orders SET payment_state = 'not_created', status_descr = ?, updated_at = ?, next_check_at = expires_at + ${DAY_MS}
       WHERE id = ? AND payment_state = 'initiating'`,
      String(reason).slice(0, 500), this.now(), id,
    );
  }

  getRow(id) {
    return this.db.first('SELECT * FROM orders WHERE id = ?', id);
  }

  /**
   * Apply a status seen from Coinbar (callback, page refresh, reconciliation) through the one
   * idempotent path. `info` is statusInfo(status). Forward only: a final status (statusInfo's
   * is_final) never changes again, and a non-final one is not replaced by an older Coinbar
   * update_time. A paid order gets its fulfilment row in the same transaction; the UNIQUE
   * order_id makes that exactly once whoever gets there first.
   * Returns { row, fulfilled } (fulfilled: this call created the fulfilment).
   */
  async applyStatus(row, info, { source, descr = null, updatedAt = null, callback = false }) {
    const now = this.now();
    const id = row.id;
    const statements = [];
    if (info.known) {
      statements.push([
        `UPDATE orders SET status = ?, status_descr = ?, status_source = ?, is_final = ?, is_paid = ?,
           coinbar_updated_at = COALESCE(?, coinbar_updated_at), updated_at = ?,
           payment_state = CASE payment_state WHEN 'initiating' THEN 'created' ELSE payment_state END
         WHERE id = ? AND is_final = 0 AND (status <> ? OR COALESCE(status_descr, '') <> COALESCE(?, ''))
           AND (? IS NULL OR coinbar_updated_at IS NULL OR coinbar_updated_at <= ?)`,
        [info.status, descr, source, info.is_final ? 1 : 0, info.is_paid ? 1 : 0, updatedAt, now, id, info.status, descr, updatedAt, updatedAt],
      ]);
    } else {
      statements.push([`UPDATE orders SET last_unknown_status = ?, updated_at = ? WHERE id = ?`, [info.status, now, id]]);
    }
    if (callback) {
      statements.push([
        `UPDATE orders SET callbacks_received = callbacks_received + 1, paid_via_callback = MAX(paid_via_callback, ?) WHERE id = ?`,
        [info.is_paid ? 1 : 0, id],
      ]);
    }
    const mail = fulfilmentMail(row);
    statements.push([
      `INSERT INTO fulfilments (order_id, source, email_to, email_subject, email_body, created_at)
       SELECT id, ?, email, ?, ?, ? FROM orders WHERE id = ? AND is_paid = 1
       ON CONFLICT (order_id) DO NOTHING RETURNING id`,
      [source, mail.subject, mail.body, now, id],
    ]);
    const results = await this.db.batch(statements);
    const fulfilled = results.at(-1).rows.length === 1;
    return { row: await this.getRow(id), fulfilled };
  }

  /** Claim the right to ask Coinbar about an open order now (at most once per `gapMs`). */
  async claimRefresh(id, gapMs) {
    const now = this.now();
    const r = await this.db.run(
      `UPDATE orders SET last_checked_at = ? WHERE id = ? AND is_final = 0 AND (last_checked_at IS NULL OR last_checked_at <= ?)`,
      now, id, now - gapMs,
    );
    return r.changes === 1;
  }

  /**
   * Orders reconciliation should ask about: still open, past `afterMs` of age or past their
   * expiry, due (next_check_at), and not older than a day past expiry. Oldest first.
   */
  dueOrders({ afterMs, limit }) {
    const now = this.now();
    return this.db.all(
      `SELECT * FROM orders WHERE is_final = 0 AND next_check_at <= ? AND (created_at <= ? OR expires_at <= ?)
         AND expires_at + ${DAY_MS} > ? ORDER BY created_at LIMIT ?`,
      now, now - afterMs, now, now, limit,
    );
  }

  /** Claim one reconciliation check of an order (so two instances do not both ask). */
  async claimReconcile(row, backoffMs) {
    const now = this.now();
    const r = await this.db.run(
      `UPDATE orders SET next_check_at = ?, checks = checks + 1, last_checked_at = ? WHERE id = ? AND is_final = 0 AND next_check_at = ?`,
      now + backoffMs, now, row.id, row.next_check_at,
    );
    return r.changes === 1;
  }

  // ---- callbacks (the SDK's CallbackStore) --------------------------------------------------

  /**
   * The CallbackStore of cbpay.handleCallback, on the callback_events table: a claim is owned by
   * the delivery's token, and renew / complete / release act only while the row is claimed with
   * it (docs/callbacks.md). `release` also takes the error, to keep it (the SDK passes none).
   */
  callbackStore() {
    return {
      claim: async (key, token, leaseMs, event) => {
        const now = this.now();
        const claimed = await this.db.run(
          `INSERT INTO callback_events (key, state, token, lease_until, order_id, event, received_at) VALUES (?, 'claimed', ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET state = 'claimed', token = excluded.token, lease_until = excluded.lease_until, deliveries = callback_events.deliveries + 1
             WHERE callback_events.state = 'released' OR (callback_events.state = 'claimed' AND callback_events.lease_until <= ?)
           RETURNING state`,
          key, token, now + leaseMs, event?.payment_request_id_client ?? '', JSON.stringify(event ?? null), now, now,
        );
        if (claimed.rows.length) return 'claimed';
        const seen = await this.db.run(`UPDATE callback_events SET deliveries = deliveries + 1 WHERE key = ? RETURNING state`, key);
        return seen.rows[0]?.state === 'done' ? 'done' : 'busy';
      },
      renew: async (key, token, leaseMs) => {
        const r = await this.db.run(
          `UPDATE callback_events SET lease_until = ? WHERE key = ? AND state = 'claimed' AND token = ? RETURNING key`,
          this.now() + leaseMs, key, token,
        );
        return r.rows.length === 1;
      },
      complete: async (key, token) => {
        await this.db.run(
          `UPDATE callback_events SET state = 'done', done_at = ?, last_error = NULL WHERE key = ? AND state = 'claimed' AND token = ?`,
          this.now(), key, token,
        );
      },
      release: async (key, token, error) => {
        await this.db.run(
          `UPDATE callback_events SET state = 'released', lease_until = 0, last_error = ? WHERE key = ? AND state = 'claimed' AND token = ?`,
          error ? String(error.message ?? error).slice(0, 500) : null, key, token,
        );
      },
    };
  }

  /** Stored callbacks not applied yet whose order now exists (oldest first). */
  pendingEvents({ orderId, limit = 50 } = {}) {
    return orderId
      ? this.db.all(`SELECT key, event FROM callback_events WHERE order_id = ? AND state = 'released' ORDER BY received_at LIMIT ?`, orderId, limit)
      : this.db.all(
          `SELECT e.key, e.event FROM callback_events e JOIN orders o ON o.id = e.order_id WHERE e.state = 'released' ORDER BY e.received_at LIMIT ?`,
          limit,
        );
  }

  // ---- Coinbar's daily limit, caches, rate limits -------------------------------------------

  /** Reserve one Coinbar call of `purpose` today; false when its daily share is spent. */
  async reserveCall(purpose, cap) {
    const r = await this.db.run(
      `INSERT INTO api_budget (day, purpose, used) VALUES (?, ?, 1)
       ON CONFLICT (day, purpose) DO UPDATE SET used = used + 1 WHERE used < ? RETURNING used`,
      utcDay(this.now()), purpose, cap,
    );
    return cap > 0 && r.rows.length === 1;
  }

  budgetUsed() {
    return this.db.all('SELECT purpose, used FROM api_budget WHERE day = ?', utcDay(this.now()));
  }

  async kvGet(key) {
    const row = await this.db.first('SELECT value, expires_at FROM kv WHERE key = ?', key);
    return row ? { value: JSON.parse(row.value), fresh: row.expires_at > this.now(), expires_at: row.expires_at } : undefined;
  }

  kvPut(key, value, ttlMs) {
    return this.db.run(
      'INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
      key, JSON.stringify(value), this.now() + ttlMs,
    );
  }

  /** Count one hit of `key` in the current minute; returns the hits so far in it. */
  async hit(key) {
    const window = Math.floor(this.now() / 60_000);
    const r = await this.db.run(
      `INSERT INTO rate_limits (key, window, hits) VALUES (?, ?, 1) ON CONFLICT (key, window) DO UPDATE SET hits = hits + 1 RETURNING hits`,
      key, window,
    );
    return r.rows[0].hits;
  }

  /** Housekeeping for the scheduled job. */
  async prune() {
    const now = this.now();
    await this.db.batch([
      ['DELETE FROM rate_limits WHERE window < ?', [Math.floor(now / 60_000) - 5]],
      ['DELETE FROM api_budget WHERE day < ?', [utcDay(now - 7 * DAY_MS)]],
    ]);
  }
}

/** The "order paid" e-mail a fulfilment sends (kept in the outbox row). */
function fulfilmentMail(row) {
  const items = JSON.parse(row.items)
    .map((i) => `  ${i.quantity} × ${i.name}`)
    .join('\n');
  return {
    subject: `Bean & Block: order ${row.id} is paid`,
    body: `Thank you! We received your payment for order ${row.id} (${row.total} ${row.currency}).\n\n${items}\n\nYour coffee is on its way.`,
  };
}
