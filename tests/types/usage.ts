// Compile-only test of the public types (tsc --noEmit --strict). The lines marked with a
// ts-expect-error directive must fail to type-check: they prove the types are real, not `any`.
import { CoinbarPay, CoinbarError, validateInitiate, cartTotal } from 'coinbar-pay';
import type { InitiateInput, InitiatePayment, PreparedRequest, FieldError, CoinbarErrorCode, DecimalString } from 'coinbar-pay';

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
      return `${code} ${fields?.length} ${status}`;
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

void [fromEnv, signature, method, errors, total, pay, missingCoin, wrongAmount, badCode];
