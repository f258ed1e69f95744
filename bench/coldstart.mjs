// Section 3 in Node: cold start in fresh processes (bench/coldstart-child.mjs), median of
// N runs per kind, interleaved: `sdk` is plain Node (the .wasm read from the package),
// `sdk-inline` an app bundle (the .wasm inline as base64, what bundlers resolve). Inside the child: from just before the import to the first
// signature; outside: the whole process (spawn to exit). Prints `BENCH_RESULT <json>`.
//   node bench/coldstart.mjs [--quick]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// What a bundler makes of the package for a Node target (the `module` condition): one file
// with the .wasm inline as base64. Measured beside the plain `import 'coinbar-pay'`.
await build({
  entryPoints: [fileURLToPath(new URL('../pkg/src/node-inline.js', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: fileURLToPath(new URL('../out/coldstart/node-inline.mjs', import.meta.url)),
  logLevel: 'warning',
});

// Node's own share: an empty package imported the same way, by its bare specifier, from the
// same child (mode `empty-package`), written where the child's resolution finds it first
// (bench/node_modules, git-ignored). Node 20 spends ms on the first bare-specifier resolution
// of a process (its resolver's first run), which the node:crypto baseline (a builtin) never pays.
const emptyPkg = new URL('node_modules/cold-start-empty/', import.meta.url);
mkdirSync(emptyPkg, { recursive: true });
writeFileSync(new URL('package.json', emptyPkg), '{"name":"cold-start-empty","type":"module","exports":{".":"./index.js"}}\n');
writeFileSync(new URL('index.js', emptyPkg), 'export const empty = true;\n');

const quick = process.argv.includes('--quick');
const CHILD = fileURLToPath(new URL('coldstart-child.mjs', import.meta.url));
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function runChild(mode) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CHILD, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`coldstart-child ${mode} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ ...JSON.parse(stdout), processMs });
    });
  });
}

const runs = quick ? 5 : 20;
const modes = ['sdk', 'sdk-inline', 'node-crypto', 'empty-package', 'glue'];
const samples = Object.fromEntries(modes.map((m) => [m, []]));
const errors = {};
for (let i = 0; i < runs; i++) {
  for (const mode of modes) {
    if (mode === 'glue' && i >= Math.ceil(runs / 2)) continue; // the breakdown needs fewer runs
    if (errors[mode]) continue;
    try {
      samples[mode].push(await runChild(mode));
    } catch (e) {
      errors[mode] = e.message;
      log(`  cold start ${mode}: ${e.message}`);
    }
  }
}
const signatures = new Set(
  Object.values(samples)
    .flat()
    .map((s) => s.signature)
    .filter((s) => s !== null),
);
const result = { runs: {}, errors, sameSignature: signatures.size === 1 };
for (const [mode, ss] of Object.entries(samples)) {
  if (!ss.length) continue;
  const keys = Object.keys(ss[0]).filter((k) => typeof ss[0][k] === 'number');
  result.runs[mode] = { count: ss.length, ...Object.fromEntries(keys.map((k) => [k, median(ss.map((s) => s[k]))])) };
  log(`  cold start ${mode.padEnd(12)} ${keys.map((k) => `${k} ${result.runs[mode][k].toFixed(2)}`).join(', ')}`);
}
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
