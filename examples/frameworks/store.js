// What the recipes share. Their callback store is the package's memoryStore(): one process
// (one isolate on Workers), gone on restart; use your database instead (docs/callbacks.md has
// the SQL store for SQLite / D1 / PostgreSQL).

/** Stands in for your orders table: the order ids marked paid, once each. */
export const paidOrders = [];

/** Your effect for a verified callback; it must be safe to run again after a crash. */
export async function fulfil(event) {
  if (event.is_paid) paidOrders.push(event.payment_request_id_client);
}
