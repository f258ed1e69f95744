const fs = process.getBuiltinModule('node:fs');
const s = JSON.stringify(JSON.parse(fs.readFileSync('/work/main/bench/inputs/callback.json', 'utf8')));
const o = JSON.parse(s);
const vals = [o.result, o.payment_id_coinbar, o.payment_request_id_client, o.service_client_id, o.status, o.payment_detail.destination_coin, o.payment_detail.trade_pair, String(o.payment_detail.destination_amount), String(o.payment_detail.coin_change), String(o.payment_detail.total_price), o.input_coin, o.creation_time, o.update_time, o.status_descr, o.customer.external_user_id, o.customer.name, o.customer.surname, o.customer.email, '3'];
for (const p of o.products) vals.push(p.product_name, String(p.product_price), String(p.product_amount), p.product_id, p.product_type);
const flat = vals.join('\u0000');
const enc = new TextEncoder(); const td = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
const b = enc.encode(flat); const bj = enc.encode(s);
function build(t) {
  const v = t.split('\u0000'); let i = 0;
  const ev = { result: v[i++], payment_id_coinbar: v[i++], payment_request_id_client: v[i++], service_client_id: v[i++], status: v[i++], is_final: true, is_paid: true,
    payment_detail: { destination_coin: v[i++], trade_pair: v[i++], destination_amount: v[i++], coin_change: v[i++], total_price: v[i++] },
    input_coin: v[i++], creation_time: v[i++], update_time: v[i++], status_descr: v[i++],
    customer: { external_user_id: v[i++], name: v[i++], surname: v[i++], email: v[i++] }, products: [] };
  const n = +v[i++];
  for (let k = 0; k < n; k++) ev.products.push({ product_name: v[i++], product_price: v[i++], product_amount: v[i++], product_id: v[i++], product_type: v[i++] });
  return ev;
}
function t(name, fn, n = 200000) { for (let i = 0; i < 20000; i++) fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); console.log(name.padEnd(24), ((performance.now() - t0) * 1000 / n).toFixed(3), 'µs'); }
for (let r = 0; r < 3; r++) {
  t('decode+JSON.parse', () => JSON.parse(td.decode(bj)));
  t('decode+split+build', () => build(td.decode(b)));
}
