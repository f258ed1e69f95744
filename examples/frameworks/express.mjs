// Express 5: Coinbar's callback on POST /coinbar/callback.
//   PORT=3000 node express.mjs   (COINBAR_SERVICE_CLIENT_ID, COINBAR_SECRET_KEY, COINBAR_BASE_URL | COINBAR_ENV)
import express from 'express';
import { CoinbarPay, CoinbarError, memoryStore } from 'coinbar-pay';
import { fulfil, paidOrders } from './store.js';

const cbpay = CoinbarPay.fromEnv();
const store = memoryStore();
const app = express();

// The raw bytes, for this route only: Coinbar signs exactly what it sends, as application/json
// (express.raw() without `type` reads only application/octet-stream and leaves the body unread).
app.post('/coinbar/callback', express.raw({ type: 'application/json' }), async (req, res, next) => {
  try {
    const { status, outcome } = await cbpay.handleCallback(req.body, req.headers, { store, handler: fulfil });
    res.status(status).json({ outcome }); // 409 while another delivery is being handled: Coinbar retries
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return res.status(401).end(); // not from Coinbar
    next(e); // your handler failed (or the route is set up wrong): 500, Coinbar retries
  }
});

app.use(express.json()); // the rest of the app parses JSON as usual
app.get('/paid', (req, res) => res.json(paidOrders));

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0', () => {
  console.log(`listening on http://${process.env.HOST ?? 'localhost'}:${server.address().port}`);
});
