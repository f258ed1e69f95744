// node:fs for the Node entry (src/node.js), without a static `import … from 'node:fs'`: in
// Node 20 that import costs ~2.2 ms of cold start, because the ESM facade of a builtin reads
// every export, and fs's `promises` getter loads fs/promises. process.getBuiltinModule
// (Node >= 20.16) hands back the CommonJS module at no cost; older Node takes the import.
// The CommonJS bundle (dist/node.cjs) replaces this file by `require('node:fs')`
// (scripts/build-cjs.mjs), where no top-level await is allowed.
export const { readFileSync } = globalThis.process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
