/**
 * Xattr arbitraries for random dumps. Keys and values come mostly from small pools so the same
 * pair lands on several inodes (shared xattrs); some nodes get fresh random pairs, and a few get
 * 120-140 pairs of one family so a node references more than 128 shared entries.
 *
 * @module
 */

import fc from "fast-check";

/** A node's xattrs, in dump order (a repeated key: the last value wins). */
export type XattrList = [Uint8Array, Uint8Array][];

const enc = new TextEncoder();

/**
 * Keys that exercise every prefix index, the `trusted.overlay.` escaping and ACLs. The whiteout
 * marks (`user.overlay.whiteout(s)`) are left out: the writer replaces them on every whiteout,
 * and the C budget wrap-around then fails long values. `user.overlay.opaque` stays in: on a v1
 * directory holding a whiteout it meets the same quirk, rarely, and both tools must then fail.
 */
const KEY_POOL = [
  "user.a",
  "user.b",
  "user.mime_type",
  "user.overlay.opaque",
  "user.overlay.x",
  "trusted.foo",
  "trusted.overlay.opaque",
  "trusted.overlay.redirect",
  "trusted.overlay.overlay.x",
  "trusted.overlayfs",
  "security.selinux",
  "security.ima",
  "system.posix_acl_access",
  "system.posix_acl_default",
  "system.posix_acl_accessX",
  "system.nfs4_acl",
  "lustre.lov",
  "weird.key",
  "user.k=eq",
].map((k) => enc.encode(k));

const VALUE_POOL = [
  "",
  "1",
  "x",
  "y",
  "-",
  "=",
  "text/plain",
  "system_u:object_r:etc_t:s0\0",
  "\x02\x00\x00\x00\x01\x00\x06\x00\xff\xff\xff\xff",
  "v".repeat(100),
].map((v) => Uint8Array.from(v, (c) => c.charCodeAt(0)));

const poolPair: fc.Arbitrary<[Uint8Array, Uint8Array]> = fc.tuple(
  fc.constantFrom(...KEY_POOL),
  fc.constantFrom(...VALUE_POOL),
);

const PREFIXES = ["user.", "trusted.", "security.", "system.", ""].map((p) => enc.encode(p));

/** A fresh pair: a known prefix plus random key bytes (no NUL), a random binary value. */
const randomPair: fc.Arbitrary<[Uint8Array, Uint8Array]> = fc.tuple(
  fc.constantFrom(...PREFIXES),
  fc.uint8Array({ minLength: 1, maxLength: 60, min: 1, max: 255 }),
  fc.uint8Array({ maxLength: 300 }),
).map(([p, k, v]) => {
  const key = new Uint8Array(p.length + k.length);
  key.set(p);
  key.set(k, p.length);
  return [key, v];
});

/** `user.bulkNNN=v` for NNN below `n`: identical on every node drawing the same family. */
function bulkFamily(n: number): XattrList {
  return Array.from({ length: n }, (_, i) => [
    enc.encode(`user.bulk${String(i).padStart(3, "0")}`),
    Uint8Array.of(0x76),
  ]);
}

/** Xattrs of one node; the per-node budget (32767) is never approached. */
export const xattrsArb: fc.Arbitrary<XattrList> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<XattrList>([]) },
  { weight: 8, arbitrary: fc.array(poolPair, { minLength: 1, maxLength: 4 }) },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(poolPair, randomPair), { minLength: 1, maxLength: 4 }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 120, max: 140 }).map(bulkFamily) },
);
