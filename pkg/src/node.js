// Node entry (ESM; published bundled as dist/node.mjs and dist/node.cjs): reads the server
// build's .wasm from the package (node:fs through node-fs.js: see there why) and compiles it
// synchronously at import. Bundlers take node-inline.js instead (the `module` condition),
// which carries the .wasm as base64.
import * as glue from '../dist/server/coinbar_pay.js';
import { bind } from './glue.js';
import { readFileSync } from './node-fs.js';

glue.initSync({ module: readFileSync(new URL('../dist/server/coinbar_pay_bg.wasm', import.meta.url)) });
bind(glue);

export * from './server.js';
