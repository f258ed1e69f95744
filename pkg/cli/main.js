// `coinbar-pay`: the merchant's development loop, shipped in the package (issue 15).
//
//   npx coinbar-pay sandbox   the local CoinbarPay sandbox (www/sandbox, bundled at build time)
//   npx coinbar-pay trigger   a signed test callback sent to the merchant's endpoint
//   npx coinbar-pay fault     queue a fault in the running sandbox (the next API calls fail)
//   npx coinbar-pay sign      what a signature covers, for debugging a mismatch
//   npx coinbar-pay verify    expected vs received SIGNATURE
//   npx coinbar-pay migrate   create the payment ledger's tables (coinbar-pay/ledger)
//
// This file is the source; scripts/build-cli.mjs bundles it with the sandbox into
// pkg/dist/cli.mjs (the package's `bin`), keeping `coinbar-pay` (the SDK) an import of the
// package itself. Exit codes: 0 done, 1 the check or the delivery failed, 2 usage or setup error.
import { UsageError } from './common.js';

const COMMANDS = {
  sandbox: () => import('./sandbox.js'),
  trigger: () => import('./trigger.js'),
  fault: () => import('./fault.js'),
  sign: () => import('./sign.js').then((m) => m.sign),
  verify: () => import('./sign.js').then((m) => m.verify),
  migrate: () => import('./migrate.js'),
};

const HELP = `coinbar-pay: develop a CoinbarPay integration locally

Usage: coinbar-pay <command> [options]      (coinbar-pay <command> --help for its options)

Commands:
  sandbox   start the local CoinbarPay sandbox (the API, the hosted page, signed callbacks)
  trigger   send a signed test callback (SUCCESS, FAILED, CANCELED, PENDING) to your endpoint
  fault     make the running sandbox's next API call(s) fail (503, reset, 500 after commit, …)
  sign      sign a body with COINBAR_SECRET_KEY and show what was signed
  verify    compare a received SIGNATURE with the expected one for a body
  migrate   create the payment ledger's tables: --db <sqlite file | postgres://URL>

The loop:
  npx coinbar-pay sandbox --callback-url http://127.0.0.1:3000/coinbar/callback
  # your server creates a payment (initiate) against the printed COINBAR_BASE_URL, then:
  npx coinbar-pay trigger SUCCESS --order <payment_request_id> --forward-to http://127.0.0.1:3000/coinbar/callback

Exit codes: 0 done, 1 the check or a delivery failed, 2 usage or setup error.
Docs: docs/develop-locally.md in the coinbar-pay repository.`;

async function main(argv) {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return (await loadCommand(topic)).run(['--help']);
    console.log(HELP);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    // Set by scripts/build-cli.mjs from pkg/package.json.
    console.log(typeof __COINBAR_PAY_VERSION__ === 'string' ? __COINBAR_PAY_VERSION__ : 'source');
    return 0;
  }
  if (!COMMANDS[name]) {
    throw new UsageError(`unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')} (coinbar-pay --help)`);
  }
  return (await loadCommand(name)).run(rest);
}

async function loadCommand(name) {
  return COMMANDS[name]();
}

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      console.error(`coinbar-pay: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(`coinbar-pay: ${err?.stack ?? err}`);
      process.exitCode = 1;
    }
  },
);
