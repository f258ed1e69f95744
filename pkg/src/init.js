// `init()` of the server entries: their WebAssembly module is ready when the import
// finishes (compiled synchronously, or bound by the platform), so this resolves at once. It
// exists so that code shared with the browser entry, which must compile asynchronously and
// has a real `await init()`, runs unchanged on servers.
export async function init() {}
