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

function grown(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** A pair found on more than one xattr hash: its bytes, use count and table offset. */
interface Candidate {
  readonly xattr: Xattr;
  count: number;
  offset: number;
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
 *
 * A hash of every xattr comes first: only pairs whose hash occurs twice can be shared, and only
 * those are compared byte for byte. A directory build's many single-file metacopy and redirect
 * pairs then cost four bytes each, not an entry in a table of all pairs.
 */
export function planSharedXattrs(
  count: number,
  xattrsOf: (inode: number) => Xattr[],
  expected = 0,
): SharedXattrPlan {
  let hashes = new Uint32Array(Math.max(1024, expected));
  let n = 0;
  const lengths = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const xs = xattrsOf(i);
    lengths[i] = xs.length;
    for (const x of xs) {
      if (n === hashes.length) hashes = grown(hashes);
      hashes[n++] = pairHash(x);
    }
  }
  const refs: (Int32Array | null)[] = new Array(count).fill(null);
  const sorted = hashes.slice(0, n).sort();
  const repeated = new Set<number>();
  for (let k = 1; k < n; k++) if (sorted[k] === sorted[k - 1]) repeated.add(sorted[k]!);
  if (repeated.size === 0) return { table: [], size: 0, refs };

  // The candidates, counted by their bytes; per xattr, its candidate's index or -1.
  const byHash = new Map<number, number[]>();
  const candidates: Candidate[] = [];
  const candidateOf = new Int32Array(n).fill(-1);
  for (let i = 0, k = 0; i < count; i++) {
    const end = k + lengths[i]!;
    let xs: Xattr[] | null = null;
    for (let j = 0; k < end; j++, k++) {
      const h = hashes[k]!;
      if (!repeated.has(h)) continue;
      xs ??= xattrsOf(i);
      const x = xs[j]!;
      let ids = byHash.get(h);
      if (ids === undefined) byHash.set(h, ids = []);
      let id = ids.find((c) => samePair(candidates[c]!.xattr, x));
      if (id === undefined) {
        id = candidates.length;
        candidates.push({ xattr: x, count: 0, offset: -1 });
        ids.push(id);
      }
      candidates[id]!.count++;
      candidateOf[k] = id;
    }
  }

  const shared = candidates.filter((c) => c.count > 1);
  shared.sort((a, b) => compareDescending(a.xattr, b.xattr));
  const table: SharedXattr[] = [];
  let size = 0;
  for (const c of shared) {
    c.offset = size;
    table.push({ xattr: c.xattr, offset: size });
    const prefixLen = findXattrPrefix(c.xattr.key).prefix.length;
    size += xattrEntrySize(c.xattr.key.length - prefixLen, c.xattr.value.length);
  }
  for (let i = 0, k = 0; i < count; i++) {
    const len = lengths[i]!;
    let r: Int32Array | null = null;
    let refsTaken = 0;
    for (let j = 0; j < len; j++, k++) {
      const id = candidateOf[k]!;
      const offset = id < 0 ? -1 : candidates[id]!.offset;
      if (offset < 0 || refsTaken >= LCFS_MAX_SHARED_XATTRS_PER_INODE) continue;
      if (r === null) r = new Int32Array(len).fill(-1);
      r[j] = offset;
      refsTaken++;
    }
    refs[i] = r;
  }
  return { table, size, refs };
}
