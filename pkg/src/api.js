// The JS shell around the WebAssembly core: converts values (JSON text in, JSON text out),
// sends prepared requests with fetch, and maps errors to CoinbarError. Every rule, format
// and signature lives in Rust (src/); nothing here decides what is valid.
import { CoinbarError, toCoinbarError, inputError } from './error.js';

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
export function createApi(glue) {
  const maxInputBytes = glue.max_input_bytes();

  /** Run a glue call, turning anything it throws into a CoinbarError. */
  function call(fn) {
    try {
      return fn();
    } catch (e) {
      throw toCoinbarError(e);
    }
  }

  /** JSON text of a merchant value, as JSON.stringify makes it (the bytes the core checks). */
  function toJsonText(value, what, field) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw inputError(what, field, `cannot be converted to JSON (${e && e.message})`, e);
    }
    if (text === undefined) return 'null';
    if (text.length > maxInputBytes) {
      throw inputError(what, field, `is too large (more than ${maxInputBytes} bytes of JSON)`);
    }
    return text;
  }

  /**
   * Every broken rule of an initiate input: `[{ field, message }]`, empty when valid.
   * @param {unknown} input
   */
  function validateInitiate(input) {
    let text;
    try {
      text = toJsonText(input, 'initiate input', 'input');
    } catch (e) {
      return e.errors ?? [{ field: 'input', message: e.message }];
    }
    return JSON.parse(call(() => glue.validate_initiate(text)));
  }

  /**
   * The exact total of product lines as a decimal string (`"3.97"`).
   * @param {unknown} products
   */
  function cartTotal(products) {
    const text = toJsonText(products, 'products', 'products');
    return call(() => glue.cart_total(text));
  }

  /** Split the options object; hostile objects (throwing getters, proxies) are config errors. */
  function readOptions(options) {
    try {
      const { secretKey, fetch: fetchImpl, ...rest } = options;
      if (fetchImpl !== undefined && typeof fetchImpl !== 'function') {
        throw new CoinbarError('config', 'fetch: must be a function');
      }
      return { secretKey, fetchImpl, rest };
    } catch (e) {
      if (e instanceof CoinbarError) throw e;
      throw new CoinbarError('config', `options: could not be read (${e && e.message})`, { cause: e });
    }
  }

  /** Options (never the key) as JSON text for the core; a value JSON cannot hold is named. */
  function optionsJson(rest) {
    try {
      return JSON.stringify(rest);
    } catch (e) {
      const key = Object.keys(rest).find((k) => {
        try {
          JSON.stringify(rest[k]);
          return false;
        } catch {
          return true;
        }
      });
      throw new CoinbarError('config', `${key ?? 'options'}: has a value that cannot be converted to JSON (${typeof rest[key]})`, { cause: e });
    }
  }

  class CoinbarPay {
    #core;
    #config;
    #fetch;

    /**
     * @param {object} options `{ serviceClientId, secretKey, environment?, baseUrl?, timeoutMs?, maxRetries?, fetch? }`
     */
    constructor(options) {
      if (options === null || typeof options !== 'object') {
        throw new CoinbarError('config', 'options: must be an object');
      }
      const { secretKey, fetchImpl, rest } = readOptions(options);
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
      this.#config = Object.freeze(JSON.parse(this.#core.config_json()));
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
      return this.#config;
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
      return JSON.parse(call(() => core.prepare_initiate(text, Date.now())));
    }

    /** Create a payment (Execute Payment External Platform) and return what the customer pays. */
    async initiate(input) {
      const prepared = this.prepareInitiate(input);
      const { status, text } = await this.#send(prepared);
      return JSON.parse(call(() => glue.parse_initiate_response(status, text)));
    }

    /** Send a prepared request; the timeout covers the whole exchange, body included. */
    async #send(prepared) {
      const controller = new AbortController();
      const timeoutMs = this.#config.timeoutMs;
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await this.#fetch(prepared.url, {
          method: prepared.method,
          headers: prepared.headers,
          body: prepared.body,
          signal: controller.signal,
        });
        const text = await response.text();
        return { status: response.status, text };
      } catch (e) {
        if (controller.signal.aborted) {
          throw new CoinbarError('timeout', `no complete answer from Coinbar within ${timeoutMs} ms (${prepared.method} ${prepared.url})`, { cause: e });
        }
        const why = e?.cause?.code ?? e?.message ?? String(e);
        throw new CoinbarError('network', `request to Coinbar failed: ${why} (${prepared.method} ${prepared.url})`, { cause: e });
      } finally {
        clearTimeout(timer);
      }
    }

    /** Wipe the key state from wasm memory. The client is unusable afterwards. */
    free() {
      const core = this.#core;
      this.#core = null;
      core?.free();
    }

    [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
      this.free();
    }

    toJSON() {
      return { ...this.#config };
    }

    toString() {
      return `CoinbarPay(${this.#config.serviceClientId} @ ${this.#config.baseUrl})`;
    }

    [INSPECT]() {
      return `CoinbarPay { serviceClientId: '${this.#config.serviceClientId}', baseUrl: '${this.#config.baseUrl}', secretKey: [redacted]${this.#core ? '' : ', freed'} }`;
    }
  }

  return { CoinbarPay, validateInitiate, cartTotal };
}
