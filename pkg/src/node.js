// Node entry (ESM): loads the server build's .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import * as glue from '../dist/server/coinbar_pay.js';
import { createCommon } from './common.js';
import { createClient } from './client.js';

glue.initSync({ module: readFileSync(new URL('../dist/server/coinbar_pay_bg.wasm', import.meta.url)) });

const common = createCommon(glue);
export { CoinbarError } from './error.js';
export const CoinbarPay = createClient(glue, common);
export const { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } = common.api;
