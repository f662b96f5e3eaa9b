import assert from "node:assert/strict";
import { JobQueue } from "./job_queue.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function pathsOf(bytes: Uint8Array): string[] {
  return dec.decode(bytes).split("\0").slice(0, -1);
}

Deno.test("JobQueue hands out jobs in order, in batches bounded by files and bytes", () => {
  const q = new JobQueue();
  assert.equal(q.push(enc.encode("a/x"), 10), 0);
  assert.equal(q.push(enc.encode("a/yy"), 64), 1);
  assert.equal(q.push(enc.encode("b"), 65), 2);
  assert.deepEqual([q.length, q.next, q.pendingBytes], [3, 0, 139]);
  const first = q.take(2, 1 << 20);
  assert.equal(first.first, 0);
  assert.deepEqual(pathsOf(first.paths), ["a/x", "a/yy"]);
  assert.deepEqual([...first.sizes], [10, 64]);
  assert.deepEqual([...first.inline], [1, 1]);
  const second = q.take(64, 1 << 20);
  assert.equal(second.first, 2);
  assert.deepEqual(pathsOf(second.paths), ["b"]);
  assert.deepEqual([...second.inline], [0]);
  assert.deepEqual([q.next, q.pendingBytes], [3, 0]);
});

Deno.test("JobQueue: a batch ends once it holds maxBytes", () => {
  const q = new JobQueue();
  for (let i = 0; i < 5; i++) q.push(enc.encode(`f${i}`), 100);
  assert.deepEqual(pathsOf(q.take(64, 150).paths), ["f0", "f1"]);
  assert.deepEqual(pathsOf(q.take(64, 150).paths), ["f2", "f3"]);
  assert.deepEqual(pathsOf(q.take(64, 150).paths), ["f4"]);
});

Deno.test("JobQueue keeps paths intact across compaction and growth", () => {
  const q = new JobQueue();
  const names: string[] = [];
  let taken: string[] = [];
  for (let i = 0; i < 20000; i++) {
    const name = `dir${i % 97}/` + "n".repeat(i % 300) + i;
    names.push(name);
    q.push(enc.encode(name), i);
    if (i % 7 === 6) taken = taken.concat(pathsOf(q.take(5, Infinity).paths));
  }
  while (q.next < q.length) taken = taken.concat(pathsOf(q.take(64, Infinity).paths));
  assert.deepEqual(taken, names);
});
