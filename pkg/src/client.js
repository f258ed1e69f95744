// The server half of the JS shell: the CoinbarPay client, which holds the secret key inside
// WebAssembly, sends prepared requests with fetch (timeout, retries, hooks) and verifies
// callbacks. Not part of the browser build. Which failures are retried, and what a failed
// POST says about the payment, are the core's decisions (src/retry.rs).
import { CoinbarError, call, inputError } from './error.js';
import { maxInputBytes } from './glue.js';
import { ClientCore, Op } from './ops.js';
import { CHUNK_BYTES, SCRATCH_CHARS, encoder, plainBytes, utf8 } from './bytes.js';
import { callbackBytes, callbackOptions, headerValue, misreadBody, processCallback, setupError } from './callbacks.js';
import { Hooks, send, withOutcome } from './transport.js';
import { boundedText, ownProperties, readOptions, settingsOf, timestampArg, toJsonText } from './common.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Option names that fromEnv reads from which variables, for error messages.
const ENV_NAMES = {
  serviceClientId: 'COINBAR_SERVICE_CLIENT_ID',
  secretKey: 'COINBAR_SECRET_KEY',
  baseUrl: 'COINBAR_BASE_URL',
  environment: 'COINBAR_ENV',
};
/** The options one call may override (`signal` is the shell's own). */
const CALL_SETTINGS = { timeoutMs: 'number', maxRetries: 'number' };



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

/** Coinbar's 404 for a payment id: no such payment (findPayment, retrievePayment). */
const isNotFound = (e) => e instanceof CoinbarError && e.code === 'http' && e.status === 404;

/** A CoinbarPay client holding the secret key (server runtimes only). */
export class CoinbarPay {
  #core;
  #config;
  #fetch;
  #initiateTemplate;
  #hooks = new Hooks();

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
      this.#core = new ClientCore(settings, keyBytes ?? new Uint8Array(0));
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
      const c = this.#core.configJson();
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
    this.#hooks.add(event, listener);
    return this;
  }

  /** Remove a listener added with `on`. */
  off(event, listener) {
    this.#hooks.remove(event, listener);
    return this;
  }

  /**
   * Validate, serialize and sign an initiate call without sending it.
   * @returns {{ method: 'POST', url: string, headers: Record<string,string>, body: string }}
   */
  prepareInitiate(input) {
    const core = this.#live();
    const text = toJsonText(input, 'initiate input', 'input');
    const signed = core.signInitiate(utf8(text), Date.now());
    // The core returns signature + body; method, URL and headers come from its template.
    this.#initiateTemplate ??= core.initiateTemplate();
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
    return core.prepareRequest(utf8(text), Date.now());
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
    const parse = (answer) => core.finishRequest(utf8(answer.text), answer.status, timestamp);
    return this.#send(prepared, parse, 'requestPayment', id, options);
  }

  /** The status of a payment, by your `payment_request_id`. */
  async paymentStatus(paymentRequestId, options) {
    const core = this.#live();
    const id = idArgument(paymentRequestId);
    const prepared = core.prepareStatus(utf8(id));
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
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** The full report of a payment, by your `payment_request_id`. */
  async report(paymentRequestId, options) {
    const core = this.#live();
    const id = idArgument(paymentRequestId);
    const prepared = core.prepareReport(utf8(id));
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
    const report = core.prepareReport(utf8(id));
    // `timeoutMs` is the deadline of the whole call: a status call gets what the report left.
    const deadline = Date.now() + this.#callOptions(options).timeoutMs;
    let reportAnswer;
    const retrieved = (answer, statusAnswer) =>
      this.#live().retrievePayment(utf8(answer.text), statusAnswer?.text, answer.status, statusAnswer?.status);
    let text;
    try {
      text = await this.#send(report, (answer) => retrieved((reportAnswer = answer)), 'retrievePayment', id, options);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    if (text === '') {
      // The report lacks a field the status call has: ask it too, and build from both.
      const status = core.prepareStatus(utf8(id));
      const rest = { ...ownOptions(options, 'call options'), timeoutMs: Math.max(1, deadline - Date.now()) };
      text = await this.#send(status, (answer) => retrieved(reportAnswer, answer), 'retrievePayment', id, rest);
    }
    return JSON.parse(text);
  }

  /** A reader of this client's answers: the core's `Op` reader, with errors that say what to check in this client's configuration. */
  #reader(op) {
    return (answer) => this.#live().readAnswer(utf8(answer.text), answer.status, Op[op]);
  }

  /** Informative conversion rates of every coin, in `conversionFiat` (EUR or GBP). */
  async quotes(conversionFiat = 'EUR', options) {
    const core = this.#live();
    boundedText(conversionFiat, 'quotes request', 'conversion_fiat');
    const prepared = core.prepareQuotes(utf8(conversionFiat));
    return this.#send(prepared, this.#reader('ParseQuotesResponse'), 'quotes', null, options);
  }

  /** The hosted payment page URL for a request token (every query value URL-encoded). */
  gatewayUrl(requestToken, timestamp = Date.now()) {
    const core = this.#live();
    boundedText(requestToken, 'gateway request', 'requestToken');
    timestampArg(timestamp, 'gateway request');
    return core.gatewayUrl(utf8(requestToken), timestamp);
  }

  /**
   * Lowercase hex HMAC-SHA256 of a string (as UTF-8) or bytes, with the secret key. Large
   * inputs are fed to the core in chunks, so wasm memory never grows with the input.
   */
  sign(data) {
    const core = this.#live();
    if (typeof data === 'string') {
      if (data.length <= SCRATCH_CHARS) return core.sign(utf8(data));
      return call(() => {
        core.signBegin();
        for (let i = 0; i < data.length; ) {
          let end = Math.min(i + SCRATCH_CHARS, data.length);
          // Never split a surrogate pair: each half alone would encode as U+FFFD.
          const last = data.charCodeAt(end - 1);
          if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
          core.signUpdate(utf8(data.slice(i, end)));
          i = end;
        }
        return core.signEnd();
      });
    }
    const bytes = plainBytes(data);
    if (bytes === undefined) throw inputError('sign input', 'data', 'must be a string, a Uint8Array (Buffer), an ArrayBuffer or a DataView');
    const CHUNK = CHUNK_BYTES;
    if (bytes.length <= CHUNK) return core.sign(bytes);
    return call(() => {
      core.signBegin();
      for (let i = 0; i < bytes.length; i += CHUNK) core.signUpdate(bytes.subarray(i, i + CHUNK));
      return core.signEnd();
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
      return core.verifyCallback(bytes, clientId, signature);
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
    const [timeoutMs, maxRetries] = this.#live().callLimits(...settingsOf(limits, CALL_SETTINGS, 'is not a per-call option'));
    return { signal, timeoutMs, maxRetries };
  }

  /**
   * Send a prepared request (transport.js) with this call's limits; a POST whose options are
   * refused was not sent: `outcome: 'not_processed'`.
   */
  async #send(prepared, parse, callName, paymentRequestId, options) {
    let limits;
    try {
      limits = this.#callOptions(options);
    } catch (e) {
      throw prepared.method === 'POST' && e instanceof CoinbarError ? withOutcome(e, 'not_processed', paymentRequestId) : e;
    }
    return send({ fetch: this.#fetch, hooks: this.#hooks }, prepared, parse, callName, paymentRequestId, limits);
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
