import assert from "node:assert/strict";
import { toHex } from "../../spec/bytes/compare.ts";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { objectPathOf } from "../../spec/fsverity/object_path.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import * as libc from "../fs/libc.ts";
import { fillDigestStore, StoreError, type StoreFile } from "./fill_store.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ffi = libc.ffiAvailable();

/** `n` source files in `dir/src` (every 7th a duplicate of the one before), as store files. */
async function sources(dir: string, n: number): Promise<StoreFile[]> {
  await Deno.mkdir(`${dir}/src`);
  const files: StoreFile[] = [];
  for (let i = 0; i < n; i++) {
    const seed = i % 7 === 6 ? i - 1 : i;
    const bytes = new Uint8Array(65 + seed * 1000).map((_, k) => (k * seed + 11) & 0xff);
    const path = `${dir}/src/f${i}`;
    await Deno.writeFile(path, bytes);
    const digest = fsverityDigest(bytes, sha256Js);
    files.push({
      path: enc.encode(path),
      payload: objectPathOf(digest),
      size: BigInt(bytes.length),
      digest,
    });
  }
  return files;
}

/** Every entry of the store: objects must be whole (named by their digest), no temp files. */
async function checkStore(store: string): Promise<{ objects: number; others: string[] }> {
  let objects = 0;
  const others: string[] = [];
  for await (const top of Deno.readDir(store)) {
    if (!top.isDirectory || !/^[0-9a-f]{2}$/.test(top.name)) {
      others.push(top.name);
      continue;
    }
    for await (const e of Deno.readDir(`${store}/${top.name}`)) {
      const bytes = await Deno.readFile(`${store}/${top.name}/${e.name}`);
      assert.equal(top.name + e.name, toHex(fsverityDigest(bytes, sha256Js)), "a whole object");
      assert.equal((await Deno.stat(`${store}/${top.name}/${e.name}`)).mode! & 0o7777, 0o644);
      objects++;
    }
  }
  return { objects, others };
}

Deno.test({
  name: "fillDigestStore() with no files creates nothing, as C",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-fill-" });
    try {
      const stats = await fillDigestStore(`${dir}/store`, []);
      assert.equal(stats.objects, 0);
      await assert.rejects(Deno.stat(`${dir}/store`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fillDigestStore() places each distinct object once on several threads, then finds them",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-fill-" });
    try {
      const files = await sources(dir, 40);
      const distinct = new Set(files.map((f) => dec.decode(f.payload))).size;
      const first = await fillDigestStore(`${dir}/store`, files, { threads: 3 });
      assert.equal(first.objects, distinct);
      assert.equal(first.existing, 0);
      assert.equal(first.reflink + first.copyFileRange + first.readWrite + first.raced, distinct);
      assert.equal(first.workers, 2);
      assert.deepEqual(await checkStore(`${dir}/store`), { objects: distinct, others: [] });
      const second = await fillDigestStore(`${dir}/store`, files, { threads: 3 });
      assert.deepEqual(
        [second.objects, second.existing, second.workers, second.readWrite + second.copyFileRange],
        [distinct, distinct, 0, 0],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fillDigestStore() stops at a vanished source: earlier objects whole, no temp files",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-fill-" });
    try {
      const files = await sources(dir, 12);
      // One thread: the hook sees the jobs in C's order and removes the 5th source.
      let seen = 0;
      await assert.rejects(
        fillDigestStore(`${dir}/store`, files, {
          threads: 4,
          beforeOpen: (job) => {
            if (++seen === 5) Deno.removeSync(dec.decode(job.source));
          },
        }),
        (e: unknown) => {
          assert.ok(e instanceof StoreError);
          assert.equal(e.code, "ENOENT");
          assert.equal(e.message, `${dir}/src/f4: No such file or directory`);
          return true;
        },
      );
      assert.deepEqual(await checkStore(`${dir}/store`), { objects: 4, others: [] });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fillDigestStore() on worker threads reports a failure and leaves only whole objects",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-fill-" });
    try {
      const files = await sources(dir, 60);
      await Deno.remove(`${dir}/src/f30`);
      await assert.rejects(
        fillDigestStore(`${dir}/store`, files, { threads: 4 }),
        (e: unknown) => e instanceof StoreError && e.code === "ENOENT",
      );
      const { others } = await checkStore(`${dir}/store`);
      assert.deepEqual(others, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
