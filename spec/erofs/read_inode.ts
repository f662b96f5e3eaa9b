/**
 * Reading one inode: its fields (compact or extended, as one {@link ErofsInodeInfo}), and where
 * its data lives (flat blocks and inline tail, or a chunk map), each checked against the image.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import {
  EROFS_BLKSIZ,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  EROFS_CHUNK_FORMAT_INDEXES,
  EROFS_INODE_CHUNK_BASED,
  EROFS_INODE_FLAT_INLINE,
  EROFS_INODE_FLAT_PLAIN,
  EROFS_INODE_LAYOUT_EXTENDED,
} from "./constants.ts";
import { ErofsFormatError } from "./errors.ts";
import {
  decodeErofsInodeCompact,
  decodeErofsInodeExtended,
  EROFS_INODE_COMPACT_SIZE,
  EROFS_INODE_EXTENDED_SIZE,
  inodeDatalayoutOf,
  inodeVersionOf,
} from "./inode.ts";
import { xattrIbodySize } from "./xattr.ts";

/** One inode, decoded and placed: the union of the compact and extended fields. */
export interface ErofsInodeInfo {
  /** The inode's nid: its offset from `meta_blkaddr` in 32-byte slots. */
  nid: number;
  /** Byte offset of the inode in the image. */
  offset: number;
  /** True for a 64-byte `erofs_inode_extended`. */
  extended: boolean;
  /** `i_format`: the version bit (compact/extended) and the data layout bits. */
  iFormat: number;
  /** The data layout bits of `i_format` (`EROFS_INODE_FLAT_PLAIN`, `FLAT_INLINE`, …). */
  datalayout: number;
  /** `i_xattr_icount`: the xattr body is `12 + 4 * (icount - 1)` bytes, none when 0. */
  iXattrIcount: number;
  /** `i_mode` (16 bits). */
  mode: number;
  /** `i_nlink` (a u16 in compact inodes, a u32 in extended ones). */
  nlink: number;
  /** `i_size` (a u32 in compact inodes). */
  size: bigint;
  /** `i_u`: raw_blkaddr, rdev or chunk format, by type. */
  iU: number;
  /** `i_ino`: the inode number stored in the image. */
  ino: number;
  /** `i_uid` (a u16 in compact inodes). */
  uid: number;
  /** `i_gid` (a u16 in compact inodes). */
  gid: number;
  /** `i_mtime` as signed seconds; a compact inode has the superblock build time. */
  mtimeSec: bigint;
  /** `i_mtime_nsec`; a compact inode has the superblock's `build_time_nsec`. */
  mtimeNsec: number;
  /** 32 or 64. */
  inodeSize: number;
  /** Byte offset of the xattr body: right after the inode. */
  xattrOffset: number;
  /** Size of the xattr body in bytes (`erofs_xattr_ibody_size`); 0 without xattrs. */
  xattrSize: number;
  /** Where inline data (tail, chunk table) starts: right after the xattr body. */
  tailOffset: number;
}

/** Where a flat (FLAT_PLAIN / FLAT_INLINE) inode keeps its data. */
export interface FlatLayout {
  /** First data block (`raw_blkaddr`); meaningful only when `blocks > 0`. */
  blkaddr: number;
  /** Number of whole or partial blocks in the data area. */
  blocks: number;
  /** Bytes used in the last data block (4096 when it is full). */
  lastBlockSize: number;
  /** Byte offset of the inline tail: right after the xattr body. */
  tailOffset: number;
  /** Bytes in the inline tail: `i_size % 4096` for FLAT_INLINE, else 0. */
  tailSize: number;
}

/** The chunk map of a CHUNK_BASED inode. */
export interface ChunkInfo {
  /** log2 of the chunk size: 12 + the format's blkbits. */
  chunkbits: number;
  /** `EROFS_CHUNK_FORMAT_INDEXES`: 8-byte `erofs_inode_chunk_index` entries, else 4-byte. */
  indexes: boolean;
  /** Number of table entries: `i_size` divided by the chunk size, rounded up. */
  count: number;
  /** The raw table (`count` entries), a view of the image. */
  table: Uint8Array;
  /** Byte offset of the table: after the xattr body, aligned to the entry size. */
  offset: number;
}

/** The mtime of compact inodes: the superblock's build time. */
export interface BuildTime {
  sec: bigint;
  nsec: number;
}

function bad(nid: number, reason: string, structure: string, offset: number): never {
  throw new ErofsFormatError("EINVAL", reason, { offset, structure, nid });
}

/**
 * Decodes the inode at `offset`; the inode and its xattr body must lie inside the image.
 *
 * @throws {ErofsFormatError} `EINVAL` when they do not.
 */
export function decodeInodeAt(
  r: ByteReader,
  offset: number,
  nid: number,
  buildTime: BuildTime,
): ErofsInodeInfo {
  const len = r.length;
  if (!Number.isSafeInteger(offset) || nid < 0 || offset + 2 > len) {
    bad(nid, `nid ${nid} is past the end of the image`, "inode", offset);
  }
  const iFormat = r.u16(offset);
  const extended = inodeVersionOf(iFormat) === EROFS_INODE_LAYOUT_EXTENDED;
  const inodeSize = extended ? EROFS_INODE_EXTENDED_SIZE : EROFS_INODE_COMPACT_SIZE;
  if (offset + inodeSize > len) {
    bad(nid, `${inodeSize}-byte inode passes the end of the image`, "inode", offset);
  }
  const i = extended ? decodeErofsInodeExtended(r, offset) : decodeErofsInodeCompact(r, offset);
  const xattrOffset = offset + inodeSize;
  const xattrSize = xattrIbodySize(i.iXattrIcount);
  const tailOffset = xattrOffset + xattrSize;
  if (tailOffset > len) {
    bad(nid, `xattr body of ${xattrSize} bytes passes the end`, "i_xattr_icount", xattrOffset);
  }
  return {
    nid,
    offset,
    extended,
    iFormat,
    datalayout: inodeDatalayoutOf(iFormat),
    iXattrIcount: i.iXattrIcount,
    mode: i.iMode,
    nlink: i.iNlink,
    size: typeof i.iSize === "bigint" ? i.iSize : BigInt(i.iSize),
    iU: i.iU,
    ino: i.iIno,
    uid: i.iUid,
    gid: i.iGid,
    // A compact inode has no mtime: the kernel (and C's reader) use the build time.
    mtimeSec: "iMtime" in i ? BigInt.asIntN(64, i.iMtime) : buildTime.sec,
    mtimeNsec: "iMtimeNsec" in i ? i.iMtimeNsec : buildTime.nsec,
    inodeSize,
    xattrOffset,
    xattrSize,
    tailOffset,
  };
}

/**
 * Where a FLAT_PLAIN or FLAT_INLINE inode's `i_size` bytes live, checked against an image of
 * `len` bytes; an inline tail must not cross a block (the kernel's rule) and must not be empty.
 *
 * @throws {ErofsFormatError} `EINVAL` for another layout or data outside the image.
 */
export function flatLayoutOf(ino: ErofsInodeInfo, len: number): FlatLayout {
  const nid = ino.nid;
  const inline = ino.datalayout === EROFS_INODE_FLAT_INLINE;
  if (!inline && ino.datalayout !== EROFS_INODE_FLAT_PLAIN) {
    bad(nid, `data layout ${ino.datalayout} is not flat`, "i_format", ino.offset);
  }
  if (ino.size > BigInt(len)) bad(nid, `i_size ${ino.size} > image`, "i_size", ino.offset + 8);
  const size = Number(ino.size);
  const tailSize = inline ? size % EROFS_BLKSIZ : 0;
  const blocks = inline ? Math.floor(size / EROFS_BLKSIZ) : Math.ceil(size / EROFS_BLKSIZ);
  if (inline) {
    // C would read an empty tail as a dirent block or copy uninitialised bytes.
    if (tailSize === 0) {
      bad(nid, `FLAT_INLINE i_size ${size} has no tail`, "i_size", ino.offset + 8);
    }
    if (ino.tailOffset + tailSize > len) {
      bad(nid, `inline tail of ${tailSize} bytes passes the end`, "inline data", ino.tailOffset);
    }
    if ((ino.tailOffset % EROFS_BLKSIZ) + tailSize > EROFS_BLKSIZ) {
      bad(nid, "inline data crosses a block boundary", "inline data", ino.tailOffset);
    }
  }
  const blkaddr = ino.iU;
  if (blocks > 0 && (blkaddr + blocks) * EROFS_BLKSIZ > len) {
    bad(nid, `${blocks} blocks at block ${blkaddr} pass the end`, "raw_blkaddr", ino.offset + 16);
  }
  const lastBlockSize = inline || size % EROFS_BLKSIZ === 0 ? EROFS_BLKSIZ : size % EROFS_BLKSIZ;
  return { blkaddr, blocks, lastBlockSize, tailOffset: ino.tailOffset, tailSize };
}

/**
 * The chunk map of a CHUNK_BASED inode, checked to lie inside `bytes`. The table starts after
 * the xattr body, aligned to its entry size (the kernel's rule).
 *
 * @throws {ErofsFormatError} `EINVAL` for another layout or a table outside the image.
 */
export function chunkInfoOf(ino: ErofsInodeInfo, bytes: Uint8Array): ChunkInfo {
  const nid = ino.nid;
  if (ino.datalayout !== EROFS_INODE_CHUNK_BASED) {
    bad(nid, `data layout ${ino.datalayout} is not chunk based`, "i_format", ino.offset);
  }
  const format = ino.iU & 0xffff;
  const chunkbits = 12 + (format & EROFS_CHUNK_FORMAT_BLKBITS_MASK);
  const indexes = (format & EROFS_CHUNK_FORMAT_INDEXES) !== 0;
  const unit = indexes ? 8 : 4;
  const count = (ino.size + (1n << BigInt(chunkbits)) - 1n) >> BigInt(chunkbits);
  const offset = Math.ceil(ino.tailOffset / unit) * unit;
  if (BigInt(offset) + count * BigInt(unit) > BigInt(bytes.length)) {
    bad(nid, `chunk table of ${count} entries passes the end`, "chunk table", offset);
  }
  const n = Number(count);
  const table = bytes.subarray(offset, offset + n * unit);
  return { chunkbits, indexes, count: n, offset, table };
}
