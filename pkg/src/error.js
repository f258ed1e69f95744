// CoinbarError: the one error class of the SDK. Rust builds the error (code, message,
// field list...) and throws its JSON wire form; this file only turns that into a real Error.

/** Every failure of the SDK is a CoinbarError with a `code`. */
export class CoinbarError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CoinbarError';
    this.code = code;
    if (code === 'validation') this.errors = details.errors ?? [];
    if (details.status !== undefined) this.status = details.status;
    if (details.body !== undefined) this.body = details.body;
    if (details.apiError !== undefined) this.apiError = details.apiError;
    if (details.option !== undefined) this.option = details.option;
    if (details.location !== undefined) this.location = details.location;
  }
}

/** The option (or argument) of the JS API behind each setting the core names in a config error. */
const OPTION_OF_SETTING = {
  service_client_id: 'serviceClientId',
  environment: 'environment',
  base_url: 'baseUrl',
  timeout_ms: 'timeoutMs',
  max_retries: 'maxRetries',
  secret_key: 'secretKey',
};

/**
 * What a core call returned: its result string, or, after a NUL character, the JSON of the
 * error it raised (src/wasm.rs: one return value per export), thrown as a CoinbarError.
 */
export function answerOf(r) {
  if (typeof r === 'string' && r.charCodeAt(0) !== 0) return r;
  throw toCoinbarError(typeof r === 'string' ? r.slice(1) : r);
}

/** Run a glue call, turning anything it throws into a CoinbarError. */
export function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw toCoinbarError(e);
  }
}

/** Turn whatever a glue call threw into a CoinbarError. */
export function toCoinbarError(thrown) {
  if (thrown instanceof CoinbarError) return thrown;
  if (typeof thrown === 'string') {
    let wire;
    try {
      wire = JSON.parse(thrown);
    } catch {
      wire = null;
    }
    if (wire && typeof wire.code === 'string') {
      if (typeof wire.setting !== 'string') return new CoinbarError(wire.code, wire.message, wire);
      // A config error about one setting: named here as the option the merchant wrote.
      const option = OPTION_OF_SETTING[wire.setting] ?? wire.setting;
      return new CoinbarError(wire.code, `${option}: ${wire.message}`, { ...wire, option });
    }
  }
  // Not an error the core produced: a bug in coinbar-pay (or memory exhaustion).
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new CoinbarError('internal', `coinbar-pay internal error: ${message}`, { cause: thrown });
}

/** A validation error about one field, for input that cannot even be turned into JSON. */
export function inputError(what, field, message, cause) {
  return new CoinbarError('validation', `Invalid ${what}: ${field}: ${message}`, {
    errors: [{ field, message }],
    cause,
  });
}
