// Cloudflare Workers (workerd) entry: the .wasm is imported as a compiled module (no
// filesystem, no fetch of the wasm, no runtime compilation of bytes).
import wasmModule from '../dist/server/coinbar_pay_bg.wasm';
import * as glue from '../dist/server/coinbar_pay.js';
import { createCommon } from './common.js';
import { createClient } from './client.js';

glue.initSync({ module: wasmModule });

const common = createCommon(glue);
export { CoinbarError } from './error.js';
export { init } from './init.js';
export const CoinbarPay = createClient(glue, common);
export const { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } = common.api;
