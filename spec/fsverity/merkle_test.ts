import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "../bytes/compare.ts";
import { fsverityDigest, FsVerityHasher, type Sha256 } from "./merkle.ts";
import { sha256Js } from "./sha256.ts";
import {
  GOLDEN_DIGESTS,
  KERNEL_EMPTY_DIGEST,
  MULTI_LEVEL_SIZE,
  patternBytes,
} from "./_test_data.ts";

const BLOCK = 4096;

/**
 * A cheap stand-in for SHA-256 (FNV-1a over 32-bit words, then spread to 32 bytes), for
 * properties about the tree shape that hold for any hash function and need inputs too large for
 * pure-JS SHA-256 in a unit test.
 */
const mockHash: Sha256 = (data) => {
  let h = 0x811c9dc5 ^ data.length;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    const word = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h = Math.imul(h ^ word, 0x01000193);
  }
  for (; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let lane = 0; lane < 8; lane++) {
    h = Math.imul(h ^ (h >>> 15) ^ lane, 0x2c1b3c6d);
    view.setUint32(lane * 4, h >>> 0);
  }
  return out;
};

/** The definition, written plainly: whole levels in memory, then the descriptor. */
function referenceDigest(data: Uint8Array, sha256: Sha256): Uint8Array {
  const padded = (bytes: Uint8Array) => {
    const out = new Uint8Array(Math.max(1, Math.ceil(bytes.length / BLOCK)) * BLOCK);
    out.set(bytes);
    return out;
  };
  let root: Uint8Array = new Uint8Array(32);
  if (data.length > 0) {
    let level: Uint8Array = padded(data);
    while (level.length > BLOCK) {
      const hashes = new Uint8Array((level.length / BLOCK) * 32);
      for (let b = 0; b * BLOCK < level.length; b++) {
        hashes.set(sha256(level.subarray(b * BLOCK, (b + 1) * BLOCK)), b * 32);
      }
      level = padded(hashes);
    }
    root = sha256(level);
  }
  const descriptor = new Uint8Array(256);
  descriptor.set([1, 1, 12, 0]);
  new DataView(descriptor.buffer).setBigUint64(8, BigInt(data.length), true);
  descriptor.set(root, 16);
  return sha256(descriptor);
}

/** Feeds `data` to a hasher in pieces cut at `cuts` (sorted, within bounds). */
function digestInPieces(data: Uint8Array, cuts: number[], sha256: Sha256): Uint8Array {
  const h = new FsVerityHasher(sha256);
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    h.update(data.subarray(at, cut));
    at = cut;
  }
  return h.digest();
}

for (const [size, hex] of GOLDEN_DIGESTS) {
  Deno.test(`fsverityDigest() matches composefs-info measure-file for ${size} bytes`, () => {
    const data = patternBytes(size);
    // The quirk only touches empty input, so the golden values hold with it on.
    assert.equal(toHex(fsverityDigest(data, sha256Js, { emptyInputQuirk: true })), hex);
    if (size > 0) assert.equal(toHex(fsverityDigest(data, sha256Js)), hex);
  });
}

Deno.test("fsverityDigest() gives the kernel's digest for empty input by default", () => {
  const digest = toHex(fsverityDigest(new Uint8Array(0), sha256Js));
  assert.equal(digest, KERNEL_EMPTY_DIGEST);
  assert.ok(digest.startsWith("3d248ca5") && digest.endsWith("af95"));
  // From the definition: version 1, SHA-256, log2(4096), no salt, size 0, all-zero root hash.
  const descriptor = new Uint8Array(256);
  descriptor.set([1, 1, 12, 0]);
  assert.equal(toHex(sha256Js(descriptor)), KERNEL_EMPTY_DIGEST);
});

Deno.test("fsverityDigest() with emptyInputQuirk gives C composefs 1.0.8's empty digest", () => {
  const digest = fsverityDigest(new Uint8Array(0), sha256Js, { emptyInputQuirk: true });
  assert.equal(toHex(digest), "cfc3391077edfd51859f6e5e16e03f82b1da3ee1a35d418b0d0b3b57740b4405");
  // That is: root hash = SHA-256 of one zero block instead of 32 zero bytes.
  const descriptor = new Uint8Array(256);
  descriptor.set([1, 1, 12, 0]);
  descriptor.set(sha256Js(new Uint8Array(BLOCK)), 16);
  assert.deepEqual(digest, sha256Js(descriptor));
});

Deno.test("fsverityDigest() equals the plain definition around level boundaries", () => {
  const sizes = [1, 4095, 4096, 4097, 127 * BLOCK, 128 * BLOCK - 1, 128 * BLOCK, 128 * BLOCK + 1];
  for (const size of sizes) {
    const data = patternBytes(size, size);
    assert.deepEqual(fsverityDigest(data, sha256Js), referenceDigest(data, sha256Js), `${size}`);
  }
  for (const size of [128 * 128 * BLOCK, 128 * 128 * BLOCK + 1, MULTI_LEVEL_SIZE]) {
    const data = patternBytes(size, size);
    assert.deepEqual(fsverityDigest(data, mockHash), referenceDigest(data, mockHash), `${size}`);
    const cuts = [1, BLOCK + 1, size >> 1, size - 1];
    assert.deepEqual(digestInPieces(data, cuts, mockHash), fsverityDigest(data, mockHash));
  }
});

Deno.test("FsVerityHasher gives the same digest however the input is chunked", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 * BLOCK + 100 }),
      fc.integer(),
      fc.array(fc.nat(), { maxLength: 12 }),
      (size, seed, rawCuts) => {
        const data = patternBytes(size, seed);
        const cuts = rawCuts.map((c) => c % (size + 1)).sort((a, b) => a - b);
        assert.deepEqual(digestInPieces(data, cuts, sha256Js), fsverityDigest(data, sha256Js));
      },
    ),
    { seed: 0x5eed, numRuns: 150 },
  );
});

Deno.test("FsVerityHasher gives the same digest however a multi-level input is chunked", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 128 * BLOCK - 64, max: 300 * BLOCK }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (size, rawCuts) => {
        const data = patternBytes(size, size);
        const cuts = rawCuts.map((c) => c % (size + 1)).sort((a, b) => a - b);
        const ours = digestInPieces(data, cuts, sha256Js);
        assert.deepEqual(ours, referenceDigest(data, sha256Js));
      },
    ),
    { seed: 0x5eed, numRuns: 20 },
  );
});

Deno.test("FsVerityHasher.digest() leaves the state usable", () => {
  const data = patternBytes(3 * BLOCK + 7);
  const h = new FsVerityHasher(sha256Js);
  h.update(data.subarray(0, 5000));
  const early = h.digest();
  assert.deepEqual(h.digest(), early);
  assert.deepEqual(early, fsverityDigest(data.subarray(0, 5000), sha256Js));
  h.update(data.subarray(5000));
  assert.deepEqual(h.digest(), fsverityDigest(data, sha256Js));
});

Deno.test("FsVerityHasher.update() accepts empty chunks and unaligned views", () => {
  const data = patternBytes(2 * BLOCK + 33);
  const backing = new Uint8Array(data.length + 3);
  backing.set(data, 3);
  const h = new FsVerityHasher(sha256Js);
  h.update(new Uint8Array(0));
  h.update(backing.subarray(3));
  h.update(new Uint8Array(0));
  assert.deepEqual(h.digest(), fsverityDigest(data, sha256Js));
});

Deno.test("FsVerityHasher.update() keeps no reference to the caller's chunk", () => {
  const data = patternBytes(BLOCK + 10);
  const chunk = data.slice();
  const h = new FsVerityHasher(sha256Js);
  h.update(chunk);
  chunk.fill(0xee);
  assert.deepEqual(h.digest(), fsverityDigest(data, sha256Js));
});

Deno.test("FsVerityHasher.digest() hashes whole blocks as views and buffers only the rest", () => {
  const seen: number[] = [];
  const data = patternBytes(3 * BLOCK + 10);
  const h = new FsVerityHasher((bytes) => {
    seen.push(bytes.buffer === data.buffer ? 1 : 0);
    return sha256Js(bytes);
  });
  h.update(data);
  // Three whole blocks straight from the input; the tail is buffered.
  assert.deepEqual(seen, [1, 1, 1]);
  h.digest();
});

Deno.test("fsverityDigest() returns a 32-byte array of its own", () => {
  const d = fsverityDigest(patternBytes(10), sha256Js);
  assert.equal(d.length, 32);
  assert.equal(d.buffer.byteLength, 32);
});

Deno.test("FsVerityHasher.reset() makes the next digest that of the next stream alone", () => {
  const h = new FsVerityHasher(sha256Js);
  for (const [first, second] of [[3 * 4096 * 129 + 5, 10], [10, 4096 * 130 + 1], [4096, 4096]]) {
    const a = new Uint8Array(first!).fill(7);
    const b = new Uint8Array(second!).map((_, i) => i & 0xff);
    h.update(a);
    assert.deepEqual(h.digest(), fsverityDigest(a, sha256Js));
    h.reset();
    h.update(b);
    assert.deepEqual(h.digest(), fsverityDigest(b, sha256Js));
    h.reset();
  }
});
