/**
 * Mounting composefs images, as C mount.composefs 1.0.8 does: {@link mountComposefs} for
 * programs, {@link parseMountOptions} for a `-o` option string, and the two error classes.
 * Linux only; needs root and `--allow-ffi`.
 *
 * @example Mount an image read-only with its object store (as root)
 * ```ts ignore
 * import { mountComposefs, parseMountOptions } from "./mod.ts";
 * const o = parseMountOptions("ro,basedir=/composefs/objects");
 * mountComposefs({ ...o, image: "image.cfs", target: "/mnt/image" });
 * ```
 *
 * @module
 */
export { mountComposefs } from "./mount.ts";
export type { MountComposefsOptions, MountComposefsResult, MountForce } from "./mount.ts";
export type { ErofsForce, ErofsMountInfo } from "./erofs.ts";
export type { OverlayApi } from "./overlay.ts";
export { parseMountOptions, splitMountOptions } from "./options.ts";
export type { ParsedMountOptions, RawMountOption } from "./options.ts";
export { MountError, MountOptionError } from "./errors.ts";
export type { MountErrorCode, MountOptionErrorCode } from "./errors.ts";
