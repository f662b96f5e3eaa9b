/**
 * Xattr entries as stored (`struct erofs_xattr_entry` + suffix + value), and how C's reader
 * (`lcfs_build_node_erofs_xattr`, composefs 1.0.8) turns each one into node state: the overlay
 * keys become the payload, the digest and whiteouts, escaped keys are unescaped, the rest is
 * dropped or kept as is.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import { asciiBytes, equalBytes, startsWith } from "../bytes/compare.ts";
import {
  LCFS_INODE_XATTRMETA_SIZE,
  LCFS_XATTR_HEADER_SIZE,
  type Node,
  removeXattr,
  S_IFCHR,
  S_IFMT,
  S_IFREG,
  XATTR_NAME_MAX,
} from "../tree/node.ts";
import { ErofsFormatError } from "./errors.ts";
import { EROFS_XATTR_ENTRY_SIZE, xattrEntrySize } from "./xattr.ts";

/** One stored xattr entry, inline or shared. */
export interface RawXattr {
  /** `e_name_index` (0–6; 5 is `lustre.`). */
  index: number;
  /** The stored name, without its prefix (a view). */
  suffix: Uint8Array;
  /** Prefix + suffix, as C rebuilds it (a copy; may hold NUL bytes). */
  key: Uint8Array;
  /** The value (a view). */
  value: Uint8Array;
  /** True when found through a shared xattr id. */
  shared: boolean;
  /** Offset of the entry header and of the value in the image. */
  offset: number;
  valueOffset: number;
  /** `round_up(4 + e_name_len + e_value_size, 4)`. */
  entrySize: number;
}

/** `erofs_xattr_prefixes` of lcfs-erofs-internal.h: the prefix of each name index, 0–6. */
const PREFIXES: readonly Uint8Array[] = [
  "",
  "user.",
  "system.posix_acl_access",
  "system.posix_acl_default",
  "trusted.",
  "lustre.",
  "security.",
].map(asciiBytes);

/**
 * Reads the entry at `at`; it must end by `end` (the xattr body's end, or the image's for a
 * shared entry) and use a known name index.
 */
export function readXattrEntry(
  r: ByteReader,
  at: number,
  end: number,
  shared: boolean,
  nid: number,
): RawXattr {
  const nameLen = r.u8(at);
  const index = r.u8(at + 1);
  const valueSize = r.u16(at + 2);
  const structure = shared ? "shared xattr entry" : "inline xattr entry";
  const nameAt = at + EROFS_XATTR_ENTRY_SIZE;
  const valueOffset = nameAt + nameLen;
  if (valueOffset + valueSize > end) {
    throw new ErofsFormatError(
      "EINVAL",
      `Entry of ${nameLen} + ${valueSize} bytes passes the end of its area`,
      { offset: at, structure, nid },
    );
  }
  const prefix = PREFIXES[index];
  if (prefix === undefined) {
    // C's erofs_get_xattr_name fails with EINVAL on an unknown index.
    throw new ErofsFormatError("EINVAL", `Unknown name index ${index}`, {
      offset: at + 1,
      structure,
      nid,
    });
  }
  const suffix = r.bytes.subarray(nameAt, valueOffset);
  const key = new Uint8Array(prefix.length + nameLen);
  key.set(prefix);
  key.set(suffix, prefix.length);
  return {
    index,
    suffix,
    key,
    value: r.bytes.subarray(valueOffset, valueOffset + valueSize),
    shared,
    offset: at,
    valueOffset,
    entrySize: xattrEntrySize(nameLen, valueSize),
  };
}

const OVERLAY = asciiBytes("trusted.overlay.");
const ESCAPE = asciiBytes("trusted.overlay.overlay.");
const REDIRECT = asciiBytes("trusted.overlay.redirect");
const METACOPY = asciiBytes("trusted.overlay.metacopy");
const ESCAPED_WHITEOUT = asciiBytes("trusted.overlay.overlay.whiteout");
const ESCAPED_WHITEOUTS = asciiBytes("trusted.overlay.overlay.whiteouts");
const USER_WHITEOUT = asciiBytes("user.overlay.whiteout");
const USER_WHITEOUTS = asciiBytes("user.overlay.whiteouts");
/** The reader's xattr budget: C calls its setter with `from_external_input = false`. */
const READER_XATTR_MAX = 0xffff;
/** `LCFS_DIGEST_SIZE` plus the 4-byte `ovl_metacopy` header. */
const METACOPY_DIGEST_VALUE_SIZE = 4 + 32;

/**
 * Applies one stored xattr to `node` exactly as C 1.0.8's reader does (see the module doc and
 * composefs-format.md §6.4), including the redirect-reading bug: the payload is read from the
 * byte after the leading `/` for up to `len + 1` bytes, stopping at a NUL, so up to two bytes
 * after the value (padding, the next entry, the chunk table) can end up in it.
 *
 * @throws {ErofsFormatError} `ERANGE` for an empty or over-long key or an exhausted budget.
 */
export function applyXattrLikeC(node: Node, x: RawXattr, image: Uint8Array, nid: number): void {
  // C handles the name as a NUL-terminated string.
  const key = cString(x.key);
  const type = node.mode & S_IFMT;
  if (startsWith(key, OVERLAY)) {
    if (equalBytes(key, REDIRECT)) {
      if (type === S_IFREG) node.payload = redirectPayload(x, image);
      return;
    }
    if (equalBytes(key, METACOPY)) {
      if (type === S_IFREG && x.value.length === METACOPY_DIGEST_VALUE_SIZE) {
        node.digest = x.value.subarray(4);
      }
      return;
    }
    if (equalBytes(key, ESCAPED_WHITEOUT) && type === S_IFREG) {
      // The stored form of a user whiteout: back to a 0:0 chardev. Content, if any, stays.
      node.mode = ((node.mode & ~S_IFMT) | S_IFCHR) >>> 0;
      node.rdev = 0;
      node.size = 0n;
      return;
    }
    if (equalBytes(key, ESCAPED_WHITEOUTS)) return;
    if (!startsWith(key, ESCAPE)) return; // our own overlay xattrs: not part of the tree
    setXattrLikeReader(node, unescape(key), x.value, x, nid);
    return;
  }
  if (equalBytes(key, USER_WHITEOUT) || equalBytes(key, USER_WHITEOUTS)) return;
  setXattrLikeReader(node, key, x.value, x, nid);
}

/** `trusted.overlay.overlay.X` → `trusted.overlay.X`. */
function unescape(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length - (ESCAPE.length - OVERLAY.length));
  out.set(OVERLAY);
  out.set(key.subarray(ESCAPE.length), OVERLAY.length);
  return out;
}

/** C's `strndup(value + 1, len + 1)` for a `/`-prefixed value, else `strndup(value, len)`. */
function redirectPayload(x: RawXattr, image: Uint8Array): Uint8Array {
  let start = x.valueOffset;
  let max = x.value.length;
  if (max > 1 && image[start] === 0x2f) {
    start++;
    max++;
  }
  // Bytes past the image read as NUL (C maps the file; the page past EOF is zero-filled).
  const stop = Math.min(start + max, image.length);
  let end = start;
  while (end < stop && image[end] !== 0) end++;
  return image.slice(start, end);
}

/**
 * `lcfs_node_set_xattr_internal(…, false)`: key of 1–255 bytes, the last value wins (the old
 * entry is removed the way C removes it), and a budget of 65535.
 */
function setXattrLikeReader(
  node: Node,
  key: Uint8Array,
  value: Uint8Array,
  x: RawXattr,
  nid: number,
): void {
  const structure = x.shared ? "shared xattr entry" : "inline xattr entry";
  if (key.length === 0 || key.length > XATTR_NAME_MAX) {
    throw new ErofsFormatError("ERANGE", `Xattr key of ${key.length} bytes`, {
      offset: x.offset,
      structure,
      nid,
    });
  }
  removeXattr(node, key);
  let cost = 2 * LCFS_INODE_XATTRMETA_SIZE - 1 + key.length + value.length;
  if (node.xattrs.length === 0) cost += LCFS_XATTR_HEADER_SIZE;
  if (node.xattrBudget + cost > READER_XATTR_MAX) {
    throw new ErofsFormatError("ERANGE", "Xattrs exceed 65535 bytes", {
      offset: x.offset,
      structure,
      nid,
    });
  }
  node.xattrs.push({ key, value });
  node.xattrBudget += cost;
}

/** The bytes before the first NUL (a view). */
export function cString(b: Uint8Array): Uint8Array {
  const i = b.indexOf(0);
  return i < 0 ? b : b.subarray(0, i);
}
