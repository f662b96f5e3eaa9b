import assert from "node:assert/strict";
import { toHex } from "../bytes/compare.ts";
import { objectPathOf } from "./object_path.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("objectPathOf() splits the lowercase hex digest after the first byte", () => {
  const digest = new Uint8Array(32).map((_, i) => (i * 37 + 0xf1) & 0xff);
  const hex = toHex(digest);
  assert.equal(decode(objectPathOf(digest)), `${hex.slice(0, 2)}/${hex.slice(2)}`);
  assert.equal(objectPathOf(digest).length, 65);
});

Deno.test("objectPathOf() writes lowercase digits for every byte value", () => {
  const digest = new Uint8Array(32);
  for (let v = 0; v < 256; v += 32) {
    digest.fill(0).set(Array.from({ length: 32 }, (_, i) => v + i));
    const path = decode(objectPathOf(digest));
    assert.match(path, /^[0-9a-f]{2}\/[0-9a-f]{62}$/);
    assert.equal(path.replace("/", ""), toHex(digest));
  }
});

Deno.test("objectPathOf() rejects a digest that is not 32 bytes", () => {
  assert.throws(() => objectPathOf(new Uint8Array(31)), RangeError);
  assert.throws(() => objectPathOf(new Uint8Array(33)), RangeError);
});
