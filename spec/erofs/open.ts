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
  EROFS_SLOTSIZE,
  EROFS_SUPER_MAGIC_V1,
  EROFS_SUPER_OFFSET,
  LCFS_EROFS_MAGIC,
  LCFS_EROFS_VERSION,
} from "./constants.ts";
import { type ErofsErrno, ErofsFormatError } from "./errors.ts";
import { decodeLcfsErofsHeader, type LcfsErofsHeader } from "./header.ts";
import { decodeErofsSuperBlock, type ErofsSuperBlock } from "./superblock.ts";
import { EROFS_XATTR_ENTRY_SIZE, EROFS_XATTR_IBODY_HEADER_SIZE } from "./xattr.ts";
import { type RawDirent, readDirBlock } from "./read_dir.ts";
import {
  type BuildTime,
  type ChunkInfo,
  chunkInfoOf,
  decodeInodeAt,
  type ErofsInodeInfo,
  type FlatLayout,
  flatLayoutOf,
} from "./read_inode.ts";
import { type RawXattr, readXattrEntry } from "./read_xattr.ts";

export type { RawDirent } from "./read_dir.ts";
export type { ChunkInfo, ErofsInodeInfo, FlatLayout } from "./read_inode.ts";
export { RawXattr } from "./read_xattr.ts";

/** Offset of the first block beyond this many bytes: `blocks * 4096` of a u32 `blkaddr`. */
function blockOffset(blkaddr: number): number {
  return blkaddr * EROFS_BLKSIZ;
}

/** An opened image; see the module doc. Create with {@link openImage}. */
export class ErofsImage {
  /** The image bytes; every returned name, value and content is a view of them. */
  readonly bytes: Uint8Array;
  /** The composefs header at offset 0. */
  readonly header: LcfsErofsHeader;
  /** The EROFS superblock at offset 1024. */
  readonly superBlock: ErofsSuperBlock;
  /** `root_nid` from the superblock. */
  readonly rootNid: number;
  /** Byte offset of nid 0 (`meta_blkaddr * 4096`). */
  readonly metaStart: number;
  /** Byte offset of shared xattr id 0 (`xattr_blkaddr * 4096`). */
  readonly xattrStart: number;
  readonly #r: ByteReader;
  /** `build_time` as signed seconds: the mtime of every compact inode. */
  readonly #buildTime: BuildTime;
  /** Shared entries already read, by offset. */
  readonly #shared = new Map<number, RawXattr>();

  /** Checks the header and superblock; throws ErofsFormatError when they are not composefs's. */
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
    this.#buildTime = {
      sec: BigInt.asIntN(64, this.superBlock.buildTime),
      nsec: this.superBlock.buildTimeNsec,
    };
  }

  /** Decodes the inode `nid`; the inode and its xattr body must lie inside the image. */
  inode(nid: number): ErofsInodeInfo {
    return decodeInodeAt(this.#r, this.metaStart + nid * EROFS_SLOTSIZE, nid, this.#buildTime);
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
    // C stops as soon as no more than an entry header's worth of bytes is left, so a last
    // inline entry of exactly 4 bytes (empty suffix and value, e.g. `system.posix_acl_access=`)
    // is never read. Reproduced: C's dump drops it.
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

  /** {@link flatLayoutOf} for this image. */
  flatLayout(ino: ErofsInodeInfo): FlatLayout {
    return flatLayoutOf(ino, this.bytes.length);
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

  /** {@link chunkInfoOf} for this image. */
  chunks(ino: ErofsInodeInfo): ChunkInfo {
    return chunkInfoOf(ino, this.bytes);
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
 * @example Open an image built in code, list the root and read a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildImageFromTree } from "../image.ts";
 * import { addChild, createNode, S_IFDIR, S_IFREG } from "../tree/node.ts";
 * import { openImage } from "./open.ts";
 *
 * const enc = new TextEncoder();
 * const root = createNode(S_IFDIR | 0o755, { nlink: 2 });
 * const hello = createNode(S_IFREG | 0o644, { size: 6n, content: enc.encode("hello\n") });
 * addChild(root, hello, enc.encode("hello.txt"));
 *
 * const image = openImage(buildImageFromTree(root));
 * const entries = image.readdir(image.inode(image.superBlock.rootNid));
 * // `.`, `..`, the 256 overlay whiteout stubs `00`…`ff` every image carries, and ours.
 * assert.equal(entries.length, 259);
 * const entry = entries.find((d) => new TextDecoder().decode(d.name) === "hello.txt");
 * assert.ok(entry);
 * const file = image.inode(entry.nid);
 * assert.equal(file.mode, S_IFREG | 0o644);
 * assert.deepEqual(image.data(file), enc.encode("hello\n"));
 * ```
 *
 * @example Anything shorter than a block is refused
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
