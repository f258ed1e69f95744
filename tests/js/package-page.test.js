// The package as npm shows it (issue 12 §6): README and both licenses in the tarball, the
// metadata fields a package page needs, and the two package linters clean:
// publint (--strict: suggestions count) and @arethetypeswrong/cli on the packed tarball.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = `${ROOT}pkg`;
const OUT = `${ROOT}out/package-page`;
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
let packed;

before(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: PKG, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  packed = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
});

test('the tarball carries a README and the two licenses of "MIT OR Apache-2.0"', () => {
  const files = packed.files.map((f) => f.path);
  for (const f of ['README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'package.json']) assert.ok(files.includes(f), `${f} is not in the tarball`);
  for (const f of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.equal(readFileSync(`${PKG}/${f}`, 'utf8'), readFileSync(`${ROOT}${f}`, 'utf8'), `pkg/${f} differs from the repository's ${f}`);
  }
  assert.match(readFileSync(`${PKG}/LICENSE-APACHE`, 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  assert.match(readFileSync(`${PKG}/LICENSE-MIT`, 'utf8'), /Permission is hereby granted, free of charge/);
  const readme = readFileSync(`${PKG}/README.md`, 'utf8');
  for (const part of ['npm install coinbar-pay', 'CoinbarPay.fromEnv', 'handleCallback', 'await init()', 'MIT OR Apache-2.0']) assert.ok(readme.includes(part), `pkg/README.md lacks ${part}`);
});

test('package.json has what a package page shows', () => {
  const manifest = JSON.parse(readFileSync(`${PKG}/package.json`, 'utf8'));
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  assert.match(manifest.repository?.url ?? '', /^git\+https:\/\/.+\.git$/);
  assert.equal(manifest.repository.directory, 'pkg');
  assert.match(manifest.homepage ?? '', /^https:\/\//);
  assert.ok(manifest.keywords?.length >= 5);
  assert.match(manifest.engines?.node ?? '', /^>=\d+/);
  assert.ok(manifest.description.length > 20);
});

test('publint --strict: no errors, warnings or suggestions', () => {
  const r = spawnSync(bin('publint'), ['run', PKG, '--strict'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /All good!/);
});

test('@arethetypeswrong/cli: types resolve for node10, node16 (CJS and ESM) and bundlers', () => {
  // One rule is ignored, for one entry: `coinbar-pay/browser` is ESM only (the browser build
  // needs an async init anyway; bundlers and `import` resolve it). The main entry has a real
  // CommonJS build, asserted below.
  const r = spawnSync(bin('attw'), [`${OUT}/${packed.filename}`, '--format', 'json', '--ignore-rules', 'cjs-resolves-to-esm'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout.slice(0, 2000) + r.stderr);
  const { analysis, problems } = JSON.parse(r.stdout);
  const all = Object.values(problems ?? {}).flat();
  assert.deepEqual(
    all.filter((p) => !(p.kind === 'CJSResolvesToESM' && p.entrypoint === './browser')),
    [],
    'no problem except the ESM-only browser entry under require',
  );
  const main = analysis.entrypoints['.'].resolutions;
  assert.equal(main['node16-cjs'].resolution.fileName, '/node_modules/coinbar-pay/dist/node.d.cts');
  assert.equal(main['node16-esm'].resolution.fileName, '/node_modules/coinbar-pay/types/index.d.ts');
  assert.equal(analysis.entrypoints['./browser'].resolutions.bundler.resolution.fileName, '/node_modules/coinbar-pay/types/browser.d.ts');
});
