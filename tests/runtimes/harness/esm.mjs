// Harness for runtimes that run ES modules from a project directory: Node (ESM), Deno, Bun.
// It imports coinbar-pay exactly as an application in that runtime would (a bare import,
// resolved through the package's exports map), runs the suite and prints one result line.
//   node|bun esm.mjs '<config json>'      deno run --allow-net=127.0.0.1 esm.mjs '<config json>'
import * as pkg from 'coinbar-pay';
import vectors from './vectors.json' with { type: 'json' };
import { runSuite } from './suite.js';

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const config = JSON.parse(args[0]);
const result = await runSuite({ pkg, vectors, ...config });
result.entry = import.meta.resolve('coinbar-pay');
console.log(`CONFORMANCE_RESULT ${JSON.stringify(result)}`);
