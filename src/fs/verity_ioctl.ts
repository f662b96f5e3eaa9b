/**
 * The fs-verity ioctls (linux/fsverity.h): ask the kernel for a file's digest instead of
 * reading the file, when fs-verity is already enabled on it.
 *
 * @module
 */
import { ioctlPtr } from "./libc.ts";

/** `FS_IOC_MEASURE_VERITY` = `_IOWR('f', 134, struct fsverity_digest)` (linux/fsverity.h). */
export const FS_IOC_MEASURE_VERITY = 0xc0046686n;
/**
 * `FS_IOC_READ_VERITY_METADATA` = `_IOWR('f', 135, struct fsverity_read_metadata_arg)`
 * (linux/fsverity.h).
 */
export const FS_IOC_READ_VERITY_METADATA = 0xc0286687n;
/** `FS_VERITY_METADATA_TYPE_DESCRIPTOR` (linux/fsverity.h). */
const FS_VERITY_METADATA_TYPE_DESCRIPTOR = 2n;
/** `FS_VERITY_HASH_ALG_SHA256` (linux/fsverity.h). */
const FS_VERITY_HASH_ALG_SHA256 = 1;
/** The digest composefs uses: SHA-256 over 4096-byte blocks, no salt. */
const SHA256_SIZE = 32;
const LOG_BLOCKSIZE = 12;

/** The largest digest `struct fsverity_digest` holds here (SHA-512). */
const MAX_DIGEST_SIZE = 64;

/** A file's fs-verity digest as the kernel measures it. */
export interface VerityMeasurement {
  /** `FS_VERITY_HASH_ALG_*` (1 = SHA-256). */
  algorithm: number;
  /** The digest bytes (`digest_size` of them). */
  digest: Uint8Array;
}

/** `struct fsverity_digest` for `FS_IOC_MEASURE_VERITY`, with room for the largest digest. */
export function fsverityDigestArg(): Uint8Array<ArrayBuffer> {
  // struct fsverity_digest { u16 digest_algorithm; u16 digest_size; u8 digest[]; }
  const d = new Uint8Array(4 + MAX_DIGEST_SIZE);
  new DataView(d.buffer).setUint16(2, MAX_DIGEST_SIZE, true);
  return d;
}

/** What the kernel wrote into an {@link fsverityDigestArg}. */
export function decodeFsverityDigest(d: Uint8Array<ArrayBuffer>): VerityMeasurement {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const size = Math.min(v.getUint16(2, true), MAX_DIGEST_SIZE);
  return { algorithm: v.getUint16(0, true), digest: d.slice(4, 4 + size) };
}

/**
 * The kernel's fs-verity digest of the open file `fd`, or `null` when fs-verity is not
 * enabled or was enabled with other parameters than composefs's (another hash, block size or a
 * salt), since then the kernel's digest is not the one C mkcomposefs computes.
 */
export function measureVerity(fd: number): Uint8Array | null {
  const d = fsverityDigestArg();
  if (ioctlPtr(fd, FS_IOC_MEASURE_VERITY, d) < 0) return null;
  const m = decodeFsverityDigest(d);
  if (m.algorithm !== FS_VERITY_HASH_ALG_SHA256 || m.digest.length !== SHA256_SIZE) return null;
  // The digest does not say the block size or salt: read the descriptor to check them.
  const desc = new Uint8Array(256);
  // struct fsverity_read_metadata_arg { u64 metadata_type, offset, length, buf_ptr, reserved; }
  const arg = new Uint8Array(40);
  const a = new DataView(arg.buffer);
  a.setBigUint64(0, FS_VERITY_METADATA_TYPE_DESCRIPTOR, true);
  a.setBigUint64(16, BigInt(desc.length), true);
  a.setBigUint64(24, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(desc))), true);
  // Success is the count of bytes read: the whole 256-byte descriptor.
  if (ioctlPtr(fd, FS_IOC_READ_VERITY_METADATA, arg) < 4) return null;
  if (desc[0] !== 1 || desc[1] !== FS_VERITY_HASH_ALG_SHA256) return null;
  if (desc[2] !== LOG_BLOCKSIZE || desc[3] !== 0) return null;
  return m.digest;
}

/** `FS_IOC_ENABLE_VERITY` = `_IOW('f', 133, struct fsverity_enable_arg)` (linux/fsverity.h). */
export const FS_IOC_ENABLE_VERITY = 0x40806685n;
/** `sizeof(struct fsverity_enable_arg)` (linux/fsverity.h). */
const FSVERITY_ENABLE_ARG_SIZE = 128;

/**
 * Enables fs-verity on the open file `fd` (opened read-only, with no writers), as C's
 * `lcfs_fd_enable_fsverity`: version 1, SHA-256, no salt, no signature. Returns 0 or the errno;
 * callers such as the digest store ignore failures, as C does.
 *
 * @param fd A read-only descriptor.
 * @param blockSize The Merkle tree block size; composefs uses 4096 (other sizes are for tests).
 */
export function enableVerity(fd: number, blockSize = 4096): number {
  const arg = new Uint8Array(FSVERITY_ENABLE_ARG_SIZE);
  const v = new DataView(arg.buffer);
  v.setUint32(0, 1, true); // version
  v.setUint32(4, FS_VERITY_HASH_ALG_SHA256, true);
  v.setUint32(8, blockSize, true);
  const r = ioctlPtr(fd, FS_IOC_ENABLE_VERITY, arg);
  return r < 0 ? -r : 0;
}
