/**
 * composefs-dump(5) text to a tree, with every check, message and quirk of C mkcomposefs 1.0.8
 * (`tree_from_dump` / `tree_from_dump_line`). See composefs-format.md §1.
 *
 * @module
 */
import { ByteArena } from "../bytes/byte_arena.ts";
import { ComposefsLimitError } from "../tree/errors.ts";
import {
  createNode,
  isValidFileType,
  type Node,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  setXattr,
} from "../tree/node.ts";
import { DumpSyntaxError, latin1String } from "./errors.ts";
import { hexDigitValue, unescapeDumpField } from "./escape.ts";
import { createTreeBuilder, insertNode, lookupPath, type TreeBuilder } from "./_paths.ts";
import { cReaderParsesUnterminated } from "./_c_reader.ts";
import { isZero, parseUnsigned, toU32, toU64 } from "./_strtoull.ts";
import { LCFS_INLINE_CONTENT_MAX } from "../erofs/constants.ts";

export { LCFS_INLINE_CONTENT_MAX };
/** `PATH_MAX` (linux/limits.h): payloads must be shorter. */
export const PATH_MAX = 4096;
/** `LCFS_DIGEST_SIZE` (lcfs-writer.h): bytes of an fs-verity sha256 digest. */
export const LCFS_DIGEST_SIZE = 32;
/** C caps the xattr section of one line at `UINT16_MAX` bytes ("Too many xattrs"). */
const XATTR_SECTION_MAX = 0xffff;

/** createNode() without an init object per call. */
const NO_INIT = {};

const LF = 0x0a;
const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;
const EQUAL = 0x3d;
const AT = 0x40;
const BACKSLASH = 0x5c;

/** Field indexes of a line, as C names them (`FIELD_XATTRS_START` = number of fixed fields). */
const FIELD_XATTRS_START = 11;
const FIELD_PATH = 0;
const FIELD_SIZE = 1;
const FIELD_MODE = 2;
const FIELD_NLINK = 3;
const FIELD_UID = 4;
const FIELD_GID = 5;
const FIELD_RDEV = 6;
const FIELD_MTIME = 7;
const FIELD_PAYLOAD = 8;
const FIELD_CONTENT = 9;
const FIELD_DIGEST = 10;

/** Options of {@link parseDump}. */
export interface ParseDumpOptions {
  /** `CFS_PARSE_STRICT`: missing final LF, devnum, symlink size and content checks. */
  strict?: boolean;
}

interface HardlinkFixup {
  node: Node;
  target: Uint8Array | null;
  line: number;
  path: Uint8Array;
}

interface LineParser {
  readonly strict: boolean;
  readonly tree: TreeBuilder;
  readonly fixups: HardlinkFixup[];
  /** start/end offsets of the fixed fields of the current line. */
  readonly fields: Int32Array;
  /** Unescaped PATH of the current line, once known (for error locations). */
  pathBuf: Uint8Array | null;
  pathStart: number;
  pathEnd: number;
  line: number;
  /** Digests are carved from shared slabs: one ArrayBuffer per digest costs more than the data. */
  readonly digests: ByteArena;
}

/**
 * Parses a composefs dump into a tree, as `mkcomposefs --from-file` does. Hardlink entries are
 * nodes with `linkTo` set (resolved after the whole input, last first, like C). Unescaped
 * fields without a backslash are views of `input`: do not modify `input` afterwards.
 *
 * Where C accepts a DIGEST that is not 64 hex digits it stores undefined bytes; we reject it with
 * `EINVALDIGEST` when the digest would reach the image (an external regular file) and ignore it
 * otherwise (C's output does not depend on it there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDump } from "./parse.ts";
 * const root = parseDump(new TextEncoder().encode("/ 0 40755 2 0 0 0 0.0 - - -\n/a 3 100644 1 0 0 0 5.7 - abc -\n"));
 * assert.equal(root.children[0]!.size, 3n);
 * assert.equal(root.children[0]!.mtimeNsec, 7);
 * ```
 *
 * @param input the dump bytes
 * @param options strictness
 * @returns the root node
 * @throws {DumpSyntaxError} with `reason` = C's message
 */
export function parseDump(input: Uint8Array, options: ParseDumpOptions = {}): Node {
  const p: LineParser = {
    strict: options.strict ?? false,
    tree: createTreeBuilder(),
    fixups: [],
    fields: new Int32Array(2 * FIELD_XATTRS_START),
    pathBuf: null,
    pathStart: 0,
    pathEnd: 0,
    line: 0,
    digests: new ByteArena(),
  };
  const n = input.length;
  // Cursors that only move forward keep the NUL and backslash searches linear in the input.
  const nul = input.indexOf(0);
  let backslash = input.indexOf(BACKSLASH);
  let pos = 0;
  try {
    while (pos < n) {
      p.line++;
      p.pathBuf = null;
      let end = input.indexOf(LF, pos);
      if (end === -1) {
        end = n;
        if (p.strict && !cReaderParsesUnterminated(input)) {
          throw new DumpSyntaxError("ENONEWLINE", "Missing trailing newline");
        }
      }
      if (nul !== -1 && nul < end) {
        throw new DumpSyntaxError(
          "EEMBEDDEDNUL",
          `Invalid embedded NUL character at position ${nul - pos}`,
        );
      }
      if (backslash !== -1 && backslash < pos) backslash = input.indexOf(BACKSLASH, pos);
      parseLine(p, input, pos, end, backslash !== -1 && backslash < end);
      pos = end + 1;
    }
  } catch (e) {
    if (e instanceof DumpSyntaxError && e.line === 0) {
      throw e.at(p.line, p.pathBuf && p.pathBuf.slice(p.pathStart, p.pathEnd));
    }
    throw e;
  }
  resolveHardlinks(p);
  if (p.tree.root === null) throw new DumpSyntaxError("ENOFILES", "No files in dump file");
  return p.tree.root;
}

function parseLine(p: LineParser, buf: Uint8Array, ls: number, le: number, escaped: boolean) {
  const f = p.fields;
  // A plain loop: one indexOf() call per field costs more than scanning these short fields.
  let at = ls;
  for (let i = 0; i < 2 * FIELD_XATTRS_START; i += 2) {
    let e = at;
    while (e < le && buf[e] !== SPACE) e++;
    f[i] = at;
    f[i + 1] = e;
    at = e < le ? e + 1 : le;
  }
  const xattrStart = at;

  // The path stays a range of `buf` (or of its unescaped copy): no view unless needed.
  let pathBuf = buf;
  let ps = f[2 * FIELD_PATH]!;
  let pe = f[2 * FIELD_PATH + 1]!;
  if (escaped) {
    pathBuf = cutAtNul(unescapeDumpField(buf, ps, pe));
    ps = 0;
    pe = pathBuf.length;
  }
  if (pe === ps) throw new DumpSyntaxError("EEMPTYPATH", "Invalid empty path");
  p.pathBuf = pathBuf;
  p.pathStart = ps;
  p.pathEnd = pe;

  let ms = f[2 * FIELD_MODE]!;
  const me = f[2 * FIELD_MODE + 1]!;
  const isHardlink = me > ms && buf[ms] === AT;
  if (isHardlink) ms++;
  const mode = toU32(integer(buf, ms, me, 8));
  const type = mode & S_IFMT;
  if (!isValidFileType(type)) {
    throw new DumpSyntaxError("EINVALMODE", `Invalid mode ${mode.toString(8)}`);
  }

  const node = createNode(mode, NO_INIT);
  insertNode(p.tree, pathBuf, ps, pe, node);

  if (isHardlink) {
    // Everything after MODE is ignored, xattrs included; only PAYLOAD (the target) counts.
    if (type === S_IFDIR) {
      throw new DumpSyntaxError("EDIRHARDLINK", "Directories can't be hardlinked");
    }
    const target = optionalField(buf, f, FIELD_PAYLOAD, escaped);
    const path = pathBuf.subarray(ps, pe);
    p.fixups.push({ node, target: target && cutAtNul(target), line: p.line, path });
    return;
  }

  const size = integer(buf, f[2 * FIELD_SIZE]!, f[2 * FIELD_SIZE + 1]!, 10);
  const nlink = integer(buf, f[2 * FIELD_NLINK]!, f[2 * FIELD_NLINK + 1]!, 10);
  const uid = integer(buf, f[2 * FIELD_UID]!, f[2 * FIELD_UID + 1]!, 10);
  // C bug kept: a bad GID or RDEV is reported only when UID is 0; otherwise it reads as 0.
  const gid = parseUnsigned(buf, f[2 * FIELD_GID]!, f[2 * FIELD_GID + 1]!, 10) ??
    (isZero(uid) ? invalidInteger(buf, f[2 * FIELD_GID]!, f[2 * FIELD_GID + 1]!) : 0);
  const rdev = parseUnsigned(buf, f[2 * FIELD_RDEV]!, f[2 * FIELD_RDEV + 1]!, 10) ??
    (isZero(uid) ? invalidInteger(buf, f[2 * FIELD_RDEV]!, f[2 * FIELD_RDEV + 1]!) : 0);
  const ts = f[2 * FIELD_MTIME]!;
  const te = f[2 * FIELD_MTIME + 1]!;
  let dot = ts;
  while (dot < te && buf[dot] !== DOT) dot++;
  const sec = integer(buf, ts, dot, 10);
  const nsec = integer(buf, dot < te ? dot + 1 : te, te, 10);

  const payloadRaw = optionalField(buf, f, FIELD_PAYLOAD, escaped);
  const payload = payloadRaw && escaped ? cutAtNul(payloadRaw) : payloadRaw;
  const content = optionalField(buf, f, FIELD_CONTENT, escaped);
  if (content !== null && !sameU64(size, content.length)) {
    throw new DumpSyntaxError(
      "ECONTENTSIZE",
      `Invalid content size ${content.length}, must match size ${signed(size)}`,
    );
  }
  let digestBuf = buf;
  let ds = f[2 * FIELD_DIGEST]!;
  let de = f[2 * FIELD_DIGEST + 1]!;
  const hasDigest = !isDash(buf, ds, de);
  if (hasDigest && escaped) {
    digestBuf = cutAtNul(unescapeDumpField(buf, ds, de));
    ds = 0;
    de = digestBuf.length;
  }

  if (type !== S_IFLNK) node.size = toU64(size);
  node.nlink = toU32(nlink);
  node.uid = toU32(uid);
  node.gid = toU32(gid);
  if (type === S_IFCHR || type === S_IFBLK) {
    node.rdev = toU32(rdev);
  } else if (p.strict && !isZero(rdev)) {
    throw new DumpSyntaxError("EDEVNUM", "Non-zero devnum on non-device");
  }
  node.mtimeSec = typeof sec === "number" ? BigInt(sec) : BigInt.asIntN(64, sec);
  node.mtimeNsec = toU32(nsec);

  if (type === S_IFLNK) {
    if (payload === null || payload.length === 0 || payload.length >= PATH_MAX) {
      throw new DumpSyntaxError("ESYMLINK", "Invalid symlink");
    }
    node.payload = payload;
    node.size = BigInt(payload.length);
    if (p.strict) {
      if (!sameU64(size, payload.length)) {
        throw new DumpSyntaxError(
          "ESYMLINKSIZE",
          `Invalid symlink size ${payload.length}, must match size ${signed(size)}`,
        );
      }
      if (content !== null && content.length > 0) {
        throw new DumpSyntaxError("ESYMLINKCONTENT", "Symlink cannot have content");
      }
    }
    // Non-strict: content on a symlink is dropped.
  } else {
    if (payload !== null && payload.length >= PATH_MAX) {
      throw new DumpSyntaxError("EPAYLOAD", "Invalid payload");
    }
    node.payload = payload;
    if (content !== null) {
      if (content.length > LCFS_INLINE_CONTENT_MAX) {
        throw new DumpSyntaxError(
          "EINLINESIZE",
          `Inline content size ${content.length} exceeds maximum ${LCFS_INLINE_CONTENT_MAX}`,
        );
      }
      node.content = content.length > 0 ? content : null;
      node.size = BigInt(content.length);
    }
  }

  if (hasDigest) node.digest = decodeDigest(digestBuf, ds, de, node, p.digests);

  if (le - xattrStart > XATTR_SECTION_MAX) {
    throw new DumpSyntaxError("ETOOMANYXATTRS", "Too many xattrs");
  }
  for (let t = xattrStart; t < le;) {
    const sp = buf.indexOf(SPACE, t);
    const te = sp === -1 || sp >= le ? le : sp;
    parseXattr(node, buf, t, te, escaped);
    t = te + 1;
  }
}

/** Fixed field `i`, unescaped when the line has a backslash. */
function field(buf: Uint8Array, f: Int32Array, i: number, escaped: boolean): Uint8Array {
  const s = f[2 * i]!;
  const e = f[2 * i + 1]!;
  return escaped ? unescapeDumpField(buf, s, e) : buf.subarray(s, e);
}

/** An optional field: only a raw lone "-" is absent; an escaped "\x2d" is a real dash. */
function optionalField(buf: Uint8Array, f: Int32Array, i: number, escaped: boolean) {
  return isDash(buf, f[2 * i]!, f[2 * i + 1]!) ? null : field(buf, f, i, escaped);
}

function isDash(buf: Uint8Array, s: number, e: number): boolean {
  return e - s === 1 && buf[s] === DASH;
}

function parseXattr(node: Node, buf: Uint8Array, ts: number, te: number, escaped: boolean) {
  // Split at the first raw "=": an "=" in a key must be written \x3d.
  let eq = ts;
  while (eq < te && buf[eq] !== EQUAL) eq++;
  if (eq === te) throw new DumpSyntaxError("EXATTRNOEQ", "Missing = in xattr");
  const key = escaped ? cutAtNul(unescapeDumpField(buf, ts, eq)) : buf.subarray(ts, eq);
  const value = escaped ? unescapeDumpField(buf, eq + 1, te) : buf.subarray(eq + 1, te);
  try {
    setXattr(node, key, value);
  } catch (e) {
    if (e instanceof ComposefsLimitError) throw new DumpSyntaxError("ESETXATTR", "Can't set xattr");
    throw e;
  }
}

/**
 * A DIGEST field as 32 bytes. C decodes hex pairs until a non-hex byte or 32 bytes and leaves the
 * rest of its stack buffer unset: a field that starts with 64 hex digits is well defined (what
 * follows is ignored, as in C), anything shorter is not. The digest reaches the image only for
 * external regular files (metacopy), so elsewhere a malformed one is dropped.
 */
function decodeDigest(
  buf: Uint8Array,
  s: number,
  e: number,
  node: Node,
  arena: ByteArena,
): Uint8Array | null {
  if (e - s >= 2 * LCFS_DIGEST_SIZE) {
    const out = arena.alloc(LCFS_DIGEST_SIZE);
    let i = 0;
    for (; i < LCFS_DIGEST_SIZE; i++) {
      const hi = hexDigitValue(buf[s + 2 * i]!);
      const lo = hexDigitValue(buf[s + 2 * i + 1]!);
      if (hi < 0 || lo < 0) break;
      out[i] = (hi << 4) | lo;
    }
    if (i === LCFS_DIGEST_SIZE) return out;
  }
  const external = (node.mode & S_IFMT) === S_IFREG && node.size > 0n && node.content === null;
  if (!external) return null;
  throw new DumpSyntaxError(
    "EINVALDIGEST",
    `Invalid digest ${latin1String(buf.subarray(s, e))}, must be 64 hex digits`,
  );
}

function resolveHardlinks(p: LineParser): void {
  // C prepends each fixup to a list, so the last hardlink line is resolved first.
  for (let i = p.fixups.length - 1; i >= 0; i--) {
    const fx = p.fixups[i]!;
    if (fx.target === null) {
      throw new DumpSyntaxError("ENOTARGET", "No target path for the hardlink", fx.line, fx.path);
    }
    const target = lookupPath(p.tree.root!, fx.target);
    if (target === null) {
      const reason = `No target at ${latin1String(fx.target)} for hardlink`;
      throw new DumpSyntaxError("ETARGETMISSING", reason, fx.line, fx.path);
    }
    if (target === fx.node) {
      const reason = `Self-referential hardlink ${latin1String(fx.target)}`;
      throw new DumpSyntaxError("ESELFLINK", reason, fx.line, fx.path);
    }
    // The target keeps the NLINK of its own line (C bumps it and puts it back).
    fx.node.linkTo = target;
  }
}

function integer(buf: Uint8Array, start: number, end: number, base: 8 | 10): number | bigint {
  return parseUnsigned(buf, start, end, base) ?? invalidInteger(buf, start, end);
}

function invalidInteger(buf: Uint8Array, start: number, end: number): never {
  throw new DumpSyntaxError(
    "EINVALINT",
    `Invalid integer ${latin1String(buf.subarray(start, end))}`,
  );
}

/** PATH, PAYLOAD, DIGEST, the hardlink target and xattr keys are C strings after unescaping. */
function cutAtNul(bytes: Uint8Array): Uint8Array {
  const i = bytes.indexOf(0);
  return i < 0 ? bytes : bytes.subarray(0, i);
}

function sameU64(v: number | bigint, n: number): boolean {
  return typeof v === "number" ? v === n : v === BigInt(n);
}

/** C prints sizes in these messages with `%lld` of the u64. */
function signed(v: number | bigint): bigint | number {
  return typeof v === "number" ? v : BigInt.asIntN(64, v);
}
