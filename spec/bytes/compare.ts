/**
 * Bytewise comparison, the order C `strcmp`/`memcmp` give to composefs names and xattr keys.
 *
 * @module
 */

/**
 * Compares two byte strings as unsigned bytes; a proper prefix sorts first.
 *
 * @example
 * ```ts
 * import { compareBytes } from "./compare.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compareBytes(new Uint8Array([0x61]), new Uint8Array([0x61, 0x00])) < 0);
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when both byte strings hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `bytes` begins with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Concatenates byte strings into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const encoder = new TextEncoder();

/** Latin-1/ASCII text to bytes, for literal keys such as `trusted.overlay.`. */
export function asciiBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

const HEX = "0123456789abcdef";

/**
 * Lowercase hex of the bytes, e.g. to print a digest.
 *
 * @example
 * ```ts
 * import { toHex } from "./compare.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toHex(new Uint8Array([0x0f, 0xa0])), "0fa0");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}
