// The callback protocol of the SDK's handleCallback with owner-token claims (docs/callbacks.md):
// claim(key, token, leaseMs, event) -> 'claimed' | 'done' | 'busy'; the lease is renewed every
// leaseMs / 3 while the handler runs (its signal aborts when renew answers false); then
// complete(key, token), or release(key, token) and rethrow. The ledger hands its store to
// cbpay.handleCallback; this local copy runs the same steps for an SDK whose handleCallback
// predates owner tokens (its claim(key, leaseMs, event) is refused by the ledger's store), and
// for re-applying stored events.

let counter = 0;
/** A token unique to one delivery (not a secret). */
export function newToken() {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (typeof uuid === 'string') return uuid;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function keepClaim(store, key, token, leaseMs, controller) {
  let timer;
  let stopped = false;
  const lose = (why, cause) => {
    stopped = true;
    controller.abort(Object.assign(new Error(`callback ${key}: the claim was lost (${why})`), { code: 'claim_lost', cause }));
  };
  const tick = async () => {
    timer = undefined;
    let kept;
    try {
      kept = await store.renew(key, token, leaseMs);
    } catch (e) {
      if (!stopped) lose(`renew threw: ${e?.message ?? e}`, e);
      return;
    }
    if (stopped) return;
    if (kept !== true) return lose('renew returned false');
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(tick, Math.max(1, Math.floor(leaseMs / 3)));
    timer?.unref?.();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** Process one verified event with `store` and `handler`; resolves to { event, outcome, status }. */
export async function processEvent(event, { store, handler, leaseMs }) {
  const key = event.idempotency_key;
  const token = newToken();
  const claim = await store.claim(key, token, leaseMs, event);
  if (claim === 'done') return { event, outcome: 'duplicate', status: 200 };
  if (claim === 'busy') return { event, outcome: 'in_progress', status: 409 };
  const controller = new AbortController();
  const stop = keepClaim(store, key, token, leaseMs, controller);
  try {
    await handler(event, { signal: controller.signal });
  } catch (e) {
    stop();
    await Promise.resolve(store.release(key, token)).catch(() => {});
    throw e;
  }
  stop();
  await store.complete(key, token);
  return { event, outcome: 'processed', status: 200 };
}
