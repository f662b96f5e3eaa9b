/**
 * The fs-verity descriptor (`struct fsverity_descriptor`, linux/fsverity.h and lcfs-fsverity.c):
 * the 256 bytes whose SHA-256 is the file's fs-verity digest.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";

/** `FS_VERITY_HASH_ALG_SHA256` (linux/fsverity.h). */
export const FS_VERITY_HASH_ALG_SHA256 = 1;

/** `FSVERITY_BLOCK_SIZE` (lcfs-internal.h): the Merkle tree block size composefs uses. */
export const FSVERITY_BLOCK_SIZE = 4096;

/** log2 of {@link FSVERITY_BLOCK_SIZE}, the descriptor's `log_blocksize`. */
export const FSVERITY_LOG_BLOCKSIZE = 12;

/** `LCFS_SHA256_DIGEST_LEN` (lcfs-fsverity.h): bytes in a SHA-256 digest. */
export const LCFS_SHA256_DIGEST_LEN = 32;

/** `struct fsverity_descriptor`; the reserved fields are always zero and not kept. */
export interface FsverityDescriptor {
  version: number;
  hashAlgorithm: number;
  logBlocksize: number;
  saltSize: number;
  dataSize: bigint;
  /** 64 bytes: the root hash, zero-padded beyond the digest length. */
  rootHash: Uint8Array;
  /** 32 bytes: the salt, zero-padded beyond `saltSize`. */
  salt: Uint8Array;
}

/** Size of `struct fsverity_descriptor`. */
export const FSVERITY_DESCRIPTOR_SIZE = 256;

/** Field offsets in on-disk order. */
export const FSVERITY_DESCRIPTOR_FIELDS = Object.freeze(
  {
    version: 0,
    hashAlgorithm: 1,
    logBlocksize: 2,
    saltSize: 3,
    reserved1: 4,
    dataSize: 8,
    rootHash: 16,
    salt: 80,
    reserved2: 112,
  } as const,
);

/** Width of `reserved2`, the last field. */
export const FSVERITY_DESCRIPTOR_RESERVED2_SIZE = 144;

/**
 * Writes the descriptor at the writer's position (which must be zero-filled, as a fresh
 * {@link ByteWriter} is). `rootHash` may be shorter than 64 bytes and `salt` shorter than 32;
 * the rest stays zero.
 */
export function encodeFsverityDescriptor(w: ByteWriter, d: FsverityDescriptor): void {
  if (d.rootHash.length > 64 || d.salt.length > 32) {
    throw new RangeError("Cannot encode the fs-verity descriptor: root hash or salt too long");
  }
  const at = w.pos;
  w.u8(d.version);
  w.u8(d.hashAlgorithm);
  w.u8(d.logBlocksize);
  w.u8(d.saltSize);
  w.zeros(4);
  w.u64(d.dataSize);
  w.raw(d.rootHash);
  w.pos = at + FSVERITY_DESCRIPTOR_FIELDS.salt;
  w.raw(d.salt);
  w.pos = at + FSVERITY_DESCRIPTOR_SIZE;
}

/** Reads the descriptor at `at`. */
export function decodeFsverityDescriptor(r: ByteReader, at: number): FsverityDescriptor {
  r.check("fs-verity descriptor", at, FSVERITY_DESCRIPTOR_SIZE);
  const f = FSVERITY_DESCRIPTOR_FIELDS;
  return {
    version: r.u8(at + f.version),
    hashAlgorithm: r.u8(at + f.hashAlgorithm),
    logBlocksize: r.u8(at + f.logBlocksize),
    saltSize: r.u8(at + f.saltSize),
    dataSize: r.u64(at + f.dataSize),
    rootHash: r.slice("fs-verity descriptor", at + f.rootHash, 64),
    salt: r.slice("fs-verity descriptor", at + f.salt, 32),
  };
}
