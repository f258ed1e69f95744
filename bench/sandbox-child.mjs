// The local CoinbarPay sandbox in its own process for the end-to-end benchmark, so it does not
// share an event loop (or a core's time slices) with the client being measured. Prints its
// base URL as one JSON line; exits when its stdin closes (the parent ended) or on SIGTERM.
import { startSandbox } from '../www/sandbox/server.js';

const sb = await startSandbox({ port: 0, host: '127.0.0.1', rateLimitPerDay: 1e9 });
process.stdout.write(`${JSON.stringify({ url: sb.url, baseUrl: sb.baseUrl })}\n`);
const stop = async () => {
  await sb.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
