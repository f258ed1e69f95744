// handleCallback's claims have an owner (issue 19 part 4): each delivery claims with its own
// token, renews the lease while its handler runs (the handler's signal aborts when the claim
// is lost), and a stale owner's complete / release changes nothing. Run on memoryStore() and
// on the SQL store of docs/callbacks.md, as written there, on better-sqlite3 (also two
// processes on one file) and on D1 (miniflare).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TMP = mkdtempSync(join(tmpdir(), 'coinbar-callbacks-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

/** A callback body as Coinbar sends it, and its signed headers (HMAC-SHA256 of the raw bytes). */
function signedCallback(paymentId = 'p-claims-1', status = 'SUCCESS') {
  const body = JSON.stringify({
    result: 'success',
    payment_id_coinbar: paymentId,
    payment_request_id_client: `order-${paymentId}`,
    service_client_id: CLIENT.id,
    status,
    payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: 0.001, coin_change: 50000, total_price: 50 },
    input_coin: 'EUR',
    creation_time: '2026-01-01T00:00:00.000Z',
    update_time: '2026-01-01T00:01:00.000Z',
    status_descr: 'Payment completed',
    customer: { external_user_id: 'u', name: 'Jane', surname: 'Doe', email: 'jane@example.com' },
    products: [],
  });
  return { body, headers: { 'content-type': 'application/json', 'cbpay-api-key': CLIENT.id, signature: createHmac('sha256', CLIENT.secret).update(body).digest('hex') } };
}
const cbpay = new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret });

// ---- the SQL store of docs/callbacks.md, as written there ---------------------------------------

const doc = readFileSync(join(ROOT, 'docs/callbacks.md'), 'utf8');
const blocks = (lang) => [...doc.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
const schema = blocks('sql').find((b) => b.includes('CREATE TABLE callback_events'));
const storeCode = blocks('js').find((b) => b.includes('export function sqlCallbackStore'));
const queryCode = blocks('js').find((b) => b.includes('const sqlite = (db)'));
// Under the repository, so a child process's `coinbar-pay` and `better-sqlite3` resolve.
const OUT = join(ROOT, 'out/callbacks-test');
mkdirSync(OUT, { recursive: true });
const DOCS_STORE = join(OUT, 'docs-store.mjs');
writeFileSync(DOCS_STORE, `${storeCode}\n${queryCode.replace(/^const store = .*$/m, '')}\nexport { sqlite, d1 };\n`);
const docsStore = await import(pathToFileURL(DOCS_STORE).href);

/** A fresh SQLite file with the docs' schema, opened as the docs say. */
function sqliteDb(name) {
  const file = join(TMP, `${name}.sqlite`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return { db, file };
}

const STORES = {
  memoryStore: () => memoryStore(),
  'docs SQL store on better-sqlite3': () => docsStore.sqlCallbackStore(docsStore.sqlite(sqliteDb(`s${Math.random().toString(36).slice(2)}`).db)),
};

test("the docs show the schema, the store and the engines' query functions (SQL with ? placeholders, no ?1)", () => {
  assert.ok(schema && storeCode && queryCode, 'docs/callbacks.md lacks a block');
  assert.match(schema, /token TEXT/);
  assert.doesNotMatch(storeCode, /\?\d/, 'numbered placeholders fail on better-sqlite3');
  for (const m of ['complete', 'release', 'renew']) assert.match(storeCode, new RegExp(`${m}[\\s\\S]*?AND state = 'claimed' AND token = \\?`), `${m} is conditional on the token`);
});

// ---- a slow handler keeps its claim ------------------------------------------------------------

for (const [name, makeStore] of Object.entries(STORES)) {
  test(`${name}: a handler taking 4x leaseMs keeps its claim: a second delivery meanwhile is in_progress, never a second run`, async () => {
    const store = makeStore();
    const { body, headers } = signedCallback(`p-slow-${name.length}`);
    const leaseMs = 200;
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const handler = async () => {
      runs += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(4 * leaseMs);
      active -= 1;
    };
    const t0 = Date.now();
    const first = cbpay.handleCallback(body, headers, { store, handler, leaseMs });
    const later = [];
    for (const at of [300, 500, 700]) {
      // each after the first lease (200 ms) would have run out
      await sleep(at - (Date.now() - t0));
      later.push(await cbpay.handleCallback(body, headers, { store, handler, leaseMs }));
    }
    assert.deepEqual(
      later.map((r) => `${r.outcome} ${r.status}`),
      ['in_progress 409', 'in_progress 409', 'in_progress 409'],
      'deliveries after the first lease ran out',
    );
    const r1 = await first;
    assert.deepEqual([r1.outcome, r1.status], ['processed', 200]);
    assert.equal(maxActive, 1, 'the handler ran twice at the same time');
    assert.equal(runs, 1);
    const third = await cbpay.handleCallback(body, headers, { store, handler, leaseMs });
    assert.deepEqual([third.outcome, third.status, runs], ['duplicate', 200, 1]);
  });

  test(`${name}: a stale owner's release / complete / renew change nothing after its claim was taken over`, async () => {
    const store = makeStore();
    const key = 'p-stale/SUCCESS';
    const leaseMs = 30;
    assert.equal(await store.claim(key, 'A', leaseMs, {}), 'claimed');
    assert.equal(await store.claim(key, 'B', leaseMs, {}), 'busy', 'a live claim');
    await sleep(leaseMs + 20); // A stalled past its lease: B takes the key over
    assert.equal(await store.claim(key, 'B', 10_000, {}), 'claimed');
    await store.release(key, 'A');
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'busy', "A's late release freed B's claim");
    await store.complete(key, 'A');
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'busy', "A's late complete marked B's claim done");
    assert.equal(await store.renew(key, 'A', 10_000), false, 'A no longer owns the key');
    assert.equal(await store.renew(key, 'B', 10_000), true);
    await store.complete(key, 'B');
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'done');
    await store.release(key, 'B'); // a release after complete (e.g. a retry of a lost answer) does not undo it
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'done');
    assert.equal(await store.renew(key, 'B', 10_000), false, 'a done key is not renewed');
    // A released key is claimable again at once, and its old owner cannot complete it.
    const k2 = 'p-stale/FAILED';
    assert.equal(await store.claim(k2, 'A', 10_000, {}), 'claimed');
    await store.release(k2, 'A');
    assert.equal(await store.renew(k2, 'A', 10_000), false);
    await store.complete(k2, 'A');
    assert.equal(await store.claim(k2, 'B', 10_000, {}), 'claimed', 'complete after release by the same (stale) owner changed nothing');
  });
}

// ---- renewal failures abort the handler ---------------------------------------------------------

for (const [how, renew] of [
  ['returns false', () => false],
  [
    'throws',
    async () => {
      throw new Error('database is locked');
    },
  ],
]) {
  test(`a renewal that ${how} aborts the handler's signal with a claim_lost CoinbarError and stops renewing`, async () => {
    const inner = memoryStore();
    const calls = [];
    const store = {
      claim: (...a) => (calls.push(['claim', a[1]]), inner.claim(...a)),
      renew: (...a) => (calls.push(['renew', a[1]]), renew(...a)),
      complete: (...a) => (calls.push(['complete', a[1]]), inner.complete(...a)),
      release: (...a) => (calls.push(['release', a[1]]), inner.release(...a)),
    };
    const { body, headers } = signedCallback(`p-lost-${how.length}`);
    let seen;
    const handler = (event, ctx) =>
      new Promise((resolve, reject) => {
        assert.ok(ctx.signal && !ctx.signal.aborted, 'the handler gets a live signal');
        const timer = setTimeout(() => resolve('not aborted'), 2000);
        ctx.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            seen = ctx.signal.reason;
            reject(ctx.signal.reason);
          },
          { once: true },
        );
      });
    const started = Date.now();
    await assert.rejects(cbpay.handleCallback(body, headers, { store, handler, leaseMs: 60 }), (e) => e instanceof CoinbarError && e.code === 'claim_lost');
    assert.ok(Date.now() - started < 1000, 'aborted at the first renewal (every leaseMs / 3)');
    assert.ok(seen instanceof CoinbarError && seen.code === 'claim_lost', 'the reason is a CoinbarError claim_lost');
    assert.match(seen.message, /claim was lost/);
    if (how === 'throws') assert.equal(seen.cause?.message, 'database is locked');
    const token = calls[0][1];
    assert.equal(typeof token, 'string');
    assert.ok(
      calls.every(([, t]) => t === token),
      'every call of the delivery carries its token',
    );
    assert.deepEqual(
      calls.map(([op]) => op),
      ['claim', 'renew', 'release'],
      'renewal stopped at the loss; the failed handler released',
    );
    await sleep(100);
    assert.equal(calls.length, 3, 'no renewal after the handler ended');
  });
}

test('renewal runs every leaseMs / 3 while the handler runs, with the claim token, and stops with it; tokens differ per delivery', async () => {
  const inner = memoryStore();
  const calls = [];
  const spy =
    (op) =>
    (...a) => (calls.push([op, a[1], a[2]]), inner[op](...a));
  const store = { claim: spy('claim'), renew: spy('renew'), complete: spy('complete'), release: spy('release') };
  const { body, headers } = signedCallback('p-renew');
  const r = await cbpay.handleCallback(body, headers, { store, leaseMs: 90, handler: () => sleep(200) });
  assert.equal(r.outcome, 'processed');
  const renewals = calls.filter(([op]) => op === 'renew');
  assert.ok(renewals.length >= 4 && renewals.length <= 7, `${renewals.length} renewals in 200 ms at every 30 ms`);
  assert.ok(renewals.every(([, token, leaseMs]) => token === calls[0][1] && leaseMs === 90));
  assert.deepEqual(calls.at(-1).slice(0, 2), ['complete', calls[0][1]]);
  const n = calls.length;
  await sleep(150);
  assert.equal(calls.length, n, 'no renewal after complete');
  // A second delivery (released first) has another token.
  const other = signedCallback('p-renew-2');
  await assert.rejects(
    cbpay.handleCallback(other.body, other.headers, {
      store,
      handler: () => {
        throw new Error('boom');
      },
    }),
    /boom/,
  );
  await cbpay.handleCallback(other.body, other.headers, { store, handler() {} });
  const claims = calls.filter(([op]) => op === 'claim').map(([, t]) => t);
  assert.equal(new Set(claims).size, claims.length, 'a token per delivery');
  assert.ok(
    claims.every((t) => /^[0-9a-f-]{36}$/.test(t)),
    'a UUID on Node',
  );
});

// ---- stores of the old shape --------------------------------------------------------------------

test('a store of the old shape (no renew, no token) gets a config error that explains the new one', async () => {
  const { body, headers } = signedCallback('p-old');
  const old = { claim: (key, leaseMs) => 'claimed', complete: (key) => {}, release: (key) => {} };
  let ran = false;
  await assert.rejects(
    cbpay.handleCallback(body, headers, {
      store: old,
      handler: () => {
        ran = true;
      },
    }),
    (e) => {
      assert.ok(e instanceof CoinbarError && e.code === 'config', String(e));
      assert.match(e.message, /^store\.renew: must be a function/);
      assert.match(e.message, /claim\(key, token, leaseMs, event\)/);
      assert.match(e.message, /renew\(key, token, leaseMs\)/);
      assert.match(e.message, /complete\(key, token\), release\(key, token\)/);
      assert.match(e.message, /docs\/callbacks\.md/);
      assert.match(e.message, /memoryStore\(\)/);
      return true;
    },
  );
  assert.equal(ran, false);
});

// ---- memoryStore ---------------------------------------------------------------------------------

test('memoryStore: claim / renew / complete / release and lease expiry, on its clock', () => {
  let clock = 1000;
  const s = memoryStore({ now: () => clock });
  assert.equal(s.claim('k', 'A', 100, {}), 'claimed');
  assert.equal(s.claim('k', 'B', 100, {}), 'busy');
  clock = 1099;
  assert.equal(s.claim('k', 'B', 100, {}), 'busy', 'live until now + leaseMs');
  assert.equal(s.renew('k', 'A', 100), true, 'renewed to 1199');
  clock = 1150;
  assert.equal(s.claim('k', 'B', 100, {}), 'busy', 'the renewal extended the lease');
  clock = 1199;
  assert.equal(s.claim('k', 'B', 100, {}), 'claimed', 'expired: taken over by B');
  assert.equal(s.renew('k', 'A', 100), false);
  s.complete('k', 'A');
  s.release('k', 'A');
  assert.equal(s.claim('k', 'C', 100, {}), 'busy', "the stale owner's complete and release changed nothing");
  clock = 5000;
  assert.equal(s.renew('k', 'B', 100), true, "an expired claim not taken over is still its owner's to renew");
  assert.equal(s.claim('k', 'C', 100, {}), 'busy');
  s.release('k', 'B');
  assert.equal(s.renew('k', 'B', 100), false, 'released');
  assert.equal(s.claim('k', 'C', 100, {}), 'claimed', 'a released key is claimable at once');
  s.complete('k', 'C');
  assert.equal(s.claim('k', 'D', 100, {}), 'done');
  clock = 1e12;
  assert.equal(s.claim('k', 'D', 100, {}), 'done', 'done for ever');
  s.release('k', 'C');
  assert.equal(s.claim('k', 'D', 100, {}), 'done', 'a release after complete does not undo it');
  assert.equal(s.claim('other', 'A', 100, {}), 'claimed', 'keys are independent');
  assert.throws(
    () => memoryStore({ now: 5 }),
    (e) => e instanceof CoinbarError && e.code === 'config',
  );
});

// ---- two processes on one SQLite file ------------------------------------------------------------

test("two processes on one SQLite file with the docs' store: the slow handler runs once, never overlapping; the other is told in_progress", async () => {
  const { db, file } = sqliteDb('two-processes');
  db.exec('CREATE TABLE runs (pid INTEGER NOT NULL, started INTEGER NOT NULL, ended INTEGER)');
  db.close();
  const { body, headers } = signedCallback('p-two-processes');
  const child = join(OUT, 'callback-child.mjs');
  writeFileSync(
    child,
    `
import Database from 'better-sqlite3';
import { CoinbarPay } from 'coinbar-pay';
import { sqlCallbackStore, sqlite } from './docs-store.mjs';
const [file, body, headersJson, startAt, leaseMs, until] = process.argv.slice(2);
const db = new Database(file);
db.pragma('busy_timeout = 5000');
const store = sqlCallbackStore(sqlite(db));
const cbpay = new CoinbarPay({ serviceClientId: ${JSON.stringify(CLIENT.id)}, secretKey: ${JSON.stringify(CLIENT.secret)} });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const handler = async () => {
  const { lastInsertRowid: id } = db.prepare('INSERT INTO runs (pid, started) VALUES (?, ?)').run(process.pid, Date.now());
  await sleep(4 * Number(leaseMs));
  db.prepare('UPDATE runs SET ended = ? WHERE rowid = ?').run(Date.now(), id);
};
await sleep(Number(startAt) - Date.now());
const outcomes = [];
// Deliver again every 40 ms until the event is done (or time is up), as Coinbar's retries would.
while (Date.now() < Number(until)) {
  const r = await cbpay.handleCallback(body, JSON.parse(headersJson), { store, handler, leaseMs: Number(leaseMs) });
  outcomes.push(r.outcome);
  if (r.outcome !== 'in_progress') break;
  await sleep(40);
}
process.stdout.write(JSON.stringify(outcomes));
`,
  );
  const leaseMs = 300;
  const startAt = Date.now() + 1500; // both children loaded by then
  const run = () =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [child, file, body, JSON.stringify(headers), String(startAt), String(leaseMs), String(startAt + 4000)], { cwd: OUT });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
    });
  const [a, b] = await Promise.all([run(), run()]);
  const check = new Database(file, { readonly: true });
  const runs = check.prepare('SELECT pid, started, ended FROM runs ORDER BY started').all();
  const state = check.prepare('SELECT state FROM callback_events').all();
  check.close();
  const all = [...a, ...b];
  assert.equal(all.filter((o) => o === 'processed').length, 1, `one process ran the handler: ${JSON.stringify({ a, b })}`);
  assert.ok(all.filter((o) => o === 'in_progress').length >= 3, `the other was told in_progress while it ran: ${JSON.stringify({ a, b })}`);
  assert.equal(runs.length, 1, `the handler ran once: ${JSON.stringify(runs)}`);
  assert.ok(runs[0].ended - runs[0].started >= 4 * leaseMs - 5, 'the handler outlived its lease several times');
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i].started >= runs[i - 1].ended, 'runs overlapped');
  assert.deepEqual(state, [{ state: 'done' }]);
  // The other process ends on the done event: duplicate.
  assert.ok(
    [a, b].some((o) => o.at(-1) === 'duplicate'),
    JSON.stringify({ a, b }),
  );
});

// ---- the docs' store on D1 (miniflare) -------------------------------------------------------------

test("the docs' store on D1 (miniflare): the same contract, stale owners change nothing", async () => {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', d1Databases: ['DB'] });
  try {
    const d1 = await mf.getD1Database('DB');
    await d1.exec(schema.replace(/--.*$/gm, '').replace(/\s+/g, ' ').trim());
    const store = docsStore.sqlCallbackStore(docsStore.d1(d1));
    const key = 'p-d1/SUCCESS';
    // Leases of 400 ms: a D1 call through miniflare takes a few ms to tens of ms.
    assert.equal(await store.claim(key, 'A', 400, {}), 'claimed');
    assert.equal(await store.claim(key, 'B', 400, {}), 'busy');
    assert.equal(await store.renew(key, 'A', 400), true);
    await sleep(450);
    assert.equal(await store.claim(key, 'B', 10_000, {}), 'claimed', 'expired: taken over');
    await store.release(key, 'A');
    await store.complete(key, 'A');
    assert.equal(await store.renew(key, 'A', 10_000), false);
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'busy', "the stale owner's release / complete changed nothing");
    await store.complete(key, 'B');
    assert.equal(await store.claim(key, 'C', 10_000, {}), 'done');
    // And handleCallback end to end on it.
    const { body, headers } = signedCallback('p-d1-handle');
    let runs = 0;
    const handler = async () => {
      runs += 1;
      await sleep(800);
    };
    const first = cbpay.handleCallback(body, headers, { store, handler, leaseMs: 300 });
    await sleep(450); // after the first lease would have run out without renewal
    assert.equal((await cbpay.handleCallback(body, headers, { store, handler, leaseMs: 300 })).outcome, 'in_progress');
    assert.equal((await first).outcome, 'processed');
    assert.equal((await cbpay.handleCallback(body, headers, { store, handler, leaseMs: 300 })).outcome, 'duplicate');
    assert.equal(runs, 1);
  } finally {
    await mf.dispose();
  }
});
