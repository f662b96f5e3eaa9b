/**
 * `deno task bundle`: `dist/mkcomposefs`, `dist/composefs-info` and `dist/mount.composefs` are
 * single files that run with `deno` alone. Built here into a temporary folder, copied where no
 * source is near, and run through their `#!/usr/bin/env -S deno run …` lines: dump files,
 * directories (the digest worker travels inside the bundle), composefs-info reading the result,
 * mount.composefs's argument and option errors, and (as root) one real mount.
 */
import assert from "node:assert/strict";
import { buildImageFromDump } from "../mod.ts";
import { toHex } from "../spec/bytes/compare.ts";
import { printDump } from "../spec/dump/print.ts";
import { readImage } from "../spec/erofs/read.ts";
import { fsverityDigest } from "../spec/fsverity/merkle.ts";
import { sha256Js } from "../spec/fsverity/sha256.ts";
import { oracleDir } from "./_oracle.ts";
import { runShell } from "./_workspace.ts";
import {
  buildImage,
  canMount,
  hasUnshare,
  listDir,
  makeScratch,
  mountsUnder,
} from "./mount/_mount_env.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const HELLO = await Deno.readFile(`${ROOT}examples/hello.dump`);
const HELLO_IMAGE = buildImageFromDump(HELLO);
const HELLO_DIGEST = toHex(fsverityDigest(HELLO_IMAGE, sha256Js));
const oracle = oracleDir();
const TOOLS = ["mkcomposefs", "composefs-info", "mount.composefs"];

/** Runs `deno task bundle --out-dir DIR` in the repository and returns DIR. */
async function bundle(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-ts-dist-" });
  const r = await runShell(`deno task bundle --out-dir '${dir}'`, ROOT);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** A folder with the bundles and the test inputs, away from the repository. */
async function isolate(dist: string): Promise<string> {
  const w = await Deno.makeTempDir({ prefix: "cfs-ts-bundle-" });
  for (const name of TOOLS) {
    await Deno.copyFile(`${dist}/${name}`, `${w}/${name}`);
    await Deno.chmod(`${w}/${name}`, 0o755);
  }
  await Deno.writeFile(`${w}/in.dump`, HELLO);
  await Deno.mkdir(`${w}/tree/sub`, { recursive: true });
  await Deno.writeTextFile(`${w}/tree/small`, "tiny\n");
  await Deno.writeFile(`${w}/tree/sub/big`, new Uint8Array(300_000).fill(7));
  await Deno.symlink("small", `${w}/tree/link`);
  return w;
}

const dist = await bundle();

Deno.test("deno task bundle writes three executables with least-permission shebang lines", async () => {
  const first = async (name: string) =>
    (await Deno.readTextFile(`${dist}/${name}`)).split("\n", 1)[0];
  assert.equal(
    await first("mkcomposefs"),
    "#!/usr/bin/env -S deno run --v8-flags=--max-semi-space-size=1 --no-prompt --allow-read --allow-write --allow-ffi --allow-env=CFS_PARSE_STRICT",
  );
  assert.equal(
    await first("composefs-info"),
    "#!/usr/bin/env -S deno run --v8-flags=--max-semi-space-size=2 --no-prompt --allow-read",
  );
  assert.equal(
    await first("mount.composefs"),
    "#!/usr/bin/env -S deno run --no-prompt --allow-write=/tmp --allow-ffi --allow-env=CFS_MOUNT_FORCE",
  );
  for (const name of TOOLS) {
    const st = await Deno.stat(`${dist}/${name}`);
    assert.equal(st.mode! & 0o111, 0o111, `${name} is executable`);
    const code = await Deno.readTextFile(`${dist}/${name}`);
    assert.ok(!code.includes(ROOT), `${name} refers to no file of the checkout`);
    assert.doesNotMatch(code, /new URL\(\s*["'][^"']+["']\s*,\s*import\.meta\.url/);
  }
});

Deno.test("the bundled mkcomposefs builds a dump file and composefs-info reads it back", async () => {
  const w = await isolate(dist);
  try {
    const mk = await runShell("./mkcomposefs --from-file --print-digest in.dump image.cfs", w);
    assert.equal(mk.code, 0, mk.stderr);
    assert.equal(mk.stdout, HELLO_DIGEST + "\n");
    assert.deepEqual(await Deno.readFile(`${w}/image.cfs`), HELLO_IMAGE);
    const info = await runShell("./composefs-info dump image.cfs", w);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(info.stdout, new TextDecoder().decode(printDump(readImage(HELLO_IMAGE))));
    const pipe = await runShell("./mkcomposefs --from-file - - < in.dump > piped.cfs", w);
    assert.equal(pipe.code, 0, pipe.stderr);
    assert.deepEqual(await Deno.readFile(`${w}/piped.cfs`), HELLO_IMAGE);
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test("the bundled mkcomposefs reads a directory with its inlined digest worker", async () => {
  const w = await isolate(dist);
  try {
    const ours = await runShell("./mkcomposefs --print-digest tree image.cfs", w);
    assert.equal(ours.code, 0, ours.stderr);
    const fromSource = await runShell(`deno run -A '${ROOT}cli.ts' --print-digest-only tree`, w);
    assert.equal(fromSource.code, 0, fromSource.stderr);
    assert.equal(ours.stdout, fromSource.stdout);
    if (oracle) {
      const c = await runShell(`'${oracle}/mkcomposefs' --print-digest-only tree`, w);
      assert.equal(ours.stdout, c.stdout, "C mkcomposefs prints the same digest");
    }
    const names = readImage(await Deno.readFile(`${w}/image.cfs`)).children.map((c) =>
      new TextDecoder().decode(c.name)
    );
    assert.deepEqual(names, ["link", "small", "sub"]);
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test("the bundled tools answer --help and --tool-version without any permission", async () => {
  const w = await isolate(dist);
  try {
    const help = await runShell("deno run mkcomposefs --help", w);
    assert.equal(help.code, 0);
    assert.match(help.stderr, /^Usage: mkcomposefs \[OPTIONS\] SOURCE IMAGE\n/);
    const version = await runShell("deno run mkcomposefs --tool-version", w);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^cfs-ts mkcomposefs \d+\.\d+\.\d+ .*format versions 0 and 1/);
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test("the bundled mount.composefs answers -h and reports argument errors in one line", async () => {
  const w = await isolate(dist);
  try {
    const help = await runShell("./mount.composefs -h", w);
    assert.equal(help.code, 0);
    assert.match(help.stderr, /^usage: mount\.composefs \[-t type\] \[-o opt\[,opts\.\.\]\]/);
    const cases: [string, string][] = [
      ["", "No source path specified"],
      ["-t ext4 i t", "Unsupported fs type 'ext4'"],
      ["-o ro i t", "No object dirs specified"],
      ["-o foo,basedir=/o i t", "Unsupported option foo"],
    ];
    if (Deno.build.os === "linux") {
      // Opened through libc: FFI is granted and no read permission is needed.
      cases.push([
        "-o basedir=/o missing.cfs t",
        "Failed to open missing.cfs: No such file or directory",
      ]);
    }
    for (const [args, text] of cases) {
      const r = await runShell(`./mount.composefs ${args}`, w);
      assert.equal(r.code, 1, args);
      assert.equal(r.stderr, `mount.composefs: ${text}\n`, args);
    }
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test({
  name: "the bundled mount.composefs mounts an image with its shebang permissions (root)",
  ignore: !canMount() || !hasUnshare(),
  fn: async () => {
    const s = await makeScratch();
    try {
      const content = "hello from the object store\n".repeat(300);
      await Deno.writeTextFile(`${s.src}/hello`, content);
      await buildImage(s);
      await Deno.copyFile(`${dist}/mount.composefs`, `${s.dir}/mount.composefs`);
      await Deno.chmod(`${s.dir}/mount.composefs`, 0o755);
      // The tool makes its temporary EROFS mount point in /tmp, as C does; a private mount
      // namespace whose /tmp is s.tmp keeps it from the mount tests running in parallel (they
      // count /tmp/.composefs.* folders). s.dir stays reachable inside as /tmp/w.
      const script = [
        "mkdir tmp/w",
        "mount --bind . tmp/w",
        "mount --rbind tmp /tmp",
        "cd /tmp/w",
        "./mount.composefs -v -o ro,basedir=objects image.cfs mnt",
        "cat mnt/hello > seen",
        "umount mnt",
      ].join(" && ");
      const r = await runShell(`unshare --mount --propagation private sh -c '${script}'`, s.dir);
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^mount\.composefs: mounted image\.cfs on mnt \(EROFS from /);
      assert.equal(await Deno.readTextFile(`${s.dir}/seen`), content);
      assert.deepEqual(mountsUnder(s.dir), []);
      assert.deepEqual(listDir(s.tmp), ["w"], "the temporary mount point is removed");
    } finally {
      await s.cleanup();
    }
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dist, { recursive: true });
});
