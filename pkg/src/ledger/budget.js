// Coinbar's 1,000 calls a day per client id, shared by every instance: each HTTP request to
// Coinbar is reserved first with ONE conditional upsert on <prefix>budget (day, purpose), so N
// concurrent reservers never pass a share. Shares (calls per UTC day):
//   checkout 400       initiate / requestPayment, and settling their unknown outcomes
//   refresh 200        the payment page asking for the status (at most once per attempt per 30 s)
//   reconcile 150      reconciliation of any open attempt
//   reconcile_hot 100  kept for attempts with recent customer activity or created recently
//   quotes 150         the merchant's own use (ledger.reserve('quotes'))
import { LedgerError } from './errors.js';

export const DEFAULT_SHARES = Object.freeze({ checkout: 400, refresh: 200, reconcile: 150, reconcile_hot: 100, quotes: 150 });

/** { daily, shares } from the options: shares scaled to `daily` unless given; their sum ≤ daily. */
export function budgetConfig({ daily = 1000, shares } = {}) {
  if (!Number.isInteger(daily) || daily < 0) throw new LedgerError('config', 'budget.daily: must be a whole number of calls');
  const scaled = Object.fromEntries(Object.entries(DEFAULT_SHARES).map(([k, v]) => [k, Math.floor((v * daily) / 1000)]));
  const all = { ...scaled, ...(shares ?? {}) };
  for (const [k, v] of Object.entries(all)) {
    if (!Number.isInteger(v) || v < 0) throw new LedgerError('config', `budget.shares.${k}: must be a whole number of calls`);
  }
  const sum = Object.values(all).reduce((a, b) => a + b, 0);
  if (sum > daily) throw new LedgerError('config', `budget: the shares add up to ${sum} calls, more than budget.daily (${daily}): Coinbar would refuse the rest`);
  return { daily, shares: all };
}

export const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Reserve one call of `purpose` today; false when its share is spent. One statement. */
export async function reserve(L, purpose) {
  const cap = L.budget.shares[purpose];
  if (cap === undefined) throw new LedgerError('config', `budget: no share named ${JSON.stringify(purpose)} (shares: ${Object.keys(L.budget.shares).join(', ')})`);
  if (cap <= 0) return false;
  const r = await L.exec.run(
    `INSERT INTO ${L.t.budget} (day, purpose, used) VALUES (?, ?, 1)
     ON CONFLICT (day, purpose) DO UPDATE SET used = ${L.t.budget}.used + 1 WHERE ${L.t.budget}.used < ? RETURNING used`,
    [utcDay(L.now()), purpose, cap],
  );
  return r.rows.length === 1;
}

/** Reserve from the first purpose of `purposes` that has room; returns it, or null. */
export async function reserveAny(L, purposes) {
  for (const p of purposes) if (await reserve(L, p)) return p;
  return null;
}

/** Today's use: { day, daily, shares, used: { purpose: n }, total }. */
export async function usage(L) {
  const day = utcDay(L.now());
  const rows = await L.exec.all(`SELECT purpose, used FROM ${L.t.budget} WHERE day = ?`, [day]);
  const used = Object.fromEntries(rows.map((r) => [r.purpose, Number(r.used)]));
  return { day, daily: L.budget.daily, shares: { ...L.budget.shares }, used, total: Object.values(used).reduce((a, b) => a + b, 0) };
}
