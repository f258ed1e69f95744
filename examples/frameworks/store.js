// A CallbackStore kept in memory, for these examples only: it lives in one process (one
// isolate on Workers) and is gone on restart. Use your database instead: docs/callbacks.md
// has the one-statement SQL claim for SQLite / D1 / Postgres.
export function memoryStore() {
  const rows = new Map(); // key -> { state: 'claimed' | 'done' | 'released', leaseUntil }
  return {
    claim(key, leaseMs) {
      const now = Date.now();
      const row = rows.get(key);
      if (row?.state === 'done') return 'done';
      if (row?.state === 'claimed' && row.leaseUntil > now) return 'busy';
      rows.set(key, { state: 'claimed', leaseUntil: now + leaseMs });
      return 'claimed';
    },
    complete(key) {
      rows.set(key, { state: 'done' });
    },
    release(key) {
      rows.set(key, { state: 'released' });
    },
  };
}

/** Stands in for your orders table: the order ids marked paid, once each. */
export const paidOrders = [];

/** Your effect for a verified callback; it must be safe to run again after a crash. */
export async function fulfil(event) {
  if (event.is_paid) paidOrders.push(event.payment_request_id_client);
}
