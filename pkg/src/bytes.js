// Handing text and bytes to the core: the real bytes of a typed array (never what an object
// says of itself), and UTF-8 written into a reused buffer.

// The real length of a typed array, read through the built-in getters: a subclass (or a
// Proxy) can lie through its own `length` / `byteLength`, and the glue copies into wasm
// memory by what it is told, which would overflow the allocation.
const TypedArray = Object.getPrototypeOf(Uint8Array);
/**
 * A built-in getter, to `.call` on a value (each one read here exists on its prototype).
 * @returns {Function}
 */
function intrinsic(proto, name) {
  return /** @type {Function} */ (/** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(proto, name)).get);
}
const realByteLength = intrinsic(TypedArray.prototype, 'byteLength');
const realByteOffset = intrinsic(TypedArray.prototype, 'byteOffset');
const realBuffer = intrinsic(TypedArray.prototype, 'buffer');
const arrayBufferByteLength = intrinsic(ArrayBuffer.prototype, 'byteLength');
const dataViewByteLength = intrinsic(DataView.prototype, 'byteLength');
const dataViewByteOffset = intrinsic(DataView.prototype, 'byteOffset');
const dataViewBuffer = intrinsic(DataView.prototype, 'buffer');

/**
 * Bytes as a plain Uint8Array over the caller's memory, sized by the engine's own record of
 * the length (never by a property the object could override); undefined when not bytes.
 */
export function plainBytes(value) {
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) {
      return new Uint8Array(dataViewBuffer.call(value), dataViewByteOffset.call(value), dataViewByteLength.call(value));
    }
    return new Uint8Array(realBuffer.call(value), realByteOffset.call(value), realByteLength.call(value));
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value, 0, arrayBufferByteLength.call(value));
  return undefined;
}

// UTF-8 of a string, written by TextEncoder.encodeInto into a reused buffer: the fastest
// way to hand text to the core (no new array per call; the glue copies it into wasm memory
// at once). The view is only valid until the next call. Texts over 16 KiB get their own
// array, so the buffer never holds more than 48 KiB.
export const encoder = new TextEncoder();
export const SCRATCH_CHARS = 16 * 1024;
const scratch = new Uint8Array(SCRATCH_CHARS * 3);
/** The most bytes handed to the core in one call when bytes are streamed in chunks. */
export const CHUNK_BYTES = scratch.length;
export function utf8(text) {
  if (text.length > SCRATCH_CHARS) return encoder.encode(text);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}
export const NO_BYTES = new Uint8Array(0);
