/**
 * Builds composefs-dump(5) lines for test inputs, escaped the way `composefs-info dump` prints.
 *
 * TODO: switch to `spec/dump/escape.ts` once it lands, so the format rule lives in one place.
 *
 * @module
 */

const HEX = "0123456789abcdef";

/** `print_escaped` flags of composefs-info. */
export interface EscapeFlags {
  /** A value of exactly `-` prints as `\x2d` (optional fields). */
  loneDash?: boolean;
  /** `=` prints as `\x3d` (xattr keys and values). */
  equal?: boolean;
}

/** Escapes one dump field as composefs-info's `print_escaped` does. */
export function escapeField(bytes: Uint8Array, flags: EscapeFlags = {}): string {
  if (flags.loneDash && bytes.length === 1 && bytes[0] === 0x2d) return "\\x2d";
  let out = "";
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x3d && flags.equal) out += "\\x3d";
    else if (b < 0x21 || b > 0x7e) out += "\\x" + HEX[b >> 4] + HEX[b & 15];
    else out += String.fromCharCode(b);
  }
  return out;
}

const encoder = new TextEncoder();

/** A byte string given as bytes or as text (UTF-8 encoded). */
export type Bytes = Uint8Array | string;

function toBytes(b: Bytes): Uint8Array {
  return typeof b === "string" ? encoder.encode(b) : b;
}

/** The fields of one dump line, unescaped. Numbers are printed as given. */
export interface DumpLine {
  /** Absolute path, e.g. `/a/b`. */
  path: Bytes;
  /** SIZE (decimal). */
  size?: bigint | number;
  /** MODE in octal, as a number (`0o100644`). */
  mode: number;
  /** Prefix MODE with `@` (hardlink; `payload` is the target path). */
  hardlink?: boolean;
  /** NLINK. */
  nlink?: bigint | number;
  /** UID. */
  uid?: bigint | number;
  /** GID. */
  gid?: bigint | number;
  /** RDEV. */
  rdev?: bigint | number;
  /** MTIME seconds (may be negative). */
  mtimeSec?: bigint | number;
  /** MTIME nanoseconds. */
  mtimeNsec?: bigint | number;
  /** PAYLOAD; absent prints `-`. */
  payload?: Bytes;
  /** CONTENT; absent prints `-`. */
  content?: Bytes;
  /** DIGEST as 64 hex digits; absent prints `-`. */
  digest?: string;
  /** Xattrs in the order to print. */
  xattrs?: ReadonlyArray<readonly [Bytes, Bytes]>;
}

function optional(v: Bytes | undefined): string {
  return v === undefined ? "-" : escapeField(toBytes(v), { loneDash: true });
}

/** Formats one dump line, with its trailing LF. */
export function formatDumpLine(e: DumpLine): string {
  const fields = [
    escapeField(toBytes(e.path)),
    String(e.size ?? 0),
    (e.hardlink ? "@" : "") + e.mode.toString(8),
    String(e.nlink ?? 1),
    String(e.uid ?? 0),
    String(e.gid ?? 0),
    String(e.rdev ?? 0),
    `${e.mtimeSec ?? 0}.${e.mtimeNsec ?? 0}`,
    optional(e.payload),
    optional(e.content),
    e.digest ?? "-",
  ];
  for (const [k, v] of e.xattrs ?? []) {
    fields.push(
      escapeField(toBytes(k), { equal: true }) + "=" + escapeField(toBytes(v), { equal: true }),
    );
  }
  return fields.join(" ") + "\n";
}

/** Formats dump lines into dump bytes. */
export function formatDump(lines: Iterable<DumpLine>): Uint8Array {
  let text = "";
  for (const l of lines) text += formatDumpLine(l);
  // Every escaped field is ASCII, so this encodes byte for byte.
  return encoder.encode(text);
}
