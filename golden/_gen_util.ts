/**
 * Helpers for the generated golden dumps: a deterministic PRNG and line builders.
 *
 * @module
 */

import type { DumpLine } from "../tests/_dump_text.ts";

/** Directory mode 040755. */
export const DIR = 0o40755;
/** Regular file mode 0100644. */
export const REG = 0o100644;
/** Symlink mode 0120777. */
export const LNK = 0o120777;
/** A 64-hex-digit fs-verity digest. */
export const D1 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/** mulberry32: a tiny deterministic PRNG, so the generated dumps never change. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` pseudo-random bytes covering all 256 values. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** `n` printable ASCII characters (a symlink target or long name). */
export function text(n: number, seed: number): string {
  const r = prng(seed);
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+";
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** A name of exactly `len` bytes that starts with a sortable index. */
export function paddedName(i: number, len: number): string {
  const head = `e${String(i).padStart(3, "0")}`;
  return (head + "x".repeat(Math.max(0, len - head.length))).slice(0, len);
}

/** The usual root line. */
export const root: DumpLine = { path: "/", size: 4096, mode: DIR, nlink: 2 };

/** A regular file line (empty unless `extra` says otherwise). */
export function file(path: string | Uint8Array, extra: Partial<DumpLine> = {}): DumpLine {
  return { path, mode: REG, ...extra };
}

/** A regular file with inline CONTENT. */
export function inline(path: string, content: Uint8Array): DumpLine {
  return file(path, { size: content.length, content });
}

/** A subdirectory `/d` whose entries (with `.` and `..`) take exactly `bytes` dirent bytes. */
export function dirWithDirentBytes(bytes: number): DumpLine[] {
  const lines: DumpLine[] = [root, { path: "/d", size: 4096, mode: DIR, nlink: 2 }];
  let left = bytes - 13 - 14; // "." and ".." cost 12 + 1 and 12 + 2
  for (let i = 0; left > 0; i++) {
    // Entries of 100 bytes (12 + 88), then one that takes what is left.
    const cost = left >= 100 + 13 || left === 100 ? 100 : left;
    lines.push(file(`/d/${paddedName(i, cost - 12)}`));
    left -= cost;
  }
  return lines;
}
