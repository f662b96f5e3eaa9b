/**
 * The Linux fs-verity digest (SHA-256, 4096-byte blocks, no salt) of a byte stream, as
 * `fsverity digest`, the kernel and composefs compute it. SHA-256 is injected, so this module
 * runs in any JS runtime: pass `sha256Js` (./sha256.ts) or the native `nodeSha256`
 * (src/crypto/sha256.ts).
 *
 * The Merkle tree: level 0 is the data cut into 4096-byte blocks (the last zero-padded); each
 * level above holds the 32-byte hashes of the blocks below, packed 128 to a block and
 * zero-padded. The root hash is the hash of the single block at the top. The digest is the
 * SHA-256 of the 256-byte descriptor that carries the data size and the root hash.
 *
 * @module
 */
import { ByteWriter } from "../bytes/byte_writer.ts";
import {
  encodeFsverityDescriptor,
  FS_VERITY_HASH_ALG_SHA256,
  FSVERITY_BLOCK_SIZE,
  FSVERITY_DESCRIPTOR_SIZE,
  FSVERITY_LOG_BLOCKSIZE,
  LCFS_SHA256_DIGEST_LEN,
} from "./descriptor.ts";

/** A SHA-256 function: returns the 32-byte digest of `data` as a new array. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** Options of {@link FsVerityHasher} and {@link fsverityDigest}. */
export interface FsVerityOptions {
  /**
   * Reproduce C composefs 1.0.8 for empty input (the "empty-input quirk"): its
   * `lcfs_fsverity_context_get_digest` pads and hashes one empty level-0 block, so the root hash
   * is SHA-256 of 4096 zero bytes and the digest is `cfc33910…4405`
   * (`composefs-info measure-file` on an empty file). The kernel and `fsverity digest` use an
   * all-zero root hash instead (`3d248ca5…af95`), which is the default. Other sizes agree.
   */
  emptyInputQuirk?: boolean;
}

/**
 * Streaming fs-verity hasher. Feed bytes with {@link FsVerityHasher.update} in chunks of any size
 * and alignment; {@link FsVerityHasher.digest} gives the 32-byte digest.
 *
 * Memory stays O(tree depth × 4096): one partial block per level, never the list of leaf hashes.
 * Whole aligned blocks inside a chunk are hashed as views of the chunk, without copying; only a
 * block split across chunks is buffered.
 *
 * @example Hash in pieces
 * ```ts
 * import { FsVerityHasher } from "./merkle.ts";
 * import { sha256Js } from "./sha256.ts";
 * import assert from "node:assert/strict";
 * const h = new FsVerityHasher(sha256Js);
 * h.update(new Uint8Array(5000));
 * h.update(new Uint8Array(3));
 * assert.equal(h.digest().length, 32);
 * ```
 */
export class FsVerityHasher {
  readonly #sha256: Sha256;
  readonly #emptyInputQuirk: boolean;
  /** Per level, the block being filled (level 0: data, above: child hashes). */
  readonly #blocks: Uint8Array[] = [new Uint8Array(FSVERITY_BLOCK_SIZE)];
  /** Per level, how many bytes of `#blocks[level]` are filled; always < 4096 between calls. */
  readonly #fill: number[] = [0];
  /** Per level, how many blocks have been hashed and passed up. */
  readonly #hashed: number[] = [0];
  #size = 0;
  /** The padded copy of a level's last block in {@link FsVerityHasher.digest}, reused. */
  #last: Uint8Array | undefined;

  /**
   * Creates a hasher for one stream.
   *
   * @param sha256 The SHA-256 to build the tree with.
   * @param options `emptyInputQuirk` (default false), see {@link FsVerityOptions}.
   */
  constructor(sha256: Sha256, options: FsVerityOptions = {}) {
    this.#sha256 = sha256;
    this.#emptyInputQuirk = options.emptyInputQuirk ?? false;
  }

  /**
   * Appends `data` to the stream. The hasher keeps no reference to `data` after returning.
   *
   * @param data The next bytes of the stream.
   */
  update(data: Uint8Array): void {
    const len = data.length;
    this.#size += len;
    let off = 0;
    const fill = this.#fill[0]!;
    if (fill > 0) {
      const block = this.#blocks[0]!;
      const take = Math.min(FSVERITY_BLOCK_SIZE - fill, len);
      block.set(take === len ? data : data.subarray(0, take), fill);
      off = take;
      if (fill + take < FSVERITY_BLOCK_SIZE) {
        this.#fill[0] = fill + take;
        return;
      }
      this.#fill[0] = 0;
      this.#hashBlock(0, block);
    }
    // The hot path: hash whole blocks straight from the caller's chunk.
    for (; len - off >= FSVERITY_BLOCK_SIZE; off += FSVERITY_BLOCK_SIZE) {
      this.#hashBlock(0, data.subarray(off, off + FSVERITY_BLOCK_SIZE));
    }
    if (off < len) {
      this.#blocks[0]!.set(data.subarray(off), 0);
      this.#fill[0] = len - off;
    }
  }

  /**
   * The fs-verity digest of all bytes given so far. It does not change the state: more
   * {@link FsVerityHasher.update} calls may follow, and `digest()` may be called again.
   *
   * @returns The 32-byte digest, a new array with its own buffer.
   */
  digest(): Uint8Array {
    const w = new ByteWriter(FSVERITY_DESCRIPTOR_SIZE);
    encodeFsverityDescriptor(w, {
      version: 1,
      hashAlgorithm: FS_VERITY_HASH_ALG_SHA256,
      logBlocksize: FSVERITY_LOG_BLOCKSIZE,
      saltSize: 0,
      dataSize: BigInt(this.#size),
      rootHash: this.#rootHash(),
      salt: new Uint8Array(0),
    });
    // A copy: a pooling Sha256 (nodeSha256) returns a view of a shared buffer, and a digest is
    // often kept for long (one per file in a tree).
    return this.#sha256(w.bytes).slice();
  }

  /** Hashes a full block of `level` and appends its hash to the level above. */
  #hashBlock(level: number, block: Uint8Array): void {
    const hash = this.#sha256(block);
    this.#hashed[level]!++;
    const up = level + 1;
    if (up === this.#blocks.length) {
      this.#blocks.push(new Uint8Array(FSVERITY_BLOCK_SIZE));
      this.#fill.push(0);
      this.#hashed.push(0);
    }
    const parent = this.#blocks[up]!;
    const fill = this.#fill[up]!;
    parent.set(hash, fill);
    if (fill + LCFS_SHA256_DIGEST_LEN < FSVERITY_BLOCK_SIZE) {
      this.#fill[up] = fill + LCFS_SHA256_DIGEST_LEN;
    } else {
      this.#fill[up] = 0;
      this.#hashBlock(up, parent);
    }
  }

  /**
   * Forgets all input, so the same hasher (and its buffers) can hash another stream: hashing
   * many small files then allocates nothing per file.
   */
  reset(): void {
    this.#size = 0;
    this.#fill.fill(0);
    this.#hashed.fill(0);
  }

  /**
   * Closes the tree on copies of the partial blocks: pads each level's partial block, hashes it
   * into the level above, and stops at the first level that has exactly one block in all.
   */
  #rootHash(): Uint8Array {
    if (this.#size === 0) {
      // The kernel gives an empty file an all-zero root hash; C composefs 1.0.8 hashes a padded
      // empty block instead (see FsVerityOptions.emptyInputQuirk).
      return this.#emptyInputQuirk
        ? this.#sha256(new Uint8Array(FSVERITY_BLOCK_SIZE))
        : new Uint8Array(LCFS_SHA256_DIGEST_LEN);
    }
    let carry: Uint8Array | undefined; // the hash of the level below's padded last block
    for (let level = 0;; level++) {
      const fill = this.#fill[level] ?? 0;
      const pending = fill > 0 || carry !== undefined;
      const blocks = (this.#hashed[level] ?? 0) + (pending ? 1 : 0);
      if (pending) {
        const last = this.#last ??= new Uint8Array(FSVERITY_BLOCK_SIZE);
        last.set(this.#blocks[level]!.subarray(0, fill), 0);
        last.fill(0, fill);
        if (carry !== undefined) last.set(carry, fill);
        carry = this.#sha256(last);
      }
      if (blocks === 1) {
        // One block at this level: its hash is the root, either just computed or already the
        // first hash of the level above.
        return carry ?? this.#blocks[level + 1]!.slice(0, LCFS_SHA256_DIGEST_LEN);
      }
    }
  }
}

/**
 * The fs-verity digest of `data` in one call.
 *
 * @param data The whole stream.
 * @param sha256 The SHA-256 to build the tree with.
 * @param options `emptyInputQuirk` (default false), see {@link FsVerityOptions}.
 * @returns The 32-byte digest.
 *
 * @example The kernel's digest of an empty file
 * ```ts
 * import { fsverityDigest } from "./merkle.ts";
 * import { sha256Js } from "./sha256.ts";
 * import { toHex } from "../bytes/compare.ts";
 * import assert from "node:assert/strict";
 * assert.ok(toHex(fsverityDigest(new Uint8Array(0), sha256Js)).startsWith("3d248ca5"));
 * ```
 */
export function fsverityDigest(
  data: Uint8Array,
  sha256: Sha256,
  options: FsVerityOptions = {},
): Uint8Array {
  const h = new FsVerityHasher(sha256, options);
  h.update(data);
  return h.digest();
}
