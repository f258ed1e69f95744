// Node entry (ESM): loads the server build's .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import * as glue from '../dist/server/coinbar_pay.js';
import { createApi } from './api.js';

glue.initSync({ module: readFileSync(new URL('../dist/server/coinbar_pay_bg.wasm', import.meta.url)) });

export { CoinbarError } from './error.js';
export const { CoinbarPay, validateInitiate, cartTotal, statusInfo, gatewayUrl } = createApi(glue);
