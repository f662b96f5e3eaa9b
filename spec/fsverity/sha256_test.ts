import assert from "node:assert/strict";
import { asciiBytes, toHex } from "../bytes/compare.ts";
import { sha256Js } from "./sha256.ts";

Deno.test("sha256Js() matches the FIPS 180-4 / NIST examples", () => {
  const cases: Array<[string, string]> = [
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
  ];
  for (const [text, hex] of cases) assert.equal(toHex(sha256Js(asciiBytes(text))), hex, text);
});

Deno.test("sha256Js() hashes one million 'a'", () => {
  const data = new Uint8Array(1_000_000).fill(0x61);
  assert.equal(
    toHex(sha256Js(data)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("sha256Js() respects the view's offset and length", () => {
  const backing = asciiBytes("xxabcyy");
  assert.equal(
    toHex(sha256Js(backing.subarray(2, 5))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("sha256Js() returns a new array per call and leaves the input alone", () => {
  const data = asciiBytes("abc");
  const a = sha256Js(data);
  const b = sha256Js(new Uint8Array(64));
  assert.notEqual(a, b);
  assert.equal(toHex(a), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.deepEqual(data, asciiBytes("abc"));
});
