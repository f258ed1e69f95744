// `coinbar-pay/browser` under lib es2022, types []: the ready step and the same narrowing.
import { init, cartTotal, validateInitiate, CoinbarError } from 'coinbar-pay/browser';
import type { DecimalString, FieldError } from 'coinbar-pay/browser';

export async function total(): Promise<DecimalString> {
  await init();
  const errors: FieldError[] = validateInitiate({});
  try {
    return cartTotal([{ product_name: 'Tea', product_price: 1, product_amount: 1, product_id: 't', product_type: 'general' }]);
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'validation') return `${e.errors.length + errors.length}`;
    throw e;
  }
}

// @ts-expect-error the browser build has no client
import { CoinbarPay } from 'coinbar-pay/browser';
void CoinbarPay;

// @ts-expect-error nor the server's callback store
import { memoryStore } from 'coinbar-pay/browser';
void memoryStore;
