// `coinbar-pay sign` and `coinbar-pay verify`: what a SIGNATURE covers, for debugging a mismatch.
// The HMAC is the SDK's own (CoinbarPay#sign, the Rust core): the CLI holds no second copy of it.
// The key comes only from COINBAR_SECRET_KEY and is never printed (its length is).
import { UsageError, bodyNotes, describeBody, parse, printLines, readBody, sha256Hex } from './common.js';

const SIGN_USAGE = `Usage: coinbar-pay sign [FILE] [--quiet]

Signs the body (FILE, or stdin when FILE is absent or "-") with the key in COINBAR_SECRET_KEY
as CoinbarPay does: SIGNATURE = lowercase hex HMAC-SHA256(key, the exact body bytes).
Prints what was signed (length, first and last bytes, SHA-256 of the body) and the signature.
The key is read only from the environment, never from an argument.

Options:
  -q, --quiet   print only the signature (for scripts: SIG=$(coinbar-pay sign -q body.json))
  -h, --help    this help

Example:
  printf '%s' '{"result":"success"}' | COINBAR_SECRET_KEY=… npx coinbar-pay sign`;

const VERIFY_USAGE = `Usage: coinbar-pay verify [FILE] --signature HEX [--api-key ID]

Checks a received SIGNATURE against the body (FILE, or stdin when FILE is absent or "-") with
the key in COINBAR_SECRET_KEY, and prints what was signed next to the expected and the received
signature. On a mismatch it tries the usual mistakes (a trailing newline, re-serialized JSON, a
key with spaces around it, a plain SHA-256) and says which one explains it.

Options:
  -s, --signature HEX   the SIGNATURE header as received (required)
  --api-key ID          the CBPAY-API-KEY header as received: compared with COINBAR_SERVICE_CLIENT_ID,
                        and the body is then also checked with the SDK's verifyCallback
  -h, --help            this help

Exit codes: 0 the signature matches, 1 it does not, 2 usage or setup error.`;

/** The SDK signer for a key (COINBAR_SECRET_KEY), imported only when needed. */
async function signerFor(secret) {
  const { CoinbarPay } = await import('coinbar-pay');
  // The id is not part of a signature; a placeholder when COINBAR_SERVICE_CLIENT_ID is unset.
  return new CoinbarPay({ serviceClientId: process.env.COINBAR_SERVICE_CLIENT_ID || 'coinbar-pay-cli', secretKey: secret });
}

function secretFromEnv() {
  const secret = process.env.COINBAR_SECRET_KEY;
  if (!secret) {
    throw new UsageError(
      'COINBAR_SECRET_KEY is not set: the key is read only from this environment variable, never from an argument (arguments stay in your shell history). ' +
        'E.g. `read -s COINBAR_SECRET_KEY && export COINBAR_SECRET_KEY`',
    );
  }
  return secret;
}

function keyLine(secret) {
  const n = Buffer.byteLength(secret);
  const spaced = secret !== secret.trim() ? '; it has spaces or a newline at an end: is that intended?' : '';
  return ['key', `COINBAR_SECRET_KEY (${n} bytes${spaced})`];
}

export const sign = {
  async run(argv) {
    const { values, positionals, help } = parse(argv, { quiet: { type: 'boolean', short: 'q' } }, { positionals: 1, command: 'sign' });
    if (help) {
      console.log(SIGN_USAGE);
      return 0;
    }
    const secret = secretFromEnv();
    const { bytes, source } = await readBody(positionals[0]);
    const cbpay = await signerFor(secret);
    const signature = cbpay.sign(new Uint8Array(bytes));
    cbpay.free();
    if (values.quiet) {
      console.log(signature);
      return 0;
    }
    printLines([...describeBody(bytes, source), keyLine(secret), ['SIGNATURE', signature]]);
    return 0;
  },
};

export const verify = {
  async run(argv) {
    const { values, positionals, help, more } = parse(argv, { signature: { type: 'string', short: 's' }, 'api-key': { type: 'string' } }, { positionals: 1, command: 'verify' });
    if (help) {
      console.log(VERIFY_USAGE);
      return 0;
    }
    if (values.signature === undefined) throw new UsageError(`--signature: required (the SIGNATURE header as received) ${more}`);
    const got = values.signature.trim();
    const apiKey = values['api-key'];
    const clientId = process.env.COINBAR_SERVICE_CLIENT_ID;
    if (apiKey !== undefined && !clientId) {
      throw new UsageError('--api-key: set COINBAR_SERVICE_CLIENT_ID too, to compare the received CBPAY-API-KEY with it');
    }
    const secret = secretFromEnv();
    const { bytes, source } = await readBody(positionals[0]);
    const cbpay = await signerFor(secret);
    try {
      const body = new Uint8Array(bytes);
      const expected = cbpay.sign(body);
      // A debugging tool on the developer's machine: a plain comparison is fine here (the SDK's
      // verifyCallback, which servers use, compares in constant time).
      const match = got === expected;
      const lines = [...describeBody(bytes, source), keyLine(secret), ['expected', expected], ['got', got || '(empty)']];
      let keyOk = true;
      if (apiKey !== undefined) {
        keyOk = apiKey === clientId;
        lines.push(['CBPAY-API-KEY', keyOk ? `${apiKey} (= COINBAR_SERVICE_CLIENT_ID)` : `${apiKey}, but COINBAR_SERVICE_CLIENT_ID is ${clientId}: a callback for another client id is refused`]);
      }
      lines.push(['result', match ? 'MATCH: the signature is the HMAC-SHA256 of exactly these bytes with this key' : 'MISMATCH']);
      if (!match) for (const hint of await mismatchHints({ bytes, got, expected, secret, cbpay })) lines.push(['hint', hint]);
      if (match && apiKey !== undefined && keyOk) {
        try {
          const event = cbpay.verifyCallback(body, { 'cbpay-api-key': apiKey, signature: got });
          lines.push(['verifyCallback', `accepted: ${event.status} for ${event.payment_request_id_client} (idempotency key ${event.idempotency_key})`]);
        } catch (e) {
          lines.push(['verifyCallback', `refused (${e.code}): ${e.message}`]);
        }
      }
      printLines(lines);
      return match && keyOk ? 0 : 1;
    } finally {
      cbpay.free();
    }
  },
};

/** Which common mistake explains a mismatch: each candidate is signed and compared. */
async function mismatchHints({ bytes, got, expected, secret, cbpay }) {
  const hints = [];
  const text = bytes.toString('utf8');
  if (!/^[0-9a-f]{64}$/.test(got)) {
    if (/^[0-9A-Fa-f]{64}$/.test(got)) {
      hints.push(got.toLowerCase() === expected ? 'it matches once lower-cased: CoinbarPay signatures are lowercase hex' : 'got has upper-case letters: CoinbarPay signatures are lowercase hex');
    } else if (/^[A-Za-z0-9+/]{43}=$/.test(got)) {
      hints.push(
        Buffer.from(got, 'base64').toString('hex') === expected
          ? 'it matches as base64: CoinbarPay signatures are hex, not base64'
          : 'got looks like base64: CoinbarPay signatures are 64 hex characters',
      );
    } else {
      hints.push(`got is ${got.length} characters; a CoinbarPay signature is 64 lowercase hex characters`);
    }
  }
  const tries = [];
  if (bodyNotes(bytes).some((n) => n.startsWith('ends with a newline'))) {
    tries.push([text.replace(/\r?\n$/, ''), 'it matches the body WITHOUT its trailing newline: a newline was added after signing (echo, an editor, a logger)']);
  }
  try {
    const canonical = JSON.stringify(JSON.parse(text));
    if (canonical !== text && !tries.some(([t]) => t === canonical))
      tries.push([canonical, 'it matches JSON.stringify of the parsed body: the signer re-serialized the JSON instead of signing the exact bytes sent (spaces, key order or number format differ)']);
  } catch {
    // not JSON: nothing to re-serialize
  }
  for (const [candidate, hint] of tries) if (cbpay.sign(candidate) === got) hints.push(hint);
  if (secret !== secret.trim()) {
    const trimmed = await signerFor(secret.trim());
    if (trimmed.sign(new Uint8Array(bytes)) === got) hints.push('it matches with the key trimmed: COINBAR_SECRET_KEY has spaces or a newline at an end');
    trimmed.free();
  }
  if (got === sha256Hex(bytes)) hints.push('got is the plain SHA-256 of the body: it must be an HMAC-SHA256 keyed with the secret');
  if (hints.length === 0 || (hints.length === 1 && !/^[0-9a-f]{64}$/.test(got) && !hints[0].startsWith('it matches'))) {
    hints.push("none of the usual mistakes explains it: compare the sha256 line with the sender's (same bytes?), then the key (same key? `coinbar-pay sign` on both sides)");
  }
  return hints;
}
