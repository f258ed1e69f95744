//! The exact decimal reference: digit vectors without a width limit, and the exact value
//! of number texts. The oracle for `Money`, `decimal_text` and cart totals.

use super::*;

/// An exact decimal: `(-1)^neg × mag × 10^-scale`, `mag` as little-endian decimal digits
/// without high zeros (empty for zero). No width limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dec {
    pub neg: bool,
    pub mag: Vec<u8>,
    pub scale: u32,
}

/// `Money`'s largest mantissa (a 96-bit decimal's), 2^96 − 1.
pub const DECIMAL_MAX_MANTISSA: &str = "79228162514264337593543950335";

pub fn trim_high(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

pub fn cmp_mag(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

pub fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    trim_high(out)
}

/// `a − b` for `a ≥ b`.
pub fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &d) in a.iter().enumerate() {
        let mut s = d as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if s < 0 {
            s += 10;
            borrow = 1;
        }
        out.push(s as u8);
    }
    trim_high(out)
}

pub fn mul_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j] += u32::from(x) * u32::from(y);
        }
    }
    let mut out = Vec::with_capacity(acc.len() + 1);
    let mut carry = 0u32;
    for v in acc {
        let s = v + carry;
        out.push((s % 10) as u8);
        carry = s / 10;
    }
    while carry > 0 {
        out.push((carry % 10) as u8);
        carry /= 10;
    }
    trim_high(out)
}

/// `mag × factor` in place.
pub fn mul_small(mag: &mut Vec<u8>, factor: u64) {
    let mut carry = 0u64;
    for d in mag.iter_mut() {
        let v = u64::from(*d) * factor + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    while carry > 0 {
        mag.push((carry % 10) as u8);
        carry /= 10;
    }
}

pub fn digits_le(text: &str) -> Vec<u8> {
    trim_high(text.bytes().rev().map(|b| b - b'0').collect())
}

pub fn shift_up(mag: &[u8], by: u32) -> Vec<u8> {
    if mag.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0u8; by as usize];
    out.extend_from_slice(mag);
    out
}

impl Dec {
    pub fn zero() -> Dec {
        Dec { neg: false, mag: Vec::new(), scale: 0 }
    }

    pub fn from_parts(neg: bool, digits_be: &str, scale: u32) -> Dec {
        let mag = digits_le(digits_be);
        Dec { neg: neg && !mag.is_empty(), mag, scale }
    }

    pub fn from_u128(v: u128, neg: bool, scale: u32) -> Dec {
        Dec::from_parts(neg, &v.to_string(), scale)
    }

    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    /// Trailing fraction zeros removed.
    pub fn normalized(&self) -> Dec {
        let mut d = self.clone();
        while d.scale > 0 && d.mag.first() == Some(&0) {
            d.mag.remove(0);
            d.scale -= 1;
        }
        if d.mag.is_empty() {
            d.scale = 0;
            d.neg = false;
        }
        d
    }

    /// The mantissa at a scale at least `self.scale`.
    fn mag_at(&self, scale: u32) -> Vec<u8> {
        shift_up(&self.mag, scale - self.scale)
    }

    pub fn add(&self, o: &Dec) -> Dec {
        let scale = self.scale.max(o.scale);
        let (a, b) = (self.mag_at(scale), o.mag_at(scale));
        let (neg, mag) = if self.neg == o.neg {
            (self.neg, add_mag(&a, &b))
        } else if cmp_mag(&a, &b) != std::cmp::Ordering::Less {
            (self.neg, sub_mag(&a, &b))
        } else {
            (o.neg, sub_mag(&b, &a))
        };
        Dec { neg: neg && !mag.is_empty(), mag, scale }
    }

    pub fn neg(&self) -> Dec {
        Dec { neg: !self.neg && !self.is_zero(), ..self.clone() }
    }

    pub fn sub(&self, o: &Dec) -> Dec {
        self.add(&o.neg())
    }

    pub fn abs(&self) -> Dec {
        Dec { neg: false, ..self.clone() }
    }

    pub fn mul(&self, o: &Dec) -> Dec {
        let mag = mul_mag(&self.mag, &o.mag);
        Dec { neg: self.neg != o.neg && !mag.is_empty(), mag, scale: self.scale + o.scale }
    }

    /// `10^-places`.
    pub fn ulp(places: u32) -> Dec {
        Dec { neg: false, mag: vec![1], scale: places }
    }

    pub fn cmp_abs(&self, o: &Dec) -> std::cmp::Ordering {
        let scale = self.scale.max(o.scale);
        cmp_mag(&self.mag_at(scale), &o.mag_at(scale))
    }

    /// Big-endian digits of the mantissa ("0" for zero).
    pub fn digits(&self) -> String {
        if self.mag.is_empty() {
            return String::from("0");
        }
        self.mag.iter().rev().map(|d| char::from(b'0' + d)).collect()
    }

    /// What `Money::to_plain_string` prints: normalized, no exponent, `0` for zero.
    pub fn plain(&self) -> String {
        let n = self.normalized();
        if n.is_zero() {
            return String::from("0");
        }
        let digits = n.digits();
        let scale = n.scale as usize;
        let body = if scale == 0 {
            digits
        } else if digits.len() > scale {
            format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
        } else {
            format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
        };
        if n.neg {
            format!("-{body}")
        } else {
            body
        }
    }

    /// Whether a 96-bit decimal (`Money`) holds this value unrounded at exactly this scale.
    pub fn fits_at_own_scale(&self) -> bool {
        self.scale <= 28 && cmp_mag(&self.mag, &digits_le(DECIMAL_MAX_MANTISSA)) != std::cmp::Ordering::Greater
    }

    /// Whether the value is representable by a 96-bit decimal at all.
    pub fn representable(&self) -> bool {
        self.normalized().fits_at_own_scale()
    }

    /// Significant digits of the normalized value (`0` → 1), as `Money::significant_digits`.
    pub fn significant_digits(&self) -> u32 {
        (self.normalized().mag.len() as u32).max(1)
    }

    /// Digits after the point of the normalized value.
    pub fn fraction_digits(&self) -> u32 {
        self.normalized().scale
    }

    /// Digits before the point (`0.5` → 1).
    pub fn integer_digits(&self) -> u32 {
        let n = self.normalized();
        (n.mag.len() as u32).saturating_sub(n.scale).max(1)
    }

    /// ECMAScript's `String(x)` for this value, if it were a double holding exactly these
    /// digits.
    pub fn es_string(&self) -> String {
        let n = self.normalized();
        if n.is_zero() {
            return String::from("0");
        }
        let digits = n.digits();
        let k = digits.len() as i64;
        es_layout(n.neg, &digits, k - i64::from(n.scale))
    }
}

/// A plain decimal as the SDK documents it: `-?[0-9]+(\.[0-9]+)?`. The documented
/// grammar itself, run by the `regex` crate: an oracle independent of `money.rs`'s
/// hand-written scanner.
pub fn is_plain_syntax(s: &str) -> bool {
    thread_local! {
        static PLAIN: regex::Regex = regex::Regex::new(r"\A-?[0-9]+(\.[0-9]+)?\z").expect("regex");
    }
    PLAIN.with(|re| re.is_match(s))
}

/// A plain decimal's exact value.
pub fn parse_plain_ref(s: &str) -> Option<Dec> {
    if !is_plain_syntax(s) {
        return None;
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    Some(Dec::from_parts(neg, &format!("{int}{frac}"), frac.len() as u32))
}

/// The exact value of a number text with an optional exponent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumRef {
    Exact(Dec),
    /// Nonzero and at least 10^60 in magnitude: fits no decimal type here.
    Huge,
    /// Nonzero with more than 100,000 fraction digits: fits no decimal type here.
    Tiny,
}

/// How a number text is written: digits of the mantissa, and the scale it implies.
pub struct NumText {
    pub neg: bool,
    pub mantissa_digits: String,
    /// `fraction length − exponent`; the value is `mantissa × 10^-written_scale`.
    pub written_scale: i64,
}

/// `-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`: a JSON number, leading zeros allowed.
pub fn number_text(s: &str) -> Option<NumText> {
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if !is_plain_syntax(mant) {
        return None;
    }
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let trimmed = digits.trim_start_matches('0');
            let v: i64 = if trimmed.len() > 12 { 1_000_000_000_000 } else { trimmed.parse().unwrap_or(0) };
            if e.starts_with('-') {
                -v
            } else {
                v
            }
        }
    };
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, mant),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    Some(NumText { neg, mantissa_digits: format!("{int}{frac}"), written_scale: frac.len() as i64 - exp })
}

pub fn parse_number_ref(s: &str) -> Option<NumRef> {
    let t = number_text(s)?;
    let mag = digits_le(&t.mantissa_digits);
    if mag.is_empty() {
        return Some(NumRef::Exact(Dec::zero()));
    }
    let trailing = mag.iter().take_while(|&&d| d == 0).count() as i64;
    let significant = mag.len() as i64 - trailing;
    let scale = t.written_scale - trailing; // of the normalized value
    if significant - scale > 60 {
        return Some(NumRef::Huge);
    }
    if scale > 100_000 {
        return Some(NumRef::Tiny);
    }
    let core: Vec<u8> = mag[trailing as usize..].to_vec();
    Some(NumRef::Exact(if scale >= 0 {
        Dec { neg: t.neg, mag: core, scale: scale as u32 }
    } else {
        Dec { neg: t.neg, mag: shift_up(&core, (-scale) as u32), scale: 0 }
    }))
}
