// Entry for bundlers targeting Node (`node` + `module` conditions: webpack, Next.js, esbuild,
// Vite SSR): the server build's .wasm travels inside this JavaScript as base64 and is
// compiled synchronously at import, so an app's bundle carries it with no configuration and
// runs where only the bundle was deployed (a Lambda zip). Plain Node takes node.js, which
// reads the .wasm file: ~3 ms less cold start than parsing 400 KB of base64 (docs/design.md).
import * as glue from '../dist/server/coinbar_pay.js';
import wasmBase64 from '../dist/server/coinbar_pay_bg.wasm.base64.js';
import { bind } from './glue.js';

glue.initSync({ module: new WebAssembly.Module(globalThis.Buffer.from(wasmBase64, 'base64')) });
bind(glue);

export * from './server.js';
