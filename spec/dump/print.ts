/**
 * A tree to composefs-dump(5) text, in the format `composefs-info dump` prints (§6.3).
 *
 * @module
 */
import { equalBytes } from "../bytes/compare.ts";
import { type Node, nodePath, resolveLink } from "../tree/node.ts";
import { ESCAPE_EQUAL, ESCAPE_LONE_DASH, ESCAPE_STANDARD, escapeDumpBytesInto } from "./escape.ts";

const LF = 0x0a;
const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const EQUAL = 0x3d;
const AT = 0x40;
const HEX = new TextEncoder().encode("0123456789abcdef");
const NO_BYTES = new Uint8Array(0);

/** Options of {@link printDump}. */
export interface PrintDumpOptions {
  /** `composefs-info --filter`: keep only these names among the root's children. */
  filter?: Uint8Array[];
}

/**
 * Prints a tree as composefs-info dumps it: DFS pre-order from the root, children in their
 * (sorted) order. A node with `linkTo` prints as a hardlink: `@` before the mode, every other
 * field from the final target, PAYLOAD = the target's path. Values are printed as the nodes
 * hold them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNode, S_IFDIR } from "../tree/node.ts";
 * import { printDump } from "./print.ts";
 * const root = createNode(S_IFDIR | 0o755, { nlink: 2, mtimeNsec: 5 });
 * assert.equal(new TextDecoder().decode(printDump(root)), "/ 0 40755 2 0 0 0 0.5 - - -\n");
 * ```
 *
 * @param root the root directory
 * @param options `filter` on the root's children
 * @returns the dump text
 */
export function printDump(root: Node, options: PrintDumpOptions = {}): Uint8Array {
  const out: Out = { buf: new Uint8Array(1 << 16), pos: 0 };
  const filter = options.filter;
  writeDumpEntry(out, root, ROOT_PATH);
  // DFS with one shared path buffer: a node's path is its parent's (still in place, since only
  // deeper entries are written after it) plus "/name".
  let path = new Uint8Array(4096);
  const nodes: Node[] = [];
  const parentLen: number[] = [];
  const push = (dir: Node, len: number) => {
    const kids = dir.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i]!;
      if (dir === root && filter !== undefined && !filter.some((f) => equalBytes(f, kid.name))) {
        continue;
      }
      nodes.push(kid);
      parentLen.push(len);
    }
  };
  push(root, 0);
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const at = parentLen.pop()!;
    const len = at + 1 + node.name.length;
    if (len > path.length) {
      const bigger = new Uint8Array(2 * len);
      bigger.set(path.subarray(0, at));
      path = bigger;
    }
    path[at] = SLASH;
    path.set(node.name, at + 1);
    writeDumpEntry(out, node, path.subarray(0, len));
    if (node.children.length > 0) push(node, len);
  }
  return out.buf.slice(0, out.pos);
}

/**
 * Prints one dump line (with its LF) for `node` at `path`, as {@link printDump} does.
 *
 * @param node the entry; a node with `linkTo` prints as a hardlink line
 * @param path its absolute path (`/` for the root)
 * @returns the line's bytes
 */
export function printDumpEntry(node: Node, path: Uint8Array): Uint8Array {
  const out: Out = { buf: new Uint8Array(256), pos: 0 };
  writeDumpEntry(out, node, path);
  return out.buf.slice(0, out.pos);
}

const ROOT_PATH = new Uint8Array([SLASH]);

/** Output buffer and position. */
interface Out {
  buf: Uint8Array;
  pos: number;
}

/** Room for the numbers and separators of one line (20-digit u64s, 11 octal digits, …). */
const LINE_FIXED_MAX = 200;

function writeDumpEntry(out: Out, node: Node, path: Uint8Array): void {
  const t = node.linkTo === null ? node : resolveLink(node);
  // C's node_build_path gives "" for the root (it has no name): a link to it prints nothing.
  const payload = t === node ? t.payload : t.parent === null ? NO_BYTES : nodePath(t);
  // C prints `size` bytes of the content: a stored whiteout keeps its content but gets size 0.
  const content = t.content === null || t.content.length === 0
    ? null
    : t.size < t.content.length
    ? t.content.subarray(0, Number(t.size))
    : t.content;
  // Reserve once for the whole line: escaping at most quadruples a value.
  let room = LINE_FIXED_MAX + 4 * (path.length + (payload?.length ?? 0) + (content?.length ?? 0));
  for (const x of t.xattrs) room += 4 * (x.key.length + x.value.length) + 2;
  const buf = reserve(out, room);
  let o = out.pos;
  o = escapeDumpBytesInto(buf, o, path, ESCAPE_STANDARD);
  buf[o++] = SPACE;
  o = writeBigint(buf, o, t.size);
  buf[o++] = SPACE;
  if (t !== node) buf[o++] = AT;
  o = writeUint(buf, o, t.mode, 8);
  buf[o++] = SPACE;
  o = writeUint(buf, o, t.nlink, 10);
  buf[o++] = SPACE;
  o = writeUint(buf, o, t.uid, 10);
  buf[o++] = SPACE;
  o = writeUint(buf, o, t.gid, 10);
  buf[o++] = SPACE;
  o = writeUint(buf, o, t.rdev, 10);
  buf[o++] = SPACE;
  o = writeBigint(buf, o, t.mtimeSec);
  buf[o++] = DOT;
  o = writeUint(buf, o, t.mtimeNsec, 10);
  buf[o++] = SPACE;
  if (payload === null) buf[o++] = DASH;
  else o = escapeDumpBytesInto(buf, o, payload, ESCAPE_LONE_DASH);
  buf[o++] = SPACE;
  if (content === null) buf[o++] = DASH;
  else o = escapeDumpBytesInto(buf, o, content, ESCAPE_LONE_DASH);
  buf[o++] = SPACE;
  if (t.digest === null) {
    buf[o++] = DASH;
  } else {
    for (const b of t.digest) {
      buf[o++] = HEX[b >> 4]!;
      buf[o++] = HEX[b & 15]!;
    }
  }
  for (const { key, value } of t.xattrs) {
    buf[o++] = SPACE;
    o = escapeDumpBytesInto(buf, o, key, ESCAPE_EQUAL);
    buf[o++] = EQUAL;
    o = escapeDumpBytesInto(buf, o, value, ESCAPE_EQUAL);
  }
  buf[o++] = LF;
  out.pos = o;
}

function reserve(out: Out, n: number): Uint8Array {
  if (out.pos + n > out.buf.length) {
    const next = new Uint8Array(Math.max(2 * out.buf.length, out.pos + n));
    next.set(out.buf.subarray(0, out.pos));
    out.buf = next;
  }
  return out.buf;
}

/** Writes a non-negative integer below 2^53 in `base`; returns the end. */
function writeUint(buf: Uint8Array, o: number, v: number, base: 8 | 10): number {
  let n = 1;
  for (let x = v; x >= base; x = Math.floor(x / base)) n++;
  for (let i = o + n - 1, x = v; i >= o; i--, x = Math.floor(x / base)) buf[i] = 0x30 + (x % base);
  return o + n;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a signed bigint in decimal; returns the end. */
function writeBigint(buf: Uint8Array, o: number, v: bigint): number {
  if (v >= 0n && v <= SAFE) return writeUint(buf, o, Number(v), 10);
  const s = v.toString();
  for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
  return o + s.length;
}
