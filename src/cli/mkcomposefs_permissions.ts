/**
 * The Deno permissions each mkcomposefs mode needs (README, "Permissions"):
 *
 * - `--from-file DUMP IMAGE`: read DUMP and IMAGE's folder, write IMAGE's folder;
 * - `--from-file --print-digest-only DUMP`: read DUMP;
 * - `--from-file - -` (stdin to stdout): nothing;
 * - `--from-file - /proc/self/fd/N`: write `/proc/self/fd/N`;
 * - `SOURCE IMAGE` (a directory): read SOURCE and IMAGE's folder, write IMAGE's folder, FFI (1);
 *   with `--digest-store=DIR`, read and write DIR too, and FFI even with `--skip-xattrs
 *   --use-epoch` (the store copies through libc).
 *
 * (1) FFI (libc) reads xattrs and nanosecond mtimes; with `--skip-xattrs --use-epoch` it is
 * optional (used when granted, for raw-byte names).
 *
 * The image's folder, not the image: the image is written to a temporary file beside it and
 * renamed into place, and Deno's rename wants read access to the file it moves. Reading the
 * folder also lets us see whether IMAGE is a FIFO or a device, written in place.
 *
 * Run from source, directory mode also reads the tool's own modules (`spec/`, `src/`): the
 * digest workers load them at run time. The single-file bundle carries its worker inline.
 *
 * @module
 */
import type { MkcomposefsArgs } from "./mkcomposefs.ts";
import { parentDir, type PermissionNeeds } from "./permissions.ts";

/** Paths written in place: stdout's `-` aside, descriptors named through /proc or /dev/fd. */
const FD_PATH = /^\/(proc\/(self|thread-self|\d+)\/fd|dev\/fd)\/\d+$/;

/** When this module runs from the source tree, the root of that tree (else null: bundled). */
function sourceRoot(): string | null {
  const here = new URL(import.meta.url);
  if (here.protocol !== "file:" || !here.pathname.endsWith("/src/cli/mkcomposefs_permissions.ts")) {
    return null;
  }
  return decodeURIComponent(new URL("../../", here).pathname).replace(/\/$/, "");
}

function addImage(needs: PermissionNeeds, image: string | null): void {
  if (image === null || image === "-") return;
  if (FD_PATH.test(image)) {
    needs.write.push(image);
    needs.mayNeedAll = true;
    return;
  }
  const dir = parentDir(image);
  needs.read.push(dir);
  needs.write.push(dir);
}

/** The permissions a run with these arguments needs. */
export function mkcomposefsPermissions(a: MkcomposefsArgs): PermissionNeeds {
  const needs: PermissionNeeds = { read: [], write: [], ffi: false, optional: [] };
  if (a.fromFile) {
    if (a.source !== "-") needs.read.push(a.source);
  } else {
    needs.read.push(a.source);
    const root = sourceRoot();
    if (root !== null) needs.read.push(`${root}/spec`, `${root}/src`);
    // xattrs and nanosecond mtimes need libc; without both it is still used when granted.
    if (a.skipXattrs && a.useEpoch) needs.optional.push("ffi");
    else needs.ffi = true;
    if (a.digestStore !== null) {
      // An empty PATH is the current directory, as in C.
      const store = a.digestStore === "" ? "." : a.digestStore;
      needs.read.push(store);
      needs.write.push(store);
      // The store copies through libc (reflinks, copy_file_range, fsync, fs-verity).
      needs.ffi = true;
    }
  }
  addImage(needs, a.image);
  return needs;
}
