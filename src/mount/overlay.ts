/**
 * Step two of a composefs mount: overlayfs with the mounted image as its lower layer and each
 * basedir as a data-only layer, `metacopy=on` and `redirect_dir=on` (the image's files are
 * metacopy stubs whose `overlay.redirect` names their object), mounted onto the target.
 *
 * As in C lcfs-mount.c: the new mount API first, with `lowerdir+` and `datadir+` (Linux 6.7),
 * which need no escaping. If overlayfs does not check its options there (it accepts an
 * `unsupported` key) or rejects an append key with `EINVAL`, the legacy `mount(2)` string
 * follows: `lowerdir=IMAGE::DIR1::DIR2` (data-only layers, Linux 6.5) and, when that is
 * `EINVAL` too, `lowerdir=IMAGE:DIR1:DIR2` (plain lower layers, where the objects are also
 * visible in the mount, as C does on older kernels). `tryverity` is ignored on the legacy path,
 * as in C.
 *
 * @module
 */
import { SysError } from "../fs/errno.ts";
import * as ffi from "../fs/mount_ffi.ts";
import { callError, MountError } from "./errors.ts";
import { escapeMountOption } from "./options.ts";

const EINVAL = 22;
const ENOSYS = 38;

/** The overlay `source`: meaningless to the kernel, it names the software in mountinfo. */
const CFS_MOUNT_SOURCE = "composefs";

/** What to mount. */
export interface OverlayRequest {
  /** Where the image is mounted: the lower layer. */
  lower: string;
  /** The data-only layers, in order. */
  basedirs: readonly string[];
  upperdir?: string | undefined;
  workdir?: string | undefined;
  /** `verity=require`, failing where the kernel lacks it. */
  requireVerity: boolean;
  /** `verity=require` where the kernel has it. */
  tryVerity: boolean;
  readonly: boolean;
  /** The mount point. */
  target: string;
  /** Skip the new mount API (for tests). */
  forceLegacy?: boolean | undefined;
}

/** How the overlay was mounted: `"fsconfig"`, or `"legacy"` with its `lowerdir` separator. */
export type OverlayApi = "fsconfig" | "legacy" | "legacy-plain-lower";

/** The new API said "use the legacy path"; `cause` explains why, for the final message. */
class FallBack {
  constructor(readonly cause: MountError | null) {}
}

function mountNew(r: OverlayRequest): "fsconfig" | FallBack {
  let fsFd: number;
  try {
    fsFd = ffi.fsopen("overlay");
  } catch (e) {
    if (e instanceof SysError && e.errno === ENOSYS) return new FallBack(null);
    throw callError("Cannot open an overlayfs context", e);
  }
  let mntFd = -1;
  const fail = (what: string, e: unknown) => callError(what, e, ffi.readFsContextLog(fsFd));
  try {
    // Without full new-API support overlayfs takes any key unchecked: use mount(2) then.
    try {
      ffi.fsconfigSetString(fsFd, "unsupported", "unsupported");
      return new FallBack(null);
    } catch {
      ffi.readFsContextLog(fsFd); // drop the expected complaint
    }
    try {
      ffi.fsconfigSetString(fsFd, "source", CFS_MOUNT_SOURCE);
      ffi.fsconfigSetString(fsFd, "metacopy", "on");
      ffi.fsconfigSetString(fsFd, "redirect_dir", "on");
    } catch (e) {
      throw fail("Cannot configure overlayfs", e);
    }
    if (r.requireVerity || r.tryVerity) {
      try {
        ffi.fsconfigSetString(fsFd, "verity", "require");
      } catch (e) {
        if (r.requireVerity) {
          const why = fail("overlayfs refused verity=require", e);
          throw new MountError(
            `${why.message}; the verity option needs Linux 6.6`,
            "ENOFEATURE",
            why.errno,
          );
        }
        ffi.readFsContextLog(fsFd);
      }
    }
    const layers: [string, string][] = [["lowerdir+", r.lower]];
    for (const d of r.basedirs) layers.push(["datadir+", d]);
    if (r.upperdir !== undefined) layers.push(["upperdir", r.upperdir]);
    if (r.workdir !== undefined) layers.push(["workdir", r.workdir]);
    for (const [key, value] of layers) {
      try {
        ffi.fsconfigSetString(fsFd, key, value);
      } catch (e) {
        const err = fail(`overlayfs ${key.replace("+", "")} ${value}`, e);
        // EINVAL: no append keys (before Linux 6.7); C retries with mount(2).
        if (err.errno === EINVAL) return new FallBack(err);
        throw err;
      }
    }
    try {
      ffi.fsconfigCreate(fsFd);
    } catch (e) {
      const err = fail("Cannot mount overlayfs", e);
      if (err.errno === EINVAL) return new FallBack(err);
      throw err;
    }
    try {
      mntFd = ffi.fsmount(fsFd, ffi.FSMOUNT_CLOEXEC, r.readonly ? ffi.MOUNT_ATTR_RDONLY : 0);
    } catch (e) {
      throw fail("Cannot mount overlayfs", e);
    }
    try {
      ffi.moveMountTo(mntFd, r.target);
    } catch (e) {
      throw callError(`Cannot attach overlayfs on ${r.target}`, e);
    }
    return "fsconfig";
  } finally {
    ffi.closeFd(mntFd);
    ffi.closeFd(fsFd);
  }
}

/** The legacy option string, C's `metacopy=on,redirect_dir=on,lowerdir=…` with escapes. */
export function legacyOverlayOptions(r: OverlayRequest, separator: "::" | ":"): string {
  const lower = [r.lower, ...r.basedirs].map(escapeMountOption).join(separator);
  let s = `metacopy=on,redirect_dir=on,lowerdir=${lower}`;
  if (r.upperdir !== undefined) s += `,upperdir=${escapeMountOption(r.upperdir)}`;
  if (r.workdir !== undefined) s += `,workdir=${escapeMountOption(r.workdir)}`;
  if (r.requireVerity) s += ",verity=require";
  return s;
}

function mountLegacy(r: OverlayRequest, cause: MountError | null): OverlayApi {
  const flags = r.readonly ? ffi.MS_RDONLY : 0;
  try {
    // MS_SILENT: the first try may fail on older kernels; do not fill the kernel log.
    ffi.mountLegacy(
      CFS_MOUNT_SOURCE,
      r.target,
      "overlay",
      flags | ffi.MS_SILENT,
      legacyOverlayOptions(r, "::"),
    );
    return "legacy";
  } catch (e) {
    if (!(e instanceof SysError && e.errno === EINVAL)) {
      throw callError("Cannot mount overlayfs", e);
    }
  }
  try {
    ffi.mountLegacy(CFS_MOUNT_SOURCE, r.target, "overlay", flags, legacyOverlayOptions(r, ":"));
    return "legacy-plain-lower";
  } catch (e) {
    // The new API's message, when there was one, says more than mount(2)'s EINVAL.
    if (cause !== null) throw cause;
    throw callError("Cannot mount overlayfs", e);
  }
}

/** Mounts the overlay onto `r.target`; on failure nothing is mounted. */
export function mountOverlay(r: OverlayRequest): OverlayApi {
  const first = r.forceLegacy ? new FallBack(null) : mountNew(r);
  return first instanceof FallBack ? mountLegacy(r, first.cause) : first;
}
