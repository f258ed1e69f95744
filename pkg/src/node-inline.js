// Entry for bundlers targeting Node (`node` + `module` conditions: webpack, Next.js, esbuild,
// Vite SSR): the server build's .wasm travels inside this JavaScript as base64 and is
// compiled synchronously at import. No file is read and no URL is resolved, so an app's
// bundle carries the module with no bundler configuration, and runs where only the bundle
// was deployed (a Lambda zip, a Next.js server chunk). Plain Node takes src/node.js instead
// (dist/node.mjs, dist/node.cjs), which reads the .wasm file: ~3 ms less cold start than
// parsing 400 KB of base64 (docs/design.md).
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
