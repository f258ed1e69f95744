// The README and docs as a reader uses them (issue 12 §7): the README fits on a page, its
// quickstart runs on this Node against the local sandbox, its Express callback is the tested
// recipe verbatim, every JavaScript sample of the README, the package page and docs/ parses
// as a module on this Node (so no syntax it lacks, such as `using` on Node 20; a handler
// fragment ending in `return` as the body of a function), and every
// relative link points at a file of the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../www/sandbox/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'out/docs-check');
const read = (p) => readFileSync(join(ROOT, p), 'utf8');
const docs = [
  'README.md',
  'pkg/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The ```js blocks of a Markdown file. */
const jsBlocks = (text) => [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

test('the README fits on a page (at most 200 lines)', () => {
  const lines = read('README.md').split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
});

test('every JavaScript sample parses as a module on this Node', () => {
  mkdirSync(OUT, { recursive: true });
  let n = 0;
  for (const doc of docs) {
    jsBlocks(read(doc)).forEach((code, i) => {
      const file = join(OUT, `${doc.replace(/\W/g, '_')}-${i}.mjs`);
      const check = (source) => {
        writeFileSync(file, source);
        return spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
      };
      // A fragment of a handler (a `return` at its end) is checked as the body of one.
      let r = check(code);
      if (r.status !== 0 && /Illegal return statement/.test(r.stderr)) r = check(`export async function fragment() {\n${code}\n}\n`);
      assert.equal(r.status, 0, `${doc}, JavaScript block ${i + 1}:\n${r.stderr}`);
      n++;
    });
  }
  assert.ok(n >= 15, `only ${n} samples found`);
});

test('the README quickstart runs against the local sandbox', async () => {
  const quickstart = jsBlocks(read('README.md')).find((c) => c.includes('cbpay.initiate('));
  assert.ok(quickstart, 'no quickstart block');
  const sandbox = await startSandbox();
  try {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'quickstart.mjs'); // under the repository: `coinbar-pay` resolves to pkg/
    writeFileSync(file, quickstart);
    const r = await new Promise((resolve) => {
      // Asynchronous: the sandbox answers from this process.
      import('node:child_process').then(({ execFile }) =>
        execFile(
          process.execPath,
          [file],
          {
            env: {
              ...process.env,
              COINBAR_SERVICE_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
              COINBAR_SECRET_KEY: 'sandbox-secret-do-not-use-in-production',
              COINBAR_BASE_URL: sandbox.baseUrl,
            },
            timeout: 20_000,
          },
          (error, stdout, stderr) => resolve({ error, stdout, stderr }),
        ),
      );
    });
    assert.equal(r.error, null, r.stderr);
    assert.match(r.stdout, /^3\.97\n/);
    assert.match(r.stdout, /\n\d+\.\d+ \S+ bitcoin:\S+\?amount=/);
  } finally {
    await sandbox.close();
  }
});

test("the README's Express callback is the tested recipe, verbatim", () => {
  const recipe = read('examples/frameworks/express.mjs').trimEnd();
  assert.ok(read('README.md').includes(`\n${recipe}\n\`\`\`\n`), 'README.md does not show examples/frameworks/express.mjs (copy it)');
});

test('relative links point at files of the repository, none outside it', () => {
  for (const doc of docs) {
    for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = join(ROOT, dirname(doc), target.split('#')[0]);
      assert.ok(path.startsWith(ROOT), `${doc} links outside the repository: ${target}`);
      assert.ok(existsSync(path), `${doc} links to a missing file: ${target}`);
    }
    assert.doesNotMatch(read(doc), /\.\.\/shared\//, `${doc} points at ../shared/ (outside the repository)`);
  }
});
