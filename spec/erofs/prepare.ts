/**
 * Prepares a tree for EROFS: what C's writer does to its private copy of the tree
 * (`rewrite_tree_for_erofs`: overlay xattrs, whiteouts, `.`/`..`, the root stubs) and the
 * breadth-first numbering (`lcfs_compute_tree`). Instead of copying the caller's tree, the result
 * holds per-inode arrays of what differs from it, so memory stays close to the tree's own.
 *
 * @module
 */
import { asciiBytes, compareBytes, startsWith } from "../bytes/compare.ts";
import { ComposefsLimitError } from "../tree/errors.ts";
import {
  createNode,
  getXattr,
  isValidFileType,
  type Node,
  nodePath,
  resolveLink,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  setXattr,
  type Xattr,
  type XattrHolder,
} from "../tree/node.ts";
import {
  EROFS_BLKSIZ_BITS,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  LCFS_INLINE_CONTENT_MAX,
  LCFS_MAX_NONINLINE_CHUNKS,
} from "./constants.ts";
import { resolveFormatVersion, type VersionOptions } from "./version.ts";

/**
 * The prepared tree. Inode `i` (BFS order, its `i_ino`) is `nodes[i]`; the arrays hold the values
 * the image stores where the rewrite changed them. Directory `i`'s entries, `.` and `..`
 * included where they sort, are `entryStart[i] .. entryStart[i + 1]` of the entry arrays (names
 * by {@link entryNameOf}).
 */
export interface PreparedTree {
  readonly nodes: Node[];
  /** Mode after the rewrite (whiteouts become regular files). */
  readonly mode: Uint32Array;
  /** nlink: recomputed for directories. */
  readonly nlink: Uint32Array;
  /** Size after the rewrite: 0 for whiteouts, the target length for symlinks. */
  readonly size: bigint[];
  /**
   * Xattrs after the rewrite, sorted by key, except the two that every external file gets
   * (see {@link overlayAt}); {@link inodeXattrs} gives the full list.
   */
  readonly xattrs: Xattr[][];
  /**
   * Per inode, where its `trusted.overlay.metacopy` and `trusted.overlay.redirect` values are
   * in {@link overlayValues} (slab × 2^20 + offset), -2 when the bytes around the node's
   * digest and payload are the values, or -1 for none. Every external file gets both (redirect only with a
   * payload); they live in one buffer rather than as two views per file, which were a third of
   * the memory of a large directory build.
   */
  readonly overlayAt: Float64Array;
  /**
   * Slabs of records: metacopy length (u8, 0 or 36), redirect length (u16 LE, 0 when absent), then
   * the two values.
   */
  readonly overlayValues: Uint8Array[];
  readonly entryStart: Uint32Array;
  /**
   * What each entry is: {@link ENTRY_CHILD} (a node under its own name), {@link ENTRY_LINK} (a
   * hardlink), {@link ENTRY_DOT} or {@link ENTRY_DOTDOT}.
   */
  readonly entryKind: Uint8Array;
  /**
   * The node of each child or hardlink entry, whose name the entry has; undefined for `.` and
   * `..`. Nodes rather than names, so that a tree whose names are made on demand keeps none.
   */
  readonly entryNode: (Node | undefined)[];
  /** Inode index of each entry's final target (links resolved). */
  readonly entryTarget: Uint32Array;
  /** The composefs format version written into the header. */
  readonly version: number;
  readonly hasAcl: boolean;
  readonly minMtimeSec: bigint;
  readonly minMtimeNsec: number;
}

const OVERLAY_XATTR_PREFIX = asciiBytes("trusted.overlay.");
const OVERLAY_XATTR_ESCAPE_PREFIX = asciiBytes("trusted.overlay.overlay.");
const OVERLAY_XATTR_METACOPY = asciiBytes("trusted.overlay.metacopy");
const OVERLAY_XATTR_REDIRECT = asciiBytes("trusted.overlay.redirect");
const OVERLAY_XATTR_OPAQUE = asciiBytes("trusted.overlay.opaque");
const OVERLAY_XATTR_ESCAPED_WHITEOUT = asciiBytes("trusted.overlay.overlay.whiteout");
const OVERLAY_XATTR_ESCAPED_WHITEOUTS = asciiBytes("trusted.overlay.overlay.whiteouts");
const OVERLAY_XATTR_ESCAPED_OPAQUE = asciiBytes("trusted.overlay.overlay.opaque");
const OVERLAY_XATTR_USERXATTR_WHITEOUT = asciiBytes("user.overlay.whiteout");
const OVERLAY_XATTR_USERXATTR_WHITEOUTS = asciiBytes("user.overlay.whiteouts");
const OVERLAY_XATTR_USERXATTR_OPAQUE = asciiBytes("user.overlay.opaque");
const XATTR_SECURITY_SELINUX = asciiBytes("security.selinux");
const XATTR_POSIX_ACL_ACCESS = asciiBytes("system.posix_acl_access");
const XATTR_POSIX_ACL_DEFAULT = asciiBytes("system.posix_acl_default");
/** {@link PreparedTree.entryKind}: a node under its own name. */
export const ENTRY_CHILD = 0;
/** {@link PreparedTree.entryKind}: a hardlink to a node elsewhere. */
export const ENTRY_LINK = 1;
/** {@link PreparedTree.entryKind}: `.`. */
export const ENTRY_DOT = 2;
/** {@link PreparedTree.entryKind}: `..`. */
export const ENTRY_DOTDOT = 3;
const DOT = asciiBytes(".");
const DOTDOT = asciiBytes("..");
const EMPTY = new Uint8Array(0);
const X = asciiBytes("x");
const Y = asciiBytes("y");
/**
 * The overlayfs metacopy header before the digest: version 0, length 36, flags 0,
 * FS_VERITY_HASH_ALG_SHA256.
 */
export const OVERLAY_METACOPY_HEADER: readonly number[] = [0, 36, 0, 1];
/** {@link PreparedTree.overlayAt}: the values are in place around the node's digest and payload. */
const OVERLAY_IN_PLACE = -2;
/**
 * Below this payload length the two overlay xattrs always fit C's budget and value limit
 * (79 + 32 + 4097 bytes of 32767), so only longer payloads are checked by setting them.
 */
const OVERLAY_SAFE_PAYLOAD = 4096;

/** Size of one slab of {@link PreparedTree.overlayValues}; a larger record gets its own. */
const OVERLAY_SLAB = 64 * 1024;
/** {@link PreparedTree.overlayAt} holds `slab * OVERLAY_AT_SLAB + offset`. */
const OVERLAY_AT_SLAB = 2 ** 20;

/** The slabs of {@link PreparedTree.overlayValues}, filled one after the other. */
class OverlayValues {
  readonly slabs: Uint8Array[] = [];
  #pos = OVERLAY_SLAB;

  /**
   * Appends the values of one external file; returns where its record is, or
   * {@link OVERLAY_IN_PLACE} when the bytes around the node's digest and payload already are
   * the two values (a directory walk keeps them so), which then need no copy.
   */
  add(digest: Uint8Array | null, payload: Uint8Array | null): number {
    if (
      digest !== null && payload !== null && metacopyInPlace(digest) !== null &&
      redirectInPlace(payload) !== null
    ) {
      return OVERLAY_IN_PLACE;
    }
    const mlen = digest !== null ? 36 : 0;
    const rlen = payload !== null && payload.length > 0 ? payload.length + 1 : 0;
    const n = 3 + mlen + rlen;
    if (this.#pos + n > OVERLAY_SLAB) {
      this.slabs.push(new Uint8Array(Math.max(n, OVERLAY_SLAB)));
      this.#pos = 0;
    }
    const at = this.#pos;
    const b = this.slabs[this.slabs.length - 1]!;
    b[at] = mlen;
    b[at + 1] = rlen & 0xff;
    b[at + 2] = rlen >> 8;
    let o = at + 3;
    if (digest !== null) {
      b.set(OVERLAY_METACOPY_HEADER, o);
      b.set(digest.subarray(0, 32), o + 4);
      o += 36;
    }
    if (rlen > 0) {
      // A literal join: a payload that starts with '/' gives "//…" (C 1.0.8).
      b[o] = 0x2f;
      b.set(payload!, o + 1);
    }
    this.#pos += n;
    return (this.slabs.length - 1) * OVERLAY_AT_SLAB + at;
  }
}

/** ilog2 of a positive integer below 2^64 held in a bigint. */
function bitLength(x: bigint): number {
  if (x <= 0xffffffffn) return x === 0n ? 0 : 32 - Math.clz32(Number(x));
  const hi = Number(x >> 32n);
  return hi > 0xffffffff ? 64 : 64 - Math.clz32(hi);
}

/** The chunk geometry of an external file (`erofs_compute_chunking`). */
export function computeChunking(size: bigint): { chunkbits: number; chunkCount: number } {
  // ilog2(size - 1) + 1, with ilog2(0) taken as 0.
  let chunkbits = size <= 1n ? 1 : bitLength(size - 1n);
  if (chunkbits < EROFS_BLKSIZ_BITS) chunkbits = EROFS_BLKSIZ_BITS;
  if (chunkbits - EROFS_BLKSIZ_BITS > EROFS_CHUNK_FORMAT_BLKBITS_MASK) {
    chunkbits = EROFS_CHUNK_FORMAT_BLKBITS_MASK + EROFS_BLKSIZ_BITS;
  }
  const chunk = 1n << BigInt(chunkbits);
  // DIV_ROUND_UP in u64: sizes within 2^43 of 2^64 wrap to 0 chunks, which C 1.0.8 accepts.
  const count = BigInt.asUintN(64, size + chunk - 1n) / chunk;
  return { chunkbits, chunkCount: count > 0xffffffffn ? 0xffffffff : Number(count) };
}

/** The inline content of a node as the writer sees it: null when absent or empty. */
export function contentOf(n: Node): Uint8Array | null {
  return n.content !== null && n.content.length > 0 ? n.content : null;
}

/** True for a regular file stored as a chunk-based stub (its data lives in the store). */
export function isExternalFile(mode: number, size: bigint, n: Node): boolean {
  return (mode & S_IFMT) === S_IFREG && size > 0n && contentOf(n) === null;
}

function fail(
  code: "EINVAL" | "EFBIG" | "ELOOP" | "ENOTDIR",
  node: Node | null,
  why: string,
): never {
  const where = node ? `${new TextDecoder().decode(nodePath(node))}: ` : "";
  throw new ComposefsLimitError(code, `${where}${why}`);
}

/** Checks a node as `lcfs_node_validate` does, and ours beyond it; returns its stored size. */
function validateNode(n: Node): bigint {
  const type = n.mode & S_IFMT;
  if (!isValidFileType(type)) fail("EINVAL", n, `invalid file type in mode ${n.mode.toString(8)}`);
  if (n.children.length > 0 && type !== S_IFDIR) {
    fail("EINVAL", n, "only directories can have children");
  }
  if (type === S_IFLNK) {
    if (n.payload === null || n.payload.length === 0 || n.payload.length >= 4096) {
      fail("EINVAL", n, "a symlink target must be 1 to 4095 bytes");
    }
    return BigInt(n.payload.length);
  }
  const content = contentOf(n);
  if (content !== null) {
    // C's writer mis-writes content beyond one block and a tail; its parser caps it at 5000.
    if (content.length > LCFS_INLINE_CONTENT_MAX) {
      fail(
        "EFBIG",
        n,
        `inline content of ${content.length} bytes exceeds ${LCFS_INLINE_CONTENT_MAX}`,
      );
    }
    return BigInt(content.length);
  }
  // The node's own bigint when already in range: one bigint per inode less to keep.
  const size = n.size >= 0n && n.size <= 0xffffffffffffffffn ? n.size : BigInt.asUintN(64, n.size);
  if (type === S_IFREG && size > 0n) {
    if (computeChunking(size).chunkCount > LCFS_MAX_NONINLINE_CHUNKS) {
      fail(
        "EFBIG",
        n,
        `a file of ${size} bytes needs more than ${LCFS_MAX_NONINLINE_CHUNKS} chunks`,
      );
    }
  }
  return size;
}

/** Whether any input node (links excluded) is a whiteout: a chardev with 32-bit rdev 0. */
function hasWhiteout(root: Node): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.linkTo === null && (n.mode & S_IFMT) === S_IFCHR && n.rdev >>> 0 === 0) return true;
    for (const c of n.children) stack.push(c);
  }
  return false;
}

/** A node whose xattrs the rewrite changes: a copy of them, with C's budget restarted at 0. */
function editable(xattrs: Xattr[]): XattrHolder {
  // The C clone does not carry the budget (see setXattr): it starts at 0.
  return { xattrs: xattrs.slice(), xattrBudget: 0 };
}

const HEX = "0123456789abcdef";

/** `add_overlay_whiteouts`: the 256 `00`..`ff` chardev stubs of the root, in every version. */
function rootWhiteoutStubs(root: Node): Node[] {
  // The rewrite never touches security.selinux, so the root's own value is the one C copies.
  const selinux = getXattr(root, XATTR_SECURITY_SELINUX);
  const have = new Set<string>();
  for (const c of root.children) {
    if (c.name.length === 2) have.add(String.fromCharCode(c.name[0]!, c.name[1]!));
  }
  const stubs: Node[] = [];
  for (let i = 0; i < 256; i++) {
    const name = HEX[i >> 4]! + HEX[i & 15]!;
    if (have.has(name)) continue;
    const stub = createNode(S_IFCHR | 0o644, {
      uid: root.uid,
      gid: root.gid,
      mtimeSec: root.mtimeSec,
      mtimeNsec: root.mtimeNsec,
    });
    if (selinux !== undefined) setXattr(stub, XATTR_SECURITY_SELINUX, selinux);
    stub.name = asciiBytes(name);
    stub.parent = root;
    stubs.push(stub);
  }
  return stubs;
}

function isSorted(xs: Xattr[]): boolean {
  for (let i = 1; i < xs.length; i++) {
    if (compareBytes(xs[i - 1]!.key, xs[i]!.key) > 0) return false;
  }
  return true;
}

/** Inodes in BFS order, with each one's parent and its block of real children. */
interface Numbering {
  nodes: Node[];
  parent: Uint32Array;
  firstChild: Uint32Array;
  childCount: Uint32Array;
  /** Children as written (the root's include the stubs), per directory index. */
  kids: (Node[] | undefined)[];
  entryCount: number;
}

/** `lcfs_compute_tree`'s queue: BFS from the root, children in byte order, links skipped. */
function numberTree(root: Node, stubs: Node[]): Numbering {
  const nodes: Node[] = [root];
  const parents: number[] = [0];
  const first: number[] = [];
  const counts: number[] = [];
  const kids: (Node[] | undefined)[] = [];
  let entryCount = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    first.push(nodes.length);
    if ((n.mode & S_IFMT) !== S_IFDIR) {
      counts.push(0);
      kids.push(undefined);
      continue;
    }
    const list = i === 0 && stubs.length > 0
      ? [...n.children, ...stubs].sort((a, b) => compareBytes(a.name, b.name))
      : n.children;
    kids.push(list);
    entryCount += list.length + 2;
    let c = 0;
    for (const k of list) {
      if (k.linkTo !== null) continue;
      nodes.push(k);
      parents.push(i);
      c++;
    }
    counts.push(c);
  }
  return {
    nodes,
    parent: Uint32Array.from(parents),
    firstChild: Uint32Array.from(first),
    childCount: Uint32Array.from(counts),
    kids,
    entryCount,
  };
}

/**
 * `rewrite_tree_for_erofs` over the numbered inodes: a pre-order walk (C's order, which decides
 * which error comes first), children in byte order. Fills `mode`, `size` and the edited xattrs.
 */
function rewriteTree(
  t: Numbering,
  version: number,
  mode: Uint32Array,
  size: bigint[],
  edited: (XattrHolder | undefined)[],
  overlayAt: Float64Array,
  overlay: OverlayValues,
  stubs: ReadonlySet<Node>,
): void {
  const { nodes } = t;
  const edit = (i: number): XattrHolder => (edited[i] ??= editable(nodes[i]!.xattrs));
  const stack: number[] = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const n = nodes[i]!;
    size[i] = validateNode(n);
    mode[i] = n.mode >>> 0;
    // Escape trusted.overlay.* in place, budget untouched (C renames; collisions are renamed too).
    for (let j = 0; j < n.xattrs.length; j++) {
      if (!startsWith(n.xattrs[j]!.key, OVERLAY_XATTR_PREFIX)) continue;
      const r = edit(i);
      const x = r.xattrs[j]!;
      const key = new Uint8Array(x.key.length + 8);
      key.set(OVERLAY_XATTR_ESCAPE_PREFIX);
      key.set(x.key.subarray(OVERLAY_XATTR_PREFIX.length), OVERLAY_XATTR_ESCAPE_PREFIX.length);
      r.xattrs[j] = { key, value: x.value };
    }
    const type = n.mode & S_IFMT;
    if (isExternalFile(n.mode, size[i]!, n)) {
      const payload = n.payload;
      // C adds both with lcfs_node_set_xattr on its clone (budget restarted at 0): only a huge
      // payload can fail there, so only then are they set for real, on a scratch holder.
      if (payload !== null && payload.length >= OVERLAY_SAFE_PAYLOAD) {
        const scratch: XattrHolder = { xattrs: [], xattrBudget: 0 };
        setXattr(scratch, OVERLAY_XATTR_METACOPY, n.digest !== null ? new Uint8Array(36) : EMPTY);
        setXattr(scratch, OVERLAY_XATTR_REDIRECT, new Uint8Array(payload.length + 1));
      }
      overlayAt[i] = overlay.add(n.digest, payload);
    } else if (type === S_IFCHR && n.rdev >>> 0 === 0 && n.parent !== null) {
      const r = edit(i);
      size[i] = 0n;
      mode[i] = (S_IFREG | (n.mode & ~S_IFMT)) >>> 0;
      setXattr(r, OVERLAY_XATTR_ESCAPED_WHITEOUT, EMPTY);
      setXattr(r, OVERLAY_XATTR_USERXATTR_WHITEOUT, EMPTY);
      const p = edit(t.parent[i]!);
      setXattr(p, OVERLAY_XATTR_ESCAPED_WHITEOUTS, EMPTY);
      setXattr(p, OVERLAY_XATTR_USERXATTR_WHITEOUTS, EMPTY);
      if (version >= 1) {
        setXattr(p, OVERLAY_XATTR_ESCAPED_OPAQUE, X);
        setXattr(p, OVERLAY_XATTR_USERXATTR_OPAQUE, X);
      }
    }
    if (type === S_IFDIR) {
      for (const c of n.children) {
        if (compareBytes(c.name, DOT) === 0 || compareBytes(c.name, DOTDOT) === 0) {
          fail("EINVAL", c, "`.` and `..` cannot be names in the tree");
        }
      }
      // Real children are consecutive in BFS order; push in reverse to pop in byte order.
      const f = t.firstChild[i]!;
      for (let k = t.childCount[i]! - 1; k >= 0; k--) {
        const c = f + k;
        // The root's stubs are added after the walk in C; they are never rewritten.
        if (stubs.has(nodes[c]!)) mode[c] = nodes[c]!.mode;
        else stack.push(c);
      }
    }
  }
  setXattr(edit(0), OVERLAY_XATTR_OPAQUE, Y);
}

/**
 * Prepares `root` for layout: the overlayfs rewrite of C mkcomposefs 1.0.8, links resolved, inodes
 * numbered breadth-first. The caller's tree is not modified.
 *
 * Throws {@link ComposefsLimitError}: EINVAL (bad version, bad mode, `.`/`..` names), EFBIG
 * (a file needing more than 1024 chunks), ELOOP (a hardlink cycle), ERANGE (the xattr budget).
 */
export function prepareTree(root: Node, options: VersionOptions = {}): PreparedTree {
  const version = resolveFormatVersion(options, () => hasWhiteout(root));
  // C fails when it adds the 00-ff stubs to the root: lcfs_node_add_child gives ENOTDIR, after
  // the version checks (a regular-file or symlink source, verified).
  if ((root.mode & S_IFMT) !== S_IFDIR) fail("ENOTDIR", null, "the root is not a directory");
  const stubs = rootWhiteoutStubs(root);
  const t = numberTree(root, stubs);
  const { nodes } = t;
  const count = nodes.length;
  const mode = new Uint32Array(count);
  const size: bigint[] = new Array(count).fill(0n);
  const edited: (XattrHolder | undefined)[] = new Array(count);
  const overlayAt = new Float64Array(count).fill(-1);
  const overlay = new OverlayValues();
  rewriteTree(t, version, mode, size, edited, overlayAt, overlay, new Set(stubs));

  const nlink = new Uint32Array(count);
  const xattrs: Xattr[][] = new Array(count);
  const entryStart = new Uint32Array(count + 1);
  const entryNode: (Node | undefined)[] = new Array(t.entryCount);
  const entryTarget = new Uint32Array(t.entryCount);
  const entryKind = new Uint8Array(t.entryCount);
  let links: Map<Node, number> | undefined;
  let minSec = root.mtimeSec;
  let minNsec = root.mtimeNsec >>> 0;
  let hasAcl = false;
  let e = 0;
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    nlink[i] = n.nlink >>> 0;
    const ed = edited[i];
    // An edited list grew by push (spare capacity): keep an exact-size copy instead.
    let xs = ed !== undefined ? ed.xattrs.slice() : n.xattrs;
    if (!isSorted(xs)) xs = xs.slice().sort((a, b) => compareBytes(a.key, b.key));
    xattrs[i] = xs;
    const sec = n.mtimeSec;
    const nsec = n.mtimeNsec >>> 0;
    if (sec < minSec || (sec === minSec && nsec < minNsec)) {
      minSec = sec;
      minNsec = nsec;
    }
    if (!hasAcl && xs.length > 0) {
      const holder = { xattrs: xs, xattrBudget: 0 };
      hasAcl = getXattr(holder, XATTR_POSIX_ACL_ACCESS) !== undefined ||
        getXattr(holder, XATTR_POSIX_ACL_DEFAULT) !== undefined;
    }
    entryStart[i] = e;
    const kids = t.kids[i];
    if (kids === undefined) continue;
    // `.` and `..` are ordinary entries placed where they sort (names below 0x2e come first).
    let dirs = 0;
    let dotDone = false;
    let dotdotDone = false;
    let real = t.firstChild[i]!;
    for (let k = 0; k <= kids.length; k++) {
      const c = kids[k];
      if (!dotDone && (c === undefined || compareBytes(c.name, DOT) > 0)) {
        entryTarget[e] = i;
        entryKind[e++] = ENTRY_DOT;
        dotDone = true;
      }
      if (!dotdotDone && (c === undefined || compareBytes(c.name, DOTDOT) > 0)) {
        entryTarget[e] = t.parent[i]!;
        entryKind[e++] = ENTRY_DOTDOT;
        dotdotDone = true;
      }
      if (c === undefined) break;
      entryNode[e] = c;
      // C counts every child whose own mode is a directory, links included.
      if ((c.mode & S_IFMT) === S_IFDIR) dirs++;
      if (c.linkTo === null) {
        entryTarget[e] = real++;
      } else {
        entryKind[e] = ENTRY_LINK;
        // Resolved after the rewrite, as C does (EFBIG and ERANGE come before ELOOP).
        let target: Node;
        try {
          target = resolveLink(c);
        } catch {
          fail("ELOOP", c, "hardlink cycle");
        }
        if (links === undefined) {
          links = new Map();
          for (let j = 0; j < count; j++) links.set(nodes[j]!, j);
        }
        const ti = links.get(target);
        if (ti === undefined) fail("EINVAL", c, "hardlink target is outside the tree");
        entryTarget[e] = ti;
      }
      e++;
    }
    nlink[i] = 2 + dirs;
  }
  entryStart[count] = e;
  return {
    nodes,
    mode,
    nlink,
    size,
    xattrs,
    overlayAt,
    overlayValues: overlay.slabs,
    entryStart,
    entryKind,
    entryNode,
    entryTarget,
    version,
    hasAcl,
    minMtimeSec: minSec,
    minMtimeNsec: minNsec,
  };
}

/** The metacopy value as a view, when the 4 bytes before `digest` are its header; else null. */
function metacopyInPlace(digest: Uint8Array): Uint8Array | null {
  const at = digest.byteOffset - 4;
  if (digest.length !== 32 || at < 0) return null;
  const v = new Uint8Array(digest.buffer, at, 36);
  for (let k = 0; k < 4; k++) if (v[k] !== OVERLAY_METACOPY_HEADER[k]) return null;
  return v;
}

/** The redirect value as a view, when the byte before `payload` is `/`; else null. */
function redirectInPlace(payload: Uint8Array): Uint8Array | null {
  const at = payload.byteOffset - 1;
  if (payload.length === 0 || at < 0) return null;
  const v = new Uint8Array(payload.buffer, at, payload.length + 1);
  return v[0] === 0x2f ? v : null;
}

/**
 * All xattrs of inode `i` after the rewrite, sorted by key: its own and, for an external file,
 * the metacopy and redirect ones (views of {@link PreparedTree.overlayValues} or of the bytes
 * around the node's digest and payload, made per call).
 */
export function inodeXattrs(tree: PreparedTree, i: number): Xattr[] {
  const own = tree.xattrs[i]!;
  let at = tree.overlayAt[i]!;
  if (at === -1) return own;
  let metacopy: Uint8Array;
  let redirect: Uint8Array | null;
  if (at === OVERLAY_IN_PLACE) {
    const n = tree.nodes[i]!;
    metacopy = metacopyInPlace(n.digest!)!;
    redirect = redirectInPlace(n.payload!)!;
  } else {
    const v = tree.overlayValues[Math.floor(at / OVERLAY_AT_SLAB)]!;
    at %= OVERLAY_AT_SLAB;
    const mlen = v[at]!;
    const rlen = v[at + 1]! | (v[at + 2]! << 8);
    metacopy = v.subarray(at + 3, at + 3 + mlen);
    redirect = rlen > 0 ? v.subarray(at + 3 + mlen, at + 3 + mlen + rlen) : null;
  }
  const out: Xattr[] = [];
  let j = 0;
  const add = (key: Uint8Array, value: Uint8Array) => {
    // Own keys never equal these: every trusted.overlay.* key was escaped.
    while (j < own.length && compareBytes(own[j]!.key, key) < 0) out.push(own[j++]!);
    out.push({ key, value });
  };
  add(OVERLAY_XATTR_METACOPY, metacopy);
  if (redirect !== null) add(OVERLAY_XATTR_REDIRECT, redirect);
  while (j < own.length) out.push(own[j++]!);
  return out;
}

/** The name of entry `e` of a prepared tree. */
export function entryNameOf(tree: PreparedTree, e: number): Uint8Array {
  switch (tree.entryKind[e]) {
    case ENTRY_DOT:
      return DOT;
    case ENTRY_DOTDOT:
      return DOTDOT;
  }
  return tree.entryNode[e]!.name;
}
