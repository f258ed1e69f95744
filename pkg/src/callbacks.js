// The callback protocol of `handleCallback` (docs/callbacks.md): at least once, never twice at
// the same time. Each delivery claims the event's key in the merchant's store under its own
// token, renews the lease while the handler runs (the handler's signal aborts when the claim is
// lost), and completes or releases the key only as long as it still owns it. Also
// `memoryStore()`, the reference store for one process, and reading and verifying the callback
// as the route hands it over (raw body, headers). Server entries only (server.js).
import { CoinbarError } from './error.js';
import { maxInputBytes } from './glue.js';
import { plainBytes, utf8 } from './bytes.js';

export const DEFAULT_LEASE_MS = 60_000;
export const MAX_LEASE_MS = 24 * 60 * 60 * 1000;
const CLAIMS = ['claimed', 'done', 'busy'];
const STORE_METHODS = ['claim', 'renew', 'complete', 'release'];
const SHAPE = 'claim(key, token, leaseMs, event) -> "claimed" | "done" | "busy", renew(key, token, leaseMs) -> boolean, complete(key, token), release(key, token)';

/**
 * Check handleCallback's options (own properties already read by the caller) and return the
 * store, handler and lease. Throws CoinbarError `config` with a message that says what to do.
 */
export function callbackOptions({ store, handler, leaseMs = DEFAULT_LEASE_MS, seen }) {
  if (seen !== undefined) {
    throw new CoinbarError(
      'config',
      'seen: handleCallback no longer takes a seen() check: it marked events processed before your handler ran, so a failed fulfilment was never retried. ' +
        'Pass { store: { claim, renew, complete, release }, handler } instead (see docs/callbacks.md, or memoryStore() for one process)',
    );
  }
  const found = {};
  for (const method of STORE_METHODS) {
    try {
      found[method] = store?.[method];
    } catch (e) {
      throw new CoinbarError('config', `store.${method}: could not be read (${e?.message ?? e})`, { cause: e });
    }
  }
  for (const method of ['claim', 'complete', 'release']) {
    if (typeof found[method] !== 'function') throw new CoinbarError('config', `store.${method}: must be a function: a store is { ${SHAPE} } (see docs/callbacks.md)`);
  }
  if (typeof found.renew !== 'function') {
    throw new CoinbarError(
      'config',
      "store.renew: must be a function. A claim now has an owner: handleCallback passes each delivery's own token and renews the lease while the handler runs, " +
        "so a slow handler keeps its claim and a late release cannot free another delivery's. " +
        `The store is { ${SHAPE} }, where complete, release and renew change the row only while it is claimed with that token. ` +
        'Update your store (docs/callbacks.md has the SQL: a token column and conditional updates), or use memoryStore() from coinbar-pay in a single process',
    );
  }
  if (typeof handler !== 'function') throw new CoinbarError('config', 'handler: must be a function (event, { signal }) => void | Promise<void>');
  if (!Number.isInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS) {
    throw new CoinbarError('config', `leaseMs: must be a whole number of milliseconds from 1 to ${MAX_LEASE_MS}`);
  }
  return { store, handler, leaseMs };
}

let counter = 0;
/** A token unique to one delivery (not a secret): a random UUID where the runtime has one. */
export function newToken() {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (typeof uuid === 'string') return uuid;
  let random = '';
  const bytes = new Uint8Array(16);
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  for (const b of bytes) random += b.toString(16).padStart(2, '0');
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${Date.now().toString(36)}-${counter.toString(36)}-${random}`;
}

/**
 * Renew the claim every leaseMs / 3 until stop(); when renew answers anything but true (or
 * throws), abort `controller` with a CoinbarError `claim_lost` and stop renewing.
 */
function keepClaim(store, key, token, leaseMs, controller) {
  let timer;
  let stopped = false;
  const every = Math.max(1, Math.floor(leaseMs / 3));
  const lose = (message, cause) => {
    stopped = true;
    controller.abort(new CoinbarError('claim_lost', `callback ${key}: the claim was lost (${message}); another delivery may be handling this event now`, cause === undefined ? {} : { cause }));
  };
  const tick = async () => {
    timer = undefined;
    let kept;
    try {
      kept = await store.renew(key, token, leaseMs);
    } catch (e) {
      if (!stopped) lose(`store.renew threw: ${e?.message ?? e}`, e);
      return;
    }
    if (stopped) return;
    if (kept !== true) return lose(kept === false ? "store.renew returned false: the key is no longer claimed with this delivery's token" : `store.renew returned ${typeof kept}, not true`);
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(tick, every);
    timer?.unref?.(); // never keeps a Node process alive by itself
  };
  schedule();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/**
 * Process one verified event: claim, run the handler while renewing, then complete (success)
 * or release and rethrow (failure). Resolves to handleCallback's result.
 * @returns {Promise<import('../types/index.js').CallbackResult>}
 */
export async function processCallback(event, { store, handler, leaseMs }) {
  const key = event.idempotency_key;
  const token = newToken();
  const claim = await store.claim(key, token, leaseMs, event);
  if (claim === 'done') return { event, outcome: 'duplicate', status: 200 };
  if (claim === 'busy') return { event, outcome: 'in_progress', status: 409 };
  if (claim !== 'claimed') {
    throw new CoinbarError('config', `store.claim: must return ${CLAIMS.map((c) => `'${c}'`).join(', ')} (got ${typeof claim === 'string' ? `'${claim.slice(0, 40)}'` : typeof claim})`);
  }
  const controller = new AbortController();
  const stop = keepClaim(store, key, token, leaseMs, controller);
  try {
    await handler(event, { signal: controller.signal });
  } catch (e) {
    stop();
    try {
      await store.release(key, token);
    } catch {
      // The claim then expires after leaseMs; the handler's error is what matters here.
    }
    throw e;
  }
  stop();
  // Changes nothing when the claim was lost meanwhile: its new owner completes or releases it.
  await store.complete(key, token);
  return { event, outcome: 'processed', status: 200 };
}

/**
 * The reference CallbackStore, in this process's memory: for tests, examples and a server of
 * one process (claims are gone on restart, and every key stays in memory). `now` is the clock
 * (ms), for tests.
 */
export function memoryStore(options) {
  const { now = Date.now } = options ?? {};
  if (typeof now !== 'function') throw new CoinbarError('config', 'memoryStore: now must be a function returning milliseconds');
  const rows = new Map(); // key -> { state: 'claimed' | 'released' | 'done', token, leaseUntil }
  const owned = (key, token) => {
    const row = rows.get(key);
    return row?.state === 'claimed' && row.token === token ? row : undefined;
  };
  return {
    claim(key, token, leaseMs) {
      const row = rows.get(key);
      const t = now();
      if (row?.state === 'done') return 'done';
      if (row?.state === 'claimed' && row.leaseUntil > t) return 'busy';
      rows.set(key, { state: 'claimed', token, leaseUntil: t + leaseMs });
      return 'claimed';
    },
    renew(key, token, leaseMs) {
      const row = owned(key, token);
      if (row) row.leaseUntil = now() + leaseMs;
      return row !== undefined;
    },
    complete(key, token) {
      const row = owned(key, token);
      if (row) row.state = 'done';
    },
    release(key, token) {
      const row = owned(key, token);
      if (row) row.state = 'released';
    },
  };
}

// ---- the callback as the route hands it over: raw body and headers -------------------------

/**
 * Verify a callback with `core`'s client id and key (constant-time, in the core) and return
 * the typed event. A body that matched no signature and that only a route set up wrong can
 * produce is reported as that (`config`), not as a bad signature.
 */
export function verifiedEvent(core, rawBody, headers) {
  const clientId = headerValue(headers, 'cbpay-api-key');
  const signature = headerValue(headers, 'signature');
  // Last before the core call: the bytes may be a view of the shared UTF-8 buffer.
  const bytes = callbackBytes(rawBody);
  try {
    return core.verifyCallback(bytes, clientId, signature);
  } catch (e) {
    // Only a body that matched no signature is examined: a signed one is Coinbar's.
    const why = e instanceof CoinbarError && e.code === 'signature' && signature !== undefined && misreadBody(rawBody);
    if (why) throw setupError(why);
    throw e;
  }
}

/**
 * Raw callback body as bytes: exactly what was received, refused before any copy into
 * wasm memory when it is larger than a callback can be. A body that only a route set up
 * wrong can produce (already parsed, never read, empty) is a `config` error, not a
 * `signature` one: the recipes log it and answer 500, so Coinbar retries once the route is
 * fixed, instead of a silent 401 for every callback.
 */
export function callbackBytes(rawBody) {
  let bytes;
  if (typeof rawBody === 'string') {
    if (rawBody.length > maxInputBytes) throw tooLarge();
    bytes = utf8(rawBody);
  } else {
    bytes = plainBytes(rawBody);
  }
  if (bytes === undefined) {
    const parsed = rawBody !== null && typeof rawBody === 'object';
    throw setupError(
      parsed
        ? 'callback route set up wrong: the body was already parsed into an object by your framework (e.g. app.use(express.json()) before this route); the signature covers the exact bytes received, so pass the raw body ' +
            "(Express: express.raw({ type: 'application/json' }) on this route, registered before express.json(); Fastify: a raw-body content-type parser; fetch-style handlers: await request.arrayBuffer())"
        : rawBody === undefined
          ? 'callback route set up wrong: the body is undefined: nothing read the request body. Express: express.raw() without a type reads only application/octet-stream, ' +
            "and Coinbar sends application/json: use express.raw({ type: 'application/json' }) on this route"
          : `callback route set up wrong: pass the raw request body (string or bytes), not ${rawBody === null ? 'null' : typeof rawBody}`,
    );
  }
  if (bytes.length === 0) {
    throw setupError(
      'callback route set up wrong: the body is empty. If you use express.raw(), give it the JSON type so it reads this body ' +
        "(express.raw({ type: 'application/json' })); otherwise make sure nothing consumed the request stream before this call",
    );
  }
  if (bytes.length > maxInputBytes) throw tooLarge();
  return bytes;
}
export const setupError = (message) => new CoinbarError('config', message, { option: 'rawBody' });

/**
 * A body given as text that no Coinbar callback can be: an object turned into text
 * (`String(req.body)`), or bytes decoded with the wrong encoding (U+FFFD where the bytes
 * were not valid in it). Asked only after the signature did not match.
 */
export function misreadBody(rawBody) {
  if (typeof rawBody !== 'string') return null;
  if (rawBody.startsWith('[object ')) {
    return 'callback route set up wrong: the body is the text "[object …]": an object turned into a string. Pass the raw request body exactly as received';
  }
  if (rawBody.includes('\ufffd')) {
    return (
      'callback route set up wrong: the body text holds U+FFFD replacement characters: it was decoded from bytes with the wrong encoding, so its bytes are not the ones Coinbar signed. ' +
      "Pass the raw bytes (a Buffer / Uint8Array: Express express.raw({ type: 'application/json' }), fetch-style await request.arrayBuffer())"
    );
  }
  return null;
}
const tooLarge = () => new CoinbarError('signature', `callback refused: body larger than ${maxInputBytes / (1024 * 1024)} MiB`);

/** A header from a Headers object or a plain (Node) headers object, case-insensitively. */
export function headerValue(headers, name) {
  if (!headers || typeof headers !== 'object') return undefined;
  try {
    if (typeof headers.get === 'function') {
      const v = headers.get(name);
      return v === null || v === undefined ? undefined : boundedHeader(String(v));
    }
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const v = key === undefined ? undefined : headers[key];
    if (Array.isArray(v)) return boundedHeader(v.join(', '));
    return v === undefined || v === null ? undefined : boundedHeader(String(v));
  } catch (e) {
    if (e instanceof CoinbarError) throw e;
    throw new CoinbarError('validation', `Invalid callback headers: headers: could not be read (${e?.message ?? e})`, {
      errors: [{ field: 'headers', message: 'could not be read' }],
      cause: e,
    });
  }
}
// A client id or signature is short; a huge header value is refused before any copy.
const boundedHeader = (v) => (v.length > 1024 ? '' : v);
