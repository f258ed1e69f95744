// Compile-only test of the public types (tsc --noEmit --strict). The lines marked with a
// ts-expect-error directive must fail to type-check: they prove the types are real, not `any`.
import { CoinbarPay, CoinbarError, validateInitiate, cartTotal, memoryStore } from 'coinbar-pay';
import type { InitiateInput, InitiatePayment, PreparedRequest, FieldError, CoinbarErrorCode, DecimalString, CallbackStore, CallbackResult, ResponseEvent, PostOutcome } from 'coinbar-pay';

const cbpay = new CoinbarPay({ serviceClientId: 'id', secretKey: 'sk', environment: 'sandbox', timeoutMs: 5000 });
const fromEnv: CoinbarPay = CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'id', COINBAR_SECRET_KEY: 'sk' });

const input: InitiateInput = {
  payment_request_id: 'order-1',
  input_coin: 'EUR',
  products: [{ product_name: 'Tea', product_price: '3.50', product_amount: 2, product_id: 'tea', product_type: 'general' }],
  email: 'jane@example.com',
  user_id: 'u-1',
  destination_coin: 'BTC',
};

const prepared: PreparedRequest = cbpay.prepareInitiate(input);
const signature: string = prepared.headers.SIGNATURE;
const method: 'POST' = prepared.method;
const errors: FieldError[] = validateInitiate({});
const total: DecimalString = cartTotal(input.products);

async function pay(): Promise<string> {
  try {
    const payment: InitiatePayment = await cbpay.initiate(input);
    const amount: string = payment.destination_amount;
    const memo: string | null = payment.destination_memo;
    return `${amount} ${memo ?? ''}`;
  } catch (e) {
    if (e instanceof CoinbarError) {
      const code: CoinbarErrorCode = e.code;
      const fields: FieldError[] | undefined = e.errors;
      const status: number | undefined = e.status;
      const location: string | null | undefined = e.location; // a redirect, never followed
      if (e.code === 'http') {
        const where: string | null | undefined = e.location;
        void where;
      }
      return `${code} ${fields?.length} ${status} ${location}`;
    }
    throw e;
  }
}

{
  using disposable = new CoinbarPay({ serviceClientId: 'id', secretKey: new Uint8Array([1, 2, 3]) });
  void disposable.config.baseUrl;
}

// @ts-expect-error secretKey is required
new CoinbarPay({ serviceClientId: 'id' });
// @ts-expect-error environment is 'sandbox' | 'production'
new CoinbarPay({ serviceClientId: 'id', secretKey: 'k', environment: 'staging' });
// @ts-expect-error destination_coin is required
const missingCoin: InitiateInput = { payment_request_id: 'o', input_coin: 'EUR', products: [], email: 'e', user_id: 'u' };
// @ts-expect-error amounts are decimal strings, not numbers
const wrongAmount: number = ({} as InitiatePayment).destination_amount;
// @ts-expect-error there is no way to read the secret back
void cbpay.secretKey;
// @ts-expect-error error codes are a closed set
const badCode: CoinbarErrorCode = 'oops';

// Issue 11: POST outcomes, at-least-once callbacks, per-call options and hooks.
async function settle(input: InitiateInput): Promise<void> {
  try {
    await cbpay.initiate(input, { timeoutMs: 5000, maxRetries: 0, signal: new AbortController().signal });
  } catch (e) {
    if (e instanceof CoinbarError && e.outcome === 'unknown') {
      const existing = await cbpay.findPayment(input.payment_request_id);
      const status: string | undefined = existing?.status;
      void status;
      // Issue 21: show the payment again, in initiate's shape.
      const again = await cbpay.retrievePayment(input.payment_request_id);
      if (again && !again.is_final) {
        const qr: string = again.payment_string;
        const memo: string | null = again.destination_memo;
        const amount: DecimalString = again.destination_amount;
        const token: null = again.request_token;
        void [qr, memo, amount, token];
      }
    }
  }
}
const claims = new Map<string, { state: 'claimed' | 'done'; token: string }>();
const store: CallbackStore = {
  claim: (key, token) => {
    const row = claims.get(key);
    if (row?.state === 'done') return 'done';
    if (row) return 'busy';
    claims.set(key, { state: 'claimed', token });
    return 'claimed';
  },
  renew: async (key, token) => claims.get(key)?.token === token,
  complete: (key, token) => void (claims.get(key)?.token === token && claims.set(key, { state: 'done', token })),
  release: (key, token) => void (claims.get(key)?.token === token && claims.delete(key)),
};
async function receive(raw: Uint8Array, headers: Record<string, string>): Promise<number> {
  const result: CallbackResult = await cbpay.handleCallback(raw, headers, {
    store,
    handler: async (event, { signal }) => {
      signal.addEventListener('abort', () => void (signal.reason instanceof CoinbarError && signal.reason.code === 'claim_lost'));
      void event.is_paid;
    },
  });
  const outcome: 'processed' | 'duplicate' | 'in_progress' = result.outcome;
  void outcome;
  await cbpay.handleCallback(raw, headers, { store: memoryStore(), handler: () => {}, leaseMs: 5000 });
  await cbpay.handleCallback(raw, headers, { store: memoryStore({ now: () => 0 }), handler: (event) => event.status });
  const lost: CoinbarErrorCode = 'claim_lost';
  void lost;
  // @ts-expect-error the old store shape (no token, no renew) is not a CallbackStore
  const old: CallbackStore = { claim: (_key: string, _leaseMs: number) => 'claimed' as const, complete: () => {}, release: () => {} };
  void old;
  return result.status;
}
cbpay.on('response', (e: ResponseEvent) => void [e.status, e.retry, e.outcome, e.payment_request_id]).on('request', (e) => void e.attempt);
// @ts-expect-error hook events are 'request' | 'response'
cbpay.on('error', () => {});
// @ts-expect-error per-call options are signal, timeoutMs, maxRetries
void cbpay.paymentStatus('o', { timeout: 1 });
// @ts-expect-error outcomes are a closed set
const badOutcome: PostOutcome = 'maybe';

void [fromEnv, signature, method, errors, total, pay, missingCoin, wrongAmount, badCode, settle, receive, badOutcome];
