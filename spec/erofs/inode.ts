/**
 * EROFS inodes (`struct erofs_inode_compact`, `struct erofs_inode_extended`, erofs_fs.h).
 * `i_u` is the kernel's union: `raw_blkaddr`, `rdev`, or `c.format` (chunk info), by type.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";
import {
  EROFS_I_DATALAYOUT_BIT,
  EROFS_I_DATALAYOUT_MASK,
  EROFS_I_VERSION_BIT,
  EROFS_I_VERSION_MASK,
  EROFS_INODE_LAYOUT_EXTENDED,
} from "./constants.ts";

/** `struct erofs_inode_compact` (32 bytes); its mtime is the superblock's build time. */
export interface ErofsInodeCompact {
  iFormat: number;
  iXattrIcount: number;
  iMode: number;
  iNlink: number;
  iSize: number;
  iReserved: number;
  iU: number;
  iIno: number;
  iUid: number;
  iGid: number;
  iReserved2: number;
}

/** `struct erofs_inode_extended` (64 bytes). */
export interface ErofsInodeExtended {
  iFormat: number;
  iXattrIcount: number;
  iMode: number;
  iReserved: number;
  iSize: bigint;
  iU: number;
  iIno: number;
  iUid: number;
  iGid: number;
  iMtime: bigint;
  iMtimeNsec: number;
  iNlink: number;
}

/** `sizeof(struct erofs_inode_compact)`. */
export const EROFS_INODE_COMPACT_SIZE = 32;
/** `sizeof(struct erofs_inode_extended)`. */
export const EROFS_INODE_EXTENDED_SIZE = 64;

/** Field offsets of the compact inode, in on-disk order. */
export const EROFS_INODE_COMPACT_FIELDS = Object.freeze(
  {
    iFormat: 0,
    iXattrIcount: 2,
    iMode: 4,
    iNlink: 6,
    iSize: 8,
    iReserved: 12,
    iU: 16,
    iIno: 20,
    iUid: 24,
    iGid: 26,
    iReserved2: 28,
  } as const,
);

/** Field offsets of the extended inode, in on-disk order. */
export const EROFS_INODE_EXTENDED_FIELDS = Object.freeze(
  {
    iFormat: 0,
    iXattrIcount: 2,
    iMode: 4,
    iReserved: 6,
    iSize: 8,
    iU: 16,
    iIno: 20,
    iUid: 24,
    iGid: 28,
    iMtime: 32,
    iMtimeNsec: 40,
    iNlink: 44,
    iReserved2: 48,
  } as const,
);

/** `i_format` from the layout version and the data layout. */
export function makeIFormat(version: number, datalayout: number): number {
  return (version << EROFS_I_VERSION_BIT) | (datalayout << EROFS_I_DATALAYOUT_BIT);
}

/** The inode layout version (compact 0, extended 1) of an `i_format`. */
export function inodeVersionOf(iFormat: number): number {
  return (iFormat >> EROFS_I_VERSION_BIT) & EROFS_I_VERSION_MASK;
}

/** The data layout (`EROFS_INODE_*`) of an `i_format`. */
export function inodeDatalayoutOf(iFormat: number): number {
  return (iFormat >> EROFS_I_DATALAYOUT_BIT) & EROFS_I_DATALAYOUT_MASK;
}

/** Writes a compact inode at the writer's position. */
export function encodeErofsInodeCompact(w: ByteWriter, i: ErofsInodeCompact): void {
  w.u16(i.iFormat);
  w.u16(i.iXattrIcount);
  w.u16(i.iMode);
  w.u16(i.iNlink);
  w.u32(i.iSize);
  w.u32(i.iReserved);
  w.u32(i.iU);
  w.u32(i.iIno);
  w.u16(i.iUid);
  w.u16(i.iGid);
  w.u32(i.iReserved2);
}

/** Reads a compact inode at `at`. */
export function decodeErofsInodeCompact(r: ByteReader, at: number): ErofsInodeCompact {
  r.check("compact inode", at, EROFS_INODE_COMPACT_SIZE);
  return {
    iFormat: r.u16(at),
    iXattrIcount: r.u16(at + 2),
    iMode: r.u16(at + 4),
    iNlink: r.u16(at + 6),
    iSize: r.u32(at + 8),
    iReserved: r.u32(at + 12),
    iU: r.u32(at + 16),
    iIno: r.u32(at + 20),
    iUid: r.u16(at + 24),
    iGid: r.u16(at + 26),
    iReserved2: r.u32(at + 28),
  };
}

/** Writes an extended inode at the writer's position. */
export function encodeErofsInodeExtended(w: ByteWriter, i: ErofsInodeExtended): void {
  w.u16(i.iFormat);
  w.u16(i.iXattrIcount);
  w.u16(i.iMode);
  w.u16(i.iReserved);
  w.u64(i.iSize);
  w.u32(i.iU);
  w.u32(i.iIno);
  w.u32(i.iUid);
  w.u32(i.iGid);
  w.u64(i.iMtime);
  w.u32(i.iMtimeNsec);
  w.u32(i.iNlink);
  w.zeros(16);
}

/** Reads an extended inode at `at`. */
export function decodeErofsInodeExtended(r: ByteReader, at: number): ErofsInodeExtended {
  r.check("extended inode", at, EROFS_INODE_EXTENDED_SIZE);
  return {
    iFormat: r.u16(at),
    iXattrIcount: r.u16(at + 2),
    iMode: r.u16(at + 4),
    iReserved: r.u16(at + 6),
    iSize: r.u64(at + 8),
    iU: r.u32(at + 16),
    iIno: r.u32(at + 20),
    iUid: r.u32(at + 24),
    iGid: r.u32(at + 28),
    iMtime: r.u64(at + 32),
    iMtimeNsec: r.u32(at + 40),
    iNlink: r.u32(at + 44),
  };
}

/** True when the `i_format` at `at` says extended. */
export function isExtendedInodeAt(r: ByteReader, at: number): boolean {
  r.check("inode format", at, 2);
  return inodeVersionOf(r.u16(at)) === EROFS_INODE_LAYOUT_EXTENDED;
}
