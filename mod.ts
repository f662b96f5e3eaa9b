/**
 * cfs-ts: composefs images in TypeScript, byte-identical to C mkcomposefs 1.0.8.
 *
 * @module
 */
export * from "./spec/tree/mod.ts";
export { buildImageFromDump } from "./spec/image.ts";
export type { BuildOptions } from "./spec/image.ts";
