// Queries for a person (anomalies) and bounded storage (prune).
import { utcDay } from './budget.js';

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** Anomalies: { orderId?, kind?, open = true (unsettled only), limit = 100 }, newest first. */
export async function anomalies(L, { orderId, kind, open = true, limit = 100 } = {}) {
  const where = [];
  const params = [];
  if (orderId) where.push('order_id = ?') && params.push(orderId);
  if (kind) where.push('kind = ?') && params.push(kind);
  if (open) where.push('settled_at IS NULL');
  const rows = await L.exec.all(`SELECT * FROM ${L.t.anomalies}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT ?`, [...params, limit]);
  return rows.map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null, created_at: iso(r.created_at), settled_at: iso(r.settled_at) }));
}

/** Mark an anomaly handled (e.g. refunded). Resolves true when it was open. */
export async function settleAnomaly(L, key, note = null) {
  const r = await L.exec.run(`UPDATE ${L.t.anomalies} SET settled_at = ?, note = ? WHERE key = ? AND settled_at IS NULL`, [L.now(), note, key]);
  return r.changes === 1;
}

/**
 * Delete what is past `retentionMs` (default 30 days): processed callbacks, settled anomalies,
 * callbacks for unknown orders never matched, and budget days older than a week. Orders,
 * attempts and outbox rows are the payment record and are kept. Returns the counts.
 */
export async function prune(L, { retentionMs = 30 * 86_400_000 } = {}) {
  const now = L.now();
  const cutoff = now - retentionMs;
  const r = await L.exec.batch([
    [`DELETE FROM ${L.t.events} WHERE state = 'done' AND done_at < ?`, [cutoff]],
    [`DELETE FROM ${L.t.events} WHERE state = 'released' AND outcome = 'pending' AND received_at < ?`, [cutoff]],
    [`DELETE FROM ${L.t.anomalies} WHERE settled_at IS NOT NULL AND settled_at < ?`, [cutoff]],
    [`DELETE FROM ${L.t.budget} WHERE day < ?`, [utcDay(now - 7 * 86_400_000)]],
  ]);
  return { events: r[0].changes, unknown_order_events: r[1].changes, anomalies: r[2].changes, budget_days: r[3].changes };
}
