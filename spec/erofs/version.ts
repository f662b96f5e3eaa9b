/**
 * The composefs format version: the one table of what differs between C 1.0.8's versions 0 and
 * 1, and how `--min-version`/`--max-version` choose between them.
 *
 * @module
 */
import { ComposefsLimitError } from "../tree/errors.ts";
import { LCFS_VERSION_MAX } from "./constants.ts";

/** `--min-version` / `--max-version`. */
export interface VersionOptions {
  /** Base format version (default 0). */
  minVersion?: number;
  /** Highest version the writer may upgrade to (default 1, or 0 when only `minVersion` is set). */
  maxVersion?: number;
}

/**
 * What version 1 changes, for reference: the header's `composefs_version`, and directories
 * holding whiteouts also get `trusted.overlay.overlay.opaque=x` and `user.overlay.opaque=x`.
 * A tree with a whiteout (chardev 0:0) upgrades from 0 to 1 when the maximum allows it.
 */
export function resolveFormatVersion(
  options: VersionOptions,
  hasWhiteout: () => boolean,
): number {
  const given = options.minVersion !== undefined || options.maxVersion !== undefined;
  // As mkcomposefs: giving either option makes the other default to 0.
  let min = options.minVersion ?? 0;
  let max = options.maxVersion ?? (given ? 0 : 1);
  // C stores them as u32, so a negative value is also "above 1".
  min = min >>> 0;
  max = max >>> 0;
  if (min > LCFS_VERSION_MAX || max > LCFS_VERSION_MAX) {
    throw new ComposefsLimitError(
      "EINVAL",
      `format version ${Math.max(min, max)} is above the highest supported (${LCFS_VERSION_MAX})`,
    );
  }
  if (max < min) max = min;
  if (min < 1 && max >= 1 && hasWhiteout()) min = 1;
  return min;
}
