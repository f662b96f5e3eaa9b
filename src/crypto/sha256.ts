/**
 * SHA-256 from `node:crypto`, the fast `Sha256` for the fs-verity hasher
 * (`spec/fsverity/merkle.ts`).
 *
 * fs-verity calls SHA-256 once per 4096-byte block, so the fixed cost of a call, not the hashing,
 * decides the throughput. Measured under Deno 2.9 (bench/fsverity.ts), per 4096-byte block:
 * about 3.0 µs to hash, plus 1.5–2.5 µs per call for `createHash(…).update(…).digest()`.
 * Three choices below cut that overhead by about a fifth:
 * - `copy()` of one pristine `Hash` skips the name validation and lookup of `createHash`;
 * - `digest("hex")` returns a plain string, whereas `digest()` allocates an ArrayBuffer and then
 *   copies it into a `Buffer`;
 * - a fresh `Uint8Array(32)` costs about 0.5 µs in Deno (each owns an ArrayBuffer), so digests are
 *   32-byte views carved from a shared 4 KiB pool, as Node's `Buffer` pool does.
 * `crypto.hash()` is `createHash` plus argument checks in Deno, no faster.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Sha256 } from "../../spec/fsverity/merkle.ts";

/** Bytes in a SHA-256 digest. */
const DIGEST_LEN = 32;

/** Size of one digest pool: 128 digests. Small, so a digest kept for long pins little memory. */
const POOL_SIZE = 4096;

/** Value of each lowercase ASCII hex digit, indexed by char code. */
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[0x61 + i] = 10 + i;

/** Never updated nor digested: only copied, which yields a fresh SHA-256 state. */
const PRISTINE = createHash("sha256");

let pool = new ArrayBuffer(POOL_SIZE);
let poolPos = 0;

/** The next unused 32-byte view of the pool; a full pool is left to the views that use it. */
function takeDigestView(): Uint8Array {
  if (poolPos === POOL_SIZE) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolPos = 0;
  }
  const view = new Uint8Array(pool, poolPos, DIGEST_LEN);
  poolPos += DIGEST_LEN;
  return view;
}

/**
 * SHA-256 of `data` with `node:crypto`. The input view is hashed in place (no copy).
 *
 * The result is a 32-byte view that no other call ever returns, but its `.buffer` is a 4 KiB
 * pool shared with other digests; `slice()` it to keep it apart.
 *
 * @param data The bytes to hash.
 * @returns The 32-byte digest.
 *
 * @example
 * ```ts
 * import { nodeSha256 } from "./sha256.ts";
 * import assert from "node:assert/strict";
 * const d = nodeSha256(new TextEncoder().encode("abc"));
 * assert.equal(d[0], 0xba);
 * assert.equal(d[31], 0xad);
 * ```
 */
export const nodeSha256: Sha256 = function nodeSha256(data: Uint8Array): Uint8Array {
  const hex = PRISTINE.copy().update(data).digest("hex");
  const out = takeDigestView();
  for (let i = 0, j = 0; i < DIGEST_LEN; i++, j += 2) {
    out[i] = (HEX_VALUE[hex.charCodeAt(j)]! << 4) | HEX_VALUE[hex.charCodeAt(j + 1)]!;
  }
  return out;
};
