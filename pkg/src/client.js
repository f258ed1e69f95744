// The server half of the JS shell: the CoinbarPay client, which holds the secret key inside
// WebAssembly, sends prepared requests with fetch (timeout, retries, hooks) and verifies
// callbacks. Not part of the browser build. Which failures are retried, and what a failed
// POST says about the payment, are the core's decisions (src/retry.rs).
import { CoinbarError, inputError, toCoinbarError } from './error.js';
import { glue, maxInputBytes } from './glue.js';
import { callbackOptions, processCallback } from './callbacks.js';
import { answerOf, boundedText, call, ownProperties, readOptions, settingsOf, timestampArg, toJsonText } from './common.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Option names that fromEnv reads from which variables, for error messages.
const ENV_NAMES = {
  serviceClientId: 'COINBAR_SERVICE_CLIENT_ID',
  secretKey: 'COINBAR_SECRET_KEY',
  baseUrl: 'COINBAR_BASE_URL',
  environment: 'COINBAR_ENV',
};
const HOOK_EVENTS = ['request', 'response'];
/** The options one call may override (`signal` is the shell's own). */
const CALL_SETTINGS = { timeoutMs: 'number', maxRetries: 'number' };

// The real length of a typed array, read through the built-in getters: a subclass (or a
// Proxy) can lie through its own `length` / `byteLength`, and the glue copies into wasm
// memory by what it is told, which would overflow the allocation.
const TypedArray = Object.getPrototypeOf(Uint8Array);
const intrinsic = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
const realByteLength = intrinsic(TypedArray.prototype, 'byteLength');
const realByteOffset = intrinsic(TypedArray.prototype, 'byteOffset');
const realBuffer = intrinsic(TypedArray.prototype, 'buffer');
const arrayBufferByteLength = intrinsic(ArrayBuffer.prototype, 'byteLength');
const dataViewByteLength = intrinsic(DataView.prototype, 'byteLength');
const dataViewByteOffset = intrinsic(DataView.prototype, 'byteOffset');
const dataViewBuffer = intrinsic(DataView.prototype, 'buffer');

/**
 * Bytes as a plain Uint8Array over the caller's memory, sized by the engine's own record of
 * the length (never by a property the object could override); undefined when not bytes.
 */
function plainBytes(value) {
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) {
      return new Uint8Array(dataViewBuffer.call(value), dataViewByteOffset.call(value), dataViewByteLength.call(value));
    }
    return new Uint8Array(realBuffer.call(value), realByteOffset.call(value), realByteLength.call(value));
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value, 0, arrayBufferByteLength.call(value));
  return undefined;
}


// UTF-8 of a string, written by TextEncoder.encodeInto into a reused buffer: the fastest
// way to hand text to the core (no new array per call; the glue copies it into wasm memory
// at once). The view is only valid until the next call. Texts over 16 KiB get their own
// array, so the buffer never holds more than 48 KiB.
const encoder = new TextEncoder();
const SCRATCH_CHARS = 16 * 1024;
const scratch = new Uint8Array(SCRATCH_CHARS * 3);
function utf8(text) {
  if (text.length > SCRATCH_CHARS) return encoder.encode(text);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}
const NO_BYTES = new Uint8Array(0);

/**
 * Raw callback body as bytes: exactly what was received, refused before any copy into
 * wasm memory when it is larger than a callback can be. A body that only a route set up
 * wrong can produce (already parsed, never read, empty) is a `config` error, not a
 * `signature` one: the recipes log it and answer 500, so Coinbar retries once the route is
 * fixed, instead of a silent 401 for every callback.
 */
function callbackBytes(rawBody) {
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
const setupError = (message) => new CoinbarError('config', message, { option: 'rawBody' });

/**
 * A body given as text that no Coinbar callback can be: an object turned into text
 * (`String(req.body)`), or bytes decoded with the wrong encoding (U+FFFD where the bytes
 * were not valid in it). Asked only after the signature did not match.
 */
function misreadBody(rawBody) {
  if (typeof rawBody !== 'string') return null;
  if (rawBody.startsWith('[object ')) {
    return 'callback route set up wrong: the body is the text "[object …]": an object turned into a string. Pass the raw request body exactly as received';
  }
  if (rawBody.includes('\ufffd')) {
    return 'callback route set up wrong: the body text holds U+FFFD replacement characters: it was decoded from bytes with the wrong encoding, so its bytes are not the ones Coinbar signed. ' +
      "Pass the raw bytes (a Buffer / Uint8Array: Express express.raw({ type: 'application/json' }), fetch-style await request.arrayBuffer())";
  }
  return null;
}
const tooLarge = () => new CoinbarError('signature', `callback refused: body larger than ${maxInputBytes / (1024 * 1024)} MiB`);

/** A header from a Headers object or a plain (Node) headers object, case-insensitively. */
function headerValue(headers, name) {
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

/** A payment id argument: a bounded string (its rules are the core's). */
const idArgument = (id) => boundedText(id, 'payment_request_id', 'payment_request_id');

/** `payment_request_id` of a merchant's input, for hooks and error messages. */
function inputId(input) {
  try {
    const id = input !== null && typeof input === 'object' && Object.hasOwn(input, 'payment_request_id') ? input.payment_request_id : undefined;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** Wait `ms`, or until `signal` aborts (then reject with the abort error). */
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
const aborted = (signal) => new CoinbarError('aborted', 'the call was aborted by its signal', { cause: signal?.reason });

/** A page, not a server: both `window` and `document` are defined. */
const looksLikeBrowser = () => typeof globalThis.window !== 'undefined' && typeof globalThis.document !== 'undefined';

/** Read an own property of a hostile-safe options object, wrapping any throw. */
function ownOptions(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new CoinbarError('config', `${what}: must be an object`);
  try {
    return ownProperties(options);
  } catch (e) {
    throw new CoinbarError('config', `${what}: could not be read (${e?.message ?? e})`, { cause: e });
  }
}

/** A CoinbarPay client holding the secret key (server runtimes only). */
export class CoinbarPay {
  #core;
  #config;
  #fetch;
  #initiateTemplate;
  #hooks = { request: [], response: [] };

  /**
   * @param {object} options `{ serviceClientId, secretKey, environment?, baseUrl?, timeoutMs?, maxRetries?, fetch? }`
   */
  constructor(options) {
    const { secretKey, fetchImpl, allowBrowser, rest } = readOptions(options);
    if (secretKey !== undefined && !allowBrowser && looksLikeBrowser()) {
      throw new CoinbarError(
        'config',
        'secretKey: refusing to hold a CoinbarPay secret key in a browser-like environment (window and document exist). ' +
          'Anyone who can open the page could read it and sign payments as you. Keep the key on your server and use ' +
          "the browser build ('coinbar-pay/browser') in pages. If this is really a server (e.g. tests under jsdom), pass allowBrowser: true.",
      );
    }
    // The key goes into wasm memory as bytes owned by Rust, which zeroizes them once the
    // keyed HMAC state exists; our copy is wiped here. The key is not kept in JS.
    let keyBytes;
    if (typeof secretKey === 'string') {
      if (secretKey.length > maxInputBytes) throw new CoinbarError('config', 'secretKey: is too long');
      keyBytes = encoder.encode(secretKey);
    } else if (secretKey instanceof Uint8Array) {
      const view = plainBytes(secretKey);
      if (view.length > maxInputBytes) throw new CoinbarError('config', 'secretKey: is too long');
      keyBytes = Uint8Array.from(view);
    } else if (secretKey !== undefined && secretKey !== null) {
      throw new CoinbarError('config', 'secretKey: must be a non-empty string (or a Uint8Array)', { option: 'secretKey' });
    }
    try {
      const settings = settingsOf(rest);
      this.#core = call(() => {
        const made = glue.signing_client(...settings, keyBytes ?? new Uint8Array(0));
        if (typeof made === 'string') throw toCoinbarError(made.slice(1)); // the marked error (common.js answerOf)
        return made;
      });
    } finally {
      keyBytes?.fill(0);
    }
    // The checked configuration is read from the core on first use (#settings): a client
    // that only signs or verifies never pays for the config serializer (cold start).
    this.#fetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));
  }

  /**
   * A client from environment variables: COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY,
   * and COINBAR_BASE_URL or COINBAR_ENV (sandbox|production). `env` defaults to
   * `process.env` where it exists. `overrides` are extra options (timeoutMs, fetch...).
   * Only the env object's own properties are read.
   */
  static fromEnv(env, overrides = {}) {
    env ??= globalThis.process?.env;
    if (env === null || typeof env !== 'object') {
      throw new CoinbarError('config', 'env: pass an object of environment variables (process.env is not available here)');
    }
    const own = (name) => {
      try {
        return Object.hasOwn(env, name) ? env[name] : undefined;
      } catch (e) {
        throw new CoinbarError('config', `env: ${name} could not be read (${e?.message ?? e})`, { cause: e });
      }
    };
    const baseUrl = own('COINBAR_BASE_URL');
    const environment = own('COINBAR_ENV');
    const extra = ownOptions(overrides, 'overrides');
    const options = {
      serviceClientId: own('COINBAR_SERVICE_CLIENT_ID'),
      secretKey: own('COINBAR_SECRET_KEY'),
      ...(baseUrl ? { baseUrl } : {}),
      ...(environment ? { environment } : {}),
      ...extra,
    };
    try {
      return new CoinbarPay(options);
    } catch (e) {
      // Name the variable behind the option the error is about (`e.option`, set by the
      // shell or mapped from the core's setting), unless the caller's overrides gave it.
      const name = ENV_NAMES[e?.option];
      if (e instanceof CoinbarError && name && !Object.hasOwn(extra, e.option)) {
        e.message += options[e.option] === undefined ? ` (set ${name})` : ` (read from ${name})`;
      }
      throw e;
    }
  }

  /** The checked configuration (never the secret). */
  get config() {
    return this.#settings();
  }

  /** The checked configuration as a frozen object, read from the core once. */
  #settings() {
    if (!this.#config) {
      const c = JSON.parse(answerOf(this.#core.call(glue.ClientOp.ConfigJson, NO_BYTES)));
      this.#config = Object.freeze({ serviceClientId: c.service_client_id, environment: c.environment, baseUrl: c.base_url, timeoutMs: c.timeout_ms, maxRetries: c.max_retries });
    }
    return this.#config;
  }

  #live() {
    if (!this.#core) throw new CoinbarError('config', 'this CoinbarPay client has been freed');
    return this.#core;
  }

  /**
   * Listen to every HTTP attempt: `'request'` before it is sent, `'response'` when it
   * ended (answer or failure). Events carry method, path, attempt number, status, elapsed
   * time, the retry decision and the `payment_request_id`: never the key, the signature,
   * the body or the customer's e-mail. A listener that throws does not affect the call.
   */
  on(event, listener) {
    this.#listeners(event, listener).push(listener);
    return this;
  }

  /** Remove a listener added with `on`. */
  off(event, listener) {
    const list = this.#listeners(event, listener);
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  #listeners(event, listener) {
    if (!HOOK_EVENTS.includes(event)) throw new CoinbarError('config', `event: must be one of ${HOOK_EVENTS.join(', ')}`);
    if (typeof listener !== 'function') throw new CoinbarError('config', 'listener: must be a function');
    return this.#hooks[event];
  }

  #emit(event, payload) {
    for (const listener of [...this.#hooks[event]]) {
      try {
        const r = listener(Object.freeze({ ...payload }));
        if (r && typeof r.then === 'function') r.then(undefined, () => {}); // an async listener's failure is its own
      } catch {
        // A listener's failure is its own: logging must never break a payment.
      }
    }
  }

  /**
   * Validate, serialize and sign an initiate call without sending it.
   * @returns {{ method: 'POST', url: string, headers: Record<string,string>, body: string }}
   */
  prepareInitiate(input) {
    const core = this.#live();
    const text = toJsonText(input, 'initiate input', 'input');
    const signed = call(() => answerOf(core.call(glue.ClientOp.SignInitiate, utf8(text), undefined, undefined, Date.now())));
    // The core returns signature + body; method, URL and headers come from its template.
    this.#initiateTemplate ??= JSON.parse(answerOf(core.call(glue.ClientOp.InitiateTemplate, NO_BYTES)));
    const { method, url, headers } = this.#initiateTemplate;
    return { method, url, headers: { ...headers, SIGNATURE: signed.slice(0, 64) }, body: signed.slice(64) };
  }

  /**
   * Create a payment (Execute Payment External Platform) and return what the customer
   * pays. Sent once; re-sent only when Coinbar provably did not process it (no connection,
   * 429). Any other failure rejects with `outcome: 'unknown'`: ask `paymentStatus` (or
   * `findPayment`) before trying again.
   */
  async initiate(input, options) {
    const id = inputId(input);
    const prepared = this.#beforeSend(() => this.prepareInitiate(input), id);
    return this.#send(prepared, this.#reader('ParseInitiateResponse'), 'initiate', id, options);
  }

  /** Validate, serialize and sign a Request New Payment call without sending it. */
  prepareRequest(input) {
    return this.#prepareRequest(input).request;
  }

  /** The signed request and the timestamp its body carries (the gateway URL needs it). */
  #prepareRequest(input) {
    const core = this.#live();
    const text = toJsonText(input, 'request input', 'input');
    return JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareRequest, utf8(text), undefined, undefined, Date.now()))));
  }

  /**
   * Request New Payment: the customer chooses the coin on Coinbar's hosted page. Returns
   * `request_token` and the ready `gateway_url` to redirect the customer to. Retried and
   * reported like `initiate`.
   */
  async requestPayment(input, options) {
    const id = inputId(input);
    const { request: prepared, timestamp } = this.#beforeSend(() => this.#prepareRequest(input), id);
    const core = this.#live();
    const parse = (answer) => JSON.parse(call(() => answerOf(core.call(glue.ClientOp.FinishRequest, utf8(answer.text), undefined, undefined, answer.status, timestamp))));
    return this.#send(prepared, parse, 'requestPayment', id, options);
  }

  /** The status of a payment, by your `payment_request_id`. */
  async paymentStatus(paymentRequestId, options) {
    const core = this.#live();
    const id = idArgument(paymentRequestId);
    const prepared = JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareStatus, utf8(id)))));
    return this.#send(prepared, this.#reader('ParseStatusResponse'), 'paymentStatus', id, options);
  }

  /**
   * The status of a payment, or `null` when Coinbar answers 404 for that id: the way to
   * settle an `outcome: 'unknown'` error of `initiate` / `requestPayment` before any new
   * attempt. Other failures reject as `paymentStatus` does.
   */
  async findPayment(paymentRequestId, options) {
    try {
      return await this.paymentStatus(paymentRequestId, options);
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'http' && e.status === 404) return null;
      throw e;
    }
  }

  /** The full report of a payment, by your `payment_request_id`. */
  async report(paymentRequestId, options) {
    const core = this.#live();
    const id = idArgument(paymentRequestId);
    const prepared = JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareReport, utf8(id)))));
    return this.#send(prepared, this.#reader('ParseReportResponse'), 'report', id, options);
  }

  /**
   * What `initiate` returned, for a payment that exists (the resume path after an
   * `outcome: 'unknown'`): the same fields (`payment_string`, `destination_address`,
   * `destination_memo`, exact amounts…), with `request_token: null` (Coinbar gives it only at
   * creation) plus `destination_coin`, `status`, `is_final`, `is_paid`. `null` when Coinbar
   * answers 404 for the id, as `findPayment`. One report call; a status call too only when the
   * report lacks a field the status carries. The core reads both answers and the payment string.
   */
  async retrievePayment(paymentRequestId, options) {
    const core = this.#live();
    const id = idArgument(paymentRequestId);
    const report = JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareReport, utf8(id)))));
    // `timeoutMs` is the deadline of the whole call: a status call gets what the report left.
    const deadline = Date.now() + this.#callOptions(options).timeoutMs;
    let reportAnswer;
    const retrieved = (answer, statusAnswer) =>
      call(() => answerOf(this.#live().call(glue.ClientOp.RetrievePayment, utf8(answer.text), statusAnswer?.text, undefined, answer.status, statusAnswer?.status)));
    let text;
    try {
      text = await this.#send(report, (answer) => retrieved((reportAnswer = answer)), 'retrievePayment', id, options);
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'http' && e.status === 404) return null;
      throw e;
    }
    if (text === '') {
      // The report lacks a field the status call has: ask it too, and build from both.
      const status = JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareStatus, utf8(id)))));
      const rest = { ...ownOptions(options, 'call options'), timeoutMs: Math.max(1, deadline - Date.now()) };
      text = await this.#send(status, (answer) => retrieved(reportAnswer, answer), 'retrievePayment', id, rest);
    }
    return JSON.parse(text);
  }

  /** A reader of this client's answers: the core's `Op` reader, with errors that say what to check in this client's configuration. */
  #reader(op) {
    return (answer) => JSON.parse(call(() => answerOf(this.#live().call(glue.ClientOp.ReadAnswer, utf8(answer.text), undefined, undefined, answer.status, glue.Op[op]))));
  }

  /** Informative conversion rates of every coin, in `conversionFiat` (EUR or GBP). */
  async quotes(conversionFiat = 'EUR', options) {
    const core = this.#live();
    boundedText(conversionFiat, 'quotes request', 'conversion_fiat');
    const prepared = JSON.parse(call(() => answerOf(core.call(glue.ClientOp.PrepareQuotes, utf8(conversionFiat)))));
    return this.#send(prepared, this.#reader('ParseQuotesResponse'), 'quotes', null, options);
  }

  /** The hosted payment page URL for a request token (every query value URL-encoded). */
  gatewayUrl(requestToken, timestamp = Date.now()) {
    const core = this.#live();
    boundedText(requestToken, 'gateway request', 'requestToken');
    timestampArg(timestamp, 'gateway request');
    return call(() => answerOf(core.call(glue.ClientOp.GatewayUrl, utf8(requestToken), undefined, undefined, timestamp)));
  }

  /**
   * Lowercase hex HMAC-SHA256 of a string (as UTF-8) or bytes, with the secret key. Large
   * inputs are fed to the core in chunks, so wasm memory never grows with the input.
   */
  sign(data) {
    const core = this.#live();
    if (typeof data === 'string') {
      if (data.length <= SCRATCH_CHARS) return call(() => answerOf(core.call(glue.ClientOp.Sign, utf8(data))));
      return call(() => {
        answerOf(core.call(glue.ClientOp.SignBegin, NO_BYTES));
        for (let i = 0; i < data.length; ) {
          let end = Math.min(i + SCRATCH_CHARS, data.length);
          // Never split a surrogate pair: each half alone would encode as U+FFFD.
          const last = data.charCodeAt(end - 1);
          if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
          answerOf(core.call(glue.ClientOp.SignUpdate, utf8(data.slice(i, end))));
          i = end;
        }
        return answerOf(core.call(glue.ClientOp.SignEnd, NO_BYTES));
      });
    }
    const bytes = plainBytes(data);
    if (bytes === undefined) throw inputError('sign input', 'data', 'must be a string, a Uint8Array (Buffer), an ArrayBuffer or a DataView');
    const CHUNK = scratch.length;
    if (bytes.length <= CHUNK) return call(() => answerOf(core.call(glue.ClientOp.Sign, bytes)));
    return call(() => {
      answerOf(core.call(glue.ClientOp.SignBegin, NO_BYTES));
      for (let i = 0; i < bytes.length; i += CHUNK) answerOf(core.call(glue.ClientOp.SignUpdate, bytes.subarray(i, i + CHUNK)));
      return answerOf(core.call(glue.ClientOp.SignEnd, NO_BYTES));
    });
  }

  /**
   * Verify a backend callback: the `CBPAY-API-KEY` header must be this client's id and
   * `SIGNATURE` the HMAC of the raw body bytes (constant-time). Returns the typed event;
   * throws CoinbarError `signature` (not from Coinbar), `config` (the route passed a body no callback can be: parsed, empty, mis-decoded) or `decode` (a signed but malformed body).
   * @param rawBody the body exactly as received (string, Uint8Array, Buffer, ArrayBuffer)
   * @param headers a Headers object or a plain headers object (any case)
   */
  verifyCallback(rawBody, headers) {
    const core = this.#live();
    const clientId = headerValue(headers, 'cbpay-api-key');
    const signature = headerValue(headers, 'signature');
    // Last before the core call: the bytes may be a view of the shared UTF-8 buffer.
    const bytes = callbackBytes(rawBody);
    try {
      return JSON.parse(call(() => answerOf(core.call(glue.ClientOp.VerifyCallback, bytes, clientId, signature))));
    } catch (e) {
      // Only a body that matched no signature is examined: a signed one is Coinbar's.
      const why = e instanceof CoinbarError && e.code === 'signature' && signature !== undefined && misreadBody(rawBody);
      if (why) throw setupError(why);
      throw e;
    }
  }

  /**
   * Verify a callback and process it at least once, never twice at the same time
   * (docs/callbacks.md, pkg/src/callbacks.js): each delivery claims the event's idempotency
   * key (`payment_id_coinbar/STATUS`) with its own token, `store.claim(key, token, leaseMs,
   * event)`; `handler(event, { signal })` runs your (idempotent) effect while the lease is
   * renewed every leaseMs / 3 (`store.renew`; `signal` aborts with CoinbarError `claim_lost`
   * when the claim is lost); only after it succeeded is the key marked done
   * (`store.complete(key, token)`). A handler that throws releases the key
   * (`store.release(key, token)`) and its error is rethrown: answer non-2xx so Coinbar
   * delivers again. Resolves to `{ event, outcome, status }` where `status` is the HTTP
   * status to answer: `processed` 200, `duplicate` 200 (done before), `in_progress` 409
   * (another delivery holds a live claim; Coinbar retries later).
   */
  async handleCallback(rawBody, headers, options) {
    if (options === null || typeof options !== 'object') {
      throw new CoinbarError('config', 'options: pass { store, handler } (see docs/callbacks.md)');
    }
    const checked = callbackOptions(ownOptions(options, 'options'));
    return processCallback(this.verifyCallback(rawBody, headers), checked);
  }

  /**
   * Prepare a POST, tagging an error that stops it before sending (validation, a freed
   * client) with `outcome: 'not_processed'`: nothing reached Coinbar.
   */
  #beforeSend(prepare, id) {
    try {
      return prepare();
    } catch (e) {
      if (e instanceof CoinbarError) withOutcome(e, 'not_processed', id);
      throw e;
    }
  }

  /** The per-call options `{ signal, timeoutMs, maxRetries }`, checked by the core's rules. */
  #callOptions(options) {
    const { signal, ...limits } = ownOptions(options, 'call options');
    if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.addEventListener === 'function' && 'aborted' in signal)) {
      throw new CoinbarError('config', 'signal: must be an AbortSignal');
    }
    const [timeoutMs, maxRetries] = JSON.parse(
      call(() => answerOf(this.#live().call(glue.ClientOp.CallLimits, NO_BYTES, undefined, undefined, ...settingsOf(limits, CALL_SETTINGS, 'is not a per-call option')))),
    );
    return { signal, timeoutMs, maxRetries };
  }

  /**
   * Send a prepared request with the core's retry rule. `timeoutMs` is the deadline of the
   * whole call, every attempt and wait included. A POST's failure carries `outcome`.
   */
  async #send(prepared, parse, callName, paymentRequestId, options) {
    const isPost = prepared.method === 'POST';
    const fail = (e, status, networkCode) => {
      if (isPost && e instanceof CoinbarError) withOutcome(e, answerOf(glue.call(glue.Op.PostOutcome, '', networkCode ?? undefined, e.code, undefined, status)), paymentRequestId);
      return e;
    };
    let limits;
    try {
      limits = this.#callOptions(options);
    } catch (e) {
      throw isPost && e instanceof CoinbarError ? withOutcome(e, 'not_processed', paymentRequestId) : e;
    }
    const { signal, timeoutMs, maxRetries } = limits;
    if (signal?.aborted) throw isPost ? withOutcome(aborted(signal), 'not_processed', paymentRequestId) : aborted(signal);
    const deadline = Date.now() + timeoutMs;
    const path = pathOf(prepared.url);
    const base = { call: callName, method: prepared.method, path, payment_request_id: paymentRequestId };
    for (let attempt = 1; ; attempt++) {
      this.#emit('request', { ...base, attempt });
      const started = Date.now();
      // Checked immediately before every attempt (a `request` listener, or the wait before a
      // retry, may have aborted it): an aborted call sends nothing.
      if (signal?.aborted) {
        const e = isPost ? withOutcome(aborted(signal), 'not_processed', paymentRequestId) : aborted(signal);
        this.#emit('response', { ...base, attempt, status: 0, elapsed_ms: 0, error_code: 'aborted', network_code: null, retry: false, retry_delay_ms: null, ...(isPost ? { outcome: e.outcome } : {}) });
        throw e;
      }
      let answer;
      let failure;
      let networkCode = null;
      try {
        answer = await this.#attempt(prepared, deadline - Date.now(), timeoutMs, signal);
      } catch (e) {
        failure = e;
        networkCode = e.networkCode ?? null;
      }
      const status = answer ? answer.status : 0;
      const final = failure && (failure.code === 'timeout' || failure.code === 'aborted');
      const delay = final ? -1 : Number(answerOf(glue.call(isPost ? glue.Op.RetryDelayPost : glue.Op.RetryDelayGet, '', networkCode ?? undefined, answer?.retryAfter ?? undefined, undefined, attempt - 1, maxRetries, status, Math.random())));
      const retry = delay >= 0 && delay < deadline - Date.now();
      let result;
      let error = failure;
      if (!retry && !failure) {
        try {
          if (answer.oversize) {
            throw new CoinbarError('decode', `Coinbar's answer is larger than ${maxInputBytes} bytes (HTTP ${status}); not read`, { status });
          }
          if (answer.redirect) throw redirectError(answer, prepared, parse);
          result = parse(answer);
        } catch (e) {
          error = e;
        }
      }
      if (error && isPost) fail(error, status, networkCode);
      this.#emit('response', {
        ...base,
        attempt,
        status,
        elapsed_ms: Date.now() - started,
        error_code: retry ? null : error?.code ?? null,
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
  async #attempt(prepared, remainingMs, timeoutMs, signal) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, remainingMs));
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let response;
    try {
      // A redirect is never followed: fetch would send the signed POST again to the
      // Location (a second payment when Coinbar processed the first), possibly to another
      // origin. A 3xx is an answer like any other, and for a POST its outcome is unknown.
      response = await this.#fetch(prepared.url, {
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (e) {
      throw this.#transportError(e, prepared, timeoutMs, signal, controller, errorCode(e));
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
      throw this.#transportError(e, prepared, timeoutMs, signal, controller, null);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #transportError(e, prepared, timeoutMs, signal, controller, networkCode) {
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

  /** Wipe the key state from wasm memory. The client is unusable afterwards. */
  free() {
    if (this.#core) this.#settings(); // kept for toString / toJSON after free
    const core = this.#core;
    this.#core = null;
    core?.free();
  }

  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.free();
  }

  toJSON() {
    return { ...this.#settings() };
  }

  toString() {
    const { serviceClientId, baseUrl } = this.#settings();
    return `CoinbarPay(${serviceClientId} @ ${baseUrl})`;
  }

  [INSPECT]() {
    const { serviceClientId, baseUrl } = this.#settings();
    return `CoinbarPay { serviceClientId: '${serviceClientId}', baseUrl: '${baseUrl}', secretKey: [redacted]${this.#core ? '' : ', freed'} }`;
  }
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

/** `host[:port]` of a URL, for network error messages. */
function hostOf(url) {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  return url.slice(start, end < 0 ? url.length : end);
}

/** Path and query of a URL, for hooks and messages (the host is in `config`). */
function pathOf(url) {
  const i = url.indexOf('/', url.indexOf('//') + 2);
  return i < 0 ? '/' : url.slice(i);
}

const OUTCOME_TEXT = {
  not_processed: 'not processed: Coinbar created no payment for this request',
  unknown: 'outcome unknown: Coinbar may have created the payment; ask Coinbar before any new attempt: retrievePayment (what initiate returned, or null) or findPayment / paymentStatus for this payment_request_id',
};

/** Tag a POST's error with what it says about the payment, in a field and in the message. */
function withOutcome(error, outcome, paymentRequestId) {
  if (error.outcome !== undefined) return error;
  error.outcome = outcome;
  error.message += ` [${OUTCOME_TEXT[outcome]}${paymentRequestId ? ` (payment_request_id ${paymentRequestId})` : ''}]`;
  return error;
}
