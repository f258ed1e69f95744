// The public API of the server entries: the secret-free functions, the CoinbarPay client,
// and an init() that resolves at once (their module is ready when the import finishes).
export * from './public.js';
export { CoinbarPay } from './client.js';
export { init } from './init.js';
