/**
 * mountComposefs() options on a fixed tree: `ro`, `upperdir`/`workdir` (writes land in the
 * upper directory), `idmap` (owners shifted by a user namespace), several basedirs, images with
 * ACLs, `verity`/`tryverity`, and `digest=` where the file system has fs-verity.
 *
 * Needs root, erofs and overlayfs; ignored otherwise. The fs-verity cases are ignored where the
 * scratch file system cannot enable fs-verity (our machines).
 */
import assert from "node:assert/strict";
import { type DiskEntry, writeDiskTree } from "../_disk_tree.ts";
import * as libc from "../../src/fs/libc.ts";
import { mountComposefs, type MountComposefsOptions } from "../../src/mount/mount.ts";
import { MountError } from "../../src/mount/errors.ts";
import { nodeSha256 } from "../../src/crypto/sha256.ts";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { toHex } from "../../spec/bytes/compare.ts";
import {
  buildImage,
  canMount,
  diffSnapshots,
  enableVerity,
  hasUnshare,
  listDir,
  loopsBackedBy,
  makeScratch,
  mountsUnder,
  readText,
  type Scratch,
  snapshot,
  unmount,
  verityAvailable,
  withUserns,
} from "./_mount_env.ts";

const ignore = !canMount();
const enc = new TextEncoder();

const common = (name: string, uid: number, gid: number) => ({
  name: enc.encode(name),
  perm: 0o640,
  mtimeSec: 1700000000n,
  mtimeNsec: 123456789,
  owner: { uid, gid },
  xattrs: [] as [Uint8Array, Uint8Array][],
});

/** Owners below and above the 65536 ids of the test user namespace. */
const FIXED: DiskEntry[] = [
  { ...common("big", 0, 0), kind: "file", size: 20000, seed: 1 },
  { ...common("small", 1000, 2000), kind: "file", size: 10, seed: 2 },
  {
    ...common("d", 65535, 65535),
    perm: 0o755,
    kind: "dir",
    children: [
      // World-readable: root cannot override permissions on an unmapped owner in an idmapped mount.
      { ...common("inner", 70000, 70000), perm: 0o644, kind: "file", size: 5000, seed: 3 },
      { ...common("link", 5, 6), perm: 0o777, kind: "symlink", target: enc.encode("../big") },
    ],
  },
];

/** A scratch folder holding the fixed tree, its image and objects. */
async function fixedScratch(): Promise<Scratch> {
  const s = await makeScratch();
  writeDiskTree(s.src, FIXED, { ...common("", 0, 0), perm: 0o755 });
  await buildImage(s);
  return s;
}

/** Mounts with `extra` options, runs `body` on the mount, unmounts, checks leftovers. */
async function withMount(
  s: Scratch,
  extra: Partial<MountComposefsOptions>,
  body: () => void | Promise<void>,
): Promise<void> {
  mountComposefs({ image: s.image, target: s.mnt, basedirs: [s.objects], tmpdir: s.tmp, ...extra });
  try {
    await body();
  } finally {
    unmount(s.mnt);
  }
  assert.deepEqual(mountsUnder(s.dir), []);
  assert.deepEqual(loopsBackedBy(s.image), []);
  assert.deepEqual(listDir(s.tmp), []);
}

function writeError(path: string): string {
  try {
    Deno.writeTextFileSync(path, "new");
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "written";
}

function mountOptionsOf(target: string): string {
  const line = readText("/proc/self/mountinfo").split("\n")
    .find((l) => l.split(" ")[4] === target);
  assert.ok(line, `${target} is mounted`);
  return line;
}

Deno.test({
  name: "mountComposefs() with ro refuses writes; without an upperdir the mount is read-only too",
  ignore,
  fn: async () => {
    const s = await fixedScratch();
    try {
      await withMount(s, { readonly: true }, () => {
        assert.equal(writeError(`${s.mnt}/new`), "EROFS");
        assert.match(mountOptionsOf(s.mnt), / ro,/);
      });
      await withMount(s, {}, () => assert.equal(writeError(`${s.mnt}/new`), "EROFS"));
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() with upperdir/workdir writes to the upper directory",
  ignore,
  fn: async () => {
    const s = await fixedScratch();
    const upper = `${s.dir}/upper`;
    const work = `${s.dir}/work`;
    Deno.mkdirSync(upper);
    Deno.mkdirSync(work);
    try {
      for (const force of [{}, { legacyOverlay: true }]) {
        await withMount(s, { upperdir: upper, workdir: work, force }, () => {
          Deno.writeTextFileSync(`${s.mnt}/new`, "fresh");
          Deno.writeTextFileSync(`${s.mnt}/small`, "changed");
          assert.equal(Deno.readFileSync(`${s.mnt}/big`).length, 20000);
        });
        assert.equal(Deno.readTextFileSync(`${upper}/new`), "fresh");
        assert.equal(Deno.readTextFileSync(`${upper}/small`), "changed");
        assert.ok(!listDir(upper).includes("big"), "an unchanged file stays in the image");
        Deno.removeSync(`${upper}/new`);
        Deno.removeSync(`${upper}/small`);
      }
      // The image is unchanged; with ro the upper layer takes no writes.
      await withMount(s, { upperdir: upper, workdir: work, readonly: true }, () => {
        assert.equal(Deno.readTextFileSync(`${s.mnt}/small`).length, 10);
        assert.equal(writeError(`${s.mnt}/new`), "EROFS");
      });
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() with idmap shows owners through the user namespace's mapping",
  ignore: ignore || !hasUnshare(),
  fn: async () => {
    const s = await fixedScratch();
    try {
      const expected = snapshot(s.src);
      // Inner ids 0-65535 are outer 100000-165535; the others are unmapped: the overflow id.
      const shift = (id: number) => (id < 65536 ? id + 100000 : 65534);
      for (const e of expected.values()) {
        e.uid = shift(e.uid);
        e.gid = shift(e.gid);
      }
      await withUserns("0 100000 65536", async (userns) => {
        for (const force of [{}, { loop: true }, { legacyOverlay: true }]) {
          await withMount(s, { idmap: userns, force }, () => {
            assert.deepEqual(diffSnapshots(expected, snapshot(s.mnt)), []);
          });
        }
      });
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() looks objects up in every basedir, in order",
  ignore,
  fn: async () => {
    const s = await fixedScratch();
    try {
      const more = `${s.dir}/more`;
      Deno.mkdirSync(more);
      // Move half of the object folders to the second store.
      const dirs = listDir(s.objects);
      for (const d of dirs.slice(0, Math.ceil(dirs.length / 2))) {
        Deno.renameSync(`${s.objects}/${d}`, `${more}/${d}`);
      }
      const expected = snapshot(s.src);
      for (const force of [{}, { legacyOverlay: true }]) {
        await withMount(s, { basedirs: [s.objects, more], force }, () => {
          assert.deepEqual(diffSnapshots(expected, snapshot(s.mnt)), []);
        });
      }
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() mounts an image with ACLs without noacl",
  ignore,
  fn: async () => {
    const s = await makeScratch();
    try {
      writeDiskTree(s.src, [{ ...common("f", 0, 0), kind: "file", size: 100, seed: 4 }]);
      // struct posix_acl_xattr_header + user::rw-, group::r--, other::r--, mask::r--
      const acl = new Uint8Array([
        2,
        0,
        0,
        0,
        1,
        0,
        6,
        0,
        255,
        255,
        255,
        255,
        2,
        0,
        6,
        0,
        1,
        0,
        0,
        0,
        4,
        0,
        4,
        0,
        255,
        255,
        255,
        255,
        16,
        0,
        4,
        0,
        255,
        255,
        255,
        255,
        32,
        0,
        4,
        0,
        255,
        255,
        255,
        255,
      ]);
      const key = enc.encode("system.posix_acl_access");
      libc.lsetXattr(enc.encode(`${s.src}/f`), key, acl);
      await buildImage(s);
      await withMount(s, {}, () => {
        const got = libc.getXattrValue(enc.encode(`${s.mnt}/f`), key, true);
        assert.ok(got.length > 0, "the ACL is visible through the mount");
      });
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "mountComposefs() with verity or tryverity asks overlayfs for verity=require",
  ignore,
  fn: async () => {
    const s = await fixedScratch();
    try {
      await withMount(s, { verity: true }, () => {
        assert.match(mountOptionsOf(s.mnt), /verity=require/);
      });
      await withMount(s, { tryVerity: true }, () => {
        assert.match(mountOptionsOf(s.mnt), /verity=require/);
      });
      // C ignores tryverity on the legacy path.
      await withMount(s, { tryVerity: true, force: { legacyOverlay: true } }, () => {
        assert.doesNotMatch(mountOptionsOf(s.mnt), /verity=/);
      });
    } finally {
      await s.cleanup();
    }
  },
});

const verity = !ignore && await verityAvailable();

Deno.test({
  name: "mountComposefs() with digest= mounts a verity image and reads verified objects",
  ignore: !verity,
  fn: async () => {
    const s = await fixedScratch();
    try {
      const digest = toHex(fsverityDigest(Deno.readFileSync(s.image), nodeSha256));
      enableVerity(s.image);
      for (const obj of [...Deno.readDirSync(s.objects)]) {
        for (const f of Deno.readDirSync(`${s.objects}/${obj.name}`)) {
          enableVerity(`${s.objects}/${obj.name}/${f.name}`);
        }
      }
      await withMount(s, { digest }, () => {
        assert.deepEqual(diffSnapshots(snapshot(s.src), snapshot(s.mnt)), []);
      });
      const wrong = digest.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      assert.throws(
        () =>
          mountComposefs({ image: s.image, target: s.mnt, basedirs: [s.objects], digest: wrong }),
        (e) => e instanceof MountError && e.code === "EWRONGVERITY",
      );
      assert.deepEqual(mountsUnder(s.dir), []);
    } finally {
      await s.cleanup();
    }
  },
});
