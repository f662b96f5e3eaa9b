import assert from "node:assert/strict";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import { DigestPool } from "./digest_pool.ts";
import { ffiAvailable } from "./libc.ts";

const ffi = ffiAvailable();
const enc = new TextEncoder();

function bytes(n: number, seed: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 131 + seed * 7) & 0xff);
}

async function withFiles(
  sizes: number[],
  f: (dir: string, paths: Uint8Array[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-pool-" });
  try {
    const paths: Uint8Array[] = [];
    for (const [i, n] of sizes.entries()) {
      await Deno.writeFile(`${dir}/f${i}`, bytes(n, i));
      paths.push(enc.encode(`${dir}/f${i}`));
    }
    await f(dir, paths);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const SIZES = [1, 63, 64, 65, 4095, 4096, 4097, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17];

for (const useFfi of [true, false]) {
  Deno.test({
    name: `DigestPool gives fs-verity digests and the content of 1..64-byte files (FFI ${useFfi})`,
    ignore: useFfi && !ffi,
    fn: () =>
      withFiles(SIZES, async (_dir, paths) => {
        for (const threads of [1, 3]) {
          const pool = new DigestPool({ threads, useFfi });
          try {
            const ids = paths.map((p, i) => pool.submit(p, BigInt(SIZES[i]!)));
            const out = await pool.drain();
            for (const [i, id] of ids.entries()) {
              const data = bytes(SIZES[i]!, i);
              assert.deepEqual(out[id]!.digest, fsverityDigest(data, sha256Js), `size ${SIZES[i]}`);
              assert.deepEqual(out[id]!.content, SIZES[i]! <= 64 ? data : null);
              assert.equal(out[id]!.error, null);
            }
          } finally {
            pool.close();
          }
        }
      }),
  });
}

Deno.test({
  name: "DigestPool reports open errors with their errno and read errors as ENODATA",
  ignore: !ffi,
  fn: () =>
    withFiles([10], async (dir, paths) => {
      const pool = new DigestPool({ threads: 2, useFfi: true });
      try {
        const missing = pool.submit(enc.encode(`${dir}/missing`), 100n);
        const ok = pool.submit(paths[0]!, 10n);
        // A directory opens read-only but read(2) fails (EISDIR): C's hasher says ENODATA.
        const isDir = pool.submit(enc.encode(dir), 100n);
        // Shorter than lstat said: read_content's ENODATA.
        const short = pool.submit(paths[0]!, 20n);
        const out = await pool.drain();
        assert.equal(out[missing]!.error?.message, "No such file or directory");
        assert.deepEqual(out[missing]!.path, enc.encode(`${dir}/missing`));
        assert.equal(out[ok]!.error, null);
        assert.equal(out[isDir]!.error?.message, "No data available");
        assert.equal(out[short]!.error?.code, "ENODATA");
      } finally {
        pool.close();
      }
    }),
});

Deno.test({
  name: "DigestPool reports progress adding up to every file and byte",
  ignore: !ffi,
  fn: () =>
    withFiles([100, 5000, 70000], async (_dir, paths) => {
      let files = 0;
      let total = 0;
      const pool = new DigestPool({
        threads: 2,
        useFfi: true,
        onProgress: (f, b) => {
          files += f;
          total += b;
        },
      });
      try {
        paths.forEach((p, i) => pool.submit(p, BigInt([100, 5000, 70000][i]!)));
        await pool.drain();
        assert.deepEqual([files, total], [3, 75100]);
      } finally {
        pool.close();
      }
    }),
});

Deno.test("DigestPool.drain() with no jobs starts no worker and resolves empty", async () => {
  const pool = new DigestPool({ threads: 4, useFfi: false });
  assert.deepEqual(await pool.drain(), []);
  pool.close();
});

Deno.test("DigestPool rejects a thread count below 1", () => {
  assert.throws(() => new DigestPool({ threads: 0, useFfi: false }), RangeError);
});

Deno.test({
  name: "DigestPool hashes a few files on the main thread and starts workers on demand",
  ignore: !ffi,
  fn: () =>
    withFiles(Array.from({ length: 300 }, (_, i) => i + 1), async (_dir, paths) => {
      const few = new DigestPool({ threads: 8, useFfi: true });
      try {
        const ids = paths.slice(0, 3).map((p, i) => few.submit(p, BigInt(i + 1)));
        const out = await few.drain();
        assert.equal(few.workersStarted, 0);
        assert.ok(ids.every((id) => out[id]!.digest !== null));
      } finally {
        few.close();
      }
      const many = new DigestPool({ threads: 3, useFfi: true });
      try {
        const ids = paths.map((p, i) => many.submit(p, BigInt(i + 1)));
        const out = await many.drain();
        assert.ok(many.workersStarted >= 1 && many.workersStarted <= 3);
        for (const [i, id] of ids.entries()) {
          assert.deepEqual(out[id]!.digest, fsverityDigest(bytes(i + 1, i), sha256Js));
        }
      } finally {
        many.close();
      }
    }),
});
