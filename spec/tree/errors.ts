/**
 * Errors raised by the tree model and the image writer when a tree breaks a composefs limit.
 *
 * @module
 */

/** The errno names the C library reports for tree, writer and image-reader failures. */
export type ComposefsErrno =
  | "EINVAL"
  | "ENOTSUP"
  | "ENAMETOOLONG"
  | "EEXIST"
  | "ENOTDIR"
  | "ERANGE"
  | "EFBIG"
  | "ELOOP"
  | "EMLINK";

/** C's `strerror` text for each errno, used where we must print what the C tool prints. */
export const STRERROR: Readonly<Record<ComposefsErrno, string>> = {
  EINVAL: "Invalid argument",
  ENOTSUP: "Operation not supported",
  ENAMETOOLONG: "File name too long",
  EEXIST: "File exists",
  ENOTDIR: "Not a directory",
  ERANGE: "Numerical result out of range",
  EFBIG: "File too large",
  ELOOP: "Too many levels of symbolic links",
  EMLINK: "Too many links",
};

/**
 * A model or limit violation; `code` is the errno C reports for the same case.
 *
 * @example A name longer than 255 bytes
 * ```ts
 * import { addChild, createNode, S_IFDIR, S_IFREG } from "./node.ts";
 * import { ComposefsLimitError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const root = createNode(S_IFDIR | 0o755);
 * assert.throws(
 *   () => addChild(root, createNode(S_IFREG | 0o644), new Uint8Array(256).fill(0x61)),
 *   (e) => e instanceof ComposefsLimitError && e.code === "ENAMETOOLONG",
 * );
 * ```
 */
export class ComposefsLimitError extends RangeError {
  /** The errno name C reports for the same case. */
  readonly code: ComposefsErrno;

  /**
   * Creates the error.
   *
   * @param code The errno name C reports.
   * @param message What limit was broken.
   */
  constructor(code: ComposefsErrno, message: string) {
    super(message);
    this.name = "ComposefsLimitError";
    this.code = code;
  }
}
