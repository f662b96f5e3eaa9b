import assert from "node:assert/strict";
import { buildImageFromDump } from "../../spec/image.ts";
import { MountError } from "./errors.ts";
import { checkImageHeader, checkVerityDigest, IMAGE_HEAD_SIZE } from "./image_check.ts";

const enc = new TextEncoder();

function image(dump: string): Uint8Array {
  return buildImageFromDump(enc.encode(dump));
}

const PLAIN = image("/ 0 40755 2 0 0 0 0.0 - - -\n");

function failure(head: Uint8Array): string {
  try {
    checkImageHeader(head);
  } catch (e) {
    assert.ok(e instanceof MountError);
    assert.equal(e.code, "ENOTCOMPOSEFS");
    return e.message;
  }
  return "ok";
}

Deno.test("checkImageHeader() accepts our image and reads the ACL flag", () => {
  assert.deepEqual(checkImageHeader(PLAIN), { hasAcl: false });
  assert.deepEqual(checkImageHeader(PLAIN.subarray(0, IMAGE_HEAD_SIZE)), { hasAcl: false });
  const acl = image(
    "/ 0 40755 2 0 0 0 0.0 - - - system.posix_acl_access=\\x02\\x00\\x00\\x00\\x01\\x00\\x07\\x00\\xff\\xff\\xff\\xff\\x04\\x00\\x05\\x00\\xff\\xff\\xff\\xff\\x20\\x00\\x05\\x00\\xff\\xff\\xff\\xff\n",
  );
  assert.deepEqual(checkImageHeader(acl), { hasAcl: true });
});

Deno.test("checkImageHeader() rejects short files", () => {
  assert.match(failure(new Uint8Array(0)), /0 bytes, too short for a composefs header/);
  assert.match(failure(PLAIN.subarray(0, 31)), /31 bytes, too short for a composefs header/);
  assert.match(failure(PLAIN.subarray(0, 1100)), /1100 bytes, too short for an EROFS superblock/);
});

Deno.test("checkImageHeader() rejects a bad magic, version or superblock magic", () => {
  const bad = (at: number) => {
    const b = PLAIN.slice(0, IMAGE_HEAD_SIZE);
    b[at]! ^= 0xff;
    return b;
  };
  assert.match(failure(bad(0)), /^Not a composefs image: bad magic 0xd07862/);
  assert.equal(failure(bad(4)), "Not a composefs image: unsupported composefs header version 254");
  assert.match(failure(bad(1024)), /^Not a composefs image: bad EROFS superblock magic 0xe0f5e11d/);
  assert.match(failure(new Uint8Array(4096)), /bad magic 0x00000000/);
});

Deno.test("checkVerityDigest() accepts the same SHA-256 digest in any case", () => {
  const digest = new Uint8Array(32).map((_, i) => i * 7);
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.doesNotThrow(() => checkVerityDigest({ algorithm: 1, digest }, hex));
  assert.doesNotThrow(() => checkVerityDigest({ algorithm: 1, digest }, hex.toUpperCase()));
});

Deno.test("checkVerityDigest() rejects another digest, size or algorithm", () => {
  const digest = new Uint8Array(32);
  const cases = [
    { algorithm: 1, digest: new Uint8Array(32).fill(1) },
    { algorithm: 1, digest: new Uint8Array(31) },
    { algorithm: 2, digest: new Uint8Array(64) },
  ];
  for (const m of cases) {
    assert.throws(
      () => checkVerityDigest(m, "00".repeat(32)),
      (e) =>
        e instanceof MountError && e.code === "EWRONGVERITY" &&
        /^Image has wrong fs-verity/.test(e.message),
    );
  }
  assert.doesNotThrow(() => checkVerityDigest({ algorithm: 1, digest }, "00".repeat(32)));
});
