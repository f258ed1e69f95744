// Harness for Cloudflare Workers (workerd): a module worker, bundled like wrangler does (the
// `workerd` / `worker` / `browser` conditions, the .wasm kept as a compiled-module import).
// GET /?config=<json> runs the suite inside workerd and answers the result as JSON.
import * as pkg from 'coinbar-pay';
import vectors from './vectors.json';
import { runSuite } from './suite.js';

export default {
  async fetch(request) {
    const config = JSON.parse(new URL(request.url).searchParams.get('config'));
    return Response.json(await runSuite({ pkg, vectors, ...config }));
  },
};
