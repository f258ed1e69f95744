// Cold start in workerd, the baseline: the same first signature with WebCrypto (the key
// imported on the first request, then sign + hex).
let key;

export default {
  async fetch(request, env) {
    key ??= await crypto.subtle.importKey('raw', new TextEncoder().encode(env.SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(env.BODY)));
    let hex = '';
    for (const b of mac) hex += b.toString(16).padStart(2, '0');
    return new Response(hex);
  },
};
