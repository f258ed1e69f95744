// What each call of the client sends and how its answer is read: one function per use of the
// core's signing client (a ClientCore method of the generated ops.js), so that client.js only
// puts them in order. Every rule, format and signature is the core's (src/ops/client.rs);
// functions that run when an answer arrives take `live()`, which throws once the client is
// freed, instead of a core captured before the request was sent.
import { Op } from './ops.js';
import { utf8 } from './bytes.js';
import { boundedText, timestampArg, toJsonText } from './common.js';

/** A payment id argument: a bounded string (its rules are the core's). */
export const idArgument = (id) => boundedText(id, 'payment_request_id', 'payment_request_id');

/** `payment_request_id` of a merchant's input, for hooks and error messages. */
export function inputId(input) {
  try {
    const id = input !== null && typeof input === 'object' && Object.hasOwn(input, 'payment_request_id') ? input.payment_request_id : undefined;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** The signature (64 hex characters) followed by the body of an initiate call. */
export function signInitiate(core, input) {
  const text = toJsonText(input, 'initiate input', 'input');
  return core.signInitiate(utf8(text), Date.now());
}

/** Method, URL and headers of this client's initiate calls (the core's template). */
export const initiateTemplate = (core) => core.initiateTemplate();

/** An initiate request from its template and the core's signature + body. */
export function withSignature({ method, url, headers }, signed) {
  return { method, url, headers: { ...headers, SIGNATURE: signed.slice(0, 64) }, body: signed.slice(64) };
}

/** The signed Request New Payment request and the timestamp its body carries (the gateway URL needs it). */
export function prepareRequest(core, input) {
  const text = toJsonText(input, 'request input', 'input');
  return core.prepareRequest(utf8(text), Date.now());
}

/** The reader of a Request New Payment answer: the token and the gateway URL at `timestamp`. */
export function requestReader(core, timestamp) {
  return (answer) => core.finishRequest(utf8(answer.text), answer.status, timestamp);
}

/** The signed status request of payment `id` (already an idArgument). */
export const statusRequest = (core, id) => core.prepareStatus(utf8(id));

/** The signed report request of payment `id` (already an idArgument). */
export const reportRequest = (core, id) => core.prepareReport(utf8(id));

/** The signed quotes request in `conversionFiat`. */
export function quotesRequest(core, conversionFiat) {
  boundedText(conversionFiat, 'quotes request', 'conversion_fiat');
  return core.prepareQuotes(utf8(conversionFiat));
}

/** A reader of this client's answers: the core's `Op` reader, with errors that say what to check in this client's configuration. */
export function reader(live, op) {
  return (answer) => live().readAnswer(utf8(answer.text), answer.status, Op[op]);
}

/**
 * retrievePayment's reader of the report answer (and of the status answer when the report
 * lacked a field): the payment's JSON text, or '' when the status call is needed too.
 */
export function retrievedReader(live) {
  return (answer, statusAnswer) => live().retrievePayment(utf8(answer.text), statusAnswer?.text, answer.status, statusAnswer?.status);
}

/** The hosted payment page URL for a request token (every query value URL-encoded). */
export function gatewayUrl(core, requestToken, timestamp) {
  boundedText(requestToken, 'gateway request', 'requestToken');
  timestampArg(timestamp, 'gateway request');
  return core.gatewayUrl(utf8(requestToken), timestamp);
}
