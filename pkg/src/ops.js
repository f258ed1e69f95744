// GENERATED from the op declarations in src/ops/call.rs and src/ops/client.rs by `cargo test`
// (src/ops/js.rs); do not edit. Change an op there, then `UPDATE_GENERATED=1 cargo test --lib ops::js`.
//
// The only caller of the core's two dispatchers (src/wasm.rs): `glue.call` for the key-free
// ops and `SigningClient#call` for the client's, one function (or ClientCore method) per op.
// Each returns the op's string, its JSON parsed, or its number; a core error is thrown as a
// CoinbarError (answerOf), and so is anything the glue throws (call).
import { answerOf, call, toCoinbarError } from './error.js';
import { glue } from './glue.js';
import { readCallbackEvent } from './objects.js';

const NO_BYTES = new Uint8Array(0);

/** The largest input text the core accepts, in bytes (`validate::MAX_INPUT_BYTES`): the shell
 * refuses a larger one before copying it into wasm memory. */
export const MAX_INPUT_BYTES = 1048576;

/** The codes of the key-free ops (`Op` in src/ops/call.rs). */
export const Op = Object.freeze({
  ValidateInitiate: 1, ValidateRequest: 2, CartTotal: 3, ConvertAmount: 4, ParseInitiateResponse: 5,
  ParseStatusResponse: 6, ParseQuotesResponse: 7, ParseReportResponse: 8, StatusInfo: 9,
  GatewayUrl: 10, RetryDelayPost: 11, RetryDelayGet: 12, PostOutcome: 13,
});

/**
 * Every broken rule of an initiate input (its JSON text), as `[{field, message}]`.
 * @param {string} input
 */
export function validateInitiate(input) { return JSON.parse(call(() => answerOf(glue.call(1, input)))); }

/**
 * Every broken rule of a Request New Payment input, as `[{field, message}]`.
 * @param {string} input
 */
export function validateRequest(input) { return JSON.parse(call(() => answerOf(glue.call(2, input)))); }

/**
 * The exact total of a products array (its JSON text), as a plain decimal string.
 * @param {string} products
 */
export function cartTotal(products) { return call(() => answerOf(glue.call(3, products))); }

/**
 * `amount` converted at `rate`, rounded to `decimals` (informative only).
 * @param {string} amount
 * @param {string} [rate]
 * @param {number} [decimals]
 */
export function convertAmount(amount, rate, decimals) { return call(() => answerOf(glue.call(4, amount, rate, undefined, undefined, decimals))); }

/**
 * Coinbar's answer to initiate (HTTP `status`, `body`), read and checked.
 * @param {string} body
 * @param {number} [status]
 */
export function parseInitiateResponse(body, status) { return JSON.parse(call(() => answerOf(glue.call(5, body, undefined, undefined, undefined, status)))); }

/**
 * Coinbar's answer to the status call, read and checked.
 * @param {string} body
 * @param {number} [status]
 */
export function parseStatusResponse(body, status) { return JSON.parse(call(() => answerOf(glue.call(6, body, undefined, undefined, undefined, status)))); }

/**
 * Coinbar's answer to the quotes call, read and checked.
 * @param {string} body
 * @param {number} [status]
 */
export function parseQuotesResponse(body, status) { return JSON.parse(call(() => answerOf(glue.call(7, body, undefined, undefined, undefined, status)))); }

/**
 * Coinbar's answer to the report call, read and checked.
 * @param {string} body
 * @param {number} [status]
 */
export function parseReportResponse(body, status) { return JSON.parse(call(() => answerOf(glue.call(8, body, undefined, undefined, undefined, status)))); }

/**
 * What a status string means: `{status, known, is_final, is_paid}` (case-insensitive).
 * @param {string} status
 */
export function statusInfo(status) { return JSON.parse(call(() => answerOf(glue.call(9, status)))); }

/**
 * The hosted gateway URL for a request token, from the key-free settings.
 * @param {string} requestToken
 * @param {string} [serviceClientId]
 * @param {string} [environment]
 * @param {string} [baseUrl]
 * @param {number} [timestamp]
 */
export function gatewayUrl(requestToken, serviceClientId, environment, baseUrl, timestamp) { return call(() => answerOf(glue.call(10, requestToken, serviceClientId, environment, baseUrl, timestamp))); }

/**
 * Delay in ms before the next attempt of a POST, or -1 for no retry. `status` 0 is a
 * network failure, whose error code (if the runtime gave one) is `networkCode`; `jitter`
 * is in [0, 1). Server build only (the browser build sends nothing).
 * @param {string} [networkCode]
 * @param {string} [retryAfter]
 * @param {number} [retriesDone]
 * @param {number} [maxRetries]
 * @param {number} [status]
 * @param {number} [jitter]
 */
export function retryDelayPost(networkCode, retryAfter, retriesDone, maxRetries, status, jitter) { return Number(call(() => answerOf(glue.call(11, '', networkCode, retryAfter, undefined, retriesDone, maxRetries, status, jitter)))); }

/**
 * The same for a GET.
 * @param {string} [networkCode]
 * @param {string} [retryAfter]
 * @param {number} [retriesDone]
 * @param {number} [maxRetries]
 * @param {number} [status]
 * @param {number} [jitter]
 */
export function retryDelayGet(networkCode, retryAfter, retriesDone, maxRetries, status, jitter) { return Number(call(() => answerOf(glue.call(12, '', networkCode, retryAfter, undefined, retriesDone, maxRetries, status, jitter)))); }

/**
 * What a failed POST says about the payment: `not_processed` or `unknown`, from the last
 * attempt's `status` (0: network failure with `networkCode`) and the error's `code`.
 * @param {string} [networkCode]
 * @param {string} [code]
 * @param {number} [status]
 */
export function postOutcome(networkCode, code, status) { return call(() => answerOf(glue.call(13, '', networkCode, code, undefined, status))); }

/** The codes of the client's ops (`ClientOp` in src/ops/client.rs). */
export const ClientOp = Object.freeze({
  CallLimits: 1, ConfigJson: 2, SignInitiate: 3, InitiateTemplate: 4, PrepareRequest: 5,
  FinishRequest: 6, PrepareStatus: 7, PrepareReport: 8, PrepareQuotes: 9, GatewayUrl: 10,
  VerifyCallback: 11, Sign: 12, SignBegin: 13, SignUpdate: 14, SignEnd: 15, ReadAnswer: 16,
  RetrievePayment: 17,
});

/**
 * The client ops over one `SigningClient` of the server glue (the object holding the key;
 * `ClientOp` in src/ops/client.rs).
 */
export class ClientCore {
  #client;

  /**
   * A client from the core's settings (in `api::Settings` order, each `undefined` when not
   * set: common.js `settingsOf` makes them) and the key bytes (copied into wasm memory, where
   * the core zeroizes them once the keyed HMAC state exists).
   * @param {Array<string | number | undefined>} settings
   * @param {Uint8Array} key
   */
  constructor(settings, key) {
    const made = call(() => glue.signing_client(...settings, key));
    if (typeof made === 'string') throw toCoinbarError(made.slice(1));
    this.#client = made;
  }

  /** Zeroize and release the key state (the object is unusable after). */
  free() {
    this.#client.free();
  }

  /**
   * `[timeout_ms, max_retries]` of one call: the client's, overridden by the call's own.
   * @param {number} [timeoutMs]
   * @param {number} [maxRetries]
   */
  callLimits(timeoutMs, maxRetries) { return JSON.parse(call(() => answerOf(this.#client.call(1, NO_BYTES, undefined, undefined, timeoutMs, maxRetries)))); }

  /**
   * The checked configuration (no secret).
   */
  configJson() { return JSON.parse(call(() => answerOf(this.#client.call(2, NO_BYTES)))); }

  /**
   * Validate, serialize and sign an initiate input (UTF-8 JSON); `now` fills a missing
   * timestamp. Returns the 64-character signature followed by the body: the hot path, merged
   * by the shell into `InitiateTemplate` (fetched once), with no JSON wrapping.
   * @param {Uint8Array} input
   * @param {number} [now]
   */
  signInitiate(input, now) { return call(() => answerOf(this.#client.call(3, input, undefined, undefined, now))); }

  /**
   * The initiate request without signature and body.
   */
  initiateTemplate() { return JSON.parse(call(() => answerOf(this.#client.call(4, NO_BYTES)))); }

  /**
   * A signed Request New Payment: `{timestamp, request}`, with the timestamp the body
   * carries (for `FinishRequest`'s gateway URL).
   * @param {Uint8Array} input
   * @param {number} [now]
   */
  prepareRequest(input, now) { return JSON.parse(call(() => answerOf(this.#client.call(5, input, undefined, undefined, now)))); }

  /**
   * The answer to Request New Payment, with the gateway URL for the request's `timestamp`.
   * @param {Uint8Array} body
   * @param {number} [status]
   * @param {number} [timestamp]
   */
  finishRequest(body, status, timestamp) { return JSON.parse(call(() => answerOf(this.#client.call(6, body, undefined, undefined, status, timestamp)))); }

  /**
   * The signed status request of a payment.
   * @param {Uint8Array} paymentRequestId
   */
  prepareStatus(paymentRequestId) { return JSON.parse(call(() => answerOf(this.#client.call(7, paymentRequestId)))); }

  /**
   * The signed report request of a payment.
   * @param {Uint8Array} paymentRequestId
   */
  prepareReport(paymentRequestId) { return JSON.parse(call(() => answerOf(this.#client.call(8, paymentRequestId)))); }

  /**
   * The signed quotes request for a conversion fiat.
   * @param {Uint8Array} conversionFiat
   */
  prepareQuotes(conversionFiat) { return JSON.parse(call(() => answerOf(this.#client.call(9, conversionFiat)))); }

  /**
   * The hosted gateway URL for a request token and the request's timestamp.
   * @param {Uint8Array} requestToken
   * @param {number} [timestamp]
   */
  gatewayUrl(requestToken, timestamp) { return call(() => answerOf(this.#client.call(10, requestToken, undefined, undefined, timestamp))); }

  /**
   * Verify a callback's raw body against its client id and signature headers (constant
   * time) and return the event.
   * @param {Uint8Array} body
   * @param {string} [clientId]
   * @param {string} [signature]
   */
  verifyCallback(body, clientId, signature) { return readCallbackEvent(call(() => answerOf(this.#client.call(11, body, clientId, signature)))); }

  /**
   * Lowercase hex HMAC-SHA256 of the bytes.
   * @param {Uint8Array} bytes
   */
  sign(bytes) { return call(() => answerOf(this.#client.call(12, bytes))); }

  /**
   * Start signing a large input given in chunks (`SignUpdate`, then `SignEnd`), so that
   * wasm memory never holds more than one chunk. Drops any unfinished one.
   */
  signBegin() { return call(() => answerOf(this.#client.call(13, NO_BYTES))); }

  /**
   * The next chunk of a `SignBegin`.
   * @param {Uint8Array} chunk
   */
  signUpdate(chunk) { return call(() => answerOf(this.#client.call(14, chunk))); }

  /**
   * The signature of every chunk since `SignBegin` (of nothing, without one).
   */
  signEnd() { return call(() => answerOf(this.#client.call(15, NO_BYTES))); }

  /**
   * The answer to one of this client's calls, read by the `Op` code `reader`
   * (`ParseInitiateResponse`, `ParseStatusResponse`, `ParseReportResponse`,
   * `ParseQuotesResponse`), with errors that say what to check in this configuration.
   * @param {Uint8Array} body
   * @param {number} [status]
   * @param {number} [reader]
   */
  readAnswer(body, status, reader) { return JSON.parse(call(() => answerOf(this.#client.call(16, body, undefined, undefined, status, reader)))); }

  /**
   * `retrievePayment`'s payment in initiate's shape, from the report's `reportBody` and
   * `reportStatus` (and, once asked, the status call's `statusBody` and `statusStatus`);
   * the empty string when the report lacks a field and the status call is needed.
   * @param {Uint8Array} reportBody
   * @param {string} [statusBody]
   * @param {number} [reportStatus]
   * @param {number} [statusStatus]
   */
  retrievePayment(reportBody, statusBody, reportStatus, statusStatus) { return call(() => answerOf(this.#client.call(17, reportBody, statusBody, undefined, reportStatus, statusStatus))); }
}
