// Node entry (ESM; published bundled as dist/node.mjs and dist/node.cjs): the server build's
// .wasm travels inside this JavaScript as base64 and is compiled synchronously at import.
// No file is read and no URL is resolved, so a bundle of an app (webpack, Next.js, esbuild
// for a Lambda zip) carries the module with no bundler configuration.
import { Buffer } from 'node:buffer';
import * as glue from '../dist/server/coinbar_pay.js';
import wasmBase64 from '../dist/server/coinbar_pay_bg.wasm.base64.js';
import { createCommon } from './common.js';
import { createClient } from './client.js';

glue.initSync({ module: new WebAssembly.Module(Buffer.from(wasmBase64, 'base64')) });

const common = createCommon(glue);
export { CoinbarError } from './error.js';
export { init } from './init.js';
export const CoinbarPay = createClient(glue, common);
export const { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } = common.api;
