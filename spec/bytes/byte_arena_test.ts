import assert from "node:assert/strict";
import { ByteArena } from "./byte_arena.ts";

Deno.test("ByteArena.copy() gives equal bytes in a shared slab, big ones their own buffer", () => {
  const arena = new ByteArena(64);
  const a = arena.copy(new Uint8Array([1, 2, 3]));
  const b = arena.copy(new Uint8Array([4, 5]));
  assert.deepEqual([...a, ...b], [1, 2, 3, 4, 5]);
  assert.equal(a.buffer, b.buffer);
  const big = arena.copy(new Uint8Array(40).fill(7));
  assert.notEqual(big.buffer, a.buffer);
  assert.deepEqual(big, new Uint8Array(40).fill(7));
});

Deno.test("ByteArena.alloc() starts a new zeroed slab when one is full", () => {
  const arena = new ByteArena(16);
  const a = arena.alloc(4);
  a.fill(9);
  const views = Array.from({ length: 5 }, () => arena.alloc(4));
  assert.ok(views.every((v) => v.every((x) => x === 0)));
  assert.notEqual(views[4]!.buffer, a.buffer);
});
