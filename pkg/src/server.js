// The public API of the server entries: the secret-free functions, the CoinbarPay client,
// memoryStore() (the reference CallbackStore of handleCallback), and an init() that resolves
// at once (their module is ready when the import finishes).
export * from './public.js';
export { CoinbarPay } from './client.js';
export { memoryStore } from './callbacks.js';
export { init } from './init.js';
