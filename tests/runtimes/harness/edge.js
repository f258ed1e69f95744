// Harness for Vercel's Edge runtime (edge-runtime): bundled like Vercel does (the
// `edge-light` condition, `.wasm?module` imports bound as compiled modules) and served by
// edge-runtime over 127.0.0.1. GET /?config=<json> runs the suite and answers the result.
import * as pkg from 'coinbar-pay';
import vectors from './vectors.json';
import { runSuite } from './suite.js';

addEventListener('fetch', (event) => {
  const config = JSON.parse(new URL(event.request.url).searchParams.get('config'));
  event.respondWith(runSuite({ pkg, vectors, ...config }).then((result) => Response.json(result)));
});
