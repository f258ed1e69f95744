// Browser entry: the build WITHOUT the signer (no HMAC code, no client that takes a secret).
// It validates and totals carts, builds gateway URLs and reads Coinbar answers with the same
// Rust rules as the server.
//
// A page cannot compile a module this size synchronously on the main thread, and top-level
// await breaks the default targets of Vite and esbuild, so loading is an explicit step:
// `await init()` once, then call the functions (before it they throw a CoinbarError that
// says so). The .wasm travels inside this JavaScript as base64 (no asset to copy, serve or
// resolve: Vite build and dev server, webpack and esbuild need no configuration);
// `init(source)` also takes a URL, Response, bytes or WebAssembly.Module for a page that
// serves the .wasm itself.
import initGlue, * as glue from '../dist/browser/coinbar_pay.js';
import wasmBase64 from '../dist/browser/coinbar_pay_bg.wasm.base64.js';
import { CoinbarError } from './error.js';
import { bind } from './glue.js';

let loading;

/** Compile and instantiate the module (once; later calls return the same promise). */
export function init(source) {
  loading ??= initGlue({ module_or_path: source ?? decodeBase64(wasmBase64) }).then(
    () => bind(glue),
    (e) => {
      loading = undefined; // a failed load (e.g. a URL that 404s) can be retried
      throw new CoinbarError('config', `coinbar-pay/browser: the WebAssembly module did not load (${e?.message ?? e})`, { cause: e });
    },
  );
  return loading;
}

function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export * from './public.js';
