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

/**
 * Distinct (key, value) pairs with their use counts: an open-addressing hash table over typed
 * arrays. A pair is kept as where it was first seen (inode, position), not as an object, so the
 * table holds no xattr: for a build from a directory most pairs are the made-on-demand metacopy
 * and redirect values of single files.
 */
class PairTable {
  /** Number of distinct pairs. */
  size = 0;
  /** Per pair: inode and position of its first use, and its use count. */
  inode: Int32Array<ArrayBuffer>;
  index: Int32Array<ArrayBuffer>;
  count: Int32Array<ArrayBuffer>;
  #hashes: Uint32Array;
  /** Pair id + 1 per slot; 0 = empty. */
  #slots: Int32Array;
  readonly #xattrsOf: (inode: number) => Xattr[];

  constructor(xattrsOf: (inode: number) => Xattr[], expected: number) {
    this.#xattrsOf = xattrsOf;
    // Sized for `expected` pairs up front: growing by doubling leaves the old arrays behind.
    let cap = 1024;
    while (cap < expected) cap *= 2;
    this.inode = new Int32Array(cap);
    this.index = new Int32Array(cap);
    this.count = new Int32Array(cap);
    this.#hashes = new Uint32Array(cap * 2);
    this.#slots = new Int32Array(cap * 2);
  }

  /** The pair `x` (the `j`-th xattr of `inode`) as an id; a new pair gets count 0. */
  lookup(x: Xattr, inode: number, j: number): number {
    const h = pairHash(x);
    const mask = this.#slots.length - 1;
    for (let s = h & mask;; s = (s + 1) & mask) {
      const v = this.#slots[s]!;
      if (v === 0) break;
      if (this.#hashes[s] === h && samePair(this.pair(v - 1), x)) return v - 1;
    }
    const id = this.size++;
    if (id === this.inode.length) {
      this.inode = grown(this.inode);
      this.index = grown(this.index);
      this.count = grown(this.count);
    }
    this.inode[id] = inode;
    this.index[id] = j;
    if (this.size * 2 > this.#slots.length) this.#grow();
    this.#insert(h, id + 1);
    return id;
  }

  /** The xattr of pair `id`. */
  pair(id: number): Xattr {
    return this.#xattrsOf(this.inode[id]!)[this.index[id]!]!;
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

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
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

/**
 * Plans the shared table for `count` inodes; `xattrsOf(i)` gives inode `i`'s xattrs sorted by
 * key (it may make them afresh on each call). `expected`, the number of xattrs in all, sizes
 * the work arrays; a wrong guess costs only time.
 */
export function planSharedXattrs(
  count: number,
  xattrsOf: (inode: number) => Xattr[],
  expected = 0,
): SharedXattrPlan {
  const pairs = new PairTable(xattrsOf, expected);
  // The pair id of each xattr, in inode order, so the second pass needs no lookups.
  let seen = new Int32Array(Math.max(1024, expected));
  let nSeen = 0;
  const lengths = new Uint32Array(count);
  let any = false;
  for (let i = 0; i < count; i++) {
    const xs = xattrsOf(i);
    lengths[i] = xs.length;
    for (let j = 0; j < xs.length; j++) {
      const id = pairs.lookup(xs[j]!, i, j);
      if (pairs.count[id]!++ > 0) any = true;
      if (nSeen === seen.length) seen = grown(seen);
      seen[nSeen++] = id;
    }
  }
  const refs: (Int32Array | null)[] = new Array(count).fill(null);
  if (!any) return { table: [], size: 0, refs };

  const shared: { id: number; xattr: Xattr }[] = [];
  for (let id = 0; id < pairs.size; id++) {
    if (pairs.count[id]! > 1) shared.push({ id, xattr: pairs.pair(id) });
  }
  shared.sort((a, b) => compareDescending(a.xattr, b.xattr));
  // Table offset per pair id; -1 for pairs stored inline.
  const offsetOf = new Int32Array(pairs.size).fill(-1);
  const table: SharedXattr[] = [];
  let size = 0;
  for (const { id, xattr } of shared) {
    offsetOf[id] = size;
    table.push({ xattr, offset: size });
    const prefixLen = findXattrPrefix(xattr.key).prefix.length;
    size += xattrEntrySize(xattr.key.length - prefixLen, xattr.value.length);
  }
  let k = 0;
  for (let i = 0; i < count; i++) {
    const n = lengths[i]!;
    let r: Int32Array | null = null;
    let refsTaken = 0;
    for (let j = 0; j < n; j++) {
      const offset = offsetOf[seen[k++]!]!;
      if (offset < 0 || refsTaken >= LCFS_MAX_SHARED_XATTRS_PER_INODE) continue;
      if (r === null) r = new Int32Array(n).fill(-1);
      r[j] = offset;
      refsTaken++;
    }
    refs[i] = r;
  }
  return { table, size, refs };
}
