// State that survives a restart (`--db FILE`, better-sqlite3): payments, duplicate counters,
// clients and the callback log; timers (timeout, delayed confirmation, callback retries) resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT, OTHER, apiClient, control, initiateBody, requestBody, start, startReceiver, waitFor } from './helpers.js';

const SERVER = fileURLToPath(new URL('../../www/sandbox/server.js', import.meta.url));

function tempDb(t) {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'sandbox.sqlite');
}

test('--db: payments, replays, counters, clients and the callback log survive a restart', async (t) => {
  const db = tempDb(t);
  const receiver = await startReceiver([500, 200]); // the first callback attempt fails
  t.after(() => receiver.close());
  const first = await start({ db, callbackRetry: { attempts: 6, baseDelayMs: 300, timeoutMs: 2000 } });
  assert.equal(first.db, db);
  await control(first, 'POST', '/config', {
    clients: [
      { id: CLIENT.id, callbackUrl: receiver.url },
      { id: 'added-at-runtime', secret: 'added-secret' },
    ],
  });
  const api = apiClient(first);
  const paid = initiateBody(CLIENT.id, { destination_coin: 'XDB' });
  const original = await api.initiate(paid);
  assert.equal(original.status, 200);
  const open = initiateBody(CLIENT.id);
  await api.initiate(open);
  const chosenLater = requestBody(CLIENT.id);
  await api.post('/pay/gateway/request', chosenLater);
  await api.initiate({ ...paid, email: 'other@example.com' }); // a conflict, counted
  assert.equal((await control(first, 'POST', `/payments/${paid.payment_request_id}/pay`)).status, 200);
  await waitFor(() => first.callbacks.list()[0]?.attempts.length === 1, { what: 'the first (failed) callback attempt' });
  await first.close(); // the retry of the callback has not gone out yet

  const second = await start({ db, callbackRetry: { attempts: 6, baseDelayMs: 300, timeoutMs: 2000 } });
  t.after(() => second.close());
  const api2 = apiClient(second);
  // Status and report of every payment, as before.
  const status = await api2.status(paid.payment_request_id);
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json().status, 'SUCCESS');
  assert.equal(status.json().payment_id_coinbar, original.json().payment_id_coinbar);
  assert.match(status.text, /"destination_amount":252\.3839797,/);
  assert.equal((await api2.status(open.payment_request_id)).json().status, 'CREATED');
  assert.equal((await api2.status(chosenLater.payment_request_id)).json().payment_detail.destination_coin, null);
  // The duplicate rule still holds: the original answer, byte for byte.
  const replay = await api2.initiate(paid);
  assert.equal(replay.headers['x-sandbox-replayed'], 'true');
  assert.equal(replay.text, original.text);
  assert.deepEqual(
    second.payments.counters().find((c) => c.payment_request_id === paid.payment_request_id),
    { client_id: CLIENT.id, payment_request_id: paid.payment_request_id, created: 1, replayed: 1, conflicts: 1 },
  );
  // Clients, including the one added at runtime and the callback URL set at runtime.
  const config = (await control(second, 'GET', '/config')).data;
  assert.ok(config.clients.some((c) => c.id === 'added-at-runtime'));
  assert.equal(config.clients.find((c) => c.id === CLIENT.id).callbackUrl, receiver.url);
  assert.equal((await apiClient(second, { id: 'added-at-runtime', secret: 'added-secret' }).get('/pay/gateway/quotes')).status, 200);
  // The callback log, and the unfinished delivery resumes: same bytes, delivered now.
  await waitFor(() => second.callbacks.list()[0]?.delivered, { what: 'the resumed callback', timeoutMs: 5000 });
  const [delivery] = second.callbacks.list();
  assert.deepEqual(
    delivery.attempts.map((a) => a.status_code),
    [500, 200],
  );
  assert.equal(receiver.received.length, 2);
  assert.ok(receiver.received[1].raw.equals(receiver.received[0].raw));
  assert.equal(receiver.received[1].headers.signature, receiver.received[0].headers.signature);
  // The hosted page still knows the /request payment's token; a new payment works too.
  const paidLater = await control(second, 'POST', `/payments/${chosenLater.payment_request_id}/pay?coin=USDT`);
  assert.equal(paidLater.status, 200);
  assert.equal((await api2.initiate(initiateBody(CLIENT.id))).status, 200);
  assert.equal(second.payments.list().length, 4);

  // Reset empties the file too.
  await control(second, 'POST', '/reset');
  await second.close();
  const third = await start({ db });
  t.after(() => third.close());
  assert.equal(third.payments.list().length, 0);
  assert.equal((await apiClient(third).status(paid.payment_request_id)).status, 404);
});

test('--db: a delayed confirmation and the payment timeout keep running after a restart', async (t) => {
  const db = tempDb(t);
  const first = await start({ db, paymentTimeoutMs: 1500 });
  const api = apiClient(first);
  const confirming = initiateBody(CLIENT.id);
  const expiring = initiateBody(CLIENT.id);
  await api.initiate(confirming);
  await api.initiate(expiring);
  await control(first, 'POST', `/payments/${confirming.payment_request_id}/pay?delayMs=400`);
  await first.close();
  const second = await start({ db, paymentTimeoutMs: 1500 });
  t.after(() => second.close());
  assert.equal(second.payments.get(confirming.payment_request_id).status.status, 'PENDING');
  await waitFor(() => second.payments.get(confirming.payment_request_id).status.status === 'SUCCESS', { what: 'the confirmation', timeoutMs: 3000 });
  await waitFor(() => second.payments.get(expiring.payment_request_id).status.status === 'FAILED', { what: 'the timeout', timeoutMs: 3000 });
  assert.equal(second.payments.get(expiring.payment_request_id).status.status_descr, 'Timeout');
});

test('--db: what the start-up options set for a client wins over the stored value; a second sandbox on the same file is refused', async (t) => {
  const db = tempDb(t);
  const first = await start({ db });
  await first.close();
  const second = await start({ db, clients: [{ ...CLIENT, callbackUrl: 'http://127.0.0.1:9/new' }] });
  t.after(() => second.close());
  const config = (await control(second, 'GET', '/config')).data;
  assert.equal(config.clients.find((c) => c.id === CLIENT.id).callbackUrl, 'http://127.0.0.1:9/new');
  assert.ok(
    config.clients.some((c) => c.id === OTHER.id),
    'the stored client stays',
  );
  await assert.rejects(start({ db }), (err) => err.name === 'PersistenceError' && /in use by another running sandbox/.test(err.message));
});

/** Spawns the sandbox program; resolves { child, out(), baseUrl } once the banner is out. */
async function spawnSandbox(t, args) {
  const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], {
    env: { ...process.env, SANDBOX_CLIENTS: '', SANDBOX_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20000);
    child.stdout.on('data', () => {
      const m = /API base URL:\s+(\S+)/.exec(out);
      if (m && /Client secret:/.test(out)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, out: () => out, baseUrl };
}

test('program: create a payment, kill -9 the sandbox, restart it with the same --db: the status finds it', async (t) => {
  const db = tempDb(t);
  const first = await spawnSandbox(t, ['--db', db]);
  assert.match(first.out(), /State: +\S+sandbox\.sqlite \(SQLite: payments, clients and the callback log survive a restart\)/);
  const sandboxLike = (baseUrl) => ({ baseUrl });
  const body = initiateBody(CLIENT.id, { destination_coin: 'ETH' });
  const created = await apiClient(sandboxLike(first.baseUrl)).initiate(body);
  assert.equal(created.status, 200, created.text);
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await exited;

  const second = await spawnSandbox(t, ['--db', db]);
  assert.notEqual(second.baseUrl, first.baseUrl); // another port: only the file carries the state
  const status = await apiClient(sandboxLike(second.baseUrl)).status(body.payment_request_id);
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json().payment_id_coinbar, created.json().payment_id_coinbar);
  assert.equal(status.json().payment_detail.destination_amount, created.json().destination_amount);
});

test('program: without --db the banner says the state is in memory', async (t) => {
  const sb = await spawnSandbox(t, []);
  assert.match(sb.out(), /State: +in memory \(lost when the sandbox stops; --db FILE keeps it\)/);
});
