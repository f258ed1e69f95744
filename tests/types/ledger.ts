// Type-checks the coinbar-pay/ledger surface as a merchant uses it (tsc -p tests/types).
import { CoinbarPay } from 'coinbar-pay';
import { createLedger, LedgerError, type Anomaly, type OrderView } from 'coinbar-pay/ledger';

declare const env: { DB: unknown };
declare const raw: Uint8Array;
declare const headers: Headers;

const cbpay = new CoinbarPay({ serviceClientId: 'id', secretKey: 'secret' });
const seen: Anomaly[] = [];
const ledger = createLedger({ db: env.DB, prefix: 'shop_', onAnomaly: (a) => void seen.push(a), budget: { daily: 1000, shares: { checkout: 300 } } });

export async function flow(): Promise<void> {
  await ledger.migrate();
  let view: OrderView;
  try {
    view = await ledger.checkout('order-1', { input_coin: 'EUR', products: [], email: 'a@b.c', user_id: 'u', destination_coin: 'BTC' }, { cbpay, meta: { email: 'a@b.c' } });
  } catch (e) {
    if (e instanceof LedgerError && e.code === 'budget') return;
    throw e;
  }
  const qr: string | null | undefined = view.payment?.payment_string;
  void qr;
  const again = await ledger.payment('order-1');
  if (again?.paid) void again.paid_at;
  const { status, outcome } = await ledger.handleCallback(cbpay, raw, headers);
  void new Response(outcome, { status });
  await cbpay.handleCallback(raw, headers, { store: ledger.store, handler: ledger.handler } as never);
  const r = await ledger.reconcile({ cbpay });
  if (r.budget_exhausted) void r.checked;
  await ledger.drain(async (d, { idempotencyKey }) => void [d.order_id, idempotencyKey]);
  const open: Anomaly[] = await ledger.anomalies({ kind: 'double_paid' });
  await ledger.settleAnomaly(open[0]?.key ?? '', 'refunded');
  const used = (await ledger.budget()).used.checkout ?? 0;
  void used;
  await ledger.prune({ retentionMs: 86_400_000 });
}
