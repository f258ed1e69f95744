// The shop's own data, as SQL over the ledger's executor (createExecutor of coinbar-pay/ledger:
// D1, better-sqlite3 or pg, `?` placeholders): orders (the cart), the guard's counters, the
// quotes cache. Payments, callbacks, fulfilment and Coinbar's call budget are the ledger's.
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export class ShopStore {
  constructor(exec, { now = () => Date.now() } = {}) {
    this.exec = exec;
    this.now = now;
  }

  createOrder(o) {
    return this.exec.run('INSERT INTO shop_orders (order_id, currency, total, items, email, client, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      o.id,
      o.currency,
      o.total,
      JSON.stringify(o.items),
      o.email,
      o.client,
      this.now(),
    ]);
  }

  async getOrder(id) {
    const row = await this.exec.first('SELECT * FROM shop_orders WHERE order_id = ?', [id]);
    return row ? { ...row, items: JSON.parse(row.items), created_at: Number(row.created_at) } : null;
  }

  /**
   * Take one slot of counter `key` in its current window (`per`: 'day' | 'minute'), if fewer
   * than `cap` are taken: one conditional upsert, so every instance shares the count and N
   * concurrent takers never pass the cap. Returns { ok, release() } (release gives the slot back).
   */
  async take(key, per, cap) {
    const span = per === 'day' ? DAY_MS : MINUTE_MS;
    const win = Math.floor(this.now() / span);
    if (!(cap > 0)) return { ok: false, release: async () => {} };
    const r = await this.exec.run(
      `INSERT INTO shop_limits (key, win, hits, expires_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (key, win) DO UPDATE SET hits = shop_limits.hits + 1 WHERE shop_limits.hits < ? RETURNING hits`,
      [key, win, (win + 1) * span, cap],
    );
    const ok = r.rows.length === 1;
    return {
      ok,
      release: async () => {
        if (ok) await this.exec.run('UPDATE shop_limits SET hits = hits - 1 WHERE key = ? AND win = ? AND hits > 0', [key, win]);
      },
    };
  }

  async kvGet(key) {
    const row = await this.exec.first('SELECT value, expires_at FROM shop_kv WHERE key = ?', [key]);
    return row ? { value: JSON.parse(row.value), fresh: Number(row.expires_at) > this.now() } : undefined;
  }

  kvPut(key, value, ttlMs) {
    return this.exec.run('INSERT INTO shop_kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at', [
      key,
      JSON.stringify(value),
      this.now() + ttlMs,
    ]);
  }

  /** Bounded storage: counters of past windows, stale cache entries. */
  async prune() {
    const now = this.now();
    const r = await this.exec.batch([
      ['DELETE FROM shop_limits WHERE expires_at < ?', [now - MINUTE_MS]],
      ['DELETE FROM shop_kv WHERE expires_at < ?', [now - DAY_MS]],
    ]);
    return { limits: r[0].changes, kv: r[1].changes };
  }
}
