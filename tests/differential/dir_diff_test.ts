/**
 * Directory sources against the C tool: random trees are created on disk (any name bytes,
 * every file type, xattrs, nanosecond mtimes, hardlinks; devices, owners and `trusted.*` when
 * root), then `mkcomposefs [flags] DIR IMG` of C 1.0.8 and our `readDirectoryTree` +
 * `buildImageFromTree` must give the same bytes, or the same error line, for each combination
 * of --skip-xattrs, --user-xattrs, --skip-devices and --use-epoch.
 *
 * Needs `CFS_ORACLE` and `--allow-ffi`. `CFS_DIR_RUNS` sets the number of random trees
 * (default 12), `CFS_DIR_SEED` the seed; `CFS_SLOW=1` adds /usr/share.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildImageFromTree } from "../../spec/image.ts";
import { ComposefsLimitError, STRERROR } from "../../spec/tree/errors.ts";
import * as libc from "../../src/fs/libc.ts";
import { type ReadDirectoryOptions, readDirectoryTree } from "../../src/fs/scan.ts";
import {
  diskTreeArb,
  type DiskTreeOptions,
  isRoot,
  showTree,
  writeDiskTree,
} from "../_disk_tree.ts";
import { firstDifference, oracleDir } from "../_oracle.ts";

const oracle = oracleDir();
const ffi = libc.ffiAvailable();
const root = isRoot();

/**
 * Whether `nobody` can run the oracle and read this checkout: not in CI, where both live under
 * root's 0700 home. The test compares the two tools as `nobody`, so it needs both.
 */
function nobodyCanRunBoth(): boolean {
  if (!oracle || !root) return false;
  const scan = new URL("../../src/fs/scan.ts", import.meta.url).pathname;
  try {
    return new Deno.Command("setpriv", {
      args: [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "sh",
        "-c",
        'test -x "$1/mkcomposefs" && test -r "$2" && "$1/mkcomposefs" --help 2>&1 | grep -q Usage',
        "sh",
        oracle,
        scan,
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}
const RUNS = Number(Deno.env.get("CFS_DIR_RUNS") ?? 12);
const SEED = Number(Deno.env.get("CFS_DIR_SEED") ?? 0x5eed4);

/** One flag combination: the C command-line flags and our options. */
interface Combo {
  flags: string[];
  options: ReadDirectoryOptions;
}

/** All 16 combinations of the four directory flags. */
const COMBOS: Combo[] = [];
for (let bits = 0; bits < 16; bits++) {
  const flags: string[] = [];
  const options: ReadDirectoryOptions = {};
  if (bits & 1) (flags.push("--skip-xattrs"), options.skipXattrs = true);
  if (bits & 2) (flags.push("--user-xattrs"), options.userXattrs = true);
  if (bits & 4) (flags.push("--skip-devices"), options.skipDevices = true);
  if (bits & 8) (flags.push("--use-epoch"), options.useEpoch = true);
  COMBOS.push({ flags, options });
}

/** What one tool produced: an image or the error line after `mkcomposefs: `. */
type Outcome = { image: Uint8Array } | { error: string };

async function runC(src: string, flags: string[], out: string): Promise<Outcome> {
  const r = await new Deno.Command(`${oracle}/mkcomposefs`, {
    args: [...flags, src, out],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0) {
    return { error: new TextDecoder().decode(r.stderr).trim().replace(/^mkcomposefs: /, "") };
  }
  return { image: await Deno.readFile(out) };
}

async function runOurs(src: string, options: ReadDirectoryOptions): Promise<Outcome> {
  try {
    const tree = await readDirectoryTree(src, options);
    return { image: buildImageFromTree(tree) };
  } catch (e) {
    if (e instanceof ComposefsLimitError) {
      return { error: `cannot write file: ${STRERROR[e.code]}` };
    }
    if (e instanceof Error && e.name === "ScanError") return { error: e.message };
    throw e;
  }
}

async function infoDump(image: Uint8Array, dir: string): Promise<string[]> {
  const path = `${dir}/inspect.img`;
  await Deno.writeFile(path, image);
  const r = await new Deno.Command(`${oracle}/composefs-info`, {
    args: ["dump", path],
    stdout: "piped",
  })
    .output();
  return new TextDecoder().decode(r.stdout).split("\n");
}

/** Compares one source under one flag combination; returns a failure description or null. */
async function compare(
  src: string,
  combo: Combo,
  work: string,
  threads: number,
): Promise<string | null> {
  const c = await runC(src, combo.flags, `${work}/c.img`);
  const ours = await runOurs(src, { ...combo.options, threads });
  const label = `flags [${combo.flags.join(" ")}]`;
  if ("error" in c || "error" in ours) {
    const a = "error" in c ? c.error : "(image)";
    const b = "error" in ours ? ours.error : "(image)";
    return a === b ? null : `${label}: C says ${JSON.stringify(a)}, we say ${JSON.stringify(b)}`;
  }
  const at = firstDifference(c.image, ours.image);
  if (at < 0) return null;
  const [dc, dours] = [await infoDump(c.image, work), await infoDump(ours.image, work)];
  const lines: string[] = [];
  for (let i = 0; i < Math.max(dc.length, dours.length) && lines.length < 12; i++) {
    if (dc[i] !== dours[i]) lines.push(`  C:    ${dc[i]}`, `  ours: ${dours[i]}`);
  }
  return `${label}: images differ at byte ${at} (C ${c.image.length} B, ours ${ours.image.length} B)\n${
    lines.join("\n")
  }`;
}

const rootAttrs = fc.record({
  perm: fc.integer({ min: 0o700, max: 0o7777 }),
  mtimeSec: fc.bigInt({ min: 0n, max: 2000000000n }),
  mtimeNsec: fc.integer({ min: 0, max: 999999999 }),
});

/** Checks `runs` random trees of one shape against C under all 16 flag combinations. */
async function checkRandomTrees(shape: DiskTreeOptions, runs: number): Promise<number> {
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(
      diskTreeArb(shape),
      rootAttrs,
      fc.integer({ min: 1, max: 3 }),
      async (entries, self, threads) => {
        const work = await Deno.makeTempDir({ prefix: "cfs-dirdiff-" });
        try {
          const src = `${work}/src`;
          await Deno.mkdir(src);
          writeDiskTree(src, entries, { ...self, xattrs: [] });
          const failures: string[] = [];
          for (const combo of COMBOS) {
            const f = await compare(src, combo, work, threads);
            cases++;
            if (f !== null) failures.push(f);
          }
          if (failures.length > 0) {
            throw new Error(`${failures.join("\n")}\ntree:\n${showTree(entries)}`);
          }
        } finally {
          await Deno.remove(work, { recursive: true });
        }
      },
    ),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
  return cases;
}

Deno.test({
  name: "readDirectoryTree() gives C's image for random trees under every flag combination",
  ignore: !oracle || !ffi,
  fn: async () => {
    const cases = await checkRandomTrees({ root }, RUNS);
    console.log(`  ${cases} tree/flag cases compared (root: ${root})`);
  },
});

Deno.test({
  name: "readDirectoryTree() gives C's image for wide directories (multi-block dirents)",
  ignore: !oracle || !ffi,
  fn: async () => {
    const cases = await checkRandomTrees(
      { root, depth: 1, width: 120, minWidth: 60 },
      Math.max(1, RUNS >> 2),
    );
    console.log(`  ${cases} tree/flag cases compared`);
  },
});

Deno.test({
  name: "readDirectoryTree() gives C's image for /usr/share (CFS_SLOW=1)",
  ignore: !oracle || !ffi || Deno.env.get("CFS_SLOW") !== "1",
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-dirdiff-" });
    try {
      for (const combo of [COMBOS[0]!, COMBOS[8 + 4 + 1]!]) {
        assert.equal(await compare("/usr/share", combo, work, navigator.hardwareConcurrency), null);
      }
    } finally {
      const shm = await Deno.realPath(`${work}/shm`).catch(() => null);
      if (shm !== null) await Deno.remove(shm, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});

/** Fixed sources whose outcome (often an error) must match C's line for line. */
async function scenarios(work: string): Promise<[string, string][]> {
  const enc = new TextEncoder();
  const out: [string, string][] = [];
  await Deno.mkdir(`${work}/plain/sub`, { recursive: true });
  await Deno.writeTextFile(`${work}/plain/sub/f`, "x".repeat(100));
  await Deno.writeTextFile(`${work}/plain/tiny`, "hi");
  out.push(["a missing source", `${work}/missing`]);
  out.push(["a missing relative source", "no-such-dir-here"]);
  out.push(["a trailing slash", `${work}/plain/`]);
  // A path relative to the current directory: C joins and reports it as given.
  const up = Deno.cwd().split("/").filter((p) => p !== "").map(() => "..").join("/");
  out.push(["a relative source", `${up}${work}/plain`]);
  out.push(["a relative source with a dot", `${up}${work}/./plain/./sub`]);
  out.push(["two trailing slashes", `${work}/plain//`]);
  out.push(["a regular file as source", `${work}/plain/tiny`]);
  await Deno.symlink(`${work}/plain`, `${work}/link`);
  out.push(["a symlink to a directory", `${work}/link`]);
  out.push(["a symlink with a trailing slash", `${work}/link/`]);
  // Too many xattrs for C's 32767-byte budget on a nested file. ext4 keeps at most one block of
  // xattrs per inode, so this needs tmpfs (/dev/shm), whose user.* xattrs have no such limit.
  try {
    const shm = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "cfs-budget-" });
    await Deno.mkdir(`${shm}/a`);
    await Deno.writeTextFile(`${shm}/a/f`, "");
    const big = new Uint8Array(3000).fill(0x61);
    for (let i = 0; i < 12; i++) {
      libc.lsetXattr(enc.encode(`${shm}/a/f`), enc.encode(`user.big${i}`), big);
    }
    await Deno.symlink(shm, `${work}/shm`);
    out.push(["an xattr budget overflow", `${shm}`]);
  } catch (e) {
    console.log(`  (no xattr budget case: ${e instanceof Error ? e.message : e})`);
  }
  // Paths beyond PATH_MAX: C walks them by directory descriptors but opens files to hash
  // them by full path, so a file down there fails with ENAMETOOLONG.
  for (const withFile of [false, true]) {
    const top = `${work}/deep${withFile ? "file" : "dirs"}`;
    await Deno.mkdir(top);
    let fd = libc.openAt(libc.AT_FDCWD, enc.encode(top), libc.O_RDONLY | libc.O_DIRECTORY);
    const seg = enc.encode("d".repeat(250));
    for (let i = 0; i < 18; i++) {
      libc.mkdirAt(fd, seg, 0o755);
      const next = libc.openAt(fd, seg, libc.O_RDONLY | libc.O_DIRECTORY);
      libc.closeFd(fd);
      fd = next;
    }
    const f = libc.openAt(fd, enc.encode("f"), libc.O_WRONLY | libc.O_CREAT, 0o644);
    libc.writeAll(f, new Uint8Array(withFile ? 100 : 0));
    libc.closeFd(f);
    libc.closeFd(fd);
    out.push([`a tree deeper than PATH_MAX (${withFile ? "a 100-byte" : "an empty"} file)`, top]);
  }
  return out;
}

Deno.test({
  name: "readDirectoryTree() matches C's image or error line on fixed sources",
  ignore: !oracle || !ffi,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-dirdiff-" });
    try {
      const failures: string[] = [];
      for (const [what, src] of await scenarios(work)) {
        for (const combo of [COMBOS[0]!, COMBOS[1]!, COMBOS[8]!]) {
          const f = await compare(src, combo, work, 2);
          if (f !== null) failures.push(`${what}: ${f}`);
        }
      }
      assert.deepEqual(failures, []);
    } finally {
      const shm = await Deno.realPath(`${work}/shm`).catch(() => null);
      if (shm !== null) await Deno.remove(shm, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});

/** Runs a command as `nobody` (setpriv); null when that is not possible. */
async function asNobody(args: string[], env: Record<string, string> = {}) {
  const r = await new Deno.Command("setpriv", {
    args: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output().catch(() => null);
  if (r === null) return null;
  return {
    code: r.code,
    out: new TextDecoder().decode(r.stdout),
    err: new TextDecoder().decode(r.stderr),
  };
}

Deno.test({
  name: "readDirectoryTree() reports permission errors as C does (run as nobody)",
  ignore: !oracle || !ffi || !root || !nobodyCanRunBoth(),
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-perm-" });
    try {
      await Deno.chmod(work, 0o755);
      const runner = `${work}/runner.ts`;
      await Deno.writeTextFile(
        runner,
        `import { readDirectoryTree } from "${new URL("../../src/fs/scan.ts", import.meta.url)}";
import { buildImageFromTree } from "${new URL("../../spec/image.ts", import.meta.url)}";
try {
  const img = buildImageFromTree(await readDirectoryTree(Deno.args[0], { threads: 2 }));
  await Deno.writeFile(Deno.args[1], img);
} catch (e) { console.error("mkcomposefs: " + e.message); Deno.exit(1); }`,
      );
      const denoDir = `${work}/deno-dir`;
      await Deno.mkdir(denoDir);
      await Deno.chown(denoDir, 65534, 65534);
      const out = `${work}/out`;
      await Deno.mkdir(out);
      await Deno.chown(out, 65534, 65534);
      const cases: [string, (src: string) => Promise<void>][] = [
        ["an unreadable directory", async (src) => {
          await Deno.mkdir(`${src}/a/locked`, { recursive: true });
          await Deno.chmod(`${src}/a/locked`, 0o311);
        }],
        ["an unreadable file of 100 bytes", async (src) => {
          await Deno.writeFile(`${src}/f`, new Uint8Array(100), { mode: 0o200 });
          await Deno.chmod(`${src}/f`, 0o200);
        }],
        ["an unreadable file of 10 bytes", async (src) => {
          await Deno.writeFile(`${src}/f`, new Uint8Array(10));
          await Deno.chmod(`${src}/f`, 0o000);
        }],
        ["an unreadable empty file", async (src) => {
          await Deno.writeFile(`${src}/f`, new Uint8Array(0));
          await Deno.chmod(`${src}/f`, 0o000);
        }],
        ["an untraversable directory", async (src) => {
          await Deno.mkdir(`${src}/d`);
          await Deno.writeFile(`${src}/d/x`, new Uint8Array(3));
          await Deno.chmod(`${src}/d`, 0o644);
        }],
      ];
      const failures: string[] = [];
      for (const [i, [what, make]] of cases.entries()) {
        const src = `${work}/src${i}`;
        await Deno.mkdir(src);
        await Deno.chmod(src, 0o755);
        await make(src);
        const c = await asNobody([`${oracle}/mkcomposefs`, src, `${out}/c${i}.img`]);
        const ours = await asNobody(
          [Deno.execPath(), "run", "--quiet", "--no-lock", "-A", runner, src, `${out}/o${i}.img`],
          { DENO_DIR: denoDir, HOME: work },
        );
        if (c === null || ours === null) return; // no setpriv
        if (c.code !== ours.code || c.err.trim() !== ours.err.trim()) {
          failures.push(
            `${what}: C ${c.code} ${JSON.stringify(c.err)}, ours ${ours.code} ${
              JSON.stringify(ours.err)
            }`,
          );
        } else if (c.code === 0) {
          const [a, b] = [
            await Deno.readFile(`${out}/c${i}.img`),
            await Deno.readFile(`${out}/o${i}.img`),
          ];
          if (firstDifference(a, b) >= 0) failures.push(`${what}: images differ`);
        }
      }
      assert.deepEqual(failures, []);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
