/**
 * The xattr name bloom filter (`EROFS_FEATURE_COMPAT_XATTR_FILTER`): one bit per xattr,
 * `xxh32(suffix, EROFS_XATTR_FILTER_SEED + index) mod 32`, stored inverted (1 = absent).
 *
 * @module
 */
import { EROFS_XATTR_FILTER_BITS, EROFS_XATTR_FILTER_SEED } from "./constants.ts";

const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function le32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME32_2)) >>> 0, 13), PRIME32_1) >>> 0;
}

/**
 * The 32-bit xxHash of `data` with `seed` (the published XXH32 algorithm).
 *
 * @example
 * ```ts
 * import { xxh32 } from "./xattr_filter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(xxh32(new Uint8Array(0), 0), 0x02cc5d05);
 * ```
 */
export function xxh32(data: Uint8Array, seed: number, start = 0, end = data.length): number {
  const len = end - start;
  let p = start;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + PRIME32_1 + PRIME32_2) >>> 0;
    let v2 = (seed + PRIME32_2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME32_1) >>> 0;
    for (; p <= end - 16; p += 16) {
      v1 = round(v1, le32(data, p));
      v2 = round(v2, le32(data, p + 4));
      v3 = round(v3, le32(data, p + 8));
      v4 = round(v4, le32(data, p + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + PRIME32_5) >>> 0;
  }
  h = (h + len) >>> 0;
  for (; p + 4 <= end; p += 4) {
    h = Math.imul(rotl((h + Math.imul(le32(data, p), PRIME32_3)) >>> 0, 17), PRIME32_4) >>> 0;
  }
  for (; p < end; p++) {
    h = Math.imul(rotl((h + Math.imul(data[p]!, PRIME32_5)) >>> 0, 11), PRIME32_1) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 15), PRIME32_2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), PRIME32_3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The filter bit of one xattr: its prefix index, and its key with the suffix from `start`. */
export function xattrFilterBit(index: number, key: Uint8Array, start = 0): number {
  return xxh32(key, (EROFS_XATTR_FILTER_SEED + index) >>> 0, start) &
    (EROFS_XATTR_FILTER_BITS - 1);
}

/** The stored `h_name_filter` for a set of filter bits: the complement of their union. */
export function xattrNameFilter(bits: Iterable<number>): number {
  let set = 0;
  for (const b of bits) set |= 1 << b;
  return ~set >>> 0;
}
