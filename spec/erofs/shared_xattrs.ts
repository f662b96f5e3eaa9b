/**
 * The shared xattr table (`compute_erofs_shared_xattrs`): every (key, value) pair found on two or
 * more inodes is stored once after the inodes and referenced by id.
 *
 * @module
 */
import { compareBytes } from "../bytes/compare.ts";
import type { Xattr } from "../tree/node.ts";
import { splitXattrKey, xattrEntrySize } from "./xattr.ts";

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

const decoder = new TextDecoder("latin1");

/** An injective string key for a pair: keys are C strings, so NUL cannot occur in them. */
function pairKey(x: Xattr): string {
  return decoder.decode(x.key) + "\0" + decoder.decode(x.value);
}

/** C sorts the pairs in DESCENDING order, whatever its comment says ("alphabetically"). */
function compareDescending(a: Xattr, b: Xattr): number {
  const k = compareBytes(b.key, a.key);
  if (k !== 0) return k;
  if (a.value.length !== b.value.length) return b.value.length - a.value.length;
  return compareBytes(b.value, a.value);
}

/** Plans the shared table for inodes whose xattrs are already sorted by key. */
export function planSharedXattrs(inodes: ReadonlyArray<{ xattrs: Xattr[] }>): SharedXattrPlan {
  const counts = new Map<string, { xattr: Xattr; count: number; offset: number }>();
  let any = false;
  for (const n of inodes) {
    for (const x of n.xattrs) {
      const k = pairKey(x);
      const e = counts.get(k);
      if (e === undefined) counts.set(k, { xattr: x, count: 1, offset: -1 });
      else {
        e.count++;
        any = true;
      }
    }
  }
  const refs: (Int32Array | null)[] = new Array(inodes.length).fill(null);
  if (!any) return { table: [], size: 0, refs };

  const shared = [...counts.values()].filter((e) => e.count > 1);
  shared.sort((a, b) => compareDescending(a.xattr, b.xattr));
  const table: SharedXattr[] = [];
  let size = 0;
  for (const e of shared) {
    e.offset = size;
    table.push({ xattr: e.xattr, offset: size });
    const { suffix } = splitXattrKey(e.xattr.key);
    size += xattrEntrySize(suffix.length, e.xattr.value.length);
  }
  for (let i = 0; i < inodes.length; i++) {
    const xs = inodes[i]!.xattrs;
    let r: Int32Array | null = null;
    let n = 0;
    for (let j = 0; j < xs.length; j++) {
      const e = counts.get(pairKey(xs[j]!))!;
      if (e.offset < 0 || n >= LCFS_MAX_SHARED_XATTRS_PER_INODE) continue;
      if (r === null) r = new Int32Array(xs.length).fill(-1);
      r[j] = e.offset;
      n++;
    }
    refs[i] = r;
  }
  return { table, size, refs };
}
