/**
 * fs-verity digests (SHA-256, 4096-byte blocks, no salt) and digest-store object paths.
 * SHA-256 is injected: `sha256Js` here runs anywhere; `src/crypto/sha256.ts` has the native one.
 *
 * @example The digest of one zero byte
 * ```ts
 * import { fsverityDigest, objectPathOf, sha256Js } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const digest = fsverityDigest(new Uint8Array(1), sha256Js);
 * assert.equal(objectPathOf(digest).length, 65);
 * ```
 *
 * @module
 */
export * from "./merkle.ts";
export * from "./sha256.ts";
export * from "./object_path.ts";
export * from "./descriptor.ts";
