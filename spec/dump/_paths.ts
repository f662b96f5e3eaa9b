/**
 * Path handling of the dump parser: where a line's node goes in the tree (C's
 * `tree_add_node` / `lookup_parent_path`) and how a hardlink target is found (`lookup_path`).
 *
 * @module
 */
import { ComposefsLimitError } from "../tree/errors.ts";
import { addChild, findChild, isDir, type Node } from "../tree/node.ts";
import { DumpSyntaxError, latin1String } from "./errors.ts";

const SLASH = 0x2f;
const DOT = 0x2e;

/** The tree being built, with a one-entry cache of the last parent directory found. */
export interface TreeBuilder {
  root: Node | null;
  /** Raw bytes before the last `/` of the previous path, and the node they resolved to. */
  lastParentKey: Uint8Array | null;
  lastParent: Node | null;
}

/** A new, empty builder. */
export function createTreeBuilder(): TreeBuilder {
  return { root: null, lastParentKey: null, lastParent: null };
}

/**
 * Adds `node` at the path `buf[start..end)` (unescaped, cut at NUL, non-empty) with C's checks
 * and messages, in C's order: root rules, missing parent, parent not a directory, `.`/`..`, then
 * `addChild`. The node's name is a view of `buf`.
 */
export function insertNode(
  b: TreeBuilder,
  buf: Uint8Array,
  start: number,
  end: number,
  node: Node,
): void {
  // Only the exact string "/" is the root; "//" is an empty name under the root.
  if (end - start === 1 && buf[start] === SLASH) {
    if (!isDir(node)) throw new DumpSyntaxError("EROOTNOTDIR", "Root must be a directory");
    if (b.root !== null) throw new DumpSyntaxError("EMULTIROOT", "Can't have multiple roots");
    b.root = node;
    return;
  }
  const root = b.root;
  if (root === null) throw new DumpSyntaxError("ENOROOT", "Root node not present");
  let slash = end - 1;
  while (slash >= start && buf[slash] !== SLASH) slash--;
  const parent = slash < start ? root : lookupParent(b, root, buf, start, slash);
  const path = () => latin1String(buf.subarray(start, end));
  if (parent === null) {
    throw new DumpSyntaxError("ENOPARENT", `Parent directory missing for ${path()}`);
  }
  if (!isDir(parent)) {
    throw new DumpSyntaxError("EPARENTNOTDIR", `Parent must be a directory for ${path()}`);
  }
  const name = buf.subarray(slash + 1, end);
  if (isDotOrDotDot(name)) {
    throw new DumpSyntaxError("EDOTNAME", `Invalid . or .. in path: ${path()}`);
  }
  try {
    addChild(parent, node, name);
  } catch (e) {
    // Empty, too long and duplicate names all print this (C's "already exist" is unreachable).
    if (e instanceof ComposefsLimitError) throw new DumpSyntaxError("EADDCHILD", "Can't add child");
    throw e;
  }
}

function isDotOrDotDot(name: Uint8Array): boolean {
  return (name.length === 1 && name[0] === DOT) ||
    (name.length === 2 && name[0] === DOT && name[1] === DOT);
}

/** The node `buf[start..end)` names; dumps are sorted, so cache the last answer. */
function lookupParent(
  b: TreeBuilder,
  root: Node,
  buf: Uint8Array,
  start: number,
  end: number,
): Node | null {
  const last = b.lastParentKey;
  if (last !== null && last.length === end - start) {
    let i = 0;
    while (i < last.length && last[i] === buf[start + i]) i++;
    if (i === last.length) return b.lastParent;
  }
  const key = buf.subarray(start, end);
  const found = lookupPath(root, key);
  // The tree only grows, so a prefix that resolved once resolves to the same node forever.
  if (found !== null) {
    b.lastParentKey = key;
    b.lastParent = found;
  }
  return found;
}

/**
 * Follows `path` from `root` component by component, skipping runs of `/` (C's `lookup_path`):
 * `""` and `/` are the root. Hardlink entries are not followed, and have no children.
 *
 * @param root where the walk starts
 * @param path raw path bytes
 * @returns the node, or null when a component is missing
 */
export function lookupPath(root: Node, path: Uint8Array): Node | null {
  let node = root;
  let i = 0;
  const n = path.length;
  while (i < n) {
    if (path[i] === SLASH) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && path[j] !== SLASH) j++;
    const child = findChild(node, path.subarray(i, j));
    if (child === undefined) return null;
    node = child;
    i = j;
  }
  return node;
}
