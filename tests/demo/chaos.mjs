#!/usr/bin/env node
// Chaos run of the demo backend (issues 13 §6, 20 §4), on SQLite AND on PostgreSQL: two Node
// instances (www/serve.js) on one database behind a chaos proxy that drops, fails, duplicates (to
// both instances), delays and so reorders Coinbar's callbacks, and rewrites some update_times
// into other formats (+02:00 offsets, no fraction; re-signed); checkouts spread over both; some
// orders get a second attempt (another coin) and both attempts are paid (a stray payment);
// payments paid, canceled, expired or left open in the sandbox; each instance killed with
// SIGKILL once and restarted. The "order paid" e-mails go to a mail sink through the ledger's
// outbox. At the end: every paid order fulfilled (e-mailed) once — 0 lost, 0 doubled — and
// never more Coinbar requests than calls reserved in the ledger's budget — 0 overruns.
//
//   node tests/demo/chaos.mjs [--checkouts 500] [--restarts 2] [--seed 1] [--db sqlite|postgres|both]   (make chaos)
// Prints a table per database; exits 1 when a paid order is lost or doubled or the budget overrun.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { createExecutor } from 'coinbar-pay/ledger';
import { startSandbox } from '../../www/sandbox/server.js';
import { CLIENT, CART, freePort, sleep, startDemoProcess, tmpDb } from './helpers.js';
import { mulberry32 } from '../lib/rng.mjs';

const orderOf = (prid) => String(prid).replace(/\.\d+$/, '');
const COINS = ['BTC', 'ETH', 'USDT', 'XRP', 'XDB'];

/** The same instant in another ISO 8601 form: an offset of +02:00, or whole seconds when the fraction is zero. */
function otherFormat(iso, random) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  if (random() < 0.5) {
    const d = new Date(t + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    return d;
  }
  // Whole seconds without a fraction, or six fraction digits (microseconds): the same instant.
  const z = new Date(t).toISOString();
  return t % 1000 === 0 ? z.replace('.000Z', 'Z') : z.replace(/Z$/, '000Z');
}

/** A mail sink: the "order paid" e-mails (Idempotency-Key header), answered 200. */
async function mailSink() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        got.push({ key: req.headers['idempotency-key'], order_id: JSON.parse(Buffer.concat(chunks).toString('utf8')).order_id });
      } catch {}
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/mail`, got, close: () => new Promise((r) => server.close(r)) };
}

export async function runChaos({ checkouts = 500, restarts = 2, seed = 1, concurrency = 12, database = 'sqlite', strays = 0.1, log = console.log } = {}) {
  const random = mulberry32(seed); // reproducible choices
  const pick = (list) => list[Math.floor(random() * list.length)];
  let pgCluster = null;
  let db;
  if (database === 'postgres') {
    const { startPostgresCluster } = await import('../lib/postgres.mjs');
    pgCluster = await startPostgresCluster();
    db = pgCluster.url;
  } else db = tmpDb('chaos');
  const ports = [await freePort(), await freePort()];
  const mail = await mailSink();
  const counts = { callbacks_seen: 0, dropped: 0, failed: 0, duplicated: 0, delayed: 0, reformatted: 0, forwarded: 0, refused: 0 };

  // ---- the chaos proxy between Coinbar (the sandbox) and the shop's instances ----
  const forward = async (port, body, headers) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/coinbar/callback`, { method: 'POST', headers, body, signal: AbortSignal.timeout(3000) });
      await r.arrayBuffer();
      counts.forwarded += 1;
      return r.status;
    } catch {
      counts.refused += 1;
      return 502;
    }
  };
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      counts.callbacks_seen += 1;
      let body = Buffer.concat(chunks);
      let headers = { 'content-type': 'application/json', 'cbpay-api-key': req.headers['cbpay-api-key'], signature: req.headers.signature };
      if (random() < 0.3) {
        // Coinbar's update_time in another form of the same instant (re-signed: the proxy plays Coinbar).
        try {
          const ev = JSON.parse(body.toString('utf8'));
          ev.update_time = otherFormat(ev.update_time, random);
          body = Buffer.from(JSON.stringify(ev));
          headers = { ...headers, signature: createHmac('sha256', CLIENT.secret).update(body).digest('hex') };
          counts.reformatted += 1;
        } catch {}
      }
      const roll = random();
      let status;
      if (roll < 0.15) {
        counts.dropped += 1; // lost for good: Coinbar thinks it was delivered
        status = 200;
      } else if (roll < 0.3) {
        counts.failed += 1; // the shop's load balancer answered 503: Coinbar retries
        status = 503;
      } else {
        const delay = random() < 0.5 ? Math.floor(random() * 1500) : 0;
        if (delay) counts.delayed += 1;
        await sleep(delay);
        if (roll < 0.55) {
          counts.duplicated += 1; // the same delivery to both instances at once, and once more later
          const [a] = await Promise.all([forward(ports[0], body, headers), forward(ports[1], body, headers)]);
          setTimeout(() => forward(pick(ports), body, headers), Math.floor(random() * 2000));
          status = a;
        } else status = await forward(pick(ports), body, headers);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));

  const sb = await startSandbox({
    clients: [{ ...CLIENT, callbackUrl: `http://127.0.0.1:${proxy.address().port}/callback` }],
    rateLimitPerDay: 1e6,
    callbackRetry: { attempts: 8, baseDelayMs: 200, timeoutMs: 3000 },
  });
  const env = {
    COINBAR_SERVICE_CLIENT_ID: CLIENT.id,
    COINBAR_SECRET_KEY: CLIENT.secret,
    COINBAR_BASE_URL: sb.baseUrl,
    COINBAR_SANDBOX_CONTROL_URL: sb.url,
    RECONCILE_INTERVAL_SECONDS: '1',
    RECONCILE_AFTER_SECONDS: '3',
    RECONCILE_MAX_PER_RUN: '50',
    RECONCILE_MAX_BACKOFF_SECONDS: '5', // an attempt's checks: 3 s, 5 s, 5 s… (in production up to 1 h)
    UNKNOWN_AFTER_SECONDS: '6',
    UNKNOWN_RECHECK_SECONDS: '2',
    CLIENT_CHECKOUTS_PER_DAY: '1000000', // one client address (127.0.0.1) plays every customer
    CLIENT_CHECKOUTS_PER_MINUTE: '1000000',
    CHECKOUTS_PER_MINUTE: '1000000',
    CLIENT_REFRESHES_PER_DAY: '1000000',
    COINBAR_DAILY_CALLS: '1000000', // the chaos run is about loss; the budget is still counted (overruns)
    REFRESH_MIN_INTERVAL_SECONDS: '1',
    CALLBACK_LEASE_SECONDS: '5',
    MAIL_WEBHOOK_URL: mail.url,
  };
  const instances = [await startDemoProcess({ port: ports[0], db, env }), await startDemoProcess({ port: ports[1], db, env })];
  const t0 = Date.now();
  const fig = {
    checkouts: 0,
    answered_201: 0,
    failed_checkouts: 0,
    second_attempts: 0,
    paid_requested: 0,
    canceled: 0,
    expired: 0,
    left_open: 0,
    refreshes: 0,
    restarts: 0,
    rerouted: 0,
    slow: [],
    restart_ms: [],
    failure_reasons: {},
  };
  // Every client call has a deadline (a customer's page gives up and polls again); slow ones are counted.
  const timed = async (what, promise) => {
    const t = Date.now();
    try {
      return await promise;
    } catch {
      return undefined;
    } finally {
      if (Date.now() - t > 3000) fig.slow.push(`${what} ${Date.now() - t} ms`);
    }
  };
  const control = (id, action, q = '') =>
    timed(
      `sandbox ${action}`,
      fetch(`${sb.url}/__sandbox/payments/${encodeURIComponent(id)}/${action}${q}`, { method: 'POST', signal: AbortSignal.timeout(10000) }).then((r) => r.arrayBuffer()),
    );
  const decided = new Set();
  const decide = async (id, forcePay = false) => {
    decided.add(id);
    const r = forcePay ? 0 : random();
    if (r < 0.7) {
      fig.paid_requested += 1;
      await control(id, 'pay', `?delayMs=${Math.floor(random() * 1000)}`);
    } else if (r < 0.8) {
      fig.canceled += 1;
      await control(id, 'cancel');
    } else if (r < 0.9) {
      fig.expired += 1;
      await control(id, 'expire');
    } else fig.left_open += 1;
  };

  // ---- checkouts, with restarts along the way ----
  const restartAt = Array.from({ length: restarts }, (_, i) => Math.floor(((i + 1) * checkouts) / (restarts + 1)));
  let next = 0;
  let restarting = Promise.resolve();
  const worker = async () => {
    while (next < checkouts) {
      const n = next++;
      if (restartAt.includes(n)) {
        const which = fig.restarts % 2;
        fig.restarts += 1;
        // One instance down at a time: the next kill waits until the previous restart is done.
        restarting = restarting.then(async () => {
          const r0 = Date.now();
          await instances[which].kill9(); // mid-traffic: requests in flight on it are cut
          await sleep(300);
          instances[which] = await startDemoProcess({ port: ports[which], db, env });
          fig.restart_ms.push(Date.now() - r0);
        });
      }
      fig.checkouts += 1;
      const started = Date.now();
      const first = Math.floor(random() * 2);
      const coin = pick(COINS);
      const body = JSON.stringify({ ...CART, coin });
      const send = (port, b = body) => fetch(`http://127.0.0.1:${port}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b, signal: AbortSignal.timeout(10000) });
      try {
        // As a load balancer does: a refused connection goes to the other instance (a request cut
        // mid-way is not resent: the customer sees an error).
        const r = await send(ports[first]).catch((e) => {
          if (e?.cause?.code !== 'ECONNREFUSED') throw e;
          fig.rerouted += 1;
          return send(ports[1 - first]);
        });
        const order = await r.json();
        if (r.status !== 201) throw new Error(`checkout ${r.status}`);
        fig.answered_201 += 1;
        if (random() < strays) {
          // The customer switches coin: a second attempt of the same order; both get paid (a stray payment).
          const again = await send(pick(ports), JSON.stringify({ order_id: order.id, coin: pick(COINS.filter((c) => c !== coin)) }));
          const second = await again.json().catch(() => null);
          if (again.status === 201 && second.payment_request_id !== order.payment_request_id) {
            fig.second_attempts += 1;
            await decide(second.payment_request_id, true);
            await decide(order.payment_request_id, true);
          } else await decide(order.payment_request_id);
        } else await decide(order.payment_request_id);
        if (random() < 0.3) {
          fig.refreshes += 1; // the customer's page polls (the refresh path may fulfil first)
          await sleep(Math.floor(random() * 500));
          await timed(
            'refresh',
            fetch(`http://127.0.0.1:${pick(ports)}/api/orders/${order.id}?refresh=1`, { signal: AbortSignal.timeout(10000) }).then((x) => x.arrayBuffer()),
          );
        }
      } catch (e) {
        fig.failed_checkouts += 1;
        const why = String(e?.cause?.code ?? e?.message ?? e).slice(0, 60);
        fig.failure_reasons[why] = (fig.failure_reasons[why] ?? 0) + 1;
      }
      const took = Date.now() - started;
      if (took > 12000) fig.slow.push(`checkout step ${took} ms`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await restarting;
  const checkoutSeconds = (Date.now() - t0) / 1000;
  // Payments whose checkout answer was lost (instance killed mid-request) exist at Coinbar too:
  // their customers pay them (e.g. on Coinbar's page).
  let orphanPayments = 0;
  for (const p of sb.payments.list()) {
    if (!decided.has(p.payment_request_id) && p.status.status === 'CREATED') {
      orphanPayments += 1;
      await decide(p.payment_request_id);
    }
  }

  // ---- wait for the dust to settle ----
  let readDb = null;
  let read;
  if (database === 'postgres') {
    const { default: pg } = await import('pg');
    readDb = new pg.Pool({ connectionString: db, max: 2 });
    read = createExecutor(readDb);
  } else {
    readDb = new Database(db, { readonly: true });
    readDb.pragma('busy_timeout = 5000');
    read = createExecutor(readDb);
  }
  const q = (sql, params = []) => read.all(sql, params);
  const settle = async () => {
    const payments = sb.payments.list();
    const paid = [...new Set(payments.filter((p) => p.status.status === 'SUCCESS').map((p) => orderOf(p.payment_request_id)))];
    const outbox = new Map((await q('SELECT order_id, count(*) AS n FROM coinbar_outbox GROUP BY order_id')).map((r) => [r.order_id, Number(r.n)]));
    const mailed = new Map();
    for (const m of mail.got) mailed.set(m.order_id, (mailed.get(m.order_id) ?? new Set()).add(m.key));
    const lost = paid.filter((id) => !mailed.has(id));
    const callbacksDone = sb.callbacks.list().every((d) => d.finished);
    return { payments, paid, outbox, mailed, lost, callbacksDone };
  };
  let s = await settle();
  const deadline = Date.now() + 90_000;
  while ((s.lost.length || !s.callbacksDone) && Date.now() < deadline) {
    await sleep(500);
    s = await settle();
  }
  const settleSeconds = (Date.now() - t0) / 1000 - checkoutSeconds;
  await sleep(2500); // late duplicates from the proxy
  await Promise.all(instances.map((i) => fetch(`${i.url}/api/config`).catch(() => {}))); // (instances still up)
  s = await settle();
  const paidSet = new Set(s.paid);
  // Doubled: an order with more than one fulfilment (outbox row), or e-mailed under two keys, or fulfilled without a payment.
  const doubled = [...s.outbox].filter(([, n]) => n > 1).length + [...s.mailed].filter(([, keys]) => keys.size > 1).length;
  const wronglyFulfilled = [...new Set([...s.outbox.keys(), ...s.mailed.keys()])].filter((id) => !paidSet.has(id)).length;
  const bySource = Object.fromEntries(
    (await q('SELECT a.status_source AS source, count(*) AS n FROM coinbar_orders o JOIN coinbar_attempts a ON a.payment_id_coinbar = o.paid_payment_id GROUP BY a.status_source')).map((r) => [
      r.source,
      Number(r.n),
    ]),
  );
  const openAttempts = Number((await q('SELECT count(*) AS n FROM coinbar_attempts WHERE is_final = 0'))[0].n);
  const anomalies = Object.fromEntries((await q('SELECT kind, count(*) AS n FROM coinbar_anomalies GROUP BY kind')).map((r) => [r.kind, Number(r.n)]));
  const budgetRows = await q('SELECT purpose, used FROM coinbar_budget');
  const reserved = budgetRows.reduce((n, r) => n + Number(r.used), 0);
  const requests = Object.entries(sb.stats().requests)
    .filter(([k]) => /^(GET|POST) \/(pay\/|paymentgateway\/reports)/.test(k))
    .reduce((n, [, v]) => n + v, 0);
  const mailRedeliveries = mail.got.length - new Set(mail.got.map((m) => m.key)).size;
  const lostRows = await Promise.all(
    s.lost.map(async (id) => ({
      attempts: await q('SELECT payment_request_id, state, status, is_final, is_paid, checks FROM coinbar_attempts WHERE order_id = ?', [id]),
      outbox: await q('SELECT state, attempts, last_error FROM coinbar_outbox WHERE order_id = ?', [id]),
      sandbox: sb.payments
        .list()
        .filter((p) => orderOf(p.payment_request_id) === id)
        .map((p) => p.status.status),
    })),
  );
  for (const i of instances) await i.stop();
  await (database === 'postgres' ? readDb.end() : readDb.close());
  await sb.close();
  await mail.close();
  await new Promise((r) => proxy.close(r));
  pgCluster?.stop();

  const figures = {
    database,
    checkouts: fig.checkouts,
    second_attempts_both_paid: fig.second_attempts,
    checkouts_answered_201: fig.answered_201,
    checkouts_cut_by_restarts: fig.failed_checkouts,
    checkouts_rerouted: fig.rerouted,
    checkout_failures: fig.failure_reasons,
    payments_at_coinbar: s.payments.length,
    payments_without_checkout_answer_paid_anyway: orphanPayments,
    paid: s.paid.length,
    fulfilled: s.mailed.size,
    lost: s.lost.length,
    doubled: doubled + wronglyFulfilled,
    coinbar_requests: requests,
    budget_reserved: reserved,
    budget_overruns: Math.max(0, requests - reserved),
    mail_redeliveries_same_key: mailRedeliveries,
    anomalies,
    paid_via: bySource,
    restarts: fig.restarts,
    callbacks: counts,
    page_refreshes: fig.refreshes,
    still_open_attempts: openAttempts,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    seconds_checkouts: Math.round(checkoutSeconds * 10) / 10,
    seconds_to_settle: Math.round(settleSeconds * 10) / 10,
    restart_ms: fig.restart_ms,
    slow_steps_ms: fig.slow,
    unsettled: { lost: lostRows, callbacks_unfinished: sb.callbacks.list().filter((d) => !d.finished).length },
  };
  log(
    `chaos (${database}): checkouts ${figures.checkouts}, paid ${figures.paid}, fulfilled ${figures.fulfilled}, lost ${figures.lost}, doubled ${figures.doubled}, budget overruns ${figures.budget_overruns} (restarts ${figures.restarts}, ${figures.seconds} s)`,
  );
  log(`chaos details: ${JSON.stringify(figures)}`);
  return figures;
}

/** The per-database table the run prints. */
export function chaosTable(list) {
  const rows = [
    ['checkouts', (f) => f.checkouts],
    ['  answered 201', (f) => f.checkouts_answered_201],
    ['  cut by kill -9', (f) => f.checkouts_cut_by_restarts],
    ['  second attempt, both paid', (f) => f.second_attempts_both_paid],
    ['paid orders', (f) => f.paid],
    ['fulfilled (e-mailed)', (f) => f.fulfilled],
    ['lost', (f) => f.lost],
    ['doubled fulfilments', (f) => f.doubled],
    ['Coinbar requests', (f) => f.coinbar_requests],
    ['budget calls reserved', (f) => f.budget_reserved],
    ['budget overruns', (f) => f.budget_overruns],
    ['double_paid anomalies', (f) => f.anomalies.double_paid ?? 0],
    ['callbacks dropped/dup/delayed/reformatted', (f) => `${f.callbacks.dropped}/${f.callbacks.duplicated}/${f.callbacks.delayed}/${f.callbacks.reformatted}`],
    ['kill -9 restarts', (f) => f.restarts],
    ['seconds', (f) => f.seconds],
  ];
  const head = ['', ...list.map((f) => f.database)];
  const body = rows.map(([name, get]) => [name, ...list.map((f) => String(get(f)))]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

export const chaosOk = (f) => f.lost === 0 && f.doubled === 0 && f.budget_overruns === 0 && f.fulfilled === f.paid;

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const i = process.argv.indexOf('--db');
  const which = i > 0 ? process.argv[i + 1] : 'both';
  const list = [];
  for (const database of which === 'both' ? ['sqlite', 'postgres'] : [which]) {
    list.push(await runChaos({ checkouts: arg('--checkouts', 500), restarts: arg('--restarts', 2), seed: arg('--seed', 1), database }));
  }
  console.log(`\n${chaosTable(list)}\n`);
  process.exit(list.every((f) => chaosOk(f) && f.restarts >= 2) ? 0 : 1);
}
