// Exact decimal arithmetic on BigInt, just enough for the sandbox's money maths.
//
// A decimal is { units: BigInt, scale: number } meaning units × 10^-scale. Nothing here ever
// goes through a binary double, so `1.99×1 + 0.99×2` is exactly 3.97 and a conversion such as
// 8.99 / 19913.425 can be carried to 20 significant digits (more than a double holds).

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text ("1.99", "1e-7", "1.5e+21", "-0.25") into an exact decimal. */
export function parseDecimal(text) {
  const m = DECIMAL_TEXT.exec(String(text).trim());
  if (!m) throw new TypeError(`not a decimal number: ${JSON.stringify(String(text))}`);
  const [, sign, intPart, fracPart = '', expPart = '0'] = m;
  let units = BigInt(intPart + fracPart);
  let scale = fracPart.length - Number(expPart);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return normalize({ units: sign ? -units : units, scale });
}

/**
 * Exact decimal of a JS number. String(number) is the shortest text that round-trips, which for
 * the ≤15-significant-digit prices the SDK sends is exactly the decimal the merchant wrote; it is
 * also byte-for-byte the JSON text of the number (the canonical-body check guarantees that).
 */
export function decimalFromNumber(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`not a finite number: ${n}`);
  return parseDecimal(String(n));
}

/** Drops trailing zero digits of the fraction: 3.970 → 3.97. */
function normalize({ units, scale }) {
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

function rescale(d, scale) {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function add(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return normalize({ units: rescale(a, scale) + rescale(b, scale), scale });
}

export function mul(a, b) {
  return normalize({ units: a.units * b.units, scale: a.scale + b.scale });
}

export function isZero(d) {
  return d.units === 0n;
}

export function compare(a, b) {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const digitCount = (n) => (n < 0n ? -n : n).toString().length;

/**
 * a / b carried to `significant` significant digits, TRUNCATED (never rounded up), for
 * positive operands. Our decision for the sandbox: destination_amount = total / rate to 20
 * significant digits, so responses carry values like 0.00045145423250897321 that a double
 * cannot represent and that an SDK must keep as text.
 */
export function divide(a, b, significant = 20) {
  if (b.units === 0n) throw new RangeError('division by zero');
  if (a.units === 0n) return { units: 0n, scale: 0 };
  if (a.units < 0n || b.units < 0n) throw new RangeError('divide() supports positive operands only');
  // a/b = (a.units × 10^b.scale) / (b.units × 10^a.scale)
  const num = a.units * 10n ** BigInt(b.scale);
  const den = b.units * 10n ** BigInt(a.scale);
  // Choose k so that floor(num × 10^k / den) has at least `significant` digits.
  let k = significant - (digitCount(num) - digitCount(den)) + 1;
  const pow = (e) => (e >= 0 ? (num * 10n ** BigInt(e)) / den : num / (den * 10n ** BigInt(-e)));
  let q = pow(k);
  while (digitCount(q) < significant) {
    k += 1;
    q = pow(k);
  }
  const drop = digitCount(q) - significant;
  if (drop > 0) {
    q /= 10n ** BigInt(drop);
    k -= drop;
  }
  if (k < 0) return normalize({ units: q * 10n ** BigInt(-k), scale: 0 });
  return normalize({ units: q, scale: k });
}

/**
 * a / b rounded UP (toward +infinity) to `places` decimal places, exactly, for positive
 * operands: the amount a customer must send so that the merchant is never short
 * (3.97 / 52372.33459748911 to 8 places = 0.00007581, not 0.0000758).
 */
export function divideCeil(a, b, places) {
  if (b.units === 0n) throw new RangeError('division by zero');
  if (a.units < 0n || b.units < 0n) throw new RangeError('divideCeil() supports positive operands only');
  // a/b × 10^places = (a.units × 10^(b.scale + places)) / (b.units × 10^a.scale)
  const num = a.units * 10n ** BigInt(b.scale + places);
  const den = b.units * 10n ** BigInt(a.scale);
  const q = (num + den - 1n) / den;
  return normalize({ units: q, scale: places });
}

/** Truncates to `places` decimal places (toward zero). */
export function truncate(d, places) {
  if (d.scale <= places) return d;
  return normalize({ units: d.units / 10n ** BigInt(d.scale - places), scale: places });
}

/** Integer value of d × 10^places, truncated: e.g. an ETH amount in wei. */
export function toScaledInteger(d, places) {
  return rescale(truncate(d, places), places);
}

/** Plain decimal text, never exponent notation: "0.00045145423250897321", "3.97", "12". */
export function formatDecimal(d) {
  const { units, scale } = normalize(d);
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (negative ? '-' : '') + digits;
}
