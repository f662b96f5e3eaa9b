/**
 * One-call entry points that chain the spec modules: a dump or a tree in, image bytes out.
 *
 * @module
 */
import { parseDump } from "./dump/parse.ts";
import { writeImage } from "./erofs/write.ts";
import type { Node } from "./tree/node.ts";

/** Options of {@link buildImageFromTree}: the format versions, as mkcomposefs takes them. */
export interface TreeBuildOptions {
  /** `--min-version` (default 0). */
  minVersion?: number;
  /** `--max-version` (default 1; 0 when only `minVersion` is given, as the C tool does). */
  maxVersion?: number;
}

/** Options of {@link buildImageFromDump}. */
export interface BuildOptions extends TreeBuildOptions {
  /** `CFS_PARSE_STRICT` semantics. */
  strict?: boolean;
}

/**
 * Builds the composefs image of a tree, byte-identical to C mkcomposefs 1.0.8.
 *
 * @example
 * ```ts
 * import { buildImageFromTree } from "./image.ts";
 * import { createNode, S_IFDIR } from "./tree/node.ts";
 * import assert from "node:assert/strict";
 * assert.equal(buildImageFromTree(createNode(S_IFDIR | 0o755)).length, 16384);
 * ```
 */
export function buildImageFromTree(root: Node, options: TreeBuildOptions = {}): Uint8Array {
  return writeImage(root, options);
}

/**
 * Builds the composefs image for a composefs-dump(5) text, as `mkcomposefs --from-file`.
 *
 * @example
 * ```ts
 * import { buildImageFromDump } from "./image.ts";
 * import assert from "node:assert/strict";
 * const dump = new TextEncoder().encode("/ 4096 40755 2 0 0 0 0.0 - - -\n");
 * assert.equal(buildImageFromDump(dump).length, 16384);
 * ```
 */
export function buildImageFromDump(dump: Uint8Array, options: BuildOptions = {}): Uint8Array {
  const root = parseDump(dump, options.strict ? { strict: true } : {});
  const versions: TreeBuildOptions = {};
  if (options.minVersion !== undefined) versions.minVersion = options.minVersion;
  if (options.maxVersion !== undefined) versions.maxVersion = options.maxVersion;
  return writeImage(root, versions);
}
