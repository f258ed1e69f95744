// Coins, the fixed rate table, fake deposit addresses and payment URIs.
//
// Rates are FIXED so tests can compute expected amounts; the EUR BTC rate is the one in
// Coinbar's docs example (52372.33459748911). They are kept as text and only ever used
// through exact decimal maths.

import { createHash } from 'node:crypto';
import { divide, parseDecimal, formatDecimal, toScaledInteger, truncate } from './decimal.js';

export const FIATS = ['EUR', 'GBP'];

export const COINS = [
  { code: 'BTC', name: 'Bitcoin', rates: { EUR: '52372.33459748911', GBP: '44871.20931' } },
  { code: 'ETH', name: 'Ethereum', rates: { EUR: '2934.5188', GBP: '2514.30227' } },
  { code: 'USDT', name: 'Tether USD (ERC-20)', rates: { EUR: '0.92137', GBP: '0.78945' } },
  { code: 'XRP', name: 'XRP', rates: { EUR: '0.48713', GBP: '0.41738' } },
  { code: 'XDB', name: 'DigitalBits', rates: { EUR: '0.01573', GBP: '0.01348' } },
];

const BY_CODE = new Map(COINS.map((c) => [c.code, c]));

export const isCoin = (code) => BY_CODE.has(code);
export const coinCodes = () => COINS.map((c) => c.code);
export const coinName = (code) => BY_CODE.get(code)?.name ?? code;

/** Rate text (fiat per coin) for a coin in a fiat: "52372.33459748911". */
export function rateText(code, fiat) {
  const coin = BY_CODE.get(code);
  if (!coin || !coin.rates[fiat]) throw new RangeError(`no rate for ${code}/${fiat}`);
  return coin.rates[fiat];
}

/** destination_amount = total / rate, 20 significant digits, truncated (our decision). */
export function convert(totalDecimal, code, fiat) {
  return divide(totalDecimal, parseDecimal(rateText(code, fiat)), 20);
}

// ---- fake but plausible addresses --------------------------------------------------------

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const RIPPLE58 = 'rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Deterministic pseudo-random characters from a seed (sha256 chain). */
function charsFrom(seed, alphabet, length) {
  let out = '';
  let block = createHash('sha256').update(seed).digest();
  let i = 0;
  while (out.length < length) {
    if (i === block.length) {
      block = createHash('sha256').update(block).digest();
      i = 0;
    }
    out += alphabet[block[i] % alphabet.length];
    i += 1;
  }
  return out;
}

/** EIP-55 style mixed case is not needed for a sandbox; lowercase hex is valid. */
const hexFrom = (seed, length) => charsFrom(seed, '0123456789abcdef', length);

/** Deposit address and memo for a payment. Memos only exist on memo/tag chains (XRP, XDB). */
export function depositFor(code, seed) {
  switch (code) {
    case 'BTC':
      return { address: `bc1q${charsFrom(seed, BECH32, 38)}`, memo: '' };
    case 'ETH':
    case 'USDT':
      return { address: `0x${hexFrom(seed, 40)}`, memo: '' };
    case 'XRP':
      // Coinbar uses one shared wallet and tells payments apart by the destination tag.
      return { address: `r${charsFrom('coinbar-xrp', RIPPLE58, 33)}`, memo: tagFrom(seed) };
    case 'XDB':
      return { address: `G${charsFrom('coinbar-xdb', BASE32, 55)}`, memo: tagFrom(seed) };
    default:
      throw new RangeError(`unsupported coin ${code}`);
  }
}

function tagFrom(seed) {
  const n = createHash('sha256').update(`tag:${seed}`).digest().readUInt32BE(0);
  return String((n % 4_000_000_000) + 1_000_000);
}

const USDT_CONTRACT = '0xdac17f958d2ee523a2206206994597c13d831ec7';

/** Coin URI to show as a QR code (BIP21, EIP-681, XRP/XDB with memo). */
export function paymentString(code, address, memo, amountDecimal) {
  const amount = formatDecimal(amountDecimal);
  switch (code) {
    case 'BTC':
      return `bitcoin:${address}?amount=${formatDecimal(truncate(amountDecimal, 8))}`;
    case 'ETH':
      return `ethereum:${address}?value=${toScaledInteger(amountDecimal, 18)}`;
    case 'USDT':
      return `ethereum:${USDT_CONTRACT}/transfer?address=${address}&uint256=${toScaledInteger(amountDecimal, 6)}`;
    case 'XRP':
      return `xrp:${address}?amount=${amount}&dt=${memo}`;
    case 'XDB':
      return `xdb:${address}?amount=${amount}&memo=${memo}`;
    default:
      throw new RangeError(`unsupported coin ${code}`);
  }
}

