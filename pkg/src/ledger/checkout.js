// Checkout: the attempt is written BEFORE Coinbar is called, one HTTP request per reserved
// call ({ maxRetries: 0 }), and an unknown outcome is settled by asking Coinbar (findPayment),
// never by a second POST. Also the page's view of an order (payment()) and its refresh.
import { LedgerError } from './errors.js';
import { reserve } from './budget.js';
import { applyEvent, applyStored, recordAnomaly } from './events.js';

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener?.('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** What the payment page shows, from initiate's / requestPayment's answer. */
function pageFields(mode, input, p) {
  if (mode === 'gateway') return { gateway_url: p.gateway_url ?? null, request_token: p.request_token ?? null };
  return {
    coin: input.destination_coin ?? null,
    payment_string: p.payment_string ?? null,
    address: p.destination_address ?? null,
    destination_memo: p.destination_memo || null,
    amount: p.destination_amount ?? null,
    rate: p.destination_coin_change ?? null,
    trade_pair: p.trade_pair ?? null,
    total: p.payment_total_price ?? null,
    request_token: p.request_token ?? null,
  };
}

export function attemptView(a) {
  if (!a) return null;
  return {
    attempt: Number(a.attempt),
    payment_request_id: a.payment_request_id,
    payment_id_coinbar: a.payment_id_coinbar ?? null,
    mode: a.mode,
    state: a.state,
    status: a.status ?? null,
    status_descr: a.status_descr ?? null,
    status_at: iso(a.status_at),
    status_source: a.status_source ?? null,
    is_final: Boolean(Number(a.is_final)),
    is_paid: Boolean(Number(a.is_paid)),
    last_unknown_status: a.last_unknown_status ?? null,
    error: a.error ?? null,
    created_at: iso(a.created_at),
    expires_at: iso(a.expires_at),
    payment: a.payment ? JSON.parse(a.payment) : null,
  };
}

/** The order as the page shows it: the current attempt (the paid one, else the newest) and all attempts. */
export async function orderView(L, orderId) {
  const order = await L.exec.first(`SELECT * FROM ${L.t.orders} WHERE order_id = ?`, [orderId]);
  if (!order) return null;
  const rows = await L.exec.all(`SELECT * FROM ${L.t.attempts} WHERE order_id = ? ORDER BY attempt`, [orderId]);
  const attempts = rows.map(attemptView);
  const paid = order.paid_at !== null && order.paid_at !== undefined;
  const current = (paid && attempts.find((a) => a.payment_id_coinbar === order.paid_payment_id)) || attempts.at(-1) || null;
  return {
    order_id: orderId,
    ...(current ?? { status: null }),
    paid,
    paid_at: iso(order.paid_at),
    is_final: paid || Boolean(current?.is_final),
    meta: order.meta ? JSON.parse(order.meta) : null,
    attempts,
  };
}

/** An open attempt of the same mode (and coin) is shown again rather than paid for twice. */
const reusable = (a, mode, input) =>
  a.mode === mode && ['initiating', 'unknown', 'created'].includes(a.state) && !Number(a.is_final) && (mode === 'gateway' || JSON.parse(a.payment ?? '{}').coin === (input.destination_coin ?? null));

/** Allocate the next attempt of an order (or find an open one to reuse). */
async function allocate(L, orderId, input, { mode, replace, windowMs }) {
  for (let round = 0; round < 5; round++) {
    const order = await L.exec.first(`SELECT * FROM ${L.t.orders} WHERE order_id = ?`, [orderId]);
    if (order.paid_at !== null && order.paid_at !== undefined) {
      throw new LedgerError('already_paid', `order ${orderId} is paid`, { orderId, view: await orderView(L, orderId) });
    }
    const n = Number(order.attempts);
    const latest = n ? await L.exec.first(`SELECT * FROM ${L.t.attempts} WHERE order_id = ? AND attempt = ?`, [orderId, n]) : null;
    if (!replace && latest && reusable(latest, mode, input)) return { attempt: latest, reused: true };
    const prid = L.paymentRequestId(orderId, n + 1);
    const now = L.now();
    const r = await L.exec.batch([
      [`UPDATE ${L.t.orders} SET attempts = ?, updated_at = ? WHERE order_id = ? AND attempts = ?`, [n + 1, now, orderId, n]],
      [
        `INSERT INTO ${L.t.attempts} (payment_request_id, order_id, attempt, mode, state, stage, payment, created_at, updated_at, expires_at, next_check_at)
         SELECT CAST(? AS TEXT), order_id, attempts, CAST(? AS TEXT), 'initiating', 0, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
         FROM ${L.t.orders} WHERE order_id = ? AND attempts = ?
         ON CONFLICT DO NOTHING RETURNING payment_request_id`,
        [prid, mode, JSON.stringify(mode === 'direct' ? { coin: input.destination_coin ?? null } : {}), now, now, now + windowMs, now + L.opts.reconcileAfterMs, orderId, n + 1],
      ],
    ]);
    if (r[0].changes === 1 && r[1].rows.length === 1) {
      return { attempt: await L.exec.first(`SELECT * FROM ${L.t.attempts} WHERE payment_request_id = ?`, [prid]), reused: false };
    }
    replace = false; // another checkout of this order allocated meanwhile: reuse what it made
  }
  throw new LedgerError('busy', `order ${orderId}: too many concurrent checkouts`);
}

const setAttempt = (L, prid, sets, params, where = '') => L.exec.run(`UPDATE ${L.t.attempts} SET ${sets}, updated_at = ? WHERE payment_request_id = ?${where}`, [...params, L.now(), prid]);

/**
 * Create (or reuse) the payment of an order. Resolves to orderView(); throws LedgerError
 * 'budget' / 'already_paid', or the CoinbarError of the POST (with `.outcome`), after settling
 * an unknown outcome as far as it can.
 */
export async function checkout(L, orderId, input, options = {}) {
  const { cbpay, mode = 'direct', meta, replace = false, signal } = options;
  const settleAfterMs = options.settleAfterMs ?? L.opts.settleAfterMs;
  const windowMs = options.paymentWindowMs ?? L.opts.paymentWindowMs;
  if (typeof orderId !== 'string' || !orderId || orderId.length > 200) throw new LedgerError('config', 'orderId: a non-empty string of at most 200 characters');
  if (mode !== 'direct' && mode !== 'gateway') throw new LedgerError('config', "mode: 'direct' (initiate) or 'gateway' (requestPayment)");
  if (!cbpay || typeof cbpay.initiate !== 'function') throw new LedgerError('config', 'cbpay: pass the CoinbarPay client ({ cbpay })');
  const now = L.now();
  await L.exec.run(
    `INSERT INTO ${L.t.orders} (order_id, attempts, meta, last_activity_at, created_at, updated_at) VALUES (?, 0, ?, ?, ?, ?)
     ON CONFLICT (order_id) DO UPDATE SET last_activity_at = excluded.last_activity_at, meta = COALESCE(excluded.meta, ${L.t.orders}.meta)`,
    [orderId, meta === undefined ? null : JSON.stringify(meta), now, now, now],
  );
  const { attempt: a, reused } = await allocate(L, orderId, input, { mode, replace, windowMs });
  if (reused) return orderView(L, orderId);
  const prid = a.payment_request_id;
  if (!(await reserve(L, 'checkout'))) {
    await setAttempt(L, prid, "state = 'not_created', error = ?", ["budget: the day's checkout share of Coinbar calls is spent"]);
    throw new LedgerError('budget', "the day's share of Coinbar calls for checkout is spent; try again tomorrow", { orderId, purpose: 'checkout' });
  }
  const body = { ...input, payment_request_id: prid };
  let answer;
  try {
    answer = mode === 'gateway' ? await cbpay.requestPayment(body, { maxRetries: 0, signal }) : await cbpay.initiate(body, { maxRetries: 0, signal });
  } catch (e) {
    const message = String(e?.message ?? e).slice(0, 500);
    if (e?.outcome === 'unknown') {
      // A payment may exist: never POST again. Ask Coinbar after a short wait; reconciliation asks again.
      await setAttempt(L, prid, "state = 'unknown', error = ?, next_check_at = ?", [message, L.now() + L.opts.unknownRecheckMs], " AND state = 'initiating'");
      await sleep(settleAfterMs, signal);
      if (await settle(L, prid, cbpay)) return orderView(L, orderId);
    } else {
      await setAttempt(L, prid, "state = 'not_created', error = ?", [message], " AND state = 'initiating'");
    }
    throw e;
  }
  const fields = pageFields(mode, input, answer);
  const pid = answer.payment_id_coinbar ?? null;
  await setAttempt(
    L,
    prid,
    "state = 'created', payment_id_coinbar = COALESCE(payment_id_coinbar, ?), payment = ?, error = NULL, status = COALESCE(status, 'CREATED'), status_source = COALESCE(status_source, 'initiate'), stage = CASE WHEN stage < 1 THEN 1 ELSE stage END",
    [pid, JSON.stringify(fields)],
  );
  const after = await L.exec.first(`SELECT payment_id_coinbar FROM ${L.t.attempts} WHERE payment_request_id = ?`, [prid]);
  if (pid && after.payment_id_coinbar !== pid) {
    await recordAnomaly(L, {
      key: `payment_mismatch/${prid}/${pid}`,
      kind: 'payment_mismatch',
      order_id: orderId,
      payment_request_id: prid,
      payment_id_coinbar: pid,
      detail: { bound: after.payment_id_coinbar, answered: pid },
    });
  }
  await applyStored(L, { paymentRequestId: prid });
  return orderView(L, orderId);
}

/**
 * Settle an attempt whose POST had an unknown outcome (or never answered): findPayment within
 * the checkout share; when it exists, bind and apply it, and fetch what the page shows
 * (payment_string, address, memo). Resolves true when Coinbar has it.
 */
export async function settle(L, prid, cbpay, purpose = 'checkout') {
  if (!(await reserve(L, purpose))) return false;
  let found;
  try {
    found = await cbpay.findPayment(prid, { maxRetries: 0 });
  } catch {
    return false;
  }
  if (!found) return false;
  await applyEvent(L, found, { source: 'checkout' });
  const a = await L.exec.first(`SELECT * FROM ${L.t.attempts} WHERE payment_request_id = ?`, [prid]);
  // What initiate would have shown (payment string, address, memo, amounts): retrievePayment,
  // one call (the report), two when the report lacks the amount: both reserved first.
  if (a.mode === 'direct' && !JSON.parse(a.payment ?? '{}').payment_string && (await reserve(L, purpose)) && (await reserve(L, purpose))) {
    try {
      const p = await cbpay.retrievePayment(prid, { maxRetries: 0 });
      if (p) await setAttempt(L, prid, 'payment = ?', [JSON.stringify({ ...pageFields('direct', { destination_coin: p.destination_coin }, p), request_token: null })]);
    } catch {
      // The status is settled; the page can ask again later.
    }
  }
  return true;
}

/**
 * The page's refresh: ask Coinbar about the current open attempt, at most once per `gapMs` per
 * attempt and within the refresh share; counts as customer activity. Resolves to orderView().
 */
export async function refresh(L, orderId, { cbpay, gapMs = L.opts.refreshGapMs } = {}) {
  const now = L.now();
  await L.exec.run(`UPDATE ${L.t.orders} SET last_activity_at = ? WHERE order_id = ?`, [now, orderId]);
  const view = await orderView(L, orderId);
  if (!view || view.paid || view.is_final || !cbpay || !view.payment_request_id || view.state === 'not_created') return view;
  const claimed = await L.exec.run(`UPDATE ${L.t.attempts} SET last_checked_at = ? WHERE payment_request_id = ? AND is_final = 0 AND (last_checked_at IS NULL OR last_checked_at <= ?)`, [
    now,
    view.payment_request_id,
    now - gapMs,
  ]);
  if (claimed.changes !== 1 || !(await reserve(L, 'refresh'))) return view;
  try {
    const s = await cbpay.findPayment(view.payment_request_id, { maxRetries: 0 });
    if (s) await applyEvent(L, s, { source: 'refresh' });
  } catch {
    // Keep the last known state; the page asks again later.
  }
  return orderView(L, orderId);
}
