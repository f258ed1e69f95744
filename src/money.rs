//! Exact decimal money: parsing prices and amounts, exact cart totals, and formatting a
//! decimal the way ECMAScript prints the same number.
//!
//! A [`Money`] is a sign, an integer mantissa below 2^96 and a scale of at most 28 decimal
//! places (the range of a 96-bit decimal, 28 significant digits). The product rules in
//! [`crate::validate`] keep every price, quantity and total well inside that range, and no
//! operation here ever rounds silently: every result is exact or refused (only the
//! informative [`Money::checked_div_rounded`] rounds, to the places asked for).
//!
//! Hand-written fixed-point integer arithmetic (about 200 lines) instead of `rust_decimal`:
//! the core needs parse, add, multiply, one rounded division and printing, and
//! `rust_decimal` cost ~30 KB of the `.wasm` for them (bench/README.md). The fuzz target
//! `money` checks every operation against an unbounded decimal reference.

#[allow(unused_imports)]
use crate::prelude::*;

use core::str::FromStr;

/// Largest mantissa (2^96 − 1) and scale.
const MAX_MANTISSA: u128 = (1 << 96) - 1;
const MAX_SCALE: u32 = 28;

/// An exact decimal amount of money (or of a coin): `(-1)^neg × mantissa × 10^-scale`,
/// always normalized (no trailing zero in the mantissa below the point; zero is `+0`), so
/// equal values are equal structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Money {
    neg: bool,
    mantissa: u128,
    scale: u32,
}

/// Why a text is not a usable decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a plain decimal such as `12`, `0.5` or `-3.25`.
    Syntax,
    /// More than 28 significant digits, or out of range.
    TooPrecise,
}

/// `10^n`, or `None` past `u128`.
fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

/// `10^n` for `n` in `0..=19`: the `u64` powers of ten.
const POW10_U64: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// Number of decimal digits of `m` (`0` has 1). In `u64` once the value fits: a `u128`
/// division is a call into a software routine in wasm (prepare's profile).
fn digit_count(mut m: u128) -> u32 {
    let mut digits = 1;
    while m > u128::from(u64::MAX) {
        m /= 10;
        digits += 1;
    }
    let mut small = m as u64; // fits: checked just above
    while small >= 10 {
        small /= 10;
        digits += 1;
    }
    digits
}

/// The decimal digits of `m`, written at the end of `buf` (`0` is `"0"`).
fn decimal_digits(mut m: u128, buf: &mut [u8; 40]) -> &[u8] {
    let mut i = buf.len();
    let mut push = |d: u8| {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + d;
        }
    };
    while m > u128::from(u64::MAX) {
        push((m % 10) as u8);
        m /= 10;
    }
    let mut small = m as u64; // fits: checked just above
    loop {
        push((small % 10) as u8);
        small /= 10;
        if small == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or(&[])
}

impl Money {
    pub const ZERO: Money = Money { neg: false, mantissa: 0, scale: 0 };

    /// The normalized value `(-1)^neg × mantissa × 10^-scale`, or `None` out of range.
    fn new(neg: bool, mut mantissa: u128, mut scale: u32) -> Option<Money> {
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa == 0 {
            return Some(Money::ZERO);
        }
        (mantissa <= MAX_MANTISSA && scale <= MAX_SCALE).then_some(Money { neg, mantissa, scale })
    }

    /// The exact value of the digits `int` `frac` (a plain decimal without sign) times
    /// `10^exp`.
    fn from_digits(neg: bool, int: &str, frac: &str, exp: i64) -> Result<Money, MoneyError> {
        // The common case (every price): up to 19 digits and no exponent is a `u64`, well
        // within range, and needs none of the `u128` steps below; the result is the same.
        // Only in builds that sign (speed); the browser build favours size.
        if cfg!(feature = "signer") && exp == 0 && int.len() + frac.len() <= 19 {
            let digits = |m: u64, part: &str| {
                part.bytes().fold(m, |m, b| m.wrapping_mul(10).wrapping_add(u64::from(b.wrapping_sub(b'0'))))
            };
            let mut m = digits(digits(0, int), frac);
            let mut scale = frac.len() as u32; // <= 19
            while scale > 0 && m % 10 == 0 {
                m /= 10;
                scale -= 1;
            }
            if m == 0 {
                return Ok(Money::ZERO);
            }
            return Ok(Money { neg, mantissa: u128::from(m), scale });
        }
        let mut mantissa: u128 = 0;
        let mut zeros: u32 = 0; // zeros seen since the last nonzero digit
        for b in int.bytes().chain(frac.bytes()) {
            let d = u128::from(b.wrapping_sub(b'0'));
            if d == 0 {
                zeros = zeros.saturating_add(1);
                continue;
            }
            mantissa = pow10(zeros.saturating_add(1))
                .and_then(|p| mantissa.checked_mul(p))
                .and_then(|m| m.checked_add(d))
                .filter(|m| *m <= MAX_MANTISSA)
                .ok_or(MoneyError::TooPrecise)?;
            zeros = 0;
        }
        if mantissa == 0 {
            return Ok(Money::ZERO);
        }
        let scale = frac.len() as i64 - exp - i64::from(zeros);
        if scale < 0 {
            let up = u32::try_from(-scale).map_err(|_| MoneyError::TooPrecise)?;
            let m = pow10(up).and_then(|p| mantissa.checked_mul(p)).ok_or(MoneyError::TooPrecise)?;
            return Money::new(neg, m, 0).ok_or(MoneyError::TooPrecise);
        }
        let scale = u32::try_from(scale).map_err(|_| MoneyError::TooPrecise)?;
        Money::new(neg, mantissa, scale).ok_or(MoneyError::TooPrecise)
    }

    /// Parse a plain decimal: optional `-`, digits, optional `.` and digits. No exponent, no
    /// `+`, no spaces, no `.5` or `5.` forms: this is what a merchant's price string looks like.
    pub fn parse_plain(s: &str) -> Result<Money, MoneyError> {
        if !is_plain_decimal(s) {
            return Err(MoneyError::Syntax);
        }
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        Money::from_digits(neg, int, frac, 0)
    }

    /// Parse the text of a JSON number (may carry an exponent, e.g. `1e-7`, `2.5E+3`).
    pub fn parse_json_number(s: &str) -> Result<Money, MoneyError> {
        let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else { return Money::parse_plain(s) };
        if !is_plain_decimal(mantissa) || !is_exponent(exponent) {
            return Err(MoneyError::Syntax);
        }
        let (exp_neg, digits) = match exponent.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, exponent.strip_prefix('+').unwrap_or(exponent)),
        };
        // An exponent beyond ±10^12 is out of any range here (saturated, never wrapped).
        let digits = digits.trim_start_matches('0');
        let magnitude: i64 = if digits.len() > 12 { 1_000_000_000_000 } else { digits.parse().unwrap_or(0) };
        let exp = if exp_neg { -magnitude } else { magnitude };
        let (neg, m) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa),
        };
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        Money::from_digits(neg, int, frac, exp)
    }

    pub fn from_u64(n: u64) -> Money {
        Money::new(false, u128::from(n), 0).unwrap_or_default()
    }

    pub fn is_negative(&self) -> bool {
        self.neg
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Digits after the decimal point, ignoring trailing zeros (`2.50` → 1).
    pub fn fraction_digits(&self) -> u32 {
        self.scale
    }

    /// Significant digits, ignoring leading zeros and the fraction's trailing zeros
    /// (`0.00120` → 2, `0` → 1; a whole number counts all its digits: `1200` → 4).
    pub fn significant_digits(&self) -> u32 {
        digit_count(self.mantissa)
    }

    /// Digits before the decimal point (`123.4` → 3, `0.5` → 1).
    pub fn integer_digits(&self) -> u32 {
        // The digits of `mantissa / 10^scale`, without dividing.
        digit_count(self.mantissa).saturating_sub(self.scale).max(1)
    }

    /// The signed mantissa at `scale` (at least the value's own), or `None` past `u128`.
    fn at_scale(&self, scale: u32) -> Option<u128> {
        let up = scale.checked_sub(self.scale)?;
        // In `u64` when the result fits (a price at scale 8): `u128` products are software
        // routines in wasm.
        let small = u64::try_from(self.mantissa).ok().zip(POW10_U64.get(up as usize));
        if let Some(units) = small.and_then(|(m, p)| m.checked_mul(*p)) {
            return Some(u128::from(units));
        }
        pow10(up).and_then(|p| self.mantissa.checked_mul(p))
    }

    /// `self + other`, exact, or `None` when the exact sum does not fit.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.at_scale(scale)?, other.at_scale(scale)?);
        let (neg, m) = if self.neg == other.neg {
            (self.neg, a.checked_add(b)?)
        } else if a >= b {
            (self.neg, a - b)
        } else {
            (other.neg, b - a)
        };
        Money::new(neg, m, scale)
    }

    /// `self × other`, exact, or `None` when the exact product does not fit.
    pub fn checked_mul(self, other: Money) -> Option<Money> {
        if self.is_zero() || other.is_zero() {
            return Some(Money::ZERO);
        }
        let m = self.mantissa.checked_mul(other.mantissa)?;
        let scale = self.scale + other.scale;
        // Refused when the product is out of range as written (as a 96-bit decimal would
        // have to round it), even if it has trailing zeros.
        if m > MAX_MANTISSA || scale > MAX_SCALE {
            return None;
        }
        Money::new(self.neg != other.neg, m, scale)
    }

    /// The value as a whole number of `10^-scale` units (`2.5` at scale 8 is 250000000), or
    /// `None` when negative or finer than `scale`.
    pub fn to_units(&self, scale: u32) -> Option<u128> {
        if self.neg {
            return None;
        }
        self.at_scale(scale)
    }

    /// `self / divisor` rounded half-to-even to `decimals` places (at most 28; fewer when
    /// the quotient is so large that 28 significant digits end before them), for
    /// informative conversions such as "≈ 0.00007580 BTC". `None` for a zero divisor or a
    /// quotient out of range. The amount actually paid is always the one Coinbar returns.
    pub fn checked_div_rounded(self, divisor: Money, decimals: u32) -> Option<Money> {
        if divisor.is_zero() {
            return None;
        }
        let neg = self.neg != divisor.neg;
        let (n, den) = (self.mantissa, divisor.mantissa);
        // self / divisor = (n / den) × 10^k; digits of n / den past the point: t = scale + k.
        let k = i64::from(divisor.scale) - i64::from(self.scale);
        let want = i64::from(decimals.min(MAX_SCALE)) + k;
        let (mut q, mut r) = (n / den, n % den); // q <= n: in range
        if want < 0 {
            // Round q + r/den to a multiple of 10^-want.
            let Some(p) = u32::try_from(-want).ok().and_then(pow10) else {
                return Some(Money::ZERO); // 10^-want > 2 × q: rounds to 0
            };
            let (whole, rem, half) = (q / p, q % p, p / 2);
            let up = rem > half || (rem == half && (r > 0 || whole % 2 == 1));
            return Money::new(neg, whole + u128::from(up), decimals.min(MAX_SCALE));
        }
        let mut t: i64 = 0;
        while t < want && q < MAX_MANTISSA / 10 {
            let r10 = r * 10; // r < den < 2^96
            q = q * 10 + r10 / den;
            r = r10 % den;
            t += 1;
        }
        if 2 * r > den || (2 * r == den && q % 2 == 1) {
            q += 1;
        }
        let scale = t - k;
        if scale < 0 {
            let m = pow10(u32::try_from(-scale).ok()?).and_then(|p| q.checked_mul(p))?;
            return Money::new(neg, m, 0);
        }
        Money::new(neg, q, u32::try_from(scale).ok()?)
    }

    /// The exact value as a plain decimal string without trailing zeros (`3.97`, `2`, `0.0001`).
    pub fn to_plain_string(&self) -> String {
        let mut out = String::with_capacity(48);
        self.push_plain(&mut out);
        out
    }

    /// Append [`Money::to_plain_string`] to `out`.
    fn push_plain(&self, out: &mut String) {
        if self.neg {
            out.push('-');
        }
        write_plain_decimal(out, self.mantissa, self.scale);
    }

    /// The nearest `f64` to the value, ties to even: the same bits as Rust's correctly
    /// rounded `str::parse::<f64>` of [`Money::to_plain_string`] (tested against it).
    ///
    /// Computed from the integer mantissa and scale rather than by parsing text, because
    /// `parse::<f64>` (core's `dec2flt`) costs ~17 KB of code and tables in the server
    /// `.wasm` (~5 KB gzip) for a conversion that only ever sees `m / 10^s`.
    pub fn to_f64(&self) -> f64 {
        let (m, s) = (self.mantissa, self.scale);
        if m == 0 {
            return 0.0; // `to_plain_string` prints every zero as "0": +0.0
        }
        let v = if m < 1 << 53 && s <= 22 {
            // Both operands are exact in an f64 (m < 2^53; 10^s = 2^s * 5^s with 5^22 <
            // 2^53), so the one IEEE division is correctly rounded (Clinger's fast path, as
            // in dec2flt). Every valid price (<= 15 digits, <= 8 decimals) ends here.
            m as f64 / 10u128.pow(s) as f64
        } else {
            ratio_to_f64(m, s)
        };
        if self.neg {
            -v
        } else {
            v
        }
    }

    /// What `JSON.stringify` prints for a price: ECMAScript's `Number::toString` of the
    /// nearest `f64`, written from the exact digits with neither the `f64` nor `ryu-js`.
    /// For at most 15 significant digits, which every price has ([`crate::validate::check_price`]),
    /// the nearest `f64`'s shortest round-trip form has exactly the value's digits (any
    /// decimal of at most 15 digits survives the trip through an `f64`, so no other such
    /// decimal reads as the same `f64`), and only the layout is ECMAScript's: plain from 10^-6
    /// up to 10^21, else `d.ddde±n`. Why: the writer then needs no float formatting at all
    /// (`ryu-js` leaves the server `.wasm`), and printing digits is faster than `to_f64` and
    /// a shortest-form search. A value of more digits (never a price) is written with all
    /// of its own digits in the same layout, not rounded as an `f64`'s.
    pub fn write_price_json(&self, out: &mut String) {
        if self.mantissa == 0 {
            out.push('0');
            return;
        }
        let mut buf = [0u8; 40];
        let all = decimal_digits(self.mantissa, &mut buf);
        if self.neg {
            out.push('-');
        }
        // ECMAScript's `k` digits (no trailing zeros) and point position `n`: x = 0.d1…dk × 10^n.
        let n = all.len() as i64 - i64::from(self.scale);
        let k = all.iter().rposition(|&d| d != b'0').map_or(1, |i| i + 1);
        let digits = all.get(..k).unwrap_or(all);
        fn text(digits: &[u8]) -> &str {
            core::str::from_utf8(digits).unwrap_or("")
        }
        match n {
            1..=21 => {
                let (int, frac) = all.split_at((n as usize).min(all.len()));
                out.push_str(text(int));
                let frac = frac.get(..k.saturating_sub(int.len())).unwrap_or(&[]);
                if !frac.is_empty() {
                    out.push('.');
                    out.push_str(text(frac));
                }
            }
            -5..=0 => {
                out.push_str("0.");
                out.extend(core::iter::repeat_n('0', n.unsigned_abs() as usize));
                out.push_str(text(digits));
            }
            _ => {
                let (first, rest) = digits.split_at(1.min(digits.len()));
                out.push_str(text(first));
                if !rest.is_empty() {
                    out.push('.');
                    out.push_str(text(rest));
                }
                out.push_str(if n > 0 { "e+" } else { "e-" });
                crate::text::write_u64(out, (n - 1).unsigned_abs());
            }
        }
    }

    /// What ECMAScript's `String(Number(x))` prints for this value — and so what
    /// `JSON.stringify` writes for it (`2.5`, `1e-7`, `1e+21`).
    ///
    /// The value is converted to the nearest `f64` ([`Money::to_f64`]) and printed with
    /// `ryu-js`. For values of at most 15 significant digits, which the price rules
    /// guarantee, that shortest round-trip form has exactly the value's digits, so the
    /// number sent is the price given.
    pub fn to_js_number_string(&self) -> String {
        let mut buf = ryu_js::Buffer::new();
        buf.format(self.to_f64()).to_string()
    }
}

/// `m / 10^s` rounded to the nearest `f64`, ties to even, for `0 < m < 2^96` and `s <= 28`
/// (a [`Money`]'s mantissa and scale): binary long division to 64 significant quotient
/// bits, then rounding to 53 with the remainder as sticky bit. The result lies between
/// 10^-28 and 2^96, far inside the normal `f64` range, so scaling by a power of two is exact.
fn ratio_to_f64(m: u128, s: u32) -> f64 {
    let d = 10u128.pow(s); // < 2^94, so `r << 1` below cannot overflow
    let (mut q, mut r) = (m / d, m % d);
    let mut exp: i32 = 0; // m / d == (q + r / d) * 2^exp throughout
    while q < 1 << 63 {
        q <<= 1;
        r <<= 1;
        exp -= 1;
        if r >= d {
            r -= d;
            q |= 1;
        }
    }
    let drop = 128 - q.leading_zeros() - 53; // 11..=43 bits below the 53 kept
    let (mut kept, dropped, half) = (q >> drop, q & ((1 << drop) - 1), 1u128 << (drop - 1));
    if dropped > half || (dropped == half && (r != 0 || kept & 1 == 1)) {
        kept += 1; // may reach 2^53, still exact
    }
    let scale = f64::from_bits(((1023 + exp + drop as i32) as u64) << 52); // 2^(exp + drop)
    kept as f64 * scale
}

/// Append `units / 10^scale` as a plain decimal without trailing zeros (`397, 2` → `3.97`,
/// `1, 4` → `0.0001`, `500, 2` → `5`): amounts ([`Money`]) and cart totals (whole 10^-8
/// units, which can exceed a `Money` mantissa) print through it.
pub(crate) fn write_plain_decimal(out: &mut String, mut units: u128, mut scale: u32) {
    while scale > 0 && units % 10 == 0 {
        units /= 10;
        scale -= 1;
    }
    let mut digits = String::with_capacity(40);
    crate::text::write_u128(&mut digits, units);
    let scale = scale as usize;
    if scale == 0 {
        out.push_str(&digits);
    } else if digits.len() > scale {
        let point = digits.len() - scale;
        out.push_str(digits.get(..point).unwrap_or(""));
        out.push('.');
        out.push_str(digits.get(point..).unwrap_or(""));
    } else {
        out.push_str("0.");
        out.extend(core::iter::repeat_n('0', scale - digits.len()));
        out.push_str(&digits);
    }
}

impl core::fmt::Display for Money {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_plain(s)
    }
}

/// `-?[0-9]+(\.[0-9]+)?`
pub(crate) fn is_plain_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// `[+-]?[0-9]+`: the exponent of a JSON number, after the `e`.
fn is_exponent(e: &str) -> bool {
    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Normalize an amount as Coinbar sent it (the raw text of a JSON number, or a numeric
/// string) into a plain decimal string that keeps every digit sent. Plain decimals are
/// returned unchanged (`0.00045145423250897323`, `1.20`); exponent forms are expanded.
pub fn decimal_text(raw: &str) -> Result<String, MoneyError> {
    let mut out = String::new();
    push_decimal_text(&mut out, raw)?;
    Ok(out)
}

/// [`decimal_text`], appended to `out` (the JSON writer of answers writes amounts with it,
/// with no `String` per amount); nothing is appended when `raw` is refused.
pub(crate) fn push_decimal_text(out: &mut String, raw: &str) -> Result<(), MoneyError> {
    if is_plain_decimal(raw) {
        out.push_str(raw);
        return Ok(());
    }
    Money::parse_json_number(raw)?.push_plain(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse_plain(s).unwrap()
    }

    #[test]
    fn documented_cart_total_is_exact() {
        let total = m("1.99")
            .checked_mul(Money::from_u64(1))
            .unwrap()
            .checked_add(m("0.99").checked_mul(Money::from_u64(2)).unwrap())
            .unwrap();
        assert_eq!(total.to_plain_string(), "3.97");
        // The float sum that a naive JS cart gets wrong:
        assert_ne!(format!("{}", 1.99f64 + 0.99 * 2.0), "3.97");
    }

    #[test]
    fn plain_syntax_is_strict() {
        for ok in ["0", "12", "12.5", "-3.25", "0.000001", "007"] {
            assert!(Money::parse_plain(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-", ".5", "5.", "+1", "1e3", " 1", "1 ", "1,5", "0x10", "NaN", "Infinity", "1..2", "--1"] {
            assert_eq!(Money::parse_plain(bad), Err(MoneyError::Syntax), "{bad}");
        }
        assert_eq!(Money::parse_plain("1.00000000000000000000000000001"), Err(MoneyError::TooPrecise));
    }

    #[test]
    fn js_number_formatting_matches_ecmascript() {
        let cases = [
            ("2.50", "2.5"),
            ("2", "2"),
            ("2.000", "2"),
            ("0.1", "0.1"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("0.00000012", "1.2e-7"),
            ("123456789012.345", "123456789012.345"),
            ("1000000000000000000000", "1e+21"),
            ("100000000000000000000", "100000000000000000000"),
            ("-0", "0"),
            ("999999999999.99", "999999999999.99"),
        ];
        for (input, js) in cases {
            assert_eq!(m(input).to_js_number_string(), js, "{input}");
        }
    }

    /// `write_price_json` against `to_js_number_string` (the `f64` and `ryu-js`), on every
    /// layout and digit count a price can have, and the fast `u64` parse against the general
    /// `u128` one (reached here through the exponent form, which skips the fast path).
    #[test]
    fn prices_are_written_like_ecmascript_from_their_digits() {
        let mut x = 0x2545_f491_4f6c_dd1du64; // xorshift, fixed seed
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut texts: Vec<String> = vec!["0".into(), "-0".into(), "0.00000001".into(), "0.000001".into()];
        for _ in 0..20_000 {
            let digits = 1 + next() % 15;
            let frac = next() % 9;
            let mut t: String = (0..digits).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            if next() % 3 == 0 {
                t.push_str(&"0".repeat((next() % 5) as usize)); // trailing zeros
            }
            let frac = (frac as usize).min(t.len() - 1);
            if frac > 0 {
                t.insert(t.len() - frac, '.');
            }
            texts.push(t);
        }
        for t in &texts {
            let Ok(m) = Money::parse_plain(t) else { continue };
            let general = Money::parse_json_number(&format!("{t}e0")).unwrap();
            assert_eq!(m, general, "{t}");
            if crate::validate::check_price(m).is_err() {
                continue;
            }
            let mut out = String::from("x");
            m.write_price_json(&mut out);
            assert_eq!(out, format!("x{}", m.to_js_number_string()), "{t}");
        }
        for (m, js) in [
            (Money::new(false, 1, 7).unwrap(), "1e-7"),
            (Money::new(false, 12, 8).unwrap(), "1.2e-7"),
            (Money::new(false, 1, 6).unwrap(), "0.000001"),
            (Money::new(false, 10u128.pow(21), 0).unwrap(), "1e+21"),
            (Money::new(false, 123 * 10u128.pow(20), 0).unwrap(), "1.23e+22"),
            (Money::new(false, 10u128.pow(20), 0).unwrap(), "100000000000000000000"),
            (Money::new(true, 25, 1).unwrap(), "-2.5"),
        ] {
            let mut out = String::new();
            m.write_price_json(&mut out);
            assert_eq!(out, js);
            assert_eq!(m.to_js_number_string(), js);
        }
    }

    /// `to_f64`, and the long division alone (also where the fast path answers), give the
    /// same bits as Rust's correctly rounded parser of the plain text.
    fn assert_f64_like_parse(neg: bool, mantissa: u128, scale: u32) {
        let m = Money::new(neg, mantissa, scale).unwrap();
        let parsed = m.to_plain_string().parse::<f64>().unwrap();
        assert_eq!(m.to_f64().to_bits(), parsed.to_bits(), "{}", m.to_plain_string());
        if mantissa != 0 {
            let slow = ratio_to_f64(mantissa, scale);
            assert_eq!(slow.to_bits(), parsed.abs().to_bits(), "long division of {}", m.to_plain_string());
        }
    }

    #[test]
    fn to_f64_matches_the_std_parser() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64; // splitmix64, fixed seed
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..200_000 {
            let bits = 1 + next() % 96; // mantissa of 1..=96 bits
            let m = ((u128::from(next()) << 64) | u128::from(next())) & ((1u128 << bits) - 1);
            let scale = (next() % 29) as u32;
            assert_f64_like_parse(false, m, scale);
            assert_f64_like_parse(true, m, scale);
        }
        // Exact halfway cases (54 significant bits ending in 1) and their neighbours, at
        // scale 0 and as (2^53 + odd) * 5^s / 10^s.
        for j in 0..200u128 {
            let odd = (1u128 << 53) + 2 * j + 1;
            for shift in 0..42 {
                for delta in [-1i128, 0, 1] {
                    let m = ((odd << shift) as i128 + delta) as u128;
                    assert_f64_like_parse(false, m, 0);
                }
            }
            for s in 1..=18u32 {
                for delta in [-1i128, 0, 1] {
                    let m = ((odd * 5u128.pow(s)) as i128 + delta) as u128;
                    assert_f64_like_parse(false, m, s);
                }
            }
        }
        let extremes =
            [(false, MAX_MANTISSA, 0), (true, MAX_MANTISSA, 0), (false, 1, 28), (true, 1, 28), (false, 0, 0)];
        for (neg, mantissa, scale) in extremes {
            assert_f64_like_parse(neg, mantissa, scale);
        }
        for price in ["3.5", "0.00000001", "999999999999.99", "123456789012.345", "0.1", "2.50"] {
            let p = m(price);
            assert_f64_like_parse(p.neg, p.mantissa, p.scale);
        }
    }

    #[test]
    fn digit_counts() {
        assert_eq!(m("0.00120").significant_digits(), 2);
        assert_eq!(m("0").significant_digits(), 1);
        assert_eq!(m("120.50").significant_digits(), 4);
        // Found by fuzzing: trailing zeros of a whole number are significant.
        assert_eq!(m("20").significant_digits(), 2);
        assert_eq!(m("1200.00").significant_digits(), 4);
        assert_eq!(m("2.50").fraction_digits(), 1);
        assert_eq!(m("123.4").integer_digits(), 3);
        assert_eq!(m("0.5").integer_digits(), 1);
        assert_eq!(m("1000000000000").integer_digits(), 13);
    }

    #[test]
    fn json_number_text_with_exponent() {
        assert_eq!(Money::parse_json_number("1e-7").unwrap().to_plain_string(), "0.0000001");
        assert_eq!(Money::parse_json_number("2.5E+3").unwrap().to_plain_string(), "2500");
        assert_eq!(Money::parse_json_number("1e400"), Err(MoneyError::TooPrecise));
        for tiny in ["1e-30", "1e-29", "1.139079810E-53", "0.0000000000000000000000000000001e0"] {
            assert_eq!(Money::parse_json_number(tiny), Err(MoneyError::TooPrecise), "{tiny} is not 0");
            assert!(decimal_text(tiny).is_err(), "{tiny}");
        }
        assert_eq!(Money::parse_json_number("-0.000E+5").unwrap(), Money::ZERO);
        for not_a_number in ["+1e5", ".5e1", "1.e5", "1_0e2", "1e", "e5", "1e+", "1e5e5", "-e5", " 1e5"] {
            assert_eq!(Money::parse_json_number(not_a_number), Err(MoneyError::Syntax), "{not_a_number}");
            assert!(decimal_text(not_a_number).is_err(), "{not_a_number}");
        }
    }

    #[test]
    fn response_amounts_keep_every_digit() {
        assert_eq!(decimal_text("0.00045145423250897323").unwrap(), "0.00045145423250897323");
        assert_eq!(decimal_text("1.20").unwrap(), "1.20");
        assert_eq!(decimal_text("50000").unwrap(), "50000");
        assert_eq!(decimal_text("2.4e-5").unwrap(), "0.000024");
        assert!(decimal_text("abc").is_err());
    }

    #[test]
    fn units_at_a_scale() {
        assert_eq!(m("2.5").to_units(8), Some(250_000_000));
        assert_eq!(m("2.50").to_units(2), Some(250));
        assert_eq!(m("0.000000001").to_units(8), None);
        assert_eq!(m("-1").to_units(8), None);
        assert_eq!(m("0").to_units(8), Some(0));
    }

    #[test]
    fn informative_division_rounds_to_the_requested_places() {
        let eur = m("3.97");
        assert_eq!(eur.checked_div_rounded(m("52372.33459748911"), 8).unwrap().to_plain_string(), "0.0000758");
        assert_eq!(m("1").checked_div_rounded(m("3"), 4).unwrap().to_plain_string(), "0.3333");
        assert_eq!(m("2").checked_div_rounded(m("3"), 0).unwrap().to_plain_string(), "1");
        assert!(m("1").checked_div_rounded(Money::ZERO, 8).is_none());
    }

    #[test]
    fn division_rounds_half_to_even_exactly() {
        let q = |a: &str, b: &str, d: u32| m(a).checked_div_rounded(m(b), d).unwrap().to_plain_string();
        assert_eq!(q("1", "8", 2), "0.12", "0.125: tie to even");
        assert_eq!(q("3", "8", 2), "0.38", "0.375: tie to even");
        assert_eq!(q("-1", "3", 2), "-0.33");
        assert_eq!(q("100", "0.92137", 2), "108.53");
        assert_eq!(q("0.0000000000000000000000000015", "1", 27), "0.000000000000000000000000002");
        assert_eq!(q("25", "0.01", 0), "2500");
        assert_eq!(q("79228162514264337593543950335", "1", 28), "79228162514264337593543950335");
        assert_eq!(q("1", "79228162514264337593543950335", 40), "0");
        assert!(m("79228162514264337593543950335").checked_div_rounded(m("0.1"), 2).is_none());
    }

    #[test]
    fn overflowing_arithmetic_is_refused_not_rounded() {
        let big = m("79228162514264337593543950335");
        assert!(big.checked_add(big).is_none());
        let tiny = m("0.000000000000001");
        assert!(tiny.checked_mul(tiny).is_none(), "30 decimal places would round");
        let p = m("0.123456789012345");
        assert!(p.checked_mul(p).is_none());
        assert_eq!(
            m("0.00000000000001").checked_mul(m("0.00000000000001")).unwrap().to_plain_string(),
            "0.0000000000000000000000000001"
        );
        assert_eq!(m("0.5").checked_mul(Money::ZERO), Some(Money::ZERO), "an exact zero product is not a rounding");
        assert_eq!(m("-70403092952186297955498.586884").checked_mul(m("0.000")), Some(Money::ZERO));
    }
}
