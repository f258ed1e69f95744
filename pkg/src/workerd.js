// Cloudflare Workers (workerd) entry: the .wasm is imported as a compiled module (no
// filesystem, no fetch of the wasm, no run-time compilation of bytes).
import wasmModule from '../dist/server/coinbar_pay_bg.wasm';
import * as glue from '../dist/server/coinbar_pay.js';
import { bind } from './glue.js';

glue.initSync({ module: wasmModule });
bind(glue);

export * from './server.js';
