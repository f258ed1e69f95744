// The secret-free public API, listed once: every entry re-exports it (the server entries
// add CoinbarPay and their init through server.js; the browser entry adds its own init).
export { CoinbarError } from './error.js';
export { validateInitiate, validateRequest, cartTotal, convertAmount, statusInfo, gatewayUrl, parseInitiateResponse, parsePaymentStatus, parseQuotes, parseReport } from './common.js';
