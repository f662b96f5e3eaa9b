import assert from "node:assert/strict";
import { ENOENT, errnoName, strerrorText, SysError } from "./errno.ts";
import * as libc from "./libc.ts";

const ffi = libc.ffiAvailable();
const enc = new TextEncoder();

async function withTemp(f: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-libc-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "strerror() agrees with the errno table for every known errno",
  ignore: !ffi,
  fn: () => {
    for (let e = 1; e < 134; e++) {
      if (errnoName(e) === `E${e}`) continue;
      assert.equal(libc.strerror(e), strerrorText(e), errnoName(e));
    }
  },
});

Deno.test({
  name: "statxAt() reports nanosecond mtimes and lstat semantics",
  ignore: !ffi,
  fn: () =>
    withTemp((dir) => {
      const file = enc.encode(`${dir}/f`);
      const fd = libc.openAt(libc.AT_FDCWD, file, libc.O_WRONLY | libc.O_CREAT, 0o644);
      libc.writeAll(fd, new Uint8Array(5));
      libc.closeFd(fd);
      libc.lutimensAt(libc.AT_FDCWD, file, -12345n, 987654321);
      const st = libc.statxAt(libc.AT_FDCWD, file, libc.AT_SYMLINK_NOFOLLOW);
      assert.equal(st.mtimeSec, -12345n);
      assert.equal(st.mtimeNsec, 987654321);
      assert.equal(st.size, 5n);
      assert.equal(st.mode & 0o170000, 0o100000);
      libc.symlinkAt(enc.encode("f"), libc.AT_FDCWD, enc.encode(`${dir}/l`));
      const ls = libc.statxAt(libc.AT_FDCWD, enc.encode(`${dir}/l`), libc.AT_SYMLINK_NOFOLLOW);
      assert.equal(ls.mode & 0o170000, 0o120000);
      assert.equal(ls.size, 1n);
    }),
});

Deno.test({
  name: "statxAt() throws SysError with glibc's text for a missing path",
  ignore: !ffi,
  fn: () => {
    assert.throws(
      () => libc.statxAt(libc.AT_FDCWD, enc.encode("/nonexistent/cfs"), 0),
      (e: unknown) =>
        e instanceof SysError && e.errno === ENOENT && e.code === "ENOENT" &&
        e.message === "No such file or directory",
    );
  },
});

Deno.test({
  name: "readDirEntries() returns raw name bytes, without . and ..",
  ignore: !ffi,
  fn: () =>
    withTemp((dir) => {
      const names = [
        new Uint8Array([0x80, 0xff, 0x41]),
        enc.encode("a b\nc\\d"),
        new Uint8Array(255).fill(0xe9),
        enc.encode("..."),
      ];
      for (const n of names) {
        const path = new Uint8Array([...enc.encode(dir + "/"), ...n]);
        libc.mkdirAt(libc.AT_FDCWD, path, 0o755);
      }
      const fd = libc.openAt(libc.AT_FDCWD, enc.encode(dir), libc.O_RDONLY | libc.O_DIRECTORY);
      try {
        const got = libc.readDirEntries(fd, new Uint8Array(32768));
        const key = (b: Uint8Array) => Array.from(b).join(",");
        assert.deepEqual(got.map((e) => key(e.name)).sort(), names.map(key).sort());
        assert.ok(got.every((e) => e.type === libc.DT_DIR));
      } finally {
        libc.closeFd(fd);
      }
    }),
});

Deno.test({
  name: "readDirEntries() reads a directory larger than its buffer",
  ignore: !ffi,
  fn: () =>
    withTemp((dir) => {
      for (let i = 0; i < 500; i++) {
        Deno.writeFileSync(`${dir}/${"n".repeat(40)}${i}`, new Uint8Array());
      }
      const fd = libc.openAt(libc.AT_FDCWD, enc.encode(dir), libc.O_RDONLY | libc.O_DIRECTORY);
      try {
        assert.equal(libc.readDirEntries(fd, new Uint8Array(1024)).length, 500);
      } finally {
        libc.closeFd(fd);
      }
    }),
});

Deno.test({
  name: "readlinkAt() returns the target bytes; listXattrs()/getXattrValue() read xattrs",
  ignore: !ffi,
  fn: () =>
    withTemp((dir) => {
      const target = new Uint8Array([0x2e, 0x2e, 0x2f, 0xc3, 0x28, 0x0a]);
      const link = enc.encode(`${dir}/l`);
      libc.symlinkAt(target, libc.AT_FDCWD, link);
      assert.deepEqual(libc.readlinkAt(libc.AT_FDCWD, link, new Uint8Array(4096)), target);
      const file = enc.encode(`${dir}/f`);
      Deno.writeFileSync(`${dir}/f`, new Uint8Array());
      libc.lsetXattr(file, enc.encode("user.a"), new Uint8Array([1, 2, 3]));
      libc.lsetXattr(file, enc.encode("user.empty"), new Uint8Array());
      const cpath = file;
      const keys = libc.listXattrs(cpath, true).map((k) => new TextDecoder().decode(k)).sort();
      assert.deepEqual(keys, ["user.a", "user.empty"]);
      assert.deepEqual(
        libc.getXattrValue(cpath, enc.encode("user.a"), true),
        new Uint8Array([1, 2, 3]),
      );
      assert.deepEqual(libc.getXattrValue(cpath, enc.encode("user.empty"), true), new Uint8Array());
      assert.throws(
        () => libc.getXattrValue(cpath, enc.encode("user.none"), true),
        /No data available/,
      );
    }),
});

Deno.test({
  name: "listXattrs()/getXattrValue() read no xattrs, and values beyond the first 4 KiB offered",
  ignore: !ffi,
  fn: async () => {
    // tmpfs keeps values up to 64 KiB (ext4 only one block): the retry after ERANGE runs there.
    const dir = await Deno.makeTempDir({ dir: "/dev/shm" }).catch(() => null);
    if (dir === null) return;
    try {
      const file = enc.encode(`${dir}/f`);
      Deno.writeFileSync(`${dir}/f`, new Uint8Array());
      assert.deepEqual(libc.listXattrs(file, true), []);
      const big = new Uint8Array(10000).map((_, i) => i & 0xff);
      try {
        libc.lsetXattr(file, enc.encode("user.big"), big);
      } catch {
        return; // no user xattrs on this tmpfs (kernels before 6.6)
      }
      assert.deepEqual(libc.getXattrValue(file, enc.encode("user.big"), true), big);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "mknodAt() and statxAt() agree on the 32-bit device encoding",
  ignore: !ffi || Deno.uid() !== 0,
  fn: () =>
    withTemp((dir) => {
      // major 259, minor 0x12345: (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
      const rdev = (0x45 | (259 << 8) | ((0x12345 & ~0xff) << 12)) >>> 0;
      const path = enc.encode(`${dir}/dev`);
      libc.mknodAt(libc.AT_FDCWD, path, 0o020600, rdev);
      assert.equal(libc.statxAt(libc.AT_FDCWD, path, libc.AT_SYMLINK_NOFOLLOW).rdev, rdev);
    }),
});

Deno.test({
  name: "opensslSha256() hashes like node:crypto",
  ignore: !ffi,
  fn: async () => {
    const sha = libc.opensslSha256();
    if (sha === null) return;
    const { createHash } = await import("node:crypto");
    for (const n of [0, 1, 4096, 100000]) {
      const data = new Uint8Array(n).map((_, i) => i * 7);
      assert.deepEqual(sha(data), new Uint8Array(createHash("sha256").update(data).digest()));
    }
  },
});

Deno.test({
  name: "ficlone() clones the data or reports why it cannot",
  ignore: !ffi,
  fn: () =>
    withTemp((dir) => {
      const data = new Uint8Array(10000).map((_, i) => i & 0xff);
      Deno.writeFileSync(`${dir}/src`, data);
      const src = libc.openAt(libc.AT_FDCWD, enc.encode(`${dir}/src`), libc.O_RDONLY);
      const dst = libc.openAt(
        libc.AT_FDCWD,
        enc.encode(`${dir}/dst`),
        libc.O_WRONLY | libc.O_CREAT,
        0o644,
      );
      try {
        const err = libc.ficlone(dst, src);
        if (err === 0) assert.deepEqual(Deno.readFileSync(`${dir}/dst`), data);
        else {assert.ok(
            ["EOPNOTSUPP", "EXDEV", "EINVAL", "ENOTTY"].includes(errnoName(err)),
            errnoName(err),
          );}
      } finally {
        libc.closeFd(src);
        libc.closeFd(dst);
      }
    }),
});
