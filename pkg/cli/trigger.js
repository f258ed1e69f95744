// `coinbar-pay trigger`: a signed backend callback, as CoinbarPay sends it, POSTed to the
// merchant's endpoint. The payment, its life cycle, the callback body and its headers come
// from the sandbox's own code (www/sandbox: PaymentStore, Payment#callbackView,
// callbackBody, callbackHeaders), bundled into the package: one callback builder.
import { callbackBody, callbackHeaders } from '../../www/sandbox/callbacks.js';
import { coinCodes, FIATS, isCoin } from '../../www/sandbox/coins.js';
import { PaymentStore } from '../../www/sandbox/store.js';
import { TimerSet } from '../../www/sandbox/timers.js';
import { validatePaymentBody } from '../../www/sandbox/validate.js';
import { UsageError, credentials, intOption, localSandboxOrigin, parse, urlOption } from './common.js';

const STATUSES = ['SUCCESS', 'FAILED', 'CANCELED', 'PENDING'];

const USAGE = `Usage: coinbar-pay trigger <status> --order <payment_request_id> --forward-to URL [options]

Sends a backend callback for one payment, signed as CoinbarPay signs it (CBPAY-API-KEY and
SIGNATURE = HMAC-SHA256 of the raw body), to your endpoint, and prints each answer.
<status> is SUCCESS, FAILED (status_descr "Timeout"), CANCELED or PENDING (case-insensitive).
The body has the documented callback shape (the payment status plus customer and products).

Credentials: COINBAR_SERVICE_CLIENT_ID and COINBAR_SECRET_KEY from the environment, or, when
neither is set, the sandbox's demo client (what \`coinbar-pay sandbox\` prints).

Options:
  --order ID            the payment_request_id (your order id) the callback is about (required)
  --forward-to URL      your callback endpoint, e.g. http://127.0.0.1:3000/coinbar/callback (required)
  --times N             send each callback N times, byte-identical, as Coinbar's retries do (default 1)
  --out-of-order        send the final status first, then the stale PENDING one it came from:
                        your handler must not move the order back
  --sandbox URL         take the payment from a running sandbox (its payment_id_coinbar, coin,
                        currency and total, as your initiate got them). Default: the sandbox of
                        COINBAR_BASE_URL when that is a 127.0.0.1/localhost URL, or the one on
                        http://127.0.0.1:8790 when COINBAR_BASE_URL is not set; else a made-up payment
  --payment-id ID       payment_id_coinbar to put in the body (default: the sandbox's, else random)
  --coin CODE           destination coin: ${coinCodes().join(', ')} (default BTC)
  --currency CODE       input_coin: ${FIATS.join(' or ')} (default EUR)
  --total AMOUNT        order total in the currency (default 3.97)
  --email ADDRESS       the customer's e-mail in the body (default customer@example.com)
  --timeout-ms N        per request (default 10000)
  -h, --help            this help

Exit codes: 0 every answer was 2xx, 1 an answer was not 2xx or did not come, 2 usage error.`;

export async function run(argv) {
  const { values, positionals, help, more } = parse(
    argv,
    {
      order: { type: 'string' },
      'forward-to': { type: 'string' },
      times: { type: 'string' },
      'out-of-order': { type: 'boolean' },
      'payment-id': { type: 'string' },
      sandbox: { type: 'string' },
      coin: { type: 'string' },
      currency: { type: 'string' },
      total: { type: 'string' },
      email: { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    { positionals: 1, command: 'trigger' },
  );
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const status = positionals[0]?.toUpperCase();
  if (!status) throw new UsageError(`<status>: required, one of ${STATUSES.join(', ')} ${more}`);
  if (!STATUSES.includes(status)) {
    throw new UsageError(`<status>: "${positionals[0]}" is not a callback status; use ${STATUSES.join(', ')}${status === 'CANCELLED' ? ' (CANCELED has one L)' : ''}`);
  }
  if (!values.order) throw new UsageError(`--order: required (the payment_request_id your server used in initiate) ${more}`);
  if (!values['forward-to']) throw new UsageError(`--forward-to: required (your callback endpoint) ${more}`);
  const url = urlOption(values['forward-to'], 'forward-to');
  const times = intOption(values, 'times', { min: 1, max: 100, fallback: 1 });
  const timeoutMs = intOption(values, 'timeout-ms', { min: 1, max: 600_000, fallback: 10_000 });
  const outOfOrder = Boolean(values['out-of-order']);
  if (outOfOrder && status === 'PENDING') throw new UsageError('--out-of-order: needs a final status (SUCCESS, FAILED or CANCELED) to send before the stale PENDING one');
  const coin = (values.coin ?? 'BTC').toUpperCase();
  if (!isCoin(coin)) throw new UsageError(`--coin: "${values.coin}" is not a sandbox coin; use ${coinCodes().join(', ')}`);
  const client = credentials(process.env, { demo: true });
  const known = await fromSandbox({ values, client });

  const snapshots = buildCallbacks({ client, status, coin: known?.coin ?? coin, values: { ...values, ...known?.values } });
  const sequence = outOfOrder ? [snapshots[status], snapshots.PENDING] : [snapshots[status]];

  console.log(`credentials: ${client.from}`);
  console.log(`payment:     ${known ? known.from : `made up for order ${values.order} (no sandbox holds it: --sandbox URL takes a real one)`}`);
  let failed = 0;
  let sent = 0;
  for (const callback of sequence) {
    for (let i = 0; i < times; i++) {
      sent += 1;
      const ok = await deliver({ url, client, callback, timeoutMs, label: `${sent}/${sequence.length * times}` });
      if (!ok) failed += 1;
    }
  }
  console.log(failed === 0 ? `${sent} of ${sent} callbacks answered 2xx` : `${failed} of ${sent} callbacks were NOT answered 2xx (Coinbar would retry them)`);
  return failed === 0 ? 0 : 1;
}

/**
 * A sandbox's origin from COINBAR_BASE_URL, when that is a local (loopback) URL; when it is not
 * set, the sandbox's default address (127.0.0.1:8790), so a callback for a payment made there is
 * a true duplicate of the sandbox's own.
 */
const localSandbox = (env) => localSandboxOrigin(env);

/**
 * The payment as a running sandbox holds it (GET /__sandbox/payments/:id), so the callback
 * carries the payment_id_coinbar, coin and amounts the merchant's initiate got back.
 * Explicit --sandbox: failures are errors. From COINBAR_BASE_URL: failures mean "made up".
 */
async function fromSandbox({ values, client }) {
  const explicit = values.sandbox !== undefined;
  const origin = explicit ? new URL(urlOption(values.sandbox, 'sandbox')).origin : localSandbox(process.env);
  if (!origin) return undefined;
  const url = `${origin}/__sandbox/payments/${encodeURIComponent(values.order)}?clientId=${encodeURIComponent(client.id)}`;
  let res;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (err) {
    if (explicit) throw new UsageError(`--sandbox: no sandbox answers at ${origin} (${err.cause?.code ?? err.message})`);
    return undefined;
  }
  if (res.status === 404) {
    await res.body?.cancel();
    if (explicit) throw new UsageError(`--order: the sandbox at ${origin} has no payment ${values.order} for client ${client.id}`);
    return undefined;
  }
  const notSandbox = () => {
    if (explicit) throw new UsageError(`--sandbox: ${origin} did not answer with a sandbox payment for ${values.order} (HTTP ${res.status}): is it a coinbar-pay sandbox?`);
    return undefined;
  };
  if (!res.ok) return notSandbox();
  let p;
  try {
    p = await res.json();
  } catch {
    return notSandbox();
  }
  const s = p?.status ?? {};
  const detail = s.payment_detail ?? {};
  if (typeof s.payment_id_coinbar !== 'string' || typeof s.input_coin !== 'string') return notSandbox();
  return {
    from: `${values.order} from the sandbox at ${origin} (payment_id_coinbar ${s.payment_id_coinbar}, now ${s.status} there)`,
    coin: values.coin ? undefined : (detail.destination_coin ?? undefined),
    values: {
      'payment-id': values['payment-id'] ?? s.payment_id_coinbar,
      currency: values.currency ?? s.input_coin,
      total: values.total ?? (detail.total_price === null || detail.total_price === undefined ? undefined : String(detail.total_price)),
    },
  };
}

/**
 * One payment taken through the sandbox's life cycle (CREATED -> PENDING -> final), with the
 * callback body and headers at PENDING and at the final status.
 * @returns {Record<string, { status: string, body: string, headers: object, paymentIdCoinbar: string }>}
 */
function buildCallbacks({ client, status, coin, values }) {
  const currency = (values.currency ?? 'EUR').toUpperCase();
  const totalText = values.total ?? '3.97';
  if (!/^\d{1,12}(\.\d{1,8})?$/.test(totalText) || Number(totalText) <= 0) {
    throw new UsageError(`--total: must be a plain decimal amount greater than 0 (e.g. 3.97), got "${totalText}"`);
  }
  // A fixed clock that the steps move forward: created a minute ago, PENDING 30 s later, final now.
  const end = Date.now();
  let clock = end - 60_000;
  const timers = new TimerSet();
  const store = new PaymentStore({ now: () => clock, timers, timeoutMs: () => 15 * 60_000, onFinal: () => {} });
  const body = {
    service_client_id: client.id,
    payment_request_id: values.order,
    input_coin: currency,
    products: [{ product_name: 'Test order', product_price: Number(totalText), product_amount: 1, product_id: 'test', product_type: 'general' }],
    email: values.email ?? 'customer@example.com',
    user_id: 'customer-1',
    timestamp: clock,
    destination_coin: coin,
  };
  // The sandbox's own validation of an initiate body: a bad --order or --currency is named.
  const reason = validatePaymentBody(body, 'initiate', { clientId: client.id, now: clock, timestampWindowMs: 60_000 });
  if (reason) {
    const option = { payment_request_id: '--order', input_coin: '--currency', email: '--email', products: '--total' }[reason.split(/[:[.]/)[0]];
    throw new UsageError(`${option ?? 'callback'}: ${reason}`);
  }
  try {
    const payment = store.create(client.id, body, 'initiate');
    if (values['payment-id'] !== undefined) {
      if (!/^[A-Za-z0-9._:-]{1,100}$/.test(values['payment-id'])) throw new UsageError('--payment-id: 1-100 characters of A-Z a-z 0-9 . _ : -');
      payment.paymentIdCoinbar = values['payment-id'];
      payment.chooseCoin(coin); // the deposit address is derived from the id
    }
    const snapshot = () => {
      const text = callbackBody(payment);
      return { status: payment.status, body: text, headers: callbackHeaders(client, text), paymentIdCoinbar: payment.paymentIdCoinbar };
    };
    const out = {};
    clock += 30_000;
    store.pay(payment, { delayMs: 60_000 }); // PENDING until confirmed (the timer is never left to run)
    out.PENDING = snapshot();
    clock = end;
    if (status === 'SUCCESS') store.confirm(payment);
    else if (status === 'FAILED') store.expire(payment);
    else if (status === 'CANCELED') store.cancel(payment);
    if (status !== 'PENDING') out[status] = snapshot();
    return out;
  } finally {
    timers.close();
  }
}

/** POSTs one callback and prints the request and the answer. @returns whether it was 2xx */
async function deliver({ url, client, callback, timeoutMs, label }) {
  const { status, body, headers, paymentIdCoinbar } = callback;
  console.log(
    `-> [${label}] POST ${url}  ${status}  order ${JSON.parse(body).payment_request_id_client}, payment_id_coinbar ${paymentIdCoinbar}, ${Buffer.byteLength(body)} bytes, SIGNATURE ${headers.SIGNATURE.slice(0, 12)}…`,
  );
  const started = Date.now();
  const requestHeaders = { ...headers, 'User-Agent': 'coinbar-pay-cli trigger' };
  delete requestHeaders['Content-Length']; // fetch sets it
  let res;
  try {
    res = await fetch(url, { method: 'POST', headers: requestHeaders, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    const cause = err.cause?.code ?? err.cause?.message ?? err.name;
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${err.message}${cause ? ` (${cause})` : ''}`;
    console.log(`<- no answer: ${why}${err.cause?.code === 'ECONNREFUSED' ? ' — is your server running on that port?' : ''}`);
    return false;
  }
  const text = await res.text();
  const shown = text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
  console.log(`<- ${res.status} ${res.statusText} in ${Date.now() - started} ms${shown ? `  ${shown.replace(/\s*\n\s*/g, ' ')}` : ''}`);
  const hint = answerHint(res.status, client);
  if (hint) console.log(`   hint: ${hint}`);
  return res.status >= 200 && res.status < 300;
}

/** What a merchant should check after an answer that is not 2xx. */
function answerHint(status, client) {
  if (status === 401 || status === 403) {
    return (
      `${status}: your server refused the callback as not from Coinbar. It verifies with its own COINBAR_SERVICE_CLIENT_ID and COINBAR_SECRET_KEY: ` +
      (client.from.startsWith("the sandbox's demo")
        ? 'these were the sandbox demo credentials, so give your server those, or set both variables here to yours. '
        : 'they must be the ones this command used. ') +
      'If they match, the route is not verifying the raw body (a JSON parser ran before it: see docs/frameworks.md)'
    );
  }
  if (status === 500) {
    return (
      "500: your server failed on this callback; its log says why. handleCallback reports a route set up wrong (body already parsed, empty, mis-decoded) as CoinbarError code 'config' " +
      'with the fix in the message; otherwise your handler threw. Coinbar delivers again after a 5xx: fix it and trigger again'
    );
  }
  if (status === 404 || status === 405) return `${status}: no callback route at this URL: check the path and method (Coinbar POSTs)`;
  if (status >= 300 && status <= 399) return `${status}: your server redirected the callback; trigger does not follow it and Coinbar's docs do not say Coinbar does: give Coinbar the final URL`;
  return null;
}
