// The ledger's own error: `code` says what went wrong, for the merchant's HTTP answer.
//   config           a setup mistake (no database, bad option)
//   budget           the day's share of Coinbar calls for this purpose is spent (answer 503)
//   already_paid     checkout of an order that is paid
//   unknown_payment  a callback for a payment the ledger does not know yet (stored; answer 503)
export class LedgerError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'LedgerError';
    this.code = code;
    Object.assign(this, details);
  }
}
