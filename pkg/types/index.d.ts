// Types of the coinbar-pay public API. Field names of API data are Coinbar's wire names;
// SDK options are camelCase. Amounts that Coinbar returns are exact decimal strings.

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

/** Coinbar's answer to initiate: what the customer pays and where. */
export interface InitiatePayment {
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

export type CoinbarErrorCode =
  | 'validation'
  | 'config'
  | 'network'
  | 'timeout'
  | 'http'
  | 'api'
  | 'decode'
  | 'signature'
  | 'internal';

/** Every failure of the SDK. Never carries the secret key. */
export declare class CoinbarError extends Error {
  readonly name: 'CoinbarError';
  /** What went wrong: see CoinbarErrorCode. `internal` means a bug in coinbar-pay. */
  code: CoinbarErrorCode;
  /** Every broken rule (code `validation`). */
  errors?: FieldError[];
  /** HTTP status (code `http`, and `api`/`decode` errors of an answered request). */
  status?: number;
  /** Response body text as received, cut to 4096 characters. */
  body?: string;
  /** Coinbar's own error text, e.g. `"Api RATE exceeded"`. */
  apiError?: string;
  constructor(code: CoinbarErrorCode, message: string, details?: { errors?: FieldError[]; status?: number; body?: string; apiError?: string; cause?: unknown });
}

/** The `fetch` the client uses; defaults to `globalThis.fetch`. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

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
}

/** The checked configuration of a client (never the secret). */
export interface CoinbarPayConfig {
  serviceClientId: string;
  environment: 'sandbox' | 'production';
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
}

/** Environment variables read by `CoinbarPay.fromEnv`. */
export interface CoinbarEnv {
  COINBAR_SERVICE_CLIENT_ID?: string;
  COINBAR_SECRET_KEY?: string;
  COINBAR_BASE_URL?: string;
  COINBAR_ENV?: string;
  [name: string]: string | undefined;
}

/** A CoinbarPay client holding the secret key (server runtimes only). */
export declare class CoinbarPay {
  constructor(options: CoinbarPayOptions);
  /** Client from COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL / COINBAR_ENV (default `process.env`). */
  static fromEnv(env?: CoinbarEnv, overrides?: Partial<CoinbarPayOptions>): CoinbarPay;
  readonly config: Readonly<CoinbarPayConfig>;
  /** Validate, serialize and sign an initiate call without sending it. Throws CoinbarError `validation`. */
  prepareInitiate(input: InitiateInput): PreparedRequest;
  /** Create a payment and return what the customer pays. */
  initiate(input: InitiateInput): Promise<InitiatePayment>;
  /** Zeroize the key state; the client is unusable afterwards. */
  free(): void;
  [Symbol.dispose](): void;
  toJSON(): CoinbarPayConfig;
  toString(): string;
}

/** Every broken rule of an initiate input (empty when valid). Never throws. */
export declare function validateInitiate(input: unknown): FieldError[];

/** Exact total of product lines as a decimal string (`"3.97"`). Throws CoinbarError `validation`. */
export declare function cartTotal(products: ProductLine[]): DecimalString;
