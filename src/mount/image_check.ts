/**
 * The checks mount.composefs makes on an image before asking the kernel to mount it: the
 * composefs header (C checks only its magic; we also check the version and the EROFS
 * superblock magic, so that a wrong file gets a clear message instead of the kernel's
 * `Invalid argument`), and the fs-verity digest when `digest=` is given.
 *
 * @module
 */
import { equalBytes, toHex } from "../../spec/bytes/compare.ts";
import { ByteReader } from "../../spec/bytes/byte_reader.ts";
import {
  EROFS_SUPER_MAGIC_V1,
  EROFS_SUPER_OFFSET,
  LCFS_EROFS_FLAGS_HAS_ACL,
  LCFS_EROFS_MAGIC,
  LCFS_EROFS_VERSION,
} from "../../spec/erofs/constants.ts";
import { decodeLcfsErofsHeader, LCFS_EROFS_HEADER_SIZE } from "../../spec/erofs/header.ts";
import { decodeErofsSuperBlock, EROFS_SUPER_BLOCK_SIZE } from "../../spec/erofs/superblock.ts";
import { MountError } from "./errors.ts";

/** How many bytes {@link checkImageHeader} needs: the header and the superblock. */
export const IMAGE_HEAD_SIZE = EROFS_SUPER_OFFSET + EROFS_SUPER_BLOCK_SIZE;

/** What the mount needs to know from the header. */
export interface ImageHeaderInfo {
  /** `LCFS_EROFS_FLAGS_HAS_ACL`: mount EROFS without `noacl`. */
  hasAcl: boolean;
}

function notComposefs(why: string): MountError {
  return new MountError(`Not a composefs image: ${why}`, "ENOTCOMPOSEFS");
}

/**
 * Checks the first {@link IMAGE_HEAD_SIZE} bytes of an image (fewer if the file is shorter).
 * Throws a {@link MountError} with code `ENOTCOMPOSEFS` whose message says what is wrong
 * (the caller prefixes the image name).
 *
 * @example
 * ```ts
 * import { checkImageHeader } from "./image_check.ts";
 * import { buildImageFromDump } from "../../spec/image.ts";
 * import assert from "node:assert/strict";
 * const image = buildImageFromDump(new TextEncoder().encode("/ 0 40755 2 0 0 0 0.0 - - -\n"));
 * assert.deepEqual(checkImageHeader(image), { hasAcl: false });
 * ```
 */
export function checkImageHeader(head: Uint8Array): ImageHeaderInfo {
  if (head.length < LCFS_EROFS_HEADER_SIZE) {
    throw notComposefs(`the file has ${head.length} bytes, too short for a composefs header`);
  }
  const r = new ByteReader(head);
  const h = decodeLcfsErofsHeader(r, 0);
  if (h.magic !== LCFS_EROFS_MAGIC) {
    throw notComposefs(`bad magic 0x${h.magic.toString(16).padStart(8, "0")} in the header`);
  }
  if (h.version !== LCFS_EROFS_VERSION) {
    throw notComposefs(`unsupported composefs header version ${h.version}`);
  }
  if (head.length < IMAGE_HEAD_SIZE) {
    throw notComposefs(`the file has ${head.length} bytes, too short for an EROFS superblock`);
  }
  const sb = decodeErofsSuperBlock(r, EROFS_SUPER_OFFSET);
  if (sb.magic !== EROFS_SUPER_MAGIC_V1) {
    throw notComposefs(
      `bad EROFS superblock magic 0x${sb.magic.toString(16).padStart(8, "0")}`,
    );
  }
  return { hasAcl: (h.flags & LCFS_EROFS_FLAGS_HAS_ACL) !== 0 };
}

/** `FS_VERITY_HASH_ALG_SHA256` (linux/fsverity.h). */
const FS_VERITY_HASH_ALG_SHA256 = 1;

/**
 * Compares the kernel's measurement of the image with `digest=` (64 hex digits). A digest of
 * another size (another hash algorithm) is a mismatch, as in C. Throws a {@link MountError}
 * with code `EWRONGVERITY`.
 */
export function checkVerityDigest(
  measured: { algorithm: number; digest: Uint8Array },
  expectedHex: string,
): void {
  const expected = new Uint8Array(32);
  for (let i = 0; i < 32; i++) expected[i] = parseInt(expectedHex.slice(2 * i, 2 * i + 2), 16);
  if (measured.algorithm !== FS_VERITY_HASH_ALG_SHA256 || !equalBytes(measured.digest, expected)) {
    throw new MountError(
      `Image has wrong fs-verity (${
        toHex(measured.digest)
      }, expected ${expectedHex.toLowerCase()})`,
      "EWRONGVERITY",
    );
  }
}
