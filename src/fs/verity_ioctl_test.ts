import assert from "node:assert/strict";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import { DigestPool } from "./digest_pool.ts";
import * as libc from "./libc.ts";
import { enableVerity, measureVerity } from "./verity_ioctl.ts";

const enc = new TextEncoder();
const root = Deno.uid() === 0;

/** Mounts a fresh ext4 image with the verity feature on a loop device; null if impossible. */
async function verityMount(): Promise<{ dir: string; done: () => Promise<void> } | null> {
  const work = await Deno.makeTempDir({ prefix: "cfs-verity-" });
  // A missing tool means "cannot test here"; Deno throws for it before any promise exists.
  const run = async (cmd: string, args: string[]) => {
    try {
      const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
      return r.success;
    } catch {
      return false;
    }
  };
  const ok = await run("truncate", ["-s", "64M", `${work}/fs.img`]) &&
    await run("mkfs.ext4", ["-q", "-b", "4096", "-O", "verity", `${work}/fs.img`]) &&
    await Deno.mkdir(`${work}/mnt`).then(() => true) &&
    await run("mount", ["-o", "loop", `${work}/fs.img`, `${work}/mnt`]);
  if (!ok) {
    await Deno.remove(work, { recursive: true });
    return null;
  }
  return {
    dir: `${work}/mnt`,
    done: async () => {
      await run("umount", [`${work}/mnt`]);
      await Deno.remove(work, { recursive: true });
    },
  };
}

function content(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(n).map((_, i) => (i * 13 + 1) & 0xff);
}

Deno.test({
  name: "measureVerity() returns null for a file without fs-verity",
  ignore: !libc.ffiAvailable(),
  fn: async () => {
    const path = await Deno.makeTempFile();
    try {
      await Deno.writeFile(path, content(5000));
      const fd = libc.openAt(libc.AT_FDCWD, enc.encode(path), libc.O_RDONLY);
      try {
        assert.equal(measureVerity(fd), null);
      } finally {
        libc.closeFd(fd);
      }
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name: "measureVerity() gives composefs's digest for 4096-byte SHA-256 verity, null for others",
  ignore: !libc.ffiAvailable() || !root,
  fn: async () => {
    const m = await verityMount();
    if (m === null) return; // no loop devices or no verity support here
    try {
      const data = content(200000);
      for (const block of [4096, 1024]) {
        const path = `${m.dir}/f${block}`;
        await Deno.writeFile(path, data);
        const fd = libc.openAt(libc.AT_FDCWD, enc.encode(path), libc.O_RDONLY);
        try {
          const err = enableVerity(fd, block);
          if (err !== 0 && block === 4096) {
            console.log(`  fs-verity not available here (errno ${err}): kernel path not exercised`);
            return;
          }
          if (err !== 0) continue; // this kernel cannot use that block size
          const got = measureVerity(fd);
          assert.deepEqual(got, block === 4096 ? fsverityDigest(data, sha256Js) : null);
        } finally {
          libc.closeFd(fd);
        }
      }
      // The pool gives the same digest either way (kernel for 4096, userspace for 1024).
      const pool = new DigestPool({ threads: 1, useFfi: true });
      try {
        const ids = [4096, 1024].map((b) => pool.submit(enc.encode(`${m.dir}/f${b}`), 200000n));
        const out = await pool.drain();
        for (const id of ids) assert.deepEqual(out[id]!.digest, fsverityDigest(data, sha256Js));
      } finally {
        pool.close();
      }
    } finally {
      await m.done();
    }
  },
});
