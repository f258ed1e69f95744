// Sending a prepared request: the send loop with the core's retry rule, one HTTP exchange,
// the transport's errors, and what a failed POST says about the payment. Which failures are
// retried, and what a failed POST means, are the core's decisions (src/retry.rs); this module
// owns the clock, the deadline, fetch and the hooks.
import { CoinbarError } from './error.js';
import { maxInputBytes } from './glue.js';
import * as ops from './ops.js';

const HOOK_EVENTS = ['request', 'response'];

/**
 * The `request` / `response` listeners of one client: `'request'` before each attempt is
 * sent, `'response'` when it ended (answer or failure). A listener that throws (or rejects)
 * does not affect the call.
 */
export class Hooks {
  #lists = { request: [], response: [] };

  add(event, listener) {
    this.#list(event, listener).push(listener);
  }

  remove(event, listener) {
    const list = this.#list(event, listener);
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }

  #list(event, listener) {
    if (!HOOK_EVENTS.includes(event)) throw new CoinbarError('config', `event: must be one of ${HOOK_EVENTS.join(', ')}`);
    if (typeof listener !== 'function') throw new CoinbarError('config', 'listener: must be a function');
    return this.#lists[event];
  }

  emit(event, payload) {
    for (const listener of [...this.#lists[event]]) {
      try {
        const r = listener(Object.freeze({ ...payload }));
        if (r && typeof r.then === 'function') r.then(undefined, () => {}); // an async listener's failure is its own
      } catch {
        // A listener's failure is its own: logging must never break a payment.
      }
    }
  }
}

/**
 * Wait `ms`, or until `signal` aborts (then reject with the abort error).
 * @returns {Promise<void>}
 */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(aborted(signal));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
export const aborted = (signal) => new CoinbarError('aborted', 'the call was aborted by its signal', { cause: signal?.reason });

/**
 * Send a prepared request with the core's retry rule (`limits`: the call's checked
 * `{ signal, timeoutMs, maxRetries }`). `timeoutMs` is the deadline of the
 * whole call, every attempt and wait included. A POST's failure carries `outcome`.
 */
export async function send({ fetch, hooks }, prepared, parse, callName, paymentRequestId, limits) {
  const isPost = prepared.method === 'POST';
  const fail = (e, status, networkCode) => {
    if (isPost && e instanceof CoinbarError) withOutcome(e, ops.postOutcome(networkCode ?? undefined, e.code, status), paymentRequestId);
    return e;
  };
  const { signal, timeoutMs, maxRetries } = limits;
  if (signal?.aborted) throw isPost ? withOutcome(aborted(signal), 'not_processed', paymentRequestId) : aborted(signal);
  const deadline = Date.now() + timeoutMs;
  const path = pathOf(prepared.url);
  const base = { call: callName, method: prepared.method, path, payment_request_id: paymentRequestId };
  for (let attempt = 1; ; attempt++) {
    hooks.emit('request', { ...base, attempt });
    const started = Date.now();
    // Checked immediately before every attempt (a `request` listener, or the wait before a
    // retry, may have aborted it): an aborted call sends nothing.
    if (signal?.aborted) {
      const e = isPost ? withOutcome(aborted(signal), 'not_processed', paymentRequestId) : aborted(signal);
      hooks.emit('response', { ...base, attempt, status: 0, elapsed_ms: 0, error_code: 'aborted', network_code: null, retry: false, retry_delay_ms: null, ...(isPost ? { outcome: e.outcome } : {}) });
      throw e;
    }
    let answer;
    let failure;
    let networkCode = null;
    try {
      answer = await exchange(fetch, prepared, deadline - Date.now(), timeoutMs, signal);
    } catch (e) {
      failure = e;
      networkCode = e.networkCode ?? null;
    }
    const status = answer ? answer.status : 0;
    const final = failure && (failure.code === 'timeout' || failure.code === 'aborted');
    const delay = final ? -1 : (isPost ? ops.retryDelayPost : ops.retryDelayGet)(networkCode ?? undefined, answer?.retryAfter ?? undefined, attempt - 1, maxRetries, status, Math.random());
    const retry = delay >= 0 && delay < deadline - Date.now();
    let result;
    let error = failure;
    if (!retry && !failure) {
      const got = /** @type {NonNullable<typeof answer>} */ (answer); // no failure: the exchange answered
      try {
        if (got.oversize) {
          throw new CoinbarError('decode', `Coinbar's answer is larger than ${maxInputBytes} bytes (HTTP ${status}); not read`, { status });
        }
        if (got.redirect) throw redirectError(got, prepared, parse);
        result = parse(got);
      } catch (e) {
        error = e;
      }
    }
    if (error && isPost) fail(error, status, networkCode);
    hooks.emit('response', {
      ...base,
      attempt,
      status,
      elapsed_ms: Date.now() - started,
      error_code: retry ? null : (error?.code ?? null),
      network_code: networkCode,
      retry,
      retry_delay_ms: retry ? delay : null,
      ...(isPost && error ? { outcome: error.outcome } : {}),
    });
    if (!retry) {
      if (error) throw error;
      return result;
    }
    try {
      await sleep(delay, signal);
    } catch (e) {
      // Aborted while waiting: the last attempt was one the core allowed to repeat, so
      // for a POST it was provably not processed.
      throw isPost ? withOutcome(e, 'not_processed', paymentRequestId) : e;
    }
  }
}

/** One HTTP exchange, aborted when the call's deadline passes (body included) or its signal aborts. */
async function exchange(fetch, prepared, remainingMs, timeoutMs, signal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, remainingMs));
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let response;
  try {
    // A redirect is never followed: fetch would send the signed POST again to the
    // Location (a second payment when Coinbar processed the first), possibly to another
    // origin. A 3xx is an answer like any other, and for a POST its outcome is unknown.
    response = await fetch(prepared.url, {
      method: prepared.method,
      headers: prepared.headers,
      body: prepared.body,
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch (e) {
    throw transportError(e, prepared, timeoutMs, signal, controller, errorCode(e));
  }
  try {
    const retryAfter = response.headers?.get?.('retry-after') ?? null;
    // An answer announced as larger than any Coinbar answer is not read at all.
    if (Number(response.headers?.get?.('content-length')) > maxInputBytes) {
      response.body?.cancel?.().catch?.(() => {});
      return { status: response.status, text: '', oversize: true, retryAfter };
    }
    // A browser-like fetch hides a manual redirect behind an opaque answer with status 0.
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status <= 399)) {
      const location = response.headers?.get?.('location') ?? null;
      const text = response.type === 'opaqueredirect' ? '' : await response.text();
      return { status: response.status, text: text.length > maxInputBytes ? '' : text, redirect: true, location, retryAfter };
    }
    const text = await response.text();
    return { status: response.status, text, oversize: text.length > maxInputBytes, retryAfter };
  } catch (e) {
    // The answer had started: whatever broke, the request reached Coinbar.
    throw transportError(e, prepared, timeoutMs, signal, controller, null);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function transportError(e, prepared, timeoutMs, signal, controller, networkCode) {
  if (signal?.aborted) return aborted(signal);
  // The whole URL: a refused connection or a timeout is most often the wrong host or port.
  const where = `${prepared.method} ${prepared.url}`;
  if (controller.signal.aborted) {
    return new CoinbarError('timeout', `no complete answer from Coinbar within ${timeoutMs} ms (${where})`, { cause: e });
  }
  const why = networkCode ? `${networkCode} ${hostOf(prepared.url)}` : (e?.cause?.message ?? e?.message ?? String(e));
  const error = new CoinbarError('network', `request to Coinbar failed: ${why} (${where})`, { cause: e });
  Object.defineProperty(error, 'networkCode', { value: networkCode, enumerable: false });
  return error;
}

/** The error code a runtime gave a failed fetch (undici's `cause.code`, Bun's `code`). */
function errorCode(e) {
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * The `http` error of a 3xx answer: never followed, with where it pointed. The core reads
 * the answer as for any non-2xx status (status, body cut, Coinbar's error text); the shell
 * adds the Location and says what happened.
 */
function redirectError(answer, prepared, parse) {
  const { status, location } = answer;
  let error = null;
  if (status) {
    try {
      parse(answer);
    } catch (e) {
      error = e;
    }
  }
  if (!(error instanceof CoinbarError && error.code === 'http')) error = new CoinbarError('http', '', { status, body: '' });
  const where = location === null ? 'without a Location' : `to ${boundedLocation(location)}`;
  error.location = location;
  error.message =
    `Coinbar answered HTTP ${status || '3xx'}, a redirect ${where}; not followed, so the signed request went to the configured base URL only ` +
    `(${prepared.method} ${pathOf(prepared.url)}). Check baseUrl: it must be the exact API address, with https:// and the /coinbar/api/v2 path`;
  return error;
}
const boundedLocation = (l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l);

/** Where the path of a URL starts (after `scheme://host[:port]`); -1 when it has none. */
const pathStart = (url) => url.indexOf('/', url.indexOf('//') + 2);

/** `host[:port]` of a URL, for network error messages. */
function hostOf(url) {
  const end = pathStart(url);
  return url.slice(url.indexOf('//') + 2, end < 0 ? url.length : end);
}

/** Path and query of a URL, for hooks and messages (the host is in `config`). */
function pathOf(url) {
  const i = pathStart(url);
  return i < 0 ? '/' : url.slice(i);
}

const OUTCOME_TEXT = {
  not_processed: 'not processed: Coinbar created no payment for this request',
  unknown:
    'outcome unknown: Coinbar may have created the payment; ask Coinbar before any new attempt: retrievePayment (what initiate returned, or null) or findPayment / paymentStatus for this payment_request_id',
};

/** Tag a POST's error with what it says about the payment, in a field and in the message. */
export function withOutcome(error, outcome, paymentRequestId) {
  if (error.outcome !== undefined) return error;
  error.outcome = outcome;
  error.message += ` [${OUTCOME_TEXT[outcome]}${paymentRequestId ? ` (payment_request_id ${paymentRequestId})` : ''}]`;
  return error;
}
