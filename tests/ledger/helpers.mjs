// Shared pieces of the ledger suite: a signed callback body, a scripted fake Coinbar client
// (for answers the sandbox cannot be told to give), a clock, and the real SDK.
import { createHmac, randomUUID } from 'node:crypto';
import { CoinbarPay } from '../../pkg/src/node.js';

export const CLIENT = { id: 'c0ffee00-0000-4000-8000-000000000001', secret: 'sandbox-secret-do-not-use-in-production' };
export const sdk = (baseUrl = 'http://127.0.0.1:9/coinbar/api/v2', opts = {}) => new CoinbarPay({ serviceClientId: CLIENT.id, secretKey: CLIENT.secret, baseUrl, timeoutMs: 5000, ...opts });

/** A Coinbar status answer / callback payload. */
export function payment(prid, pid, status, updateTime = new Date().toISOString(), descr = null) {
  return {
    result: 'success',
    payment_id_coinbar: pid,
    payment_request_id_client: prid,
    service_client_id: CLIENT.id,
    status,
    payment_detail: { destination_coin: 'BTC', trade_pair: 'BTC/EUR', destination_amount: 0.0000758, coin_change: 52372.33, total_price: 3.97 },
    input_coin: 'EUR',
    creation_time: '2026-01-01T09:00:00Z',
    update_time: updateTime,
    status_descr: descr,
    customer: { external_user_id: 'u1', name: 'A', surname: 'B', email: 'a@example.com', post_balance: '0' },
    products: [],
  };
}

/** [rawBody, headers] of a signed callback. */
export function signedCallback(body) {
  const raw = JSON.stringify(body);
  return [raw, { 'content-type': 'application/json', 'cbpay-api-key': CLIENT.id, signature: createHmac('sha256', CLIENT.secret).update(raw).digest('hex') }];
}

export const initiateAnswer = (pid = randomUUID()) => ({
  result: 'success',
  request_token: 'tok+/=',
  payment_id_coinbar: pid,
  payment_total_price: '3.97',
  trade_pair: 'BTC/EUR',
  payment_string: 'bitcoin:bc1qtest?amount=0.0000758',
  destination_coin_change: '52372.33',
  destination_amount: '0.0000758',
  destination_address: 'bc1qtest',
  destination_memo: null,
});

/**
 * A Coinbar client whose answers are scripted: initiate(input) / findPayment(id) / retrievePayment(id)
 * functions; verifyCallback and handleCallback are the real SDK's. `calls` logs every call.
 */
export function fakeCbpay(script = {}) {
  const real = sdk();
  const calls = [];
  const log = (name, id, opts) => calls.push({ name, id, opts });
  return {
    calls,
    count: (name) => calls.filter((c) => c.name === name).length,
    verifyCallback: (raw, headers) => real.verifyCallback(raw, headers),
    handleCallback: (raw, headers, options) => real.handleCallback(raw, headers, options),
    async initiate(input, opts) {
      log('initiate', input.payment_request_id, opts);
      return script.initiate ? script.initiate(input, opts) : initiateAnswer();
    },
    async requestPayment(input, opts) {
      log('requestPayment', input.payment_request_id, opts);
      return script.requestPayment ? script.requestPayment(input, opts) : { result: 'success', request_token: 't', payment_id_coinbar: randomUUID(), gateway_url: 'https://gw.example/pay?t' };
    },
    async findPayment(id, opts) {
      log('findPayment', id, opts);
      return script.findPayment ? script.findPayment(id, opts) : null;
    },
    async retrievePayment(id, opts) {
      log('retrievePayment', id, opts);
      return script.retrievePayment ? script.retrievePayment(id, opts) : null;
    },
  };
}

/** A settable clock for the ledger (the sandbox keeps real time). */
export function clock(start = Date.now()) {
  const c = { t: start, now: () => c.t, advance: (ms) => (c.t += ms) };
  return c;
}

export const input = (coin = 'BTC') => ({
  input_coin: 'EUR',
  products: [{ product_name: 'Espresso', product_price: 1.99, product_amount: 1, product_id: 'esp', product_type: 'coffee' }],
  email: 'customer@example.com',
  user_id: 'customer-1',
  destination_coin: coin,
});

export const unknownError = () => Object.assign(new Error('502 after commit (outcome unknown)'), { code: 'http', status: 502, outcome: 'unknown' });
