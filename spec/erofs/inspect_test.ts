import assert from "node:assert/strict";
import fc from "fast-check";
import { buildImageFromDump } from "../image.ts";
import { inspectImage } from "./inspect.ts";

const IMAGE = buildImageFromDump(new TextEncoder().encode([
  "/ 4096 40755 2 0 0 0 0.0 - - - user.a=1",
  "/a 3 100644 1 0 0 0 0.0 - abc - user.a=1",
  "/b 100 100644 1 0 0 0 0.0 12/3456 - " + "00112233445566778899aabbccddeeff".repeat(2),
  "/c 5000 100644 1 0 0 0 0.0 - " + "x".repeat(5000) + " - security.x=abc",
  "/d 4096 40755 2 0 0 0 0.0 - - -",
  "/d/e 0 100644 1 0 0 0 0.0 - - - user.a=1",
  "/l 3 120777 1 0 0 0 5.0 foo - -",
  "/w 0 20644 1 0 0 0 0.0 - - -",
  "",
].join("\n")));

Deno.test("inspectImage() names the structures of an image", () => {
  const text = inspectImage(IMAGE);
  assert.match(
    text,
    /^00000000 composefs header: magic=d078629a version=1 flags=0 composefs_version=1\n/,
  );
  assert.match(text, /\n00000400 superblock: magic=3774210530 .* rootNid=36 /);
  assert.match(text, /\n00000480 inode nid=36 compact .* mode=040755 /);
  assert.match(text, / shared xattr index=1 name=a value=1\n/);
  assert.match(text, /\n[0-9a-f]{8} {3}chunk table: chunkbits=12 count=1\n/);
  assert.match(text, /\n[0-9a-f]{8} {3}nid=\d+ type=7 l\n/);
  assert.doesNotMatch(text, /unaccounted|^!/m);
});

Deno.test("inspectImage() changes when any byte of the image changes", () => {
  const base = inspectImage(IMAGE);
  fc.assert(
    fc.property(fc.nat({ max: IMAGE.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
      const img = IMAGE.slice();
      img[at]! ^= x;
      assert.notEqual(inspectImage(img), base, `byte ${at}`);
    }),
    { seed: 0x1a5, numRuns: 400 },
  );
});

Deno.test("inspectImage() reports what it cannot read and goes on", () => {
  assert.match(inspectImage(new Uint8Array(64)), /^! Cannot read the composefs image/);
  const img = IMAGE.slice();
  img[1024 + 0x0e] = 0xff; // root_nid 65535: past the end
  img[1024 + 0x0f] = 0xff;
  const text = inspectImage(img);
  assert.match(text, /\n! nid 65535: /);
  assert.match(text, /\n00000400 superblock: /);
});
