// Cold start in workerd, the SDK: a merchant's worker that creates the client from its
// secrets and signs on its first request (the README's worker does the same per request).
import { CoinbarPay } from 'coinbar-pay';

export default {
  async fetch(request, env) {
    const cbpay = new CoinbarPay({ serviceClientId: env.CLIENT_ID, secretKey: env.SECRET, baseUrl: 'http://127.0.0.1:8790/coinbar/api/v2' });
    const signature = cbpay.sign(env.BODY);
    cbpay.free();
    return new Response(signature);
  },
};
