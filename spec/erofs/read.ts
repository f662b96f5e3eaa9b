/**
 * The image reader: composefs image bytes in, the tree C 1.0.8's `lcfs_load_node_from_image`
 * reconstructs out, so that printing it gives `composefs-info dump` byte for byte
 * (composefs-format.md §6.4):
 *
 * - every 0:0 chardev in the image (the root's `00`–`ff` stubs) is skipped;
 * - compact inodes take the superblock build time; a directory's size is its EROFS size;
 * - flat regular files get their content; chunk-based ones none;
 * - xattrs are applied inline first, then shared, in stored order, with the overlay keys turned
 *   back into payload, digest and whiteouts (see {@link applyXattrLikeC}, which also reproduces
 *   C's redirect-reading bug);
 * - hardlinks: the first entry of a nid met in depth-first order is the node, later ones are
 *   nodes with `linkTo` (mode 0 and nlink 1, as C's fresh `lcfs_node_new`).
 *
 * Where C would read out of bounds or misbehave, we throw {@link ErofsFormatError} instead:
 * every structure is checked against the image, two inodes may not overlap, and a data block
 * may belong to one inode only. Each nid is expanded once: an entry that reaches a nid again,
 * directories included (C writes those for dump hardlinks to directories), is a hardlink entry,
 * so nid cycles end. The walk is iterative; memory stays within a small multiple of the image size because content
 * copies are bounded by the blocks and slots each inode owns.
 *
 * The returned nodes share memory with `bytes` (names, values, content are views).
 *
 * @module
 */
import {
  addChild,
  createNode,
  type Node,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../tree/node.ts";
import { ComposefsLimitError } from "../tree/errors.ts";
import {
  EROFS_BLKSIZ,
  EROFS_INODE_CHUNK_BASED,
  EROFS_INODE_FLAT_INLINE,
  EROFS_INODE_FLAT_PLAIN,
  EROFS_SLOTSIZE,
  LCFS_INLINE_CONTENT_MAX,
} from "./constants.ts";
import { ErofsFormatError } from "./errors.ts";
import { type ErofsImage, type ErofsInodeInfo, openImage, type RawDirent } from "./open.ts";
import { applyXattrLikeC } from "./read_xattr_c.ts";

export { openImage } from "./open.ts";
export type {
  ChunkInfo,
  ErofsImage,
  ErofsInodeInfo,
  FlatLayout,
  RawDirent,
  RawXattr,
} from "./open.ts";

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /**
   * Keep only these root entries (C's `toplevel_entries`, `composefs-info --filter`). The
   * filter applies before hardlinks are resolved, as in C: a link whose first entry was
   * filtered out becomes the node.
   */
  filter?: readonly Uint8Array[];
}

/** C's `PATH_MAX`: symlink targets must be shorter. */
const PATH_MAX = 4096;

interface Frame {
  ino: ErofsInodeInfo;
  node: Node;
  entries: RawDirent[];
  next: number;
  filter: Set<string> | null;
}

/**
 * Reads a composefs image into the tree C's reader builds (see the module doc).
 *
 * @param bytes The whole image.
 * @param options `filter`: root entry names to keep.
 * @returns The root node.
 * @throws {ErofsFormatError} for a malformed image; `code` is C's errno where C fails too.
 *
 * @example Reading back an image: the 00-ff stubs are gone, content is back
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildImageFromDump } from "../image.ts";
 * import { readImage } from "./read.ts";
 * const dump = "/ 0 40755 2 0 0 0 0.0 - - -\n/f 3 100644 1 0 0 0 0.0 - abc -\n";
 * const root = readImage(buildImageFromDump(new TextEncoder().encode(dump)));
 * assert.deepEqual(root.children.map((c) => new TextDecoder().decode(c.name)), ["f"]);
 * assert.equal(new TextDecoder().decode(root.children[0]!.content!), "abc");
 * ```
 */
export function readImage(bytes: Uint8Array, options: ReadImageOptions = {}): Node {
  const reader = new TreeReader(openImage(bytes));
  const filter = options.filter === undefined ? null : new Set(options.filter.map(binaryString));
  const root = reader.visit(reader.image.rootNid, filter);
  if (root === null) {
    throw new ErofsFormatError("ENOTSUP", "The root is a whiteout", {
      offset: reader.image.metaStart + reader.image.rootNid * EROFS_SLOTSIZE,
      structure: "root inode",
      nid: reader.image.rootNid,
    });
  }
  reader.run();
  return root;
}

class TreeReader {
  readonly image: ErofsImage;
  /**
   * nid → its node; null for a skipped whiteout. Indexed by nid (an array of image size / 32
   * slots is cheaper than a Map for 10^5 inodes); nids past the image never get here.
   */
  readonly #seen: (Node | null | undefined)[];
  readonly #stack: Frame[] = [];
  /** One byte per 32-byte slot / per block: set once an inode owns it. */
  readonly #slots: Uint8Array;
  readonly #blocks: Uint8Array;

  constructor(image: ErofsImage) {
    this.image = image;
    this.#slots = new Uint8Array(Math.ceil(image.bytes.length / EROFS_SLOTSIZE));
    this.#blocks = new Uint8Array(Math.ceil(image.bytes.length / EROFS_BLKSIZ));
    this.#seen = new Array(this.#slots.length);
  }

  /** Walks the directory frames depth first, children in stored (sorted) order. */
  run(): void {
    const stack = this.#stack;
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next === f.entries.length) {
        // C applies a directory's xattrs after reading its entries.
        stack.pop();
        this.#applyXattrs(f.ino, f.node);
        continue;
      }
      const e = f.entries[f.next++]!;
      const raw = e.name;
      // C compares the stored length before cutting the name at a NUL.
      if (raw[0] === 0x2e && (raw.length === 1 || (raw.length === 2 && raw[1] === 0x2e))) continue;
      let name = cString(raw);
      if (name.length >= PATH_MAX) name = name.subarray(0, PATH_MAX - 1);
      if (f.filter !== null && !f.filter.has(binaryString(name))) continue;
      const child = this.visit(e.nid, null);
      if (child === null) continue;
      try {
        addChild(f.node, child, name);
      } catch (err) {
        if (!(err instanceof ComposefsLimitError)) throw err;
        const code = err.code === "ENAMETOOLONG" || err.code === "EEXIST" ? err.code : "EINVAL";
        throw new ErofsFormatError(code, err.message, {
          offset: e.offset,
          structure: "dirent",
          nid: f.ino.nid,
        });
      }
    }
  }

  /**
   * Builds the node for `nid`, or a hardlink to it when it was seen before, or null for a
   * whiteout. A directory gets a frame on the stack; its entries are read by {@link run}.
   */
  visit(nid: number, filter: Set<string> | null): Node | null {
    const prev = this.#seen[nid];
    if (prev !== undefined) {
      if (prev === null) return null;
      const link = createNode(0);
      link.linkTo = prev;
      return link;
    }
    const image = this.image;
    const ino = image.inode(nid);
    const type = ino.mode & S_IFMT;
    const isDevice = type === S_IFCHR || type === S_IFBLK;
    const node = createNode(ino.mode, {
      nlink: ino.nlink,
      uid: ino.uid,
      gid: ino.gid,
      rdev: isDevice ? ino.iU : 0,
      size: ino.size,
      mtimeSec: ino.mtimeSec,
      mtimeNsec: ino.mtimeNsec,
    });
    if (type === S_IFCHR && node.rdev === 0) {
      // C signals a stored whiteout (a root stub) with ENOTSUP and skips the entry.
      this.#seen[nid] = null;
      return null;
    }
    this.#seen[nid] = node;
    this.#claimInode(ino);
    if (type === S_IFDIR) {
      const entries = image.readdir(ino);
      this.#claimBlocks(ino);
      this.#stack.push({ ino, node, entries, next: 0, filter });
    } else if (type === S_IFLNK) {
      this.#readSymlink(ino, node);
    } else if (type === S_IFREG && ino.size !== 0n) {
      this.#readRegular(ino, node);
    }
    if (type !== S_IFDIR) this.#applyXattrs(ino, node);
    return node;
  }

  #applyXattrs(ino: ErofsInodeInfo, node: Node): void {
    const image = this.image;
    image.forEachXattr(ino, (x) => applyXattrLikeC(node, x, image.bytes, ino.nid));
  }

  #readSymlink(ino: ErofsInodeInfo, node: Node): void {
    if (ino.size >= BigInt(PATH_MAX)) {
      throw this.#error(ino, `Symlink target of ${ino.size} bytes`, "i_size", 8);
    }
    const target = cString(this.image.data(ino));
    this.#claimBlocks(ino);
    if (target.length === 0) throw this.#error(ino, "Empty symlink target", "symlink target", 0);
    node.payload = target;
    node.size = BigInt(target.length);
  }

  #readRegular(ino: ErofsInodeInfo, node: Node): void {
    const layout = ino.datalayout;
    if (layout === EROFS_INODE_FLAT_PLAIN || layout === EROFS_INODE_FLAT_INLINE) {
      const max = Math.min(LCFS_INLINE_CONTENT_MAX, this.image.bytes.length);
      if (ino.size > BigInt(max)) {
        throw this.#error(ino, `Inline content of ${ino.size} bytes`, "i_size", 8);
      }
      node.content = this.image.data(ino);
      this.#claimBlocks(ino);
    } else if (layout !== EROFS_INODE_CHUNK_BASED) {
      // Chunk-based files keep their data in the lower layer; C does not read the map (and its
      // writer can store one that does not match i_size when its u64 chunk count wraps).
      throw this.#error(ino, `Regular file with data layout ${layout}`, "i_format", 0);
    }
  }

  /** Marks the slots of the inode, its xattr body and its inline tail as owned. */
  #claimInode(ino: ErofsInodeInfo): void {
    let end = ino.tailOffset;
    if (ino.datalayout === EROFS_INODE_FLAT_INLINE) end += Number(ino.size % 4096n);
    const slots = this.#slots;
    const last = Math.min(Math.ceil(end / EROFS_SLOTSIZE), slots.length);
    for (let s = Math.floor(ino.offset / EROFS_SLOTSIZE); s < last; s++) {
      if (slots[s] !== 0) {
        throw this.#error(ino, `Inode overlaps another inode at offset ${s * 32}`, "inode", 0);
      }
      slots[s] = 1;
    }
  }

  /** Marks the data blocks of a flat inode as owned. */
  #claimBlocks(ino: ErofsInodeInfo): void {
    const l = this.image.flatLayout(ino);
    const blocks = this.#blocks;
    for (let b = l.blkaddr; b < l.blkaddr + l.blocks; b++) {
      if (blocks[b] !== 0) throw this.#error(ino, `Data block ${b} is shared`, "raw_blkaddr", 16);
      blocks[b] = 1;
    }
  }

  #error(ino: ErofsInodeInfo, reason: string, structure: string, at: number): ErofsFormatError {
    return new ErofsFormatError("EINVAL", reason, {
      offset: ino.offset + at,
      structure,
      nid: ino.nid,
    });
  }
}

/** The bytes before the first NUL (a view): C handles names as strings. */
function cString(b: Uint8Array): Uint8Array {
  const i = b.indexOf(0);
  return i < 0 ? b : b.subarray(0, i);
}

/** Bytes as a one-char-per-byte string, for Set lookups. */
function binaryString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
