// Orders of the demo shop, in memory (per process, or per isolate under workerd). A real
// shop keeps them in its database; the shape and the idempotent updates are what matter.

/** Payment statuses only move forward; a final one never changes again. */
const RANK = { CREATED: 0, PENDING: 1, SUCCESS: 2, FAILED: 2, CANCELED: 2 };

export class OrderStore {
  #orders = new Map();
  #callbackClaims = new Map();

  create(order) {
    this.#orders.set(order.id, order);
    return order;
  }

  get(id) {
    return this.#orders.get(id);
  }

  /**
   * Apply a status seen from Coinbar (status call or verified callback). Returns the order.
   * Unknown statuses are recorded as `last_unknown_status` without moving the order.
   */
  applyStatus(id, { status, status_descr, known }, source) {
    const order = this.#orders.get(id);
    if (!order) return undefined;
    if (!known) {
      order.last_unknown_status = status;
      return order;
    }
    if ((RANK[status] ?? -1) > (RANK[order.status] ?? -1)) {
      order.status = status;
      order.status_descr = status_descr ?? null;
      order.updated_at = new Date().toISOString();
      order.status_source = source;
    }
    return order;
  }

  /**
   * The callback store of `handleCallback` (claim -> handler -> complete, or release when the
   * handler failed), so an event counts as processed only once the order was updated.
   */
  callbackStore = {
    claim: (key, leaseMs) => {
      const row = this.#callbackClaims.get(key);
      if (row?.state === 'done') return 'done';
      if (row?.state === 'claimed' && row.leaseUntil > Date.now()) return 'busy';
      this.#callbackClaims.set(key, { state: 'claimed', leaseUntil: Date.now() + leaseMs });
      return 'claimed';
    },
    complete: (key) => void this.#callbackClaims.set(key, { state: 'done' }),
    release: (key) => void this.#callbackClaims.delete(key),
  };
}
