// Browser entry: the build WITHOUT the signer (no HMAC code, no client that takes a secret).
// It validates and totals carts, builds gateway URLs and reads Coinbar answers with the same
// Rust rules as the server.
//
// A page cannot compile a module this size synchronously on the main thread, and top-level
// await breaks the default targets of Vite and esbuild, so loading is an explicit step:
// `await init()` once, then call the functions (before it they throw a CoinbarError that
// says so). The .wasm travels inside this JavaScript, deflated and base64-encoded (no asset to
// copy, serve or resolve: Vite build and dev server, webpack and esbuild need no
// configuration; deflated because base64 of the raw .wasm gzips ~8 KB worse: see
// scripts/build-wasm.sh); `init(source)` also takes a URL, Response, bytes or
// WebAssembly.Module for a page that serves the .wasm itself.
import initGlue, * as glue from '../dist/browser/coinbar_pay.js';
import wasmDeflated from '../dist/browser/coinbar_pay_bg.wasm.deflate.js';
import { CoinbarError } from './error.js';
import { bind } from './glue.js';

let loading;

/** Compile and instantiate the module (once; later calls return the same promise). */
export function init(source) {
  loading ??= Promise.resolve(source ?? inflate(decodeBase64(wasmDeflated)))
    .then((module_or_path) => initGlue({ module_or_path }))
    .then(
      () => bind(glue),
      (e) => {
        loading = undefined; // a failed load (e.g. a URL that 404s) can be retried
        throw new CoinbarError('config', `coinbar-pay/browser: the WebAssembly module did not load (${e?.message ?? e})`, { cause: e });
      },
    );
  return loading;
}

/** The bundled .wasm's bytes: zlib-inflated by the browser's own DecompressionStream. */
async function inflate(deflated) {
  if (typeof DecompressionStream !== 'function') {
    throw new Error('this runtime has no DecompressionStream: serve coinbar_pay_bg.wasm and pass its URL to init(url)');
  }
  const stream = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export * from './public.js';
