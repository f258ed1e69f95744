// `CoinbarPay#sign`: the HMAC of a string or bytes of any size with the client's key. Large
// inputs are fed to the core in chunks (SignBegin / SignUpdate / SignEnd), so wasm memory,
// which never shrinks, does not grow with the input.
import { inputError } from './error.js';
import { CHUNK_BYTES, SCRATCH_CHARS, plainBytes, utf8 } from './bytes.js';

/** Lowercase hex HMAC-SHA256 of `data` (a string as UTF-8, or bytes) with `core`'s key. */
export function signData(core, data) {
  if (typeof data === 'string') {
    if (data.length <= SCRATCH_CHARS) return core.sign(utf8(data));
    core.signBegin();
    for (let i = 0; i < data.length; ) {
      let end = Math.min(i + SCRATCH_CHARS, data.length);
      // Never split a surrogate pair: each half alone would encode as U+FFFD.
      const last = data.charCodeAt(end - 1);
      if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      core.signUpdate(utf8(data.slice(i, end)));
      i = end;
    }
    return core.signEnd();
  }
  const bytes = plainBytes(data);
  if (bytes === undefined) throw inputError('sign input', 'data', 'must be a string, a Uint8Array (Buffer), an ArrayBuffer or a DataView');
  const CHUNK = CHUNK_BYTES;
  if (bytes.length <= CHUNK) return core.sign(bytes);
  core.signBegin();
  for (let i = 0; i < bytes.length; i += CHUNK) core.signUpdate(bytes.subarray(i, i + CHUNK));
  return core.signEnd();
}
