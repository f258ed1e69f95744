// `make demo` (www/serve.js) on a busy port: one clear line naming the port and the option that
// chooses another, exit 2, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVE = fileURLToPath(new URL('../../www/serve.js', import.meta.url));

function runToEnd(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function busyPort(t) {
  const server = http.createServer((req, res) => res.end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return server.address().port;
}

test('demo (make demo): a busy shop or sandbox port is one line naming it and its option, exit 2', async (t) => {
  const port = await busyPort(t);
  const dir = mkdtempSync(join(tmpdir(), 'demo-port-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'demo.sqlite');
  const shop = await runToEnd([SERVE, '--port', String(port), '--sandbox-port', '0', '--db', db]);
  assert.equal(shop.code, 2, shop.stderr);
  assert.equal(shop.stderr.trimEnd().split('\n').length, 1, shop.stderr);
  assert.match(shop.stderr, new RegExp(`^demo: port ${port} on 127\\.0\\.0\\.1 \\(the demo shop\\) is already in use.*--port N or PORT=N \\(make demo PORT=N\\)`));
  const sandbox = await runToEnd([SERVE, '--port', '0', '--db', db], { SANDBOX_PORT: String(port) });
  assert.equal(sandbox.code, 2, sandbox.stderr);
  assert.equal(sandbox.stderr.trimEnd().split('\n').length, 1, sandbox.stderr);
  assert.match(sandbox.stderr, new RegExp(`^demo: port ${port} on 127\\.0\\.0\\.1 \\(the demo's CoinbarPay sandbox\\) is already in use.*--sandbox-port N or SANDBOX_PORT=N \\(make demo SANDBOX_PORT=N\\)`));
});
