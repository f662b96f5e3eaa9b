/**
 * One-call entry points that chain the spec modules: dump bytes in, image bytes out.
 *
 * @module
 */

/** Options of {@link buildImageFromDump}. */
export interface BuildOptions {
  /** `--min-version` (default 0). */
  minVersion?: number;
  /** `--max-version` (default 1; 0 when only `minVersion` is given, as the C tool does). */
  maxVersion?: number;
  /** `CFS_PARSE_STRICT` semantics. */
  strict?: boolean;
}

/** Builds the composefs image for a composefs-dump(5) text, as `mkcomposefs --from-file`. */
export function buildImageFromDump(_dump: Uint8Array, _options: BuildOptions = {}): Uint8Array {
  throw new Error("Not implemented yet");
}
