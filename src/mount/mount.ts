/**
 * `mountComposefs()`: mounts a composefs image and its object store, as C `lcfs_mount_image`
 * (composefs 1.0.8) does, through FFI to libc (`src/fs/mount_ffi.ts`). Needs root (or
 * `CAP_SYS_ADMIN`) and the Deno permissions `--allow-ffi`, `--allow-read`, `--allow-write`.
 *
 * The sequence:
 * 1. Check the options (the same rules as the `-o` string, {@link assertValidMountOptions}).
 * 2. Open the `idmap` user namespace and check that it is one; open the image.
 * 3. With `digest`, ask the kernel for the image's fs-verity digest and compare.
 * 4. Read and check the composefs header (ACL flag) and the EROFS superblock magic.
 * 5. Check that the basedirs, `upperdir`, `workdir` and the target are directories.
 * 6. Mount the image read-only on a new private folder (`/tmp/.composefs.XXXXXX`), from the
 *    file or through a loop device, idmapped when asked (`erofs.ts`).
 * 7. Mount overlayfs onto the target (`overlay.ts`).
 * 8. Detach the image mount and remove the folder: the overlay keeps the image alive.
 *
 * Whatever fails, the `finally` blocks undo steps 6-8: nothing stays mounted and no loop
 * device or folder is left behind.
 *
 * @module
 */
import { SysError } from "../fs/errno.ts";
import * as ffi from "../fs/mount_ffi.ts";
import { checkImageHeader, checkVerityDigest, IMAGE_HEAD_SIZE } from "./image_check.ts";
import { type ErofsForce, type ErofsMountInfo, mountErofsImage } from "./erofs.ts";
import { MountError } from "./errors.ts";
import { assertValidMountOptions } from "./options.ts";
import { mountOverlay, type OverlayApi } from "./overlay.ts";

/** `ENODATA`, `ENOTTY`, `EOPNOTSUPP`: what "no fs-verity here" looks like (as C). */
const NO_VERITY_ERRNOS = [61, 25, 95];

/** Everything {@link mountComposefs} needs; the `-o` keys of mount.composefs and more. */
export interface MountComposefsOptions {
  /** The composefs image file. */
  image: string;
  /** The mount point (an existing directory). */
  target: string;
  /** `basedir=`: the object directories, at least one (data-only layers, in order). */
  basedirs: readonly string[];
  /** `digest=`: the image's fs-verity digest (64 hex digits); implies `verity`. */
  digest?: string | undefined;
  /** `verity`: require fs-verity digests on every file (overlayfs `verity=require`). */
  verity?: boolean | undefined;
  /** `tryverity`: `verity=require` where the kernel supports it. */
  tryVerity?: boolean | undefined;
  /** `idmap=`: a user namespace file (`/proc/PID/ns/user`) whose ID mapping to use. */
  idmap?: string | undefined;
  /** `upperdir=`: a writable upper layer; needs `workdir`. */
  upperdir?: string | undefined;
  /** `workdir=`: the overlayfs work directory, on the same file system as `upperdir`. */
  workdir?: string | undefined;
  /** `ro`: mount read-only. */
  readonly?: boolean | undefined;
  /** Where to make the temporary image mount point (default `/tmp`, as C). */
  tmpdir?: string | undefined;
  /** Force fallback paths, for tests on kernels that do not need them. */
  force?: MountForce | undefined;
}

/** Fallbacks to take even when the kernel does not need them (for tests). */
export interface MountForce extends ErofsForce {
  /** Mount overlayfs with `mount(2)` and the `::` option string. */
  legacyOverlay?: boolean;
}

/** How the mount was made. */
export interface MountComposefsResult {
  /** How the image was mounted (file or loop device, API). */
  erofs: ErofsMountInfo;
  /** How overlayfs was mounted. */
  overlay: OverlayApi;
}

function openImage(path: string): number {
  try {
    return ffi.openPath(path, ffi.O_RDONLY);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    throw new MountError(`Failed to open ${path}: ${e.message}`, e.code, e.errno);
  }
}

function openUserns(path: string): number {
  let fd: number;
  try {
    fd = ffi.openPath(path, ffi.O_RDONLY | ffi.O_NOCTTY);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    throw new MountError(`Failed to open userns ${path}: ${e.message}`, e.code, e.errno);
  }
  let type = 0;
  try {
    type = ffi.nsGetType(fd);
  } catch {
    // Not a namespace file at all.
  }
  if (type !== ffi.CLONE_NEWUSER) {
    ffi.closeFd(fd);
    throw new MountError(`Failed to open userns ${path}: Not a user namespace`, "ENOTUSERNS");
  }
  return fd;
}

function readHead(fd: number): Uint8Array {
  const buf = new Uint8Array(IMAGE_HEAD_SIZE);
  let n = 0;
  while (n < buf.length) {
    const got = ffi.preadFd(fd, buf.subarray(n), n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

function measure(fd: number, digest: string): void {
  let m: ffi.VerityMeasurement;
  try {
    m = ffi.measureVerity(fd);
  } catch (e) {
    if (e instanceof SysError && NO_VERITY_ERRNOS.includes(e.errno)) {
      throw new MountError("Image has no fs-verity", "ENOVERITY", e.errno);
    }
    throw e;
  }
  checkVerityDigest(m, digest);
}

function assertDirectory(what: string, path: string): void {
  try {
    ffi.assertDirectoryPath(path);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    throw new MountError(`${what} ${path}: ${e.message}`, e.code, e.errno);
  }
}

function makeTempDir(parent: string): string {
  try {
    return Deno.makeTempDirSync({ dir: parent, prefix: ".composefs." });
  } catch (e) {
    throw new MountError(
      `Cannot make a temporary folder in ${parent}: ${(e as Error).message}`,
      "EIO",
    );
  }
}

/** Steps 4-8 with the image open; `usernsFd` for idmap. */
function mountOpened(
  o: MountComposefsOptions,
  imageFd: number,
  usernsFd: number | undefined,
): MountComposefsResult {
  if (o.digest !== undefined) measure(imageFd, o.digest);
  const { hasAcl } = checkImageHeader(readHead(imageFd));
  for (const d of o.basedirs) assertDirectory("basedir", d);
  if (o.upperdir !== undefined) assertDirectory("upperdir", o.upperdir);
  if (o.workdir !== undefined) assertDirectory("workdir", o.workdir);
  assertDirectory("mount point", o.target);

  const tmp = makeTempDir(o.tmpdir ?? "/tmp");
  let mounted = false;
  try {
    const erofs = mountErofsImage({
      imageFd,
      imagePath: o.image,
      target: tmp,
      hasAcl,
      usernsFd,
      force: o.force,
    });
    mounted = true;
    const overlay = mountOverlay({
      lower: tmp,
      basedirs: o.basedirs,
      upperdir: o.upperdir,
      workdir: o.workdir,
      requireVerity: o.verity === true || o.digest !== undefined,
      tryVerity: o.tryVerity === true,
      readonly: o.readonly === true,
      target: o.target,
      forceLegacy: o.force?.legacyOverlay,
    });
    return { erofs, overlay };
  } finally {
    if (mounted) {
      try {
        ffi.umount2(tmp, ffi.MNT_DETACH);
      } catch {
        // Nothing more we can do; the folder removal below then fails too.
      }
    }
    try {
      Deno.removeSync(tmp);
    } catch {
      // As C: a folder we cannot remove is left, but never a mount.
    }
  }
}

/**
 * Mounts the composefs image `options.image` with its object directories onto
 * `options.target`, as C mount.composefs 1.0.8 does (see the module doc for the steps).
 * Returns how the mount was made. Throws {@link MountOptionError} for invalid options and
 * {@link MountError} (message naming the image or path and the reason) for everything else;
 * then nothing stays mounted.
 *
 * @example Mount an image with its object store (needs root)
 * ```ts ignore
 * import { mountComposefs } from "./mount.ts";
 * mountComposefs({ image: "hello.cfs", target: "/mnt", basedirs: ["objects"], readonly: true });
 * ```
 */
export function mountComposefs(options: MountComposefsOptions): MountComposefsResult {
  assertValidMountOptions(options);
  const usernsFd = options.idmap === undefined ? undefined : openUserns(options.idmap);
  try {
    const imageFd = openImage(options.image);
    try {
      return mountOpened(options, imageFd, usernsFd);
    } catch (e) {
      // C's wording: `Failed to mount composefs IMAGE: <reason>`.
      if (!(e instanceof MountError || e instanceof SysError)) throw e;
      throw new MountError(
        `Failed to mount composefs ${options.image}: ${e.message}`,
        e.code,
        e.errno,
      );
    } finally {
      ffi.closeFd(imageFd);
    }
  } finally {
    if (usernsFd !== undefined) ffi.closeFd(usernsFd);
  }
}
