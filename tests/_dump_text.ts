/**
 * Builds composefs-dump(5) lines for test inputs, escaped the way `composefs-info dump` prints
 * (through the project's one escaper, `spec/dump/escape.ts`).
 *
 * @module
 */

import {
  ESCAPE_EQUAL,
  ESCAPE_LONE_DASH,
  ESCAPE_STANDARD,
  escapeDumpBytes,
} from "../spec/dump/escape.ts";

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
  return v === undefined ? "-" : escapeDumpBytes(toBytes(v), ESCAPE_LONE_DASH);
}

/** Formats one dump line, with its trailing LF. */
export function formatDumpLine(e: DumpLine): string {
  const fields = [
    escapeDumpBytes(toBytes(e.path), ESCAPE_STANDARD),
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
      escapeDumpBytes(toBytes(k), ESCAPE_EQUAL) + "=" + escapeDumpBytes(toBytes(v), ESCAPE_EQUAL),
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
