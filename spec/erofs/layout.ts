/**
 * The layout pass (`compute_erofs_inodes` and friends): decides every byte position before a
 * byte is written. The writer only emits what the plan says.
 *
 * @module
 */
import { ComposefsLimitError } from "../tree/errors.ts";
import type { Xattr } from "../tree/node.ts";
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../tree/node.ts";
import {
  EROFS_BLKSIZ,
  EROFS_SLOTSIZE,
  EROFS_SUPER_OFFSET,
  LCFS_MAX_INLINE_TAIL,
} from "./constants.ts";
import { EROFS_DIRENT_SIZE } from "./dirent.ts";
import { EROFS_INODE_COMPACT_SIZE, EROFS_INODE_EXTENDED_SIZE } from "./inode.ts";
import {
  computeChunking,
  contentOf,
  entryNameOf,
  inodeXattrs,
  type PreparedTree,
} from "./prepare.ts";
import { planSharedXattrs, type SharedXattrPlan } from "./shared_xattrs.ts";
import { EROFS_SUPER_BLOCK_SIZE } from "./superblock.ts";
import { EROFS_XATTR_IBODY_HEADER_SIZE, findXattrPrefix, xattrEntrySize } from "./xattr.ts";

/** Where each inode goes and what it holds; arrays are indexed by `ino` (BFS order). */
export interface ImagePlan {
  readonly tree: PreparedTree;
  readonly shared: SharedXattrPlan;
  /** Byte offset of each inode (nid = offset / 32, meta_blkaddr being 0). */
  readonly offset: Float64Array;
  /** Zero bytes written before each inode (slot alignment plus tail padding). */
  readonly ipad: Uint32Array;
  readonly compact: Uint8Array;
  /** Size of the xattr body after each inode. */
  readonly xattrSize: Uint32Array;
  /** Full data blocks of each inode. */
  readonly nBlocks: Uint32Array;
  /** Bytes packed after the xattr body. */
  readonly tail: Uint32Array;
  /** First data block of each inode, relative to the start of the data area. */
  readonly firstBlock: Float64Array;
  /**
   * For directory `i`, the entry index where each dirent chunk starts (full blocks, then the
   * tail when it stays inline); null for other inodes.
   */
  readonly direntChunkStarts: (number[] | null)[];
  readonly inodesEnd: number;
  readonly dataStart: number;
  readonly totalDataBlocks: number;
  readonly imageSize: number;
  readonly rootNid: number;
}

/** Start of the inode area: right after the superblock. */
export const LCFS_INODES_START = EROFS_SUPER_OFFSET + EROFS_SUPER_BLOCK_SIZE;

function roundUp(x: number, n: number): number {
  return Math.ceil(x / n) * n;
}

/**
 * The greedy dirent packing of `compute_erofs_dir_size`/`write_erofs_dentries` over entries
 * `[from, to)`: returns the index where each chunk starts, plus the size in bytes of the last
 * (open) chunk. One function for layout and writing, so the two cannot disagree.
 */
export function splitDirentChunks(
  nameLength: (e: number) => number,
  from: number,
  to: number,
): { starts: number[]; lastSize: number } {
  const starts = [from];
  let cur = 0;
  for (let i = from; i < to; i++) {
    const len = EROFS_DIRENT_SIZE + nameLength(i);
    if (cur + len > EROFS_BLKSIZ) {
      starts.push(i);
      cur = 0;
    }
    cur += len;
  }
  return { starts, lastSize: cur };
}

/** n_blocks and tail before placement (`compute_erofs_inode_size`). */
function dataShape(
  tree: PreparedTree,
  i: number,
  chunkStarts: (number[] | null)[],
): [number, number] {
  const type = tree.mode[i]! & S_IFMT;
  const n = tree.nodes[i]!;
  if (type === S_IFDIR) {
    const { starts, lastSize } = splitDirentChunks(
      (e) => entryNameOf(tree, e).length,
      tree.entryStart[i]!,
      tree.entryStart[i + 1]!,
    );
    chunkStarts[i] = starts;
    // Never inline more than half a block.
    return lastSize > LCFS_MAX_INLINE_TAIL ? [starts.length, 0] : [starts.length - 1, lastSize];
  }
  if (type === S_IFLNK) return [0, n.payload!.length];
  const size = tree.size[i]!;
  if (type === S_IFREG && size > 0n) {
    const content = contentOf(n);
    if (content !== null) {
      const tail = content.length % EROFS_BLKSIZ;
      const blocks = Math.floor(content.length / EROFS_BLKSIZ);
      return tail > LCFS_MAX_INLINE_TAIL ? [blocks + 1, 0] : [blocks, tail];
    }
    return [0, 4 * computeChunking(size).chunkCount];
  }
  return [0, 0];
}

/** `lcfs_fits_in_erofs_compact`: decided on the size before any tail moves. */
function fitsCompact(tree: PreparedTree, i: number, dirSize: number): boolean {
  const n = tree.nodes[i]!;
  if (BigInt.asIntN(64, n.mtimeSec) !== tree.minMtimeSec) return false;
  if (n.mtimeNsec >>> 0 !== tree.minMtimeNsec) return false;
  if (tree.nlink[i]! > 0xffff || n.uid >>> 0 > 0xffff || n.gid >>> 0 > 0xffff) return false;
  const size = (tree.mode[i]! & S_IFMT) === S_IFDIR ? BigInt(dirSize) : tree.size[i]!;
  return size <= 0xffffffffn;
}

function xattrBodySize(xattrs: Xattr[], refs: Int32Array | null): number {
  if (xattrs.length === 0) return 0;
  let size = EROFS_XATTR_IBODY_HEADER_SIZE;
  for (let j = 0; j < xattrs.length; j++) {
    if (refs !== null && refs[j]! >= 0) size += 4;
    else {
      const x = xattrs[j]!;
      size += xattrEntrySize(x.key.length - findXattrPrefix(x.key).prefix.length, x.value.length);
    }
  }
  return roundUp(size, 4);
}

/** Plans the whole image for a prepared tree. */
export function planLayout(tree: PreparedTree): ImagePlan {
  const count = tree.nodes.length;
  let xattrCount = 0;
  for (let i = 0; i < count; i++) {
    // Two at most from the overlay rewrite (metacopy, redirect).
    xattrCount += tree.xattrs[i]!.length + (tree.overlayAt[i]! >= 0 ? 2 : 0);
  }
  const shared = planSharedXattrs(count, (i) => inodeXattrs(tree, i), xattrCount);
  const offset = new Float64Array(count);
  const ipad = new Uint32Array(count);
  const compact = new Uint8Array(count);
  const xattrSize = new Uint32Array(count);
  const nBlocksOf = new Uint32Array(count);
  const tailOf = new Uint32Array(count);
  const firstBlock = new Float64Array(count);
  const direntChunkStarts: (number[] | null)[] = new Array(count).fill(null);
  let pos = LCFS_INODES_START;
  let dataBlocks = 0;

  for (let i = 0; i < count; i++) {
    const type = tree.mode[i]! & S_IFMT;
    let [nBlocks, tail] = dataShape(tree, i, direntChunkStarts);
    const isCompact = fitsCompact(tree, i, nBlocks * EROFS_BLKSIZ + tail);
    const inodeSize = isCompact ? EROFS_INODE_COMPACT_SIZE : EROFS_INODE_EXTENDED_SIZE;
    const xsize = xattrBodySize(inodeXattrs(tree, i), shared.refs[i]!);
    if (xsize > EROFS_XATTR_IBODY_HEADER_SIZE + 4 * 0xfffe) {
      throw new ComposefsLimitError("EINVAL", "xattrs of one inode exceed i_xattr_icount");
    }
    const start = roundUp(pos, EROFS_SLOTSIZE);
    let pad = start - pos;
    pos = start;

    // Keep the tail inside one block (compute_erofs_inode_padding_for_tail).
    if (type === S_IFLNK) {
      const total = inodeSize + xsize + tail;
      if (total >= EROFS_BLKSIZ) {
        nBlocks++;
        tail = 0;
      }
      // C 1.0.8 still pads by the original span, even when the target moved to a block.
      if (Math.floor(pos / EROFS_BLKSIZ) !== Math.floor((pos + total - 1) / EROFS_BLKSIZ)) {
        const extra = roundUp(pos, EROFS_BLKSIZ) - pos;
        pad += extra;
        pos += extra;
      }
    } else {
      const rem = EROFS_BLKSIZ - ((pos + inodeSize + xsize) % EROFS_BLKSIZ);
      if (rem < tail) {
        const extra = roundUp(rem, EROFS_SLOTSIZE);
        const rem2 = EROFS_BLKSIZ - ((pos + inodeSize + xsize + extra) % EROFS_BLKSIZ);
        if (tail <= rem2) {
          pad += extra;
          pos += extra;
        } else {
          nBlocks++;
          tail = 0;
          const toBlock = roundUp(pos, EROFS_BLKSIZ) - pos;
          pad += toBlock;
          pos += toBlock;
        }
      }
    }

    offset[i] = pos;
    ipad[i] = pad;
    compact[i] = isCompact ? 1 : 0;
    xattrSize[i] = xsize;
    nBlocksOf[i] = nBlocks;
    tailOf[i] = tail;
    firstBlock[i] = dataBlocks;
    dataBlocks += nBlocks;
    pos += inodeSize + xsize + tail;
  }

  const inodesEnd = roundUp(pos, EROFS_SLOTSIZE);
  const dataStart = roundUp(inodesEnd + shared.size, EROFS_BLKSIZ);
  const rootNid = offset[0]! / EROFS_SLOTSIZE;
  if (rootNid > 0xffff) {
    throw new ComposefsLimitError("EINVAL", "the root inode lies beyond nid 65535");
  }
  const imageSize = dataStart + dataBlocks * EROFS_BLKSIZ;
  if (imageSize / EROFS_BLKSIZ > 0xffffffff) {
    throw new ComposefsLimitError("EFBIG", "the image needs more than 2^32 blocks");
  }
  return {
    tree,
    shared,
    offset,
    ipad,
    compact,
    xattrSize,
    nBlocks: nBlocksOf,
    tail: tailOf,
    firstBlock,
    direntChunkStarts,
    inodesEnd,
    dataStart,
    totalDataBlocks: dataBlocks,
    imageSize,
    rootNid,
  };
}
