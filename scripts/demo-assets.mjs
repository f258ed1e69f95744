#!/usr/bin/env node
// The demo shop's page as Cloudflare static assets (wrangler.toml [assets], built by its
// [build] command before `wrangler deploy` / `wrangler dev`): out/demo-assets/ with
//   /            www/shop/ (index.html, result.html, shop.js, result.js, shop.css)
//   /pkg/src/    the browser entry of the package and the modules it imports (no server file)
//   /pkg/dist/browser/  the browser build (.wasm deflated + base64 in a module)
//   /vendor/uqr/ the QR encoder
//   _headers     the pages' security headers (CSP with the import map's hash, as www/serve.js sends)
// The API (/api/*) is the worker; a request that matches no asset goes to it.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMMON_HEADERS, pageHeaders } from '../www/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_OUT = join(root, 'out/demo-assets');

/** The browser entry and every relative module it imports (the page needs nothing else of pkg/src). */
function browserModules() {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) visit(join(dirname(file), m[1]));
  };
  visit(join(root, 'pkg/src/browser.js'));
  return [...seen];
}

export function buildDemoAssets(out = DEFAULT_OUT) {
  rmSync(out, { recursive: true, force: true });
  const files = [];
  const put = (from, to) => {
    mkdirSync(dirname(join(out, to)), { recursive: true });
    copyFileSync(from, join(out, to));
    files.push(to);
  };
  for (const f of readdirSync(join(root, 'www/shop'))) put(join(root, 'www/shop', f), f);
  for (const f of browserModules()) put(f, relative(root, f));
  for (const f of readdirSync(join(root, 'pkg/dist/browser'))) put(join(root, 'pkg/dist/browser', f), `pkg/dist/browser/${f}`);
  put(join(root, 'node_modules/uqr/dist/index.mjs'), 'vendor/uqr/index.mjs');
  const block = (path, headers) => [path, ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`)].join('\n');
  const pages = files.filter((f) => f.endsWith('.html'));
  const rules = [block('/*', COMMON_HEADERS)];
  for (const p of pages) {
    const h = pageHeaders(join(out, p), readFileSync(join(out, p)));
    // Cloudflare serves /result.html as /result (html_handling "auto-trailing-slash"): both paths.
    rules.push(block(`/${p}`, h), block(p === 'index.html' ? '/' : `/${p.replace(/\.html$/, '')}`, h));
  }
  writeFileSync(join(out, '_headers'), `${rules.join('\n\n')}\n`);
  return [...files, '_headers'];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = buildDemoAssets(process.argv[2] ?? DEFAULT_OUT);
  console.log(`demo assets: ${files.length} files in ${relative(process.cwd(), process.argv[2] ?? DEFAULT_OUT) || '.'}`);
}
