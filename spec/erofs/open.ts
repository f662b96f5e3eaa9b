/**
 * The raw view of a composefs image: header, superblock, and per-inode access to the inode
 * fields, the xattr body, the directory entries and the file data, each bounds-checked against
 * the image and the EROFS format. Nothing is translated here (overlay xattrs stay as stored); the
 * C-compatible tree is {@link readImage} in `read.ts`.
 *
 * Every malformed structure gives an {@link ErofsFormatError} naming the inode, the structure and
 * its offset. Returned byte arrays are views of the input (no copy) unless said otherwise.
 *
 * @module
 */
import { ByteReader } from "../bytes/byte_reader.ts";
import {
  EROFS_BLKSIZ,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  EROFS_CHUNK_FORMAT_INDEXES,
  EROFS_INODE_CHUNK_BASED,
  EROFS_INODE_FLAT_INLINE,
  EROFS_INODE_FLAT_PLAIN,
  EROFS_INODE_LAYOUT_EXTENDED,
  EROFS_SLOTSIZE,
  EROFS_SUPER_MAGIC_V1,
  EROFS_SUPER_OFFSET,
  LCFS_EROFS_MAGIC,
  LCFS_EROFS_VERSION,
} from "./constants.ts";
import { type ErofsErrno, ErofsFormatError } from "./errors.ts";
import { decodeLcfsErofsHeader, type LcfsErofsHeader } from "./header.ts";
import {
  decodeErofsInodeCompact,
  decodeErofsInodeExtended,
  EROFS_INODE_COMPACT_SIZE,
  EROFS_INODE_EXTENDED_SIZE,
  inodeDatalayoutOf,
  inodeVersionOf,
} from "./inode.ts";
import { decodeErofsSuperBlock, type ErofsSuperBlock } from "./superblock.ts";
import { EROFS_XATTR_ENTRY_SIZE, EROFS_XATTR_IBODY_HEADER_SIZE, xattrIbodySize } from "./xattr.ts";
import { type RawDirent, readDirBlock } from "./read_dir.ts";
import { type RawXattr, readXattrEntry } from "./read_xattr.ts";

export type { RawDirent } from "./read_dir.ts";
export { RawXattr } from "./read_xattr.ts";

/** One inode, decoded and placed: the union of the compact and extended fields. */
export interface ErofsInodeInfo {
  nid: number;
  /** Byte offset of the inode in the image. */
  offset: number;
  /** True for a 64-byte `erofs_inode_extended`. */
  extended: boolean;
  /** `i_format`, and its data layout (`EROFS_INODE_*`). */
  iFormat: number;
  datalayout: number;
  iXattrIcount: number;
  /** `i_mode` (16 bits). */
  mode: number;
  nlink: number;
  /** `i_size` (a u32 in compact inodes). */
  size: bigint;
  /** `i_u`: raw_blkaddr, rdev or chunk format, by type. */
  iU: number;
  ino: number;
  uid: number;
  gid: number;
  /** `i_mtime` as signed seconds; a compact inode has the superblock build time. */
  mtimeSec: bigint;
  mtimeNsec: number;
  /** 32 or 64. */
  inodeSize: number;
  /** Offset and size of the xattr body (`erofs_xattr_ibody_size`). */
  xattrOffset: number;
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
  /** The inline tail after the xattr body (FLAT_INLINE only, else size 0). */
  tailOffset: number;
  tailSize: number;
}

/** The chunk map of a CHUNK_BASED inode. */
export interface ChunkInfo {
  /** log2 of the chunk size: 12 + the format's blkbits. */
  chunkbits: number;
  /** `EROFS_CHUNK_FORMAT_INDEXES`: 8-byte `erofs_inode_chunk_index` entries, else 4-byte. */
  indexes: boolean;
  count: number;
  /** The raw table (`count` entries), a view of the image. */
  table: Uint8Array;
  offset: number;
}

/** Offset of the first block beyond this many bytes: `blocks * 4096` of a u32 `blkaddr`. */
function blockOffset(blkaddr: number): number {
  return blkaddr * EROFS_BLKSIZ;
}

/** An opened image; see the module doc. Create with {@link openImage}. */
export class ErofsImage {
  readonly bytes: Uint8Array;
  readonly header: LcfsErofsHeader;
  readonly superBlock: ErofsSuperBlock;
  /** `root_nid` from the superblock. */
  readonly rootNid: number;
  /** Byte offsets of nid 0 (`meta_blkaddr`) and of shared xattr id 0 (`xattr_blkaddr`). */
  readonly metaStart: number;
  readonly xattrStart: number;
  readonly #r: ByteReader;
  /** Shared entries already read, by offset. */
  readonly #shared = new Map<number, RawXattr>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    const r = new ByteReader(bytes);
    this.#r = r;
    // C refuses anything shorter than one block before looking at it.
    if (bytes.length < EROFS_BLKSIZ) {
      fail("EINVAL", "Image is smaller than one block", 0, "image");
    }
    this.header = decodeLcfsErofsHeader(r, 0);
    if (this.header.magic !== LCFS_EROFS_MAGIC) {
      fail("EINVAL", `Bad composefs magic 0x${hex(this.header.magic)}`, 0, "composefs header");
    }
    if (this.header.version !== LCFS_EROFS_VERSION) {
      fail(
        "ENOTSUP",
        `Unsupported composefs header version ${this.header.version}`,
        4,
        "composefs header",
      );
    }
    this.superBlock = decodeErofsSuperBlock(r, EROFS_SUPER_OFFSET);
    if (this.superBlock.magic !== EROFS_SUPER_MAGIC_V1) {
      fail(
        "EINVAL",
        `Bad EROFS magic 0x${hex(this.superBlock.magic)}`,
        EROFS_SUPER_OFFSET,
        "superblock",
      );
    }
    this.metaStart = blockOffset(this.superBlock.metaBlkaddr);
    this.xattrStart = blockOffset(this.superBlock.xattrBlkaddr);
    if (this.metaStart >= bytes.length) {
      fail(
        "EINVAL",
        `meta_blkaddr ${this.superBlock.metaBlkaddr} is past the end`,
        EROFS_SUPER_OFFSET + 0x28,
        "superblock",
      );
    }
    if (this.xattrStart >= bytes.length) {
      fail(
        "EINVAL",
        `xattr_blkaddr ${this.superBlock.xattrBlkaddr} is past the end`,
        EROFS_SUPER_OFFSET + 0x2c,
        "superblock",
      );
    }
    this.rootNid = this.superBlock.rootNid;
  }

  /** Decodes the inode `nid`; the inode and its xattr body must lie inside the image. */
  inode(nid: number): ErofsInodeInfo {
    const len = this.bytes.length;
    const offset = this.metaStart + nid * EROFS_SLOTSIZE;
    if (!Number.isSafeInteger(offset) || nid < 0 || offset + 2 > len) {
      fail("EINVAL", `nid ${nid} is past the end of the image`, offset, "inode", nid);
    }
    const r = this.#r;
    const iFormat = r.u16(offset);
    const extended = inodeVersionOf(iFormat) === EROFS_INODE_LAYOUT_EXTENDED;
    const inodeSize = extended ? EROFS_INODE_EXTENDED_SIZE : EROFS_INODE_COMPACT_SIZE;
    if (offset + inodeSize > len) {
      fail("EINVAL", `${inodeSize}-byte inode passes the end of the image`, offset, "inode", nid);
    }
    let info: ErofsInodeInfo;
    if (extended) {
      const e = decodeErofsInodeExtended(r, offset);
      info = {
        nid,
        offset,
        extended,
        iFormat,
        datalayout: inodeDatalayoutOf(iFormat),
        iXattrIcount: e.iXattrIcount,
        mode: e.iMode,
        nlink: e.iNlink,
        size: e.iSize,
        iU: e.iU,
        ino: e.iIno,
        uid: e.iUid,
        gid: e.iGid,
        mtimeSec: BigInt.asIntN(64, e.iMtime),
        mtimeNsec: e.iMtimeNsec,
        inodeSize,
        xattrOffset: offset + inodeSize,
        xattrSize: xattrIbodySize(e.iXattrIcount),
        tailOffset: 0,
      };
    } else {
      const c = decodeErofsInodeCompact(r, offset);
      info = {
        nid,
        offset,
        extended,
        iFormat,
        datalayout: inodeDatalayoutOf(iFormat),
        iXattrIcount: c.iXattrIcount,
        mode: c.iMode,
        nlink: c.iNlink,
        size: BigInt(c.iSize),
        iU: c.iU,
        ino: c.iIno,
        uid: c.iUid,
        gid: c.iGid,
        // A compact inode has no mtime: the kernel (and C's reader) use the build time.
        mtimeSec: BigInt.asIntN(64, this.superBlock.buildTime),
        mtimeNsec: this.superBlock.buildTimeNsec,
        inodeSize,
        xattrOffset: offset + inodeSize,
        xattrSize: xattrIbodySize(c.iXattrIcount),
        tailOffset: 0,
      };
    }
    info.tailOffset = info.xattrOffset + info.xattrSize;
    if (info.tailOffset > len) {
      fail(
        "EINVAL",
        `xattr body of ${info.xattrSize} bytes passes the end of the image`,
        info.xattrOffset,
        "i_xattr_icount",
        nid,
      );
    }
    return info;
  }

  /** The name filter and shared count of the xattr body, or undefined without xattrs. */
  xattrHeader(ino: ErofsInodeInfo): { hNameFilter: number; hSharedCount: number } | undefined {
    if (ino.iXattrIcount === 0) return undefined;
    const r = this.#r;
    const hSharedCount = r.u8(ino.xattrOffset + 4);
    if (EROFS_XATTR_IBODY_HEADER_SIZE + 4 * hSharedCount > ino.xattrSize) {
      fail(
        "EINVAL",
        `${hSharedCount} shared xattr ids do not fit in ${ino.xattrSize} bytes`,
        ino.xattrOffset + 4,
        "h_shared_count",
        ino.nid,
      );
    }
    return { hNameFilter: r.u32(ino.xattrOffset), hSharedCount };
  }

  /**
   * The xattrs of an inode, in the order C's reader visits them: the inline entries as stored,
   * then the shared ones in the order of their ids.
   */
  xattrs(ino: ErofsInodeInfo): RawXattr[] {
    const out: RawXattr[] = [];
    this.forEachXattr(ino, (x) => out.push(x));
    return out;
  }

  /**
   * Calls `visit` for each xattr in {@link xattrs} order; an entry is checked only when it is
   * reached, so an error in a later entry comes after the earlier ones were visited (as in C).
   * A shared entry is the same {@link RawXattr} object for every inode that refers to it.
   */
  forEachXattr(ino: ErofsInodeInfo, visit: (x: RawXattr) => void): void {
    const h = this.xattrHeader(ino);
    if (h === undefined) return;
    const r = this.#r;
    const end = ino.xattrOffset + ino.xattrSize;
    let p = ino.xattrOffset + EROFS_XATTR_IBODY_HEADER_SIZE + 4 * h.hSharedCount;
    // C stops as soon as no more than an entry header's worth of bytes is left.
    while (end - p > EROFS_XATTR_ENTRY_SIZE) {
      const x = readXattrEntry(r, p, end, false, ino.nid);
      visit(x);
      p += x.entrySize;
    }
    const len = this.bytes.length;
    for (let i = 0; i < h.hSharedCount; i++) {
      const idAt = ino.xattrOffset + EROFS_XATTR_IBODY_HEADER_SIZE + 4 * i;
      const id = r.u32(idAt);
      const at = this.xattrStart + id * 4;
      let x = this.#shared.get(at);
      if (x === undefined) {
        if (at + EROFS_XATTR_ENTRY_SIZE > len) {
          fail(
            "EINVAL",
            `shared xattr id ${id} is past the end of the image`,
            idAt,
            "h_shared_xattrs",
            ino.nid,
          );
        }
        x = readXattrEntry(r, at, len, true, ino.nid);
        this.#shared.set(at, x);
      }
      visit(x);
    }
  }

  /**
   * Where a FLAT_PLAIN or FLAT_INLINE inode's `i_size` bytes live, checked against the image;
   * an inline tail must not cross a block (the kernel's rule) and must not be empty.
   */
  flatLayout(ino: ErofsInodeInfo): FlatLayout {
    const len = this.bytes.length;
    const inline = ino.datalayout === EROFS_INODE_FLAT_INLINE;
    if (!inline && ino.datalayout !== EROFS_INODE_FLAT_PLAIN) {
      fail("EINVAL", `data layout ${ino.datalayout} is not flat`, ino.offset, "i_format", ino.nid);
    }
    if (ino.size > BigInt(len)) {
      fail(
        "EINVAL",
        `i_size ${ino.size} is larger than the image`,
        ino.offset + 8,
        "i_size",
        ino.nid,
      );
    }
    const size = Number(ino.size);
    const tailSize = inline ? size % EROFS_BLKSIZ : 0;
    const blocks = inline ? Math.floor(size / EROFS_BLKSIZ) : Math.ceil(size / EROFS_BLKSIZ);
    if (inline) {
      if (tailSize === 0) {
        // C would read an empty tail as a dirent block or copy uninitialised bytes.
        fail(
          "EINVAL",
          `FLAT_INLINE inode with i_size ${size} has no tail`,
          ino.offset + 8,
          "i_size",
          ino.nid,
        );
      }
      if (ino.tailOffset + tailSize > len) {
        fail(
          "EINVAL",
          `inline tail of ${tailSize} bytes passes the end of the image`,
          ino.tailOffset,
          "inline data",
          ino.nid,
        );
      }
      if ((ino.tailOffset % EROFS_BLKSIZ) + tailSize > EROFS_BLKSIZ) {
        fail(
          "EINVAL",
          "inline data crosses a block boundary",
          ino.tailOffset,
          "inline data",
          ino.nid,
        );
      }
    }
    const blkaddr = ino.iU;
    if (blocks > 0 && blockOffset(blkaddr) + blocks * EROFS_BLKSIZ > len) {
      fail(
        "EINVAL",
        `${blocks} data blocks at block ${blkaddr} pass the end of the image`,
        ino.offset + 16,
        "raw_blkaddr",
        ino.nid,
      );
    }
    const lastBlockSize = inline || size % EROFS_BLKSIZ === 0 ? EROFS_BLKSIZ : size % EROFS_BLKSIZ;
    return { blkaddr, blocks, lastBlockSize, tailOffset: ino.tailOffset, tailSize };
  }

  /**
   * The `i_size` bytes of a flat inode (file content, symlink target, raw directory blocks).
   * A view when the data is in one piece; a copy when it spans blocks and an inline tail.
   */
  data(ino: ErofsInodeInfo): Uint8Array {
    const l = this.flatLayout(ino);
    const size = Number(ino.size);
    const start = blockOffset(l.blkaddr);
    if (l.tailSize === 0) return this.bytes.subarray(start, start + size);
    const tail = this.bytes.subarray(l.tailOffset, l.tailOffset + l.tailSize);
    if (l.blocks === 0) return tail;
    const out = new Uint8Array(size);
    out.set(this.bytes.subarray(start, start + l.blocks * EROFS_BLKSIZ));
    out.set(tail, l.blocks * EROFS_BLKSIZ);
    return out;
  }

  /** The entries of a directory, block by block, `.` and `..` included. */
  readdir(ino: ErofsInodeInfo): RawDirent[] {
    const l = this.flatLayout(ino);
    const out: RawDirent[] = [];
    const start = blockOffset(l.blkaddr);
    for (let b = 0; b < l.blocks; b++) {
      const size = b + 1 === l.blocks ? l.lastBlockSize : EROFS_BLKSIZ;
      readDirBlock(this.#r, start + b * EROFS_BLKSIZ, size, ino.nid, out);
    }
    if (l.tailSize > 0) readDirBlock(this.#r, l.tailOffset, l.tailSize, ino.nid, out);
    return out;
  }

  /** The chunk map of a CHUNK_BASED inode, checked to lie inside the image. */
  chunks(ino: ErofsInodeInfo): ChunkInfo {
    if (ino.datalayout !== EROFS_INODE_CHUNK_BASED) {
      fail(
        "EINVAL",
        `data layout ${ino.datalayout} is not chunk based`,
        ino.offset,
        "i_format",
        ino.nid,
      );
    }
    const format = ino.iU & 0xffff;
    const chunkbits = 12 + (format & EROFS_CHUNK_FORMAT_BLKBITS_MASK);
    const indexes = (format & EROFS_CHUNK_FORMAT_INDEXES) !== 0;
    const unit = indexes ? 8 : 4;
    const count = (ino.size + (1n << BigInt(chunkbits)) - 1n) >> BigInt(chunkbits);
    // The kernel aligns the table to its entry size.
    const offset = Math.ceil(ino.tailOffset / unit) * unit;
    const bytes = count * BigInt(unit);
    if (BigInt(offset) + bytes > BigInt(this.bytes.length)) {
      fail(
        "EINVAL",
        `chunk table of ${count} entries passes the end of the image`,
        offset,
        "chunk table",
        ino.nid,
      );
    }
    const n = Number(count);
    return {
      chunkbits,
      indexes,
      count: n,
      offset,
      table: this.bytes.subarray(offset, offset + n * unit),
    };
  }
}

/**
 * Opens a composefs image: checks the composefs header (magic, version) and the EROFS superblock
 * (magic, `meta_blkaddr`, `xattr_blkaddr`) as C's reader does.
 *
 * @param bytes The whole image; it is not copied.
 * @returns The raw view of the image.
 * @throws {ErofsFormatError} with C's errno: `EINVAL` (short, bad magic), `ENOTSUP` (version).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openImage } from "./open.ts";
 * assert.throws(() => openImage(new Uint8Array(100)), { code: "EINVAL" });
 * ```
 */
export function openImage(bytes: Uint8Array): ErofsImage {
  return new ErofsImage(bytes);
}

function fail(
  code: ErofsErrno,
  reason: string,
  offset: number,
  structure: string,
  nid?: number,
): never {
  throw new ErofsFormatError(
    code,
    reason,
    nid === undefined ? { offset, structure } : { offset, structure, nid },
  );
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
