/**
 * The image writer: emits the bytes an {@link ImagePlan} describes, region by region, checking
 * each boundary against the plan (C's `assert(inodes_end == bytes_written)`).
 *
 * @module
 */
import { type ByteSink, ByteWriter } from "../bytes/byte_writer.ts";
import type { Node } from "../tree/node.ts";
import {
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../tree/node.ts";
import {
  EROFS_BLKSIZ,
  EROFS_BLKSIZ_BITS,
  EROFS_FEATURE_COMPAT_MTIME,
  EROFS_FEATURE_COMPAT_XATTR_FILTER,
  EROFS_FT_BLKDEV,
  EROFS_FT_CHRDEV,
  EROFS_FT_DIR,
  EROFS_FT_FIFO,
  EROFS_FT_REG_FILE,
  EROFS_FT_SOCK,
  EROFS_FT_SYMLINK,
  EROFS_FT_UNKNOWN,
  EROFS_INODE_CHUNK_BASED,
  EROFS_INODE_FLAT_INLINE,
  EROFS_INODE_FLAT_PLAIN,
  EROFS_INODE_LAYOUT_COMPACT,
  EROFS_INODE_LAYOUT_EXTENDED,
  EROFS_NULL_ADDR,
  EROFS_SLOTSIZE,
  EROFS_SUPER_MAGIC_V1,
  EROFS_SUPER_OFFSET,
  LCFS_EROFS_FLAGS_HAS_ACL,
  LCFS_EROFS_MAGIC,
  LCFS_EROFS_VERSION,
  LCFS_MAX_NONINLINE_CHUNKS,
} from "./constants.ts";
import { encodeErofsDirent, EROFS_DIRENT_SIZE } from "./dirent.ts";
import { encodeLcfsErofsHeader } from "./header.ts";
import { encodeErofsInodeCompact, encodeErofsInodeExtended, makeIFormat } from "./inode.ts";
import { type ImagePlan, planLayout } from "./layout.ts";
import {
  computeChunking,
  contentOf,
  entryNameOf,
  inodeXattrs,
  isExternalFile,
  prepareTree,
} from "./prepare.ts";
import { encodeErofsSuperBlock } from "./superblock.ts";
import type { VersionOptions } from "./version.ts";
import {
  encodeErofsXattrEntry,
  encodeErofsXattrIbodyHeader,
  EROFS_XATTR_IBODY_HEADER_SIZE,
  findXattrPrefix,
} from "./xattr.ts";
import { xattrFilterBit, xattrNameFilter } from "./xattr_filter.ts";
import type { Xattr } from "../tree/node.ts";

/** Options of {@link writeImage}. */
export type WriteOptions = VersionOptions;

function fileTypeOf(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return EROFS_FT_REG_FILE;
    case S_IFDIR:
      return EROFS_FT_DIR;
    case S_IFCHR:
      return EROFS_FT_CHRDEV;
    case S_IFBLK:
      return EROFS_FT_BLKDEV;
    case S_IFIFO:
      return EROFS_FT_FIFO;
    case S_IFSOCK:
      return EROFS_FT_SOCK;
    case S_IFLNK:
      return EROFS_FT_SYMLINK;
  }
  return EROFS_FT_UNKNOWN;
}

function assertAt(w: ByteWriter, expected: number, region: string): void {
  if (w.offset !== expected) {
    throw new Error(`Internal layout error: ${region} ends at ${w.offset}, planned ${expected}`);
  }
}

function writeXattrEntry(w: ByteWriter, x: Xattr): void {
  const { index, prefix } = findXattrPrefix(x.key);
  encodeErofsXattrEntry(w, {
    eNameLen: x.key.length - prefix.length,
    eNameIndex: index,
    eValueSize: x.value.length,
  });
  w.rawFrom(x.key, prefix.length);
  w.raw(x.value);
  w.alignTo(4);
}

function writeDirentChunk(w: ByteWriter, plan: ImagePlan, from: number, to: number): void {
  const tree = plan.tree;
  const { entryTarget, mode } = tree;
  let nameoff = (to - from) * EROFS_DIRENT_SIZE;
  for (let e = from; e < to; e++) {
    const t = entryTarget[e]!;
    encodeErofsDirent(w, {
      nid: BigInt(plan.offset[t]! / EROFS_SLOTSIZE),
      nameoff,
      fileType: fileTypeOf(mode[t]!),
      reserved: 0,
    });
    nameoff += entryNameOf(tree, e).length;
  }
  for (let e = from; e < to; e++) w.raw(entryNameOf(tree, e));
}

/** The dirent chunks of directory `i`, as the layout split them: each one's first entry. */
function direntChunks(plan: ImagePlan, i: number): { starts: number[]; end: number } {
  return { starts: plan.direntChunkStarts[i]!, end: plan.tree.entryStart[i + 1]! };
}

function inodeSizeField(plan: ImagePlan, i: number, nBlocks: number, tail: number): bigint {
  switch (plan.tree.mode[i]! & S_IFMT) {
    case S_IFDIR:
      return BigInt(nBlocks * EROFS_BLKSIZ + tail);
    case S_IFREG:
    case S_IFLNK:
      return plan.tree.size[i]!;
  }
  return 0n;
}

function writeXattrBody(w: ByteWriter, plan: ImagePlan, i: number): void {
  const xattrs = inodeXattrs(plan.tree, i);
  const refs = plan.shared.refs[i]!;
  let nShared = 0;
  const bits: number[] = [];
  for (let j = 0; j < xattrs.length; j++) {
    if (refs !== null && refs[j]! >= 0) nShared++;
    const key = xattrs[j]!.key;
    const { index, prefix } = findXattrPrefix(key);
    bits.push(xattrFilterBit(index, key, prefix.length));
  }
  encodeErofsXattrIbodyHeader(w, { hNameFilter: xattrNameFilter(bits), hSharedCount: nShared });
  if (refs !== null) {
    // Shared ids count from xattr_blkaddr, and the table starts mid-block at inodes_end.
    const base = plan.inodesEnd % EROFS_BLKSIZ;
    for (let j = 0; j < xattrs.length; j++) if (refs[j]! >= 0) w.u32((base + refs[j]!) / 4);
  }
  for (let j = 0; j < xattrs.length; j++) {
    if (refs === null || refs[j]! < 0) writeXattrEntry(w, xattrs[j]!);
  }
  w.alignTo(4);
}

function writeInode(w: ByteWriter, plan: ImagePlan, i: number): void {
  const tree = plan.tree;
  const n = tree.nodes[i]!;
  const mode = tree.mode[i]!;
  const type = mode & S_IFMT;
  const size = tree.size[i]!;
  const nBlocks = plan.nBlocks[i]!;
  const tail = plan.tail[i]!;
  const xsize = plan.xattrSize[i]!;
  w.zeros(plan.ipad[i]!);
  assertAt(w, plan.offset[i]!, `padding before inode ${i}`);

  let datalayout = tail > 0 ? EROFS_INODE_FLAT_INLINE : EROFS_INODE_FLAT_PLAIN;
  let chunkCount = 0;
  let iU = 0;
  if (type === S_IFCHR || type === S_IFBLK) iU = n.rdev >>> 0;
  else if ((type === S_IFDIR || type === S_IFREG || type === S_IFLNK) && nBlocks > 0) {
    iU = plan.dataStart / EROFS_BLKSIZ + plan.firstBlock[i]!;
  }
  const content = contentOf(n);
  if (isExternalFile(mode, size, n)) {
    const c = computeChunking(size);
    chunkCount = c.chunkCount;
    datalayout = EROFS_INODE_CHUNK_BASED;
    // The chunk format overwrites only the low half of the i_u union (C 1.0.8).
    iU = ((iU & 0xffff0000) | (c.chunkbits - EROFS_BLKSIZ_BITS)) >>> 0;
  }
  const iSize = inodeSizeField(plan, i, nBlocks, tail);
  const icount = xsize === 0 ? 0 : (xsize - EROFS_XATTR_IBODY_HEADER_SIZE) / 4 + 1;
  if (plan.compact[i]) {
    encodeErofsInodeCompact(w, {
      iFormat: makeIFormat(EROFS_INODE_LAYOUT_COMPACT, datalayout),
      iXattrIcount: icount,
      iMode: mode & 0xffff,
      iNlink: tree.nlink[i]! & 0xffff,
      iSize: Number(iSize),
      iReserved: 0,
      iU,
      iIno: i,
      iUid: n.uid,
      iGid: n.gid,
      iReserved2: 0,
    });
  } else {
    encodeErofsInodeExtended(w, {
      iFormat: makeIFormat(EROFS_INODE_LAYOUT_EXTENDED, datalayout),
      iXattrIcount: icount,
      iMode: mode & 0xffff,
      iReserved: 0,
      iSize,
      iU,
      iIno: i,
      iUid: n.uid >>> 0,
      iGid: n.gid >>> 0,
      iMtime: n.mtimeSec,
      iMtimeNsec: n.mtimeNsec >>> 0,
      iNlink: tree.nlink[i]!,
    });
  }

  if (xsize > 0) {
    const start = w.offset;
    writeXattrBody(w, plan, i);
    assertAt(w, start + xsize, `xattrs of inode ${i}`);
  }

  if (tail > 0) {
    if (type === S_IFDIR) {
      const { starts, end } = direntChunks(plan, i);
      writeDirentChunk(w, plan, starts[starts.length - 1]!, end);
    } else if (type === S_IFLNK) {
      w.raw(n.payload!);
    } else if (content !== null) {
      w.raw(content.subarray(content.length - tail));
    } else {
      w.fill(0xff, 4 * chunkCount);
    }
  }
}

function writeDataBlocks(w: ByteWriter, plan: ImagePlan, i: number): void {
  const nBlocks = plan.nBlocks[i]!;
  if (nBlocks === 0) return;
  const n = plan.tree.nodes[i]!;
  assertAt(w, plan.dataStart + plan.firstBlock[i]! * EROFS_BLKSIZ, `data of inode ${i}`);
  const type = plan.tree.mode[i]! & S_IFMT;
  const content = contentOf(n);
  if (type === S_IFDIR) {
    const { starts, end } = direntChunks(plan, i);
    for (let b = 0; b < nBlocks; b++) {
      writeDirentChunk(w, plan, starts[b]!, b + 1 < starts.length ? starts[b + 1]! : end);
      w.alignTo(EROFS_BLKSIZ);
    }
  } else if (type === S_IFLNK) {
    w.raw(n.payload!);
    w.alignTo(EROFS_BLKSIZ);
  } else if (content !== null) {
    // Only the first block is ever written: content is at most 5000 bytes.
    w.raw(content.subarray(0, Math.min(content.length, EROFS_BLKSIZ)));
    w.alignTo(EROFS_BLKSIZ);
  } else {
    // A chunk table that did not fit in the inode: a full block of holes, whatever the count.
    w.fill(EROFS_NULL_ADDR & 0xff, LCFS_MAX_NONINLINE_CHUNKS * 4);
  }
}

/** Emits the image bytes of a plan into one buffer of exactly `plan.imageSize` bytes. */
export function emitImage(plan: ImagePlan): Uint8Array {
  const w = new ByteWriter(plan.imageSize);
  emitInto(w, plan);
  return w.bytes;
}

/** The window {@link streamImage} fills before each call of its sink. */
export const STREAM_WINDOW_SIZE = 1 << 20;

/**
 * Emits the image bytes of a plan in order through `sink`, one window at a time, so the image is
 * never whole in memory (the sink must use each chunk before returning).
 */
export function streamImage(
  plan: ImagePlan,
  sink: ByteSink,
  windowSize: number = STREAM_WINDOW_SIZE,
): void {
  // A window holds at least one struct whole: encoders write fields without splitting them.
  const w = new ByteWriter(Math.min(Math.max(windowSize, EROFS_BLKSIZ), plan.imageSize), sink);
  emitInto(w, plan);
  w.flush();
}

/** The regions in order: header, superblock, inodes, shared xattrs, data blocks. */
function emitInto(w: ByteWriter, plan: ImagePlan): void {
  const { tree } = plan;
  encodeLcfsErofsHeader(w, {
    magic: LCFS_EROFS_MAGIC,
    version: LCFS_EROFS_VERSION,
    flags: tree.hasAcl ? LCFS_EROFS_FLAGS_HAS_ACL : 0,
    composefsVersion: tree.version,
  });
  w.zeros(EROFS_SUPER_OFFSET - w.offset);
  encodeErofsSuperBlock(w, {
    magic: EROFS_SUPER_MAGIC_V1,
    checksum: 0,
    featureCompat: EROFS_FEATURE_COMPAT_MTIME | EROFS_FEATURE_COMPAT_XATTR_FILTER,
    blkszbits: EROFS_BLKSIZ_BITS,
    sbExtslots: 0,
    rootNid: plan.rootNid,
    inos: BigInt(tree.nodes.length),
    buildTime: tree.minMtimeSec,
    buildTimeNsec: tree.minMtimeNsec,
    blocks: plan.imageSize / EROFS_BLKSIZ,
    metaBlkaddr: 0,
    xattrBlkaddr: Math.floor(plan.inodesEnd / EROFS_BLKSIZ),
    uuid: new Uint8Array(16),
    volumeName: new Uint8Array(16),
    featureIncompat: 0, // C 1.0.8 leaves CHUNKED_FILE unset although it writes chunk-based inodes.
    u1: 0,
    extraDevices: 0,
    devtSlotoff: 0,
    dirblkbits: 0,
    xattrPrefixCount: 0,
    xattrPrefixStart: 0,
    packedNid: 0n,
    xattrFilterReserved: 0,
  });
  for (let i = 0; i < tree.nodes.length; i++) writeInode(w, plan, i);
  w.alignTo(EROFS_SLOTSIZE);
  assertAt(w, plan.inodesEnd, "inode area");
  for (const s of plan.shared.table) writeXattrEntry(w, s.xattr);
  assertAt(w, plan.inodesEnd + plan.shared.size, "shared xattrs");
  w.alignTo(EROFS_BLKSIZ);
  assertAt(w, plan.dataStart, "metadata");
  for (let i = 0; i < tree.nodes.length; i++) writeDataBlocks(w, plan, i);
  assertAt(w, plan.imageSize, "data blocks");
}

/**
 * Writes the composefs image of a tree, byte-identical to C mkcomposefs 1.0.8.
 *
 * @example
 * ```ts
 * import { createNode, S_IFDIR } from "../tree/node.ts";
 * import { writeImage } from "./write.ts";
 * import assert from "node:assert/strict";
 * const image = writeImage(createNode(S_IFDIR | 0o755));
 * assert.equal(image.length, 16384);
 * ```
 */
export function writeImage(root: Node, options: WriteOptions = {}): Uint8Array {
  return emitImage(planLayout(prepareTree(root, options)));
}
