// Types of the browser build (`coinbar-pay` under the `browser` condition, or
// `coinbar-pay/browser`): everything except the client that holds a secret.
/**
 * Compile and instantiate the browser build's WebAssembly module: `await init()` once before
 * the first call (a call before it throws CoinbarError `config`). Later calls return the same
 * promise. By default the module comes from the package itself (inlined, nothing to serve);
 * `source` may instead be the URL of the `.wasm` (string or URL), a `Response`, its bytes or a
 * compiled `WebAssembly.Module`.
 */
export declare function init(source?: string | object): Promise<void>;

export {
  CoinbarError,
  validateInitiate,
  validateRequest,
  cartTotal,
  convertAmount,
  statusInfo,
  gatewayUrl,
  parseInitiateResponse,
  parsePaymentStatus,
  parseQuotes,
  parseReport,
} from './index.js';
export type {
  DecimalInput,
  DecimalString,
  ProductLine,
  InitiateInput,
  RequestInput,
  FieldError,
  InitiatePayment,
  RequestedPayment,
  KnownPaymentStatus,
  PaymentStatus,
  StatusInfo,
  PaymentDetail,
  Payment,
  Customer,
  ProductEcho,
  CallbackEvent,
  Quote,
  ReportDetail,
  Report,
  CoinbarErrorCode,
  CoinbarErrorConstructor,
  CoinbarValidationError,
  CoinbarConfigError,
  CoinbarTransportError,
  CoinbarHttpError,
  CoinbarApiError,
  CoinbarDecodeError,
  CoinbarSignatureError,
  CoinbarClaimLostError,
  CoinbarInternalError,
  PostOutcome,
} from './index.js';
