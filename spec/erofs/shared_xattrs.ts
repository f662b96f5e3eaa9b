/**
 * The shared xattr table (`compute_erofs_shared_xattrs`): every (key, value) pair found on two or
 * more inodes is stored once after the inodes and referenced by id.
 *
 * @module
 */
import { compareBytes, equalBytes } from "../bytes/compare.ts";
import type { Xattr } from "../tree/node.ts";
import { findXattrPrefix, xattrEntrySize } from "./xattr.ts";

/** Most references one inode may hold: `h_shared_count` is a u8 and C stops below 128. */
export const LCFS_MAX_SHARED_XATTRS_PER_INODE = 128;

/** One pair of the shared table. */
export interface SharedXattr {
  readonly xattr: Xattr;
  /** Byte offset from the start of the table. */
  readonly offset: number;
}

/** The shared table and, per inode, which of its (key-sorted) xattrs are stored by reference. */
export interface SharedXattrPlan {
  readonly table: SharedXattr[];
  /** Total table size in bytes. */
  readonly size: number;
  /**
   * For inode `i`, `refs[i][j]` is the table offset of its `j`-th xattr when stored by
   * reference, or -1 when stored inline. Null for inodes with no shared references.
   */
  readonly refs: (Int32Array | null)[];
}

/**
 * FNV-1a over the key, the value's length and at most its first 32 and last 16 bytes: a bucket
 * index only (equal pairs hash equal; lookups compare bytes), so long values need not be read
 * whole. Metacopy and redirect values differ within their first bytes (the digest).
 */
function pairHash(x: Xattr): number {
  let h = 0x811c9dc5;
  const k = x.key;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  const v = x.value;
  h = Math.imul(h ^ (0x100 + v.length), 0x01000193);
  const head = v.length < 48 ? v.length : 32;
  for (let i = 0; i < head; i++) h = Math.imul(h ^ v[i]!, 0x01000193);
  for (let i = Math.max(head, v.length - 16); i < v.length; i++) {
    h = Math.imul(h ^ v[i]!, 0x01000193);
  }
  return h >>> 0;
}

interface PairCount {
  readonly xattr: Xattr;
  count: number;
  offset: number;
}

/**
 * Distinct (key, value) pairs with their use counts: an open-addressing hash table over typed
 * arrays, cheaper than a Map of strings for hundreds of thousands of xattrs.
 */
class PairTable {
  readonly entries: PairCount[] = [];
  #hashes = new Uint32Array(1024);
  /** Entry index + 1 per slot; 0 = empty. */
  #slots = new Int32Array(1024);

  /** The entry for `x`, created with count 0 when new. */
  lookup(x: Xattr): PairCount {
    const h = pairHash(x);
    const mask = this.#slots.length - 1;
    for (let s = h & mask;; s = (s + 1) & mask) {
      const v = this.#slots[s]!;
      if (v === 0) break;
      if (this.#hashes[s] === h) {
        const e = this.entries[v - 1]!;
        if (samePair(e.xattr, x)) return e;
      }
    }
    const e: PairCount = { xattr: x, count: 0, offset: -1 };
    this.entries.push(e);
    if (this.entries.length * 2 > this.#slots.length) this.#grow();
    this.#insert(h, this.entries.length);
    return e;
  }

  #insert(h: number, v: number): void {
    const mask = this.#slots.length - 1;
    let s = h & mask;
    while (this.#slots[s] !== 0) s = (s + 1) & mask;
    this.#slots[s] = v;
    this.#hashes[s] = h;
  }

  #grow(): void {
    const oldSlots = this.#slots;
    const oldHashes = this.#hashes;
    this.#slots = new Int32Array(oldSlots.length * 2);
    this.#hashes = new Uint32Array(oldSlots.length * 2);
    for (let s = 0; s < oldSlots.length; s++) {
      if (oldSlots[s] !== 0) this.#insert(oldHashes[s]!, oldSlots[s]!);
    }
  }
}

function samePair(a: Xattr, b: Xattr): boolean {
  return equalBytes(a.value, b.value) && equalBytes(a.key, b.key);
}

/** C sorts the pairs in DESCENDING order, whatever its comment says ("alphabetically"). */
function compareDescending(a: Xattr, b: Xattr): number {
  const k = compareBytes(b.key, a.key);
  if (k !== 0) return k;
  if (a.value.length !== b.value.length) return b.value.length - a.value.length;
  return compareBytes(b.value, a.value);
}

/** Plans the shared table for inodes whose xattrs are already sorted by key. */
export function planSharedXattrs(inodes: ReadonlyArray<Xattr[]>): SharedXattrPlan {
  const pairs = new PairTable();
  // The entry of each xattr, in inode order, so the second pass needs no lookups.
  const seen: PairCount[] = [];
  let any = false;
  for (const xs of inodes) {
    for (const x of xs) {
      const e = pairs.lookup(x);
      if (e.count++ > 0) any = true;
      seen.push(e);
    }
  }
  const refs: (Int32Array | null)[] = new Array(inodes.length).fill(null);
  if (!any) return { table: [], size: 0, refs };

  const shared = pairs.entries.filter((e) => e.count > 1);
  shared.sort((a, b) => compareDescending(a.xattr, b.xattr));
  const table: SharedXattr[] = [];
  let size = 0;
  for (const e of shared) {
    e.offset = size;
    table.push({ xattr: e.xattr, offset: size });
    const prefixLen = findXattrPrefix(e.xattr.key).prefix.length;
    size += xattrEntrySize(e.xattr.key.length - prefixLen, e.xattr.value.length);
  }
  let k = 0;
  for (let i = 0; i < inodes.length; i++) {
    const xs = inodes[i]!;
    let r: Int32Array | null = null;
    let n = 0;
    for (let j = 0; j < xs.length; j++) {
      const e = seen[k++]!;
      if (e.offset < 0 || n >= LCFS_MAX_SHARED_XATTRS_PER_INODE) continue;
      if (r === null) r = new Int32Array(xs.length).fill(-1);
      r[j] = e.offset;
      n++;
    }
    refs[i] = r;
  }
  return { table, size, refs };
}
