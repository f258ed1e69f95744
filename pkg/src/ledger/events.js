// Applying what Coinbar says about a payment — a callback, a status answer (page refresh,
// reconciliation, checkout settling) — to the ledger. The one path for every source:
//   * an event applies only to the attempt whose payment_id_coinbar it names (an attempt that
//     does not know its id yet, after an unknown outcome, is bound to it by payment_request_id);
//   * an event for a payment of a known order that no attempt names: anomaly 'unknown_payment';
//     for a payment_request_id no attempt has: stored, anomaly 'unknown_order', applied when the
//     attempt appears (outcome 'pending');
//   * forward only, per attempt: stage 1 open < 2 final unpaid < 3 paid; within stage 1 only a
//     strictly newer Coinbar update_time (parsed instants) moves it; a move up a stage is never
//     blocked by an older-looking time; paid wins over FAILED/CANCELED;
//   * the order is paid when any attempt is paid: orders.paid_at and the outbox row are written
//     in the same batch as the transition, once per order; a second paid attempt: 'double_paid'.
import { parseInstant } from './time.js';
import { newToken, processCallback } from '../callbacks.js';
import { LedgerError } from './errors.js';

const DAY_MS = 86_400_000;
const text = (v) => (v === null || v === undefined || v === '' ? null : String(v));

/** The fields the ledger needs from a callback event or a status answer. */
export function eventFields(e) {
  return {
    payment_id_coinbar: text(e?.payment_id_coinbar),
    payment_request_id: text(e?.payment_request_id_client ?? e?.payment_request_id),
    status: String(e?.status ?? ''),
    status_descr: text(e?.status_descr),
    at: parseInstant(e?.update_time),
  };
}

/** Record an anomaly once (by key); calls the onAnomaly hook the first time. Returns it or null. */
export async function recordAnomaly(L, a) {
  const now = L.now();
  const r = await L.exec.run(
    `INSERT INTO ${L.t.anomalies} (key, kind, order_id, payment_request_id, payment_id_coinbar, status, detail, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [a.key, a.kind, a.order_id ?? null, a.payment_request_id ?? null, a.payment_id_coinbar ?? null, a.status ?? null, JSON.stringify(a.detail ?? null), now],
  );
  if (!r.rows.length) return null;
  const anomaly = { ...a, created_at: new Date(now).toISOString(), settled_at: null };
  await L.hook('onAnomaly', anomaly);
  return anomaly;
}

const attemptBy = (L, column, value) => (value ? L.exec.first(`SELECT * FROM ${L.t.attempts} WHERE ${column} = ?`, [value]) : null);

/**
 * Apply one event. `source`: callback | refresh | reconcile | checkout. `eventKey`: the callback
 * row to mark with the outcome (in the same batch). Resolves to
 * { outcome: 'applied' | 'stale' | 'anomaly' | 'pending' | 'unknown_status', order_id, payment_request_id, paid_now }.
 */
export async function applyEvent(L, event, { source, eventKey } = {}) {
  const e = eventFields(event);
  let a = await attemptBy(L, 'payment_id_coinbar', e.payment_id_coinbar);
  if (!a) {
    const byRequest = await attemptBy(L, 'payment_request_id', e.payment_request_id);
    if (byRequest && !byRequest.payment_id_coinbar && e.payment_id_coinbar) {
      // The attempt's POST had an unknown outcome (or its answer is not written yet): Coinbar
      // created exactly this payment for our payment_request_id. Bind it.
      await L.exec.run(
        `UPDATE ${L.t.attempts} SET payment_id_coinbar = ?, state = CASE WHEN state = 'created' THEN state ELSE 'created' END, error = NULL, updated_at = ?
         WHERE payment_request_id = ? AND payment_id_coinbar IS NULL`,
        [e.payment_id_coinbar, L.now(), byRequest.payment_request_id],
      );
      a = await attemptBy(L, 'payment_id_coinbar', e.payment_id_coinbar);
    }
    if (!a) {
      const known = byRequest ?? null;
      const kind = known ? 'unknown_payment' : 'unknown_order';
      await recordAnomaly(L, {
        key: `${kind}/${e.payment_id_coinbar ?? e.payment_request_id}/${e.status}`,
        kind,
        order_id: known?.order_id ?? null,
        payment_request_id: e.payment_request_id,
        payment_id_coinbar: e.payment_id_coinbar,
        status: e.status,
        detail: { source, event, known_payment_id_coinbar: known?.payment_id_coinbar ?? null },
      });
      const outcome = known ? 'anomaly' : 'pending';
      if (eventKey) await markEvent(L, eventKey, outcome, known?.order_id ?? null);
      return { outcome, order_id: known?.order_id ?? null, payment_request_id: e.payment_request_id, paid_now: false };
    }
  }
  return applyToAttempt(L, a, e, { source, eventKey, event });
}

function markEvent(L, key, outcome, orderId) {
  return L.exec.run(`UPDATE ${L.t.events} SET outcome = ?, order_id = COALESCE(?, order_id) WHERE key = ?`, [outcome, orderId, key]);
}

async function applyToAttempt(L, a, e, { source, eventKey, event }) {
  const info = L.statusInfo(e.status || 'UNKNOWN');
  const now = L.now();
  const base = { order_id: a.order_id, payment_request_id: a.payment_request_id, paid_now: false };
  if (!info.known) {
    await L.exec.run(`UPDATE ${L.t.attempts} SET last_unknown_status = ?, updated_at = ? WHERE payment_request_id = ?`, [e.status, now, a.payment_request_id]);
    if (eventKey) await markEvent(L, eventKey, 'unknown_status', a.order_id);
    return { ...base, outcome: 'unknown_status' };
  }
  const stage = info.is_paid ? 3 : info.is_final ? 2 : 1;
  const token = newToken();
  const pid = a.payment_id_coinbar;
  const within = stage === 1 ? ' OR (stage = 1 AND status <> ? AND (status_at IS NULL OR status_at < ?))' : '';
  const statements = [
    // First: lock the order row (PostgreSQL), so two paid attempts of one order are serialized.
    [`UPDATE ${L.t.orders} SET updated_at = ? WHERE order_id = ?`, [now, a.order_id]],
    [
      `UPDATE ${L.t.attempts} SET status = ?, status_descr = ?, status_at = ?, status_source = ?, stage = ?, is_final = ?, is_paid = ?,
         state = 'created', error = NULL, updated_at = ?
       WHERE payment_id_coinbar = ? AND (stage < ?${within}) RETURNING stage`,
      [info.status, e.status_descr, e.at, source, stage, info.is_final ? 1 : 0, info.is_paid ? 1 : 0, now, pid, stage, ...(stage === 1 ? [info.status, e.at] : [])],
    ],
  ];
  if (stage === 3) {
    statements.push(
      [
        `UPDATE ${L.t.orders} SET paid_at = ?, paid_payment_id = ?, paid_token = ?
         WHERE order_id = ? AND paid_at IS NULL AND EXISTS (SELECT 1 FROM ${L.t.attempts} WHERE payment_id_coinbar = ? AND is_paid = 1)`,
        [now, pid, token, a.order_id, pid],
      ],
      [
        `INSERT INTO ${L.t.outbox} (order_id, idempotency_key, payment_id_coinbar, payment_request_id, state, attempts, next_at, lease_until, created_at)
         SELECT order_id, CAST(? AS TEXT), paid_payment_id, CAST(? AS TEXT), 'pending', 0, CAST(? AS BIGINT), 0, CAST(? AS BIGINT)
         FROM ${L.t.orders} WHERE order_id = ? AND paid_token = ?
         ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
        [`coinbar-paid:${a.order_id}`, a.payment_request_id, now, now, a.order_id, token],
      ],
      [
        `INSERT INTO ${L.t.anomalies} (key, kind, order_id, payment_request_id, payment_id_coinbar, status, detail, created_at)
         SELECT CAST(? AS TEXT), 'double_paid', CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 'SUCCESS', CAST(? AS TEXT), CAST(? AS BIGINT)
         WHERE (SELECT COUNT(*) FROM ${L.t.attempts} WHERE order_id = ? AND is_paid = 1) > 1
         ON CONFLICT (key) DO NOTHING RETURNING key`,
        [`double_paid/${a.order_id}/${pid}`, a.order_id, a.payment_request_id, pid, JSON.stringify({ source, event }), now, a.order_id],
      ],
    );
  }
  const r = await L.exec.batch(statements);
  const changed = r[1].rows.length > 0;
  const outcome = changed ? 'applied' : 'stale';
  if (eventKey) await markEvent(L, eventKey, outcome, a.order_id);
  const result = { ...base, outcome, paid_now: stage === 3 && r[3].rows.length > 0 };
  if (stage === 3 && r[4].rows.length) {
    await L.hook('onAnomaly', {
      key: `double_paid/${a.order_id}/${pid}`,
      kind: 'double_paid',
      order_id: a.order_id,
      payment_request_id: a.payment_request_id,
      payment_id_coinbar: pid,
      status: 'SUCCESS',
      detail: { source, event },
      created_at: new Date(now).toISOString(),
      settled_at: null,
    });
  }
  return result;
}

/**
 * Stored callbacks not applied yet ('released': a handler failed, or the payment was unknown)
 * whose attempt exists now: claim each with a fresh token, apply, complete. `paymentRequestId`
 * limits it to one attempt. Returns how many were applied.
 */
export async function applyStored(L, { paymentRequestId, limit = 50 } = {}) {
  const t = L.t;
  const now = L.now();
  const rows = await L.exec.all(
    `SELECT e.key, e.event, e.outcome FROM ${t.events} e
     WHERE (e.state = 'released' OR (e.state = 'claimed' AND e.lease_until <= ?))${paymentRequestId ? ' AND e.payment_request_id = ?' : ''}
       AND (EXISTS (SELECT 1 FROM ${t.attempts} a WHERE a.payment_request_id = e.payment_request_id)
         OR EXISTS (SELECT 1 FROM ${t.attempts} a WHERE a.payment_id_coinbar = e.payment_id_coinbar))
     ORDER BY e.received_at LIMIT ?`,
    paymentRequestId ? [now, paymentRequestId, limit] : [now, limit],
  );
  let applied = 0;
  for (const row of rows) {
    const event = JSON.parse(row.event);
    // The same claim / renew / complete-or-release run as a live delivery (the SDK's
    // processCallback): a stored event still pending its attempt is released again.
    const handler = async (ev) => {
      const r = await applyEvent(L, ev, { source: 'callback', eventKey: row.key });
      if (r.outcome === 'pending') throw new LedgerError('unknown_payment', 'still no attempt for this event');
    };
    let r;
    try {
      r = await processCallback(event, { store: L.store, handler, leaseMs: L.leaseMs });
    } catch {
      continue; // released: tried again on the next run
    }
    if (r.outcome !== 'processed') continue;
    if (row.outcome === 'pending') {
      const e = eventFields(event);
      await L.exec.run(`UPDATE ${t.anomalies} SET settled_at = ?, note = ? WHERE key = ? AND settled_at IS NULL`, [
        L.now(),
        'applied when its attempt appeared',
        `unknown_order/${e.payment_id_coinbar ?? e.payment_request_id}/${e.status}`,
      ]);
    }
    applied += 1;
  }
  return applied;
}

export { DAY_MS };
