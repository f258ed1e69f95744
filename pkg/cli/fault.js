// `coinbar-pay fault`: queue a fault in a running sandbox (POST /__sandbox/faults), so the failure
// paths of docs/retries.md can be tried from a terminal: the next API call(s) fail the way a
// network, a proxy or Coinbar itself can fail. The kinds come from the sandbox's own list
// (www/sandbox/faults.js, bundled into the package).
import { AFTER_COMMIT_BASES, FAULT_KINDS } from '../../www/sandbox/faults.js';
import { faultHelp } from '../../www/sandbox/server.js';
import { UsageError, intOption, parse, sandboxOrigin } from './common.js';

const USAGE = `Usage: coinbar-pay fault <kind> [--times N] [--after-commit] [--path TEXT] [options]
       coinbar-pay fault list      show the queued faults
       coinbar-pay fault clear     forget the queued faults

Queues a fault in a running sandbox: the next API call (initiate, request, status, report,
quotes) fails as <kind> says, then the sandbox behaves normally again.

Options:
  --times N          the next N matching calls fail (default 1)
  --after-commit     the sandbox DOES the work (creates the payment), then the answer fails:
                     a lost answer, an unknown outcome (ask the status; never re-send).
                     For ${AFTER_COMMIT_BASES.join(', ')}
  --path TEXT        only calls whose path+query contain TEXT, e.g. /initiate or /status
                     (default: any API call)
  --delay-ms N       wait N ms before failing (latency: before answering; default 1000 for latency)
  --retry-after S    Retry-After header in seconds (429, 503)
  --sandbox URL      the sandbox (default: COINBAR_BASE_URL when it is a 127.0.0.1/localhost URL,
                     else http://127.0.0.1:8790, where \`coinbar-pay sandbox\` listens)
  -h, --help         this help

Kinds:
${faultHelp()}

Examples:
  coinbar-pay fault 503 --times 2 --retry-after 1    two calls get 503: an SDK's GET retries survive it
  coinbar-pay fault 500 --after-commit --path /initiate
                                                     the payment is created but the answer is a 500
  coinbar-pay fault reset --path /status             the next status call's connection is reset

Exit codes: 0 queued (or listed, cleared), 2 usage error or no sandbox at that address.`;

export async function run(argv) {
  const { values, positionals, help, more } = parse(
    argv,
    {
      times: { type: 'string' },
      'after-commit': { type: 'boolean' },
      path: { type: 'string' },
      'delay-ms': { type: 'string' },
      'retry-after': { type: 'string' },
      sandbox: { type: 'string' },
    },
    { positionals: 1, command: 'fault' },
  );
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const word = positionals[0];
  if (!word) throw new UsageError(`<kind>: required, one of ${FAULT_KINDS.join(', ')}; or list, clear ${more}`);
  const origin = sandboxOrigin(values.sandbox, process.env);

  if (word === 'list' || word === 'clear') {
    const data = await call(origin, word === 'list' ? 'GET' : 'DELETE');
    printQueue(data.faults, origin);
    return 0;
  }

  let kind = word.toLowerCase();
  if (values['after-commit'] && !kind.endsWith('-after-commit')) {
    if (!AFTER_COMMIT_BASES.includes(kind)) {
      throw new UsageError(`--after-commit: "${word}" has no after-commit variant; use one of ${AFTER_COMMIT_BASES.join(', ')}`);
    }
    kind += '-after-commit';
  }
  if (!FAULT_KINDS.includes(kind)) {
    throw new UsageError(`<kind>: "${word}" is not a fault kind; use one of ${FAULT_KINDS.join(', ')} (coinbar-pay fault --help says what each does)`);
  }
  const spec = { kind, count: intOption(values, 'times', { min: 1, max: 1000, fallback: 1 }) };
  if (values.path !== undefined) {
    if (!values.path) throw new UsageError('--path: give the text the URL must contain, e.g. /initiate');
    spec.path = values.path;
  }
  if (values['delay-ms'] !== undefined) spec.delayMs = intOption(values, 'delay-ms', { min: 0, max: 600_000 });
  if (values['retry-after'] !== undefined) spec.retryAfter = intOption(values, 'retry-after', { min: 0, max: 86_400 });

  const data = await call(origin, 'POST', spec);
  const calls = spec.count === 1 ? 'the next API call' : `the next ${spec.count} API calls`;
  const where = spec.path ? ` whose URL contains "${spec.path}"` : '';
  console.log(`queued at ${origin}: ${kind} for ${calls}${where}`);
  printQueue(data.faults, origin);
  return 0;
}

/** Sends one control request; a sandbox that is not there, or refuses, is a usage error. */
async function call(origin, method, body) {
  const url = `${origin}/__sandbox/faults`;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    const code = err.name === 'TimeoutError' ? 'no answer within 5 s' : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new UsageError(`no sandbox answers at ${origin} (${code}): start one with \`coinbar-pay sandbox\`, or give its address with --sandbox URL`);
  }
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!res.ok || !data || !Array.isArray(data.faults ?? data.added)) {
    const why = data?.reason ?? data?.error ?? text.slice(0, 200);
    throw new UsageError(`${origin} refused the fault (HTTP ${res.status}${why ? `: ${why}` : ''})${res.status === 404 ? ': is it a coinbar-pay sandbox?' : ''}`);
  }
  return data;
}

function printQueue(faults, origin) {
  if (faults.length === 0) {
    console.log(`no faults queued at ${origin}`);
    return;
  }
  console.log(`queued at ${origin} (first match is used):`);
  for (const f of faults) {
    const extra = [f.path ? `path contains "${f.path}"` : 'any API call', f.delayMs ? `delay ${f.delayMs} ms` : '', f.retryAfter !== undefined ? `Retry-After ${f.retryAfter}` : '']
      .filter(Boolean)
      .join(', ');
    console.log(`  ${f.kind} × ${f.remaining ?? f.count} (${extra})`);
  }
}
