// Helpers shared by the coinbar-pay commands: argument parsing, reading a body, describing bytes,
// and where the credentials come from.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** A mistake in how the command was called or set up: exit code 2, message only. */
export class UsageError extends Error {}

// The sandbox's demo client: public, printed by `coinbar-pay sandbox`, never valid at Coinbar.
export const DEMO_CLIENT = Object.freeze({
  id: 'c0ffee00-0000-4000-8000-000000000001',
  secret: 'sandbox-secret-do-not-use-in-production',
});

/** Where `coinbar-pay sandbox` listens by default (its API base is this + /coinbar/api/v2). */
export const DEFAULT_SANDBOX_ORIGIN = 'http://127.0.0.1:8790';

/**
 * The local sandbox the merchant's server talks to: the origin of COINBAR_BASE_URL when that is a
 * loopback URL; the sandbox's default address when COINBAR_BASE_URL is not set; undefined when it
 * points elsewhere (a real Coinbar).
 */
export function localSandboxOrigin(env) {
  if (!env.COINBAR_BASE_URL) return DEFAULT_SANDBOX_ORIGIN;
  try {
    const url = new URL(env.COINBAR_BASE_URL);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** --sandbox URL when given, else the local sandbox (see localSandboxOrigin); a usage error when none. */
export function sandboxOrigin(explicit, env) {
  if (explicit !== undefined) return new URL(urlOption(explicit, 'sandbox')).origin;
  const origin = localSandboxOrigin(env);
  if (!origin) throw new UsageError(`COINBAR_BASE_URL (${env.COINBAR_BASE_URL}) is not a local sandbox: give the sandbox's address with --sandbox URL`);
  return origin;
}

const SECRET_FLAGS = new Set(['--key', '--secret', '--secret-key', '--secretKey', '-k']);

/**
 * node:util parseArgs (strict) with the errors reworded for a person, plus `--help`.
 * @returns {{ values: object, positionals: string[], help: boolean }}
 */
export function parse(argv, options, { positionals = 0, command } = {}) {
  const more = `(coinbar-pay ${command} --help shows the usage)`;
  for (const a of argv) {
    const flag = a.split('=')[0];
    if (SECRET_FLAGS.has(flag)) {
      throw new UsageError(`${flag}: the secret key is read only from the COINBAR_SECRET_KEY environment variable, never from an argument (arguments stay in your shell history and in \`ps\`)`);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    // ERR_PARSE_ARGS_UNKNOWN_OPTION / _INVALID_OPTION_VALUE: node's message names the option.
    throw new UsageError(`${err.message.replace(/\. To specify a positional argument.*$/s, '')} ${more}`);
  }
  const { values, positionals: pos } = parsed;
  if (!values.help && pos.length > positionals) {
    throw new UsageError(`unexpected argument "${pos[positionals]}" ${more}`);
  }
  return { values, positionals: pos, help: Boolean(values.help), more };
}

/** An integer option within [min, max], or the default. */
export function intOption(values, name, { min, max, fallback }) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name}: must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** An http(s) URL option. */
export function urlOption(value, name) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name}: not a URL: "${value}" (e.g. http://127.0.0.1:3000/coinbar/callback)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--${name}: must be an http:// or https:// URL, got "${value}"`);
  }
  return url.href;
}

/** The body bytes: from FILE, or from stdin when FILE is absent or "-". */
export async function readBody(file) {
  if (file && file !== '-') {
    try {
      return { bytes: await readFile(file), source: file };
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    }
  }
  if (process.stdin.isTTY) {
    throw new UsageError('no body: give a FILE, or pipe the body in (e.g. `coinbar-pay sign body.json` or `cat body.json | coinbar-pay sign`)');
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), source: 'stdin' };
}

/** Bytes shown safely on one line: printable ASCII as is, the rest escaped. */
export function showBytes(bytes) {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** What a signature covers, as `label: value` lines: length, first/last bytes, hash, notes. */
export function describeBody(bytes, source) {
  const lines = [
    ['body', `${bytes.length} bytes from ${source}`],
    ['sha256', `${sha256Hex(bytes)}  (of the body bytes: compare it with the other side's)`],
    ['first bytes', showBytes(bytes.subarray(0, 64)) + (bytes.length > 64 ? '…' : '')],
  ];
  if (bytes.length > 64) lines.push(['last bytes', `…${showBytes(bytes.subarray(Math.max(64, bytes.length - 32)))}`]);
  for (const note of bodyNotes(bytes)) lines.push(['note', note]);
  return lines;
}

/** Things in a body that commonly break a signature. */
export function bodyNotes(bytes) {
  const notes = [];
  if (bytes.length === 0) notes.push('the body is empty (a GET signs its query string instead; a POST its body)');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    notes.push('starts with a UTF-8 byte order mark (EF BB BF): the signature covers it too');
  }
  const last = bytes[bytes.length - 1];
  if (last === 0x0a || last === 0x0d) {
    notes.push('ends with a newline: the signature covers every byte, the newline included (echo and most editors add one; printf "%s" does not)');
  }
  return notes;
}

export function printLines(lines, stream = process.stdout) {
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  for (const [label, value] of lines) stream.write(`${(`${label}:`).padEnd(width)}${value}\n`);
}

/**
 * The merchant's credentials from COINBAR_SERVICE_CLIENT_ID / COINBAR_SECRET_KEY; with neither
 * set and `demo` true, the sandbox's demo client.
 * @returns {{ id: string, secret: string, from: string }}
 */
export function credentials(env, { demo }) {
  const id = env.COINBAR_SERVICE_CLIENT_ID;
  const secret = env.COINBAR_SECRET_KEY;
  if (!id && !secret && demo) {
    return { ...DEMO_CLIENT, from: `the sandbox's demo client ${DEMO_CLIENT.id} (set COINBAR_SERVICE_CLIENT_ID and COINBAR_SECRET_KEY to use yours)` };
  }
  if (!secret) {
    throw new UsageError('COINBAR_SECRET_KEY is not set: the key is read only from this environment variable (never from an argument, which would stay in your shell history)');
  }
  if (!id && demo) throw new UsageError('COINBAR_SERVICE_CLIENT_ID is not set (it is sent as CBPAY-API-KEY with the callback); set both, or neither for the sandbox demo client');
  return { id: id ?? '', secret, from: `COINBAR_SERVICE_CLIENT_ID=${id ?? '(not set)'}, key from COINBAR_SECRET_KEY (${Buffer.byteLength(secret)} bytes)` };
}
