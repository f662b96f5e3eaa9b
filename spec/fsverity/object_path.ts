/**
 * Where a file lives in a composefs digest store: its fs-verity digest in lowercase hex, split
 * after the first byte (`digest_to_path` in lcfs-writer.c). The same string is the payload
 * (`trusted.overlay.redirect` target) of a file built with `--digest-store`.
 *
 * @module
 */
import { LCFS_SHA256_DIGEST_LEN } from "./descriptor.ts";

/** ASCII codes of the lowercase hex digits. */
const HEX_DIGITS = new Uint8Array([
  0x30,
  0x31,
  0x32,
  0x33,
  0x34,
  0x35,
  0x36,
  0x37,
  0x38,
  0x39,
  0x61,
  0x62,
  0x63,
  0x64,
  0x65,
  0x66,
]);

/** ASCII `/`. */
const SLASH = 0x2f;

/**
 * The digest-store relative path of an object, as bytes: 2 hex digits, `/`, 62 hex digits.
 *
 * @param digest The 32-byte fs-verity digest.
 * @returns 65 ASCII bytes, e.g. `f1/9002…cf0`.
 * @throws {RangeError} When `digest` is not 32 bytes long.
 *
 * @example
 * ```ts
 * import { objectPathOf } from "./object_path.ts";
 * import assert from "node:assert/strict";
 * const digest = new Uint8Array(32).fill(0xab);
 * const path = new TextDecoder().decode(objectPathOf(digest));
 * assert.equal(path, "ab/" + "ab".repeat(31));
 * ```
 */
export function objectPathOf(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(OBJECT_PATH_LENGTH);
  writeObjectPath(digest, out, 0);
  return out;
}

/** Length of an object path: 2 hex digits, `/`, 62 hex digits. */
export const OBJECT_PATH_LENGTH = 2 * LCFS_SHA256_DIGEST_LEN + 1;

/**
 * Writes the object path of `digest` into `out` at `offset` (65 bytes), as
 * {@link objectPathOf} makes it, for callers that keep many paths in one buffer.
 *
 * @throws {RangeError} When `digest` is not 32 bytes long.
 */
export function writeObjectPath(digest: Uint8Array, out: Uint8Array, offset: number): void {
  if (digest.length !== LCFS_SHA256_DIGEST_LEN) {
    throw new RangeError(
      `Cannot make an object path: the digest has ${digest.length} bytes, not ${LCFS_SHA256_DIGEST_LEN}`,
    );
  }
  let j = offset;
  for (let i = 0; i < LCFS_SHA256_DIGEST_LEN; i++) {
    if (i === 1) out[j++] = SLASH;
    const b = digest[i]!;
    out[j++] = HEX_DIGITS[b >> 4]!;
    out[j++] = HEX_DIGITS[b & 15]!;
  }
}
