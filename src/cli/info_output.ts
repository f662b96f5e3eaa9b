/**
 * What `composefs-info` prints for a tree read from an image, apart from `dump` (which is
 * `printDump`): the `ls` listing, the `objects` set, and our `--json` lines. Pure functions; the
 * command line in `composefs_info.ts` does the I/O.
 *
 * ## The `--json` format
 *
 * One JSON object per line, one line per entry, in the order the text output uses (depth-first,
 * children sorted; `dump --json` starts with the root, `ls --json` does not).
 *
 * Byte strings (paths, names, payloads, symlink targets, content, xattr keys and values) are a
 * JSON string when the bytes are valid UTF-8, and otherwise an object `{"base64": "…"}` holding
 * the standard base64 of the raw bytes. A reader can thus always recover the exact bytes:
 * `typeof v === "string" ? new TextEncoder().encode(v) : decodeBase64(v.base64)`.
 *
 * Numbers are JSON numbers written with all their decimal digits; `size` and `mtime.sec` can
 * exceed 2^53 (parse them with a big-number-aware reader if that matters).
 *
 * `dump --json` fields: `path`, `type` (`"reg"`, `"dir"`, `"symlink"`, `"chr"`, `"blk"`,
 * `"fifo"`, `"sock"`, or `"unknown"`), `mode` (the whole st_mode, a number), `size`, `nlink`,
 * `uid`, `gid`, `rdev`, `mtime` (`{"sec", "nsec"}`), `payload` (redirect or symlink target, or
 * null), `content` (inline content or null), `digest` (64 hex digits or null), `xattrs` (an array
 * of `{"key", "value"}` in the order the text dump prints them), and for a hardlink entry
 * `hardlink` (the path of the entry that holds the inode; every other field is that inode's).
 *
 * `ls --json` fields: `path`, `type` (as above, or `"hardlink"` for a later entry of an inode),
 * and when they apply `target` (symlink target, or the hardlink's first path) and `payload`
 * (backing file of a regular file).
 *
 * @module
 */
import { compareBytes, toHex } from "../../spec/bytes/compare.ts";
import { ESCAPE_STANDARD, escapeDumpBytesInto, NOESCAPE_SPACE } from "../../spec/dump/escape.ts";
import {
  type Node,
  nodePath,
  resolveLink,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../../spec/tree/node.ts";

/** A growable byte buffer for command output. */
class OutBuffer {
  #buf = new Uint8Array(1 << 16);
  #pos = 0;

  #reserve(n: number): Uint8Array {
    if (this.#pos + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(2 * this.#buf.length, this.#pos + n));
      next.set(this.#buf.subarray(0, this.#pos));
      this.#buf = next;
    }
    return this.#buf;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length).set(b, this.#pos);
    this.#pos += b.length;
  }

  ascii(s: string): void {
    const buf = this.#reserve(s.length);
    for (let i = 0; i < s.length; i++) buf[this.#pos++] = s.charCodeAt(i);
  }

  escaped(b: Uint8Array, flags: number): void {
    this.#pos = escapeDumpBytesInto(this.#reserve(4 * b.length + 4), this.#pos, b, flags);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

/** One entry of a depth-first walk below the root (the root itself is not visited). */
function walk(root: Node, visit: (node: Node, path: Uint8Array) => void): void {
  const nodes: Node[] = [];
  const paths: Uint8Array[] = [];
  const push = (parent: Node, parentPath: Uint8Array): void => {
    const kids = parent.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i]!;
      const p = new Uint8Array(parentPath.length + 1 + kid.name.length);
      p.set(parentPath);
      p[parentPath.length] = 0x2f;
      p.set(kid.name, parentPath.length + 1);
      nodes.push(kid);
      paths.push(p);
    }
  };
  push(root, new Uint8Array(0));
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const path = paths.pop()!;
    visit(node, path);
    push(node, path);
  }
}

/**
 * `composefs-info ls`: every entry below the root, depth first, its path with spaces raw; a
 * directory adds `/` TAB, a symlink TAB `-> target`, a regular file with a payload TAB
 * `@ payload`. A hardlink entry (mode 0 in C's tree) prints its bare path.
 */
export function printLs(root: Node): Uint8Array {
  const out = new OutBuffer();
  walk(root, (node, path) => {
    out.escaped(path, NOESCAPE_SPACE);
    const type = node.mode & S_IFMT;
    if (type === S_IFDIR) {
      out.ascii("/\t");
    } else if (type === S_IFLNK && node.payload !== null) {
      out.ascii("\t-> ");
      out.escaped(node.payload, ESCAPE_STANDARD);
    } else if (type === S_IFREG && node.payload !== null) {
      out.ascii("\t@ ");
      out.escaped(node.payload, ESCAPE_STANDARD);
    }
    out.ascii("\n");
  });
  return out.finish();
}

/**
 * Adds the payload of every regular file in the tree (the root included) to `objects`, keyed by
 * the payload's bytes, unless `present(payload)` says the object exists (`missing-objects`).
 * Payloads already in the set are not checked again, as in C.
 */
export function collectObjects(
  root: Node,
  objects: Map<string, Uint8Array>,
  present: (payload: Uint8Array) => boolean = () => false,
): void {
  const visit = (node: Node): void => {
    if ((node.mode & S_IFMT) !== S_IFREG || node.payload === null) return;
    const key = binaryString(node.payload);
    if (objects.has(key) || present(node.payload)) return;
    objects.set(key, node.payload);
  };
  visit(root);
  walk(root, visit);
}

/** The collected objects sorted bytewise (C's `strcmp`), one per line, unescaped. */
export function printObjects(objects: Map<string, Uint8Array>): Uint8Array {
  const list = [...objects.values()].sort(compareBytes);
  const out = new OutBuffer();
  for (const o of list) {
    out.bytes(o);
    out.ascii("\n");
  }
  return out.finish();
}

/** `dump --json`: see the module doc. */
export function printDumpJson(root: Node): Uint8Array {
  const lines: string[] = [dumpJsonLine(root, new Uint8Array([0x2f]))];
  walk(root, (node, path) => lines.push(dumpJsonLine(node, path)));
  return new TextEncoder().encode(lines.join(""));
}

/** `ls --json`: see the module doc. */
export function printLsJson(root: Node): Uint8Array {
  const lines: string[] = [];
  walk(root, (node, path) => {
    const o: Record<string, unknown> = { path: jsonBytes(path) };
    if (node.linkTo !== null) {
      o.type = "hardlink";
      o.target = jsonBytes(nodePath(resolveLink(node)));
    } else {
      o.type = typeName(node.mode);
      if ((node.mode & S_IFMT) === S_IFLNK && node.payload !== null) {
        o.target = jsonBytes(node.payload);
      } else if ((node.mode & S_IFMT) === S_IFREG && node.payload !== null) {
        o.payload = jsonBytes(node.payload);
      }
    }
    lines.push(JSON.stringify(o) + "\n");
  });
  return new TextEncoder().encode(lines.join(""));
}

function dumpJsonLine(node: Node, path: Uint8Array): string {
  const t = node.linkTo === null ? node : resolveLink(node);
  // C prints the first `size` bytes of the content (a whiteout keeps content with size 0).
  const content = t.content === null || t.content.length === 0
    ? null
    : t.content.subarray(0, Number(t.size < BigInt(t.content.length) ? t.size : t.content.length));
  const fields = [
    `"path":${JSON.stringify(jsonBytes(path))}`,
    `"type":"${typeName(t.mode)}"`,
    `"mode":${t.mode}`,
    `"size":${t.size}`,
    `"nlink":${t.nlink}`,
    `"uid":${t.uid}`,
    `"gid":${t.gid}`,
    `"rdev":${t.rdev}`,
    `"mtime":{"sec":${t.mtimeSec},"nsec":${t.mtimeNsec}}`,
    `"payload":${JSON.stringify(t.payload === null ? null : jsonBytes(t.payload))}`,
    `"content":${JSON.stringify(content === null ? null : jsonBytes(content))}`,
    `"digest":${t.digest === null ? "null" : `"${toHex(t.digest)}"`}`,
    `"xattrs":${
      JSON.stringify(t.xattrs.map((x) => ({ key: jsonBytes(x.key), value: jsonBytes(x.value) })))
    }`,
  ];
  if (t !== node) fields.push(`"hardlink":${JSON.stringify(jsonBytes(nodePath(t)))}`);
  return `{${fields.join(",")}}\n`;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A byte string for JSON: the text when it is valid UTF-8, else `{"base64": …}`. */
export function jsonBytes(b: Uint8Array): string | { base64: string } {
  try {
    return UTF8.decode(b);
  } catch {
    return { base64: btoa(binaryString(b)) };
  }
}

function typeName(mode: number): string {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "reg";
    case S_IFDIR:
      return "dir";
    case S_IFLNK:
      return "symlink";
    case S_IFCHR:
      return "chr";
    case S_IFBLK:
      return "blk";
    case S_IFIFO:
      return "fifo";
    case S_IFSOCK:
      return "sock";
    default:
      return "unknown";
  }
}

function binaryString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
