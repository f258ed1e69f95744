// A Cloudflare Worker: wrangler bundles coinbar-pay under the `workerd` condition.
import { check } from './lib/server-check.js';

export default {
  async fetch() {
    return Response.json(await check('worker'));
  },
};
