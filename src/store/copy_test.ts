import assert from "node:assert/strict";
import * as libc from "../fs/libc.ts";
import { FileCopier } from "./copy.ts";

const enc = new TextEncoder();
const ffi = libc.ffiAvailable();

function data(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(n).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
}

/** Copies `bytes` through a fresh copier with `options`; returns the method and the copy. */
async function copyWith(
  bytes: Uint8Array<ArrayBuffer>,
  options: { reflink?: boolean; copyFileRange?: boolean },
  dir: string,
): Promise<{ method: string; out: Uint8Array }> {
  await Deno.writeFile(`${dir}/src`, bytes);
  const src = libc.openAt(libc.AT_FDCWD, enc.encode(`${dir}/src`), libc.O_RDONLY);
  const dst = libc.openAt(
    libc.AT_FDCWD,
    enc.encode(`${dir}/dst`),
    libc.O_RDWR | libc.O_CREAT | libc.O_TRUNC,
    0o600,
  );
  try {
    const method = new FileCopier(options).copy(src, dst);
    return { method, out: await Deno.readFile(`${dir}/dst`) };
  } finally {
    libc.closeFd(src);
    libc.closeFd(dst);
  }
}

Deno.test({
  name: "FileCopier.copy() copies every byte by each method",
  ignore: !ffi,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cfs-copy-" });
    try {
      for (const size of [0, 1, 65, 4096, 8193, (1 << 20) + 17, 3 << 20]) {
        const bytes = data(size);
        const range = await copyWith(bytes, { reflink: false }, dir);
        assert.equal(range.method, "copy_file_range", `size ${size}`);
        assert.deepEqual(range.out, bytes);
        const rw = await copyWith(bytes, { reflink: false, copyFileRange: false }, dir);
        assert.equal(rw.method, "read_write");
        assert.deepEqual(rw.out, bytes);
        // Whatever this file system offers first (a reflink on XFS/btrfs), the bytes are equal.
        assert.deepEqual((await copyWith(bytes, {}, dir)).out, bytes);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "FileCopier.copy() stops trying copy_file_range after EXDEV (across file systems)",
  ignore: !ffi,
  fn: async () => {
    // Since Linux 5.19, copy_file_range between two file system types is EXDEV: C then
    // copies by hand for the rest of the run.
    const a = await Deno.makeTempDir({ prefix: "cfs-copy-" });
    let b: string;
    try {
      b = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "cfs-copy-" });
    } catch {
      await Deno.remove(a, { recursive: true });
      return; // no /dev/shm here
    }
    try {
      const bytes = data(100000);
      await Deno.writeFile(`${a}/src`, bytes);
      const copier = new FileCopier({ reflink: false });
      const same = (await Deno.stat(a)).dev === (await Deno.stat(b)).dev;
      for (let i = 0; i < 2; i++) {
        const src = libc.openAt(libc.AT_FDCWD, enc.encode(`${a}/src`), libc.O_RDONLY);
        const dst = libc.openAt(
          libc.AT_FDCWD,
          enc.encode(`${b}/dst${i}`),
          libc.O_RDWR | libc.O_CREAT,
          0o600,
        );
        try {
          const method = copier.copy(src, dst);
          if (!same) {
            assert.equal(method, "read_write");
            assert.equal(copier.copyFileRangeEnabled, false);
          }
        } finally {
          libc.closeFd(src);
          libc.closeFd(dst);
        }
        assert.deepEqual(await Deno.readFile(`${b}/dst${i}`), bytes);
      }
    } finally {
      await Deno.remove(a, { recursive: true });
      await Deno.remove(b, { recursive: true });
    }
  },
});
