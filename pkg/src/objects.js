// GENERATED from the `object!` declarations in src/model/*.rs by `cargo test`
// (src/model/object/js.rs); do not edit. Change a declaration there, then
// `UPDATE_GENERATED=1 cargo test --lib object::js`.
//
// The core hands some objects to JS as tokens rather than JSON (src/model/object/tokens.rs:
// each value in declaration order, NUL after each, after a \u0002 mark): splitting them and
// assigning each member takes a fraction of `JSON.parse`. Each `read…` function builds the
// object with its members in the JSON form's order; it takes the JSON form too (the core
// sends it when a text cannot be a token).

/** The token of an absent field. */
const NULL = '\u0001';
/** The tokens being read, and the next one's index (one object is read at a time). */
let v = [];
let i = 0;
/** Whether the answer is tokens (else it is JSON). */
const isTokens = (text) => text.charCodeAt(0) === 2;

/** The next token: a text, or null for an absent field (the `NULL` token). */
function next() {
  const t = v[i++];
  return t === NULL ? null : t;
}

/** A list's items (after its `[`): each an `o` and the item's tokens, until `]`. */
function list(fill) {
  const items = [];
  while (v[i++] === 'o') items.push(fill({}));
  return items;
}

function fillPaymentDetail(o) {
  o.destination_coin = next();
  o.trade_pair = next();
  o.destination_amount = next();
  o.coin_change = next();
  o.total_price = next();
  return o;
}

function fillPayment(o) {
  o.payment_id_coinbar = next();
  o.payment_request_id_client = next();
  o.service_client_id = next();
  o.status = next();
  if (o.status !== null) {
    o.is_final = next() === '1';
    o.is_paid = next() === '1';
  }
  o.status_descr = next();
  o.input_coin = next();
  next();
  o.payment_detail = fillPaymentDetail({});
  o.creation_time = next();
  o.update_time = next();
  return o;
}

function fillCustomer(o) {
  o.external_user_id = next();
  o.name = next();
  o.surname = next();
  o.email = next();
  const post_balance = next();
  if (post_balance !== null) o.post_balance = post_balance;
  return o;
}

function fillProductEcho(o) {
  o.product_name = next();
  o.product_price = next();
  o.product_amount = next();
  o.product_id = next();
  o.product_type = next();
  return o;
}

function fillCallbackEvent(o) {
  fillPayment(o);
  o.customer = next() === null ? null : fillCustomer({});
  next();
  o.products = list(fillProductEcho);
  return o;
}

/**
 * A `CallbackEvent` from the core's answer (tokens or JSON).
 * @param {string} text
 */
export function readCallbackEvent(text) {
  if (!isTokens(text)) return JSON.parse(text);
  v = text.slice(1).split('\0');
  i = 0;
  const o = fillCallbackEvent({});
  o.idempotency_key = v[i++];
  v = [];
  return o;
}
