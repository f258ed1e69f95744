// `coinbar-pay sandbox`: the local CoinbarPay sandbox of this repository (www/sandbox), bundled
// into the package by scripts/build-cli.mjs (one copy of its code). Prints the base URL, the
// demo credentials and the COINBAR_* lines to paste, then one line per callback attempt.
import { startSandbox } from '../../www/sandbox/server.js';
import { DEMO_CLIENT, UsageError, intOption, parse, urlOption } from './common.js';

const USAGE = `Usage: coinbar-pay sandbox [--port 8790] [--host 127.0.0.1] [--callback-url URL] [--no-dedupe]

Starts a local server that behaves like CoinbarPay: the merchant API (initiate, request,
status, reports, quotes) with real HMAC authentication, the hosted payment page, the payment
life cycle, and signed backend callbacks (retried, up to 6 attempts, until your server answers 2xx).

Options:
  -p, --port N          port on 127.0.0.1 (default 8790; 0 = any free port)
  --host HOST           interface to listen on (default 127.0.0.1)
  --callback-url URL    your backend's callback endpoint (BE_URL_CALLBACK): every final
                        status (SUCCESS, FAILED, CANCELED) is POSTed there, signed
  --no-dedupe           create a new payment for every initiate, even with a repeated
                        payment_request_id (Coinbar does not promise to de-duplicate)
  -h, --help            this help

Settle a payment:  curl -X POST <url>/__sandbox/payments/<payment_request_id>/pay
                   (or cancel, expire; or open the gateway URL and press Pay)
Inspect:           <url>/__sandbox/payments, <url>/__sandbox/callbacks
Stop:              Ctrl-C`;

export async function run(argv) {
  const { values, help } = parse(
    argv,
    {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'callback-url': { type: 'string' },
      'no-dedupe': { type: 'boolean' },
    },
    { command: 'sandbox' },
  );
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const port = intOption(values, 'port', { min: 0, max: 65535, fallback: 8790 });
  const host = values.host ?? '127.0.0.1';
  const callbackUrl = values['callback-url'] === undefined ? undefined : urlOption(values['callback-url'], 'callback-url');
  const dedupe = !values['no-dedupe'];

  let sandbox;
  try {
    sandbox = await startSandbox({ port, host, clients: [{ ...DEMO_CLIENT, ...(callbackUrl ? { callbackUrl } : {}) }], dedupe });
  } catch (err) {
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use (another sandbox?): choose another with --port, or --port 0 for any free one`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new UsageError(`--host: cannot listen on "${host}" (${err.code})`);
    throw err;
  }

  const out = (line = '') => process.stdout.write(line + '\n');
  out(`CoinbarPay sandbox (local) listening on ${sandbox.url}`);
  out(`  API base URL:   ${sandbox.baseUrl}`);
  out(`  Demo client id: ${DEMO_CLIENT.id}`);
  out(`  Demo secret:    ${DEMO_CLIENT.secret}`);
  out(`  Callbacks:      ${callbackUrl ? `POSTed to ${callbackUrl}` : 'none (start with --callback-url URL to receive them)'}`);
  out(`  Duplicate rule: ${dedupe ? 'on (a repeated payment_request_id returns the original payment)' : 'off (--no-dedupe: every initiate creates a payment)'}`);
  out('');
  out('Paste into your server\'s environment (.env):');
  out(`COINBAR_BASE_URL=${sandbox.baseUrl}`);
  out(`COINBAR_SERVICE_CLIENT_ID=${DEMO_CLIENT.id}`);
  out(`COINBAR_SECRET_KEY=${DEMO_CLIENT.secret}`);
  out('');
  out(`Settle a payment: curl -X POST ${sandbox.url}/__sandbox/payments/<payment_request_id>/pay   (or cancel, expire)`);
  out(`Test callbacks:   npx coinbar-pay trigger SUCCESS --order <payment_request_id> --forward-to ${callbackUrl ?? '<your callback URL>'}`);
  out('Ctrl-C stops the sandbox.');
  out('');

  // One line per callback attempt, read from the sandbox's delivery log.
  const shown = new Map(); // delivery id -> attempts printed
  const report = () => {
    for (const d of sandbox.callbacks.list()) {
      const from = shown.get(d.id) ?? 0;
      for (const a of d.attempts.slice(from)) {
        const answer = a.status_code !== undefined ? String(a.status_code) : `no answer (${a.error})`;
        const next = !d.delivered && !d.finished && a === d.attempts.at(-1) && d.next_attempt_in_ms ? `, retry in ${d.next_attempt_in_ms} ms` : '';
        out(`callback ${d.status} ${d.payment_request_id} -> ${d.url}: attempt ${a.attempt} ${answer} (${a.duration_ms} ms${next})`);
      }
      shown.set(d.id, d.attempts.length);
    }
  };
  const poll = setInterval(report, 200);

  await new Promise((resolve) => {
    const stop = () => {
      clearInterval(poll);
      report();
      sandbox.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
