// The server half of the JS shell: the CoinbarPay client, which holds the secret key inside
// WebAssembly, sends prepared requests with fetch (timeout, retries) and verifies callbacks.
// Not part of the browser build.
import { CoinbarError, inputError } from './error.js';
import { checkRawBody } from './raw-body.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Option names that fromEnv reads from which variables, for error messages.
const ENV_NAMES = {
  serviceClientId: 'COINBAR_SERVICE_CLIENT_ID',
  secretKey: 'COINBAR_SECRET_KEY',
  baseUrl: 'COINBAR_BASE_URL',
  environment: 'COINBAR_ENV',
};

/**
 * Build the public API on top of an initialized wasm-bindgen glue module. Each entry file
 * (one per runtime) initializes its glue and calls this once.
 */
/** Build the CoinbarPay class on an initialized server glue module and its common API. */
export function createClient(glue, common) {
  const { call, toJsonText, readOptions, optionsJson } = common;

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

  /** Raw callback body as bytes: exactly what was received. */
  function bodyBytes(rawBody) {
    if (typeof rawBody === 'string') return utf8(rawBody);
    if (rawBody instanceof Uint8Array) return rawBody;
    if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
    if (ArrayBuffer.isView(rawBody)) return new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    throw new CoinbarError(
      'signature',
      'callback refused: pass the raw request body (string or bytes), not a parsed object: the signature covers the exact bytes received',
    );
  }

  /** A header from a Headers object or a plain (Node) headers object, case-insensitively. */
  function headerValue(headers, name) {
    if (!headers || typeof headers !== 'object') return undefined;
    if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const v = key === undefined ? undefined : headers[key];
    if (Array.isArray(v)) return v.join(', ');
    return v === undefined || v === null ? undefined : String(v);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A page, not a server: both `window` and `document` are defined. */
  const looksLikeBrowser = () => typeof globalThis.window !== 'undefined' && typeof globalThis.document !== 'undefined';

  class CoinbarPay {
    #core;
    #config;
    #fetch;
    #initiateTemplate;

    /**
     * @param {object} options `{ serviceClientId, secretKey, environment?, baseUrl?, timeoutMs?, maxRetries?, fetch? }`
     */
    constructor(options) {
      if (options === null || typeof options !== 'object') {
        throw new CoinbarError('config', 'options: must be an object');
      }
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
      if (typeof secretKey === 'string') keyBytes = new TextEncoder().encode(secretKey);
      else if (secretKey instanceof Uint8Array) keyBytes = Uint8Array.from(secretKey);
      else if (secretKey !== undefined && secretKey !== null) rest.secretKey = typeof secretKey; // rejected by the core, by name
      try {
        this.#core = call(() => new glue.SigningClient(optionsJson(rest), keyBytes ?? new Uint8Array(0)));
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
     */
    static fromEnv(env, overrides = {}) {
      env ??= globalThis.process?.env;
      if (env === null || typeof env !== 'object') {
        throw new CoinbarError('config', 'env: pass an object of environment variables (process.env is not available here)');
      }
      const options = {
        serviceClientId: env.COINBAR_SERVICE_CLIENT_ID,
        secretKey: env.COINBAR_SECRET_KEY,
        ...(env.COINBAR_BASE_URL ? { baseUrl: env.COINBAR_BASE_URL } : {}),
        ...(env.COINBAR_ENV ? { environment: env.COINBAR_ENV } : {}),
        ...overrides,
      };
      try {
        return new CoinbarPay(options);
      } catch (e) {
        const option = e.message.split(':')[0];
        if (ENV_NAMES[option]) e.message = `${e.message} (read from ${ENV_NAMES[option]})`;
        throw e;
      }
    }

    /** The checked configuration (never the secret). */
    get config() {
      return this.#settings();
    }

    /** The checked configuration as a frozen object, read from the core once. */
    #settings() {
      return (this.#config ??= Object.freeze(JSON.parse(this.#core.config_json())));
    }

    #live() {
      if (!this.#core) throw new CoinbarError('config', 'this CoinbarPay client has been freed');
      return this.#core;
    }

    /**
     * Validate, serialize and sign an initiate call without sending it.
     * @returns {{ method: 'POST', url: string, headers: Record<string,string>, body: string }}
     */
    prepareInitiate(input) {
      const core = this.#live();
      const text = toJsonText(input, 'initiate input', 'input');
      const signed = call(() => core.sign_initiate(utf8(text), Date.now()));
      // The core returns signature + body; method, URL and headers come from its template.
      this.#initiateTemplate ??= JSON.parse(core.initiate_template());
      const { method, url, headers } = this.#initiateTemplate;
      return { method, url, headers: { ...headers, SIGNATURE: signed.slice(0, 64) }, body: signed.slice(64) };
    }

    /** Create a payment (Execute Payment External Platform) and return what the customer pays. */
    async initiate(input) {
      const prepared = this.prepareInitiate(input);
      return this.#call(prepared, (status, text) => glue.parse_initiate_response(status, text));
    }

    /** Validate, serialize and sign a Request New Payment call without sending it. */
    prepareRequest(input) {
      const core = this.#live();
      const text = toJsonText(input, 'request input', 'input');
      return JSON.parse(call(() => core.prepare_request(text, Date.now())));
    }

    /**
     * Request New Payment: the customer chooses the coin on Coinbar's hosted page. Returns
     * `request_token` and the ready `gateway_url` to redirect the customer to.
     */
    async requestPayment(input) {
      const prepared = this.prepareRequest(input);
      const { timestamp } = JSON.parse(prepared.body);
      const core = this.#live();
      return this.#call(prepared, (status, text) => core.finish_request(status, text, timestamp));
    }

    /** The status of a payment, by your `payment_request_id`. */
    async paymentStatus(paymentRequestId) {
      const core = this.#live();
      const id = idArgument(paymentRequestId);
      const prepared = JSON.parse(call(() => core.prepare_status(id)));
      return this.#call(prepared, (status, text) => glue.parse_status_response(status, text));
    }

    /** The full report of a payment, by your `payment_request_id`. */
    async report(paymentRequestId) {
      const core = this.#live();
      const id = idArgument(paymentRequestId);
      const prepared = JSON.parse(call(() => core.prepare_report(id)));
      return this.#call(prepared, (status, text) => glue.parse_report_response(status, text));
    }

    /** Informative conversion rates of every coin, in `conversionFiat` (EUR or GBP). */
    async quotes(conversionFiat = 'EUR') {
      const core = this.#live();
      if (typeof conversionFiat !== 'string') throw inputError('quotes request', 'conversion_fiat', 'must be a string');
      const prepared = JSON.parse(call(() => core.prepare_quotes(conversionFiat)));
      return this.#call(prepared, (status, text) => glue.parse_quotes_response(status, text));
    }

    /** The hosted payment page URL for a request token (every query value URL-encoded). */
    gatewayUrl(requestToken, timestamp = Date.now()) {
      const core = this.#live();
      if (typeof requestToken !== 'string') throw inputError('gateway request', 'requestToken', 'must be a string');
      return call(() => core.gateway_url(requestToken, Number(timestamp)));
    }

    /** Lowercase hex HMAC-SHA256 of a string (as UTF-8) or bytes, with the secret key. */
    sign(data) {
      const core = this.#live();
      const bytes = typeof data === 'string' ? utf8(data) : data;
      if (!(bytes instanceof Uint8Array)) throw inputError('sign input', 'data', 'must be a string or a Uint8Array');
      return core.sign(bytes);
    }

    /**
     * Verify a backend callback: the `CBPAY-API-KEY` header must be this client's id and
     * `SIGNATURE` the HMAC of the raw body bytes (constant-time). Returns the typed event;
     * throws CoinbarError `signature` (or `decode` for a signed but malformed body).
     * @param rawBody the body exactly as received (string, Uint8Array, Buffer, ArrayBuffer)
     * @param headers a Headers object or a plain headers object (any case)
     */
    verifyCallback(rawBody, headers) {
      const core = this.#live();
      const clientId = headerValue(headers, 'cbpay-api-key');
      const signature = headerValue(headers, 'signature');
      checkRawBody(rawBody, headerValue(headers, 'content-length'));
      // Last before the core call: the bytes may be a view of the shared UTF-8 buffer.
      const bytes = bodyBytes(rawBody);
      return JSON.parse(call(() => core.verify_callback(bytes, clientId, signature)));
    }

    /**
     * STAND-IN (issue 12 branch) for the lead's issue-11 handleCallback, with exactly the shape
     * of /work/coord/callback-api.md; main's implementation replaces it at merge.
     * Verify a callback and run `handler(event)` at most once per `event.idempotency_key`
     * through `store` (claim / complete / release). Resolves to `{ event, outcome, status }`.
     */
    async handleCallback(rawBody, headers, options = {}) {
      const { store, handler, leaseMs = 60_000, seen } = options ?? {};
      if (typeof seen === 'function') {
        // The old { seen } shape, kept in this branch only until main's issue-11 code lands
        // (main refuses it with a config error); its callers are updated there.
        const event = this.verifyCallback(rawBody, headers);
        return { event, duplicate: Boolean(await seen(event.idempotency_key, event)) };
      }
      if (!store || typeof store.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
        throw new CoinbarError('config', 'store: must have claim(key, leaseMs, event), complete(key) and release(key)');
      }
      if (typeof handler !== 'function') throw new CoinbarError('config', 'handler: must be a function (event) => void | Promise<void>');
      const event = this.verifyCallback(rawBody, headers);
      const key = event.idempotency_key;
      const claim = await store.claim(key, leaseMs, event);
      if (claim === 'done') return { event, outcome: 'duplicate', status: 200 };
      if (claim === 'busy') return { event, outcome: 'in_progress', status: 409 };
      try {
        await handler(event);
      } catch (e) {
        await store.release(key);
        throw e;
      }
      await store.complete(key);
      return { event, outcome: 'processed', status: 200 };
    }

    /**
     * Send a prepared request with retries. `timeoutMs` is the deadline of the whole call,
     * every attempt and wait included; which failures are retried and how long to wait is
     * the core's decision (retry_delay), honouring Retry-After.
     */
    async #call(prepared, parse) {
      const { timeoutMs, maxRetries } = this.#settings();
      const deadline = Date.now() + timeoutMs;
      for (let retries = 0; ; retries++) {
        let answer;
        let failure;
        try {
          answer = await this.#attempt(prepared, deadline - Date.now(), timeoutMs);
        } catch (e) {
          if (e.code === 'timeout') throw e;
          failure = e;
        }
        const status = answer ? answer.status : 0;
        const delay = glue.retry_delay(retries, maxRetries, status, answer?.retryAfter ?? undefined, Math.random());
        if (delay < 0 || delay >= deadline - Date.now()) {
          if (failure) throw failure;
          return JSON.parse(call(() => parse(answer.status, answer.text)));
        }
        await sleep(delay);
      }
    }

    /** One HTTP exchange, aborted when the call's deadline passes (body included). */
    async #attempt(prepared, remainingMs, timeoutMs) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.max(0, remainingMs));
      try {
        const response = await this.#fetch(prepared.url, {
          method: prepared.method,
          headers: prepared.headers,
          body: prepared.body,
          signal: controller.signal,
        });
        const text = await response.text();
        return { status: response.status, text, retryAfter: response.headers?.get?.('retry-after') ?? null };
      } catch (e) {
        if (controller.signal.aborted) {
          throw new CoinbarError('timeout', `no complete answer from Coinbar within ${timeoutMs} ms (${prepared.method} ${prepared.url})`, { cause: e });
        }
        const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
        throw new CoinbarError('network', `request to Coinbar failed: ${why} (${prepared.method} ${prepared.url})`, { cause: e });
      } finally {
        clearTimeout(timer);
      }
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

  /** A payment id argument: a string (its rules are the core's). */
  function idArgument(id) {
    if (typeof id !== 'string') throw inputError('payment_request_id', 'payment_request_id', 'must be a string');
    return id;
  }

  return CoinbarPay;
}
