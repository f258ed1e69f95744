// Same-run A/B of two builds of the package: the same calls through each, interleaved, median
// of rounds (time per call). For a change's speed effect on this noisy shared machine, where
// two separate runs of `make bench` drift by up to 2x.
//   node bench/ab.mjs <repo A> <repo B>     (each with pkg/dist built by `make build`)
//   node bench/ab.mjs <repo A> <repo B> --coldstart   (also import -> first signature in fresh
//                                                      processes, A and B interleaved)
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
if (!a || !b) throw new Error('usage: node bench/ab.mjs <repo A> <repo B>');
const load = (repo) => import(pathToFileURL(resolve(repo, 'pkg/dist/node.mjs')).href);
const A = await load(a);
const B = await load(b);
const SECRET = 'sandbox-secret-do-not-use-in-production';
const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const body = readFileSync(new URL('inputs/callback.json', import.meta.url), 'utf8');
const input = JSON.parse(readFileSync(new URL('inputs/initiate-3.json', import.meta.url), 'utf8'));
const sig = createHmac('sha256', SECRET).update(body).digest('hex');
const headers = { 'cbpay-api-key': CLIENT_ID, signature: sig };
const mk = (M) => new M.CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
const ca = mk(A),
  cb = mk(B);
const ops = {
  verify: (c) => c.verifyCallback(body, headers),
  prepare: (c) => c.prepareInitiate(input),
  sign: (c) => c.sign(body),
};
const N = 3000,
  ROUNDS = 15;
const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1];
for (const [name, f] of Object.entries(ops)) {
  const ta = [],
    tb = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [c, t] of [
      [ca, ta],
      [cb, tb],
    ]) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) f(c);
      t.push(((performance.now() - t0) / N) * 1e3);
    }
  }
  console.log(`${name.padEnd(8)} A ${med(ta).toFixed(2)} µs  B ${med(tb).toFixed(2)} µs  B/A time ${(med(tb) / med(ta)).toFixed(2)}`);
}

// Cold start, same run: fresh Node processes, A and B interleaved, each timing from just before
// `import` of its package to the first signature (what bench/coldstart-child.mjs measures).
if (process.argv.includes('--coldstart')) {
  const { execFileSync } = await import('node:child_process');
  const child = (repo) => `
    const t0 = performance.now();
    const M = await import(${JSON.stringify(pathToFileURL(resolve(repo, 'pkg/dist/node.mjs')).href)});
    const c = new M.CoinbarPay({ serviceClientId: ${JSON.stringify(CLIENT_ID)}, secretKey: ${JSON.stringify(SECRET)}, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
    c.sign('x');
    process.stdout.write(String(performance.now() - t0));`;
  const runs = { A: [], B: [] };
  for (let i = 0; i < 21; i++) {
    for (const [k, repo] of [
      ['A', a],
      ['B', b],
    ]) {
      runs[k].push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', child(repo)], { encoding: 'utf8' })));
    }
  }
  console.log(
    `coldstart A ${med(runs.A).toFixed(2)} ms  B ${med(runs.B).toFixed(2)} ms  B/A time ${(med(runs.B) / med(runs.A)).toFixed(2)}  (import -> first signature, median of 21 fresh processes each)`,
  );
}
