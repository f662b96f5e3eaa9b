/**
 * The numeric fields of a dump line, read the way mkcomposefs's `parse_int_field` does: glibc
 * `strtoull` plus a check that the whole field was used.
 *
 * @module
 */

const U64_MAX = (1n << 64n) - 1n;

/** Longest all-digit field whose value is exact in a double, per base. */
const FAST_DIGITS = { 8: 17, 10: 15 } as const;

/**
 * Parses `buf[start..end)` in base 8 or 10 like `strtoull` with a whole-field check:
 * optional leading whitespace (0x09-0x0D, 0x20) and `+`/`-` sign, at least one digit, nothing
 * after the digits. `-N` gives 2^64 - N; overflow clamps to 2^64 - 1 (glibc, also with `-`).
 *
 * @param buf the line bytes
 * @param start first byte of the field
 * @param end end of the field (exclusive)
 * @param base 8 (MODE) or 10
 * @returns a number when the value is below 2^53, else a bigint; null where C says
 *   `Invalid integer`
 */
export function parseUnsigned(
  buf: Uint8Array,
  start: number,
  end: number,
  base: 8 | 10,
): number | bigint | null {
  const len = end - start;
  const top = 0x30 + base;
  if (len > 0 && len <= FAST_DIGITS[base]) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c < 0x30 || c >= top) break;
      v = v * base + (c - 0x30);
    }
    if (i === end) return v;
  }
  return parseSlow(buf, start, end, base);
}

function parseSlow(buf: Uint8Array, start: number, end: number, base: 8 | 10): bigint | null {
  let i = start;
  while (i < end && (buf[i] === 0x20 || (buf[i]! >= 0x09 && buf[i]! <= 0x0d))) i++;
  let negative = false;
  if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    negative = buf[i] === 0x2d;
    i++;
  }
  const top = 0x30 + base;
  const b = BigInt(base);
  const digitsStart = i;
  let v = 0n;
  let overflow = false;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c >= top) break;
    if (!overflow) {
      v = v * b + BigInt(c - 0x30);
      if (v > U64_MAX) overflow = true;
    }
  }
  if (i === digitsStart || i !== end) return null;
  if (overflow) return U64_MAX;
  return negative ? (-v) & U64_MAX : v;
}

/** The low 32 bits of a parsed value (C's `uint32_t` assignment). */
export function toU32(v: number | bigint): number {
  return typeof v === "number" ? v >>> 0 : Number(BigInt.asUintN(32, v));
}

/** A parsed value as the u64 bigint C holds. */
export function toU64(v: number | bigint): bigint {
  return typeof v === "number" ? BigInt(v) : v;
}

/** True when the parsed u64 is zero. */
export function isZero(v: number | bigint): boolean {
  return v === 0 || v === 0n;
}
