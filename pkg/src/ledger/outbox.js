// The fulfilment outbox: one row per paid order, written in the paid transition's batch.
// drain(send) delivers each row at least once: a row is claimed with a conditional update
// (token + lease), so two drainers never send one row at the same time; send(delivery,
// { idempotencyKey, signal }) runs your effect (pass the key on to your mailer / shipping API);
// success -> 'sent'; failure -> back to 'pending' after a back-off (baseMs x 2^(attempts-1), up
// to maxBackoffMs); after maxAttempts failures -> 'dead' (dead letter: listed by outbox({ state:
// 'dead' }), re-armed by retryDead()). A drainer that dies mid-send leaves a claim that expires
// after leaseMs; the next drain sends the row again (at least once).
import { orderView } from './checkout.js';
import { newToken } from '../callbacks.js';

export async function drain(L, send, options = {}) {
  const { limit = 10, leaseMs = 60_000, maxAttempts = L.opts.outboxMaxAttempts, baseMs = L.opts.outboxBackoffMs, maxBackoffMs = 3_600_000 } = options;
  const report = { sent: 0, failed: 0, dead: 0, skipped: 0 };
  if (typeof send !== 'function') throw new TypeError('drain(send): send must be a function (delivery, { idempotencyKey, signal }) => Promise<void>');
  const now = L.now();
  const rows = await L.exec.all(
    `SELECT order_id, attempts FROM ${L.t.outbox}
     WHERE (state = 'pending' AND next_at <= ?) OR (state = 'sending' AND lease_until <= ?) ORDER BY next_at LIMIT ?`,
    [now, now, limit],
  );
  for (const row of rows) {
    const token = newToken();
    const t = L.now();
    const claimed = await L.exec.run(
      `UPDATE ${L.t.outbox} SET state = 'sending', token = ?, lease_until = ?, attempts = attempts + 1
       WHERE order_id = ? AND ((state = 'pending' AND next_at <= ?) OR (state = 'sending' AND lease_until <= ?)) RETURNING attempts, idempotency_key, payment_id_coinbar, payment_request_id, created_at`,
      [token, t + leaseMs, row.order_id, t, t],
    );
    if (!claimed.rows.length) {
      report.skipped += 1;
      continue;
    }
    const c = claimed.rows[0];
    const attempts = Number(c.attempts);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('outbox lease expired')), leaseMs);
    timer?.unref?.();
    try {
      const order = await orderView(L, row.order_id);
      await send(
        {
          order_id: row.order_id,
          idempotency_key: c.idempotency_key,
          payment_id_coinbar: c.payment_id_coinbar,
          payment_request_id: c.payment_request_id,
          attempt: attempts,
          meta: order?.meta ?? null,
          order,
        },
        { idempotencyKey: c.idempotency_key, signal: controller.signal },
      );
      await L.exec.run(`UPDATE ${L.t.outbox} SET state = 'sent', sent_at = ?, last_error = NULL WHERE order_id = ? AND token = ?`, [L.now(), row.order_id, token]);
      report.sent += 1;
    } catch (e) {
      const dead = attempts >= maxAttempts;
      const next = L.now() + Math.min(baseMs * 2 ** (attempts - 1), maxBackoffMs);
      await L.exec.run(`UPDATE ${L.t.outbox} SET state = ?, next_at = ?, lease_until = 0, last_error = ? WHERE order_id = ? AND token = ?`, [
        dead ? 'dead' : 'pending',
        next,
        String(e?.message ?? e).slice(0, 500),
        row.order_id,
        token,
      ]);
      if (dead) report.dead += 1;
      else report.failed += 1;
    } finally {
      clearTimeout(timer);
    }
  }
  return report;
}

/** Outbox rows: { state?, orderId?, limit? }. */
export async function outboxRows(L, { state, orderId, limit = 100 } = {}) {
  const where = [];
  const params = [];
  if (state) where.push('state = ?') && params.push(state);
  if (orderId) where.push('order_id = ?') && params.push(orderId);
  const rows = await L.exec.all(`SELECT * FROM ${L.t.outbox}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at LIMIT ?`, [...params, limit]);
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

/** Re-arm a dead-lettered row (after fixing what made it fail). Resolves true when it was dead. */
export async function retryDead(L, orderId) {
  const r = await L.exec.run(`UPDATE ${L.t.outbox} SET state = 'pending', attempts = 0, next_at = ? WHERE order_id = ? AND state = 'dead'`, [L.now(), orderId]);
  return r.changes === 1;
}
