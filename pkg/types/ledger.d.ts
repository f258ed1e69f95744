// Types of coinbar-pay/ledger (server only): the payment ledger on the merchant's database.
import type { CallbackEvent, CoinbarPay, InitiateInput, Payment, RequestInput } from './index.js';

/** The ledger's executor: implement it to use another driver. SQL uses `?` placeholders. */
export interface LedgerExecutor {
  dialect: 'sqlite' | 'postgres';
  run(sql: string, params?: unknown[]): Promise<{ changes: number; rows: Record<string, unknown>[] }>;
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  first(sql: string, params?: unknown[]): Promise<Record<string, unknown> | null>;
  /** Atomically, in order (one transaction). */
  batch(list: [sql: string, params?: unknown[]][]): Promise<{ changes: number; rows: Record<string, unknown>[] }[]>;
}

export type BudgetPurpose = 'checkout' | 'refresh' | 'reconcile' | 'reconcile_hot' | 'quotes';

export interface Anomaly {
  key: string;
  kind: 'unknown_payment' | 'unknown_order' | 'double_paid' | 'payment_mismatch';
  order_id: string | null;
  payment_request_id: string | null;
  payment_id_coinbar: string | null;
  status: string | null;
  detail: unknown;
  created_at: string;
  settled_at: string | null;
  note?: string | null;
}

export interface LedgerOptions {
  /** A Cloudflare D1 binding (env.DB), a better-sqlite3 Database, a pg.Pool, or a LedgerExecutor. */
  db: unknown;
  /** Force the driver instead of detecting it. */
  dialect?: 'd1' | 'sqlite' | 'better-sqlite3' | 'postgres' | 'pg' | 'executor';
  /** Table name prefix (default 'coinbar_'). */
  prefix?: string;
  /** Coinbar's daily call limit and its shares (defaults: 1000; checkout 400, refresh 200, reconcile 150, reconcile_hot 100, quotes 150). */
  budget?: { daily?: number; shares?: Partial<Record<BudgetPurpose, number>> };
  /** Called once per new anomaly (errors are ignored: ledger.anomalies() lists them anyway). */
  onAnomaly?: (anomaly: Anomaly) => void | Promise<void>;
  /** The default `send` of drain(). */
  onPaid?: OutboxSend;
  /** The payment_request_id of an attempt (default `${orderId}.${attempt}`). */
  paymentRequestId?: (orderId: string, attempt: number) => string;
  /** Clock (ms), for tests. */
  now?: () => number;
  paymentWindowMs?: number;
  reconcileAfterMs?: number;
  maxBackoffMs?: number;
  reconcilePerRun?: number;
  hotMs?: number;
  settleAfterMs?: number;
  unknownRecheckMs?: number;
  unknownAfterMs?: number;
  refreshGapMs?: number;
  leaseMs?: number;
  outboxMaxAttempts?: number;
  outboxBackoffMs?: number;
}

/** What the payment page shows (direct: coin fields; gateway: gateway_url). */
export interface PagePayment {
  coin?: string | null;
  payment_string?: string | null;
  address?: string | null;
  destination_memo?: string | null;
  amount?: string | null;
  rate?: string | null;
  trade_pair?: string | null;
  total?: string | null;
  request_token?: string | null;
  gateway_url?: string | null;
}

export interface AttemptView {
  attempt: number;
  payment_request_id: string;
  payment_id_coinbar: string | null;
  mode: 'direct' | 'gateway';
  /** initiating: POST in flight; created; unknown: a payment may exist (being settled); not_created. */
  state: 'initiating' | 'created' | 'unknown' | 'not_created';
  status: string | null;
  status_descr: string | null;
  status_at: string | null;
  /** Where the applied status came from: initiate | callback | refresh | reconcile | checkout. */
  status_source: string | null;
  is_final: boolean;
  is_paid: boolean;
  last_unknown_status: string | null;
  error: string | null;
  created_at: string;
  expires_at: string;
  payment: PagePayment | null;
}

/** The order as the page shows it: the current attempt's fields (the paid one, else the newest) plus the order's. */
export interface OrderView extends Partial<AttemptView> {
  order_id: string;
  paid: boolean;
  paid_at: string | null;
  is_final: boolean;
  status: string | null;
  meta: unknown;
  attempts: AttemptView[];
}

export interface CheckoutOptions {
  cbpay: CoinbarPay;
  /** 'direct' = initiate (coin chosen here), 'gateway' = requestPayment (Coinbar's page). */
  mode?: 'direct' | 'gateway';
  /** Your data for the fulfilment (e-mail, items…), JSON. */
  meta?: unknown;
  /** Make a new attempt even if an open one exists (the old one stays tracked). */
  replace?: boolean;
  settleAfterMs?: number;
  paymentWindowMs?: number;
  signal?: AbortSignal;
}

export interface ApplyResult {
  outcome: 'applied' | 'stale' | 'anomaly' | 'pending' | 'unknown_status';
  order_id: string | null;
  payment_request_id: string | null;
  /** This call made the order paid (and wrote its outbox row). */
  paid_now: boolean;
}

export interface CallbackAnswer {
  /** The HTTP status to answer Coinbar with. */
  status: 200 | 400 | 401 | 409 | 500 | 503;
  outcome: 'processed' | 'duplicate' | 'in_progress' | 'unknown_payment' | 'bad_signature' | 'bad_request' | 'failed';
  event?: CallbackEvent;
  /** With 503: seconds for a Retry-After header. */
  retryAfter?: number;
  error?: unknown;
}

/** The SDK's CallbackStore with owner tokens. */
export interface LedgerCallbackStore {
  claim(key: string, token: string, leaseMs: number, event: unknown): Promise<'claimed' | 'done' | 'busy'>;
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  complete(key: string, token: string): Promise<boolean>;
  release(key: string, token: string): Promise<boolean>;
}

export interface OutboxDelivery {
  order_id: string;
  idempotency_key: string;
  payment_id_coinbar: string;
  payment_request_id: string;
  /** 1 on the first try. */
  attempt: number;
  meta: unknown;
  order: OrderView | null;
}
export type OutboxSend = (delivery: OutboxDelivery, context: { idempotencyKey: string; signal: AbortSignal }) => unknown | Promise<unknown>;

export interface OutboxRow {
  order_id: string;
  idempotency_key: string;
  payment_id_coinbar: string;
  payment_request_id: string;
  state: 'pending' | 'sending' | 'sent' | 'dead';
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface ReconcileReport {
  stored_applied: number;
  checked: number;
  changed: number;
  paid: number;
  not_found: number;
  not_created: number;
  anomalies: number;
  errors: number;
  budget_exhausted: boolean;
  rate_limited: boolean;
}

export interface BudgetUsage {
  day: string;
  daily: number;
  shares: Record<BudgetPurpose, number>;
  used: Partial<Record<BudgetPurpose, number>>;
  total: number;
}

export interface Ledger {
  readonly dialect: 'sqlite' | 'postgres';
  readonly tables: Record<'orders' | 'attempts' | 'events' | 'anomalies' | 'outbox' | 'budget', string>;
  /** For cbpay.handleCallback(raw, headers, { store: ledger.store, handler: ledger.handler }). */
  readonly store: LedgerCallbackStore;
  readonly handler: (event: CallbackEvent) => Promise<ApplyResult>;
  /**
   * Apply the ledger's migration, then your own `files` (e.g. the other files of your wrangler
   * migrations folder) in the same bookkeeping (d1_migrations on SQLite/D1, as wrangler records
   * them; <prefix>migrations on PostgreSQL), each once, in name order. The names applied now.
   */
  migrate(options?: { files?: ReadonlyArray<{ name: string; sql: string }> }): Promise<string[]>;
  checkout(orderId: string, input: Omit<InitiateInput, 'payment_request_id'> | Omit<RequestInput, 'payment_request_id'>, options: CheckoutOptions): Promise<OrderView>;
  payment(orderId: string, options?: { touch?: boolean }): Promise<OrderView | null>;
  refresh(orderId: string, options: { cbpay: CoinbarPay; gapMs?: number }): Promise<OrderView | null>;
  handleCallback(cbpay: CoinbarPay, rawBody: string | Uint8Array | ArrayBuffer, headers: unknown, options?: { leaseMs?: number }): Promise<CallbackAnswer>;
  applyStatus(payment: Payment | CallbackEvent, options?: { source?: string }): Promise<ApplyResult>;
  reconcile(options: { cbpay: CoinbarPay; limit?: number }): Promise<ReconcileReport>;
  drain(send?: OutboxSend, options?: { limit?: number; leaseMs?: number; maxAttempts?: number; baseMs?: number; maxBackoffMs?: number }): Promise<{ sent: number; failed: number; dead: number; skipped: number }>;
  outbox(query?: { state?: OutboxRow['state']; orderId?: string; limit?: number }): Promise<OutboxRow[]>;
  retryDead(orderId: string): Promise<boolean>;
  anomalies(query?: { orderId?: string; kind?: Anomaly['kind']; open?: boolean; limit?: number }): Promise<Anomaly[]>;
  settleAnomaly(key: string, note?: string | null): Promise<boolean>;
  reserve(purpose: BudgetPurpose): Promise<boolean>;
  budget(): Promise<BudgetUsage>;
  prune(options?: { retentionMs?: number }): Promise<{ events: number; unknown_order_events: number; anomalies: number; budget_days: number }>;
}

export function createLedger(options: LedgerOptions): Ledger;

export class LedgerError extends Error {
  code: 'config' | 'budget' | 'already_paid' | 'unknown_payment' | 'busy';
}

export const DEFAULT_PREFIX: 'coinbar_';
export const DEFAULT_SHARES: Readonly<Record<BudgetPurpose, number>>;
export function tableNames(prefix?: string): Record<'orders' | 'attempts' | 'events' | 'anomalies' | 'outbox' | 'budget', string>;
export function migrationSql(dialect: 'sqlite' | 'postgres', prefix?: string): string;
/** The ledger's executor over a D1 binding, a better-sqlite3 Database or a pg.Pool (what createLedger uses): run your own tables' SQL on the same driver. */
export function createExecutor(db: unknown, dialect?: 'd1' | 'sqlite' | 'postgres'): LedgerExecutor & { driver: 'd1' | 'better-sqlite3' | 'pg' };
/** Milliseconds since the epoch from an ISO 8601 instant (any offset, any fraction; no offset = UTC), or null. */
export function parseInstant(value: unknown): number | null;
