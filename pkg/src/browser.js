// Browser entry: the build WITHOUT the signer (no HMAC code, no client that takes a secret).
// It validates and totals carts, builds gateway URLs and reads Coinbar answers with the same
// Rust rules as the server. The .wasm is fetched next to the glue (top-level await).
import init, * as glue from '../dist/browser/coinbar_pay.js';
import { createCommon } from './common.js';

await init({ module_or_path: new URL('../dist/browser/coinbar_pay_bg.wasm', import.meta.url) });

const common = createCommon(glue);
export { CoinbarError } from './error.js';
export const { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } = common.api;
