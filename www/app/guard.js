// The checkout guard: who a client is, and the caps that keep anonymous traffic from spending
// Coinbar's 1,000 calls a day (docs/demo-backend.md, "The checkout guard").
//
// A client is its address as the edge saw it (CF-Connecting-IP; the Node adapter sets it from
// the socket): an IPv4 address, or the /64 prefix of an IPv6 address (one subscriber usually
// holds a whole /64, so counting single IPv6 addresses would give an attacker 2^64 clients).

/** Expand an IPv6 address to 8 groups of 4 hex digits, or null. */
function ipv6Groups(ip) {
  let s = ip
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h) => (h ? h.split(':') : []);
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array(Math.max(fill, 0)).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.padStart(4, '0'));
}

/** The client key of an address: 'ip4:a.b.c.d', 'ip6:xxxx:xxxx:xxxx:xxxx::/64', or 'unknown'. */
export function clientKey(address) {
  const ip = String(address ?? '').trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return `ip4:${ip}`;
  const groups = ip.includes(':') ? ipv6Groups(ip) : null;
  if (!groups) return 'unknown';
  // An IPv4-mapped address (::ffff:a.b.c.d) is its IPv4 client.
  if (groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff') {
    const n = parseInt(groups[6] + groups[7], 16);
    return `ip4:${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}`;
  }
  return `ip6:${groups.slice(0, 4).join(':')}::/64`;
}

const num = (env, name, fallback) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);

/**
 * The caps (per client: per UTC day and per minute; global: per minute), from env. Sized against
 * the ledger's daily shares (checkout 400, refresh 200 of 1,000): 40 abusive clients can spend at
 * most 40 x 5 = 200 checkout calls and 40 x 4 = 160 refresh calls a day, and at most 40 x 2 = 80
 * checkouts in any minute, under the global 100 a minute — so a new customer still gets through.
 */
export const guardCaps = (env = {}) => ({
  clientCheckoutsPerDay: num(env, 'CLIENT_CHECKOUTS_PER_DAY', 5),
  clientCheckoutsPerMinute: num(env, 'CLIENT_CHECKOUTS_PER_MINUTE', 2),
  checkoutsPerMinute: num(env, 'CHECKOUTS_PER_MINUTE', 100),
  clientRefreshesPerDay: num(env, 'CLIENT_REFRESHES_PER_DAY', 4),
});

/**
 * A bot check for the guard hook: Cloudflare Turnstile. The page renders the widget and sends
 * its token as the `cf-turnstile-response` header of POST /api/checkout; this verifies it with
 * Turnstile's siteverify. Use: `createWorker({ guard: turnstileGuard({ secret: env.TURNSTILE_SECRET }) })`.
 * (Shown for the docs; the tests use their own guards.)
 */
export function turnstileGuard({ secret, fetchImpl = fetch } = {}) {
  return async (request, { address }) => {
    const token = request.headers.get('cf-turnstile-response');
    if (!token) return false;
    const body = new FormData();
    body.set('secret', secret);
    body.set('response', token);
    if (address) body.set('remoteip', address);
    const r = await fetchImpl('https://challenges.cloudflare.com/turnstile/v0/siteverify', { method: 'POST', body });
    return r.ok && (await r.json()).success === true;
  };
}
