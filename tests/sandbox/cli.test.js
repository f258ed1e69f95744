// Running the sandbox as a program: it prints its URLs and the demo credentials and serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hmac } from './helpers.js';

const SERVER = fileURLToPath(new URL('../../www/sandbox/server.js', import.meta.url));

test('CLI: --port 0 starts a server that prints its base URL and the demo client credentials', async (t) => {
  const child = spawn(process.execPath, [SERVER, '--port', '0'], {
    env: { ...process.env, SANDBOX_CLIENTS: '', SANDBOX_CALLBACK_URL: 'http://127.0.0.1:9/cb' },
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
