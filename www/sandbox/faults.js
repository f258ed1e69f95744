// Fault injection: make the next API requests fail the way real networks and gateways do.
//
// Faults come from a queue (POST /__sandbox/faults) or from a single request's
// `x-sandbox-fault` header. The fault layer sits IN FRONT of the emulated Coinbar service:
// a faulted request is not authenticated, not rate-counted and, except for `latency` and
// the `*-after-commit` kinds, never reaches the service (so no payment is created).

/** The redirect statuses a fault can answer. */
export const REDIRECTS = ['301', '302', '303', '307', '308'];

export const FAULT_KINDS = [
  'latency', // wait delayMs (default 1000), then answer normally
  '500', // 500 with a JSON error body
  '502', // 502 with an HTML body, like a reverse proxy
  '503', // 503 with an HTML body (+ Retry-After when retryAfter is set)
  '429', // 429 "Api RATE exceeded" with Retry-After (default 1 s)
  'reset', // destroy the socket without answering
  'truncated', // 200, Content-Length larger than the body, JSON cut midway, socket destroyed
  'malformed', // 200 application/json whose body is not JSON
  'wrong-content-type', // 200 text/html page
  'hang', // headers sent, body never finished (cleaned up on close)
  '504', // 504 with an HTML body, like a reverse proxy whose backend timed out
  // A redirect to `location` (default: the same path on the other loopback name, another
  // origin that loops back here), like a proxy or an http->https hop of a mistyped base URL.
  // A client that follows it sends the POST again: 307/308 keep method and body.
  ...REDIRECTS,
  // Process normally (e.g. create the payment), then fail the answer like the kind before
  // "-after-commit": what a client sees when Coinbar acted but the answer was lost.
  'reset-after-commit',
  '500-after-commit',
  '502-after-commit',
  '503-after-commit',
  '504-after-commit',
  'truncated-after-commit',
  'hang-after-commit',
  ...REDIRECTS.map((code) => `${code}-after-commit`),
];

/** One line per kind, for `--help` (the sandbox's and `coinbar-pay sandbox|fault --help`). */
export const FAULT_HELP = Object.freeze({
  latency: 'answer normally after delayMs (default 1000 ms); the request is processed',
  500: '500 JSON error; not processed',
  502: '502 HTML page from a proxy; not processed',
  503: '503 HTML page (+ Retry-After with retryAfter); not processed',
  429: '429 "Api RATE exceeded" + Retry-After (default 1 s); not processed',
  reset: 'connection reset, no answer; not processed',
  truncated: '200 with half a JSON body, then the connection drops; not processed',
  malformed: '200 application/json that is not JSON; not processed',
  'wrong-content-type': '200 text/html maintenance page; not processed',
  hang: '200 headers, the body never comes (the client must time out); not processed',
  504: '504 HTML page from a proxy; not processed',
  'reset-after-commit': 'the payment IS created, then the connection is reset (a lost answer)',
  '500-after-commit': 'the payment IS created, then a 500',
  '502-after-commit': 'the payment IS created, then a 502 page',
  '503-after-commit': 'the payment IS created, then a 503 page',
  '504-after-commit': 'the payment IS created, then a 504 page',
  'truncated-after-commit': 'the payment IS created, then a cut JSON body',
  'hang-after-commit': 'the payment IS created, then no end of the answer',
  ...Object.fromEntries(REDIRECTS.map((code) => [code, `${code} redirect to \`location\` (default: this path on the other loopback name, another origin); not processed`])),
  ...Object.fromEntries(REDIRECTS.map((code) => [`${code}-after-commit`, `the payment IS created, then a ${code} redirect`])),
});

/** Kinds that have a `-after-commit` variant: `500` + after commit = `500-after-commit`. */
export const AFTER_COMMIT_BASES = FAULT_KINDS.filter((k) => k.endsWith('-after-commit')).map((k) => k.replace(/-after-commit$/, ''));

/** Kinds whose request IS processed by the service; every other kind short-circuits. */
export const PROCESSING_KINDS = new Set(['latency', ...FAULT_KINDS.filter((k) => k.endsWith('-after-commit'))]);

/** The answer a processing fault ends with: `500-after-commit` -> `500`. */
export const committedKind = (kind) => kind.replace(/-after-commit$/, '');

const DEFAULT_LATENCY_MS = 1000;
const DEFAULT_RETRY_AFTER_S = 1;

/** Validates and normalises a fault spec; throws TypeError with a readable message. */
export function normalizeFault(spec) {
  if (spec === null || typeof spec !== 'object') throw new TypeError('fault must be a JSON object');
  const kind = String(spec.kind);
  if (!FAULT_KINDS.includes(kind)) {
    throw new TypeError(`unknown fault kind ${JSON.stringify(spec.kind)}; use one of ${FAULT_KINDS.join(', ')}`);
  }
  const count = spec.count ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) throw new TypeError('count must be a positive integer');
  if (spec.path !== undefined && typeof spec.path !== 'string') throw new TypeError('path must be a string');
  const delayMs = spec.delayMs ?? (kind === 'latency' ? DEFAULT_LATENCY_MS : 0);
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new TypeError('delayMs must be a number >= 0');
  const retryAfter = spec.retryAfter ?? (kind === '429' ? DEFAULT_RETRY_AFTER_S : undefined);
  if (retryAfter !== undefined && !(Number.isSafeInteger(retryAfter) && retryAfter >= 0)) {
    throw new TypeError('retryAfter must be a whole number of seconds >= 0');
  }
  if (spec.location !== undefined && typeof spec.location !== 'string') throw new TypeError('location must be a string (a URL)');
  return { kind, count, path: spec.path, delayMs, retryAfter, location: spec.location };
}

export class FaultQueue {
  #queue = [];

  add(spec) {
    const fault = normalizeFault(spec);
    this.#queue.push({ ...fault, remaining: fault.count });
    return fault;
  }

  clear() {
    this.#queue = [];
  }

  list() {
    return this.#queue.map((f) => ({ ...f }));
  }

  /** Takes one use of the first queued fault whose `path` is a substring of the request URL. */
  take(url) {
    const i = this.#queue.findIndex((f) => f.path === undefined || url.includes(f.path));
    if (i < 0) return null;
    const fault = this.#queue[i];
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#queue.splice(i, 1);
    return { kind: fault.kind, delayMs: fault.delayMs, retryAfter: fault.retryAfter, location: fault.location, source: 'queue' };
  }
}

/** Per-request fault from `x-sandbox-fault` (+ `x-sandbox-delay-ms`, `x-sandbox-retry-after`). */
export function faultFromHeaders(headers) {
  const kind = headers['x-sandbox-fault'];
  if (!kind) return null;
  const num = (name) => (headers[name] === undefined ? undefined : Number(headers[name]));
  const fault = normalizeFault({ kind, delayMs: num('x-sandbox-delay-ms'), retryAfter: num('x-sandbox-retry-after') });
  return { kind: fault.kind, delayMs: fault.delayMs, retryAfter: fault.retryAfter, source: 'header' };
}

/** Abort the connection: RST when the platform supports it, otherwise a plain destroy. */
export function resetSocket(socket) {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

const TRUNCATED_BODY = JSON.stringify({
  result: 'success',
  request_token: 'U0FOREJPWC1UUlVOQ0FURUQtUkVTUE9OU0U+Lz09',
  payment_id_coinbar: '00000000-0000-4000-8000-000000000000',
  payment_total_price: 1.2,
  trade_pair: 'BTC/EUR',
});

const HTML = (title, text) => `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>${text}</center></body></html>\n`;

/**
 * Writes the response of a short-circuiting fault. `onHang(res)` registers a response that is
 * left open on purpose so close() can destroy it.
 */
export function emitFault(fault, res, { onHang }) {
  const send = (status, type, body, extra = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  const retryAfter = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
  switch (fault.kind) {
    case '500':
      return send(500, 'application/json', '{"result":false,"error":"Internal Server Error"}');
    case '502':
      return send(502, 'text/html', HTML('502 Bad Gateway', 'nginx'));
    case '503':
      return send(503, 'text/html', HTML('503 Service Temporarily Unavailable', 'nginx'), retryAfter);
    case '504':
      return send(504, 'text/html', HTML('504 Gateway Time-out', 'nginx'));
    case '429':
      return send(429, 'application/json', '{"result":false,"error":"Api RATE exceeded"}', retryAfter);
    case 'reset':
      return resetSocket(res.socket);
    case 'truncated': {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(TRUNCATED_BODY) });
      // Destroy only once the partial body has been flushed, so the client really sees it.
      const half = TRUNCATED_BODY.slice(0, Math.floor(TRUNCATED_BODY.length / 2));
      return res.write(half, () => res.socket?.destroy());
    }
    case 'malformed':
      return send(200, 'application/json', `{"result":"success","request_token":'WlpZ',payment_id_coinbar:}`);
    case 'wrong-content-type':
      return send(200, 'text/html', HTML('CoinbarPay', 'Scheduled maintenance, please come back later.'));
    case 'hang':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return onHang(res);
    case '301':
    case '302':
    case '303':
    case '307':
    case '308': {
      const location = fault.location ?? otherOrigin(res.req);
      return send(Number(fault.kind), 'text/html', HTML(`${fault.kind} Moved`, location), { Location: location });
    }
    default:
      throw new Error(`emitFault: ${fault.kind} is not a short-circuit fault`);
  }
}

/** The request's own URL on the other loopback name: another origin, served by this sandbox. */
function otherOrigin(req) {
  const host = String(req?.headers?.host ?? '127.0.0.1');
  const port = host.match(/:(\d+)$/)?.[1];
  const name = host.startsWith('localhost') ? '127.0.0.1' : 'localhost';
  return `http://${name}${port ? `:${port}` : ''}${req?.url ?? '/'}`;
}
