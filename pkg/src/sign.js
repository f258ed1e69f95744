// `CoinbarPay#sign`: the HMAC of a string or bytes of any size with the client's key. Large
// inputs are fed to the core in chunks (SignBegin / SignUpdate / SignEnd), so wasm memory,
// which never shrinks, does not grow with the input.
import { inputError } from './error.js';
import { glue } from './glue.js';
import { CHUNK_BYTES, NO_BYTES, SCRATCH_CHARS, plainBytes, utf8 } from './bytes.js';
import { answerOf, call } from './common.js';

/** Lowercase hex HMAC-SHA256 of `data` (a string as UTF-8, or bytes) with `core`'s key. */
export function signData(core, data) {
  if (typeof data === 'string') {
    if (data.length <= SCRATCH_CHARS) return call(() => answerOf(core.call(glue.ClientOp.Sign, utf8(data))));
    return call(() => {
      answerOf(core.call(glue.ClientOp.SignBegin, NO_BYTES));
      for (let i = 0; i < data.length; ) {
        let end = Math.min(i + SCRATCH_CHARS, data.length);
        // Never split a surrogate pair: each half alone would encode as U+FFFD.
        const last = data.charCodeAt(end - 1);
        if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
        answerOf(core.call(glue.ClientOp.SignUpdate, utf8(data.slice(i, end))));
        i = end;
      }
      return answerOf(core.call(glue.ClientOp.SignEnd, NO_BYTES));
    });
  }
  const bytes = plainBytes(data);
  if (bytes === undefined) throw inputError('sign input', 'data', 'must be a string, a Uint8Array (Buffer), an ArrayBuffer or a DataView');
  const CHUNK = CHUNK_BYTES;
  if (bytes.length <= CHUNK) return call(() => answerOf(core.call(glue.ClientOp.Sign, bytes)));
  return call(() => {
    answerOf(core.call(glue.ClientOp.SignBegin, NO_BYTES));
    for (let i = 0; i < bytes.length; i += CHUNK) answerOf(core.call(glue.ClientOp.SignUpdate, bytes.subarray(i, i + CHUNK)));
    return answerOf(core.call(glue.ClientOp.SignEnd, NO_BYTES));
  });
}
