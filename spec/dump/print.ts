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
  const out = new DumpSink(1 << 16);
  const filter = options.filter;
  const nodes: Node[] = [root];
  const paths: Uint8Array[] = [new Uint8Array([SLASH])];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const path = paths.pop()!;
    writeDumpEntry(out, node, path);
    const kids = node.children;
    // The root's path is "/", its children "/name"; deeper ones "parent/name".
    const prefix = node === root ? 0 : path.length;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i]!;
      if (node === root && filter !== undefined && !filter.some((f) => equalBytes(f, kid.name))) {
        continue;
      }
      const p = new Uint8Array(prefix + 1 + kid.name.length);
      p.set(path.subarray(0, prefix));
      p[prefix] = SLASH;
      p.set(kid.name, prefix + 1);
      nodes.push(kid);
      paths.push(p);
    }
  }
  return out.finish();
}

/**
 * Prints one dump line (with its LF) for `node` at `path`, as {@link printDump} does.
 *
 * @param node the entry; a node with `linkTo` prints as a hardlink line
 * @param path its absolute path (`/` for the root)
 * @returns the line's bytes
 */
export function printDumpEntry(node: Node, path: Uint8Array): Uint8Array {
  const out = new DumpSink(256);
  writeDumpEntry(out, node, path);
  return out.finish();
}

function writeDumpEntry(out: DumpSink, node: Node, path: Uint8Array): void {
  const target = node.linkTo === null ? node : resolveLink(node);
  out.escaped(path, ESCAPE_STANDARD);
  out.byte(SPACE);
  out.ascii(target.size.toString());
  out.byte(SPACE);
  if (target !== node) out.byte(AT);
  out.ascii(target.mode.toString(8));
  out.byte(SPACE);
  out.ascii(String(target.nlink));
  out.byte(SPACE);
  out.ascii(String(target.uid));
  out.byte(SPACE);
  out.ascii(String(target.gid));
  out.byte(SPACE);
  out.ascii(String(target.rdev));
  out.byte(SPACE);
  out.ascii(target.mtimeSec.toString());
  out.byte(DOT);
  out.ascii(String(target.mtimeNsec));
  out.byte(SPACE);
  // C's node_build_path gives "" for the root (it has no name): a link to it prints nothing.
  const payload = target === node
    ? target.payload
    : target.parent === null
    ? NO_BYTES
    : nodePath(target);
  if (payload === null) out.byte(DASH);
  else out.escaped(payload, ESCAPE_LONE_DASH);
  out.byte(SPACE);
  const content = target.content;
  if (content === null || content.length === 0) {
    out.byte(DASH);
  } else {
    // C prints `size` bytes of it: a stored whiteout keeps its content but gets size 0.
    const n = target.size < content.length ? Number(target.size) : content.length;
    out.escaped(content.subarray(0, n), ESCAPE_LONE_DASH);
  }
  out.byte(SPACE);
  if (target.digest === null) out.byte(DASH);
  else out.hex(target.digest);
  for (const { key, value } of target.xattrs) {
    out.byte(SPACE);
    out.escaped(key, ESCAPE_EQUAL);
    out.byte(EQUAL);
    out.escaped(value, ESCAPE_EQUAL);
  }
  out.byte(LF);
}

/** A growable output buffer for dump text. */
class DumpSink {
  #buf: Uint8Array;
  #pos = 0;

  constructor(capacity: number) {
    this.#buf = new Uint8Array(capacity);
  }

  #reserve(n: number): Uint8Array {
    if (this.#pos + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(2 * this.#buf.length, this.#pos + n));
      next.set(this.#buf.subarray(0, this.#pos));
      this.#buf = next;
    }
    return this.#buf;
  }

  byte(b: number): void {
    this.#reserve(1)[this.#pos++] = b;
  }

  ascii(s: string): void {
    const buf = this.#reserve(s.length);
    for (let i = 0; i < s.length; i++) buf[this.#pos++] = s.charCodeAt(i);
  }

  escaped(bytes: Uint8Array, flags: number): void {
    const buf = this.#reserve(4 * bytes.length + 4);
    this.#pos = escapeDumpBytesInto(buf, this.#pos, bytes, flags);
  }

  hex(bytes: Uint8Array): void {
    const buf = this.#reserve(2 * bytes.length);
    for (const b of bytes) {
      buf[this.#pos++] = HEX[b >> 4]!;
      buf[this.#pos++] = HEX[b & 15]!;
    }
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}
