// The merchant's first hour (issue 21 §5): the packed tarball installed into a fresh
// TypeScript project, and pkg/README.md — the npm page — followed literally. The TypeScript
// files are the README's own code blocks (each marked `<!-- newcomer: FILE -->`), compiled with
// `tsc --strict`; the commands are the README's (checked to be on the page); the local
// CoinbarPay is `npx coinbar-pay sandbox` from the tarball. So the page cannot drift from the
// package: a block that no longer compiles or runs fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'pkg/README.md'), 'utf8');
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
// The project's tools, pinned: the repository's own versions, and the Express types.
const TOOLS = {
  typescript: rootManifest.devDependencies.typescript,
  express: rootManifest.devDependencies.express,
  '@types/node': rootManifest.devDependencies['@types/node'],
  '@types/express': '5.0.6',
};

let dir;
const children = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The README's marked code blocks: { file: code }. */
function readmeFiles() {
  const files = {};
  for (const m of README.matchAll(/<!-- newcomer: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)) files[m[1]] = `${m[2]}\n`;
  return files;
}

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 240_000, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

/** A long-running command of the page; resolves when `ready` matches its output. */
function start(args, ready, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0], args.slice(1), { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready:\n${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ match: m, output: () => out, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Parse `KEY=value` lines (the .env format) into an object. */
const dotenv = (text) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

const npx = (args, env) => run(process.execPath, [join(dir, 'node_modules/coinbar-pay/dist/cli.mjs'), ...args], { env: { ...process.env, ...env } });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'coinbar-newcomer-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(ROOT, 'pkg') }).replace(/^[^[]*/, ''))[0];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-shop', private: true, type: 'module' }, null, 2));
  // The README's install line, with the tarball in place of the registry's copy, and the
  // project's own tools.
  assert.ok(README.includes('npm install coinbar-pay'));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `./${packed.filename}`, ...Object.entries(TOOLS).map(([n, v]) => `${n}@${v}`)]);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      { compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'dist', rootDir: 'src', types: ['node'] }, include: ['src'] },
      null,
      2,
    ),
  );
  mkdirSync(join(dir, 'src'));
  for (const [file, code] of Object.entries(readmeFiles())) writeFileSync(join(dir, file), code);
});

test('the npm page has the blocks a newcomer runs, and the commands this test runs', () => {
  assert.deepEqual(Object.keys(readmeFiles()).sort(), ['src/quickstart.ts', 'src/resume.ts', 'src/server.ts']);
  for (const command of [
    'npx coinbar-pay sandbox --callback-url http://127.0.0.1:3000/coinbar/callback',
    'node --env-file=.env quickstart.js',
    'npx coinbar-pay trigger SUCCESS --order <payment_request_id> --forward-to http://127.0.0.1:3000/coinbar/callback --times 2 --out-of-order',
    'npx coinbar-pay fault 502 --after-commit --path /initiate',
    '/__sandbox/payments/<payment_request_id>/pay',
  ]) {
    assert.ok(README.includes(command), `pkg/README.md no longer shows: ${command}`);
  }
  // What the page must tell a merchant who reads only npm (issue 21 §1).
  for (const topic of ['destination_memo', "outcome === 'unknown'", 'memoryStore()', 'coinbar-pay/ledger', 'cbpay.free()', '--env-file', 'claim(key, token, leaseMs, event)']) {
    assert.ok(README.includes(topic), `pkg/README.md does not mention ${topic}`);
  }
});

test('a fresh TypeScript project: the README blocks compile with tsc --strict and run against npx coinbar-pay sandbox', async () => {
  run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.']);

  // The sandbox, as the page starts it (on a free port here, not 8790, so tests never collide).
  const port = await freePort();
  const callbackUrl = `http://127.0.0.1:${port}/coinbar/callback`;
  const sandbox = await start([process.execPath, 'node_modules/coinbar-pay/dist/cli.mjs', 'sandbox', '--port', '0', '--callback-url', callbackUrl], /Ctrl-C stops the sandbox/);
  // "It prints three COINBAR_* lines: put them in a .env file".
  const env = dotenv(sandbox.output());
  assert.deepEqual(Object.keys(env).sort(), ['COINBAR_BASE_URL', 'COINBAR_SECRET_KEY', 'COINBAR_SERVICE_CLIENT_ID']);
  writeFileSync(
    join(dir, '.env'),
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const control = new URL('/__sandbox/', env.COINBAR_BASE_URL).href;

  // Quickstart: node --env-file=.env, a payment with its memo (XRP).
  const quick = run(process.execPath, ['--env-file=.env', 'dist/quickstart.js']);
  assert.match(quick, /^pay \d+\.\d{1,6} XRP$/m, quick);
  assert.match(quick, /^to r[1-9A-HJ-NP-Za-km-z]{24,34} memo \d+$/m, 'an XRP payment shows its destination tag');
  assert.match(quick, /^qr \S+/m);

  // The callback recipe: the server, then the customer pays in the sandbox, then trigger.
  const server = await start([process.execPath, '--env-file=.env', 'dist/server.js'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { PORT: String(port) });
  const payments = await (await fetch(`${control}payments`)).json();
  const orderId = payments.payments.at(-1).payment_request_id;
  const paid = await fetch(`${control}payments/${orderId}/pay`, { method: 'POST' });
  assert.equal(paid.status, 200);
  const until = async (check) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`not reached:\n${server.output()}`);
  };
  await until(async () => (await (await fetch(`${server.match[1]}/paid`)).json()).includes(orderId));

  const triggered = npx(['trigger', 'SUCCESS', '--order', orderId, '--forward-to', callbackUrl, '--times', '2', '--out-of-order'], env);
  const answers = [...triggered.matchAll(/<- (\d+) \w+ in \d+ ms {2}(.*)/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.ok(answers.length >= 2, triggered);
  // The sandbox already delivered this SUCCESS: every replay is a duplicate; the late PENDING is processed once.
  assert.ok(
    answers.every((a) => /^200 \{"outcome":"(duplicate|processed)"\}$/.test(a)),
    answers.join('\n'),
  );
  assert.ok(answers.filter((a) => a.includes('duplicate')).length >= 2, answers.join('\n'));
  assert.deepEqual(await (await fetch(`${server.match[1]}/paid`)).json(), [orderId], 'fulfilled once');
  assert.doesNotMatch(server.output(), /not processed/, 'no callback failed');

  // A queued fault and the documented resume path: the payment is created, its answer lost.
  npx(['fault', '502', '--after-commit', '--path', '/initiate'], env);
  const resumed = run(process.execPath, ['--env-file=.env', 'dist/resume.js']);
  const m = resumed.match(/^resumed (\d+\.\d+) (\S+) (bitcoin:\S+)$/m);
  assert.ok(m, resumed);
  const last = (await (await fetch(`${control}payments`)).json()).payments.at(-1);
  assert.equal(last.destination_address, m[2], 'the address Coinbar has for the payment');
  assert.equal(last.payment_string, m[3]);
  assert.deepEqual([last.created_count, last.replay_count], [1, 0], 'one payment, and no second POST');
  assert.deepEqual((await (await fetch(`${control}faults`)).json()).faults, [], 'the fault was used');
});
