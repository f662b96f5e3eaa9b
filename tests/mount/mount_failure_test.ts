/**
 * Every failure path of mountComposefs(): the error's code and one-line message (naming the
 * image, option or path and the reason), and that nothing is left behind: no mount under the
 * scratch folder, no loop device on the image, no temporary folder.
 *
 * The option errors need nothing; the rest need root, erofs and overlayfs.
 */
import assert from "node:assert/strict";
import { writeDiskTree } from "../_disk_tree.ts";
import { mountComposefs, type MountComposefsOptions } from "../../src/mount/mount.ts";
import { MountError, MountOptionError } from "../../src/mount/errors.ts";
import * as ffi from "../../src/fs/mount_ffi.ts";
import {
  buildImage,
  canMount,
  hasUnshare,
  listDir,
  loopsBackedBy,
  makeScratch,
  mountsUnder,
  type Scratch,
  verityAvailable,
  withUserns,
} from "./_mount_env.ts";

const ignore = !canMount();
const enc = new TextEncoder();

/** The error of a mount that must fail, as `code: message`, after the leftover checks. */
function failure(
  s: Scratch,
  extra: Partial<MountComposefsOptions>,
  ownMounts: string[] = [],
): string {
  let text = "mounted";
  try {
    mountComposefs({
      image: s.image,
      target: s.mnt,
      basedirs: [s.objects],
      tmpdir: s.tmp,
      ...extra,
    });
  } catch (e) {
    if (!(e instanceof MountError || e instanceof MountOptionError)) throw e;
    assert.doesNotMatch(e.message, /\n/);
    text = `${e.code}: ${e.message}`;
  }
  assert.deepEqual(mountsUnder(s.dir), ownMounts, "nothing stays mounted");
  if (extra.image === undefined) {
    try {
      assert.deepEqual(loopsBackedBy(s.image), [], "no loop device stays bound");
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  assert.deepEqual(listDir(s.tmp), [], "no temporary folder is left");
  return text;
}

/** A scratch folder with a small valid image and its objects. */
async function validScratch(): Promise<Scratch> {
  const s = await makeScratch();
  writeDiskTree(s.src, [{
    name: enc.encode("file"),
    perm: 0o644,
    mtimeSec: 0n,
    mtimeNsec: 0,
    xattrs: [],
    kind: "file",
    size: 9000,
    seed: 1,
  }]);
  await buildImage(s);
  return s;
}

Deno.test("mountComposefs() rejects invalid options before touching anything", () => {
  const base = { image: "/nonexistent/i.cfs", target: "/nonexistent/m" };
  const code = (o: Partial<MountComposefsOptions>) => {
    try {
      mountComposefs({ ...base, basedirs: ["/o"], ...o });
    } catch (e) {
      assert.ok(e instanceof MountOptionError, String(e));
      return e.code;
    }
    return "ok";
  };
  assert.equal(code({ basedirs: [] }), "ENOBASEDIR");
  assert.equal(code({ basedirs: ["/o", ""] }), "EBASEDIRFORMAT");
  assert.equal(code({ upperdir: "/u" }), "EUPPERWORK");
  assert.equal(code({ workdir: "/w" }), "EUPPERWORK");
  assert.equal(code({ digest: "abc" }), "EINVALDIGEST");
});

Deno.test({
  name: "mountComposefs() names a missing or unreadable image",
  ignore,
  fn: async () => {
    const s = await makeScratch();
    try {
      assert.equal(
        failure(s, {}),
        `ENOENT: Failed to open ${s.image}: No such file or directory`,
      );
      Deno.mkdirSync(s.image);
      assert.equal(
        failure(s, {}),
        `EISDIR: Failed to mount composefs ${s.image}: Is a directory`,
      );
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() rejects files that are not composefs images",
  ignore,
  fn: async () => {
    const s = await validScratch();
    const good = Deno.readFileSync(s.image);
    const prefix = `ENOTCOMPOSEFS: Failed to mount composefs ${s.image}: Not a composefs image: `;
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), "the file has 0 bytes, too short for a composefs header"],
      [new Uint8Array(8192).fill(0x41), "bad magic 0x41414141 in the header"],
      [good.slice(0, 1000), "the file has 1000 bytes, too short for an EROFS superblock"],
    ];
    const badVersion = good.slice();
    badVersion[4] = 2;
    cases.push([badVersion, "unsupported composefs header version 2"]);
    const badSuper = good.slice();
    badSuper[1024] = 0;
    cases.push([badSuper, "bad EROFS superblock magic 0xe0f5e100"]);
    try {
      for (const [bytes, why] of cases) {
        Deno.writeFileSync(s.image, bytes);
        assert.equal(failure(s, {}), prefix + why);
      }
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() cleans up when the kernel rejects the EROFS image, loop device too",
  ignore,
  fn: async () => {
    const s = await validScratch();
    try {
      const bytes = Deno.readFileSync(s.image);
      bytes[1024 + 0x0c] = 20; // blkszbits: 1 MiB blocks, which EROFS refuses
      Deno.writeFileSync(s.image, bytes);
      for (const force of [{}, { loop: true }, { loop: true, legacyErofs: true }]) {
        assert.match(
          failure(s, { force }),
          new RegExp(
            `^EINVAL: Failed to mount composefs ${s.image}: Cannot mount the EROFS image: ` +
              "Invalid argument",
          ),
        );
      }
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() with digest= on a file without fs-verity says so",
  ignore: ignore || await verityAvailable(),
  fn: async () => {
    const s = await validScratch();
    try {
      assert.equal(
        failure(s, { digest: "00".repeat(32) }),
        `ENOVERITY: Failed to mount composefs ${s.image}: Image has no fs-verity`,
      );
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() names a missing or wrong idmap file",
  ignore,
  fn: async () => {
    const s = await validScratch();
    try {
      const missing = `${s.dir}/no-userns`;
      assert.equal(
        failure(s, { idmap: missing }),
        `ENOENT: Failed to open userns ${missing}: No such file or directory`,
      );
      for (const path of ["/proc/self/ns/mnt", s.image, s.dir]) {
        assert.equal(
          failure(s, { idmap: path }),
          `ENOTUSERNS: Failed to open userns ${path}: Not a user namespace`,
        );
      }
      // The userns is opened before the image, as in C.
      assert.match(failure(s, { idmap: missing, image: missing }), /^ENOENT: .*userns/);
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() with idmap on the legacy EROFS path names the missing feature",
  ignore: ignore || !hasUnshare(),
  fn: async () => {
    const s = await validScratch();
    try {
      await withUserns("0 100000 65536", (userns) => {
        assert.match(
          failure(s, { idmap: userns, force: { legacyErofs: true } }),
          new RegExp(`^ENOFEATURE: Failed to mount composefs ${s.image}: Idmapped mounts need`),
        );
        return Promise.resolve();
      });
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() names a missing or wrong basedir, upperdir, workdir or target",
  ignore,
  fn: async () => {
    const s = await validScratch();
    const m = `Failed to mount composefs ${s.image}:`;
    const nowhere = `${s.dir}/nowhere`;
    const up = `${s.dir}/up`;
    Deno.mkdirSync(up);
    try {
      assert.equal(
        failure(s, { basedirs: [s.objects, nowhere] }),
        `ENOENT: ${m} basedir ${nowhere}: No such file or directory`,
      );
      assert.equal(
        failure(s, { basedirs: [s.image] }),
        `ENOTDIR: ${m} basedir ${s.image}: Not a directory`,
      );
      assert.equal(
        failure(s, { upperdir: nowhere, workdir: up }),
        `ENOENT: ${m} upperdir ${nowhere}: No such file or directory`,
      );
      assert.equal(
        failure(s, { upperdir: up, workdir: nowhere }),
        `ENOENT: ${m} workdir ${nowhere}: No such file or directory`,
      );
      assert.equal(
        failure(s, { target: nowhere }),
        `ENOENT: ${m} mount point ${nowhere}: No such file or directory`,
      );
      assert.equal(
        failure(s, { target: s.image }),
        `ENOTDIR: ${m} mount point ${s.image}: Not a directory`,
      );
      assert.match(
        failure(s, { tmpdir: nowhere }),
        new RegExp(`^EIO: ${m} Cannot make a temporary folder in ${nowhere}: `),
      );
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() cleans up when overlayfs fails after the image is mounted",
  ignore,
  fn: async () => {
    const s = await validScratch();
    // upperdir and workdir on different file systems: overlayfs refuses.
    const shm = `${s.dir}/shm`;
    const work = `${s.dir}/work`;
    Deno.mkdirSync(shm);
    Deno.mkdirSync(work);
    ffi.mountLegacy("tmpfs", shm, "tmpfs", 0, null);
    try {
      for (
        const force of [{}, { loop: true }, { legacyOverlay: true }, {
          loop: true,
          legacyOverlay: true,
        }]
      ) {
        const text = failure(s, { upperdir: shm, workdir: work, force }, [shm]);
        assert.match(text, new RegExp(`^E[A-Z]+: Failed to mount composefs ${s.image}: `));
        assert.match(text, /overlay/i);
      }
    } finally {
      ffi.umount2(shm, ffi.MNT_DETACH);
      await s.cleanup();
    }
  },
});
