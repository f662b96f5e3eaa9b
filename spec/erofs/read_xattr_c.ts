/**
 * How C 1.0.8's reader (`lcfs_build_node_erofs_xattr`) turns each stored xattr into node state:
 * `trusted.overlay.redirect` becomes the payload, `…metacopy` the digest, the escaped whiteout
 * a 0:0 chardev; the overlay marks the writer adds are dropped; `trusted.overlay.overlay.X` is
 * unescaped to `trusted.overlay.X`; everything else is kept as is. Names are compared as C
 * compares them: as NUL-terminated strings (prefix + stored suffix).
 *
 * @module
 */
import { asciiBytes } from "../bytes/compare.ts";
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
import type { RawXattr } from "./read_xattr.ts";
import { EROFS_XATTR_PREFIX_OF_INDEX } from "./xattr.ts";

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
 * Applies one stored xattr to `node` exactly as C 1.0.8's reader does (composefs-format.md
 * §6.4), including the redirect-reading bug: the payload is read from the byte after the leading
 * `/` for up to `len + 1` bytes, stopping at a NUL, so up to two bytes after the value (padding,
 * the next entry, the chunk table) can end up in it.
 *
 * @param node the node being built (its type decides what overlay keys mean)
 * @param x the stored entry
 * @param image the image bytes (the redirect bug reads past the value)
 * @param nid the inode, for error reports
 * @throws {ErofsFormatError} `ERANGE` for an empty or over-long key or an exhausted budget.
 */
export function applyXattrLikeC(node: Node, x: RawXattr, image: Uint8Array, nid: number): void {
  const type = node.mode & S_IFMT;
  // Most entries are not overlay keys: `trusted.` (4) or no prefix (0) can start one.
  if ((x.index === 4 || x.index === 0) && nameStarts(image, x, OVERLAY)) {
    if (nameIs(image, x, REDIRECT)) {
      if (type === S_IFREG) node.payload = redirectPayload(x, image);
      return;
    }
    if (nameIs(image, x, METACOPY)) {
      if (type === S_IFREG && x.valueSize === METACOPY_DIGEST_VALUE_SIZE) {
        node.digest = image.subarray(x.valueOffset + 4, x.valueOffset + x.valueSize);
      }
      return;
    }
    if (type === S_IFREG && nameIs(image, x, ESCAPED_WHITEOUT)) {
      // The stored form of a user whiteout: back to a 0:0 chardev. Content, if any, stays.
      node.mode = ((node.mode & ~S_IFMT) | S_IFCHR) >>> 0;
      node.rdev = 0;
      node.size = 0n;
      return;
    }
    if (nameIs(image, x, ESCAPED_WHITEOUTS)) return;
    if (!nameStarts(image, x, ESCAPE)) return; // the writer's own overlay keys
  } else if (
    (x.index === 1 || x.index === 0) &&
    (nameIs(image, x, USER_WHITEOUT) || nameIs(image, x, USER_WHITEOUTS))
  ) {
    return;
  }
  setXattrLikeReader(node, cKey(x, image), x, nid);
}

/** Keys of shared entries, built once (the image caches its shared {@link RawXattr}s). */
const sharedKeys = new WeakMap<RawXattr, Uint8Array>();

/** The key C stores: prefix + suffix cut at a NUL, `trusted.overlay.overlay.` unescaped. */
function cKey(x: RawXattr, image: Uint8Array): Uint8Array {
  const memo = x.shared ? sharedKeys.get(x) : undefined;
  if (memo !== undefined) return memo;
  const prefix = EROFS_XATTR_PREFIX_OF_INDEX[x.index]!;
  let n = x.nameLen;
  const z = image.subarray(x.nameOffset, x.nameOffset + n).indexOf(0);
  if (z >= 0) n = z;
  let key = new Uint8Array(prefix.length + n);
  key.set(prefix);
  key.set(image.subarray(x.nameOffset, x.nameOffset + n), prefix.length);
  if (nameStarts(image, x, ESCAPE)) {
    const out = new Uint8Array(key.length - (ESCAPE.length - OVERLAY.length));
    out.set(OVERLAY);
    out.set(key.subarray(ESCAPE.length), OVERLAY.length);
    key = out;
  }
  // A shared entry is met by many inodes: build its key once.
  if (x.shared) sharedKeys.set(x, key);
  return key;
}

/** Byte `i` of the full name (prefix + suffix). */
function nameByte(image: Uint8Array, x: RawXattr, prefix: Uint8Array, i: number): number {
  return i < prefix.length ? prefix[i]! : image[x.nameOffset + i - prefix.length]!;
}

/** The C name starts with `target` (which has no NUL). */
function nameStarts(image: Uint8Array, x: RawXattr, target: Uint8Array): boolean {
  const prefix = EROFS_XATTR_PREFIX_OF_INDEX[x.index]!;
  if (prefix.length + x.nameLen < target.length) return false;
  for (let i = 0; i < target.length; i++) {
    if (nameByte(image, x, prefix, i) !== target[i]) return false;
  }
  return true;
}

/** The C name (cut at its first NUL) equals `target`. */
function nameIs(image: Uint8Array, x: RawXattr, target: Uint8Array): boolean {
  if (!nameStarts(image, x, target)) return false;
  const prefix = EROFS_XATTR_PREFIX_OF_INDEX[x.index]!;
  const n = prefix.length + x.nameLen;
  return n === target.length || nameByte(image, x, prefix, target.length) === 0;
}

/** C's `strndup(value + 1, len + 1)` for a `/`-prefixed value, else `strndup(value, len)`. */
function redirectPayload(x: RawXattr, image: Uint8Array): Uint8Array {
  let start = x.valueOffset;
  let max = x.valueSize;
  if (max > 1 && image[start] === 0x2f) {
    start++;
    max++;
  }
  // Bytes past the image read as NUL (C maps the file; the page past EOF is zero-filled).
  const stop = Math.min(start + max, image.length);
  let end = start;
  while (end < stop && image[end] !== 0) end++;
  return image.subarray(start, end);
}

/**
 * `lcfs_node_set_xattr_internal(…, false)`: key of 1–255 bytes, the last value wins (the old
 * entry is removed the way C removes it), and a budget of 65535.
 */
function setXattrLikeReader(node: Node, key: Uint8Array, x: RawXattr, nid: number): void {
  const structure = x.shared ? "shared xattr entry" : "inline xattr entry";
  if (key.length === 0 || key.length > XATTR_NAME_MAX) {
    throw new ErofsFormatError("ERANGE", `Xattr key of ${key.length} bytes`, {
      offset: x.offset,
      structure,
      nid,
    });
  }
  if (node.xattrs.length > 0) removeXattr(node, key);
  let cost = 2 * LCFS_INODE_XATTRMETA_SIZE - 1 + key.length + x.valueSize;
  if (node.xattrs.length === 0) cost += LCFS_XATTR_HEADER_SIZE;
  if (node.xattrBudget + cost > READER_XATTR_MAX) {
    throw new ErofsFormatError("ERANGE", "Xattrs exceed 65535 bytes", {
      offset: x.offset,
      structure,
      nid,
    });
  }
  // A new list for the first xattr: createNode's empty list is shared.
  if (node.xattrs.length === 0) node.xattrs = [{ key, value: x.value }];
  else node.xattrs.push({ key, value: x.value });
  node.xattrBudget += cost;
}
