/**
 * The two errors of `mount.composefs`: a bad option string, and a mount that failed.
 *
 * @module
 */
import { SysError } from "../fs/errno.ts";

/**
 * Stable codes of {@link MountOptionError}, one per C mount.composefs 1.0.8 message (plus our
 * own `EINVALDIGEST`). Branch on these, not on the text.
 *
 * | code | message |
 * |------|---------|
 * | `EUNSUPPORTED` | `Unsupported option KEY` |
 * | `ENOVALUE` | `No value specified for KEY option` |
 * | `EBASEDIRFORMAT` | `Value for basedir option has incorrect format` (an empty directory) |
 * | `ENOBASEDIR` | `No object dirs specified` |
 * | `EUPPERWORK` | `Both workdir and upperdir must be specified if used` |
 * | `EINVALDIGEST` | ours: `Invalid digest D, must be 64 hex digits` (C fails the mount with `Invalid argument`, or compares a digest of another length) |
 */
export type MountOptionErrorCode =
  | "EUNSUPPORTED"
  | "ENOVALUE"
  | "EBASEDIRFORMAT"
  | "ENOBASEDIR"
  | "EUPPERWORK"
  | "EINVALDIGEST";

/** An option string (`-o …`) or option set that the C helper rejects; `option` names it. */
export class MountOptionError extends SyntaxError {
  /** See {@link MountOptionErrorCode}. */
  readonly code: MountOptionErrorCode;
  /** The option at fault (its key), or `""` for the whole set. */
  readonly option: string;

  /** Makes the error; `message` is C's text. */
  constructor(code: MountOptionErrorCode, option: string, message: string) {
    super(message);
    this.name = "MountOptionError";
    this.code = code;
    this.option = option;
  }
}

/**
 * Codes of {@link MountError} besides errno names (`"ENOENT"`, `"EINVAL"` … from the failing
 * call):
 *
 * | code | meaning |
 * |------|---------|
 * | `ENOVERITY` | `digest=` given, the image has no fs-verity (C's `ENOVERITY`) |
 * | `EWRONGVERITY` | the image's fs-verity digest is not `digest=` (C's `EWRONGVERITY`) |
 * | `ENOTCOMPOSEFS` | the image's composefs header or EROFS superblock is wrong |
 * | `ENOTUSERNS` | `idmap=` names a file that is not a user namespace |
 * | `ENOFEATURE` | the kernel lacks a requested feature; the message says which |
 */
export type MountErrorCode =
  | "ENOVERITY"
  | "EWRONGVERITY"
  | "ENOTCOMPOSEFS"
  | "ENOTUSERNS"
  | "ENOFEATURE";

/**
 * A mount that could not be done. The message is the whole line, naming the image or the path
 * at fault and the reason (`Failed to mount composefs img.cfs: Image has no fs-verity`).
 * Nothing stays mounted when this is thrown.
 */
export class MountError extends Error {
  /** A {@link MountErrorCode} or the errno name of the failing call. */
  readonly code: MountErrorCode | string;
  /** The errno of the failing call, when a call failed. */
  readonly errno: number | undefined;

  /** Makes the error; `message` is the whole line. */
  constructor(message: string, code: MountErrorCode | string, errno?: number) {
    super(message);
    this.name = "MountError";
    this.code = code;
    this.errno = errno;
  }
}

/** The kernel's messages from an fs context, without the `e ` level prefix, as ` (…; …)`. */
export function describeLog(log: readonly string[]): string {
  const lines = log.map((l) => l.replace(/^[ewi] /, ""));
  return lines.length === 0 ? "" : ` (${lines.join("; ")})`;
}

/** A failed call as a {@link MountError}: `<what>: <strerror>` plus the kernel's messages. */
export function callError(what: string, e: unknown, log: readonly string[] = []): MountError {
  if (!(e instanceof SysError)) throw e;
  return new MountError(`${what}: ${e.message}${describeLog(log)}`, e.code, e.errno);
}
