// `coinbar-pay` (server entries) under lib es2022, types []: narrowing and wrangler's Env.
import { CoinbarPay, CoinbarError, init } from 'coinbar-pay';
import type { FieldError, InitiateInput, CoinbarHttpError } from 'coinbar-pay';

// What `wrangler types` generates: named fields, other bindings beside them, no index signature.
interface D1Database {
  prepare(query: string): unknown;
}
interface Env {
  COINBAR_SERVICE_CLIENT_ID: string;
  COINBAR_SECRET_KEY: string;
  COINBAR_ENV: 'sandbox';
  DB: D1Database;
}
declare const env: Env;
const cbpay: CoinbarPay = CoinbarPay.fromEnv(env, { timeoutMs: 5000 });

// Deno.env.toObject() / process.env shapes: a string index signature.
declare const processEnv: { [name: string]: string | undefined };
CoinbarPay.fromEnv(processEnv);
// @ts-expect-error an env of the wrong shape is refused
CoinbarPay.fromEnv({ COINBAR_SECRET_KEY: 42 });

export async function pay(input: InitiateInput): Promise<string> {
  await init();
  try {
    const payment = await cbpay.initiate(input);
    return payment.destination_amount;
  } catch (e) {
    if (!(e instanceof CoinbarError)) throw e;
    if (e.code === 'validation') {
      const errors: FieldError[] = e.errors; // no `!`
      return errors.map((x) => x.field).join();
    }
    if (e.code === 'http') {
      const status: number = e.status; // no `!`
      const body: string = e.body;
      const detail: string | undefined = e.apiError;
      const outcome: 'not_processed' | 'unknown' | undefined = e.outcome;
      return `${status} ${body} ${detail} ${outcome}`;
    }
    if (e.code === 'timeout' || e.code === 'network') return `${e.outcome ?? 'GET'}`;
    // @ts-expect-error a signature error has no status
    const s: number = e.status;
    return `${s}`;
  }
}

// Before narrowing, the detail fields read as optional.
export function fieldsOf(e: CoinbarError): FieldError[] | undefined {
  const status: number | undefined = e.status;
  return status === undefined ? e.errors : undefined;
}

export function onlyHttp(e: CoinbarError): CoinbarHttpError | null {
  return e.code === 'http' ? e : null;
}

// @ts-expect-error a config error has no field list
export const wrong = (e: CoinbarError) => e.code === 'config' && e.errors.length;

export const prepared = cbpay.prepareInitiate({
  payment_request_id: 'o-1',
  input_coin: 'EUR',
  products: [{ product_name: 'Tea', product_price: '3.50', product_amount: 2, product_id: 'tea', product_type: 'general' }],
  email: 'jane@example.com',
  user_id: 'u-1',
  destination_coin: 'BTC',
});
cbpay[Symbol.dispose]();

// handleCallback's handler gets a signal without DOM or Node types; memoryStore is a CallbackStore.
import { memoryStore } from 'coinbar-pay';
export async function receive(raw: Uint8Array, headers: Record<string, string>): Promise<number> {
  const r = await cbpay.handleCallback(raw, headers, {
    store: memoryStore(),
    handler: (event, { signal }) => {
      if (signal.aborted) throw signal.reason;
      return event.is_paid;
    },
  });
  return r.status;
}
