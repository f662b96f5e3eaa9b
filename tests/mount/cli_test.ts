/**
 * The mount.composefs command line, run as `deno task mount-composefs` runs it: mount(8)'s
 * argument form, `-t`, `-n`, `-v`, `-h`, each error as one stderr line with exit 1, and
 * `mount -t composefs` through a temporary /sbin helper. Then, with `CFS_ORACLE`, the C helper
 * against ours: the same verdicts for argument lists and option strings, and the same kernel
 * view of the same images (whiteouts included).
 *
 * One file on purpose: the C helper and our CLI both make `/tmp/.composefs.*` folders, and the
 * leftover check must not see the other's while it runs.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { diskTreeArb, showTree, writeDiskTree } from "../_disk_tree.ts";
import { mountComposefs } from "../../src/mount/mount.ts";
import { MountError, MountOptionError } from "../../src/mount/errors.ts";
import { parseMountOptions } from "../../src/mount/options.ts";
import { cHelper, message, ourCommand, runC, runOurs } from "./_cli_run.ts";
import {
  buildImage,
  canMount,
  diffSnapshots,
  makeScratch,
  mountsUnder,
  type Scratch,
  snapshot,
  unmount,
  verityAvailable,
} from "./_mount_env.ts";

const ignore = !canMount();
const helper = cHelper();
const enc = new TextEncoder();

function tmpFolders(): string[] {
  return [...Deno.readDirSync("/tmp")].map((e) => e.name).filter((n) =>
    n.startsWith(".composefs.")
  );
}

async function hello(): Promise<Scratch> {
  const s = await makeScratch();
  writeDiskTree(s.src, [{
    name: enc.encode("hello"),
    perm: 0o755,
    mtimeSec: 1700000000n,
    mtimeNsec: 5,
    xattrs: [],
    kind: "file",
    size: 5000,
    seed: 9,
  }]);
  await buildImage(s);
  return s;
}

Deno.test("mount.composefs prints C's errors for bad arguments, one line, exit 1", async () => {
  const cases: [string[], string][] = [
    [[], "No source path specified"],
    [["img"], "No mount path specified"],
    [["-t", "ext4", "i", "t"], "Unsupported fs type 'ext4'"],
    [["-x", "i", "t"], "invalid option -- 'x'"],
    [["i", "t", "-o", "foo,basedir=/o"], "Unsupported option foo"],
    [["i", "t", "-o", "ro"], "No object dirs specified"],
    [
      ["i", "t", "-o", "basedir=/o,upperdir=/u"],
      "Both workdir and upperdir must be specified if used",
    ],
  ];
  for (const [args, text] of cases) {
    const r = await runOurs(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stderr, `mount.composefs: ${text}\n`);
  }
  const bad = await runOurs(["-o", "basedir=/o", "i", "t"], { CFS_MOUNT_FORCE: "nope" });
  assert.equal(bad.stderr, "mount.composefs: CFS_MOUNT_FORCE: unknown fallback 'nope'\n");
  const help = await runOurs(["-h"]);
  assert.equal(help.code, 0);
  assert.match(help.stderr, /^usage: mount\.composefs \[-t type\]/);
});

Deno.test({
  name: "mount.composefs mounts as mount(8) calls it (IMAGE TARGET -n -v -o rw,…)",
  ignore,
  fn: async () => {
    const s = await hello();
    const before = tmpFolders();
    try {
      for (const force of ["", "loop,legacy-erofs,legacy-overlay"]) {
        const r = await runOurs([s.image, s.mnt, "-n", "-v", "-o", `rw,basedir=${s.objects}`], {
          CFS_MOUNT_FORCE: force,
        });
        assert.equal(r.stderr, "");
        assert.equal(r.code, 0);
        const how = force === "" ? "the image file via fsconfig, overlayfs via fsconfig" : "";
        assert.match(r.stdout, new RegExp(`^mount\\.composefs: mounted ${s.image} on ${s.mnt} `));
        if (how) assert.ok(r.stdout.includes(how), r.stdout);
        else assert.match(r.stdout, /loop device \/dev\/loop\d+ via legacy, overlayfs via legacy/);
        try {
          assert.deepEqual(diffSnapshots(snapshot(s.src), snapshot(s.mnt)), []);
        } finally {
          unmount(s.mnt);
        }
      }
      const ro = await runOurs([
        "-t",
        "composefs",
        "-o",
        `ro,basedir=${s.objects}`,
        s.image,
        s.mnt,
      ]);
      assert.equal(ro.code, 0, ro.stderr);
      unmount(s.mnt);
      assert.deepEqual(mountsUnder(s.dir), []);
      assert.deepEqual(tmpFolders(), before);
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mount.composefs reports mount failures in one line naming the image, exit 1",
  ignore,
  fn: async () => {
    const s = await hello();
    const o = `basedir=${s.objects}`;
    try {
      const expect = async (args: string[], text: string) => {
        const r = await runOurs(args);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `mount.composefs: ${text}\n`);
      };
      await expect(
        ["-o", o, `${s.dir}/none`, s.mnt],
        `Failed to open ${s.dir}/none: No such file or directory`,
      );
      await expect(
        ["-o", o, s.objects, s.mnt],
        `Failed to mount composefs ${s.objects}: Is a directory`,
      );
      await expect(
        ["-o", `${o},idmap=${s.image}`, s.image, s.mnt],
        `Failed to open userns ${s.image}: Not a user namespace`,
      );
      if (!await verityAvailable()) {
        await expect(
          ["-o", `${o},digest=${"0".repeat(64)}`, s.image, s.mnt],
          `Failed to mount composefs ${s.image}: Image has no fs-verity`,
        );
      }
      Deno.writeFileSync(s.image, new Uint8Array(4096));
      await expect(
        ["-o", o, s.image, s.mnt],
        `Failed to mount composefs ${s.image}: Not a composefs image: bad magic 0x00000000 in the header`,
      );
      assert.deepEqual(mountsUnder(s.dir), []);
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mount -t composefs runs our helper from /sbin",
  ignore: ignore || existsSync("/sbin/mount.composefs") || !existsSync("/usr/bin/mount"),
  fn: async () => {
    const s = await hello();
    const wrapper = "/sbin/mount.composefs";
    const quoted = ourCommand().map((w) => `'${w}'`).join(" ");
    Deno.writeTextFileSync(wrapper, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
    try {
      const out = await new Deno.Command("mount", {
        args: ["-t", "composefs", "-o", `ro,basedir=${s.objects}`, s.image, s.mnt],
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      try {
        assert.deepEqual(diffSnapshots(snapshot(s.src), snapshot(s.mnt)), []);
      } finally {
        unmount(s.mnt);
      }
    } finally {
      Deno.removeSync(wrapper);
      await s.cleanup();
    }
  },
});

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Against the C helper.

Deno.test({
  name: "mount.composefs and the C helper give the same verdict on argument lists",
  ignore: helper === undefined,
  fn: async () => {
    const cases = [
      [],
      ["img"],
      ["-t", "ext4", "i", "t"],
      ["-x", "i", "t"],
      ["i", "t", "-o"],
      ["-o", "basedir=/x", "-o", "ro", "/nonexistent/i", "t"],
      ["-t", "composefs", "/nonexistent/i", "t", "-o", "basedir=/x"],
      ["--", "/nonexistent/i", "t"],
      ["-obasedir=/x", "/nonexistent/i", "t"],
    ];
    for (const args of cases) {
      const [c, ours] = [await runC(args), await runOurs(args)];
      assert.equal(ours.code, c.code, args.join(" "));
      assert.equal(message(ours), message(c), args.join(" "));
    }
    const h = [await runC(["-h"]), await runOurs(["-h"])];
    assert.deepEqual(h.map((r) => r.code), [0, 0]);
    // Known differences: C rejects -n and -v (mount(8) passes them) and ignores a third path.
    assert.equal(message(await runC(["-n", "i", "t"])), "invalid option -- 'n'");
    assert.equal(
      message(await runC(["-o", "basedir=/x", "/nonexistent/i", "t", "x"])),
      "Failed to open /nonexistent/i: No such file or directory",
    );
  },
});

/** Our verdict for an option string, as C's message would read. */
function ourVerdict(options: string): string {
  try {
    const o = parseMountOptions(options);
    mountComposefs({ ...o, image: "/nonexistent/image", target: "/nonexistent/target" });
    return "mounted";
  } catch (e) {
    if (e instanceof MountOptionError) {
      return e.code === "EINVALDIGEST"
        ? "bad digest"
        : e.message.replace('option ""', "option").trimEnd();
    }
    if (e instanceof MountError) return e.message;
    throw e;
  }
}

const TOKENS = [
  "ro",
  "rw",
  "verity",
  "tryverity",
  "basedir=/x",
  "basedir=/a:/b",
  "basedir=",
  "basedir",
  "basedir=a::b",
  "basedir=:a",
  "upperdir=/u",
  "workdir=/w",
  "upperdir",
  "idmap=/nonexistent",
  "idmap=/proc/self/ns/user",
  `digest=${"ab".repeat(32)}`,
  "digest",
  "foo",
  "",
  "ro=1",
  "basedir=/x\\,y",
  "BASEDIR=/x",
  "verity=0",
  "=x",
  "\\",
  "r\\o",
  "basedir=/b\\:/c",
  "workdir",
];

Deno.test({
  name: "mount.composefs and the C helper accept and reject the same option strings",
  ignore: helper === undefined,
  fn: async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (tokens) => {
          const options = tokens.join(",");
          if (options.includes("\0")) return;
          const c = message(
            await runC(["-o", options, "/nonexistent/image", "/nonexistent/target"]),
          );
          const ours = ourVerdict(options);
          // Ours checks the digest with the options; C fails later, on the image.
          if (ours === "bad digest") assert.match(c, /^Failed to open/);
          else assert.equal(ours, c, options);
          n++;
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
    assert.ok(n > 250);
  },
});

Deno.test({
  name: "mount.composefs rejects digests that C accepts or fails on later (documented difference)",
  ignore: ignore || helper === undefined || await verityAvailable(),
  fn: async () => {
    const s = await hello();
    try {
      const nowhere = `${s.dir}/nowhere`;
      const verdict = async (digest: string) =>
        message(await runC(["-o", `basedir=${s.objects},digest=${digest}`, s.image, nowhere]));
      const noVerity = `Failed to mount composefs ${s.image}: Image has no fs-verity`;
      const invalid = `Failed to mount composefs ${s.image}: Invalid argument`;
      // 64 digits: both check the image (which has no fs-verity here).
      assert.equal(await verdict("ab".repeat(32)), noVerity);
      assert.equal(
        ourVerdict(`basedir=/x,digest=${"ab".repeat(32)}`),
        "Failed to open /nonexistent/image: No such file or directory",
      );
      // C takes any even count up to 128 digits, and "" as no digest at all; we refuse them.
      assert.equal(await verdict("ab".repeat(16)), noVerity);
      assert.equal(await verdict("ab".repeat(64)), noVerity);
      assert.match(await verdict(""), /No such file or directory$/); // mounted, then no target
      assert.equal(await verdict("abc"), invalid);
      assert.equal(await verdict("zz".repeat(32)), invalid);
      for (const d of ["ab".repeat(16), "ab".repeat(64), "", "abc", "zz".repeat(32)]) {
        assert.equal(ourVerdict(`basedir=/x,digest=${d}`), "bad digest");
      }
      assert.deepEqual(mountsUnder(s.dir), []);
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mount.composefs and the C helper show the same tree for the same image, whiteouts too",
  ignore: ignore || helper === undefined,
  fn: async () => {
    await fc.assert(
      fc.asyncProperty(diskTreeArb({ root: true, depth: 2, width: 5 }), async (entries) => {
        const s = await makeScratch();
        try {
          writeDiskTree(s.src, entries);
          await buildImage(s);
          const c = await runC(["-o", `basedir=${s.objects}`, s.image, s.mnt]);
          assert.equal(c.code, 0, c.stderr);
          let theirs;
          try {
            theirs = snapshot(s.mnt);
          } finally {
            unmount(s.mnt);
          }
          mountComposefs({ image: s.image, target: s.mnt, basedirs: [s.objects], tmpdir: s.tmp });
          let ours;
          try {
            ours = snapshot(s.mnt);
          } finally {
            unmount(s.mnt);
          }
          const diff = diffSnapshots(theirs, ours);
          assert.deepEqual(diff, [], showTree(entries));
        } finally {
          await s.cleanup();
        }
      }),
      { numRuns: 10, seed: 99 },
    );
  },
});
