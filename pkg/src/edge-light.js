// Vercel Edge entry (`edge-light`): the .wasm is imported with Vercel's `?module` suffix, so
// the platform compiles it at build/deploy time and binds the WebAssembly.Module; the Edge
// runtime forbids compiling wasm bytes at run time, and nothing here does (no fetch, no fs).
import wasmModule from '../dist/server/coinbar_pay_bg.wasm?module';
import * as glue from '../dist/server/coinbar_pay.js';
import { bind } from './glue.js';

glue.initSync({ module: sameRealm(wasmModule) });
bind(glue);

export * from './server.js';

/**
 * Under `vercel dev` / edge-runtime the module is compiled in the host Node realm and the
 * code runs in a vm context: it is a WebAssembly.Module but fails `instanceof` here, and the
 * glue would try to compile it again (forbidden). Adopt it into this realm instead.
 */
function sameRealm(module) {
  if (module instanceof WebAssembly.Module) return module;
  if (Object.prototype.toString.call(module) === '[object WebAssembly.Module]') {
    return Object.setPrototypeOf(module, WebAssembly.Module.prototype);
  }
  return module;
}
