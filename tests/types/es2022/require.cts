// CommonJS TypeScript (`require`): the same types through dist/node.d.cts.
import cbp = require('coinbar-pay');

export function codeOf(e: unknown): string {
  if (e instanceof cbp.CoinbarError && e.code === 'http') return `${e.status} ${e.body}`;
  return 'other';
}
export const client: cbp.CoinbarPay = cbp.CoinbarPay.fromEnv({ COINBAR_SERVICE_CLIENT_ID: 'id', COINBAR_SECRET_KEY: 'k' });
