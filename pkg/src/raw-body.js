// The callback body as the framework handed it over, checked before verification: the two
// ways a route silently loses Coinbar's exact bytes get an error that says so and how to fix
// it (code `config`: the route is set up wrong; a forged callback is code `signature`).
import { CoinbarError } from './error.js';

const HOW =
  "Give this route the raw body: Express `express.raw({ type: 'application/json' })` (mounted before any app-wide express.json()), " +
  "Fastify a buffer parser (`addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => done(null, body))`), " +
  'fetch-style handlers (Next.js, Hono, Workers) `await request.arrayBuffer()` or `request.text()`. See docs/frameworks.md.';

/** Throws a `config` CoinbarError when `rawBody` cannot be what Coinbar sent. */
export function checkRawBody(rawBody, contentLength) {
  if (rawBody === undefined || rawBody === null) {
    throw new CoinbarError(
      'config',
      `callback body is ${rawBody}: nothing read the request body (express.raw() without { type: 'application/json' } reads only application/octet-stream, and Coinbar sends application/json). ${HOW}`,
    );
  }
  const bytes = typeof rawBody === 'string' || rawBody instanceof ArrayBuffer || ArrayBuffer.isView(rawBody);
  if (!bytes) {
    throw new CoinbarError(
      'config',
      `callback body is already parsed (${Array.isArray(rawBody) ? 'an array' : `a value of type ${typeof rawBody}`}), not the raw body: the signature covers the exact bytes Coinbar sent, and parsing loses them (digits of amounts, key order, spacing). ${HOW}`,
    );
  }
  const length = typeof rawBody === 'string' ? rawBody.length : rawBody.byteLength;
  if (length === 0 && Number(contentLength) > 0) {
    throw new CoinbarError(
      'config',
      `callback body is empty, but the request's content-length is ${contentLength}: something else consumed the body before it reached verifyCallback (e.g. a body parser for another type). ${HOW}`,
    );
  }
}
