/**
 * Prepares a tree for EROFS: the private copy C's writer makes (`lcfs_clone_root`), the overlayfs
 * rewrite (`rewrite_tree_for_erofs`), and the breadth-first numbering (`lcfs_compute_tree`).
 * The caller's tree is never modified.
 *
 * @module
 */
import { asciiBytes, compareBytes, startsWith } from "../bytes/compare.ts";
import { ComposefsLimitError } from "../tree/errors.ts";
import {
  getXattr,
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
} from "../tree/node.ts";
import {
  EROFS_BLKSIZ_BITS,
  EROFS_CHUNK_FORMAT_BLKBITS_MASK,
  LCFS_INLINE_CONTENT_MAX,
  LCFS_MAX_NONINLINE_CHUNKS,
} from "./constants.ts";
import { resolveFormatVersion, type VersionOptions } from "./version.ts";

/** A directory entry of a prepared directory: its name and the node that owns the inode. */
export interface PreparedEntry {
  readonly name: Uint8Array;
  /** The final link target (hardlinks and `.`/`..` resolved). */
  target: PreparedNode;
  /** True when this entry is a link (`.`, `..` or a hardlink), not the node's own name. */
  readonly isLink: boolean;
}

/** A node after the overlay rewrite: the values the image stores. */
export interface PreparedNode {
  /** Breadth-first index: `i_ino`, and the order of inodes and data blocks. */
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: bigint;
  mtimeSec: bigint;
  mtimeNsec: number;
  payload: Uint8Array | null;
  content: Uint8Array | null;
  /** Sorted by key once numbering is done. */
  xattrs: Xattr[];
  xattrBudget: number;
  /** Directory entries in bytewise order, `.` and `..` where they sort. */
  entries: PreparedEntry[];
  /** Source path, for error messages. */
  readonly source: Node | null;
}

/** The prepared tree: nodes in BFS order (index = `ino`) and tree-wide facts. */
export interface PreparedTree {
  readonly nodes: PreparedNode[];
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
const DOT = asciiBytes(".");
const DOTDOT = asciiBytes("..");
const EMPTY = new Uint8Array(0);
const X = asciiBytes("x");
const Y = asciiBytes("y");
/** fs-verity metacopy header: version 0, length 36, flags 0, FS_VERITY_HASH_ALG_SHA256. */
const METACOPY_HEADER = [0, 36, 0, 1];
const VALID_TYPES = new Set([0o140000, 0o120000, 0o100000, 0o060000, 0o040000, 0o020000, 0o010000]);

/** The chunk geometry of an external file (`erofs_compute_chunking`). */
export function computeChunking(size: bigint): { chunkbits: number; chunkCount: number } {
  // ilog2(size - 1) + 1, with ilog2(0) taken as 0.
  let chunkbits = size <= 1n ? 1 : (size - 1n).toString(2).length;
  if (chunkbits < EROFS_BLKSIZ_BITS) chunkbits = EROFS_BLKSIZ_BITS;
  if (chunkbits - EROFS_BLKSIZ_BITS > EROFS_CHUNK_FORMAT_BLKBITS_MASK) {
    chunkbits = EROFS_CHUNK_FORMAT_BLKBITS_MASK + EROFS_BLKSIZ_BITS;
  }
  const chunk = 1n << BigInt(chunkbits);
  // DIV_ROUND_UP in u64: sizes within 2^43 of 2^64 wrap to 0 chunks, which C 1.0.8 accepts.
  const count = BigInt.asUintN(64, size + chunk - 1n) / chunk;
  return { chunkbits, chunkCount: count > 0xffffffffn ? 0xffffffff : Number(count) };
}

function isExternalFile(n: PreparedNode): boolean {
  return (n.mode & S_IFMT) === S_IFREG && n.size > 0n && n.content === null;
}

function fail(code: "EINVAL" | "EFBIG" | "ELOOP", node: Node | null, why: string): never {
  const where = node ? `${new TextDecoder().decode(nodePath(node))}: ` : "";
  throw new ComposefsLimitError(code, `${where}${why}`);
}

/** Copies one node's data, as `lcfs_node_clone`: xattrs copied, the budget restarted at 0. */
function cloneNode(n: Node): PreparedNode {
  const type = n.mode & S_IFMT;
  if (!VALID_TYPES.has(type)) fail("EINVAL", n, `invalid file type in mode ${n.mode.toString(8)}`);
  let content = n.content !== null && n.content.length > 0 ? n.content : null;
  let size = n.size;
  if (type === S_IFLNK) {
    if (n.payload === null || n.payload.length === 0 || n.payload.length >= 4096) {
      fail("EINVAL", n, "a symlink target must be 1 to 4095 bytes");
    }
    size = BigInt(n.payload.length);
    content = null;
  } else if (content !== null) {
    // C's writer mis-writes content above one block plus a tail; its parser caps it at 5000.
    if (content.length > LCFS_INLINE_CONTENT_MAX) {
      fail(
        "EFBIG",
        n,
        `inline content of ${content.length} bytes exceeds ${LCFS_INLINE_CONTENT_MAX}`,
      );
    }
    size = BigInt(content.length);
  }
  return {
    ino: -1,
    mode: n.mode >>> 0,
    nlink: n.nlink >>> 0,
    uid: n.uid >>> 0,
    gid: n.gid >>> 0,
    rdev: n.rdev >>> 0,
    size: BigInt.asUintN(64, size),
    mtimeSec: BigInt.asIntN(64, n.mtimeSec),
    mtimeNsec: n.mtimeNsec >>> 0,
    payload: n.payload,
    content,
    xattrs: n.xattrs.map((x) => ({ key: x.key, value: x.value })),
    xattrBudget: 0, // C quirk: the clone does not carry the budget (see setXattr).
    entries: [],
    source: n,
  };
}

interface Cloned {
  root: PreparedNode;
  /** Hardlink entries to resolve once every node is cloned. */
  links: { entry: PreparedEntry; from: Node }[];
  map: Map<Node, PreparedNode>;
}

function cloneTree(root: Node): Cloned {
  const map = new Map<Node, PreparedNode>();
  const links: Cloned["links"] = [];
  const rootCopy = cloneNode(root);
  map.set(root, rootCopy);
  const stack: [Node, PreparedNode][] = [[root, rootCopy]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop()!;
    if (src.children.length > 0 && (src.mode & S_IFMT) !== S_IFDIR) {
      fail("EINVAL", src, "only directories can have children");
    }
    for (const child of src.children) {
      if (compareBytes(child.name, DOT) === 0 || compareBytes(child.name, DOTDOT) === 0) {
        fail("EINVAL", child, "`.` and `..` cannot be names in the tree");
      }
      if (child.linkTo !== null) {
        const entry: PreparedEntry = { name: child.name, target: dst, isLink: true };
        dst.entries.push(entry);
        links.push({ entry, from: child });
      } else {
        const copy = cloneNode(child);
        map.set(child, copy);
        dst.entries.push({ name: child.name, target: copy, isLink: false });
        stack.push([child, copy]);
      }
    }
  }
  return { root: rootCopy, links, map };
}

/** Adds `.`/`..` where they sort (names below 0x2e come first). */
function insertEntry(entries: PreparedEntry[], entry: PreparedEntry): void {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(entries[mid]!.name, entry.name) < 0) lo = mid + 1;
    else hi = mid;
  }
  entries.splice(lo, 0, entry);
}

/** `add_overlayfs_xattrs`: escaping, metacopy/redirect, whiteout conversion. */
function addOverlayXattrs(
  n: PreparedNode,
  parent: PreparedNode,
  version: number,
  digest: Uint8Array | null,
): void {
  for (let i = 0; i < n.xattrs.length; i++) {
    const x = n.xattrs[i]!;
    if (startsWith(x.key, OVERLAY_XATTR_PREFIX)) {
      // Renamed in place, budget untouched, as C does; a colliding key is renamed too.
      const key = new Uint8Array(
        OVERLAY_XATTR_ESCAPE_PREFIX.length + x.key.length - OVERLAY_XATTR_PREFIX.length,
      );
      key.set(OVERLAY_XATTR_ESCAPE_PREFIX);
      key.set(x.key.subarray(OVERLAY_XATTR_PREFIX.length), OVERLAY_XATTR_ESCAPE_PREFIX.length);
      n.xattrs[i] = { key, value: x.value };
    }
  }
  const type = n.mode & S_IFMT;
  if (isExternalFile(n)) {
    let metacopy = EMPTY;
    if (digest !== null) {
      metacopy = new Uint8Array(36);
      metacopy.set(METACOPY_HEADER);
      metacopy.set(digest.subarray(0, 32), 4);
    }
    setXattr(n, OVERLAY_XATTR_METACOPY, metacopy);
    if (n.payload !== null && n.payload.length > 0) {
      // A literal join: a payload that starts with '/' gives "//…" (C 1.0.8).
      const redirect = new Uint8Array(n.payload.length + 1);
      redirect[0] = 0x2f;
      redirect.set(n.payload, 1);
      setXattr(n, OVERLAY_XATTR_REDIRECT, redirect);
    }
  }
  if (type === S_IFCHR && n.rdev === 0) {
    n.size = 0n;
    n.mode = S_IFREG | (n.mode & ~S_IFMT);
    setXattr(n, OVERLAY_XATTR_ESCAPED_WHITEOUT, EMPTY);
    setXattr(n, OVERLAY_XATTR_USERXATTR_WHITEOUT, EMPTY);
    setXattr(parent, OVERLAY_XATTR_ESCAPED_WHITEOUTS, EMPTY);
    setXattr(parent, OVERLAY_XATTR_USERXATTR_WHITEOUTS, EMPTY);
    if (version >= 1) {
      setXattr(parent, OVERLAY_XATTR_ESCAPED_OPAQUE, X);
      setXattr(parent, OVERLAY_XATTR_USERXATTR_OPAQUE, X);
    }
  }
}

/** `rewrite_tree_for_erofs`: a pre-order walk in sorted order, links not visited. */
function rewriteTree(root: PreparedNode, version: number): void {
  const stack: [PreparedNode, PreparedNode][] = [[root, root]];
  while (stack.length > 0) {
    const [n, parent] = stack.pop()!;
    const src = n.source!;
    if ((n.mode & S_IFMT) === S_IFREG && n.size > 0n && n.content === null) {
      const { chunkCount } = computeChunking(n.size);
      if (chunkCount > LCFS_MAX_NONINLINE_CHUNKS) {
        fail(
          "EFBIG",
          src,
          `a file of ${n.size} bytes needs more than ${LCFS_MAX_NONINLINE_CHUNKS} chunks`,
        );
      }
    }
    addOverlayXattrs(n, parent, version, src.digest);
    if ((n.mode & S_IFMT) === S_IFDIR) {
      insertEntry(n.entries, { name: DOT, target: n, isLink: true });
      insertEntry(n.entries, { name: DOTDOT, target: parent, isLink: true });
      // Push in reverse so children are visited in sorted order.
      for (let i = n.entries.length - 1; i >= 0; i--) {
        const e = n.entries[i]!;
        if (!e.isLink) stack.push([e.target, n]);
      }
    }
  }
}

const HEX = "0123456789abcdef";

/** `add_overlay_whiteouts`: the 256 `00`..`ff` chardev stubs in the root, in every version. */
function addRootWhiteoutStubs(root: PreparedNode): void {
  const selinux = getXattr(root, XATTR_SECURITY_SELINUX);
  const have = new Set<string>();
  for (const e of root.entries) {
    if (e.name.length === 2) have.add(String.fromCharCode(e.name[0]!, e.name[1]!));
  }
  let added = false;
  for (let i = 0; i < 256; i++) {
    const name = HEX[i >> 4]! + HEX[i & 15]!;
    if (have.has(name)) continue;
    const stub: PreparedNode = {
      ino: -1,
      mode: S_IFCHR | 0o644,
      nlink: 1,
      uid: root.uid,
      gid: root.gid,
      rdev: 0,
      size: 0n,
      mtimeSec: root.mtimeSec,
      mtimeNsec: root.mtimeNsec,
      payload: null,
      content: null,
      xattrs: [],
      xattrBudget: 0,
      entries: [],
      source: null,
    };
    if (selinux !== undefined) setXattr(stub, XATTR_SECURITY_SELINUX, selinux);
    root.entries.push({ name: asciiBytes(name), target: stub, isLink: false });
    added = true;
  }
  if (added) root.entries.sort((a, b) => compareBytes(a.name, b.name));
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

function compareXattrKeys(a: Xattr, b: Xattr): number {
  return compareBytes(a.key, b.key);
}

/** `lcfs_compute_tree`: BFS numbering, directory nlink, xattr order, build time, ACL flag. */
function numberTree(root: PreparedNode): Omit<PreparedTree, "version"> {
  const nodes: PreparedNode[] = [root];
  let minSec = root.mtimeSec;
  let minNsec = root.mtimeNsec;
  let hasAcl = false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    n.ino = i;
    if ((n.mode & S_IFMT) === S_IFDIR) {
      let nlink = 2;
      for (const e of n.entries) if (!e.isLink && (e.target.mode & S_IFMT) === S_IFDIR) nlink++;
      n.nlink = nlink;
    }
    if (n.xattrs.length > 1) n.xattrs.sort(compareXattrKeys);
    if (n.mtimeSec < minSec || (n.mtimeSec === minSec && n.mtimeNsec < minNsec)) {
      minSec = n.mtimeSec;
      minNsec = n.mtimeNsec;
    }
    if (!hasAcl && (getXattr(n, XATTR_POSIX_ACL_ACCESS) || getXattr(n, XATTR_POSIX_ACL_DEFAULT))) {
      hasAcl = true;
    }
    for (const e of n.entries) if (!e.isLink) nodes.push(e.target);
  }
  return { nodes, hasAcl, minMtimeSec: minSec, minMtimeNsec: minNsec };
}

/**
 * Prepares `root` for layout: copies it, applies the overlayfs rewrite of C mkcomposefs 1.0.8,
 * resolves links and numbers the inodes breadth-first.
 *
 * Throws {@link ComposefsLimitError}: EINVAL (bad version, bad mode, `.`/`..` names), EFBIG
 * (a file needing more than 1024 chunks), ELOOP (a hardlink cycle), ERANGE (the xattr budget).
 */
export function prepareTree(root: Node, options: VersionOptions = {}): PreparedTree {
  if ((root.mode & S_IFMT) !== S_IFDIR) fail("EINVAL", null, "the root is not a directory");
  const version = resolveFormatVersion(options, () => hasWhiteout(root));
  const { root: copy, links, map } = cloneTree(root);
  rewriteTree(copy, version);
  setXattr(copy, OVERLAY_XATTR_OPAQUE, Y);
  addRootWhiteoutStubs(copy);
  // Links are checked after the rewrite, so C's error order holds (EFBIG, ERANGE before ELOOP).
  for (const { entry, from } of links) {
    let target: Node;
    try {
      target = resolveLink(from);
    } catch {
      fail("ELOOP", from, "hardlink cycle");
    }
    const t = map.get(target);
    if (t === undefined) fail("EINVAL", from, "hardlink target is outside the tree");
    entry.target = t;
  }
  return { version, ...numberTree(copy) };
}
