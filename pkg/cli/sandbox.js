// `coinbar-pay sandbox`: the local CoinbarPay sandbox of this repository (www/sandbox), bundled
// into the package by scripts/build-cli.mjs (one copy of its code). Prints the base URL, the
// demo credentials and the COINBAR_* lines to paste, then one line per callback attempt.
import { faultHelp, listenErrorLine, startSandbox, stateLine } from '../../www/sandbox/server.js';
import { DEMO_CLIENT, UsageError, intOption, parse, urlOption } from './common.js';

const USAGE = `Usage: coinbar-pay sandbox [--port 8790] [--host 127.0.0.1] [--callback-url URL] [--no-dedupe]
                           [--db FILE] [--allowed-host NAME]

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
  --db FILE             keep payments, clients and the callback log in a SQLite file, so a
                        restarted sandbox still knows them (default: in memory). Needs the
                        better-sqlite3 package: npm install --save-dev better-sqlite3
  --allowed-host NAME   also answer requests addressed to NAME (e.g. a name in /etc/hosts or a
                        LAN address); otherwise only 127.0.0.1, localhost and [::1] are served,
                        a guard against DNS rebinding. Repeatable
  -h, --help            this help

Settle a payment:  curl -X POST <url>/__sandbox/payments/<payment_request_id>/pay
                   (or cancel, expire; or open the gateway URL and press Pay)
Inspect:           <url>/__sandbox/payments, <url>/__sandbox/callbacks
Stop:              Ctrl-C

Fault kinds (the next API call fails that way: coinbar-pay fault <kind> [--times N] [--after-commit]):
${faultHelp()}
Kinds without "-after-commit" answer before the sandbox does anything; "-after-commit" ones create
the payment first and then lose the answer (an unknown outcome: ask the status, never re-send).`;

export async function run(argv) {
  const { values, help } = parse(
    argv,
    {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'callback-url': { type: 'string' },
      'no-dedupe': { type: 'boolean' },
      db: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
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
  if (values.db === '') throw new UsageError('--db: give a file name, e.g. --db sandbox.sqlite');
  const allowedHosts = values['allowed-host'] ?? [];

  let sandbox;
  try {
    sandbox = await startSandbox({ port, host, clients: [{ ...DEMO_CLIENT, ...(callbackUrl ? { callbackUrl } : {}) }], dedupe, db: values.db, allowedHosts });
  } catch (err) {
    const busy = listenErrorLine(err, { how: '--port N' });
    if (busy) throw new UsageError(busy);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new UsageError(`--host: cannot listen on "${host}" (${err.code})`);
    if (err.name === 'PersistenceError') throw new UsageError(err.message);
    if (err instanceof TypeError && /allowedHosts/.test(err.message)) throw new UsageError(`--allowed-host: ${err.message.replace(/^allowedHosts: /, '')}`);
    throw err;
  }

  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`CoinbarPay sandbox (local) listening on ${sandbox.url}`);
  out(`  API base URL:   ${sandbox.baseUrl}`);
  out(`  Demo client id: ${DEMO_CLIENT.id}`);
  out(`  Demo secret:    ${DEMO_CLIENT.secret}`);
  out(`  Callbacks:      ${callbackUrl ? `POSTed to ${callbackUrl}` : 'none (start with --callback-url URL to receive them)'}`);
  out(`  Duplicate rule: ${dedupe ? 'on (a repeated payment_request_id returns the original payment)' : 'off (--no-dedupe: every initiate creates a payment)'}`);
  out(`  State:          ${stateLine(sandbox.db)}`);
  if (sandbox.allowedHosts.length) out(`  Host names:     127.0.0.1, localhost, [::1], ${sandbox.allowedHosts.join(', ')}`);
  out('');
  out("Paste into your server's environment (.env):");
  out(`COINBAR_BASE_URL=${sandbox.baseUrl}`);
  out(`COINBAR_SERVICE_CLIENT_ID=${DEMO_CLIENT.id}`);
  out(`COINBAR_SECRET_KEY=${DEMO_CLIENT.secret}`);
  out('');
  out(`Settle a payment: curl -X POST ${sandbox.url}/__sandbox/payments/<payment_request_id>/pay   (or cancel, expire)`);
  out(`Test callbacks:   npx coinbar-pay trigger SUCCESS --order <payment_request_id> --forward-to ${callbackUrl ?? '<your callback URL>'}`);
  out(`Test failures:    npx coinbar-pay fault 503 --times 2${sandbox.url === 'http://127.0.0.1:8790' ? '' : ` --sandbox ${sandbox.url}`}   (coinbar-pay fault --help lists the kinds)`);
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
