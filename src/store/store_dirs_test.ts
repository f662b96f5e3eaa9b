import assert from "node:assert/strict";
import * as libc from "../fs/libc.ts";
import { StoreError } from "./digest_store.ts";
import { parentPrefixes, StoreDirs } from "./store_dirs.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ffi = libc.ffiAvailable();

Deno.test("parentPrefixes() lists the folders C's mkdir_parents visits", () => {
  const p = (s: string) => parentPrefixes(enc.encode(s)).map((b) => dec.decode(b));
  assert.deepEqual(p("store/ab/cdef"), ["store", "store/ab"]);
  assert.deepEqual(p("/tmp/s/ab/cd"), ["/tmp", "/tmp/s", "/tmp/s/ab"]);
  assert.deepEqual(p("a//b///ab/cd"), ["a", "a//b", "a//b///ab"]);
  assert.deepEqual(p("ab/cd"), ["ab"]);
  assert.deepEqual(p("cd"), []);
});

Deno.test({
  name: "StoreDirs makes the store, its parents and fan-out folders with mode 0755",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-dirs-" });
    const dirs = new StoreDirs(enc.encode(`${dir}/a/b/store//`));
    try {
      dirs.open();
      dirs.ensureFanout(enc.encode("ab/" + "c".repeat(62)));
      dirs.ensureFanout(enc.encode("ab/" + "d".repeat(62)));
      // Deno's mkdir path is not used: the kernel applies the process umask, as for C.
      for (const p of ["a", "a/b", "a/b/store", "a/b/store/ab"]) {
        const st = await Deno.stat(`${dir}/${p}`);
        assert.ok(st.isDirectory, p);
        assert.equal(st.mode! & 0o777 & 0o700, 0o700, p);
      }
      assert.equal(dirs.has(enc.encode("ab/" + "c".repeat(62))), false);
      await Deno.writeFile(`${dir}/a/b/store/ab/${"c".repeat(62)}`, new Uint8Array(1));
      assert.equal(dirs.has(enc.encode("ab/" + "c".repeat(62))), true);
    } finally {
      dirs.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "StoreDirs reports a file in the way as ENOTDIR with its path",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-dirs-" });
    try {
      await Deno.writeFile(`${dir}/file`, new Uint8Array(0));
      const dirs = new StoreDirs(enc.encode(`${dir}/file/store`));
      assert.throws(() => dirs.open(), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ENOTDIR");
        assert.equal(e.message, `${dir}/file: Not a directory`);
        return true;
      });
      const store = new StoreDirs(enc.encode(`${dir}/s`));
      store.open();
      await Deno.writeFile(`${dir}/s/ab`, new Uint8Array(0));
      assert.throws(() => store.ensureFanout(enc.encode("ab/x")), /s\/ab: Not a directory/);
      store.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
