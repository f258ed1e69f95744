// usage: node csab.mjs <dirA> <dirB> N  — fresh processes interleaved; wall and CPU (user+sys) of import -> first signature
import { spawnSync } from 'node:child_process';
const [a, b, n = '21'] = process.argv.slice(2);
const child = `
const t0 = performance.now(); const c0 = process.cpuUsage();
const { CoinbarPay } = await import(process.argv[1] + '/pkg/dist/node.mjs');
const cb = new CoinbarPay({ serviceClientId: 'c0ffee00-0000-4000-8000-000000000001', secretKey: 'sandbox-secret-do-not-use-in-production', baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
cb.sign('{"a":1}');
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 }));`;
const res = { A: [], B: [] };
for (let i = 0; i < +n; i++) for (const [k, d] of [['A', a], ['B', b]]) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, d], { encoding: 'utf8' });
  res[k].push(JSON.parse(r.stdout));
}
const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1];
for (const k of ['A', 'B']) console.log(k, 'wall', med(res[k].map((x) => x.wall)).toFixed(2), 'cpu', med(res[k].map((x) => x.cpu)).toFixed(2));
