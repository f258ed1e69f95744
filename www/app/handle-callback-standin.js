// TEMPORARY STAND-IN (issue 13) for the SDK's at-least-once callback API of issue 11
// (/work/coord/callback-api.md): `cbpay.handleCallback(raw, headers, { store, handler, leaseMs })`.
// Same shape and outcomes. DELETE this file when issue 11 is on main and call
// cbpay.handleCallback directly (worker.js has the one call site).
import { CoinbarError } from 'coinbar-pay';

export async function handleCallback(cbpay, rawBody, headers, { store, handler, leaseMs = 60_000 } = {}) {
  if (!store || typeof store.claim !== 'function') throw new CoinbarError('config', 'store: must be a CallbackStore { claim, complete, release }');
  if (typeof handler !== 'function') throw new CoinbarError('config', 'handler: must be a function (event) => Promise<void>');
  const event = cbpay.verifyCallback(rawBody, headers);
  const key = event.idempotency_key;
  const claim = await store.claim(key, leaseMs, event);
  if (claim === 'done') return { event, outcome: 'duplicate', status: 200 };
  if (claim === 'busy') return { event, outcome: 'in_progress', status: 409 };
  try {
    await handler(event);
  } catch (e) {
    await store.release(key, e);
    throw e;
  }
  await store.complete(key);
  return { event, outcome: 'processed', status: 200 };
}
