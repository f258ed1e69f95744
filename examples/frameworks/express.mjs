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
app.post('/coinbar/callback', express.raw({ type: 'application/json' }), async (req, res) => {
  try {
    const { status, outcome } = await cbpay.handleCallback(req.body, req.headers, { store, handler: fulfil });
    res.status(status).json({ outcome }); // 409 while another delivery is being handled: Coinbar retries
  } catch (e) {
    if (e instanceof CoinbarError && e.code === 'signature') return res.status(401).end(); // not from Coinbar
    // Your handler failed, or the route is set up wrong (code 'config': the body was parsed
    // or not read): log it and answer 500 yourself, so Coinbar delivers again once it is fixed
    // (next(e) would let Express answer with e.status, e.g. the 404 of a Coinbar call).
    console.error('coinbar callback not processed:', e);
    res.status(500).json({ error: 'callback not processed' });
  }
});

app.use(express.json()); // the rest of the app parses JSON as usual
app.get('/paid', (req, res) => res.json(paidOrders));

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0', () => {
  console.log(`listening on http://${process.env.HOST ?? 'localhost'}:${server.address().port}`);
});
