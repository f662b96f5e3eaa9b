/**
 * Xattr storage in EROFS: the in-inode body header (`struct erofs_xattr_ibody_header`), the
 * entries (`struct erofs_xattr_entry`) shared by inline and shared xattrs, and the short name
 * prefixes that turn a key into (index, suffix).
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";
import { asciiBytes, startsWith } from "../bytes/compare.ts";
import {
  EROFS_XATTR_INDEX_POSIX_ACL_ACCESS,
  EROFS_XATTR_INDEX_POSIX_ACL_DEFAULT,
  EROFS_XATTR_INDEX_SECURITY,
  EROFS_XATTR_INDEX_TRUSTED,
  EROFS_XATTR_INDEX_USER,
} from "./constants.ts";

/** `struct erofs_xattr_ibody_header`; the shared ids follow it. */
export interface ErofsXattrIbodyHeader {
  hNameFilter: number;
  hSharedCount: number;
}

/** `sizeof(struct erofs_xattr_ibody_header)`. */
export const EROFS_XATTR_IBODY_HEADER_SIZE = 12;

/** Field offsets of the body header, in on-disk order. */
export const EROFS_XATTR_IBODY_HEADER_FIELDS = Object.freeze(
  {
    hNameFilter: 0,
    hSharedCount: 4,
    hReserved2: 5,
  } as const,
);

/** `struct erofs_xattr_entry`; the name suffix and the value follow it. */
export interface ErofsXattrEntry {
  eNameLen: number;
  eNameIndex: number;
  eValueSize: number;
}

/** `sizeof(struct erofs_xattr_entry)`; entries are aligned to it. */
export const EROFS_XATTR_ENTRY_SIZE = 4;

/** Field offsets of an entry, in on-disk order. */
export const EROFS_XATTR_ENTRY_FIELDS = Object.freeze(
  {
    eNameLen: 0,
    eNameIndex: 1,
    eValueSize: 2,
  } as const,
);

/** Writes the body header at the writer's position. */
export function encodeErofsXattrIbodyHeader(w: ByteWriter, h: ErofsXattrIbodyHeader): void {
  w.u32(h.hNameFilter);
  w.u8(h.hSharedCount);
  w.zeros(7);
}

/** Reads the body header at `at`. */
export function decodeErofsXattrIbodyHeader(r: ByteReader, at: number): ErofsXattrIbodyHeader {
  r.check("xattr body header", at, EROFS_XATTR_IBODY_HEADER_SIZE);
  return { hNameFilter: r.u32(at), hSharedCount: r.u8(at + 4) };
}

/** Writes an entry header at the writer's position. */
export function encodeErofsXattrEntry(w: ByteWriter, e: ErofsXattrEntry): void {
  w.u8(e.eNameLen);
  w.u8(e.eNameIndex);
  w.u16(e.eValueSize);
}

/** Reads an entry header at `at`. */
export function decodeErofsXattrEntry(r: ByteReader, at: number): ErofsXattrEntry {
  r.check("xattr entry", at, EROFS_XATTR_ENTRY_SIZE);
  return { eNameLen: r.u8(at), eNameIndex: r.u8(at + 1), eValueSize: r.u16(at + 2) };
}

/** `erofs_xattr_ibody_size`: body bytes for an `i_xattr_icount`. */
export function xattrIbodySize(iXattrIcount: number): number {
  return iXattrIcount === 0 ? 0 : EROFS_XATTR_IBODY_HEADER_SIZE + 4 * (iXattrIcount - 1);
}

/** Size of one stored entry: header, suffix and value, rounded up to 4. */
export function xattrEntrySize(suffixLen: number, valueLen: number): number {
  return (EROFS_XATTR_ENTRY_SIZE + suffixLen + valueLen + 3) & ~3;
}

/**
 * `erofs_xattr_prefixes` (lcfs-erofs-internal.h): the prefix of each name index, 0–6, for
 * reading. Index 5 (`lustre.`) is never written by composefs.
 */
export const EROFS_XATTR_PREFIX_OF_INDEX: readonly Uint8Array[] = [
  "",
  "user.",
  "system.posix_acl_access",
  "system.posix_acl_default",
  "trusted.",
  "lustre.",
  "security.",
].map(asciiBytes);

/**
 * The short prefixes the writer tries, in this order, first match wins. C composefs never uses
 * `lustre.` and matches the ACL names as plain prefixes.
 */
export const EROFS_XATTR_PREFIXES: ReadonlyArray<{ index: number; prefix: Uint8Array }> = [
  EROFS_XATTR_INDEX_USER,
  EROFS_XATTR_INDEX_POSIX_ACL_ACCESS,
  EROFS_XATTR_INDEX_POSIX_ACL_DEFAULT,
  EROFS_XATTR_INDEX_TRUSTED,
  EROFS_XATTR_INDEX_SECURITY,
].map((index) => ({ index, prefix: EROFS_XATTR_PREFIX_OF_INDEX[index]! }));

/** The entry for keys that match no short prefix: index 0, the whole key is stored. */
export const EROFS_XATTR_NO_PREFIX: { index: number; prefix: Uint8Array } = Object.freeze({
  index: 0,
  prefix: EROFS_XATTR_PREFIX_OF_INDEX[0]!,
});

/**
 * The short prefix a key is stored under (first match of {@link EROFS_XATTR_PREFIXES}), without
 * allocating: the suffix is `key.subarray(prefix.length)`.
 */
export function findXattrPrefix(key: Uint8Array): { index: number; prefix: Uint8Array } {
  for (const p of EROFS_XATTR_PREFIXES) if (startsWith(key, p.prefix)) return p;
  return EROFS_XATTR_NO_PREFIX;
}
