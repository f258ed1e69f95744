// The checkout guard (issue 20 §2): per-client daily caps (client = IPv4 address or IPv6 /64) on
// checkout and on the refreshes that reach Coinbar, a global per-minute cap, all in the shop's
// database; a pluggable guard(request) hook for a bot check. The acceptance test is the flood:
// before this (the demo on its own lifecycle), 40 addresses spent the day's checkout share and the
// next customer got 503.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startDemo } from '../../www/serve.js';
import { CART, requestFrom, tmpDb } from './helpers.js';

test('the flood: 40 addresses x (20 checkouts + 200 refreshes); a customer from a new address still checks out and their refresh still reaches Coinbar', async () => {
  // REFRESH_MIN_INTERVAL_SECONDS=0: every refresh would be a Coinbar call, so only the caps hold them.
  const demo = await startDemo({ port: 0, sandboxPort: 0, env: { REFRESH_MIN_INTERVAL_SECONDS: '0' }, db: tmpDb('flood'), reconcileIntervalMs: 0, sandboxOptions: { rateLimitPerDay: 1e6 } });
  const calls = () => {
    const r = demo.sandbox.stats().requests;
    return { initiate: r['POST /pay/gateway/initiate'] ?? 0, status: r['GET /pay/gateway/payment/:id/status'] ?? 0 };
  };
  try {
    const clients = Array.from({ length: 40 }, (_, i) => `127.0.0.${10 + i}`);
    const t0 = Date.now();
    const answers = {};
    const ids = new Map();
    await Promise.all(
      clients.map(async (ip) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
        const rs = await Promise.all(Array.from({ length: 20 }, () => requestFrom(ip, `${demo.url}/api/checkout`, { method: 'POST', body: CART, agent })));
        for (const r of rs) answers[r.status] = (answers[r.status] ?? 0) + 1;
        ids.set(ip, { agent, orders: rs.filter((r) => r.status === 201).map((r) => r.body.id) });
      }),
    );
    const checkoutMs = Date.now() - t0;
    // The minute cap counts per UTC minute (a fixed window): a flood that crosses a minute
    // boundary meets it once in each minute it touched; the daily cap bounds it over all.
    const minutes = Math.floor((t0 + checkoutMs) / 60_000) - Math.floor(t0 / 60_000) + 1;
    const afterCheckouts = calls();
    let refreshes = 0;
    await Promise.all(
      clients.map(async (ip) => {
        const { agent, orders } = ids.get(ip);
        for (let i = 0; i < 200; i += 20) {
          await Promise.all(
            Array.from({ length: 20 }, (_, j) => requestFrom(ip, `${demo.url}/api/orders/${orders[(i + j) % orders.length]}?refresh=1`, { agent }).then((r) => r.status === 200 && refreshes++)),
          );
        }
        agent.destroy();
      }),
    );
    const afterFlood = calls();
    // A customer from a new address.
    const c = await requestFrom('127.0.0.200', `${demo.url}/api/checkout`, { method: 'POST', body: CART });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const before = calls().status;
    const r = await requestFrom('127.0.0.200', `${demo.url}/api/orders/${c.body.id}?refresh=1`);
    assert.equal(r.status, 200);
    const reached = calls().status - before;
    assert.equal(reached, 1, "the customer's refresh reached Coinbar");
    const budget = Object.fromEntries((await demo.store.all('SELECT purpose, used FROM coinbar_budget')).map((x) => [x.purpose, Number(x.used)]));
    console.log(
      `flood: 40 addresses, 800 checkouts in ${checkoutMs} ms -> ${JSON.stringify(answers)}, ${afterCheckouts.initiate} Coinbar initiates; ` +
        `8,000 refreshes (${refreshes} answered 200) -> ${afterFlood.status - afterCheckouts.status} Coinbar status calls; ` +
        `new customer: checkout ${c.status}, refresh reached Coinbar (${reached} call); ledger budget used ${JSON.stringify(budget)}`,
    );
    assert.ok(afterCheckouts.initiate <= 40 * Math.min(2 * minutes, 5), `per-client caps (2 a minute over ${minutes} minute(s), 5 a day): ${afterCheckouts.initiate} initiates`);
    assert.ok(afterFlood.status - afterCheckouts.status <= 40 * 4, 'per-client refresh cap');
    assert.ok(budget.checkout <= 400 && budget.refresh <= 200);
  } finally {
    await demo.close();
  }
});

test('clients: IPv4 address, IPv6 grouped by /64, IPv4-mapped IPv6 as IPv4', async () => {
  const { clientKey } = await import('../../www/app/guard.js');
  assert.equal(clientKey('203.0.113.9'), 'ip4:203.0.113.9');
  assert.equal(clientKey('::ffff:203.0.113.9'), 'ip4:203.0.113.9');
  assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), 'ip6:2001:0db8:0001:0002::/64');
  assert.equal(clientKey('2001:db8:1:2::7'), clientKey('2001:DB8:1:2:ffff::'));
  assert.notEqual(clientKey('2001:db8:1:2::7'), clientKey('2001:db8:1:3::7'));
  assert.equal(clientKey('::1'), 'ip6:0000:0000:0000:0000::/64');
  assert.equal(clientKey('not an address'), 'unknown');
  assert.equal(clientKey(null), 'unknown');
});

test('the caps hold across one /64 and across instances (shared database); the guard hook refuses before any cap is used', async () => {
  const { createWorker } = await import('../../www/app/worker.js');
  const db = tmpDb('guard');
  const guard = async (request) => request.headers.get('x-bot-check') === 'passed';
  const a = await startDemo({ port: 0, sandboxPort: 0, env: { CLIENT_CHECKOUTS_PER_MINUTE: '100' }, db, reconcileIntervalMs: 0, worker: createWorker({ guard }) });
  const b = createWorker({ guard });
  const envB = { ...a.handlerEnv }; // a second "instance": its own worker and env, the same database
  const post = (w, env, ip, headers = { 'x-bot-check': 'passed' }) =>
    w
      .fetch(new Request('http://shop.test/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, ...headers }, body: JSON.stringify(CART) }), env)
      .then((r) => r.status);
  try {
    // No bot check: 403, and the client's allowance is untouched.
    assert.equal(await post(b, envB, '2001:db8:1:2::1', {}), 403);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push(await post(i % 2 ? b : createWorker({ guard }), i % 2 ? envB : { ...a.handlerEnv }, `2001:db8:1:2::${i + 1}`));
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429], 'five a day for the whole /64, counted by both instances');
    assert.equal(await post(b, envB, '2001:db8:1:3::1'), 201, 'another /64 is another client');
  } finally {
    await a.close();
  }
});
