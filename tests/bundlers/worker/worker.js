// A Cloudflare Worker: wrangler bundles coinbar-pay under the `workerd` condition. GET / runs
// the bundler check; everything else goes to the Worker recipe of docs/frameworks.md
// (examples/frameworks/worker.js, copied to recipe/ by the runner).
import { check } from './lib/server-check.js';
import recipe from './recipe/worker.js';

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/') return Response.json(await check('worker'));
    return recipe.fetch(request, env);
  },
};
