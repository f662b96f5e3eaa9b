/**
 * Random trees on disk → our mkcomposefs with `--digest-store` → our mountComposefs → the
 * kernel's view must equal the source tree (names, types, modes, owners, nanosecond mtimes,
 * sizes, symlink targets, device numbers, user.* xattrs, file contents), through every
 * path: file-backed or loop device, new mount API or mount(2) for EROFS and for overlayfs,
 * ro or rw. After each unmount no mount, loop device or temporary folder may remain.
 *
 * Needs root, erofs and overlayfs; ignored otherwise.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type DiskEntry, diskTreeArb, showTree, writeDiskTree } from "../_disk_tree.ts";
import { mountComposefs } from "../../src/mount/mount.ts";
import {
  buildImage,
  canMount,
  diffSnapshots,
  listDir,
  loopsBackedBy,
  makeScratch,
  mountsUnder,
  snapshot,
  unmount,
} from "./_mount_env.ts";

const ignore = !canMount();

/**
 * A character device 0:0 is an overlay whiteout: the image stores it escaped, and the mount
 * shows an empty file with `user.overlay.whiteout` (as with the C tools). The whiteout test in
 * `mount_modes_test.ts` covers that; here devices 0:0 become 0:1.
 */
function noWhiteouts(entries: DiskEntry[]): DiskEntry[] {
  return entries.map((e) =>
    e.kind === "chr" && e.rdev === 0
      ? { ...e, rdev: 1 }
      : e.kind === "dir"
      ? { ...e, children: noWhiteouts(e.children) }
      : e
  );
}

const variantArb = fc.record({
  loop: fc.boolean(),
  legacyErofs: fc.boolean(),
  legacyOverlay: fc.boolean(),
  readonly: fc.boolean(),
});

const rootArb = fc.record({
  perm: fc.integer({ min: 0, max: 0o7777 }),
  mtimeSec: fc.bigInt({ min: 0n, max: 4000000000n }),
  mtimeNsec: fc.integer({ min: 0, max: 999999999 }),
  owner: fc.option(fc.record({ uid: fc.nat(70000), gid: fc.nat(70000) }), { nil: undefined }),
  xattrs: fc.constant([] as [Uint8Array, Uint8Array][]),
});

Deno.test({
  name: "mountComposefs() shows random trees exactly as the source, on every mount path",
  ignore,
  fn: async () => {
    let runs = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        diskTreeArb({ root: true, depth: 2, width: 5 }).map(noWhiteouts),
        rootArb,
        variantArb,
        async (entries, self, variant) => {
          const s = await makeScratch();
          try {
            writeDiskTree(s.src, entries, self);
            await buildImage(s);
            const expected = snapshot(s.src);
            const result = mountComposefs({
              image: s.image,
              target: s.mnt,
              basedirs: [s.objects],
              readonly: variant.readonly,
              tmpdir: s.tmp,
              force: variant,
            });
            seen.add(`${result.erofs.source}/${result.erofs.api}/${result.overlay}`);
            assert.equal(result.erofs.source, variant.loop ? "loop" : "file");
            assert.equal(result.erofs.api, variant.legacyErofs ? "legacy" : "fsconfig");
            assert.equal(result.overlay, variant.legacyOverlay ? "legacy" : "fsconfig");
            assert.deepEqual(listDir(s.tmp), [], "the temporary mount point is removed");
            let actual;
            try {
              actual = snapshot(s.mnt);
            } finally {
              unmount(s.mnt);
            }
            const diff = diffSnapshots(expected, actual);
            assert.deepEqual(diff, [], `${diff.slice(0, 5).join("\n")}\n${showTree(entries)}`);
            assert.deepEqual(mountsUnder(s.dir), []);
            assert.deepEqual(loopsBackedBy(s.image), []);
            runs++;
          } finally {
            await s.cleanup();
          }
        },
      ),
      { numRuns: 24, seed: 7101, endOnFailure: true },
    );
    assert.equal(runs, 24);
    assert.ok(seen.size >= 6, `paths covered: ${[...seen].join(", ")}`);
  },
});
