// Reconciliation: ask Coinbar about open attempts, within the daily budget every instance
// draws from. Each run: re-applies stored callbacks whose attempt exists now; takes the due
// open attempts — those with recent customer activity or created recently ("hot") first, then
// the newest; hot ones draw first from the reconcile_hot share kept for them, then from
// reconcile, cold ones only from reconcile, so abandoned orders cannot starve a paid one —
// claims each with a conditional update (two instances never ask about the same attempt), asks
// findPayment with { maxRetries: 0 } (one reservation = one HTTP request) and applies the
// answer through applyEvent. Per attempt the next check backs off: after, 2x, 4x… up to
// maxBackoffMs; it stops a day after the payment window. An attempt whose POST had an unknown
// outcome (or never answered) and that Coinbar does not know unknownAfterMs after creation is
// marked not_created. A 429 stops the run.
import { reserveAny } from './budget.js';
import { applyEvent, applyStored, DAY_MS } from './events.js';

export async function reconcile(L, { cbpay, limit = L.opts.reconcilePerRun } = {}) {
  const o = L.opts;
  const report = { stored_applied: 0, checked: 0, changed: 0, paid: 0, not_found: 0, not_created: 0, anomalies: 0, errors: 0, budget_exhausted: false, rate_limited: false };
  report.stored_applied = await applyStored(L, { limit: 100 });
  if (!cbpay) return report;
  const now = L.now();
  const hotSince = now - o.hotMs;
  const due = await L.exec.all(
    `SELECT a.payment_request_id, a.state, a.created_at, a.next_check_at, a.checks, a.payment_id_coinbar,
       CASE WHEN o.last_activity_at >= ? OR a.created_at >= ? THEN 1 ELSE 0 END AS hot
     FROM ${L.t.attempts} a JOIN ${L.t.orders} o ON o.order_id = a.order_id
     WHERE a.is_final = 0 AND a.state <> 'not_created' AND a.next_check_at <= ? AND a.expires_at > ?
     ORDER BY hot DESC, a.created_at DESC LIMIT ?`,
    [hotSince, hotSince, now, now - DAY_MS, limit],
  );
  for (const a of due) {
    const hot = Number(a.hot) === 1;
    if (!(await reserveAny(L, hot ? ['reconcile_hot', 'reconcile'] : ['reconcile']))) {
      report.budget_exhausted = true;
      if (!hot) break; // every later one is cold too
      continue;
    }
    const backoff = Math.min(o.reconcileAfterMs * 2 ** Number(a.checks), o.maxBackoffMs);
    const claimed = await L.exec.run(`UPDATE ${L.t.attempts} SET next_check_at = ?, checks = checks + 1, last_checked_at = ? WHERE payment_request_id = ? AND is_final = 0 AND next_check_at = ?`, [
      L.now() + backoff,
      L.now(),
      a.payment_request_id,
      a.next_check_at,
    ]);
    if (claimed.changes !== 1) continue; // another instance took it (the reserved call goes unused: on the safe side)
    report.checked += 1;
    try {
      const s = await cbpay.findPayment(a.payment_request_id, { maxRetries: 0 });
      if (s === null) {
        report.not_found += 1;
        if (['initiating', 'unknown'].includes(a.state) && L.now() - Number(a.created_at) >= o.unknownAfterMs) {
          const r = await L.exec.run(
            `UPDATE ${L.t.attempts} SET state = 'not_created', error = ?, updated_at = ? WHERE payment_request_id = ? AND state IN ('initiating', 'unknown') AND payment_id_coinbar IS NULL`,
            ['Coinbar has no payment for this payment_request_id', L.now(), a.payment_request_id],
          );
          report.not_created += r.changes;
        }
        continue;
      }
      const r = await applyEvent(L, s, { source: 'reconcile' });
      if (r.outcome === 'applied') report.changed += 1;
      if (r.outcome === 'anomaly') report.anomalies += 1;
      if (r.paid_now) report.paid += 1;
    } catch (e) {
      if (e?.status === 429 || /rate/i.test(e?.apiError ?? '')) {
        report.rate_limited = true;
        break;
      }
      report.errors += 1;
    }
  }
  return report;
}
