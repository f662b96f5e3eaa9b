/**
 * cfs-ts: composefs images in TypeScript, byte for byte the images C mkcomposefs 1.0.8 writes.
 *
 * A composefs image describes a directory tree (names, modes, owners, xattrs, small inline
 * files, and for large files the path of a backing file in a content-addressed store). The
 * image's fs-verity digest pins all of it: mount with that digest and the kernel refuses an
 * image that differs by one bit.
 *
 * Everything but {@link mountComposefs} is pure: no file system, no Deno APIs. A tree built in
 * code is enough to get an image, so the library runs in Deno, Node, Bun or a browser.
 * `mountComposefs` touches Deno only when called (it needs Linux, root and `--allow-ffi`).
 *
 * - Build: {@link buildImageFromTree}, {@link buildImageFromDump}.
 * - Read: {@link readImage} turns image bytes back into a tree.
 * - Dumps (composefs-dump(5), the text form): {@link parseDump}, {@link printDump}.
 * - Digests: {@link fsverityDigest}, {@link FsVerityHasher}, {@link objectPathOf}; SHA-256 is
 *   passed in ({@link sha256Js} runs anywhere; `node:crypto` is faster where it exists).
 * - The tree: {@link createNode}, {@link addChild}, {@link setXattr}, and the `S_IF*` types.
 * - Format oracle: {@link openImage} gives every raw structure of an image, checked;
 *   {@link inspectImage} prints an injective dump of it.
 * - Mount: {@link mountComposefs}, as `mount.composefs` does.
 *
 * @example Build an image from a tree made in code, print its digest, read it back
 * ```ts
 * import {
 *   addChild,
 *   buildImageFromTree,
 *   createNode,
 *   fsverityDigest,
 *   printDump,
 *   readImage,
 *   S_IFDIR,
 *   S_IFREG,
 *   setXattr,
 *   sha256Js,
 *   toHex,
 * } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const enc = new TextEncoder();
 * const root = createNode(S_IFDIR | 0o755, { nlink: 2 });
 * const hello = createNode(S_IFREG | 0o644, { size: 6n, content: enc.encode("hello\n") });
 * setXattr(hello, enc.encode("user.greeting"), enc.encode("yes"));
 * addChild(root, hello, enc.encode("hello.txt"));
 *
 * const image = buildImageFromTree(root);
 * const digest = toHex(fsverityDigest(image, sha256Js));
 * assert.equal(digest.length, 64);
 *
 * const dump = new TextDecoder().decode(printDump(readImage(image)));
 * assert.match(dump, /^\/hello\.txt 6 100644 1 0 0 0 0\.0 - hello\\n - user\.greeting=yes$/m);
 * ```
 *
 * @module
 */
export { buildImageFromDump, buildImageFromTree } from "./spec/image.ts";
export type { BuildOptions, TreeBuildOptions } from "./spec/image.ts";

export { readImage } from "./spec/erofs/read.ts";
export { openImage } from "./spec/erofs/open.ts";
export type {
  ChunkInfo,
  ErofsImage,
  ErofsInodeInfo,
  FlatLayout,
  RawDirent,
  RawXattr,
} from "./spec/erofs/open.ts";
export type { LcfsErofsHeader } from "./spec/erofs/header.ts";
export type { ErofsSuperBlock } from "./spec/erofs/superblock.ts";
export { inspectImage } from "./spec/erofs/inspect.ts";
export type { ReadImageOptions } from "./spec/erofs/read.ts";
export { ErofsFormatError } from "./spec/erofs/errors.ts";
export type { ErofsErrno, ErofsErrorSite } from "./spec/erofs/errors.ts";

export { parseDump } from "./spec/dump/parse.ts";
export type { ParseDumpOptions } from "./spec/dump/parse.ts";
export { printDump } from "./spec/dump/print.ts";
export type { PrintDumpOptions } from "./spec/dump/print.ts";
export { DumpSyntaxError } from "./spec/dump/errors.ts";
export type { DumpErrorCode } from "./spec/dump/errors.ts";

export { fsverityDigest, FsVerityHasher } from "./spec/fsverity/merkle.ts";
export type { FsVerityOptions, Sha256 } from "./spec/fsverity/merkle.ts";
export { sha256Js } from "./spec/fsverity/sha256.ts";
export { objectPathOf } from "./spec/fsverity/object_path.ts";
export { toHex } from "./spec/bytes/compare.ts";

export {
  addChild,
  createNode,
  findChild,
  getXattr,
  nodePath,
  removeXattr,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  setXattr,
} from "./spec/tree/node.ts";
export type { Node, NodeInit, Xattr, XattrHolder } from "./spec/tree/node.ts";
export { ComposefsLimitError } from "./spec/tree/errors.ts";
export type { ComposefsErrno } from "./spec/tree/errors.ts";

export {
  mountComposefs,
  MountError,
  MountOptionError,
  parseMountOptions,
} from "./src/mount/mod.ts";
export type {
  ErofsForce,
  ErofsMountInfo,
  MountComposefsOptions,
  MountComposefsResult,
  MountErrorCode,
  MountForce,
  MountOptionErrorCode,
  OverlayApi,
  ParsedMountOptions,
} from "./src/mount/mod.ts";
