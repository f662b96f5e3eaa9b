import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { asciiBytes, toHex } from "../../spec/bytes/compare.ts";
import { fsverityDigest, FsVerityHasher } from "../../spec/fsverity/merkle.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import {
  GOLDEN_DIGESTS,
  KERNEL_EMPTY_DIGEST,
  patternBytes,
} from "../../spec/fsverity/_test_data.ts";
import { nodeSha256 } from "./sha256.ts";

Deno.test("nodeSha256() matches the FIPS 180-4 examples", () => {
  assert.equal(
    toHex(nodeSha256(new Uint8Array(0))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    toHex(nodeSha256(asciiBytes("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("nodeSha256() equals sha256Js on random inputs", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(16), (bytes, skip) => {
      // Also through a view that starts inside its buffer.
      const view = bytes.subarray(Math.min(skip, bytes.length));
      assert.deepEqual(nodeSha256(view), sha256Js(view));
    }),
    { seed: 0x5eed, numRuns: 300 },
  );
});

Deno.test("nodeSha256() equals sha256Js at every padding boundary", () => {
  const data = patternBytes(200);
  for (let n = 0; n <= 200; n++) {
    assert.deepEqual(nodeSha256(data.subarray(0, n)), sha256Js(data.subarray(0, n)), `${n}`);
  }
});

Deno.test("nodeSha256() digests stay intact across many calls", () => {
  // Digests are views of a shared pool; a later call must never overwrite an earlier one.
  const inputs = Array.from({ length: 1000 }, (_, i) => patternBytes(i % 97, i + 1));
  const digests = inputs.map((d) => nodeSha256(d));
  inputs.forEach((d, i) => {
    assert.equal(digests[i]!.length, 32);
    assert.equal(toHex(digests[i]!), createHash("sha256").update(d).digest("hex"));
  });
});

for (const [size, hex] of GOLDEN_DIGESTS) {
  Deno.test(`FsVerityHasher with nodeSha256 matches measure-file for ${size} bytes`, () => {
    const data = patternBytes(size);
    assert.equal(toHex(fsverityDigest(data, nodeSha256, { emptyInputQuirk: true })), hex);
    // Streamed in 1 MiB + 1 chunks, so blocks straddle chunk boundaries.
    const h = new FsVerityHasher(nodeSha256, { emptyInputQuirk: true });
    for (let at = 0; at < size; at += 1048577) h.update(data.subarray(at, at + 1048577));
    assert.equal(toHex(h.digest()), hex);
  });
}

Deno.test("FsVerityHasher with nodeSha256 gives the kernel's empty digest by default", () => {
  assert.equal(toHex(fsverityDigest(new Uint8Array(0), nodeSha256)), KERNEL_EMPTY_DIGEST);
});
