// Running the sandbox as a program: it prints its URLs and the demo credentials and serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FAULT_KINDS } from '../../www/sandbox/faults.js';
import { hmac } from './helpers.js';
import { runProcess } from '../lib/process.mjs';
import { busyPort } from '../lib/ports.mjs';

/** Runs Node with `args` to its end: { code, stdout, stderr }. */
const runNode = (args, env = {}) => runProcess(process.execPath, args, { env, timeoutMs: 20000 });

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

test('CLI: a port in use is one line naming the port and how to choose another (exit 2), not a stack trace', async (t) => {
  const port = await busyPort(t);
  const r = await runNode([SERVER, '--port', String(port)], { SANDBOX_CLIENTS: '', SANDBOX_DB: '' });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^sandbox: port ${port} on 127\\.0\\.0\\.1 \\(the sandbox\\) is already in use.*choose another port with --port N or SANDBOX_PORT=N \\(make sandbox SANDBOX_PORT=N\\); 0 picks any free port\\n$`,
    ),
  );
  // Through the environment, as `make sandbox SANDBOX_PORT=…` passes it.
  const viaEnv = await runNode([SERVER], { SANDBOX_PORT: String(port), SANDBOX_CLIENTS: '', SANDBOX_DB: '' });
  assert.equal(viaEnv.code, 2);
  assert.match(viaEnv.stderr, new RegExp(`^sandbox: port ${port} on 127\\.0\\.0\\.1`));
});

test('CLI --help lists every fault kind and the new options', async () => {
  const r = await runNode([SERVER, '--help']);
  assert.equal(r.code, 0);
  for (const kind of FAULT_KINDS) assert.match(r.stdout, new RegExp(`\\n  ${kind} +\\S`), kind);
  assert.match(r.stdout, /--db FILE/);
  assert.match(r.stdout, /--allowed-host NAME/);
});
