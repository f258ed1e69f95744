// One cold start, in a fresh Node process (spawned by bench/coldstart.mjs). Prints one JSON
// line of timings in ms (performance.now(), whose origin is the process start).
//   node bench/coldstart-child.mjs sdk|node-crypto|glue
// sdk-inline   the same through what a bundler (the `module` condition) takes: src/node-inline.js,
//              the .wasm as base64 inside the JavaScript, bundled into one file by bench/coldstart.mjs
//              (out/coldstart/node-inline.mjs), as in an app's webpack / esbuild / Next.js bundle
// sdk          from just before import('coinbar-pay') to the first signature (client created
//              from the secret, sign(body)), then the first prepareInitiate on top; clientMs and
//              signMs split the time after the import (constructor, first sign)
// node-crypto  from just before import('node:crypto') to the first createHmac(...).digest('hex')
// empty-package  the import of an empty package by its bare specifier: Node's own cost of a
//              process's first package resolution, which `sdk` pays and `node-crypto` does not
// glue         the SDK's steps one by one through its wasm-bindgen glue: import the glue JS,
//              read the .wasm, compile (new WebAssembly.Module), instantiate (initSync), first signature
//              (newClientMs: the wasm client, mostly lazy Liftoff compiles of what it runs; signMs)
// The child's own file reads go through process.getBuiltinModule, not `import … from
// 'node:fs'`: that import costs ~2.2 ms in Node 20 and would be paid before t0, hiding
// whatever the measured import itself spends on node:fs.
const { readFileSync } = process.getBuiltinModule('node:fs');

const SECRET = 'sandbox-secret-do-not-use-in-production';
const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const body = readFileSync(new URL('inputs/callback.json', import.meta.url), 'utf8');
const input = JSON.parse(readFileSync(new URL('inputs/initiate-3.json', import.meta.url), 'utf8'));
const mode = process.argv[2];
const out = { mode };

if (mode === 'sdk' || mode === 'sdk-inline') {
  const t0 = performance.now();
  const { CoinbarPay } = await import(mode === 'sdk' ? 'coinbar-pay' : '../out/coldstart/node-inline.mjs');
  const t1 = performance.now();
  const cbpay = new CoinbarPay({ serviceClientId: CLIENT_ID, secretKey: SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
  const tc = performance.now();
  const signature = cbpay.sign(body);
  const t2 = performance.now();
  cbpay.prepareInitiate(input);
  const t3 = performance.now();
  Object.assign(out, { startMs: t0, importMs: t1 - t0, clientMs: tc - t1, signMs: t2 - tc, firstSignatureMs: t2 - t0, firstPrepareMs: t3 - t0, signature });
} else if (mode === 'empty-package') {
  const t0 = performance.now();
  await import('cold-start-empty'); // written by bench/coldstart.mjs into bench/node_modules
  Object.assign(out, { startMs: t0, importMs: performance.now() - t0, signature: null });
} else if (mode === 'node-crypto') {
  const t0 = performance.now();
  const { createHmac } = await import('node:crypto');
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  const t2 = performance.now();
  Object.assign(out, { startMs: t0, firstSignatureMs: t2 - t0, signature });
} else if (mode === 'glue') {
  const { ClientOp } = await import('../pkg/src/ops.js'); // the generated op codes, imported before the clock starts
  const t0 = performance.now();
  const glue = await import('../pkg/dist/server/coinbar_pay.js');
  const t1 = performance.now();
  const bytes = readFileSync(new URL('../pkg/dist/server/coinbar_pay_bg.wasm', import.meta.url));
  const t2 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t3 = performance.now();
  glue.initSync({ module });
  const t4 = performance.now();
  // (service client id, environment, base URL, timeout, retries, key): the core's settings
  // (src/wasm.rs `signing_client`: the client object, or the error as a string)
  const client = glue.signing_client(CLIENT_ID, undefined, 'http://127.0.0.1:8790/coinbar/api/v2', undefined, undefined, new TextEncoder().encode(SECRET));
  if (typeof client === 'string') throw new Error(client.slice(1));
  const tc = performance.now();
  const signature = client.call(ClientOp.Sign, new TextEncoder().encode(body));
  const t5 = performance.now();
  Object.assign(out, {
    startMs: t0,
    importGlueMs: t1 - t0,
    readWasmMs: t2 - t1,
    compileMs: t3 - t2,
    instantiateMs: t4 - t3,
    newClientMs: tc - t4,
    signMs: t5 - tc,
    firstSignatureMs: t5 - t4,
    totalMs: t5 - t0,
    signature,
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
