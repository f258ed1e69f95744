#!/usr/bin/env node
// Chaos run of the demo backend (issue 13 §6): two Node instances (www/serve.js) on one SQLite
// file behind a chaos proxy that drops, fails, duplicates (to both instances), delays and so
// reorders Coinbar's callbacks; checkouts spread over both; payments paid, canceled, expired or
// left open in the sandbox; instances killed with SIGKILL and restarted. At the end every paid
// payment must be fulfilled exactly once: 0 lost, 0 doubled.
//
//   node tests/demo/chaos.mjs [--checkouts 500] [--restarts 2] [--seed 1]     (make chaos)
// Prints the figures; exits 1 when a paid order is lost or doubled.
import http from 'node:http';
import Database from 'better-sqlite3';
import { startSandbox } from '../../www/sandbox/server.js';
import { CLIENT, CART, freePort, sleep, startDemoProcess, tmpDb } from './helpers.js';
import { mulberry32 } from '../lib/rng.mjs';


export async function runChaos({ checkouts = 500, restarts = 2, seed = 1, concurrency = 12, log = console.log } = {}) {
  const random = mulberry32(seed); // reproducible choices
  const pick = (list) => list[Math.floor(random() * list.length)];
  const db = tmpDb('chaos');
  const ports = [await freePort(), await freePort()];
  const counts = { callbacks_seen: 0, dropped: 0, failed: 0, duplicated: 0, delayed: 0, forwarded: 0, refused: 0 };

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
      const body = Buffer.concat(chunks);
      const headers = { 'content-type': 'application/json', 'cbpay-api-key': req.headers['cbpay-api-key'], signature: req.headers.signature };
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
    RECONCILE_MAX_BACKOFF_SECONDS: '5', // an order's checks: 3 s, 5 s, 5 s… (in production up to 1 h)
    CHECKOUT_PER_MINUTE: '1000000',
    COINBAR_DAILY_CALLS: '1000000', // the chaos run is about loss, not the daily limit
    REFRESH_MIN_INTERVAL_SECONDS: '1',
    CALLBACK_LEASE_SECONDS: '5',
  };
  const instances = [await startDemoProcess({ port: ports[0], db, env }), await startDemoProcess({ port: ports[1], db, env })];
  const t0 = Date.now();
  const fig = { checkouts: 0, answered_201: 0, failed_checkouts: 0, paid_requested: 0, canceled: 0, expired: 0, left_open: 0, refreshes: 0, restarts: 0, rerouted: 0, slow: [], restart_ms: [] };
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
    timed(`sandbox ${action}`, fetch(`${sb.url}/__sandbox/payments/${encodeURIComponent(id)}/${action}${q}`, { method: 'POST', signal: AbortSignal.timeout(10000) }).then((r) => r.arrayBuffer()));
  const decided = new Set();
  const decide = async (id) => {
    decided.add(id);
    const r = random();
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
        restarting = (async () => {
          const r0 = Date.now();
          await instances[which].kill9(); // mid-traffic: requests in flight on it are cut
          await sleep(300);
          instances[which] = await startDemoProcess({ port: ports[which], db, env });
          fig.restart_ms.push(Date.now() - r0);
        })();
      }
      fig.checkouts += 1;
      const started = Date.now();
      const first = Math.floor(random() * 2);
      const body = JSON.stringify({ ...CART, coin: pick(['BTC', 'ETH', 'USDT', 'XRP', 'XDB']) });
      const send = (port) => fetch(`http://127.0.0.1:${port}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10000) });
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
        await decide(order.id);
        if (random() < 0.3) {
          fig.refreshes += 1; // the customer's page polls (the refresh path may fulfil first)
          await sleep(Math.floor(random() * 500));
          await timed('refresh', fetch(`http://127.0.0.1:${pick(ports)}/api/orders/${order.id}?refresh=1`, { signal: AbortSignal.timeout(10000) }).then((x) => x.arrayBuffer()));
        }
      } catch {
        fig.failed_checkouts += 1;
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
  const read = new Database(db, { readonly: true });
  read.pragma('busy_timeout = 5000');
  const settle = () => {
    const payments = sb.payments.list();
    const paid = payments.filter((p) => p.status.status === 'SUCCESS').map((p) => p.payment_request_id);
    const fulfilled = new Map(read.prepare('SELECT order_id, count(*) AS n FROM fulfilments GROUP BY order_id').all().map((r) => [r.order_id, r.n]));
    const lost = paid.filter((id) => !fulfilled.has(id));
    const callbacksDone = sb.callbacks.list().every((d) => d.finished);
    return { payments, paid, fulfilled, lost, callbacksDone };
  };
  let s = settle();
  const deadline = Date.now() + 90_000;
  while ((s.lost.length || !s.callbacksDone) && Date.now() < deadline) {
    await sleep(500);
    s = settle();
  }
  const settleSeconds = (Date.now() - t0) / 1000 - checkoutSeconds;
  await sleep(2500); // late duplicates from the proxy
  s = settle();
  const paidSet = new Set(s.paid);
  const doubled = [...s.fulfilled].filter(([, n]) => n > 1).length;
  const wronglyFulfilled = [...s.fulfilled.keys()].filter((id) => !paidSet.has(id)).length;
  const bySource = Object.fromEntries(read.prepare('SELECT source, count(*) AS n FROM fulfilments GROUP BY source').all().map((r) => [r.source, r.n]));
  const openOrders = read.prepare('SELECT count(*) AS n FROM orders WHERE is_final = 0').get().n;
  const lostRows = s.lost.map((id) => ({
    order: read.prepare('SELECT id, payment_state, status, is_final, is_paid, checks, next_check_at - created_at AS next_check_after_ms, created_at FROM orders WHERE id = ?').get(id) ?? null,
    callbacks: read.prepare('SELECT key, state, deliveries FROM callback_events WHERE order_id = ?').all(id),
    sandbox: sb.payments.get(id)?.status?.status,
  }));
  read.close();
  for (const i of instances) await i.stop();
  await sb.close();
  await new Promise((r) => proxy.close(r));

  const figures = {
    checkouts: fig.checkouts,
    checkouts_answered_201: fig.answered_201,
    checkouts_cut_by_restarts: fig.failed_checkouts,
    checkouts_rerouted: fig.rerouted,
    payments_at_coinbar: s.payments.length,
    payments_without_checkout_answer_paid_anyway: orphanPayments,
    paid: s.paid.length,
    fulfilled: s.fulfilled.size,
    lost: s.lost.length,
    doubled: doubled + wronglyFulfilled,
    fulfilled_by: bySource,
    restarts: fig.restarts,
    callbacks: counts,
    page_refreshes: fig.refreshes,
    still_open_orders: openOrders,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    seconds_checkouts: Math.round(checkoutSeconds * 10) / 10,
    seconds_to_settle: Math.round(settleSeconds * 10) / 10,
    restart_ms: fig.restart_ms,
    slow_steps_ms: fig.slow,
    unsettled: { lost: lostRows,  callbacks_unfinished: sb.callbacks.list().filter((d) => !d.finished).length },
  };
  log(`chaos: checkouts ${figures.checkouts}, paid ${figures.paid}, fulfilled ${figures.fulfilled}, lost ${figures.lost}, doubled ${figures.doubled} (restarts ${figures.restarts}, ${figures.seconds} s)`);
  log(`chaos details: ${JSON.stringify(figures)}`);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const f = await runChaos({ checkouts: arg('--checkouts', 500), restarts: arg('--restarts', 2), seed: arg('--seed', 1) });
  process.exit(f.lost === 0 && f.doubled === 0 && f.fulfilled === f.paid && f.restarts >= 2 ? 0 : 1);
}
