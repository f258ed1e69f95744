// Coins, the fixed rate table, fake deposit addresses and payment URIs.
//
// Rates are FIXED so tests can compute expected amounts; the EUR BTC rate is the one in
// Coinbar's docs example (52372.33459748911). They are kept as text and only ever used
// through exact decimal maths.

import { createHash } from 'node:crypto';
import { divideCeil, parseDecimal, formatDecimal, toScaledInteger } from './decimal.js';

export const FIATS = ['EUR', 'GBP'];

// `decimals`: the coin's smallest unit, the most decimals a wallet can send.
//   BTC   8: 1 BTC = 100,000,000 satoshi (Bitcoin Core, src/consensus/amount.h: COIN = 100000000;
//            BIP21's `amount` is decimal BTC, so at most 8 decimals).
//   ETH  18: 1 ether = 10^18 wei (ethereum.org, "Ether denominations"; EIP-681 `value` is in wei).
//   USDT  6: Tether's ERC-20 contract 0xdac17f958d2ee523a2206206994597c13d831ec7 answers
//            decimals() = 6 (Etherscan, "Read Contract").
//   XRP   6: 1 XRP = 1,000,000 drops, "precise to the nearest drop (0.000001 XRP)"
//            (xrpl.org, "Currency Formats").
//   XDB   7: DigitalBits (a Stellar fork) stores amounts as int64 units of 10^-7: its JS SDK
//            has ONE = 10000000 and rejects more than 7 decimal places
//            (github.com/xdbfoundation/xdb-digitalbits-base, src/operation.js, isValidAmount).
export const COINS = [
  { code: 'BTC', name: 'Bitcoin', decimals: 8, rates: { EUR: '52372.33459748911', GBP: '44871.20931' } },
  { code: 'ETH', name: 'Ethereum', decimals: 18, rates: { EUR: '2934.5188', GBP: '2514.30227' } },
  { code: 'USDT', name: 'Tether USD (ERC-20)', decimals: 6, rates: { EUR: '0.92137', GBP: '0.78945' } },
  { code: 'XRP', name: 'XRP', decimals: 6, rates: { EUR: '0.48713', GBP: '0.41738' } },
  { code: 'XDB', name: 'DigitalBits', decimals: 7, rates: { EUR: '0.01573', GBP: '0.01348' } },
];

const BY_CODE = new Map(COINS.map((c) => [c.code, c]));

export const isCoin = (code) => BY_CODE.has(code);
export const coinCodes = () => COINS.map((c) => c.code);
export const coinName = (code) => BY_CODE.get(code)?.name ?? code;
/** Decimal places of the coin's smallest unit (8 for BTC: satoshi). */
export const coinDecimals = (code) => {
  const coin = BY_CODE.get(code);
  if (!coin) throw new RangeError(`unsupported coin ${code}`);
  return coin.decimals;
};

/** Rate text (fiat per coin) for a coin in a fiat: "52372.33459748911". */
export function rateText(code, fiat) {
  const coin = BY_CODE.get(code);
  if (!coin?.rates[fiat]) throw new RangeError(`no rate for ${code}/${fiat}`);
  return coin.rates[fiat];
}

/**
 * destination_amount = total / rate, ROUNDED UP to the coin's smallest unit (our decision, see
 * README "Numbers"): an amount a wallet can send, and never less than the order is worth, as a
 * gateway quoting what the customer must pay does. Never 0 for a total > 0.
 */
export function convert(totalDecimal, code, fiat) {
  return divideCeil(totalDecimal, parseDecimal(rateText(code, fiat)), coinDecimals(code));
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

/**
 * Coin URI to show as a QR code (BIP21, EIP-681, XRP/XDB with memo). The amount is the
 * destination_amount itself (already in the coin's smallest unit): the URI asks for exactly
 * what the API answered, every digit.
 */
export function paymentString(code, address, memo, amountDecimal) {
  const amount = formatDecimal(amountDecimal);
  switch (code) {
    case 'BTC':
      return `bitcoin:${address}?amount=${amount}`;
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
