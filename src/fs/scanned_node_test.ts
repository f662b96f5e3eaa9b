import assert from "node:assert/strict";
import { objectPathOf } from "../../spec/fsverity/object_path.ts";
import { addChild, S_IFDIR, S_IFREG } from "../../spec/tree/node.ts";
import { DigestSlots, ScannedNode } from "./scanned_node.ts";

const enc = new TextEncoder();

function slotsOf(...digests: Uint8Array[]): DigestSlots {
  const buf = new Uint8Array(32 * digests.length);
  digests.forEach((d, i) => buf.set(d, 32 * i));
  return new DigestSlots(buf, digests.length);
}

Deno.test("ScannedNode reads digest and payload from its slot", () => {
  const a = new Uint8Array(32).fill(0xab);
  const b = new Uint8Array(32).map((_, i) => i);
  const slots = slotsOf(a, b);
  const n = new ScannedNode(S_IFREG | 0o644, 1, 2, 0, 100n);
  assert.equal(n.digest, null);
  assert.equal(n.payload, null);
  n.setDigestSlot(slots, 1);
  assert.deepEqual(n.digest, b);
  assert.deepEqual(n.payload, objectPathOf(b));
});

Deno.test("ScannedNode: setting digest or payload keeps the other value", () => {
  const d = new Uint8Array(32).fill(7);
  const n = new ScannedNode(S_IFREG | 0o644, 0, 0, 0, 1n);
  n.setDigestSlot(slotsOf(d), 0);
  n.payload = enc.encode("other/path");
  assert.deepEqual(n.payload, enc.encode("other/path"));
  assert.deepEqual(n.digest, d);
  const m = new ScannedNode(S_IFREG | 0o644, 0, 0, 0, 1n);
  m.setDigestSlot(slotsOf(d), 0);
  m.digest = null;
  assert.equal(m.digest, null);
  assert.deepEqual(m.payload, objectPathOf(d));
});

Deno.test("ScannedNode keeps the rare fields at their defaults until set", () => {
  const n = new ScannedNode(S_IFREG | 0o600, 5, 6, 0, 0n);
  assert.deepEqual([n.nlink, n.rdev, n.content, n.linkTo], [1, 0, null, null]);
  n.nlink = 3;
  n.content = enc.encode("x");
  assert.deepEqual([n.nlink, n.rdev, n.content], [3, 0, enc.encode("x")]);
  assert.equal(new ScannedNode(0o020644, 0, 0, 0x0801, 0n).rdev, 0x0801);
});

Deno.test("ScannedNode names are views of the buffer they were set from", () => {
  const slab = enc.encode("xxhelloyy");
  const dir = new ScannedNode(S_IFDIR | 0o755, 0, 0, 0, 0n);
  const file = new ScannedNode(S_IFREG | 0o644, 0, 0, 0, 0n);
  addChild(dir, file, slab.subarray(2, 7));
  assert.deepEqual(file.name, enc.encode("hello"));
  assert.equal(file.name.buffer, slab.buffer);
  assert.equal(dir.children[0], file);
});
