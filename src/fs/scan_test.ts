import assert from "node:assert/strict";
import { printDump } from "../../spec/dump/print.ts";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { objectPathOf } from "../../spec/fsverity/object_path.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import { findChild, getXattr, type Node, S_IFMT } from "../../spec/tree/node.ts";
import * as libc from "./libc.ts";
import { externalFiles, readDirectoryTree, ScanError } from "./scan.ts";

const ffi = libc.ffiAvailable();
const root = Deno.uid() === 0;
const enc = new TextEncoder();
const dec = new TextDecoder();

async function withTemp(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-scan-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function child(dir: Node, name: string): Node {
  const c = findChild(dir, enc.encode(name));
  assert.ok(c, `no child ${name}`);
  return c;
}

function bytes(n: number, seed = 1): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);
}

Deno.test({
  name: "readDirectoryTree() takes lstat fields, ns mtimes, symlinks and C's inline rule",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/sub`);
      for (const n of [0, 1, 64, 65, 4096]) await Deno.writeFile(`${dir}/sub/f${n}`, bytes(n, n));
      await Deno.symlink("sub/f1", `${dir}/link`);
      await Deno.chmod(`${dir}/sub/f65`, 0o4751);
      libc.lutimensAt(libc.AT_FDCWD, enc.encode(`${dir}/sub/f1`), 1700000000n, 123456789);
      libc.lutimensAt(libc.AT_FDCWD, enc.encode(`${dir}/link`), -5n, 7);
      const tree = await readDirectoryTree(dir, { threads: 2 });
      const sub = child(tree, "sub");
      assert.equal(sub.mode & S_IFMT, 0o040000);
      const f0 = child(sub, "f0");
      assert.deepEqual([f0.size, f0.digest, f0.payload, f0.content], [0n, null, null, null]);
      const f1 = child(sub, "f1");
      assert.deepEqual([f1.mtimeSec, f1.mtimeNsec], [1700000000n, 123456789]);
      for (const n of [1, 64, 65, 4096]) {
        const f = child(sub, `f${n}`);
        const digest = fsverityDigest(bytes(n, n), sha256Js);
        assert.equal(f.size, BigInt(n));
        assert.equal(f.nlink, 1);
        assert.deepEqual(f.digest, digest);
        assert.deepEqual(f.payload, objectPathOf(digest));
        // Only 1..64 bytes are inlined in directory mode (LCFS_RECOMMENDED_INLINE_CONTENT_MAX).
        assert.deepEqual(f.content, n <= 64 ? bytes(n, n) : null);
      }
      assert.equal(child(sub, "f65").mode, 0o104751);
      const link = child(tree, "link");
      assert.deepEqual(link.payload, enc.encode("sub/f1"));
      assert.equal(link.size, 6n);
      assert.deepEqual([link.mtimeSec, link.mtimeNsec], [-5n, 7]);
    }),
});

Deno.test({
  name: "readDirectoryTree() keeps every name of a hardlinked file as its own inode (nlink 1)",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.writeFile(`${dir}/a`, bytes(100));
      await Deno.link(`${dir}/a`, `${dir}/b`);
      const tree = await readDirectoryTree(dir, { threads: 1 });
      const [a, b] = [child(tree, "a"), child(tree, "b")];
      assert.notEqual(a, b);
      assert.deepEqual([a.nlink, b.nlink, a.linkTo, b.linkTo], [1, 1, null, null]);
      assert.deepEqual(a.digest, b.digest);
    }),
});

Deno.test({
  name: "readDirectoryTree() with hardlinks makes later names (DFS order) link to the first",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/d`);
      await Deno.writeFile(`${dir}/d/z`, bytes(100));
      await Deno.link(`${dir}/d/z`, `${dir}/a`);
      await Deno.link(`${dir}/d/z`, `${dir}/e`);
      await Deno.symlink("x", `${dir}/s1`);
      await Deno.link(`${dir}/s1`, `${dir}/s2`);
      const tree = await readDirectoryTree(dir, { threads: 2, hardlinks: true });
      const a = child(tree, "a");
      assert.equal(a.linkTo, null);
      assert.equal(a.nlink, 3);
      assert.deepEqual(a.digest, fsverityDigest(bytes(100), sha256Js));
      assert.equal(child(child(tree, "d"), "z").linkTo, a);
      assert.equal(child(tree, "e").linkTo, a);
      assert.equal(child(tree, "s2").linkTo, child(tree, "s1"));
      assert.equal(child(tree, "s1").nlink, 2);
      // The store list has the inode once.
      assert.equal(externalFiles(tree, dir).length, 1);
    }),
});

Deno.test({
  name: "readDirectoryTree() reads xattrs unless skipXattrs; userXattrs keeps user.* only",
  ignore: !ffi || !root,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.writeFile(`${dir}/f`, bytes(3));
      const f = enc.encode(`${dir}/f`);
      libc.lsetXattr(f, enc.encode("user.u"), new Uint8Array([1]));
      libc.lsetXattr(f, enc.encode("trusted.t"), new Uint8Array([2]));
      const all = child(await readDirectoryTree(dir, { threads: 1 }), "f");
      assert.deepEqual(getXattr(all, enc.encode("user.u")), new Uint8Array([1]));
      assert.deepEqual(getXattr(all, enc.encode("trusted.t")), new Uint8Array([2]));
      const user = child(await readDirectoryTree(dir, { threads: 1, userXattrs: true }), "f");
      assert.deepEqual(user.xattrs.map((x) => dec.decode(x.key)), ["user.u"]);
      const none = child(await readDirectoryTree(dir, { threads: 1, skipXattrs: true }), "f");
      assert.deepEqual(none.xattrs, []);
    }),
});

Deno.test({
  name:
    "readDirectoryTree() with skipDevices drops devices but keeps fifos; useEpoch zeroes mtimes",
  ignore: !ffi || !root,
  fn: () =>
    withTemp(async (dir) => {
      libc.mknodAt(libc.AT_FDCWD, enc.encode(`${dir}/c`), 0o020644, 0x0103);
      libc.mknodAt(libc.AT_FDCWD, enc.encode(`${dir}/b`), 0o060644, 0x0801);
      libc.mknodAt(libc.AT_FDCWD, enc.encode(`${dir}/p`), 0o010644, 0);
      const kept = await readDirectoryTree(dir, { threads: 1 });
      assert.equal(child(kept, "c").rdev, 0x0103);
      const skipped = await readDirectoryTree(dir, {
        threads: 1,
        skipDevices: true,
        useEpoch: true,
      });
      assert.deepEqual(skipped.children.map((c) => dec.decode(c.name)), ["p"]);
      assert.deepEqual([skipped.mtimeSec, skipped.mtimeNsec], [0n, 0]);
      assert.deepEqual([child(skipped, "p").mtimeSec, child(skipped, "p").mtimeNsec], [0n, 0]);
    }),
});

Deno.test({
  name: "readDirectoryTree() gives the same tree for any thread count",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      for (let i = 0; i < 300; i++) await Deno.writeFile(`${dir}/f${i}`, bytes(i * 97 % 20000, i));
      const one = printDump(await readDirectoryTree(dir, { threads: 1 }));
      const four = printDump(await readDirectoryTree(dir, { threads: 4 }));
      assert.deepEqual(one, four);
    }),
});

Deno.test({
  name: "readDirectoryTree() rejects skipXattrs with userXattrs as C: Invalid argument",
  fn: async () => {
    await assert.rejects(
      readDirectoryTree("/nonexistent-src", { skipXattrs: true, userXattrs: true }),
      (e: unknown) =>
        e instanceof ScanError &&
        e.message === "error accessing /nonexistent-src: Invalid argument",
    );
  },
});

Deno.test({
  name: "readDirectoryTree() reports a missing source as C: error accessing <SRC>",
  ignore: !ffi,
  fn: async () => {
    await assert.rejects(
      readDirectoryTree("nonexist", {}),
      (e: unknown) =>
        e instanceof ScanError && e.code === "ENOENT" &&
        e.message === "error accessing nonexist: No such file or directory",
    );
  },
});

Deno.test({
  name: "readDirectoryTree() names the unreadable directory, joined as C joins it",
  ignore: !ffi || root,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/a/locked`, { recursive: true });
      await Deno.chmod(`${dir}/a/locked`, 0);
      try {
        await assert.rejects(
          readDirectoryTree(`${dir}/`, {}),
          (e: unknown) =>
            e instanceof ScanError &&
            e.message === `error accessing ${dir}/a/locked: Permission denied`,
        );
      } finally {
        await Deno.chmod(`${dir}/a/locked`, 0o755);
      }
    }),
});

Deno.test({
  name: "readDirectoryTree() refuses a directory that contains itself (a bind-mount loop)",
  ignore: !ffi || !root,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/a/b`, { recursive: true });
      const mount = await new Deno.Command("mount", {
        args: ["--bind", `${dir}/a`, `${dir}/a/b`],
        stderr: "null",
      }).output().catch(() => null);
      if (mount === null || !mount.success) return; // no mount(8) or not allowed here
      try {
        await assert.rejects(
          readDirectoryTree(dir, {}),
          (e: unknown) =>
            e instanceof ScanError &&
            e.message === `error accessing ${dir}/a/b: Too many levels of symbolic links`,
        );
      } finally {
        await new Deno.Command("umount", { args: [`${dir}/a/b`] }).output();
      }
    }),
});

Deno.test({
  name: "externalFiles() lists files over 64 bytes in DFS order with C's source paths",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/b`);
      await Deno.writeFile(`${dir}/b/big`, bytes(5000));
      await Deno.writeFile(`${dir}/a`, bytes(65));
      await Deno.writeFile(`${dir}/c`, bytes(64));
      await Deno.writeFile(`${dir}/d`, bytes(0));
      const tree = await readDirectoryTree(`${dir}//`, { threads: 2 });
      const list = externalFiles(tree, `${dir}//`);
      assert.deepEqual(list.map((f) => dec.decode(f.path)), [`${dir}/a`, `${dir}/b/big`]);
      assert.deepEqual(list[0]!.payload, objectPathOf(fsverityDigest(bytes(65), sha256Js)));
    }),
});

/** Runs `readDirectoryTree` in a child Deno without --allow-ffi; returns its dump or error. */
async function scanWithoutFfi(dir: string, options: string): Promise<string> {
  const code = `import { readDirectoryTree } from "${new URL("./scan.ts", import.meta.url)}";
import { printDump } from "${new URL("../../spec/dump/print.ts", import.meta.url)}";
try {
  const t = await readDirectoryTree(${JSON.stringify(dir)}, ${options});
  await Deno.stdout.write(printDump(t));
} catch (e) { console.log("ERROR " + e.message); }`;
  // `deno eval` would grant every permission, so run a file.
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", "--allow-read", "--allow-env", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(script);
  return dec.decode(out.stdout) + dec.decode(out.stderr);
}

Deno.test({
  name: "readDirectoryTree() without FFI matches FFI with skipXattrs+useEpoch, refuses otherwise",
  ignore: !ffi,
  fn: () =>
    withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/d`);
      await Deno.writeFile(`${dir}/d/f`, bytes(5000));
      await Deno.writeFile(`${dir}/small`, bytes(10));
      await Deno.symlink("d/f", `${dir}/l`);
      const opts = { skipXattrs: true, useEpoch: true, threads: 2 };
      const want = dec.decode(printDump(await readDirectoryTree(dir, opts)));
      assert.equal(await scanWithoutFfi(dir, JSON.stringify(opts)), want);
      assert.match(await scanWithoutFfi(dir, "{ useEpoch: true }"), /^ERROR cannot read .*xattrs/);
      assert.match(
        await scanWithoutFfi(dir, "{ skipXattrs: true }"),
        /^ERROR cannot read .*nanosecond/,
      );
      // A name that is not UTF-8 cannot be read through Deno's APIs.
      libc.mkdirAt(libc.AT_FDCWD, new Uint8Array([...enc.encode(`${dir}/`), 0xff]), 0o755);
      assert.match(
        await scanWithoutFfi(dir, JSON.stringify(opts)),
        /^ERROR error accessing .*not valid UTF-8/,
      );
    }),
});
