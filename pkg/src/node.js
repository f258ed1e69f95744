// Node entry (ESM; published bundled as dist/node.mjs and dist/node.cjs): reads the server
// build's .wasm from the package and compiles it synchronously at import. Bundlers take
// src/node-inline.js instead (the `module` condition), which carries the .wasm as base64.
import { readFileSync } from 'node:fs';
import * as glue from '../dist/server/coinbar_pay.js';
import { createCommon } from './common.js';
import { createClient } from './client.js';

glue.initSync({ module: readFileSync(new URL('../dist/server/coinbar_pay_bg.wasm', import.meta.url)) });

const common = createCommon(glue);
export { CoinbarError } from './error.js';
export { init } from './init.js';
export const CoinbarPay = createClient(glue, common);
export const { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } = common.api;
