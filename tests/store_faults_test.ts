/**
 * The digest store under faults, run through the CLI (and the C tool where `CFS_ORACLE` names
 * it, to compare outcomes): a store on a full file system, a source file removed between its
 * hashing and its copy, an interrupt, two runs into one store at the same time, and, as root,
 * fs-verity on ext4 and reflinks on XFS. Every failing run must print one line naming the path
 * and the reason, exit 1, leave no image and no temporary file, and leave only whole objects.
 *
 * The removal trick: with `--threads=1` both tools hash every file before copying any, then copy
 * in the tree's order. The tree holds a large file `0-big` and the victim `1-victim`; once a
 * temporary file appears in the store root, `0-big` is being copied, so the victim's digest is
 * known and its copy is still to come: the test removes it then.
 *
 * @module
 */
import assert from "node:assert/strict";
import { toHex } from "../spec/bytes/compare.ts";
import { FileHasher, fileSha256 } from "../src/fs/file_hasher.ts";
import * as libc from "../src/fs/libc.ts";
import { enableVerity, measureVerity } from "../src/fs/verity_ioctl.ts";
import { oracleDir } from "./_oracle.ts";
import {
  listStore,
  runWithUmask,
  type ScratchMount,
  scratchMount,
  sh,
  spawnTool,
  tempLeftovers,
  toolArgv,
} from "./_store.ts";

const oracle = oracleDir();
const ffi = libc.ffiAvailable();
const root = Deno.uid() === 0;
const enc = new TextEncoder();
const dec = new TextDecoder();
const sha256 = await fileSha256(ffi);

/** Every file under `store`'s fan-out folders is whole: its fs-verity digest is its name. */
function assertWholeObjects(store: string): number {
  const hasher = new FileHasher({ sha256, useFfi: true, useKernelDigest: false });
  let n = 0;
  for (const top of Deno.readDirSync(store)) {
    if (!top.isDirectory) continue;
    for (const e of Deno.readDirSync(`${store}/${top.name}`)) {
      const path = `${store}/${top.name}/${e.name}`;
      const size = Deno.statSync(path).size;
      const { digest } = hasher.hashFile(enc.encode(path), size, false);
      assert.equal(top.name + e.name, toHex(digest), `${path} is not whole`);
      n++;
    }
  }
  return n;
}

/** Writes `n` files of `size` distinct bytes each into `dir`. */
async function writeFiles(dir: string, n: number, size: number, tag = 0): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(size + (i % 5) * 1000).map((_, k) => (k * (i + 3) + tag) & 0xff);
    await Deno.writeFile(`${dir}/f${i}`, bytes);
  }
}

Deno.test({
  name: "mkcomposefs --digest-store on a full file system: one line, exit 1, no image, no temp",
  ignore: !ffi || !root,
  fn: async () => {
    const m = await scratchMount({ tmpfs: "1m" });
    if (typeof m === "string") throw new Error(`cannot set up the test: ${m}`);
    const work = await Deno.makeTempDir({ prefix: "cfs-full-" });
    try {
      await writeFiles(`${work}/src`, 3, 400 << 10);
      const tools: ("c" | "ours")[] = oracle ? ["c", "ours"] : ["ours"];
      const lines: Record<string, string> = {};
      for (const tool of tools) {
        const store: string = `${m.dir}/${tool}`;
        const img = `${work}/${tool}.img`;
        const r = await runWithUmask(
          toolArgv(tool, oracle, ["--threads=1", `--digest-store=${store}`, `${work}/src`, img]),
        );
        assert.equal(r.code, 1, `${tool}: ${r.stderr}`);
        lines[tool] = r.stderr;
        assert.deepEqual(await tempLeftovers(store), [], tool);
        assert.ok(assertWholeObjects(store) >= 1, `${tool}: some objects fit`);
        if (tool === "ours") await assert.rejects(Deno.stat(img), "no image left behind");
        await Deno.remove(store, { recursive: true });
      }
      assert.match(
        lines.ours!,
        new RegExp(
          `^mkcomposefs: cannot fill store: ${m.dir}/ours/[0-9a-f]{2}/[0-9a-f]{62}: ` +
            "No space left on device\n$",
        ),
      );
      if (oracle) {
        assert.equal(lines.c, "mkcomposefs: cannot fill store: No space left on device\n");
      }
    } finally {
      await Deno.remove(work, { recursive: true });
      await m.done();
    }
  },
});

/** Waits until a temporary file shows in `store`; false if `child` ended first. */
async function waitForTemp(store: string, child: Deno.ChildProcess): Promise<boolean> {
  let ended = false;
  child.status.then(() => ended = true);
  while (!ended) {
    if ((await tempLeftovers(store)).length > 0) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

/** A source whose first copied file takes a while: `0-big` (sparse zeros) then `1-victim`. */
async function slowSource(dir: string): Promise<void> {
  await Deno.mkdir(dir);
  const f = await Deno.open(`${dir}/0-big`, { write: true, create: true });
  await f.truncate(256 << 20);
  f.close();
  await Deno.writeFile(`${dir}/1-victim`, new Uint8Array(100000).fill(9));
}

Deno.test({
  name: "mkcomposefs --digest-store with a source removed after hashing names it and stops",
  ignore: !ffi,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-vanish-" });
    try {
      const tools: ("c" | "ours")[] = oracle ? ["c", "ours"] : ["ours"];
      const lines: Record<string, string> = {};
      for (const tool of tools) {
        const src = `${work}/${tool}-src`;
        await slowSource(src);
        const store = `${work}/${tool}-store`;
        const img = `${work}/${tool}.img`;
        const child = spawnTool(
          toolArgv(tool, oracle, ["--threads=1", `--digest-store=${store}`, src, img]),
        );
        const seen = await waitForTemp(store, child);
        if (seen) await Deno.remove(`${src}/1-victim`);
        const r = await child.output();
        assert.ok(seen, `${tool}: the copy of 0-big was not seen (exit ${r.code})`);
        lines[tool] = dec.decode(r.stderr);
        assert.equal(r.code, 1, `${tool}: ${lines[tool]}`);
        assert.deepEqual(await tempLeftovers(store), [], tool);
        assert.equal(assertWholeObjects(store), 1, `${tool}: 0-big's object only`);
        if (tool === "ours") await assert.rejects(Deno.stat(img), "no image left behind");
        await Deno.remove(store, { recursive: true });
      }
      assert.equal(
        lines.ours,
        `mkcomposefs: cannot fill store: ${work}/ours-src/1-victim: No such file or directory\n`,
      );
      if (oracle) {
        assert.equal(lines.c, "mkcomposefs: cannot fill store: No such file or directory\n");
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "mkcomposefs --digest-store stops on SIGINT: exit 1, whole objects, no temp, no image",
  ignore: !ffi,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-intr-" });
    try {
      const src = `${work}/src`;
      await slowSource(src);
      // Many more objects after the first: each costs an fsync and a rename, so the run is still
      // copying when the signal lands, however fast the big sparse file copies.
      await writeFiles(`${src}/more`, 1500, 100);
      const store = `${work}/store`;
      const child = spawnTool(
        toolArgv("ours", oracle, ["--threads=1", `--digest-store=${store}`, src, `${work}/img`]),
      );
      const seen = await waitForTemp(store, child);
      if (seen) child.kill("SIGINT");
      const r = await child.output();
      assert.ok(seen, `the copy of 0-big was not seen (exit ${r.code})`);
      assert.equal(r.code, 1);
      assert.equal(dec.decode(r.stderr), `mkcomposefs: cannot fill store: ${store}: Interrupted\n`);
      assert.deepEqual(await tempLeftovers(store), []);
      // How many objects got placed before the signal depends on timing; each must be whole.
      assertWholeObjects(store);
      await assert.rejects(Deno.stat(`${work}/img`));
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "mkcomposefs --digest-store: runs into one store at the same time all succeed",
  ignore: !ffi,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-concurrent-" });
    try {
      // Two overlapping sources: half their files are the same objects.
      await writeFiles(`${work}/a/shared`, 150, 3000);
      await writeFiles(`${work}/b/shared`, 150, 3000);
      await writeFiles(`${work}/a/own`, 80, 2000, 1);
      await writeFiles(`${work}/b/own`, 80, 2000, 2);
      const store = `${work}/store`;
      const runs: ["c" | "ours", string][] = [["ours", "a"], ["ours", "b"], ["ours", "a"]];
      if (oracle) runs.push(["c", "b"]);
      const children = runs.map(([tool, src], i) =>
        spawnTool(
          toolArgv(tool, oracle, [
            "--threads=2",
            `--digest-store=${store}`,
            `${work}/${src}`,
            `${work}/${i}.img`,
          ]),
        )
      );
      const results = await Promise.all(children.map((c) => c.output()));
      for (const [i, r] of results.entries()) {
        assert.equal(r.code, 0, `${runs[i]!.join(" ")}: ${dec.decode(r.stderr)}`);
      }
      assert.deepEqual(await tempLeftovers(store), []);
      assert.equal(assertWholeObjects(store), 150 + 80 + 80);
      // The same store as one run of each source, one after the other.
      const serial = `${work}/serial`;
      for (const src of ["a", "b"]) {
        const r = await runWithUmask(
          toolArgv("ours", oracle, [`--digest-store=${serial}`, `${work}/${src}`, `${work}/s.img`]),
        );
        assert.equal(r.code, 0, r.stderr);
      }
      assert.deepEqual(await listStore(store), await listStore(serial));
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

/** An ext4 with the verity feature, or why fs-verity cannot be tested here. */
async function verityMount(): Promise<ScratchMount | string> {
  if (!ffi) return "no FFI";
  const m = await scratchMount({
    mkfs: "mkfs.ext4",
    args: ["-q", "-b", "4096", "-O", "verity"],
    sizeMiB: 64,
  });
  if (typeof m === "string") return m;
  const probe = `${m.dir}/probe`;
  await Deno.writeFile(probe, new Uint8Array(5000));
  const fd = libc.openAt(libc.AT_FDCWD, enc.encode(probe), libc.O_RDONLY);
  const err = enableVerity(fd);
  libc.closeFd(fd);
  if (err !== 0) {
    await m.done();
    return `the kernel cannot enable fs-verity on ext4 (${
      libc.strerror(err)
    }; no CONFIG_FS_VERITY?)`;
  }
  await Deno.remove(probe);
  return m;
}

const verity = root ? await verityMount() : "not root";
if (typeof verity !== "string") await verity.done(); // probed; each test mounts its own

Deno.test({
  name: `mkcomposefs --digest-store enables fs-verity on ext4 with the kernel's digest = ours${
    typeof verity === "string" ? ` (skipped: ${verity})` : ""
  }`,
  ignore: typeof verity === "string",
  fn: async () => {
    const m = await verityMount();
    if (typeof m === "string") throw new Error(m);
    try {
      await writeFiles(`${m.dir}/src`, 6, 70000);
      const store = `${m.dir}/store`;
      const r = await runWithUmask(
        toolArgv("ours", oracle, [`--digest-store=${store}`, `${m.dir}/src`, `${m.dir}/img`]),
      );
      assert.equal(r.code, 0, r.stderr);
      let n = 0;
      for (const top of Deno.readDirSync(store)) {
        for (const e of Deno.readDirSync(`${store}/${top.name}`)) {
          const fd = libc.openAt(libc.AT_FDCWD, enc.encode(`${store}/${top.name}/${e.name}`), 0);
          try {
            const kernel = measureVerity(fd);
            assert.ok(kernel !== null, "fs-verity enabled");
            assert.equal(toHex(kernel), top.name + e.name);
          } finally {
            libc.closeFd(fd);
          }
          n++;
        }
      }
      assert.equal(n, 6);
    } finally {
      await m.done();
    }
  },
});

const XFS_REFLINK = { mkfs: "mkfs.xfs", args: ["-q", "-m", "reflink=1"], sizeMiB: 320 };

/** Null when a reflink XFS mounts here (probed once), else why reflinks cannot be tested. */
async function xfsProbe(): Promise<string | null> {
  if (!root) return "not root";
  if (!await sh("mkfs.xfs", ["-V"])) return "mkfs.xfs not installed (apt-get install xfsprogs)";
  const m = await scratchMount(XFS_REFLINK);
  if (typeof m === "string") return `no XFS mount here (${m})`;
  await m.done();
  return null;
}

const xfs = await xfsProbe();

Deno.test({
  name: `mkcomposefs --digest-store reflinks on XFS, as C does${
    xfs !== null ? ` (skipped: ${xfs})` : ""
  }`,
  ignore: xfs !== null || !ffi,
  fn: async () => {
    const m = await scratchMount(XFS_REFLINK);
    if (typeof m === "string") throw new Error(`cannot set up the test: ${m}`);
    try {
      await writeFiles(`${m.dir}/src`, 5, 200000);
      const stores: string[][] = [];
      const tools: ("c" | "ours")[] = oracle ? ["c", "ours"] : ["ours"];
      for (const tool of tools) {
        const store = `${m.dir}/${tool}-store`;
        const r = await runWithUmask(
          toolArgv(tool, oracle, [
            `--digest-store=${store}`,
            `${m.dir}/src`,
            `${m.dir}/${tool}.img`,
          ]),
        );
        assert.equal(r.code, 0, r.stderr);
        const objects: string[] = [];
        for (const top of Deno.readDirSync(store)) {
          for (const e of Deno.readDirSync(`${store}/${top.name}`)) {
            objects.push(`${store}/${top.name}/${e.name}`);
          }
        }
        assert.equal(objects.length, 5);
        // filefrag -v marks extents shared with another file (the source) as "shared".
        for (const o of objects) {
          const out = await new Deno.Command("filefrag", { args: ["-v", o], stdout: "piped" })
            .output();
          assert.match(dec.decode(out.stdout), /shared/, `${tool}: ${o} is a reflink`);
        }
        stores.push((await listStore(store)).map((l) => l.replace(/^\S+-store/, "")));
      }
      if (stores.length === 2) assert.deepEqual(stores[1], stores[0]);
    } finally {
      await m.done();
    }
  },
});
