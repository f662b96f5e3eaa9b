/**
 * Xattr entries as stored: `struct erofs_xattr_entry`, then the name suffix, then the value.
 * A {@link RawXattr} holds offsets and builds its byte arrays only when asked (and once), so a
 * reader that only classifies entries allocates nothing per entry.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import { ErofsFormatError } from "./errors.ts";
import { EROFS_XATTR_ENTRY_SIZE, EROFS_XATTR_PREFIX_OF_INDEX, xattrEntrySize } from "./xattr.ts";

/** One stored xattr entry, inline or shared. Byte arrays are views of the image, or copies. */
export class RawXattr {
  /** `e_name_index` (0–6; 5 is `lustre.`). */
  readonly index: number;
  /** Offset of the entry header in the image. */
  readonly offset: number;
  /** Byte offset of the stored name (the suffix after the prefix). */
  readonly nameOffset: number;
  /** `e_name_len`: length of the stored name suffix. */
  readonly nameLen: number;
  /** Byte offset of the value: right after the name suffix. */
  readonly valueOffset: number;
  /** `e_value_size`: length of the value. */
  readonly valueSize: number;
  /** True when found through a shared xattr id. */
  readonly shared: boolean;
  readonly #bytes: Uint8Array;
  #key: Uint8Array | undefined;
  #value: Uint8Array | undefined;

  /**
   * Reads the entry header at `offset` of `bytes` (the whole image); the caller has checked
   * that the entry lies inside it.
   */
  constructor(bytes: Uint8Array, offset: number, shared: boolean) {
    this.#bytes = bytes;
    this.offset = offset;
    this.nameLen = bytes[offset]!;
    this.index = bytes[offset + 1]!;
    this.valueSize = bytes[offset + 2]! | (bytes[offset + 3]! << 8);
    this.nameOffset = offset + EROFS_XATTR_ENTRY_SIZE;
    this.valueOffset = this.nameOffset + this.nameLen;
    this.shared = shared;
  }

  /** The stored name without its prefix (a view). */
  get suffix(): Uint8Array {
    return this.#bytes.subarray(this.nameOffset, this.valueOffset);
  }

  /** Prefix + suffix, as C rebuilds the name (a copy; may hold NUL bytes). */
  get key(): Uint8Array {
    if (this.#key === undefined) {
      const prefix = EROFS_XATTR_PREFIX_OF_INDEX[this.index]!;
      const key = new Uint8Array(prefix.length + this.nameLen);
      key.set(prefix);
      key.set(this.suffix, prefix.length);
      this.#key = key;
    }
    return this.#key;
  }

  /** The value (a view). */
  get value(): Uint8Array {
    this.#value ??= this.#bytes.subarray(this.valueOffset, this.valueOffset + this.valueSize);
    return this.#value;
  }

  /** `round_up(4 + e_name_len + e_value_size, 4)`. */
  get entrySize(): number {
    return xattrEntrySize(this.nameLen, this.valueSize);
  }
}

/**
 * Reads the entry at `at`; it must end by `end` (the xattr body's end, or the image's for a
 * shared entry) and use a known name index. The caller has checked that its 4-byte header is
 * inside the image.
 *
 * @throws {ErofsFormatError} `EINVAL` for an entry past `end` or an unknown name index.
 */
export function readXattrEntry(
  r: ByteReader,
  at: number,
  end: number,
  shared: boolean,
  nid: number,
): RawXattr {
  const x = new RawXattr(r.bytes, at, shared);
  const structure = shared ? "shared xattr entry" : "inline xattr entry";
  if (x.valueOffset + x.valueSize > end) {
    throw new ErofsFormatError(
      "EINVAL",
      `Entry of ${x.nameLen} + ${x.valueSize} bytes passes the end of its area`,
      { offset: at, structure, nid },
    );
  }
  if (x.index >= EROFS_XATTR_PREFIX_OF_INDEX.length) {
    // C's erofs_get_xattr_name fails with EINVAL on an unknown index.
    throw new ErofsFormatError("EINVAL", `Unknown name index ${x.index}`, {
      offset: at + 1,
      structure,
      nid,
    });
  }
  return x;
}
