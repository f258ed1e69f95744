// The ledger as the SDK's CallbackStore, on <prefix>events, with the owner-token contract:
//   claim(key, token, leaseMs, event) -> 'claimed' | 'done' | 'busy'
//       one atomic upsert: 'done' if completed; 'busy' if claimed with a live lease; otherwise
//       state = 'claimed', token, lease_until = now + leaseMs (the verified event is kept)
//   renew(key, token, leaseMs) -> boolean   true iff claimed with this token (lease extended)
//   complete(key, token) -> boolean         done only WHERE state = 'claimed' AND token = ?
//   release(key, token) -> boolean          released only WHERE state = 'claimed' AND token = ?
import { LedgerError } from './errors.js';
import { eventFields } from './events.js';

export function callbackStore(L) {
  const t = L.t.events;
  return {
    async claim(key, token, leaseMs, event) {
      if (typeof token !== 'string' || typeof leaseMs !== 'number') {
        throw new LedgerError('config', 'store.claim: call it as claim(key, token, leaseMs, event) (the owner-token contract of handleCallback, docs/callbacks.md)');
      }
      const now = L.now();
      const e = eventFields(event);
      const won = await L.exec.run(
        `INSERT INTO ${t} (key, state, token, lease_until, payment_id_coinbar, payment_request_id, status, event, deliveries, received_at)
         VALUES (?, 'claimed', ?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (key) DO UPDATE SET state = 'claimed', token = excluded.token, lease_until = excluded.lease_until,
           deliveries = ${t}.deliveries + 1
         WHERE ${t}.state = 'released' OR (${t}.state = 'claimed' AND ${t}.lease_until <= ?)
         RETURNING state`,
        [key, token, now + leaseMs, e.payment_id_coinbar, e.payment_request_id, e.status, JSON.stringify(event ?? null), now, now],
      );
      if (won.rows.length) return 'claimed';
      const seen = await L.exec.run(`UPDATE ${t} SET deliveries = deliveries + 1 WHERE key = ? RETURNING state`, [key]);
      return seen.rows[0]?.state === 'done' ? 'done' : 'busy';
    },
    async renew(key, token, leaseMs) {
      const r = await L.exec.run(`UPDATE ${t} SET lease_until = ? WHERE key = ? AND state = 'claimed' AND token = ?`, [L.now() + leaseMs, key, token]);
      return r.changes === 1;
    },
    async complete(key, token) {
      const r = await L.exec.run(`UPDATE ${t} SET state = 'done', done_at = ?, last_error = NULL WHERE key = ? AND state = 'claimed' AND token = ?`, [L.now(), key, token]);
      return r.changes === 1;
    },
    async release(key, token, error) {
      const r = await L.exec.run(`UPDATE ${t} SET state = 'released', lease_until = 0, last_error = ? WHERE key = ? AND state = 'claimed' AND token = ?`, [
        error ? String(error.message ?? error).slice(0, 500) : null,
        key,
        token,
      ]);
      return r.changes === 1;
    },
  };
}
