// The local sandbox in its own process for the load test (tests/load/run.mjs forks it), so
// the SDK and the sandbox each get a core. Talks over the fork IPC channel:
//   -> { type: 'ready', url, baseUrl }               once listening
//   <- { type: 'summary' } -> { type: 'summary', ...sandboxSummary(sb) }
//   <- { type: 'close' }   -> closes and exits (also when the parent goes away)
import { startSandbox } from '../../www/sandbox/server.js';

/** Options for a load run: no daily rate limit to speak of, no payment expiring mid-run. */
export const LOAD_SANDBOX_OPTIONS = { port: 0, host: '127.0.0.1', rateLimitPerDay: 1e9, paymentTimeoutMs: 60 * 60 * 1000 };

const text = (v) => (v !== null && typeof v === 'object' && 'text' in v ? v.text : v === null || v === undefined ? null : String(v));

/** What the load test checks, read in-process: every payment and the duplicate counters. */
export function sandboxSummary(sb) {
  return {
    payments: sb.payments.list().map((p) => ({
      id: p.payment_request_id,
      pid: p.status.payment_id_coinbar,
      amount: text(p.status.payment_detail.destination_amount), // the exact digits sent
      total: text(p.status.payment_detail.total_price),
    })),
    counters: sb.payments.counters(),
    faults: sb.stats().faults ?? {},
    rss: process.memoryUsage().rss,
  };
}

if (process.send) {
  const sb = await startSandbox({ ...LOAD_SANDBOX_OPTIONS, dedupe: process.env.LOAD_DEDUPE !== 'false' });
  const close = async () => {
    await sb.close();
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m?.type === 'summary') process.send({ type: 'summary', ...sandboxSummary(sb) });
    if (m?.type === 'close') close();
  });
  process.on('disconnect', close);
  process.send({ type: 'ready', url: sb.url, baseUrl: sb.baseUrl });
}
