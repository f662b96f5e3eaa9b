/**
 * The error every image reader path throws for a malformed or truncated composefs image.
 *
 * @module
 */
import { STRERROR } from "../tree/errors.ts";

/**
 * The errno C's `lcfs_load_node_from_image` reports for the same image, so the command line can
 * print C's `strerror` text. Where C reads out of bounds or loops (undefined behaviour) we report
 * `EINVAL`.
 */
export type ErofsErrno =
  | "EINVAL"
  | "ENOTSUP"
  | "ERANGE"
  | "ENAMETOOLONG"
  | "EEXIST";

/** C's `strerror` text for each {@link ErofsErrno} (the one table, in spec/tree/errors.ts). */
export const EROFS_STRERROR: Readonly<Record<ErofsErrno, string>> = STRERROR;

/** Where in the image a problem was found. */
export interface ErofsErrorSite {
  /** Byte offset in the image of the structure (or field) at fault. */
  offset: number;
  /** What was being read, e.g. `"dirent"`, `"inode 36: i_size"`. */
  structure: string;
  /** The inode being read, when there is one. */
  nid?: number;
}

/**
 * A malformed composefs image: `code` is the errno C reports (see {@link ErofsErrno}),
 * `offset` and `structure` say where, `nid` which inode.
 *
 * @example Catching a bad magic
 * ```ts
 * import assert from "node:assert/strict";
 * import { ErofsFormatError } from "./errors.ts";
 * const e = new ErofsFormatError("EINVAL", "Bad magic", { offset: 0, structure: "header" });
 * assert.equal(e.code, "EINVAL");
 * assert.equal(e.message, "Cannot read the composefs image: header at offset 0: Bad magic");
 * ```
 */
export class ErofsFormatError extends RangeError {
  /** The errno C reports for the same image, see {@link ErofsErrno}. */
  readonly code: ErofsErrno;
  /** Byte offset in the image of the structure that is wrong. */
  readonly offset: number;
  /** What was being read there (`superblock`, `dirent`, `xattr entry`, …). */
  readonly structure: string;
  /** The inode involved, when there is one. */
  readonly nid?: number;

  /**
   * Creates the error; the message names the inode, structure and offset.
   *
   * @param code The errno name.
   * @param reason What is wrong, e.g. `Bad magic`.
   * @param site Where: offset, structure and optional nid.
   */
  constructor(code: ErofsErrno, reason: string, site: ErofsErrorSite) {
    const where = site.nid === undefined ? "" : `inode ${site.nid}: `;
    super(
      `Cannot read the composefs image: ${where}${site.structure} at offset ${site.offset}: ${reason}`,
    );
    this.name = "ErofsFormatError";
    this.code = code;
    this.offset = site.offset;
    this.structure = site.structure;
    if (site.nid !== undefined) this.nid = site.nid;
  }
}
