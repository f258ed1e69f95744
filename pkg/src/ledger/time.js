// Instants from Coinbar: ISO 8601 with any offset (Z, +02:00, +0200, +02), with or without
// fractional seconds (any number of digits, truncated to ms), a space instead of T, or a Mongo
// `{ "$date": … }` wrapper (reports); a number is already milliseconds. A time without an
// offset is taken as UTC (Coinbar's examples are UTC); never the server's local zone, which is
// what Date.parse would use. Returns ms since the epoch, or null when there is no usable time.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseInstant(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && '$date' in value) return parseInstant(value.$date);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value !== 'string') return null;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Number(`${frac}000`.slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number(mo) > 12 || Number(d) > 31 || Number(h) > 24 || Number(mi) > 59 || Number(s) > 60) return null;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    t -= sign * offset * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}
