// The one wasm-bindgen glue module every function of the shell calls. The runtime entry
// (node.js, node-inline.js, workerd.js, deno.js, edge-light.js, browser.js) loads the
// WebAssembly module the way its runtime wants, initializes the glue and binds it here once;
// everything else imports `glue` (an ES live binding: after `bind` it is the glue itself).
// Before that, in the browser before `await init()`, any use throws a CoinbarError that says so.
import { CoinbarError } from './error.js';

const notLoaded = new Proxy(
  {},
  {
    get() {
      throw new CoinbarError('config', 'coinbar-pay: the WebAssembly module is not loaded yet: `await init()` once before the first call');
    },
  },
);

/**
 * The initialized glue module of the build this runtime loaded (server or browser). `any`:
 * wasm-bindgen writes no declarations for it (scripts/build-wasm.sh, --no-typescript).
 * @type {any}
 */
export let glue = notLoaded;

/**
 * The core's limit on text and bytes handed to it (checked before copying into wasm memory):
 * its constant, written into the generated ops.js, so that loading makes no call into the module.
 */
export { MAX_INPUT_BYTES as maxInputBytes } from './ops.js';

/** Bind the initialized glue module (called once, by the runtime entry). */
export function bind(initialized) {
  glue = initialized;
}
