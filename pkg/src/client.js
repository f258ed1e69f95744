// The server half of the JS shell: the CoinbarPay client, which holds the secret key inside
// WebAssembly, sends prepared requests with fetch (timeout, retries, hooks) and verifies
// callbacks. Not part of the browser build. A thin class over modules with one job each:
// options.js (constructor, fromEnv and per-call options), requests.js (what each call sends
// and how its answer is read), transport.js (the send loop, hooks, transport errors),
// sign.js (chunked signing), callbacks.js (verifying and processing callbacks). Which
// failures are retried, and what a failed POST says about the payment, are the core's
// decisions (src/retry.rs).
import { CoinbarError } from './error.js';
import { callbackOptions, processCallback, verifiedEvent } from './callbacks.js';
import { Hooks, send, withOutcome } from './transport.js';
import { callOptions, configOf, envOptions, openClient, ownOptions, withEnvName } from './options.js';
import * as requests from './requests.js';
import { signData } from './sign.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Coinbar's 404 for a payment id: no such payment (findPayment, retrievePayment). */
const isNotFound = (e) => e instanceof CoinbarError && e.code === 'http' && e.status === 404;

/** A CoinbarPay client holding the secret key (server runtimes only). */
export class CoinbarPay {
  /** @type {import('./ops.js').ClientCore | null} The core client holding the key; null once freed. */
  #core = null;
  #config;
  #fetch;
  #initiateTemplate;
  #hooks = new Hooks();

  /**
   * @param {object} options `{ serviceClientId, secretKey, environment?, baseUrl?, timeoutMs?, maxRetries?, fetch? }`
   */
  constructor(options) {
    // The checked configuration is read from the core on first use (#settings): a client
    // that only signs or verifies never pays for the config serializer (cold start).
    ({ core: this.#core, fetch: this.#fetch } = openClient(options));
  }

  /**
   * A client from environment variables: COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY,
   * and COINBAR_BASE_URL or COINBAR_ENV (sandbox|production). `env` defaults to
   * `process.env` where it exists. `overrides` are extra options (timeoutMs, fetch...).
   * Only the env object's own properties are read.
   */
  static fromEnv(env, overrides = {}) {
    const { options, extra } = envOptions(env, overrides);
    try {
      return new CoinbarPay(options);
    } catch (e) {
      throw withEnvName(e, options, extra);
    }
  }

  /** The checked configuration (never the secret). */
  get config() {
    return this.#settings();
  }

  /** The checked configuration as a frozen object, read from the core once. */
  #settings() {
    this.#config ??= configOf(this.#core);
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
   * @returns {import('../types/index.js').PreparedRequest}
   */
  prepareInitiate(input) {
    const core = this.#live();
    const signed = requests.signInitiate(core, input);
    // The core returns signature + body; method, URL and headers come from its template.
    this.#initiateTemplate ??= requests.initiateTemplate(core);
    return requests.withSignature(this.#initiateTemplate, signed);
  }

  /**
   * Create a payment (Execute Payment External Platform) and return what the customer
   * pays. Sent once; re-sent only when Coinbar provably did not process it (no connection,
   * 429). Any other failure rejects with `outcome: 'unknown'`: ask `paymentStatus` (or
   * `findPayment`) before trying again.
   */
  async initiate(input, options) {
    const id = requests.inputId(input);
    const prepared = this.#beforeSend(() => this.prepareInitiate(input), id);
    return this.#send(prepared, this.#reader('ParseInitiateResponse'), 'initiate', id, options);
  }

  /** Validate, serialize and sign a Request New Payment call without sending it. */
  prepareRequest(input) {
    return requests.prepareRequest(this.#live(), input).request;
  }

  /**
   * Request New Payment: the customer chooses the coin on Coinbar's hosted page. Returns
   * `request_token` and the ready `gateway_url` to redirect the customer to. Retried and
   * reported like `initiate`.
   */
  async requestPayment(input, options) {
    const id = requests.inputId(input);
    const { request: prepared, timestamp } = this.#beforeSend(() => requests.prepareRequest(this.#live(), input), id);
    const parse = requests.requestReader(this.#live(), timestamp);
    return this.#send(prepared, parse, 'requestPayment', id, options);
  }

  /** The status of a payment, by your `payment_request_id`. */
  async paymentStatus(paymentRequestId, options) {
    const core = this.#live();
    const id = requests.idArgument(paymentRequestId);
    const prepared = requests.statusRequest(core, id);
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
    const id = requests.idArgument(paymentRequestId);
    const prepared = requests.reportRequest(core, id);
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
    const id = requests.idArgument(paymentRequestId);
    const report = requests.reportRequest(core, id);
    // `timeoutMs` is the deadline of the whole call: a status call gets what the report left.
    const deadline = Date.now() + callOptions(() => this.#live(), options).timeoutMs;
    let reportAnswer;
    const retrieved = requests.retrievedReader(() => this.#live());
    let text;
    try {
      text = await this.#send(report, (answer) => retrieved((reportAnswer = answer)), 'retrievePayment', id, options);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    if (text === '') {
      // The report lacks a field the status call has: ask it too, and build from both.
      const status = requests.statusRequest(core, id);
      const rest = { ...ownOptions(options, 'call options'), timeoutMs: Math.max(1, deadline - Date.now()) };
      text = await this.#send(status, (answer) => retrieved(reportAnswer, answer), 'retrievePayment', id, rest);
    }
    return JSON.parse(text);
  }

  /** A reader of this client's answers (requests.js reader), for the core's `Op` named `op`. */
  #reader(op) {
    return requests.reader(() => this.#live(), op);
  }

  /** Informative conversion rates of every coin, in `conversionFiat` (EUR or GBP). */
  async quotes(conversionFiat = 'EUR', options) {
    const prepared = requests.quotesRequest(this.#live(), conversionFiat);
    return this.#send(prepared, this.#reader('ParseQuotesResponse'), 'quotes', null, options);
  }

  /** The hosted payment page URL for a request token (every query value URL-encoded). */
  gatewayUrl(requestToken, timestamp = Date.now()) {
    return requests.gatewayUrl(this.#live(), requestToken, timestamp);
  }

  /**
   * Lowercase hex HMAC-SHA256 of a string (as UTF-8) or bytes, with the secret key. Large
   * inputs are fed to the core in chunks, so wasm memory never grows with the input.
   */
  sign(data) {
    return signData(this.#live(), data);
  }

  /**
   * Verify a backend callback: the `CBPAY-API-KEY` header must be this client's id and
   * `SIGNATURE` the HMAC of the raw body bytes (constant-time). Returns the typed event;
   * throws CoinbarError `signature` (not from Coinbar), `config` (the route passed a body no callback can be: parsed, empty, mis-decoded) or `decode` (a signed but malformed body).
   * @param rawBody the body exactly as received (string, Uint8Array, Buffer, ArrayBuffer)
   * @param headers a Headers object or a plain headers object (any case)
   */
  verifyCallback(rawBody, headers) {
    return verifiedEvent(this.#live(), rawBody, headers);
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

  /**
   * Send a prepared request (transport.js) with this call's limits (options.js); a POST whose
   * options are refused was not sent: `outcome: 'not_processed'`.
   */
  async #send(prepared, parse, callName, paymentRequestId, options) {
    let limits;
    try {
      limits = callOptions(() => this.#live(), options);
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
