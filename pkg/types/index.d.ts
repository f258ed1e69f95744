// Types of the coinbar-pay public API. Field names of API data are Coinbar's wire names;
// SDK options are camelCase. Amounts that Coinbar returns are exact decimal strings.

declare global {
  interface SymbolConstructor {
    /**
     * `Symbol.dispose` (the client's `[Symbol.dispose]`), declared as lib.esnext.disposable and
     * @types/node declare it, so these types also compile with `lib: ["es2022"]`.
     */
    readonly dispose: unique symbol;
  }
}

/** A decimal amount given by the merchant: a number (e.g. `1.99`) or a plain decimal string (`"1.99"`). */
export type DecimalInput = number | string;

/** An exact decimal amount returned by the SDK, with every digit Coinbar sent (`"0.00045145423250897323"`). */
export type DecimalString = string;

/** One product line of a payment. */
export interface ProductLine {
  product_name: string;
  /** Unit price in `input_coin`: ≥ 0, at most 8 decimal places and 15 significant digits. */
  product_price: DecimalInput;
  /** Quantity: a whole number from 1 to 1,000,000,000 (number or string of digits). */
  product_amount: number | string;
  product_id: string;
  product_type: string;
}

/** Input of `initiate` / `prepareInitiate` (Execute Payment External Platform). */
export interface InitiateInput {
  /** Your own id of this payment; unique. `A-Z a-z 0-9 . _ : -`, up to 100 characters. */
  payment_request_id: string;
  /** Currency of the prices, e.g. `"EUR"` or `"GBP"`. */
  input_coin: string;
  products: ProductLine[];
  email: string;
  name?: string | null;
  surname?: string | null;
  /** Your own id of the customer. */
  user_id: string;
  /** Request time in milliseconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Coin the customer pays with, e.g. `"BTC"`, `"ETH"`, `"USDT"`, `"XRP"`, `"XDB"`. */
  destination_coin: string;
  /** Must equal the client's `serviceClientId` if given; best left out. */
  service_client_id?: string;
}

/** Input of `requestPayment` / `prepareRequest` (Request New Payment): the customer picks the coin on Coinbar's page. */
export interface RequestInput extends Omit<InitiateInput, 'destination_coin'> {
  /** Obsolete per Coinbar's docs; where the customer returns to. */
  urlcallback?: string;
}

/** A broken input rule. `field` is a path such as `products[1].product_price`. */
export interface FieldError {
  field: string;
  message: string;
}

/** A signed request, ready to send. The bytes signed are exactly `body`. */
export interface PreparedRequest {
  method: 'POST';
  url: string;
  headers: {
    'CBPAY-API-KEY': string;
    SIGNATURE: string;
    'Content-Type': 'application/json';
    source: 'web';
  };
  body: string;
}

/** The documented statuses. Unknown ones are passed through as sent. */
export type KnownPaymentStatus = 'CREATED' | 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELED';
/** A status: one of the documented ones (canonical upper case), or the raw text of an unknown one. */
export type PaymentStatus = KnownPaymentStatus | (string & Record<never, never>);

/** What `statusInfo` tells about a status. */
export interface StatusInfo {
  status: PaymentStatus;
  /** false for a status this SDK does not know. */
  known: boolean;
  /** Paid, failed or canceled: it will not change any more. */
  is_final: boolean;
  /** SUCCESS: fulfil the order. */
  is_paid: boolean;
}

// BEGIN GENERATED: Coinbar objects (src/model/*.rs `object!` declarations; `cargo test` checks, UPDATE_GENERATED=1 cargo test --lib object::ts rewrites)
/**
 * Coinbar's answer to initiate: what the customer pays and where. Amounts are exact
 * decimal strings with every digit Coinbar sent.
 */
export interface InitiatePayment {
  /** Always `success` (any other `result` is an `api` error). */
  result: 'success';
  request_token: string;
  payment_id_coinbar: string;
  /** Total in `input_coin`. */
  payment_total_price: DecimalString;
  /** e.g. `"BTC/EUR"`. */
  trade_pair: string;
  /** Coin URI to show as a QR code (e.g. BIP21 `bitcoin:ADDR?amount=…`). */
  payment_string: string;
  /** Rate used: units of `input_coin` per coin. */
  destination_coin_change: DecimalString;
  /** Amount of the coin to pay. */
  destination_amount: DecimalString;
  destination_address: string;
  /** Memo / destination tag for memo chains (XRP, XDB); null when Coinbar sends none. */
  destination_memo: string | null;
}

/** Answer of Request New Payment: the token that opens Coinbar's hosted page. */
export interface RequestedPayment {
  /** Always `success` (any other `result` is an `api` error). */
  result: 'success';
  request_token: string;
  payment_id_coinbar: string | null;
  /** Coinbar's hosted payment page for this token: redirect the customer here. */
  gateway_url: string;
}

/** Coin details of a payment (null until a coin is chosen on the hosted page). */
export interface PaymentDetail {
  destination_coin: string | null;
  trade_pair: string | null;
  destination_amount: DecimalString | null;
  coin_change: DecimalString | null;
  total_price: DecimalString | null;
}

/** A payment as the status call returns it (also the core of a callback). */
export interface Payment {
  payment_id_coinbar: string;
  payment_request_id_client: string;
  service_client_id: string | null;
  /** The documented status in canonical upper case, or the raw text of an unknown one. */
  status: PaymentStatus;
  /** Paid, failed or canceled: it will not change any more. */
  is_final: boolean;
  /** SUCCESS: fulfil the order. */
  is_paid: boolean;
  status_descr: string | null;
  input_coin: string | null;
  payment_detail: PaymentDetail;
  creation_time: string | null;
  update_time: string | null;
}

/** A customer as callbacks and reports carry it. */
export interface Customer {
  external_user_id: string | null;
  name: string | null;
  surname: string | null;
  email: string | null;
  /** Sent by Coinbar in reports (and kept if a callback carries it); absent otherwise. */
  post_balance?: DecimalString;
}

/** A product line as Coinbar echoes it back. */
export interface ProductEcho {
  product_name: string | null;
  product_price: DecimalString | null;
  product_amount: DecimalString | null;
  product_id: string | null;
  product_type: string | null;
}

/** A verified backend callback. */
export interface CallbackEvent extends Payment {
  customer: Customer | null;
  products: ProductEcho[];
  /** `payment_id_coinbar/STATUS`: the same event delivered twice has the same key. */
  idempotency_key: string;
}

/** One coin's informative rate. */
export interface Quote {
  code: string;
  name: string;
  conversion_fiat: string;
  /** Units of `conversion_fiat` per coin. */
  conversion_rate: DecimalString;
}

/** Transaction details of a report. */
export interface ReportDetail {
  transaction_id: string | null;
  type: string | null;
  wallet_origin: string | null;
  coin: string | null;
  pair: string | null;
  amount_crypto: DecimalString | null;
  timestamp: string | null;
  coin_price: DecimalString | null;
  total_price: DecimalString | null;
  transaction_timeout_date: string | null;
  payment_string: string | null;
}

/** Market data of a report. */
export interface MarketData {
  current_change: DecimalString | null;
}

/**
 * The full report of a payment. Dates are strings (Coinbar's `{"$date": …}` objects
 * unwrapped). Only the status is required: Coinbar fills fields in as the payment
 * progresses.
 */
export interface Report {
  payment_id_coinbar: string | null;
  payment_request_id_client: string | null;
  service_client_id: string | null;
  status: PaymentStatus;
  /** Paid, failed or canceled: it will not change any more. */
  is_final: boolean;
  /** SUCCESS: fulfil the order. */
  is_paid: boolean;
  status_descr: string | null;
  input_coin: string | null;
  customer: Customer | null;
  products: ProductEcho[];
  payment_detail: ReportDetail | null;
  urlcallback: string | null;
  market_data: MarketData | null;
  creation_time: string | null;
  update_time: string | null;
}

/**
 * `retrievePayment`: what `initiate` returned, for a payment that exists (the resume path
 * after an `outcome: 'unknown'`), built from Coinbar's report (address and memo read out
 * of the payment string by the core) and, only when the report lacks a field, the status
 * call.
 */
export interface RetrievedPayment {
  /** Always `success`. */
  result: 'success';
  /** Coinbar returns the request token only when the payment is created: always null. */
  request_token: null;
  payment_id_coinbar: string;
  /** Total in `input_coin`. */
  payment_total_price: DecimalString;
  /** e.g. `"BTC/EUR"`. */
  trade_pair: string;
  /** Coin URI to show as a QR code (e.g. BIP21 `bitcoin:ADDR?amount=…`). */
  payment_string: string;
  /** Rate used: units of `input_coin` per coin. */
  destination_coin_change: DecimalString;
  /** Amount of the coin to pay. */
  destination_amount: DecimalString;
  destination_address: string;
  /** Memo / destination tag from the payment string (XRP `dt`, XDB `memo`); null when it has none (initiate may have said `""`). */
  destination_memo: string | null;
  /** e.g. `"BTC"` (the report's coin, else the first half of `trade_pair`). */
  destination_coin: string | null;
  /** The payment's status now: do not show a payment string again once `is_final`. */
  status: PaymentStatus;
  /** Paid, failed or canceled: it will not change any more. */
  is_final: boolean;
  /** SUCCESS: fulfil the order. */
  is_paid: boolean;
}
// END GENERATED: Coinbar objects

/** Headers of a received callback: a Headers object or a plain object (any key case). */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** Raw bytes of a received request body. */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

export type CoinbarErrorCode = CoinbarError['code'];

/**
 * What a failed POST (`initiate`, `requestPayment`) tells about the payment:
 * `'not_processed'` — Coinbar provably did not act (refused before sending, 429): safe to send
 * again; `'unknown'` — a payment may exist: ask `paymentStatus(payment_request_id)` first.
 */
export type PostOutcome = 'not_processed' | 'unknown';

/** What every CoinbarError has. Never carries the secret key. */
interface CoinbarErrorBase extends Error {
  readonly name: 'CoinbarError';
  message: string;
  /**
   * On every error of `initiate` / `requestPayment`: what it says about the payment.
   * `not_processed`: Coinbar created no payment for this request (safe to send again).
   * `unknown`: a payment may exist; ask `findPayment` / `paymentStatus` before any new attempt.
   */
  outcome?: PostOutcome;
}

/**
 * The detail fields a code does not have, present as `undefined`: code that reads `e.status`
 * or `e.errors` before narrowing still compiles (and gets `… | undefined`).
 */
interface NoDetails {
  errors?: undefined;
  status?: undefined;
  body?: undefined;
  apiError?: undefined;
  option?: undefined;
  location?: undefined;
}

/** The input broke field rules; nothing was sent. */
export interface CoinbarValidationError extends CoinbarErrorBase, Omit<NoDetails, 'errors'> {
  code: 'validation';
  /** Every broken rule, e.g. `{ field: 'products[1].product_price', message: '…' }`. */
  errors: FieldError[];
}

/**
 * The client configuration is unusable (missing id or key, bad base URL, freed client…), or
 * a callback route is set up wrong (`option: 'rawBody'`: a body already parsed, unread, empty
 * or mis-decoded): log it and answer 500, so Coinbar delivers again once it is fixed.
 */
export interface CoinbarConfigError extends CoinbarErrorBase, Omit<NoDetails, 'option'> {
  code: 'config';
  /** The option the error is about (`baseUrl`, `secretKey`…), when it is about one. */
  option?: string;
}

/**
 * The request could not be sent or its answer broke off (`network`), the call's deadline
 * passed (`timeout`), or your `signal` aborted it (`aborted`).
 */
export interface CoinbarTransportError extends CoinbarErrorBase, NoDetails {
  code: 'network' | 'timeout' | 'aborted';
}

/**
 * Coinbar answered with a non-2xx HTTP status. A 401/403 says which credentials and which base
 * URL to check; a 404 of `initiate` / `requestPayment` says to check the base URL.
 */
export interface CoinbarHttpError extends CoinbarErrorBase, Omit<NoDetails, 'status' | 'body' | 'apiError' | 'location'> {
  code: 'http';
  /**
   * Coinbar's HTTP status, not your server's. Express's and Koa's default error handlers answer
   * with `err.status`: do not hand a CoinbarError to `next(e)` (the browser would get Coinbar's
   * 404 or 401); catch it and answer yourself, e.g. 502 (docs/frameworks.md).
   */
  status: number;
  /** Response body text as received, cut to 4096 characters. */
  body: string;
  /** Coinbar's own error text, e.g. `"Api RATE exceeded"`, when the body has one. */
  apiError?: string;
  /** A redirect (3xx) is never followed: where it pointed (`null` without a Location header). */
  location?: string | null;
}

/** Coinbar answered 2xx but refused (`result` ≠ success). */
export interface CoinbarApiError extends CoinbarErrorBase, Omit<NoDetails, 'status' | 'body' | 'apiError'> {
  code: 'api';
  /** HTTP status of the answer. */
  status?: number;
  /** Response body text as received, cut to 4096 characters. */
  body?: string;
  /** Coinbar's own error text, e.g. `"Invalid signature"`. */
  apiError?: string;
}

/** An answer or a signed callback is not the documented shape. */
export interface CoinbarDecodeError extends CoinbarErrorBase, Omit<NoDetails, 'status' | 'body'> {
  code: 'decode';
  /** HTTP status and body text, for an answer (not for a callback). */
  status?: number;
  body?: string;
}

/** A callback's client id or signature did not verify (answer 401). */
export interface CoinbarSignatureError extends CoinbarErrorBase, NoDetails {
  code: 'signature';
}

/**
 * `handleCallback` lost this delivery's claim while the handler ran (`store.renew` returned
 * false or threw): the reason of the handler's `signal`. Another delivery may be handling the
 * event; stop and throw.
 */
export interface CoinbarClaimLostError extends CoinbarErrorBase, NoDetails {
  code: 'claim_lost';
}

/** A bug in coinbar-pay (please report it). */
export interface CoinbarInternalError extends CoinbarErrorBase, NoDetails {
  code: 'internal';
}

/**
 * Every failure of the SDK: one class, narrowed on `code`. After `e instanceof CoinbarError`
 * and `e.code === 'validation'`, `e.errors` is there; after `e.code === 'http'`, `e.status`
 * and `e.body` are.
 */
export type CoinbarError =
  | CoinbarValidationError
  | CoinbarConfigError
  | CoinbarTransportError
  | CoinbarHttpError
  | CoinbarApiError
  | CoinbarDecodeError
  | CoinbarSignatureError
  | CoinbarClaimLostError
  | CoinbarInternalError;

export interface CoinbarErrorConstructor {
  new (
    code: CoinbarErrorCode,
    message: string,
    details?: { errors?: FieldError[]; status?: number; body?: string; apiError?: string; outcome?: PostOutcome; option?: string; cause?: unknown },
  ): CoinbarError;
  readonly prototype: CoinbarError;
}

/** The CoinbarError class (`instanceof CoinbarError` narrows to the union above). */
export declare const CoinbarError: CoinbarErrorConstructor;

/**
 * The signal the client hands to your `fetch`: the runtime's AbortSignal type where the
 * program has one (DOM lib, @types/node), so `fetch: globalThis.fetch` type-checks, without
 * making these types depend on either (they compile with `lib: ["es2022"]`, `types: []`).
 */
export type FetchSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : AbortSignalLike;

/** The `fetch` the client uses; defaults to `globalThis.fetch`. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; redirect: 'manual'; signal: FetchSignal },
) => Promise<{ status: number; text(): Promise<string>; headers?: { get(name: string): string | null } }>;

export interface CoinbarPayOptions {
  /** Your SERVICE_CLIENT_ID (sent as `CBPAY-API-KEY`). */
  serviceClientId: string;
  /** Your SERVICE_SECRET_KEY. Held inside WebAssembly memory; never readable back. */
  secretKey: string | Uint8Array;
  /** `'sandbox'` (default) or `'production'` (which needs `baseUrl`). */
  environment?: 'sandbox' | 'production';
  /** API base URL, e.g. `http://127.0.0.1:8790/coinbar/api/v2`; overrides `environment`'s. */
  baseUrl?: string;
  /** Whole-exchange timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Retries after the first attempt where safe (default 1). */
  maxRetries?: number;
  fetch?: FetchLike;
  /**
   * The client refuses a secret where `window` and `document` exist (a page). Set true only
   * for a server environment that defines them (e.g. tests under jsdom).
   */
  allowBrowser?: boolean;
}

/** The checked configuration of a client (never the secret). */
export interface CoinbarPayConfig {
  serviceClientId: string;
  environment: 'sandbox' | 'production';
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * Environment variables read by `CoinbarPay.fromEnv`: `process.env`, `Deno.env.toObject()`, or
 * a Worker's `env`, including the `Env` interface `wrangler types` generates (other bindings
 * such as D1 or KV may sit beside these).
 */
export interface CoinbarEnv {
  COINBAR_SERVICE_CLIENT_ID?: string;
  COINBAR_SECRET_KEY?: string;
  COINBAR_BASE_URL?: string;
  COINBAR_ENV?: string;
}

/** An AbortSignal (structurally, so the types need no DOM library). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Options of one call that talks to Coinbar; they override the client's. */
export interface CallOptions {
  /** Aborts the call at once (CoinbarError code `aborted`). */
  signal?: AbortSignalLike;
  /** Deadline of this whole call in ms, retries included (1 to 600000). */
  timeoutMs?: number;
  /** Retries after the first attempt where safe (0 to 10). */
  maxRetries?: number;
}

/** Which call an HTTP attempt belongs to. */
export type CallName = 'initiate' | 'requestPayment' | 'paymentStatus' | 'report' | 'retrievePayment' | 'quotes';

/** Emitted before each HTTP attempt (`on('request', …)`). Never carries the key, the signature, the body or the e-mail. */
export interface RequestEvent {
  call: CallName;
  method: 'GET' | 'POST';
  /** Path and query of the URL, e.g. `/coinbar/api/v2/pay/gateway/initiate`. */
  path: string;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
  payment_request_id: string | null;
}

/** Emitted when an HTTP attempt ended (`on('response', …)`). */
export interface ResponseEvent extends RequestEvent {
  /** HTTP status, or 0 when there was no answer (network failure, timeout, abort). */
  status: number;
  elapsed_ms: number;
  /** Whether another attempt follows, and after how long. */
  retry: boolean;
  retry_delay_ms: number | null;
  /** The error the call ends with, when it ends here with one. */
  error_code: CoinbarErrorCode | null;
  /** The runtime's network error code (e.g. `ECONNREFUSED`), when there was no answer. */
  network_code: string | null;
  /** For a failed POST: what it says about the payment. */
  outcome?: PostOutcome;
}

/**
 * Where `handleCallback` records which callback events are processed: your database. Each
 * delivery has its own `token` (unique, not secret); a claim is owned by the token that took
 * it. `claim` must be atomic (one conditional statement), and `renew`, `complete` and
 * `release` change the row only while it is claimed with that token: see docs/callbacks.md
 * for SQL, or `memoryStore()` for one process.
 */
export interface CallbackStore {
  /** `done` if the key was completed, `busy` if another claim is live (claimed and lease not expired), else take it for `token` until now + leaseMs and return `claimed`. */
  claim(key: string, token: string, leaseMs: number, event: CallbackEvent): 'claimed' | 'done' | 'busy' | Promise<'claimed' | 'done' | 'busy'>;
  /** While the handler runs (every leaseMs / 3): if the key is claimed with `token`, extend its lease to now + leaseMs and return true; else false (the claim was lost). */
  renew(key: string, token: string, leaseMs: number): boolean | Promise<boolean>;
  /** Mark the key processed, only if it is claimed with `token` (called after the handler succeeded). */
  complete(key: string, token: string): unknown;
  /** The handler failed: make the key claimable again, only if it is claimed with `token`. */
  release(key: string, token: string): unknown;
}

/** What the handler of `handleCallback` gets besides the event. */
export interface CallbackContext {
  /** Aborts (reason: CoinbarError `claim_lost`) when this delivery's claim is lost: stop, and throw. */
  signal: FetchSignal;
}

/** What `handleCallback` did; answer Coinbar with `status`. */
export interface CallbackResult {
  event: CallbackEvent;
  /** `processed` (handler ran and succeeded), `duplicate` (done before), `in_progress` (another delivery holds the claim). */
  outcome: 'processed' | 'duplicate' | 'in_progress';
  /** 200, 200 or 409: a non-2xx makes Coinbar deliver again later. */
  status: 200 | 409;
}

/**
 * The reference CallbackStore, kept in this process's memory: for tests, examples and a
 * server of one process (claims are gone on restart). Several processes or instances need a
 * store in their shared database (docs/callbacks.md). `now` is the clock in ms (for tests).
 */
export declare function memoryStore(options?: { now?: () => number }): CallbackStore;

/** A CoinbarPay client holding the secret key (server runtimes only). */
export declare class CoinbarPay {
  constructor(options: CoinbarPayOptions);
  /** Client from COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL / COINBAR_ENV (default `process.env`). */
  static fromEnv(env?: CoinbarEnv, overrides?: Partial<CoinbarPayOptions>): CoinbarPay;
  readonly config: Readonly<CoinbarPayConfig>;
  /** Validate, serialize and sign an initiate call without sending it. Throws CoinbarError `validation`. */
  prepareInitiate(input: InitiateInput): PreparedRequest;
  /**
   * Create a payment and return what the customer pays. Re-sent only when provably not
   * processed; otherwise a failure carries `outcome` (see CoinbarError).
   */
  initiate(input: InitiateInput, options?: CallOptions): Promise<InitiatePayment>;
  /** Validate, serialize and sign a Request New Payment call without sending it. */
  prepareRequest(input: RequestInput): PreparedRequest;
  /** Request New Payment: returns the token and the hosted gateway URL to redirect to. */
  requestPayment(input: RequestInput, options?: CallOptions): Promise<RequestedPayment>;
  /** Status of a payment by your payment_request_id. */
  paymentStatus(paymentRequestId: string, options?: CallOptions): Promise<Payment>;
  /** Status of a payment, or `null` when Coinbar answers 404: settles an `outcome: 'unknown'` error. */
  findPayment(paymentRequestId: string, options?: CallOptions): Promise<Payment | null>;
  /** Full report of a payment by your payment_request_id. */
  report(paymentRequestId: string, options?: CallOptions): Promise<Report>;
  /**
   * What `initiate` returned, for an existing payment (payment string, address, memo, exact
   * amounts), or `null` when Coinbar answers 404: resume after an `outcome: 'unknown'`. One
   * Coinbar call (the report); two when the report lacks a field the status call has.
   */
  retrievePayment(paymentRequestId: string, options?: CallOptions): Promise<RetrievedPayment | null>;
  /** Informative rates of every coin in EUR (default) or GBP. */
  quotes(conversionFiat?: string, options?: CallOptions): Promise<Quote[]>;
  /** Hosted payment page URL for a request token (timestamp defaults to now). */
  gatewayUrl(requestToken: string, timestamp?: number): string;
  /** Lowercase hex HMAC-SHA256 with the secret key (any size: large inputs are streamed). */
  sign(data: string | Uint8Array | ArrayBuffer | DataView): string;
  /** Verify a callback (client id header + signature over the raw body, constant-time). Throws CoinbarError `signature`. */
  verifyCallback(rawBody: RawBody, headers: HeadersLike): CallbackEvent;
  /**
   * Verify a callback and process it at least once, never twice at the same time: claim its
   * idempotency key in `store` with this delivery's token, run `handler` while renewing the
   * lease every leaseMs / 3 (its `signal` aborts with code `claim_lost` when the claim is
   * lost), and mark it done only after the handler succeeded. A handler's error is rethrown
   * (answer 5xx so Coinbar retries). `leaseMs` defaults to 60000.
   */
  handleCallback(
    rawBody: RawBody,
    headers: HeadersLike,
    options: { store: CallbackStore; handler: (event: CallbackEvent, ctx: CallbackContext) => unknown; leaseMs?: number },
  ): Promise<CallbackResult>;
  /** Listen to every HTTP attempt (logs, metrics). A listener that throws does not affect the call. */
  on(event: 'request', listener: (event: RequestEvent) => unknown): this;
  on(event: 'response', listener: (event: ResponseEvent) => unknown): this;
  off(event: 'request' | 'response', listener: (...args: never[]) => unknown): this;
  /** Zeroize the key state; the client is unusable afterwards. */
  free(): void;
  [Symbol.dispose](): void;
  toJSON(): CoinbarPayConfig;
  toString(): string;
}

/**
 * Resolves once the WebAssembly module is ready. On servers it already is when the import
 * finishes (this resolves at once); the browser build compiles asynchronously and needs
 * `await init()` before its first call. Shared code can always await it.
 */
export declare function init(): Promise<void>;

/** Every broken rule of an initiate input (empty when valid). Never throws. */
export declare function validateInitiate(input: unknown): FieldError[];

/** Every broken rule of a Request New Payment input (empty when valid). Never throws. */
export declare function validateRequest(input: unknown): FieldError[];

/** Exact total of product lines as a decimal string (`"3.97"`). Throws CoinbarError `validation`. */
export declare function cartTotal(products: ProductLine[]): DecimalString;

/** Read Coinbar's answer to initiate (HTTP status + body text): the typed payment, or a CoinbarError (`http`, `api`, `decode`). */
export declare function parseInitiateResponse(status: number, body: string): InitiatePayment;
/** Read Coinbar's answer to the status call. */
export declare function parsePaymentStatus(status: number, body: string): Payment;
/** Read Coinbar's answer to the quotes call. */
export declare function parseQuotes(status: number, body: string): Quote[];
/** Read Coinbar's answer to the report call. */
export declare function parseReport(status: number, body: string): Report;

/** Informative conversion of a fiat amount at a quoted rate (fiat per coin), rounded to `decimals` places (default 8). */
export declare function convertAmount(amount: DecimalString, rate: DecimalString, decimals?: number): DecimalString;

/** What a status means (case-insensitive; unknown statuses kept with `known: false`). */
export declare function statusInfo(status: string): StatusInfo;

/** Hosted payment page URL without a client (no secret needed). */
export declare function gatewayUrl(
  options: { serviceClientId: string; baseUrl?: string; environment?: 'sandbox' | 'production' },
  requestToken: string,
  timestamp?: number,
): string;
