import assert from "node:assert/strict";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { objectPathOf } from "../../spec/fsverity/object_path.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import * as libc from "../fs/libc.ts";
import { joinStorePath, type ObjectJob, ObjectWriter, StoreError } from "./digest_store.ts";
import { StoreDirs } from "./store_dirs.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ffi = libc.ffiAvailable();

Deno.test("joinStorePath() joins as C's join_paths: trailing slashes dropped, none after an empty PATH", () => {
  const j = (a: string, b: string) => dec.decode(joinStorePath(enc.encode(a), enc.encode(b)));
  assert.equal(j("store", "ab/cd"), "store/ab/cd");
  assert.equal(j("store///", "ab/cd"), "store/ab/cd");
  assert.equal(j("", "ab/cd"), "ab/cd");
  assert.equal(j("/", "ab/cd"), "/ab/cd");
  assert.equal(j("a//b/", "ab"), "a//b/ab");
});

/** A temp folder with a store and a source file of `size` bytes; the job for it. */
async function setup(size: number) {
  const dir = await Deno.makeTempDir({ prefix: "cfs-obj-" });
  const bytes = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 0xff);
  await Deno.writeFile(`${dir}/src`, bytes);
  const digest = fsverityDigest(bytes, sha256Js);
  const job: ObjectJob = {
    source: enc.encode(`${dir}/src`),
    object: objectPathOf(digest),
    size,
    digest,
  };
  const store = enc.encode(`${dir}/store`);
  const dirs = new StoreDirs(store);
  const storeFd = dirs.open();
  dirs.ensureFanout(job.object);
  return {
    dir,
    bytes,
    job,
    dirs,
    storeFd,
    store,
    objectPath: `${dir}/store/${dec.decode(job.object)}`,
  };
}

/** Names in the store root other than the fan-out folders: temporary files left behind. */
async function leftovers(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/store`)) {
    if (!/^[0-9a-f]{2}$/.test(e.name)) out.push(e.name);
  }
  return out;
}

Deno.test({
  name: "ObjectWriter.place() writes a whole object with mode 0644 and the source's bytes",
  ignore: !ffi,
  fn: async () => {
    const s = await setup(10000);
    try {
      const w = new ObjectWriter({ storeFd: s.storeFd, storePath: s.store, tempPrefix: ".tmp.t." });
      const r = w.place(s.job);
      assert.equal(r.kind, "placed");
      assert.deepEqual(await Deno.readFile(s.objectPath), s.bytes);
      assert.equal((await Deno.stat(s.objectPath)).mode! & 0o7777, 0o644);
      assert.deepEqual(await leftovers(s.dir), []);
      // Placed again (a concurrent twin): ours is dropped, the object is not replaced.
      const before = (await Deno.stat(s.objectPath)).ino;
      assert.deepEqual(w.place(s.job), { kind: "existing" });
      assert.equal((await Deno.stat(s.objectPath)).ino, before);
      assert.deepEqual(await leftovers(s.dir), []);
    } finally {
      s.dirs.close();
      await Deno.remove(s.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ObjectWriter.place() names the source when it vanished, and leaves no temporary file",
  ignore: !ffi,
  fn: async () => {
    const s = await setup(500);
    try {
      const w = new ObjectWriter({
        storeFd: s.storeFd,
        storePath: s.store,
        tempPrefix: ".tmp.t.",
        beforeOpen: (job) => Deno.removeSync(dec.decode(job.source)),
      });
      assert.throws(() => w.place(s.job), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ENOENT");
        assert.equal(e.message, `${s.dir}/src: No such file or directory`);
        return true;
      });
      assert.deepEqual(await leftovers(s.dir), []);
      await assert.rejects(Deno.stat(s.objectPath));
    } finally {
      s.dirs.close();
      await Deno.remove(s.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ObjectWriter.place() refuses a source whose size changed since its digest",
  ignore: !ffi,
  fn: async () => {
    const s = await setup(5000);
    try {
      const w = new ObjectWriter({
        storeFd: s.storeFd,
        storePath: s.store,
        tempPrefix: ".tmp.t.",
        beforeOpen: (job) => Deno.truncateSync(dec.decode(job.source), 4000),
      });
      assert.throws(() => w.place(s.job), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ECHANGED");
        assert.match(e.message, /src: file changed since its digest was computed \(size 4000/);
        return true;
      });
      assert.deepEqual(await leftovers(s.dir), []);
      await assert.rejects(Deno.stat(s.objectPath));
    } finally {
      s.dirs.close();
      await Deno.remove(s.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ObjectWriter.place() names the object when the store cannot take it",
  ignore: !ffi,
  fn: async () => {
    const s = await setup(5000);
    try {
      // The fan-out folder is replaced by a file: the rename fails with ENOTDIR.
      const fanout = `${s.dir}/store/${dec.decode(s.job.object.subarray(0, 2))}`;
      await Deno.remove(fanout);
      await Deno.writeFile(fanout, new Uint8Array(1));
      const w = new ObjectWriter({ storeFd: s.storeFd, storePath: s.store, tempPrefix: ".tmp.t." });
      assert.throws(() => w.place(s.job), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ENOTDIR");
        assert.equal(e.message, `${s.objectPath}: Not a directory`);
        return true;
      });
      assert.deepEqual(
        (await leftovers(s.dir)).filter((n) => n.startsWith(".tmp")),
        [],
      );
    } finally {
      s.dirs.close();
      await Deno.remove(s.dir, { recursive: true });
    }
  },
});
