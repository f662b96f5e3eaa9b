/**
 * The in-memory composefs tree: what a dump line or a directory entry becomes before the writer
 * lays it out. Mirrors C's `struct lcfs_node_s`: names are bytes, children stay sorted bytewise,
 * a hardlink is a node whose `linkTo` names its target.
 *
 * @module
 */
import { compareBytes, equalBytes } from "../bytes/compare.ts";
import { ComposefsLimitError } from "./errors.ts";

/** `S_IFMT` (`<sys/stat.h>`): the file type bits of a mode. */
export const S_IFMT = 0o170000;
/** `S_IFSOCK` (`<sys/stat.h>`): a socket. */
export const S_IFSOCK = 0o140000;
/** `S_IFLNK` (`<sys/stat.h>`): a symbolic link. */
export const S_IFLNK = 0o120000;
/** `S_IFREG` (`<sys/stat.h>`): a regular file. */
export const S_IFREG = 0o100000;
/** `S_IFBLK` (`<sys/stat.h>`): a block device. */
export const S_IFBLK = 0o060000;
/** `S_IFDIR` (`<sys/stat.h>`): a directory. */
export const S_IFDIR = 0o040000;
/** `S_IFCHR` (`<sys/stat.h>`): a character device. */
export const S_IFCHR = 0o020000;
/** `S_IFIFO` (`<sys/stat.h>`): a FIFO. */
export const S_IFIFO = 0o010000;

/** `LCFS_MAX_NAME_LENGTH` (lcfs-internal.h): longest name of one path component. */
export const LCFS_MAX_NAME_LENGTH = 255;
/** `XATTR_NAME_MAX` (linux/limits.h). */
export const XATTR_NAME_MAX = 255;
/** Largest xattr value C accepts (`UINT16_MAX`). */
export const LCFS_XATTR_VALUE_MAX = 0xffff;
/** `LCFS_INODE_EXTERNAL_XATTR_MAX` (lcfs-internal.h): per-node xattr budget. */
export const LCFS_INODE_EXTERNAL_XATTR_MAX = 32767;
/** `LCFS_INODE_XATTRMETA_SIZE`: the budget charges `2 * 4 - 1` per entry for alignment. */
export const LCFS_INODE_XATTRMETA_SIZE = 4;
/** `LCFS_XATTR_HEADER_SIZE`: charged once, for a node's first xattr. */
export const LCFS_XATTR_HEADER_SIZE = 12;

/** One extended attribute: key and value as raw bytes. */
export interface Xattr {
  /** The full key, namespace included (`user.foo`). */
  readonly key: Uint8Array;
  /** The value (at most 65535 bytes). */
  readonly value: Uint8Array;
}

/** A node of the tree. Numbers are the widths C stores; 64-bit fields are bigint. */
export interface Node {
  /** Name in the parent; empty for the root and for nodes not yet added. */
  name: Uint8Array;
  /** The directory holding this node; null for the root and for detached nodes. */
  parent: Node | null;
  /** `st_mode`, 32 bits as C keeps it; the image stores the low 16. */
  mode: number;
  /** Link count (the writer recomputes it for directories, as C does). */
  nlink: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Device number, truncated to 32 bits. */
  rdev: number;
  /** File size in bytes (`st_size`); for a symlink the target's length. */
  size: bigint;
  /** Seconds, signed 64-bit. */
  mtimeSec: bigint;
  /** Nanoseconds as a u32; C never checks it against 10^9. */
  mtimeNsec: number;
  /** Symlink target, or the backing-file path of an external regular file. */
  payload: Uint8Array | null;
  /** Inline file content; null (or empty) when the file is external or empty. */
  content: Uint8Array | null;
  /** The fs-verity digest of the file (32 bytes), if known. */
  digest: Uint8Array | null;
  /** Xattrs with unique keys, in insertion order (the writer sorts them). */
  xattrs: Xattr[];
  /** C's running `xattr_size` budget (a u64 that can wrap, kept as a signed number). */
  xattrBudget: number;
  /** Children sorted bytewise by name; only directories have any. */
  children: Node[];
  /** For a hardlink entry: the node it links to. */
  linkTo: Node | null;
}

/** What the xattr functions need of a node: its list and C's running budget. */
export type XattrHolder = Pick<Node, "xattrs" | "xattrBudget">;

/** Fields a caller may set when creating a node; the rest start at zero or empty. */
export type NodeInit = Partial<
  Pick<
    Node,
    | "nlink"
    | "uid"
    | "gid"
    | "rdev"
    | "size"
    | "mtimeSec"
    | "mtimeNsec"
    | "payload"
    | "content"
    | "digest"
  >
>;

/**
 * Creates a detached node with the given mode.
 *
 * @example
 * ```ts
 * import { createNode, S_IFDIR } from "./node.ts";
 * const root = createNode(S_IFDIR | 0o755, { nlink: 2 });
 * ```
 */
export function createNode(mode: number, init: NodeInit = {}): Node {
  return {
    name: EMPTY,
    parent: null,
    mode: mode >>> 0,
    nlink: init.nlink ?? 1,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    rdev: init.rdev ?? 0,
    size: init.size ?? 0n,
    mtimeSec: init.mtimeSec ?? 0n,
    mtimeNsec: init.mtimeNsec ?? 0,
    payload: init.payload ?? null,
    content: init.content ?? null,
    digest: init.digest ?? null,
    xattrs: NO_XATTRS,
    xattrBudget: 0,
    children: (mode & S_IFMT) === S_IFDIR ? [] : NO_CHILDREN,
    linkTo: null,
  };
}

const EMPTY = new Uint8Array(0);
/**
 * Shared, frozen empty lists: most nodes have no xattrs and most are not directories, and an
 * empty array per node costs more than a dump line's data. addChild and setXattr replace them.
 */
const NO_XATTRS = Object.freeze([]) as unknown as Xattr[];
const NO_CHILDREN = Object.freeze([]) as unknown as Node[];

/** Whether a mode's type is one C's `lcfs_validate_mode` accepts (the seven file types). */
export function isValidFileType(mode: number): boolean {
  const type = mode & S_IFMT;
  return type === S_IFREG || type === S_IFDIR || type === S_IFLNK || type === S_IFBLK ||
    type === S_IFCHR || type === S_IFSOCK || type === S_IFIFO;
}

/** The file type bits of a mode. */
export function fileType(mode: number): number {
  return mode & S_IFMT;
}

/** True for a directory node (hardlink entries included, by their own mode). */
export function isDir(node: Node): boolean {
  return (node.mode & S_IFMT) === S_IFDIR;
}

/** Binary search for a child; returns its index, or `-(insertion point) - 1`. */
export function searchChild(dir: Node, name: Uint8Array): number {
  const kids = dir.children;
  let lo = 0;
  let hi = kids.length - 1;
  // Dumps are usually sorted: check the end first so appends are O(1).
  if (hi >= 0) {
    const c = compareBytes(kids[hi]!.name, name);
    if (c < 0) return -(hi + 1) - 1;
    if (c === 0) return hi;
    hi--;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(kids[mid]!.name, name);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * The child of `dir` with this exact name, if any.
 *
 * @example
 * ```ts
 * import { addChild, createNode, findChild, S_IFDIR, S_IFREG } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const root = createNode(S_IFDIR | 0o755);
 * const file = createNode(S_IFREG | 0o644);
 * addChild(root, file, enc.encode("a"));
 * assert.equal(findChild(root, enc.encode("a")), file);
 * assert.equal(findChild(root, enc.encode("b")), undefined);
 * ```
 */
export function findChild(dir: Node, name: Uint8Array): Node | undefined {
  const i = searchChild(dir, name);
  return i >= 0 ? dir.children[i] : undefined;
}

/**
 * Adds `child` under `parent` as `name`, keeping children sorted, with the checks of C's
 * `lcfs_node_add_child`: ENOTDIR, EINVAL (empty name), ENAMETOOLONG, EMLINK (already added),
 * EEXIST (duplicate).
 *
 * @example
 * ```ts
 * import { addChild, createNode, S_IFDIR, S_IFREG } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const root = createNode(S_IFDIR | 0o755);
 * addChild(root, createNode(S_IFREG | 0o644), enc.encode("b"));
 * addChild(root, createNode(S_IFREG | 0o644), enc.encode("a"));
 * assert.deepEqual(root.children.map((c) => c.name), [enc.encode("a"), enc.encode("b")]);
 * ```
 */
export function addChild(parent: Node, child: Node, name: Uint8Array): void {
  if ((parent.mode & S_IFMT) !== S_IFDIR) {
    throw new ComposefsLimitError("ENOTDIR", "Parent is not a directory");
  }
  if (name.length === 0) throw new ComposefsLimitError("EINVAL", "Empty name");
  if (name.length > LCFS_MAX_NAME_LENGTH) {
    throw new ComposefsLimitError("ENAMETOOLONG", `Name longer than ${LCFS_MAX_NAME_LENGTH} bytes`);
  }
  if (child.parent !== null) throw new ComposefsLimitError("EMLINK", "Node already has a parent");
  const i = searchChild(parent, name);
  if (i >= 0) throw new ComposefsLimitError("EEXIST", "Name already exists");
  child.name = name;
  child.parent = parent;
  const at = -i - 1;
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else if (at === parent.children.length) parent.children.push(child);
  else parent.children.splice(at, 0, child);
}

/** Index of the xattr with this key, or -1. */
export function findXattr(node: XattrHolder, key: Uint8Array): number {
  const xs = node.xattrs;
  for (let i = 0; i < xs.length; i++) if (equalBytes(xs[i]!.key, key)) return i;
  return -1;
}

/**
 * The value of the xattr with this key, if any.
 *
 * @example
 * ```ts
 * import { createNode, getXattr, S_IFREG, setXattr } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const file = createNode(S_IFREG | 0o644);
 * setXattr(file, enc.encode("user.k"), enc.encode("v"));
 * assert.deepEqual(getXattr(file, enc.encode("user.k")), enc.encode("v"));
 * assert.equal(getXattr(file, enc.encode("user.other")), undefined);
 * ```
 */
export function getXattr(node: XattrHolder, key: Uint8Array): Uint8Array | undefined {
  const i = findXattr(node, key);
  return i >= 0 ? node.xattrs[i]!.value : undefined;
}

/** The budget cost C charges for one entry (`2 * LCFS_INODE_XATTRMETA_SIZE - 1 + key + value`). */
function entryCost(key: Uint8Array, value: Uint8Array): number {
  return 2 * LCFS_INODE_XATTRMETA_SIZE - 1 + key.length + value.length;
}

/**
 * Removes an xattr as C's `lcfs_node_unset_xattr` does (the last entry moves into the hole) and
 * updates the budget. Returns false when the key was absent.
 *
 * @example
 * ```ts
 * import { createNode, removeXattr, S_IFREG, setXattr } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const file = createNode(S_IFREG | 0o644);
 * setXattr(file, enc.encode("user.k"), enc.encode("v"));
 * assert.equal(removeXattr(file, enc.encode("user.k")), true);
 * assert.equal(removeXattr(file, enc.encode("user.k")), false);
 * ```
 */
export function removeXattr(node: XattrHolder, key: Uint8Array): boolean {
  const i = findXattr(node, key);
  if (i < 0) return false;
  const xs = node.xattrs;
  const old = xs[i]!;
  const last = xs.pop()!;
  if (i < xs.length) xs[i] = last;
  node.xattrBudget = xs.length > 0 ? node.xattrBudget - entryCost(old.key, old.value) : 0;
  return true;
}

/**
 * Sets an xattr with C's `lcfs_node_set_xattr` rules: a key of 1..255 bytes (else ERANGE), a
 * value up to 65535 bytes (else EINVAL), the last value wins, and the per-node budget of 32767.
 *
 * C keeps the budget in a `size_t`, so a removal can wrap it below zero; the check
 * `budget + cost > 32767` then fails in u64 arithmetic. We keep it signed and treat a negative
 * sum as the huge u64 it would be (C 1.0.8 behaviour, reproduced for identical errors).
 *
 * @example
 * ```ts
 * import { createNode, S_IFREG, setXattr } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const file = createNode(S_IFREG | 0o644);
 * setXattr(file, enc.encode("user.k"), enc.encode("old"));
 * setXattr(file, enc.encode("user.k"), enc.encode("new"));
 * assert.deepEqual(file.xattrs, [{ key: enc.encode("user.k"), value: enc.encode("new") }]);
 * ```
 */
export function setXattr(node: XattrHolder, key: Uint8Array, value: Uint8Array): void {
  if (key.length === 0 || key.length > XATTR_NAME_MAX) {
    throw new ComposefsLimitError("ERANGE", `Invalid xattr key length ${key.length}`);
  }
  if (value.length > LCFS_XATTR_VALUE_MAX) {
    throw new ComposefsLimitError("EINVAL", `Xattr value too long (${value.length} bytes)`);
  }
  removeXattr(node, key);
  let cost = entryCost(key, value);
  if (node.xattrs.length === 0) cost += LCFS_XATTR_HEADER_SIZE;
  const total = node.xattrBudget + cost;
  if (total < 0 || total > LCFS_INODE_EXTERNAL_XATTR_MAX) {
    throw new ComposefsLimitError("ERANGE", "Too many xattrs");
  }
  // A new list for the first xattr: the node may hold the shared empty one.
  if (node.xattrs.length === 0) node.xattrs = [{ key, value }];
  else node.xattrs.push({ key, value });
  node.xattrBudget = total;
}

/** Follows hardlink entries to the node that owns the inode; throws ELOOP on a cycle. */
export function resolveLink(node: Node): Node {
  let n = node;
  let steps = 0;
  while (n.linkTo !== null) {
    n = n.linkTo;
    if (++steps > 1_000_000 || n === node) {
      throw new ComposefsLimitError("ELOOP", "Hardlink cycle");
    }
  }
  return n;
}

/**
 * The absolute path of a node, as bytes (`/` for the root).
 *
 * @example
 * ```ts
 * import { addChild, createNode, nodePath, S_IFDIR, S_IFREG } from "./node.ts";
 * import assert from "node:assert/strict";
 * const enc = new TextEncoder();
 * const root = createNode(S_IFDIR | 0o755);
 * const etc = createNode(S_IFDIR | 0o755);
 * const motd = createNode(S_IFREG | 0o644);
 * addChild(root, etc, enc.encode("etc"));
 * addChild(etc, motd, enc.encode("motd"));
 * assert.equal(new TextDecoder().decode(nodePath(motd)), "/etc/motd");
 * ```
 */
export function nodePath(node: Node): Uint8Array {
  const parts: Uint8Array[] = [];
  let len = 0;
  for (let n: Node | null = node; n !== null && n.parent !== null; n = n.parent) {
    parts.push(n.name);
    len += n.name.length + 1;
  }
  if (parts.length === 0) return new Uint8Array([0x2f]);
  const out = new Uint8Array(len);
  let o = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    out[o++] = 0x2f;
    out.set(parts[i]!, o);
    o += parts[i]!.length;
  }
  return out;
}
