// The client's options, from the constructor, fromEnv and each call: the secret key handed to
// the core as bytes (and wiped here), the browser guard, which variable fromEnv read an option
// from, and the per-call `{ signal, timeoutMs, maxRetries }`. Every rule on a value is the
// core's (src/ops/client.rs, src/api.rs); this module only reads objects and names what it read.
import { CoinbarError } from './error.js';
import { maxInputBytes } from './glue.js';
import { ClientCore } from './ops.js';
import { encoder, plainBytes } from './bytes.js';
import { ownProperties, readOptions, settingsOf } from './common.js';

// Option names that fromEnv reads from which variables, for error messages.
const ENV_NAMES = {
  serviceClientId: 'COINBAR_SERVICE_CLIENT_ID',
  secretKey: 'COINBAR_SECRET_KEY',
  baseUrl: 'COINBAR_BASE_URL',
  environment: 'COINBAR_ENV',
};
/** The options one call may override (`signal` is the shell's own). */
const CALL_SETTINGS = { timeoutMs: 'number', maxRetries: 'number' };

/** A page, not a server: both `window` and `document` are defined. */
const looksLikeBrowser = () => typeof globalThis.window !== 'undefined' && typeof globalThis.document !== 'undefined';

/** Read an own property of a hostile-safe options object, wrapping any throw. */
export function ownOptions(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new CoinbarError('config', `${what}: must be an object`);
  try {
    return ownProperties(options);
  } catch (e) {
    throw new CoinbarError('config', `${what}: could not be read (${e?.message ?? e})`, { cause: e });
  }
}

/**
 * The constructor's options made into the core's signing client (which now holds the key)
 * and the fetch to send with.
 */
export function openClient(options) {
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
    const view = /** @type {Uint8Array} */ (plainBytes(secretKey)); // bytes: secretKey is a Uint8Array
    if (view.length > maxInputBytes) throw new CoinbarError('config', 'secretKey: is too long');
    keyBytes = Uint8Array.from(view);
  } else if (secretKey !== undefined && secretKey !== null) {
    throw new CoinbarError('config', 'secretKey: must be a non-empty string (or a Uint8Array)', { option: 'secretKey' });
  }
  let core;
  try {
    const settings = settingsOf(rest);
    core = new ClientCore(settings, keyBytes ?? new Uint8Array(0));
  } finally {
    keyBytes?.fill(0);
  }
  // The global fetch is looked up at each call (a test or polyfill may install it later).
  return { core, fetch: fetchImpl ?? ((input, init) => globalThis.fetch(input, init)) };
}

/**
 * fromEnv's options: the variables of `env` (own properties only; `process.env` by default)
 * and the caller's `overrides` (`extra`, kept apart so that errors name no variable for them).
 */
export function envOptions(env, overrides) {
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
  return { options, extra };
}

/**
 * Name the variable behind the option a fromEnv error is about (`e.option`, set by the shell
 * or mapped from the core's setting), unless the caller's overrides gave it. Returns `e`.
 */
export function withEnvName(e, options, extra) {
  const name = ENV_NAMES[e?.option];
  if (e instanceof CoinbarError && name && !Object.hasOwn(extra, e.option)) {
    e.message += options[e.option] === undefined ? ` (set ${name})` : ` (read from ${name})`;
  }
  return e;
}

/** The checked configuration as a frozen object, read from the core (never the secret). */
export function configOf(core) {
  const c = core.configJson();
  return Object.freeze({ serviceClientId: c.service_client_id, environment: c.environment, baseUrl: c.base_url, timeoutMs: c.timeout_ms, maxRetries: c.max_retries });
}

/**
 * The per-call options `{ signal, timeoutMs, maxRetries }`, checked by the core's rules.
 * `live()` is the client's core (it throws once the client is freed).
 */
export function callOptions(live, options) {
  const { signal, ...limits } = ownOptions(options, 'call options');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.addEventListener === 'function' && 'aborted' in signal)) {
    throw new CoinbarError('config', 'signal: must be an AbortSignal');
  }
  const [timeoutMs, maxRetries] = live().callLimits(...settingsOf(limits, CALL_SETTINGS, 'is not a per-call option'));
  return { signal, timeoutMs, maxRetries };
}
