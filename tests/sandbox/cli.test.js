// Running the sandbox as a program: it prints its URLs and the demo credentials and serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { FAULT_KINDS } from '../../www/sandbox/faults.js';
import { hmac } from './helpers.js';

const SERVER = fileURLToPath(new URL('../../www/sandbox/server.js', import.meta.url));


test('CLI: --port 0 starts a server that prints its base URL and the demo client credentials', async (t) => {
  const child = spawn(process.execPath, [SERVER, '--port', '0'], {
    env: { ...process.env, SANDBOX_CLIENTS: '', SANDBOX_DB: '', SANDBOX_CALLBACK_URL: 'http://127.0.0.1:9/cb' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGTERM'));
  let out = '';
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /API base URL:\s+(\S+)/.exec(out);
      if (m && /Client secret:/.test(out)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/coinbar\/api\/v2$/);
  assert.match(out, /Client id:\s+c0ffee00-0000-4000-8000-000000000001/);
  assert.match(out, /Client secret:\s+sandbox-secret-do-not-use-in-production/);
  assert.match(out, /Callback URL:\s+http:\/\/127\.0\.0\.1:9\/cb/);

  const res = await fetch(`${baseUrl}/pay/gateway/quotes`, {
    headers: { 'CBPAY-API-KEY': 'c0ffee00-0000-4000-8000-000000000001', SIGNATURE: hmac('sandbox-secret-do-not-use-in-production', ''), Connection: 'close' },
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).result, true);

  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0); // SIGTERM closes cleanly
});

/** Runs a program to its end: { code, stdout, stderr }. */
function runToEnd(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port that is taken for the test's duration. */
async function busyPort(t) {
  const server = http.createServer((req, res) => res.end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return server.address().port;
}

test('CLI: a port in use is one line naming the port and how to choose another (exit 2), not a stack trace', async (t) => {
  const port = await busyPort(t);
  const r = await runToEnd([SERVER, '--port', String(port)], { SANDBOX_CLIENTS: '', SANDBOX_DB: '' });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^sandbox: port ${port} on 127\\.0\\.0\\.1 \\(the sandbox\\) is already in use.*choose another port with --port N or SANDBOX_PORT=N \\(make sandbox SANDBOX_PORT=N\\); 0 picks any free port\\n$`));
  // Through the environment, as `make sandbox SANDBOX_PORT=…` passes it.
  const viaEnv = await runToEnd([SERVER], { SANDBOX_PORT: String(port), SANDBOX_CLIENTS: '', SANDBOX_DB: '' });
  assert.equal(viaEnv.code, 2);
  assert.match(viaEnv.stderr, new RegExp(`^sandbox: port ${port} on 127\\.0\\.0\\.1`));
});

test('CLI --help lists every fault kind and the new options', async () => {
  const r = await runToEnd([SERVER, '--help']);
  assert.equal(r.code, 0);
  for (const kind of FAULT_KINDS) assert.match(r.stdout, new RegExp(`\\n  ${kind} +\\S`), kind);
  assert.match(r.stdout, /--db FILE/);
  assert.match(r.stdout, /--allowed-host NAME/);
});
