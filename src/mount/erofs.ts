/**
 * Step one of a composefs mount: the EROFS image, read-only, on a private temporary folder.
 *
 * As in C lcfs-mount.c: the new mount API first (`fsopen("erofs")`, `source`, `ro`, `noacl`
 * unless the image has ACLs, then `mount_setattr` for an idmapped mount), the legacy `mount(2)`
 * where `fsopen` is missing (no idmapping there). The source is the image file itself
 * (`/proc/self/fd/N`, Linux 6.12 with `EROFS_FS_BACKED_BY_FILE`); when the kernel wants a block
 * device (`ENOTBLK`) the image goes through a loop device, configured read-only, with direct
 * I/O and autoclear, so that the device goes away with the last mount that uses it.
 *
 * @module
 */
import { SysError } from "../fs/errno.ts";
import * as ffi from "../fs/mount_ffi.ts";
import { callError, MountError } from "./errors.ts";

/** `ENOTBLK`, `EBUSY`, `ENODEV`, `ENOSYS` (asm-generic/errno-base.h, errno.h). */
const ENOTBLK = 15;
const EBUSY = 16;
const ENODEV = 19;
const ENOSYS = 38;

/** Ways to force the fallbacks, for tests on kernels that do not need them. */
export interface ErofsForce {
  /** Use a loop device even where the kernel mounts the file itself. */
  loop?: boolean;
  /** Use `mount(2)` even where the new mount API exists. */
  legacyErofs?: boolean;
}

/** What to mount where. */
export interface ErofsMountRequest {
  /** Descriptor of the opened image. */
  imageFd: number;
  /** The image path, for the loop device's name and for messages. */
  imagePath: string;
  /** The (empty) folder to mount on. */
  target: string;
  /** The header says the image has ACLs: do not pass `noacl`. */
  hasAcl: boolean;
  /** A user namespace descriptor for an idmapped mount. */
  usernsFd?: number | undefined;
  force?: ErofsForce | undefined;
}

/** How the image was mounted. */
export interface ErofsMountInfo {
  /** `"file"`: EROFS reads the image file; `"loop"`: through {@link loopDevice}. */
  source: "file" | "loop";
  /** `/dev/loopN` when {@link source} is `"loop"`. */
  loopDevice?: string;
  /** `"fsconfig"` (new mount API) or `"legacy"` (`mount(2)`). */
  api: "fsconfig" | "legacy";
}

function mountNew(source: string, r: ErofsMountRequest): "fsconfig" | "legacy" {
  let fsFd: number;
  try {
    fsFd = ffi.fsopen("erofs");
  } catch (e) {
    if (e instanceof SysError && e.errno === ENOSYS) return mountLegacy(source, r);
    if (e instanceof SysError && e.errno === ENODEV) {
      throw new MountError("The kernel has no EROFS file system (CONFIG_EROFS_FS)", "ENOFEATURE");
    }
    throw callError("Cannot open an EROFS context", e);
  }
  let mntFd = -1;
  try {
    try {
      ffi.fsconfigSetString(fsFd, "source", source);
      ffi.fsconfigSetFlag(fsFd, "ro");
      if (!r.hasAcl) ffi.fsconfigSetFlag(fsFd, "noacl");
      ffi.fsconfigCreate(fsFd);
      mntFd = ffi.fsmount(fsFd, ffi.FSMOUNT_CLOEXEC, ffi.MOUNT_ATTR_RDONLY);
    } catch (e) {
      throw callError("Cannot mount the EROFS image", e, ffi.readFsContextLog(fsFd));
    }
    if (r.usernsFd !== undefined) {
      try {
        ffi.mountSetattrIdmap(mntFd, r.usernsFd);
      } catch (e) {
        throw callError("Cannot make an idmapped mount of the EROFS image", e);
      }
    }
    try {
      ffi.moveMountTo(mntFd, r.target);
    } catch (e) {
      throw callError(`Cannot attach the EROFS image on ${r.target}`, e);
    }
    return "fsconfig";
  } finally {
    ffi.closeFd(mntFd);
    ffi.closeFd(fsFd);
  }
}

function mountLegacy(source: string, r: ErofsMountRequest): "legacy" {
  if (r.usernsFd !== undefined) {
    throw new MountError(
      "Idmapped mounts need the new mount API (fsopen, Linux 5.2) and mount_setattr (Linux 5.12)",
      "ENOFEATURE",
    );
  }
  try {
    ffi.mountLegacy(source, r.target, "erofs", ffi.MS_RDONLY, r.hasAcl ? null : "noacl");
  } catch (e) {
    throw callError("Cannot mount the EROFS image", e);
  }
  return "legacy";
}

function mountFrom(source: string, r: ErofsMountRequest): "fsconfig" | "legacy" {
  return r.force?.legacyErofs ? mountLegacy(source, r) : mountNew(source, r);
}

/** A configured loop device: its path and the descriptor that keeps it until we close it. */
interface Loop {
  path: string;
  fd: number;
}

/** How often to retry when another process takes the free loop device first. */
const LOOP_ATTEMPTS = 8;

function setupLoop(r: ErofsMountRequest): Loop {
  let ctl: number;
  try {
    ctl = ffi.openPath("/dev/loop-control", ffi.O_RDWR);
  } catch (e) {
    throw callError("Cannot open /dev/loop-control", e);
  }
  try {
    for (let attempt = 1;; attempt++) {
      let n: number;
      try {
        n = ffi.loopCtlGetFree(ctl);
      } catch (e) {
        throw callError("Cannot get a free loop device", e);
      }
      const path = `/dev/loop${n}`;
      let fd: number;
      try {
        fd = ffi.openPath(path, ffi.O_RDWR);
      } catch (e) {
        throw callError(`Cannot open ${path}`, e);
      }
      try {
        ffi.loopConfigure(fd, {
          fd: r.imageFd,
          blockSize: 4096, // the EROFS block size, as C sets it
          flags: ffi.LO_FLAGS_READ_ONLY | ffi.LO_FLAGS_DIRECT_IO | ffi.LO_FLAGS_AUTOCLEAR,
          fileName: r.imagePath,
        });
        return { path, fd };
      } catch (e) {
        ffi.closeFd(fd);
        // Someone else bound it between GET_FREE and CONFIGURE: ask for another one.
        if (e instanceof SysError && e.errno === EBUSY && attempt < LOOP_ATTEMPTS) continue;
        throw callError(`Cannot set up ${path} for the image`, e);
      }
    }
  } finally {
    ffi.closeFd(ctl);
  }
}

/**
 * Mounts the image read-only on `r.target`, from the file where the kernel can, else through a
 * loop device. On failure nothing is mounted and no loop device stays bound.
 */
export function mountErofsImage(r: ErofsMountRequest): ErofsMountInfo {
  if (!r.force?.loop) {
    try {
      return { source: "file", api: mountFrom(`/proc/self/fd/${r.imageFd}`, r) };
    } catch (e) {
      if (!(e instanceof MountError && e.errno === ENOTBLK)) throw e;
    }
  }
  const loop = setupLoop(r);
  let mounted = false;
  try {
    const api = mountFrom(loop.path, r);
    mounted = true;
    return { source: "loop", loopDevice: loop.path, api };
  } finally {
    // Unbind now if nothing uses the device; else autoclear unbinds it with the last mount.
    if (!mounted) {
      try {
        ffi.loopClrFd(loop.fd);
      } catch {
        // Autoclear still unbinds it when we close it.
      }
    }
    ffi.closeFd(loop.fd);
  }
}
