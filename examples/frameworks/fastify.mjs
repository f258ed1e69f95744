// Fastify 5: the callback route gets the raw body as a Buffer (a content-type parser in its
// own plugin scope), the rest of the app keeps Fastify's JSON parsing.
//   PORT=3000 node fastify.mjs   (COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL | COINBAR_ENV)
import Fastify from 'fastify';
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';
import { fulfil, paidOrders } from './store.js';

const cbpay = CoinbarPay.fromEnv();
const store = memoryStore();
const app = Fastify();

app.register(async (scope) => {
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => done(null, body));
  scope.post('/coinbar/callback', async (req, reply) => {
    try {
      const { status, outcome } = await cbpay.handleCallback(req.body, req.headers, { store, handler: fulfil });
      return reply.code(status).send({ outcome });
    } catch (e) {
      if (e instanceof CoinbarError && e.code === 'signature') return reply.code(401).send(); // not from Coinbar
      // Your handler failed, or the route is set up wrong (code 'config'): log, 500, Coinbar retries.
      console.error('coinbar callback not processed:', e);
      return reply.code(500).send({ error: 'callback not processed' });
    }
  });
});
app.get('/paid', async () => paidOrders);

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '0.0.0.0' });
console.log(`listening on ${address}`);
