/**
 * Escaping of composefs-dump(5) fields, both directions, on bytes.
 *
 * Parse side (mkcomposefs `unescape_string`): `\\ \n \r \t \xHH`, anything else raw.
 * Print side (composefs-info `print_escaped`): the same escapes plus `\xHH` for every byte that is
 * not graphic in the C locale, with three flags. This is the one escaper of the project: `dump`,
 * `ls` and the error messages all use it.
 *
 * @module
 */
import { DumpSyntaxError } from "./errors.ts";

/** `ESCAPE_STANDARD` (composefs-info.c): bytes outside 0x21-0x7E are hex-escaped. */
export const ESCAPE_STANDARD = 0;
/** `NOESCAPE_SPACE` (composefs-info.c): space prints raw (`isprint` instead of `isgraph`). */
export const NOESCAPE_SPACE = 1 << 0;
/** `ESCAPE_EQUAL` (composefs-info.c): `=` prints as `\x3d` (xattr keys and values). */
export const ESCAPE_EQUAL = 1 << 1;
/** `ESCAPE_LONE_DASH` (composefs-info.c): a value that is exactly `-` prints as `\x2d`. */
export const ESCAPE_LONE_DASH = 1 << 2;

const BACKSLASH = 0x5c;
const DASH = 0x2d;
const EQUAL = 0x3d;
const HEX = new TextEncoder().encode("0123456789abcdef");

/** Per flag set: 0 = raw, 1 = `\xHH`, otherwise the letter after `\`. */
const CLASSES: readonly Uint8Array[] = Array.from({ length: 8 }, (_, flags) => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const lo = (flags & NOESCAPE_SPACE) !== 0 ? 0x20 : 0x21;
    t[c] = c < lo || c > 0x7e ? 1 : 0;
  }
  t[BACKSLASH] = BACKSLASH;
  t[0x0a] = 0x6e; // n
  t[0x0d] = 0x72; // r
  t[0x09] = 0x74; // t
  t[EQUAL] = (flags & ESCAPE_EQUAL) !== 0 ? 1 : 0;
  return t;
});

/**
 * Writes the escaped form of `bytes` into `out` at `at` and returns the position after it.
 * `out` must have room for `4 * bytes.length` bytes (or 4 for a lone dash).
 *
 * @param out destination buffer
 * @param at where to start writing
 * @param bytes the raw value
 * @param flags `ESCAPE_*` / `NOESCAPE_SPACE` bits
 * @returns the position after the last byte written
 */
export function escapeDumpBytesInto(
  out: Uint8Array,
  at: number,
  bytes: Uint8Array,
  flags: number,
): number {
  const cls = CLASSES[flags & 7]!;
  if ((flags & ESCAPE_LONE_DASH) !== 0 && bytes.length === 1 && bytes[0] === DASH) {
    return writeHex(out, at, DASH);
  }
  let o = at;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    // Copy the run of raw bytes in one call: most names need no escaping.
    let j = i;
    while (j < n && cls[bytes[j]!] === 0) j++;
    if (j > i) {
      out.set(j - i === n ? bytes : bytes.subarray(i, j), o);
      o += j - i;
      if (j === n) break;
    }
    const c = bytes[j]!;
    const k = cls[c]!;
    if (k === 1) {
      o = writeHex(out, o, c);
    } else {
      out[o++] = BACKSLASH;
      out[o++] = k;
    }
    i = j + 1;
  }
  return o;
}

function writeHex(out: Uint8Array, o: number, c: number): number {
  out[o] = BACKSLASH;
  out[o + 1] = 0x78; // x
  out[o + 2] = HEX[c >> 4]!;
  out[o + 3] = HEX[c & 15]!;
  return o + 4;
}

/**
 * Escapes a value as composefs-info prints it (§6.3). The result is printable ASCII.
 *
 * @example PATH, PAYLOAD and xattr escaping
 * ```ts
 * import assert from "node:assert/strict";
 * import { ESCAPE_EQUAL, ESCAPE_LONE_DASH, ESCAPE_STANDARD, escapeDumpBytes } from "./escape.ts";
 * const b = (s: string) => new TextEncoder().encode(s);
 * assert.equal(escapeDumpBytes(b("/a b=c"), ESCAPE_STANDARD), "/a\\x20b=c");
 * assert.equal(escapeDumpBytes(b("-"), ESCAPE_LONE_DASH), "\\x2d");
 * assert.equal(escapeDumpBytes(b("k=v"), ESCAPE_EQUAL), "k\\x3dv");
 * ```
 *
 * @param bytes the raw value
 * @param flags `ESCAPE_STANDARD`, or any of `NOESCAPE_SPACE | ESCAPE_EQUAL | ESCAPE_LONE_DASH`
 * @returns the escaped text
 */
export function escapeDumpBytes(bytes: Uint8Array, flags: number): string {
  const out = new Uint8Array(4 * bytes.length + 4);
  const end = escapeDumpBytesInto(out, 0, bytes, flags);
  let s = "";
  for (let i = 0; i < end; i += 4096) {
    s += String.fromCharCode(...out.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** The value of hex digit `c` (either case), or -1 (`hexdigit` in lcfs-utils.h). */
export function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Unescapes one dump field, `raw[start..end)`, as mkcomposefs does (§1.3). A field without a
 * backslash is returned as a view of `raw`; otherwise a new array. NUL bytes are kept: cutting
 * at NUL is the caller's business (PATH, PAYLOAD, DIGEST and xattr keys are C strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unescapeDumpField } from "./escape.ts";
 * const out = unescapeDumpField(new TextEncoder().encode("a\\x20b\\n"));
 * assert.deepEqual(out, new TextEncoder().encode("a b\n"));
 * ```
 *
 * @param raw the bytes holding the field
 * @param start first byte of the field
 * @param end end of the field (exclusive)
 * @returns the unescaped bytes
 * @throws {DumpSyntaxError} with C's message (line 0; the parser adds the location)
 */
export function unescapeDumpField(
  raw: Uint8Array,
  start = 0,
  end: number = raw.length,
): Uint8Array {
  let i = start;
  while (i < end && raw[i] !== BACKSLASH) i++;
  if (i === end) return raw.subarray(start, end);
  const out = new Uint8Array(end - start);
  out.set(raw.subarray(start, i));
  let o = i - start;
  while (i < end) {
    const c = raw[i++]!;
    if (c !== BACKSLASH) {
      out[o++] = c;
      continue;
    }
    if (i >= end) throw new DumpSyntaxError("EESCAPEEND", "No character after escape");
    const e = raw[i++]!;
    switch (e) {
      case BACKSLASH:
        out[o++] = BACKSLASH;
        break;
      case 0x6e: // n
        out[o++] = 0x0a;
        break;
      case 0x72: // r
        out[o++] = 0x0d;
        break;
      case 0x74: // t
        out[o++] = 0x09;
        break;
      case 0x78: { // x
        if (end - i < 2) {
          throw new DumpSyntaxError("EHEXMISSING", "No hex characters after hex escape");
        }
        const hi = hexDigitValue(raw[i]!);
        const lo = hexDigitValue(raw[i + 1]!);
        i += 2;
        if (hi < 0 || lo < 0) {
          throw new DumpSyntaxError("EHEXINVALID", "Invalid hex characters after hex escape");
        }
        out[o++] = (hi << 4) | lo;
        break;
      }
      default:
        // C prints the offending byte itself with %c.
        throw new DumpSyntaxError(
          "EESCAPETYPE",
          `Unsupported escape type ${String.fromCharCode(e)}`,
        );
    }
  }
  return out.subarray(0, o);
}
