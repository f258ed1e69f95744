// Deno entry: the .wasm is imported as a compiled WebAssembly.Module with a source phase
// import (`import source`), so initialization reads no file (no --allow-read), fetches
// nothing (no --allow-net) and compiles nothing at run time from bytes it loaded itself.
import source wasmModule from '../dist/server/coinbar_pay_bg.wasm';
import * as glue from '../dist/server/coinbar_pay.js';
import { bind } from './glue.js';

glue.initSync({ module: wasmModule });
bind(glue);

export * from './server.js';
